"""The "Datenqualität" page on the real exports, for a manager and an administrator (AppTest)."""

from __future__ import annotations

import json

import pytest

from services.roles import Role, User
from tests.support.apptest import open_page, texts

pytestmark = pytest.mark.realdata

PAGE = "pages/data_quality.py"
MANAGER = User("dq.manager", "Data Manager", Role.MANAGER)
ADMIN = User("dq.admin", "Data Admin", Role.ADMIN)


def _table(at) -> list[dict]:
    return [row for frame in at.dataframe for row in frame.value.to_dict("records")]


@pytest.mark.parametrize("user", [MANAGER, ADMIN], ids=["manager", "admin"])
def test_the_page_lists_findings_per_source_without_raw_values(real_app, user):
    at = open_page(PAGE, user)
    assert not at.exception
    said = texts(at)
    assert "Datenqualität" in said
    assert {"UKHD", "UKW"} <= {h.value for h in at.subheader}
    rows = _table(at)
    checks = {row["Prüfung"] for row in rows}
    assert "Offene Aufenthalte älter als die Grenze" in checks
    assert "Verweise ins Leere (im Gelesenen)" in checks
    shown = said + json.dumps(rows, default=str)
    for raw in ("None", "nan", "NaT", "<NA>"):
        assert raw not in shown


def test_managers_see_counts_but_no_patient_or_stay_ids(real_app, realdata):
    rows = _table(open_page(PAGE, MANAGER))
    examples = " ".join(row["Beispiele"] for row in rows)
    for kind in ("Patient/", "Encounter/", "Condition/", "MedicationRequest/"):
        assert kind not in examples
    patient_ids = {
        r["id"] for s in ("UKHD", "UKW") for r in realdata.raw(s) if r["resourceType"] == "Patient"
    }
    assert not [p for p in patient_ids if p in examples]
    unresolved = [r for r in rows if r["Detail"] == "medication_request.encounter_id"]
    assert [r["Anzahl"] for r in unresolved] == ["26"]


def test_admins_see_example_ids(real_app):
    rows = _table(open_page(PAGE, ADMIN, lang="en"))
    stale = [r for r in rows if r["Check"] == "Open stays older than the limit"]
    assert len(stale) == 2
    assert all(r["Examples"].startswith("Encounter/") for r in stale)


def test_other_roles_are_refused(real_app):
    at = open_page(PAGE, User("dq.nurse", "Nurse", Role.NURSE))
    assert not at.exception
    assert not at.dataframe
    assert "Nicht berechtigt" in texts(at)
