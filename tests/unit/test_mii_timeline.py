"""The real MII exports (UKW, UKHD) through the extractors onto the timeline: every count
reconciled with the raw JSON, drugs named through their Medication, lab results inside their
report, the broad consent of the person, and no None/nan as text."""

from __future__ import annotations

import pandas as pd
import pytest

from components.timeline_chart import timeline_figure
from services.codes import ATC
from services.domain.consent import broad_consent
from services.domain.timeline import (
    RESULT_SEPARATOR,
    build_timeline,
    current_stays,
    record_ids,
    stay_ids,
    with_medication,
)
from services.frames import KINDS, Collector
from services.i18n import t
from services.patient_record import RECORD_KINDS
from tests.support.realdata import export_resources, of_kind

pytestmark = pytest.mark.unit
NOW = pd.Timestamp("2025-12-05T12:00:00+01:00").tz_convert("Europe/Berlin")
MEDICATION_KINDS = ("MedicationRequest", "MedicationAdministration", "MedicationStatement")
# Text a person must never read where a value is missing.
RAW_NULLS = {"None", "nan", "NaN", "<NA>", "NaT"}


def record_tables(resources: list[dict], source: str) -> dict[str, pd.DataFrame]:
    """The tables ``read_record`` gives: one search per kind, each medication search with the
    Medication resources its entries name (``_include``)."""
    medications = {r["id"]: r for r in of_kind(resources, "Medication")}
    parts: dict[str, list[pd.DataFrame]] = {}
    for kind in ("Patient", *RECORD_KINDS):
        batch = of_kind(resources, kind)
        if kind in MEDICATION_KINDS:
            named = {medication_ref(r) for r in batch} - {None}
            batch = batch + [medications[i] for i in sorted(named) if i in medications]
        collector = Collector(KINDS, kind, source=source)
        collector.feed(batch)
        for name, frame in collector.frames().items():
            parts.setdefault(name, []).append(frame)
    tables = {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}
    if "medication" in tables:
        tables["medication"] = tables["medication"].drop_duplicates()
    return tables


def medication_ref(resource: dict) -> str | None:
    ref = resource.get("medicationReference", {}).get("reference")
    return ref.split("/")[1] if ref else None


def atc_or_first(concept: dict) -> str | None:
    codings = concept.get("coding", [])
    atc = [c["code"] for c in codings if c.get("system") == ATC]
    return atc[0] if atc else (codings[0]["code"] if codings else None)


@pytest.fixture(scope="module", params=["ukw", "ukhd"])
def export(request):
    resources = export_resources(request.param)
    return request.param, resources, record_tables(resources, request.param)


def test_every_kind_has_one_row_per_resource(export):
    _, resources, tables = export
    for kind, table in (
        ("Patient", "patient"),
        ("Condition", "condition"),
        ("Procedure", "procedure"),
        ("MedicationRequest", "medication_request"),
        ("MedicationAdministration", "medication_administration"),
        ("DiagnosticReport", "diagnostic_report"),
        ("Consent", "consent"),
    ):
        raw = of_kind(resources, kind)
        frame = tables.get(table, pd.DataFrame(columns=["id"]))
        assert sorted(frame["id"]) == sorted(r["id"] for r in raw), kind
    named = {medication_ref(r) for r in resources} - {None}
    present = {r["id"] for r in of_kind(resources, "Medication")}
    assert set(tables.get("medication", pd.DataFrame(columns=["id"]))["id"]) == named & present


def test_drugs_named_by_a_medication_get_its_code(export):
    _, resources, tables = export
    medications = {r["id"]: r for r in of_kind(resources, "Medication")}
    checked = 0
    for kind, table in (
        ("MedicationRequest", "medication_request"),
        ("MedicationAdministration", "medication_administration"),
    ):
        raw = of_kind(resources, kind)
        if not raw:
            continue
        frame = with_medication(tables[table], tables.get("medication"))
        shown = dict(zip(frame["id"], frame["code"], strict=True))
        assert len(shown) == len(raw)
        for res in raw:
            if "medicationCodeableConcept" in res:
                expected = atc_or_first(res["medicationCodeableConcept"])
            elif medication_ref(res) in medications:
                expected = atc_or_first(medications[medication_ref(res)]["code"])
            else:
                expected = None
            code = shown[res["id"]]
            assert (None if pd.isna(code) else code) == expected, res["id"]
            checked += medication_ref(res) in medications
    assert checked, "the export names drugs by Medication resources"


def test_ukw_administrations_resolve_to_atc_codes():
    resources = export_resources("ukw")
    tables = record_tables(resources, "ukw")
    raw = of_kind(resources, "MedicationAdministration")
    medications = {r["id"]: r for r in of_kind(resources, "Medication")}
    resolved = with_medication(tables["medication_administration"], tables["medication"])
    expected = {
        r["id"]: atc_or_first(medications[medication_ref(r)]["code"])
        for r in raw
        if medication_ref(r) in medications
    }
    assert len(resolved) == len(raw) == 17
    got = {i: c for i, c in zip(resolved["id"], resolved["code"], strict=True) if pd.notna(c)}
    assert got == expected
    assert set(resolved.loc[resolved["code"].notna(), "system"]) == {ATC}


def test_the_timeline_shows_every_record_once_and_reports_hold_their_results(export):
    source, resources, tables = export
    timeline = build_timeline(tables, tables["patient"], NOW)
    shown_kinds = set(RECORD_KINDS) - {"Consent"}
    expected = {
        f"{r['resourceType']}/{r['id']}" for r in resources if r["resourceType"] in shown_kinds
    }
    assert record_ids(timeline) == expected
    # Once each: the UKW export gives two different Observations one id, and both are shown.
    listed = [r for rs in timeline.marks["records"] for r in rs]
    raw = [f"{r['resourceType']}/{r['id']}" for r in resources if r["resourceType"] in shown_kinds]
    assert sorted(listed) == sorted(r for r in raw if not r.startswith("Encounter/"))
    observations = {r["id"] for r in of_kind(resources, "Observation")}
    reports = timeline.marks[timeline.marks["kind"] == "report"]
    raw_reports = of_kind(resources, "DiagnosticReport")
    assert sum(
        len([r for r in rs if r.startswith("DiagnosticReport/")]) for rs in reports["records"]
    ) == len(raw_reports)
    for report in raw_reports:
        results = [r["reference"] for r in report.get("result", [])]
        mark = reports[
            reports["records"].map(lambda rs, i=report["id"]: f"DiagnosticReport/{i}" in rs)
        ]
        assert len(mark) == 1
        found = [r for r in results if r.split("/")[1] in observations]
        assert list(mark.iloc[0]["records"][1:]) == found
        assert len(mark.iloc[0]["detail"].split(RESULT_SEPARATOR)) == len(found)
    # A result shown inside its report is no mark of its own.
    alone = timeline.marks[timeline.marks["kind"] == "observation"]
    inside = {r for rs in reports["records"] for r in rs[1:]}
    assert not inside & {r for rs in alone["records"] for r in rs}
    assert source in set(timeline.stays["source"]) or not of_kind(resources, "Encounter")


def test_no_text_on_the_timeline_reads_none_or_nan(export):
    _, resources, tables = export
    timeline = build_timeline(tables, tables["patient"], NOW)
    marks = timeline.marks
    for column in ("code", "display", "detail"):
        texts = marks[column].dropna()
        assert not texts.isin(RAW_NULLS).any(), column
        assert not texts.str.contains(r"\b(?:nan|None|NaT)\b").any(), column
    # Every observation with a value, numeric or not, shows it.
    valued = {
        f"Observation/{r['id']}"
        for r in of_kind(resources, "Observation")
        if any(k.startswith("value") for k in r)
    }
    with_detail = {
        rec
        for rs, d in zip(marks["records"], marks["detail"], strict=True)
        if pd.notna(d)
        for rec in rs
    }
    assert valued <= with_detail
    figure = timeline_figure(timeline, {}, lambda key, **v: t(key, "de", **v), "de")
    hovers = [h for trace in figure.data for h in (trace.hovertext or ())]
    assert hovers
    assert not any(word in h.split() for h in hovers for word in RAW_NULLS)


def test_broad_consent_is_the_latest_document_in_force():
    """Per person (each export's Patients are different persons): the latest active broad consent
    document, found here straight from the JSON."""
    checked = 0
    for source in ("ukw", "ukhd"):
        resources = export_resources(source)
        for patient in of_kind(resources, "Patient"):
            own = [
                r
                for r in resources
                if (r["resourceType"] == "Patient" and r["id"] == patient["id"])
                or (
                    r["resourceType"] == "Consent"
                    and r["patient"]["reference"] == f"Patient/{patient['id']}"
                )
            ]
            tables = record_tables(own, source)
            rows = broad_consent(tables.get("consent"), tables["patient"])
            mine = [
                c
                for c in of_kind(own, "Consent")
                if c["status"] == "active"
                and any(p["uri"].rsplit(".", 1)[1] in ("2079", "3542") for p in c["policy"])
            ]
            if not mine:
                assert rows.empty
                continue
            latest = max(mine, key=lambda c: (c["dateTime"], c["meta"]["lastUpdated"]))
            assert rows["consent_id"].tolist() == [latest["id"]]
            types = {p["type"] for p in latest["provision"].get("provision", [])}
            state = {frozenset({"permit"}): "given", frozenset({"deny"}): "denied"}.get(
                frozenset(types), "partial"
            )
            assert rows["state"].tolist() == [state]
            assert rows["version"].tolist() == ["1.7.2"]
            signed = pd.Timestamp(latest["dateTime"])
            # A date without a time is read as UTC midnight (docs/FRAMES.md).
            signed = signed if signed.tzinfo else signed.tz_localize("UTC")
            assert rows.iloc[0]["date"] == signed.tz_convert("Europe/Berlin")
            checked += 1
    # UKW's patient and two of UKHD's have a broad consent.
    assert checked == 3


def test_consent_states_from_status_and_document():
    def row(**values):
        base = {
            "source": "S",
            "id": "c",
            "patient_id": "p",
            "status": "active",
            "scope": "research",
            "category": None,
            "date": pd.Timestamp("2024-01-01", tz="Europe/Berlin"),
            "policy": "urn:oid:2.16.840.1.113883.3.1937.777.24.2.2079",
            "provision_type": "deny",
            "provisions": "permit",
            "last_updated": pd.Timestamp("2024-01-02", tz="Europe/Berlin"),
        }
        return base | values

    patients = pd.DataFrame([{"source": "S", "id": "p", "hospital_id": "h"}])
    cases = [
        ({}, "given"),
        ({"provisions": "deny permit"}, "partial"),
        ({"provisions": "deny"}, "denied"),
        ({"policy": "urn:oid:2.16.840.1.113883.3.1937.777.24.2.4054"}, "denied"),
        ({"policy": "urn:oid:2.16.840.1.113883.3.1937.777.24.2.2722"}, "withdrawn"),
        ({"status": "inactive"}, "inactive"),
    ]
    for values, state in cases:
        frame = pd.DataFrame([row(**values)])
        assert broad_consent(frame, patients)["state"].tolist() == [state], values
    # Superseded versions, additional modules alone and other consents say nothing.
    for values in (
        {"status": "rejected"},
        {"status": "entered-in-error"},
        {"policy": "urn:oid:2.16.840.1.113883.3.1937.777.24.2.4031"},
        {"policy": "http://example.org/privacy-policy"},
        {"policy": None},
    ):
        assert broad_consent(pd.DataFrame([row(**values)]), patients).empty, values
    # The later document wins: a withdrawal after the consent.
    later = row(
        id="w",
        policy="urn:oid:2.16.840.1.113883.3.1937.777.24.2.2722",
        date=pd.Timestamp("2025-01-01", tz="Europe/Berlin"),
    )
    both = pd.DataFrame([row(), later])
    assert broad_consent(both, patients)[["consent_id", "state"]].values.tolist() == [
        ["w", "withdrawn"]
    ]


def test_stays_of_contacts_go_through_the_contact_table():
    frame = pd.DataFrame({"source": ["S", "S", "T"], "encounter_id": ["dept-1", "fac-1", "dept-1"]})
    assert stay_ids(frame).tolist() == ["dept-1", "fac-1", "dept-1"]
    contacts = pd.DataFrame(
        {
            "source": ["S"],
            "encounter_id": ["dept-1"],
            "stay_id": ["fac-1"],
            "level": ["abteilungskontakt"],
        }
    )
    assert stay_ids(frame, contacts).tolist() == ["fac-1", "fac-1", "dept-1"]


def test_current_stay_lists_diagnoses_of_every_contact_of_the_stay():
    resources = [
        {"resourceType": "Patient", "id": "p"},
        {
            "resourceType": "Encounter",
            "id": "fac",
            "status": "in-progress",
            "class": {"code": "IMP"},
            "subject": {"reference": "Patient/p"},
            "period": {"start": "2025-12-01T08:00:00+01:00"},
            "location": [
                {
                    "location": {"reference": "Location/w"},
                    "status": "active",
                    "physicalType": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
                                "code": "wa",
                            }
                        ]
                    },
                    "period": {"start": "2025-12-01T08:00:00+01:00"},
                }
            ],
        },
        {
            "resourceType": "Condition",
            "id": "c",
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "code": {
                "coding": [{"system": "http://fhir.de/CodeSystem/bfarm/icd-10-gm", "code": "I10"}]
            },
            "subject": {"reference": "Patient/p"},
            "encounter": {"reference": "Encounter/dept"},
        },
    ]
    tables = record_tables(resources, "S")
    assert current_stays(tables, NOW)["diagnoses"].isna().all()
    tables["encounter_contact"] = pd.DataFrame(
        {
            "source": ["S"],
            "encounter_id": ["dept"],
            "stay_id": ["fac"],
            "level": ["abteilungskontakt"],
        }
    )
    assert current_stays(tables, NOW)["diagnoses"].tolist() == ["I10"]


def test_a_record_with_empty_tables_of_every_kind_builds_a_timeline():
    """What ``read_record`` gives for a person with one diagnosis: every other kind's table
    present and empty."""
    condition = {
        "resourceType": "Condition",
        "id": "c",
        "code": {
            "coding": [{"system": "http://fhir.de/CodeSystem/bfarm/icd-10-gm", "code": "I10"}]
        },
        "subject": {"reference": "Patient/p"},
        "recordedDate": "2025-12-01",
    }
    tables = record_tables([{"resourceType": "Patient", "id": "p"}, condition], "S")
    assert tables["observation"].empty and tables["diagnostic_report"].empty
    timeline = build_timeline(tables, tables["patient"], NOW)
    assert timeline.marks["records"].tolist() == [("Condition/c",)]
