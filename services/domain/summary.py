"""The International Patient Summary (IPS) of one Patient record: assembled from the record's
frames, and read back from any IPS document (a server's ``$summary`` or ours) into one view.

A summary is per source: one Patient record of one hospital, never a merge across hospitals, so
each document says what that hospital knows. ``assemble_summary`` writes the document the way
HAPI's IPS module does (Bundle of type document, Composition first, LOINC-coded sections), from
the same rules as the safety header, the problem list and the reconciled medication; a section
without any entry gets the IPS "no information" entry (``no-allergy-info``), never an empty list
that would read as "none known". ``summary_view`` reads a document of either origin into sections
of rows, and keeps the distinction the header makes: ``known`` (entries that hold),
``none_known`` (only statements that none is known) and ``not_recorded`` (nothing said).
``document_problems`` checks the structure IPS requires without a validator (the tests also
validate both kinds against the IPS profile with HAPI, see docs/DATA_MODEL.md, "Patient summary").
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import Any

import pandas as pd

from services.codes import (
    ALLERGY_CLINICAL,
    ALLERGY_VERIFICATION,
    ATC,
    IPS_ABSENT_UNKNOWN,
    IPS_BUNDLE,
    KVNR,
    LOINC,
    NO_KNOWN_ALLERGY,
    NO_KNOWN_MEDICATION,
    NO_KNOWN_PROBLEM,
    OBSERVATION_CATEGORY,
    UCUM,
)
from services.domain.cumulative_labs import lab_results
from services.domain.medication_list import current_medication
from services.domain.problems import problem_list

__all__ = [
    "ALLERGIES",
    "MEDICATION",
    "PROBLEMS",
    "RECENT_RESULTS",
    "REQUIRED_SECTIONS",
    "RESULTS",
    "ROW_COLUMNS",
    "SECTION_STATES",
    "SummarySection",
    "SummaryView",
    "assemble_summary",
    "document_problems",
    "record_tables",
    "summary_view",
]

# LOINC codes of the IPS sections the dashboard fills; the first three are required by IPS.
ALLERGIES = "48765-2"
MEDICATION = "10160-0"
PROBLEMS = "11450-4"
RESULTS = "30954-2"
REQUIRED_SECTIONS = (ALLERGIES, MEDICATION, PROBLEMS)
SECTION_STATES = ("known", "none_known", "not_recorded")
# Newest lab values in an assembled summary: a summary, not the cumulative sheet.
RECENT_RESULTS = 20
ROW_COLUMNS = [
    "kind",
    "text",
    "code",
    "status",
    "verification",
    "criticality",
    "detail",
    "date",
    "high",
]
_DOCUMENT_TYPE = "60591-5"
_SECTION_TITLES = {
    ALLERGIES: "Allergies and Intolerances",
    PROBLEMS: "Problem List",
    MEDICATION: "Medication List",
    RESULTS: "Diagnostic Results",
}
_NO_INFO = {
    ALLERGIES: ("AllergyIntolerance", "no-allergy-info", "No information about allergies"),
    PROBLEMS: ("Condition", "no-problem-info", "No information about problems"),
    MEDICATION: ("MedicationStatement", "no-medication-info", "No information about medications"),
}
_STATED_NONE = NO_KNOWN_ALLERGY | NO_KNOWN_PROBLEM | NO_KNOWN_MEDICATION
# Entries that say nothing about the patient, and states under which an entry no longer holds.
_VOID = ("refuted", "entered-in-error")
_OVER = ("inactive", "resolved", "remission")
_CARRIES_PATIENT = "patient_id"


@dataclass(frozen=True)
class SummarySection:
    """One section: its LOINC code, the title the document gives it, its state and its rows
    (``ROW_COLUMNS``; statements that none is known are not rows, the state says them)."""

    code: str
    title: str
    state: str
    rows: pd.DataFrame


@dataclass(frozen=True)
class SummaryView:
    title: str | None
    date: pd.Timestamp | None
    authors: tuple[str, ...]
    sections: tuple[SummarySection, ...]

    def section(self, code: str) -> SummarySection | None:
        return next((s for s in self.sections if s.code == code), None)


def record_tables(
    tables: Mapping[str, pd.DataFrame], source: str, patient_id: str
) -> dict[str, pd.DataFrame]:
    """The rows of one Patient record: tables naming a patient keep that patient's rows, the
    others (locations, medications) that source's."""
    kept = {}
    for name, frame in tables.items():
        if frame is None or "source" not in frame:
            continue
        rows = frame[frame["source"].eq(source)]
        if _CARRIES_PATIENT in rows:
            rows = rows[rows[_CARRIES_PATIENT].eq(patient_id)]
        kept[name] = rows
    return kept


# ---------------------------------------------------------------------------------------------
# Assembling


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _when(value: object) -> str | None:
    if value is None or (not isinstance(value, str | date | datetime) and pd.isna(value)):
        return None
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        return None
    return stamp.isoformat() if stamp.tzinfo is not None else stamp.date().isoformat()


def _concept(system: str | None, code: object, display: object, text: object = None) -> dict:
    coding = {
        k: v
        for k, v in (("system", system), ("code", _text(code)), ("display", _text(display)))
        if v
    }
    concept: dict[str, Any] = {"coding": [coding]} if coding.get("code") else {}
    shown = _text(text) or _text(display)
    if shown:
        concept["text"] = shown
    return concept


def _status(system: str, code: object) -> dict | None:
    return {"coding": [{"system": system, "code": code}]} if _text(code) else None


def _clean(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if v not in (None, "", [], {})}


def _narrative(items: list[str]) -> dict:
    rows = "".join(f"<li>{escape(item)}</li>" for item in items) or "<li>–</li>"
    return {
        "status": "generated",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><ul>{rows}</ul></div>',
    }


class _Document:
    """Entries of the Bundle being written, each under a new ``urn:uuid`` full URL."""

    def __init__(self) -> None:
        self.entries: list[dict] = []

    def add(self, resource: dict) -> str:
        key = str(uuid.uuid4())
        resource = {"resourceType": resource["resourceType"], "id": key, **resource}
        self.entries.append({"fullUrl": f"urn:uuid:{key}", "resource": _clean(resource)})
        return f"urn:uuid:{key}"


def _allergies(rows: pd.DataFrame, patient: str) -> list[dict]:
    out = []
    for row in rows.itertuples(index=False):
        clinical = _status(ALLERGY_CLINICAL, getattr(row, "clinical_status", None))
        verification = getattr(row, "verification_status", None)
        # R4 (ait-1, ait-2): a verification status other than entered-in-error needs a clinical
        # status; an entered-in-error entry must not carry one.
        if verification == "entered-in-error":
            clinical = None
        elif clinical is None:
            verification = None
        reaction = _text(getattr(row, "reaction", None))
        out.append(
            {
                "resourceType": "AllergyIntolerance",
                "clinicalStatus": clinical,
                "verificationStatus": _status(ALLERGY_VERIFICATION, verification),
                "type": _text(getattr(row, "type", None)),
                "category": (_text(getattr(row, "category", None)) or "").split(),
                "criticality": _text(getattr(row, "criticality", None)),
                "code": _concept(row.system, row.code, row.display, row.text),
                "patient": {"reference": patient},
                "recordedDate": _when(row.recorded),
                "onsetDateTime": _when(getattr(row, "onset", None)),
                "reaction": (
                    [{"manifestation": [{"text": part} for part in reaction.split("; ")]}]
                    if reaction
                    else []
                ),
            }
        )
    return out


def _problems(rows: pd.DataFrame, patient: str) -> list[dict]:
    return [
        {
            "resourceType": "Condition",
            "clinicalStatus": _status(
                "http://terminology.hl7.org/CodeSystem/condition-clinical", "active"
            ),
            "code": _concept(None, row.code, row.display),
            "subject": {"reference": patient},
            "onsetDateTime": _when(row.onset),
            "recordedDate": _when(row.recorded),
        }
        for row in rows.itertuples(index=False)
    ]


def _medication(rows: pd.DataFrame, patient: str) -> list[dict]:
    return [
        {
            "resourceType": "MedicationStatement",
            # Only what runs now is on the reconciled list.
            "status": "active",
            "medicationCodeableConcept": _concept(ATC, row.code, row.display),
            "subject": {"reference": patient},
            "effectivePeriod": {"start": _when(row.start)} if _when(row.start) else None,
            "dosage": [{"text": row.dosage}] if _text(row.dosage) else [],
        }
        for row in rows.itertuples(index=False)
    ]


def _results(observations: pd.DataFrame | None, patient: str) -> list[dict]:
    labs = lab_results(observations)
    if labs.empty:
        return []
    newest = labs.sort_values("effective", ascending=False, kind="stable").head(RECENT_RESULTS)
    out = []
    for row in newest.itertuples(index=False):
        value: dict[str, Any] = {}
        if pd.notna(row.value):
            quantity = {"value": float(row.value)}
            if _text(row.unit):
                quantity.update(unit=row.unit, system=UCUM, code=row.unit)
            value["valueQuantity"] = quantity
        elif _text(getattr(row, "value_text", None)):
            value["valueString"] = row.value_text
        out.append(
            {
                "resourceType": "Observation",
                "status": row.status if _text(row.status) else "unknown",
                "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory"}]}],
                "code": _concept(LOINC, row.code, row.display),
                "subject": {"reference": patient},
                "effectiveDateTime": _when(row.effective),
                **value,
                "interpretation": (
                    [
                        _status(
                            "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                            row.interpretation,
                        )
                    ]
                    if _text(row.interpretation)
                    else []
                ),
            }
        )
    return out


def _no_info(section: str, patient: str) -> dict:
    kind, code, display = _NO_INFO[section]
    concept = {"coding": [{"system": IPS_ABSENT_UNKNOWN, "code": code, "display": display}]}
    if kind == "AllergyIntolerance":
        # As IPS writes it: R4 wants a clinical status of an allergy not entered in error (ait-1).
        active = {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]}
        return {
            "resourceType": kind,
            "clinicalStatus": active,
            "code": concept,
            "patient": {"reference": patient},
        }
    if kind == "Condition":
        return {"resourceType": kind, "code": concept, "subject": {"reference": patient}}
    return {
        "resourceType": kind,
        "status": "unknown",
        "medicationCodeableConcept": concept,
        "subject": {"reference": patient},
    }


def _line(resource: dict) -> str:
    for key in ("code", "medicationCodeableConcept"):
        concept = resource.get(key) or {}
        shown = concept.get("text") or next(
            (c.get("display") or c.get("code") for c in concept.get("coding", [])), None
        )
        if shown:
            break
    value = resource.get("valueQuantity")
    if value:
        shown = f"{shown}: {value['value']:g} {value.get('unit', '')}".rstrip()
    elif resource.get("valueString"):
        shown = f"{shown}: {resource['valueString']}"
    return shown or "–"


def assemble_summary(
    tables: Mapping[str, pd.DataFrame],
    patients: pd.DataFrame,
    person: Mapping[str, Any],
    now: pd.Timestamp,
    author: str,
) -> dict:
    """The IPS document of one Patient record, built from its frames.

    ``tables`` and ``patients`` hold that record only (``record_tables``); ``person`` gives
    ``name``, ``birth_date`` and ``kvnr`` (any may be missing). Allergies are the entries that
    hold as the safety header counts them (not refuted, entered in error, inactive or resolved;
    statements that none is known included),
    problems the active ones of the problem list, medication the reconciled current list, results
    the ``RECENT_RESULTS`` newest lab values.
    """
    doc = _Document()
    kvnr = _text(person.get("kvnr"))
    patient = doc.add(
        {
            "resourceType": "Patient",
            "identifier": [{"system": KVNR, "value": kvnr}] if kvnr else [],
            "name": [{"text": person["name"]}] if _text(person.get("name")) else [],
            "birthDate": _when(person.get("birth_date")),
        }
    )
    organisation = doc.add({"resourceType": "Organization", "name": author})
    allergies = tables.get("allergy_intolerance")
    if allergies is not None and not allergies.empty:
        allergies = allergies[
            ~allergies["verification_status"].isin(_VOID)
            & ~allergies["clinical_status"].isin(_OVER)
        ]
    problems = problem_list(dict(tables), patients, now).active
    sections = {
        ALLERGIES: _allergies(allergies, patient) if allergies is not None else [],
        PROBLEMS: _problems(problems, patient),
        MEDICATION: _medication(current_medication(dict(tables), patients, now), patient),
        RESULTS: _results(tables.get("observation"), patient),
    }
    composition_sections = []
    for code, resources in sections.items():
        if not resources and code not in _NO_INFO:
            continue
        resources = resources or [_no_info(code, patient)]
        composition_sections.append(
            {
                "title": _SECTION_TITLES[code],
                "code": {"coding": [{"system": LOINC, "code": code}]},
                "text": _narrative([_line(r) for r in resources]),
                "entry": [{"reference": doc.add(r)} for r in resources],
            }
        )
    stamp = now.tz_convert("UTC").isoformat() if now.tzinfo else now.isoformat()
    composition = {
        "resourceType": "Composition",
        "status": "final",
        "type": {"coding": [{"system": LOINC, "code": _DOCUMENT_TYPE}]},
        "subject": {"reference": patient},
        "date": stamp,
        "author": [{"reference": organisation}],
        "title": "Patient Summary",
        "confidentiality": "N",
        "section": composition_sections,
    }
    key = str(uuid.uuid4())
    composition_entry = {
        "fullUrl": f"urn:uuid:{key}",
        "resource": {"resourceType": "Composition", "id": key, **composition},
    }
    bundle_id = str(uuid.uuid4())
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "meta": {"profile": [IPS_BUNDLE]},
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{bundle_id}"},
        "type": "document",
        "timestamp": stamp,
        "entry": [composition_entry, *doc.entries],
    }


# ---------------------------------------------------------------------------------------------
# Reading


def _codings(concept: object) -> list[dict]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding") or [] if isinstance(c, dict)]


def _concept_text(concept: object) -> str | None:
    if not isinstance(concept, dict):
        return None
    for coding in _codings(concept):
        if _text(coding.get("display")):
            return coding["display"]
    return _text(concept.get("text")) or next(
        (c["code"] for c in _codings(concept) if _text(c.get("code"))), None
    )


def _first_code(concept: object) -> tuple[str | None, str | None]:
    for coding in _codings(concept):
        if _text(coding.get("code")):
            return coding.get("system"), coding["code"]
    return None, None


def _status_code(concept: object) -> str | None:
    return _first_code(concept)[1]


def _stamp(value: object) -> pd.Timestamp | None:
    if not _text(value):
        return None
    try:
        stamp = pd.Timestamp(value)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        return stamp.tz_localize("Europe/Berlin")
    return stamp.tz_convert("Europe/Berlin")


def _medication_concept(resource: dict, resources: Mapping[str, dict]) -> object:
    concept = resource.get("medicationCodeableConcept")
    if concept:
        return concept
    reference = (resource.get("medicationReference") or {}).get("reference")
    return (resources.get(reference) or {}).get("code")


def _value_words(resource: dict) -> str | None:
    quantity = resource.get("valueQuantity")
    if isinstance(quantity, dict) and quantity.get("value") is not None:
        unit = quantity.get("unit") or quantity.get("code") or ""
        return f"{quantity['value']:g} {unit}".rstrip()
    for key in ("valueString", "valueBoolean", "valueInteger"):
        if resource.get(key) is not None:
            return str(resource[key])
    return _concept_text(resource.get("valueCodeableConcept"))


def _row(resource: dict, resources: Mapping[str, dict]) -> dict:
    kind = resource.get("resourceType")
    concept = resource.get("code") or resource.get("vaccineCode") or resource.get("type")
    if kind and kind.startswith("Medication"):
        concept = _medication_concept(resource, resources)
    system, code = _first_code(concept)
    status = resource.get("status")
    detail = None
    when = (
        resource.get("recordedDate")
        or resource.get("onsetDateTime")
        or resource.get("effectiveDateTime")
        or (resource.get("effectivePeriod") or {}).get("start")
        or resource.get("authoredOn")
        or resource.get("occurrenceDateTime")
        or resource.get("performedDateTime")
        or resource.get("date")
    )
    verification = _status_code(resource.get("verificationStatus"))
    if kind in ("AllergyIntolerance", "Condition"):
        status = _status_code(resource.get("clinicalStatus"))
    if kind == "AllergyIntolerance":
        reactions = [
            _concept_text(m)
            for r in resource.get("reaction") or []
            for m in (r.get("manifestation") or [])
        ]
        detail = "; ".join(dict.fromkeys(r for r in reactions if r)) or None
    elif kind == "Observation":
        detail = _value_words(resource)
        flags = [_status_code(i) for i in resource.get("interpretation") or []]
        status = " ".join(f for f in flags if f) or status
    elif kind and kind.startswith("Medication"):
        dosage = resource.get("dosage") or resource.get("dosageInstruction") or []
        detail = "; ".join(d["text"] for d in dosage if _text(d.get("text"))) or None
    return {
        "kind": kind,
        "text": _concept_text(concept) or "–",
        "code": code,
        "system": system,
        "status": status,
        "verification": verification,
        "criticality": resource.get("criticality"),
        "detail": detail,
        "date": _stamp(when),
        "high": resource.get("criticality") == "high",
    }


def _state(rows: pd.DataFrame) -> str:
    """The header's rule for every section: an entry that holds makes it ``known``; only
    statements that none is known make it ``none_known``; nothing else is ``not_recorded``."""
    if rows.empty:
        return "not_recorded"
    usable = rows[~rows["verification"].isin(_VOID) & ~rows["no_info"]]
    holding = usable[~usable["stated_none"] & ~usable["status"].isin(_OVER)]
    if not holding.empty:
        return "known"
    return "none_known" if usable["stated_none"].any() else "not_recorded"


def summary_view(bundle: Mapping[str, Any]) -> SummaryView:
    """The sections of an IPS document, whoever made it, as rows to show."""
    entries = [e for e in bundle.get("entry") or [] if isinstance(e, dict)]
    resources: dict[str, dict] = {}
    for entry in entries:
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            continue
        if _text(entry.get("fullUrl")):
            resources[entry["fullUrl"]] = resource
        if resource.get("id"):
            resources[f"{resource.get('resourceType')}/{resource['id']}"] = resource
    composition = next(
        (
            e["resource"]
            for e in entries
            if isinstance(e.get("resource"), dict)
            and e["resource"].get("resourceType") == "Composition"
        ),
        {},
    )
    authors = tuple(
        name
        for a in composition.get("author") or []
        if (name := (resources.get(a.get("reference")) or {}).get("name") or a.get("display"))
    )
    sections = []
    for section in composition.get("section") or []:
        if not isinstance(section, dict):
            continue
        _, code = _first_code(section.get("code"))
        found = [
            resources[ref]
            for e in section.get("entry") or []
            if (ref := e.get("reference")) in resources
        ]
        rows = pd.DataFrame(
            [_row(r, resources) for r in found],
            columns=[*ROW_COLUMNS, "system"],
        )
        codes = rows["code"].fillna("").astype(str)
        absent = rows["system"].eq(IPS_ABSENT_UNKNOWN)
        rows["no_info"] = absent & codes.str.startswith("no-") & codes.str.endswith("-info")
        rows["stated_none"] = (absent & codes.str.startswith("no-known-")) | codes.isin(
            _STATED_NONE
        )
        state = _state(rows)
        shown = rows[~rows["no_info"] & ~rows["stated_none"]]
        sections.append(
            SummarySection(
                code=code or "",
                title=_text(section.get("title")) or code or "–",
                state=state,
                rows=shown.reset_index(drop=True)[ROW_COLUMNS],
            )
        )
    return SummaryView(
        title=_text(composition.get("title")),
        date=_stamp(composition.get("date")),
        authors=authors,
        sections=tuple(sections),
    )


def document_problems(bundle: Mapping[str, Any]) -> list[str]:
    """What keeps ``bundle`` from being an IPS document in structure: a Bundle of type document
    with identifier and timestamp, the Composition first (LOINC 60591-5, subject, date, author,
    title), the required sections each with a narrative and an entry, and every reference of the
    Composition resolved inside the Bundle. Empty when none; terminology and the IPS profile's
    other rules are not checked here."""
    problems = []
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "document":
        problems.append("not a Bundle of type document")
    for key in ("identifier", "timestamp"):
        if not bundle.get(key):
            problems.append(f"Bundle.{key} missing")
    entries = [e for e in bundle.get("entry") or [] if isinstance(e, dict)]
    full_urls = {e.get("fullUrl") for e in entries}
    by_type = {
        f"{(e.get('resource') or {}).get('resourceType')}/{(e.get('resource') or {}).get('id')}"
        for e in entries
    }
    if not entries or (entries[0].get("resource") or {}).get("resourceType") != "Composition":
        return [*problems, "the first entry is not a Composition"]
    composition = entries[0]["resource"]
    if _first_code(composition.get("type")) != (LOINC, _DOCUMENT_TYPE):
        problems.append("Composition.type is not LOINC 60591-5")
    for key in ("subject", "date", "author", "title", "status"):
        if not composition.get(key):
            problems.append(f"Composition.{key} missing")

    def resolves(reference: object) -> bool:
        return reference in full_urls or reference in by_type

    references = [composition.get("subject") or {}, *(composition.get("author") or [])]
    for reference in references:
        if not resolves(reference.get("reference")):
            problems.append(f"unresolved reference {reference.get('reference')}")
    codes = {}
    for section in composition.get("section") or []:
        codes[_first_code(section.get("code"))[1]] = section
        for entry in section.get("entry") or []:
            if not resolves(entry.get("reference")):
                problems.append(f"unresolved reference {entry.get('reference')}")
    for code in REQUIRED_SECTIONS:
        section = codes.get(code)
        if section is None:
            problems.append(f"required section {code} missing")
            continue
        if not (section.get("text") or {}).get("div"):
            problems.append(f"section {code} has no narrative")
        if not section.get("entry"):
            problems.append(f"section {code} has no entry")
    return problems
