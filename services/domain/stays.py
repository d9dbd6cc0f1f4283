"""Stays: who lies where now, and for how long already; and stays the source left open.

Source systems leave Encounters ``in-progress`` for years (a discharge never booked). Such a
stay is flagged (``stale_stays``) and not counted as a current inpatient: the limit is set per
source from its own finished stays (``services.config.StaleStays``). One rule serves every
figure that counts who is in the hospital (``counted_until``): a stay without an end counts as
present up to its start plus its source's limit, and not after. The current inpatients, the
midnight census of past days (``services.domain.census.ward_periods``) and the forecast's stays
(``services.domain.forecast.inpatient_stays``) all apply it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from services.config import StaleStays

__all__ = [
    "NOT_BEGUN",
    "begun",
    "counted_until",
    "current_placements",
    "entries_at",
    "in_hospitals",
    "locations_in",
    "open_stay_limits",
    "stale_stays",
    "typed_places",
    "ward_census_now",
    "with_place_names",
]

_PLACE_COLUMNS = ("ward_id", "room_id", "bed_id")

# Encounter states of a stay that has not begun (waiting for a bed, announced, in triage) or
# never took place: no census, forecast or data-quality figure counts it as a stay.
NOT_BEGUN = ("planned", "arrived", "triaged", "cancelled", "entered-in-error")
_STALE_COLUMNS = ["source", "id", "patient_id", "hospital_id", "start", "days_open", "limit_days"]

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


def _inpatient(encounters: pd.DataFrame) -> pd.Series:
    return encounters["class"] == "IMP"


def open_stay_limits(encounters: pd.DataFrame, rule: StaleStays | None = None) -> pd.Series:
    """Days after which an open inpatient stay of each source counts as left open (by source)."""
    rule = rule or StaleStays()
    sources = pd.Index(encounters["source"].dropna().unique(), name="source")
    if rule.days is not None:
        return pd.Series(float(rule.days), index=sources, dtype="float64")
    finished = encounters[
        _inpatient(encounters)
        & (encounters["status"] == "finished")
        & encounters["start"].notna()
        & encounters["end"].notna()
    ]
    days = (finished["end"] - finished["start"]).dt.total_seconds() / 86400
    per_source = days.groupby(finished["source"])
    enough = per_source.size() >= rule.min_finished
    limits = per_source.quantile(rule.quantile)[enough].clip(rule.min_days, rule.max_days)
    return limits.reindex(sources).fillna(rule.max_days).astype("float64")


def counted_until(encounters: pd.DataFrame, rule: StaleStays | None = None) -> pd.Series:
    """Until when each stay counts as present: its end, else its start plus its source's limit.

    A stay without an end is an inpatient until it has been open longer than the limit
    (``stale_stays``), so past figures count it exactly while the current ones would have.
    """
    limits = open_stay_limits(encounters, rule)
    limit = pd.to_timedelta(encounters["source"].map(limits).astype("float64"), unit="D")
    return encounters["end"].fillna(encounters["start"] + limit)


def stale_stays(
    encounters: pd.DataFrame, now: pd.Timestamp, rule: StaleStays | None = None
) -> pd.DataFrame:
    """Inpatient stays ``in-progress`` for longer than their source's limit, longest first.

    Columns: source, id, patient_id, hospital_id, start, days_open, limit_days.
    """
    open_now = encounters[
        (encounters["status"] == "in-progress")
        & _inpatient(encounters)
        & encounters["start"].notna()
        & (encounters["start"] <= now)
    ]
    limits = open_stay_limits(encounters, rule)
    days_open = (now - open_now["start"]).dt.total_seconds() / 86400
    limit = open_now["source"].map(limits).astype("float64")
    out = open_now.assign(days_open=days_open, limit_days=limit)[days_open > limit]
    return out[_STALE_COLUMNS].sort_values("days_open", ascending=False).reset_index(drop=True)


def current_placements(
    encounters: pd.DataFrame,
    enc_locations: pd.DataFrame,
    now: pd.Timestamp,
    rule: StaleStays | None = None,
) -> pd.DataFrame:
    """One row per current inpatient stay with its ward, room and bed now.

    A stay is current when it is ``in-progress``, inpatient (class IMP), started before ``now``
    and not left open by the source (``stale_stays``). Its place is the location entries whose
    period covers ``now``; when a server leaves periods open but marks entries ``active``, the
    active entry is taken instead. Place ids are text, null where the source names no such
    place (no beds, say).
    """
    stale = stale_stays(encounters, now, rule)
    stays = encounters[
        (encounters["status"] == "in-progress")
        & _inpatient(encounters)
        & (encounters["start"] <= now)
    ]
    if not stale.empty:
        flagged = pd.MultiIndex.from_frame(stale[["source", "id"]])
        stays = stays[~pd.MultiIndex.from_frame(stays[["source", "id"]]).isin(flagged)]
    if stays.empty:
        empty = encounters.iloc[:0].rename(columns={"id": "encounter_id"})
        for column in _PLACE_COLUMNS:
            empty[column] = pd.Series(dtype="str")
        empty["days_so_far"] = pd.Series(dtype="int64")
        return empty[_PLACEMENT_COLUMNS].reset_index(drop=True)
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
    for column in _PLACE_COLUMNS:
        out[column] = out[column].astype("str")
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


def ward_census_now(placements: pd.DataFrame) -> pd.DataFrame:
    """Current inpatients per ward (``source``, ``hospital_id``, ``ward_id``, ``patients``).

    What a source without beds still allows: occupancy by ward from the stays. Stays that name
    no ward now are one row with ``ward_id`` null.
    """
    counted = placements.groupby(
        ["source", "hospital_id", "ward_id"], dropna=False, sort=True
    ).size()
    return counted.rename("patients").reset_index()


def typed_places(enc_locations: pd.DataFrame, locations: pd.DataFrame) -> pd.DataFrame:
    """Location entries with the physical type of their Location where the entry names none.

    ISiK and MII make ``Encounter.location.physicalType`` optional; a ward given without it
    would place nobody. The Location read (wards, rooms, beds) knows its type.
    """
    missing = enc_locations["physical_type"].isna()
    if not missing.any() or locations.empty:
        return enc_locations
    kinds = locations.dropna(subset=["physical_type"]).drop_duplicates(["source", "id"])
    kinds = kinds.set_index(["source", "id"])["physical_type"]
    keys = pd.MultiIndex.from_arrays(
        [enc_locations.loc[missing, "source"], enc_locations.loc[missing, "location_id"]]
    )
    out = enc_locations.copy()
    out.loc[missing, "physical_type"] = kinds.reindex(keys).to_numpy()
    return out


def in_hospitals(
    tables: dict[str, pd.DataFrame], hospital_ids: Iterable[str]
) -> dict[str, pd.DataFrame]:
    """The stays of a read whose hospital is one of ``hospital_ids``, with their location
    entries, contact levels and patients; everything when no ids are given.

    The hospital scope is applied here, after the contact levels are collapsed, and not by the
    search: an MII Einrichtungskontakt may name its hospital by identifier only (no Organization
    resource), and its Abteilungs- and Versorgungsstellenkontakte name their department or unit,
    not the hospital, so no standard search parameter (``service-provider`` by reference or
    ``:identifier``) finds all levels of a hospital's stays. The stay's ``hospital_id`` is decided
    once (``services.frames.contacts``) from its Einrichtungskontakt, whatever way it names it.
    """
    wanted = set(hospital_ids)
    if not wanted:
        return tables
    stays = tables["encounter"]
    kept = stays[stays["hospital_id"].isin(wanted)].reset_index(drop=True)
    keys = pd.MultiIndex.from_frame(kept[["source", "id"]])
    out = {**tables, "encounter": kept}
    for name, column in (("encounter_location", "encounter_id"), ("encounter_contact", "stay_id")):
        if name in tables:
            frame = tables[name]
            mine = pd.MultiIndex.from_arrays([frame["source"], frame[column]]).isin(keys)
            out[name] = frame[mine].reset_index(drop=True)
    if "patient" in tables:
        patients = tables["patient"]
        who = pd.MultiIndex.from_frame(kept[["source", "patient_id"]])
        mine = pd.MultiIndex.from_arrays([patients["source"], patients["id"]]).isin(who)
        out["patient"] = patients[mine].reset_index(drop=True)
    return out


def locations_in(locations: pd.DataFrame, hospital_ids: Iterable[str]) -> pd.DataFrame:
    """Wards, rooms and beds of the hospitals given (all when none), after the Location read:
    a Location may name its hospital by identifier only, or only through its ward."""
    wanted = set(hospital_ids)
    if not wanted:
        return locations
    return locations[locations["hospital_id"].isin(wanted)].reset_index(drop=True)


def begun(encounters: pd.DataFrame) -> pd.Series:
    """Which encounters are stays that have begun (``NOT_BEGUN`` leaves the others out)."""
    return ~encounters["status"].isin(NOT_BEGUN)
