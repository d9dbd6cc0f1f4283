"""One person's record across hospitals as a timeline: stays, places, and marks for facts.

Input are the tables of ``services.patient_record.read_record`` (every table has ``source``);
output are three frames a figure or a table can draw directly:

- ``stays``: one row per contact (inpatient, emergency, outpatient) with its hospital;
- ``places``: the ward, room and bed periods inside the stays;
- ``marks``: one row per fact (diagnosis, procedure, medication period or administration, order,
  lab report with its results, observation, letter or report). The same fact recorded at two
  hospitals, or twice, is one mark that lists every hospital and record.

Medication comes as orders (MedicationRequest), administrations (MedicationAdministration) and
statements (MedicationStatement); where an entry names a ``Medication`` resource instead of coding
the drug itself (MII), the drug's code and name come from that resource. An Observation listed
as a result of a DiagnosticReport is shown inside the report's mark, not as a mark of its own.

"The same fact" is the same kind and code (and value, for observations) recorded close together
in time; how close depends on the kind (``SAME_FACT_WITHIN``). A chronic diagnosis carried from
one hospital to the next within weeks is one fact; a lab value is the same only within the hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from services.catalogue import CATALOGUE
from services.config import StaleStays
from services.domain.stays import current_placements, with_place_names
from services.frames.contacts import stay_of
from services.i18n import t
from services.lab_labels import analyte_labels, display_unit, shown_value

__all__ = [
    "ABNORMAL_FLAGS",
    "MARK_KINDS",
    "RESULT_SEPARATOR",
    "SAME_FACT_WITHIN",
    "Timeline",
    "build_timeline",
    "current_stays",
    "filter_timeline",
    "hospital_of",
    "record_ids",
    "status_words",
    "stay_ids",
    "with_medication",
]

MARK_KINDS = (
    "condition",
    "procedure",
    "medication",
    "order",
    "report",
    "observation",
    "document",
)
RESOURCE_OF_KIND = {
    "stay": "Encounter",
    "condition": "Condition",
    "procedure": "Procedure",
    "medication": "MedicationRequest",
    "order": "ServiceRequest",
    "report": "DiagnosticReport",
    "observation": "Observation",
    "document": "DocumentReference",
}
SAME_FACT_WITHIN = {
    "condition": pd.Timedelta(days=30),
    "procedure": pd.Timedelta(days=1),
    "medication": pd.Timedelta(days=1),
    "order": pd.Timedelta(hours=1),
    "report": pd.Timedelta(hours=1),
    "observation": pd.Timedelta(hours=1),
    "document": pd.Timedelta(0),
}
# Between the results of one lab report in a mark's detail.
RESULT_SEPARATOR = "; "
# Medication tables and the resource each row comes from.
_MEDICATION_TABLES = {
    "medication_request": "MedicationRequest",
    "medication_administration": "MedicationAdministration",
    "medication_statement": "MedicationStatement",
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
    "merged",
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


def stay_ids(frame: pd.DataFrame, contacts: pd.DataFrame | None = None) -> pd.Series:
    """The stay of each row's ``(source, encounter_id)``.

    ``contacts`` maps every contact of a stay to the stay (table ``encounter_contact``: source,
    encounter_id, stay_id); without it, or for a contact it does not list, an Encounter is its
    own stay. Every figure that groups by stay goes through here.
    """
    if contacts is None or contacts.empty or frame.empty:
        return frame["encounter_id"]
    lookup = contacts.drop_duplicates(["source", "encounter_id"]).set_index(
        ["source", "encounter_id"]
    )["stay_id"]
    keys = pd.MultiIndex.from_arrays([frame["source"], frame["encounter_id"]])
    found = pd.Series(lookup.reindex(keys).to_numpy(), index=frame.index, dtype="str")
    return found.where(found.notna(), frame["encounter_id"])


def with_medication(uses: pd.DataFrame, medications: pd.DataFrame | None) -> pd.DataFrame:
    """Medication rows with the drug's ``system``, ``code`` and ``display`` taken from the
    Medication resource they name (same source) where they do not code the drug themselves."""
    if medications is None or medications.empty or uses["medication_id"].isna().all():
        return uses
    named = medications.drop_duplicates(["source", "id"]).set_index(["source", "id"])
    keys = pd.MultiIndex.from_arrays([uses["source"], uses["medication_id"]])
    out = uses.copy()
    own = out["code"].notna() | out["display"].notna()
    for column in ("system", "code", "display"):
        found = pd.Series(named[column].reindex(keys).to_numpy(), index=out.index, dtype="str")
        out[column] = out[column].where(own, found)
    return out


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
    resource: str | None = None,
    records: pd.Series | None = None,
) -> pd.DataFrame:
    """Rows of one kind in the common shape, before same facts are merged.

    ``records`` are the ``Type/id`` tuples a row stands for; by default the row's own resource.
    """
    index = frame.index
    if records is None:
        own = f"{resource or RESOURCE_OF_KIND[kind]}/" + frame["id"]
        records = pd.Series([(r,) for r in own], index=index, dtype="object")
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
            "record": records,
            "source": frame["source"],
        },
        index=index,
    )


def status_words(statuses: pd.Series, resource: str, lang: str | None) -> pd.Series:
    """FHIR statuses of ``resource`` (``condition``, ``event``, ``request``, ``statement``,
    ``observation``, ``encounter``: the catalogue's ``status.<resource>.<code>``) in ``lang``;
    unchanged without ``lang`` or for a code the catalogue does not know."""
    if lang is None:
        return statuses

    def one(code: object) -> object:
        key = f"status.{resource}.{code}"
        return t(key, lang) if isinstance(code, str) and key in CATALOGUE else code

    return statuses.map(one)


def _observation_rows(observations: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """One row per Observation with its value as text (``values``, ``detail``): panels (blood
    pressure) join their component values; a coded or text value is shown as written. With
    ``lang``, names are the short labels of ``services.lab_labels`` and units as a ward writes
    them."""
    keep = ["source", "id", "patient_id", "effective", "code", "panel_code", "display"]
    keep += ["values", "unit", "abnormal"]
    if observations.empty:
        return pd.DataFrame(columns=[*keep, "detail"])
    obs = observations.copy()
    number = obs["value"].map(
        lambda v: "" if pd.isna(v) else f"{v:g}" if lang is None else shown_value(v, lang)
    )
    obs["shown"] = number.where(number != "", obs["value_text"].fillna(""))
    obs["flag"] = obs["interpretation"].isin(ABNORMAL_FLAGS)
    obs["values"] = obs["shown"]
    obs["abnormal"] = obs["flag"]
    panels = obs["panel_code"].notna()
    joined = (
        obs[panels]
        .groupby(["source", "id"], sort=False)
        .agg(
            patient_id=("patient_id", "first"),
            effective=("effective", "first"),
            code=("code", "first"),
            panel_code=("panel_code", "first"),
            display=("display", lambda s: " / ".join(s.dropna().astype(str))),
            values=("shown", lambda s: "/".join(s)),
            unit=("unit", "first"),
            abnormal=("flag", "any"),
        )
        .reset_index()
    )
    one = pd.concat([obs.loc[~panels, keep], joined[keep]], ignore_index=True)
    one["code"] = one["panel_code"].where(one["panel_code"].notna(), one["code"])
    unit = one["unit"]
    if lang is not None:
        one["display"] = analyte_labels(one["code"], one["display"], lang)
        unit = unit.map(display_unit)
    detail = (one["values"] + " " + unit.fillna("")).str.strip()
    one["detail"] = detail.where(detail != "")
    return one


def _observations(one: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    return _raw(
        "observation",
        one,
        patients,
        start=one["effective"],
        detail=one["detail"],
        key=one["code"].fillna(one["display"]) + "=" + one["detail"].fillna(""),
        abnormal=one["abnormal"],
    )


def _reports(
    reports: pd.DataFrame,
    results: pd.DataFrame | None,
    one: pd.DataFrame,
    patients: pd.DataFrame,
) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """Report marks listing their results, and the ``(source, id)`` of the Observations shown
    inside them."""
    if results is None or results.empty or one.empty:
        listed = pd.DataFrame(columns=["source", "report_id", "id", "text", "abnormal", "n"])
    else:
        found = one.assign(
            text=one["display"].fillna(one["code"]).fillna("") + (": " + one["detail"]).fillna("")
        )
        listed = results.assign(n=range(len(results))).merge(
            found[["source", "id", "text", "abnormal"]],
            left_on=["source", "observation_id"],
            right_on=["source", "id"],
            how="inner",
        )
    listed = listed.sort_values("n", kind="stable")
    per_report = listed.groupby(["source", "report_id"], sort=False).agg(
        text=("text", lambda s: RESULT_SEPARATOR.join(s)),
        abnormal=("abnormal", "any"),
        ids=("id", tuple),
    )
    keys = pd.MultiIndex.from_arrays([reports["source"], reports["id"]])
    per = per_report.reindex(keys)
    detail = pd.Series(per["text"].to_numpy(), index=reports.index, dtype="object")
    abnormal = pd.Series(per["abnormal"].to_numpy(), index=reports.index).fillna(False)
    records = pd.Series(
        [
            (f"DiagnosticReport/{rid}", *(f"Observation/{o}" for o in ids))
            if isinstance(ids, tuple)
            else (f"DiagnosticReport/{rid}",)
            for rid, ids in zip(reports["id"], per["ids"], strict=True)
        ],
        index=reports.index,
        dtype="object",
    )
    raw = _raw(
        "report",
        reports,
        patients,
        start=reports["effective"].fillna(reports["issued"]),
        detail=detail,
        key=reports["code"].fillna(reports["display"]) + "=" + detail.fillna(""),
        abnormal=abnormal.astype(bool),
        records=records,
    )
    shown = set(zip(listed["source"], listed["id"], strict=True))
    return raw, shown


_MEDICATION_STATUS = {
    "medication_request": "request",
    "medication_administration": "event",
    "medication_statement": "statement",
}


def _medication_marks(
    tables: dict[str, pd.DataFrame], patients: pd.DataFrame, lang: str | None = None
) -> list:
    parts = []
    for table, resource in _MEDICATION_TABLES.items():
        frame = tables.get(table)
        if frame is None:
            continue
        frame = with_medication(frame, tables.get("medication"))
        if table == "medication_request":
            start = frame["start"].fillna(frame["authored_on"])
            end = frame["end"]
        else:
            start = frame["start"]
            # An administration is a moment; a statement without end is taken until now.
            end = (
                frame["end"].fillna(start) if resource.endswith("Administration") else frame["end"]
            )
        parts.append(
            _raw(
                "medication",
                frame,
                patients,
                start=start,
                end=end,
                detail=_with_status(frame["dosage"], frame["status"], table, lang),
                resource=resource,
            )
        )
    return parts


def _with_status(dosage: pd.Series, status: pd.Series, table: str, lang: str | None) -> pd.Series:
    """The dosage, and with ``lang`` the order's status in words after it."""
    if lang is None:
        return dosage
    words = status_words(status, _MEDICATION_STATUS[table], lang)
    both = dosage.fillna("") + " (" + words + ")"
    return both.str.removeprefix(" ").where(words.notna(), dosage)


def _documents(documents: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """One mark per document, named by its title, with its type as detail; keyed by its own id
    so that no two documents merge."""
    kept = documents[documents["status"].ne("entered-in-error")]
    type_name = kept["type_text"].fillna(kept["display"])
    named = kept.assign(display=kept["title"].fillna(type_name))
    return _raw(
        "document",
        named,
        patients,
        start=kept["date"].fillna(kept["period_end"]),
        detail=type_name,
        key="DocumentReference/" + kept["id"],
    )


def _marks(
    tables: dict[str, pd.DataFrame], patients: pd.DataFrame, lang: str | None = None
) -> pd.DataFrame:
    parts = []
    conditions = tables.get("condition")
    if conditions is not None:
        parts.append(
            _raw(
                "condition",
                conditions,
                patients,
                start=conditions["recorded"].fillna(conditions["onset"]),
                detail=status_words(conditions["clinical_status"], "condition", lang),
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
                detail=status_words(procedures["status"], "event", lang),
            )
        )
    parts += _medication_marks(tables, patients, lang)
    orders = tables.get("service_request")
    if orders is not None:
        parts.append(
            _raw(
                "order",
                orders,
                patients,
                start=orders["occurrence"].fillna(orders["authored_on"]),
                detail=status_words(orders["status"], "request", lang),
            )
        )
    observations = tables.get("observation")
    one = _observation_rows(observations, lang) if observations is not None else None
    reports = tables.get("diagnostic_report")
    in_reports: set[tuple[str, str]] = set()
    if reports is not None and not reports.empty:
        empty = pd.DataFrame(columns=["source", "id", "code", "display", "detail", "abnormal"])
        report_marks, in_reports = _reports(
            reports,
            tables.get("diagnostic_report_result"),
            one if one is not None else empty,
            patients,
        )
        parts.append(report_marks)
    if one is not None and not one.empty:
        alone = [pair not in in_reports for pair in zip(one["source"], one["id"], strict=True)]
        parts.append(_observations(one[alone], patients))
    documents = tables.get("document_reference")
    if documents is not None and not documents.empty:
        parts.append(_documents(documents, patients))
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
        records=single["record"],
        sources=[(s,) for s in single["source"]],
        merged=1,
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
            records=("record", lambda s: tuple(r for rs in s for r in rs)),
            sources=("source", lambda s: tuple(dict.fromkeys(s))),
            merged=("record", "size"),
        )
    )
    merged = (
        pd.concat([single[_MARK_COLUMNS], several[_MARK_COLUMNS]])
        if len(several)
        else (single[_MARK_COLUMNS])
    )
    return merged.sort_values("start", kind="stable").reset_index(drop=True)[_MARK_COLUMNS]


def build_timeline(
    tables: dict[str, pd.DataFrame],
    patients: pd.DataFrame,
    now: pd.Timestamp,
    lang: str | None = None,
) -> Timeline:
    """The timeline of one person from the tables of their record at every hospital.

    With ``lang`` the marks read as a physician reads them: observation names and units
    (``services.lab_labels``) and statuses in words; without, as the sources sent them."""
    encounters = tables.get("encounter")
    if encounters is None:
        stays = pd.DataFrame(columns=_STAY_COLUMNS)
        places = pd.DataFrame(columns=_PLACE_COLUMNS)
    else:
        stays = _stays(encounters, now)
        places = _places(tables["encounter_location"], stays, tables.get("location"))
    return Timeline(stays, places, _marks(tables, patients, lang))


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
    tables: dict[str, pd.DataFrame],
    now: pd.Timestamp,
    conditions_active_only: bool = True,
    rule: StaleStays | None = None,
) -> pd.DataFrame:
    """The person's inpatient stays in progress: place now, days so far, planned discharge,
    attending physician id and the stay's active diagnoses (``code display``, one text).

    A stay the source left open longer than ``rule`` allows is no current stay, as on every
    other page (``services.domain.stays.current_placements``)."""
    encounters = tables.get("encounter")
    if encounters is None or encounters.empty:
        return pd.DataFrame()
    placed = current_placements(encounters, tables["encounter_location"], now, rule)
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
        contacts = tables.get("encounter_contact")
        text = (active["code"].fillna("") + " " + active["display"].fillna("")).str.strip()
        contacts = tables.get("encounter_contact")
        if contacts is not None and not contacts.empty:
            # MII diagnoses point at the Abteilungskontakt; the stay is its Einrichtungskontakt.
            active = active.assign(encounter_id=stay_of(active, contacts))
        per_stay = (
            active.assign(text=text, stay_id=stay_ids(active, contacts))
            .groupby(["source", "stay_id"])["text"]
            .agg(lambda s: "; ".join(dict.fromkeys(s)))
            .rename("diagnoses")
            .reset_index()
        )
        placed = (
            placed.assign(stay_id=stay_ids(placed, contacts))
            .merge(per_stay, on=["source", "stay_id"], how="left")
            .drop(columns="stay_id")
        )
    else:
        placed["diagnoses"] = None
    return placed.reset_index(drop=True)
