"""Stays: who lies where now, and for how long already."""

from __future__ import annotations

import pandas as pd

__all__ = ["current_placements", "entries_at", "with_place_names"]

_PLACEMENT_COLUMNS = [
    "source",
    "encounter_id",
    "patient_id",
    "hospital_id",
    "department",
    "start",
    "planned_end",
    "attending_id",
    "ward_id",
    "room_id",
    "bed_id",
    "days_so_far",
]


def entries_at(enc_locations: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """Location entries whose period covers ``at`` (start <= at < end, an open end counts)."""
    started = enc_locations["start"].notna() & (enc_locations["start"] <= at)
    not_ended = enc_locations["end"].isna() | (enc_locations["end"] > at)
    return enc_locations[started & not_ended]


def current_placements(
    encounters: pd.DataFrame, enc_locations: pd.DataFrame, now: pd.Timestamp
) -> pd.DataFrame:
    """One row per current inpatient stay with its ward, room and bed now.

    A stay is current when it is ``in-progress``, inpatient (class IMP) and started before
    ``now``. Its place is the location entries whose period covers ``now``; when a server leaves
    periods open but marks entries ``active``, the active entry is taken instead.
    """
    stays = encounters[
        (encounters["status"] == "in-progress")
        & (encounters["class"] == "IMP")
        & (encounters["start"] <= now)
    ]
    if stays.empty:
        return pd.DataFrame(columns=_PLACEMENT_COLUMNS)
    entries = enc_locations[enc_locations["encounter_id"].isin(stays["id"])]
    covering = entries_at(entries, now)
    active = entries[entries["status"] == "active"]
    places = pd.concat([covering, active]).drop_duplicates(
        ["source", "encounter_id", "physical_type"]
    )
    wide = places.pivot_table(
        index=["source", "encounter_id"],
        columns="physical_type",
        values="location_id",
        aggfunc="first",
    ).reindex(columns=["wa", "ro", "bd"])
    wide = wide.rename(columns={"wa": "ward_id", "ro": "room_id", "bd": "bed_id"}).reset_index()
    out = stays.rename(columns={"id": "encounter_id"}).merge(
        wide, on=["source", "encounter_id"], how="left"
    )
    out["days_so_far"] = (now - out["start"]).dt.days
    return out[_PLACEMENT_COLUMNS].reset_index(drop=True)


def with_place_names(frame: pd.DataFrame, locations: pd.DataFrame) -> pd.DataFrame:
    """Add ``ward``, ``room`` and ``bed`` names for the ``*_id`` columns that ``frame`` has."""
    names = locations.set_index(["source", "id"])["name"]
    out = frame.copy()
    for level in ("ward", "room", "bed"):
        column = f"{level}_id"
        if column in out:
            keys = pd.MultiIndex.from_arrays([out["source"], out[column]])
            out[level] = names.reindex(keys).to_numpy()
    return out
