"""Data-quality checks over the tables: counts, examples, the stale limit, what managers see."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from services.config import StaleStays
from services.domain.data_quality import (
    for_role,
    open_stays_too_old,
    partial_dates,
    patients_without_identifier,
    quality_report,
    repaired_resources,
    stays_without_ward,
    unknown_code_systems,
    unresolved_references,
)
from services.frames import KINDS, Collector
from tests.support.frames import frames

pytestmark = pytest.mark.unit

NOW = pd.Timestamp("2026-03-01T12:00:00", tz="Europe/Berlin")


def _enc(enc_id, status="finished", start="2026-02-01", end=None, klass="IMP", ward=None, **kw):
    resource = {
        "resourceType": "Encounter",
        "id": enc_id,
        "status": status,
        "class": {"code": klass},
        "subject": {"reference": kw.get("patient", "Patient/p1")},
        "period": {"start": f"{start}T08:00:00+01:00"},
    }
    if end:
        resource["period"]["end"] = f"{end}T08:00:00+01:00"
    if ward:
        resource["location"] = [{"location": {"reference": f"Location/{ward}"}}]
    return resource


def _encounters(resources):
    return frames(resources, "Encounter")


def test_open_stays_older_than_the_limit_are_counted_with_examples():
    resources = [_enc(f"f{n}", start="2026-01-01", end="2026-01-11") for n in range(5)]
    resources += [
        _enc("old1", status="in-progress", start="2025-01-01"),
        _enc("old2", status="in-progress", start="2025-06-01"),
        _enc("new", status="in-progress", start="2026-02-27"),
        _enc("void", status="entered-in-error", start="2024-01-01"),
        _enc("amb", status="in-progress", start="2024-01-01", klass="AMB"),
    ]
    rule = StaleStays(min_finished=5, min_days=1)
    report = open_stays_too_old(_encounters(resources)["encounter"], NOW, rule)
    row = report.iloc[0]
    assert (row["source"], row["count"], row["detail"]) == ("S", 2, "10")
    assert row["examples"] == ("Encounter/old1", "Encounter/old2")


def test_stays_without_ward_and_unresolved_references():
    tables = _encounters(
        [_enc("e1", ward="w1"), _enc("e2"), _enc("e3", klass="AMB"), _enc("e4", ward="gone")]
    )
    tables["location"] = frames(
        [{"resourceType": "Location", "id": "w1", "name": "Station 1"}], "Location"
    )["location"]
    tables["patient"] = frames([{"resourceType": "Patient", "id": "p1"}], "Patient")["patient"]
    no_ward = stays_without_ward(tables["encounter"], tables["encounter_location"]).iloc[0]
    assert (no_ward["count"], no_ward["examples"]) == (1, ("Encounter/e2",))
    unresolved = unresolved_references(tables)
    assert unresolved[["detail", "count"]].values.tolist() == [
        ["encounter_location.location_id", 1]
    ]
    assert unresolved.iloc[0]["examples"] == ("Encounter/e4",)


def test_patients_without_identifier_and_unknown_code_systems():
    patients = frames(
        [
            {"resourceType": "Patient", "id": "p1"},
            {
                "resourceType": "Patient",
                "id": "p2",
                "identifier": [{"system": "http://fhir.de/sid/gkv/kvid-10", "value": "A123456789"}],
            },
        ],
        "Patient",
    )["patient"]
    row = patients_without_identifier(patients).iloc[0]
    assert (row["count"], row["examples"]) == (1, ("Patient/p1",))
    conditions = frames(
        [
            {
                "resourceType": "Condition",
                "id": f"c{n}",
                "code": {"coding": [{"system": system, "code": "X"}]},
            }
            for n, system in enumerate(
                ["http://fhir.de/CodeSystem/bfarm/icd-10-gm", "urn:local", "urn:local"]
            )
        ],
        "Condition",
    )
    unknown = unknown_code_systems(conditions)
    assert unknown[["detail", "count"]].values.tolist() == [["urn:local", 2]]


def test_partial_dates_and_repairs_come_from_the_extractors_counters():
    collector = Collector(KINDS, "Patient", source="S")
    collector.feed(
        [
            {"resourceType": "Patient", "id": "p1", "birthDate": "1954-02"},
            {"resourceType": "Patient", "id": "p2", "birthDate": "1954"},
            {"resourceType": "Patient", "id": "p3", "birthDate": "yesterday"},
        ]
    )
    assert collector.frames()["patient"]["birth_date"].notna().sum() == 2
    warnings = {"S": collector.warnings}
    assert partial_dates(warnings)[["detail", "count"]].values.tolist() == [["birth_date", 2]]
    assert repaired_resources(warnings)[["detail", "count"]].values.tolist() == [
        ["bad_birth_date", 1]
    ]


def test_managers_see_no_patient_or_stay_ids():
    tables = _encounters([_enc("e1", status="in-progress", start="2020-01-01", ward="w1")])
    tables["patient"] = frames([{"resourceType": "Patient", "id": "p9"}], "Patient")["patient"]
    tables["location"] = frames(
        [{"resourceType": "Location", "id": "w1", "partOf": {"reference": "Location/site"}}],
        "Location",
    )["location"]
    report = quality_report(tables, {"S": Counter()}, NOW)
    admin = report.set_index("detail")["examples"]
    manager = for_role(report, "manager").set_index("detail")["examples"]
    assert admin["encounter.patient_id"] == ("Encounter/e1",)
    assert manager["encounter.patient_id"] == ()
    assert manager["location.part_of"] == admin["location.part_of"] == ("Location/w1",)
    flat = [e for examples in for_role(report, "manager")["examples"] for e in examples]
    assert flat == ["Location/w1"]
    checks = set(for_role(report, "admin")["check"])
    assert {"open_stays_too_old", "patients_without_identifier"} <= checks
