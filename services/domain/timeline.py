"""One person's record across hospitals as a timeline: stays, places, and marks for facts.

Input are the tables of ``services.patient_record.read_record`` (every table has ``source``);
output are three frames a figure or a table can draw directly:

- ``stays``: one row per contact (inpatient, emergency, outpatient) with its hospital;
- ``places``: the ward, room and bed periods inside the stays;
- ``marks``: one row per fact (diagnosis, procedure, medication period, observation). The same
  fact recorded at two hospitals, or twice, is one mark that lists every hospital and record.

"The same fact" is the same kind and code (and value, for observations) recorded close together
in time; how close depends on the kind (``SAME_FACT_WITHIN``). A chronic diagnosis carried from
one hospital to the next within weeks is one fact; a lab value is the same only within the hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from services.domain.stays import current_placements, with_place_names

__all__ = [
    "ABNORMAL_FLAGS",
    "MARK_KINDS",
    "SAME_FACT_WITHIN",
    "Timeline",
    "build_timeline",
    "current_stays",
    "filter_timeline",
    "hospital_of",
    "record_ids",
]

MARK_KINDS = ("condition", "procedure", "medication", "observation")
RESOURCE_OF_KIND = {
    "stay": "Encounter",
    "condition": "Condition",
    "procedure": "Procedure",
    "medication": "MedicationRequest",
    "observation": "Observation",
}
SAME_FACT_WITHIN = {
    "condition": pd.Timedelta(days=30),
    "procedure": pd.Timedelta(days=1),
    "medication": pd.Timedelta(days=1),
    "observation": pd.Timedelta(hours=1),
}
# v3 ObservationInterpretation codes that mean "outside the reference range".
ABNORMAL_FLAGS = frozenset({"H", "HH", "HU", "L", "LL", "LU", "A", "AA"})

_STAY_COLUMNS = [
    "source",
    "hospital_id",
    "encounter_id",
    "patient_id",
    "case_number",
    "status",
    "class",
    "department",
    "start",
    "end",
    "shown_end",
    "planned_end",
    "attending_id",
]
_PLACE_COLUMNS = [
    "source",
    "hospital_id",
    "encounter_id",
    "level",
    "location_id",
    "name",
    "start",
    "end",
    "shown_end",
]
_MARK_COLUMNS = [
    "kind",
    "code",
    "display",
    "detail",
    "start",
    "end",
    "abnormal",
    "hospitals",
    "records",
    "sources",
]
_RAW_COLUMNS = [
    "kind",
    "key",
    "code",
    "display",
    "detail",
    "start",
    "end",
    "abnormal",
    "hospital",
    "record",
    "source",
]


@dataclass(frozen=True)
class Timeline:
    stays: pd.DataFrame
    places: pd.DataFrame
    marks: pd.DataFrame

    @property
    def hospitals(self) -> list[str]:
        """Every hospital the timeline knows something from, in order of first contact."""
        ordered = self.stays.sort_values("start")["hospital_id"].dropna().tolist()
        for group in self.marks["hospitals"]:
            ordered.extend(group)
        return list(dict.fromkeys(ordered))


def hospital_of(frame: pd.DataFrame, patients: pd.DataFrame) -> pd.Series:
    """The hospital of each row through its ``(source, patient_id)``; the source when unknown."""
    lookup = patients.drop_duplicates(["source", "id"]).set_index(["source", "id"])["hospital_id"]
    keys = pd.MultiIndex.from_arrays([frame["source"], frame["patient_id"]])
    found = pd.Series(lookup.reindex(keys).to_numpy(), index=frame.index, dtype="object")
    return found.where(found.notna(), frame["source"])


def _stays(encounters: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    out = encounters.rename(columns={"id": "encounter_id"}).copy()
    # A contact still open runs to now on the timeline; its planned end is shown separately.
    out["shown_end"] = out["end"].where(out["end"].notna(), now)
    out["shown_end"] = out[["shown_end", "start"]].max(axis=1)
    return out.reindex(columns=_STAY_COLUMNS).reset_index(drop=True)


def _places(
    enc_locations: pd.DataFrame, stays: pd.DataFrame, locations: pd.DataFrame | None
) -> pd.DataFrame:
    out = enc_locations.rename(columns={"physical_type": "level"}).merge(
        stays[["source", "encounter_id", "hospital_id", "shown_end"]].rename(
            columns={"shown_end": "stay_end"}
        ),
        on=["source", "encounter_id"],
        how="inner",
    )
    out["shown_end"] = out["end"].where(out["end"].notna(), out["stay_end"])
    if locations is not None and not locations.empty:
        names = locations.drop_duplicates(["source", "id"]).set_index(["source", "id"])["name"]
        keys = pd.MultiIndex.from_arrays([out["source"], out["location_id"]])
        out["name"] = names.reindex(keys).to_numpy()
    else:
        out["name"] = None
    out["name"] = out["name"].where(out["name"].notna(), out["location_id"])
    return out.reindex(columns=_PLACE_COLUMNS).reset_index(drop=True)


def _raw(
    kind: str,
    frame: pd.DataFrame,
    patients: pd.DataFrame,
    *,
    start: pd.Series,
    end: pd.Series | None = None,
    detail: pd.Series | None = None,
    key: pd.Series | None = None,
    abnormal: pd.Series | None = None,
) -> pd.DataFrame:
    """Rows of one kind in the common shape, before same facts are merged."""
    index = frame.index
    return pd.DataFrame(
        {
            "kind": kind,
            "key": (key if key is not None else frame["code"].fillna(frame["display"])),
            "code": frame["code"],
            "display": frame["display"],
            "detail": detail if detail is not None else pd.Series(None, index=index),
            "start": start,
            "end": end if end is not None else pd.Series(pd.NaT, index=index, dtype=start.dtype),
            "abnormal": abnormal if abnormal is not None else False,
            "hospital": hospital_of(frame, patients),
            "record": f"{RESOURCE_OF_KIND[kind]}/" + frame["id"],
            "source": frame["source"],
        },
        index=index,
    )


def _observations(observations: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """One row per Observation: panels (blood pressure) join their component values."""
    if observations.empty:
        return _raw("observation", observations, patients, start=observations["effective"])
    obs = observations.copy()
    obs["value_text"] = obs["value"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    obs["flag"] = obs["interpretation"].isin(ABNORMAL_FLAGS)
    obs["values"] = obs["value_text"]
    obs["abnormal"] = obs["flag"]
    keep = ["source", "id", "patient_id", "effective", "code", "panel_code", "display"]
    keep += ["values", "unit", "abnormal"]
    panels = obs["panel_code"].notna()
    # Panels (blood pressure) have one row per component: join their values into one mark.
    joined = (
        obs[panels]
        .groupby(["source", "id"], sort=False)
        .agg(
            patient_id=("patient_id", "first"),
            effective=("effective", "first"),
            code=("code", "first"),
            panel_code=("panel_code", "first"),
            display=("display", lambda s: " / ".join(s.dropna().astype(str))),
            values=("value_text", lambda s: "/".join(s)),
            unit=("unit", "first"),
            abnormal=("flag", "any"),
        )
        .reset_index()
    )
    one = pd.concat([obs.loc[~panels, keep], joined[keep]], ignore_index=True)
    one["code"] = one["panel_code"].where(one["panel_code"].notna(), one["code"])
    detail = (one["values"] + " " + one["unit"].fillna("")).str.strip()
    return _raw(
        "observation",
        one,
        patients,
        start=one["effective"],
        detail=detail,
        key=one["code"].fillna(one["display"]) + "=" + detail,
        abnormal=one["abnormal"],
    )


def _marks(tables: dict[str, pd.DataFrame], patients: pd.DataFrame) -> pd.DataFrame:
    parts = []
    conditions = tables.get("condition")
    if conditions is not None:
        parts.append(
            _raw(
                "condition",
                conditions,
                patients,
                start=conditions["recorded"].fillna(conditions["onset"]),
                detail=conditions["clinical_status"],
            )
        )
    procedures = tables.get("procedure")
    if procedures is not None:
        parts.append(
            _raw(
                "procedure",
                procedures,
                patients,
                start=procedures["performed"],
                detail=procedures["status"],
            )
        )
    medications = tables.get("medication_request")
    if medications is not None:
        parts.append(
            _raw(
                "medication",
                medications,
                patients,
                start=medications["start"].fillna(medications["authored_on"]),
                end=medications["end"],
                detail=medications["dosage"],
            )
        )
    observations = tables.get("observation")
    if observations is not None:
        parts.append(_observations(observations, patients))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=_MARK_COLUMNS)
    raw = pd.concat(parts, ignore_index=True).reindex(columns=_RAW_COLUMNS)
    return _merge_same_facts(raw)


def _merge_same_facts(raw: pd.DataFrame) -> pd.DataFrame:
    raw = raw.sort_values(["kind", "key", "start"], kind="stable").reset_index(drop=True)
    gap = raw.groupby(["kind", "key"], sort=False)["start"].diff()
    within = raw["kind"].map(SAME_FACT_WITHIN)
    # A new fact starts where the key changes or the previous record of the key is too far back.
    new_fact = gap.isna() | (gap > within)
    raw["fact"] = new_fact.cumsum()
    # Most facts are recorded once: only facts with several records need the slower grouping.
    size = raw.groupby("fact")["fact"].transform("size")
    single = raw[size == 1].set_index("fact")
    single = single.assign(
        hospitals=[() if pd.isna(h) else (h,) for h in single["hospital"]],
        records=[(r,) for r in single["record"]],
        sources=[(s,) for s in single["source"]],
    )
    several = (
        raw[size > 1]
        .groupby("fact", sort=False)
        .agg(
            kind=("kind", "first"),
            code=("code", "first"),
            display=("display", "first"),
            detail=("detail", "first"),
            start=("start", "min"),
            end=("end", "max"),
            abnormal=("abnormal", "any"),
            hospitals=("hospital", lambda s: tuple(dict.fromkeys(s.dropna()))),
            records=("record", tuple),
            sources=("source", lambda s: tuple(dict.fromkeys(s))),
        )
    )
    merged = (
        pd.concat([single[_MARK_COLUMNS], several[_MARK_COLUMNS]])
        if len(several)
        else (single[_MARK_COLUMNS])
    )
    return merged.sort_values("start", kind="stable").reset_index(drop=True)[_MARK_COLUMNS]


def build_timeline(
    tables: dict[str, pd.DataFrame], patients: pd.DataFrame, now: pd.Timestamp
) -> Timeline:
    """The timeline of one person from the tables of their record at every hospital."""
    encounters = tables.get("encounter")
    if encounters is None:
        stays = pd.DataFrame(columns=_STAY_COLUMNS)
        places = pd.DataFrame(columns=_PLACE_COLUMNS)
    else:
        stays = _stays(encounters, now)
        places = _places(tables["encounter_location"], stays, tables.get("location"))
    return Timeline(stays, places, _marks(tables, patients))


def filter_timeline(
    timeline: Timeline,
    *,
    kinds: Iterable[str] | None = None,
    hospitals: Iterable[str] | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> Timeline:
    """The part of the timeline the user asked for; ``None`` keeps everything of that filter.

    Kinds are ``stay`` and ``MARK_KINDS``. A mark stays when any of its hospitals is chosen;
    stays, places and medication periods stay when they overlap the window.
    """
    kinds = set(MARK_KINDS) | {"stay"} if kinds is None else set(kinds)
    chosen = None if hospitals is None else set(hospitals)

    def in_window(first: pd.Series, last: pd.Series, running: pd.Series | None = None):
        keep = pd.Series(True, index=first.index)
        last = last.where(last.notna(), first)
        if start is not None:
            ends_after = last.isna() | (last >= start)
            keep &= ends_after if running is None else ends_after | running
        if end is not None:
            keep &= first.isna() | (first <= end)
        return keep

    stays = timeline.stays
    if "stay" not in kinds:
        stays = stays.iloc[0:0]
    if chosen is not None:
        stays = stays[stays["hospital_id"].isin(chosen)]
    stays = stays[in_window(stays["start"], stays["shown_end"])]
    places = timeline.places.merge(
        stays[["source", "encounter_id"]], on=["source", "encounter_id"], how="inner"
    )
    places = places[in_window(places["start"], places["shown_end"])]
    marks = timeline.marks[timeline.marks["kind"].isin(kinds)]
    if chosen is not None:
        marks = marks[marks["hospitals"].map(lambda hs: bool(chosen.intersection(hs)))]
    # A medication without an end is still running; other marks are points in time.
    running = marks["kind"].eq("medication") & marks["end"].isna()
    marks = marks[in_window(marks["start"], marks["end"], running)]
    return Timeline(
        stays.reset_index(drop=True), places.reset_index(drop=True), marks.reset_index(drop=True)
    )


def record_ids(timeline: Timeline) -> set[str]:
    """Every ``Type/id`` the timeline shows, stays and marks (merged marks count each record)."""
    ids = {f"Encounter/{i}" for i in timeline.stays["encounter_id"]}
    for records in timeline.marks["records"]:
        ids.update(records)
    return ids


def current_stays(
    tables: dict[str, pd.DataFrame], now: pd.Timestamp, conditions_active_only: bool = True
) -> pd.DataFrame:
    """The person's inpatient stays in progress: place now, days so far, planned discharge,
    attending physician id and the stay's active diagnoses (``code display``, one text)."""
    encounters = tables.get("encounter")
    if encounters is None or encounters.empty:
        return pd.DataFrame()
    placed = current_placements(encounters, tables["encounter_location"], now)
    if placed.empty:
        return placed
    locations = tables.get("location")
    if locations is not None and not locations.empty:
        placed = with_place_names(placed, locations)
    else:
        placed = placed.assign(ward=placed["ward_id"], room=placed["room_id"], bed=placed["bed_id"])
    conditions = tables.get("condition")
    if conditions is not None and not conditions.empty:
        active = conditions
        if conditions_active_only:
            active = conditions[conditions["clinical_status"] == "active"]
        text = (active["code"].fillna("") + " " + active["display"].fillna("")).str.strip()
        per_stay = (
            active.assign(text=text)
            .groupby(["source", "encounter_id"])["text"]
            .agg(lambda s: "; ".join(dict.fromkeys(s)))
            .rename("diagnoses")
            .reset_index()
        )
        placed = placed.merge(per_stay, on=["source", "encounter_id"], how="left")
    else:
        placed["diagnoses"] = None
    return placed.reset_index(drop=True)
