"""Bed turnaround on the test server with AppTest: a nurse completes a cleaning task and the bed
is free on the server (both writes audited, and taken back together); the capacity page's
turnaround per ward against the ground truth; isolation on the task list and the handover."""

from __future__ import annotations

import statistics
from datetime import timedelta

import pandas as pd
import pytest
import streamlit as st

from services import queries
from services.bed_writes import free_after_cleaning
from services.codes import FLAG_CATEGORY, ISOLATION
from services.domain.census import midnight
from services.frames import with_hierarchy
from services.i18n import fmt_number, t
from services.search import query
from tests.support.apptest import as_of_caption, open_page, texts

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]


@pytest.fixture(autouse=True)
def fresh_reads():
    st.cache_data.clear()


def audited(platform, reference: str) -> int:
    read = platform.read(query("AuditEvent").search(entity=reference), no_cache=True)
    return int((read["audit_event"]["action"] == "U").sum())


@pytest.fixture
def discharged_bed(platform, test_network, users, restore_tasks):
    """A free bed of the demo nurse's ward as the KIS leaves it after a discharge: in
    housekeeping (H) with an open cleaning task for the ward. The generated network's own
    cleaning task of that ward is reused (so the task's stay touched the ward) and put back,
    with the bed, afterwards."""
    ward_id = users["pflege.demo"].wards[0]
    http = platform.http()
    locations = with_hierarchy(platform.read(queries.locations(), no_cache=True)["location"])
    # Any bed without a patient will do (put back afterwards): whether the ward has a free one
    # depends on the hour the network was generated for.
    preference = {"U": 0, "H": 1, "K": 2}
    beds = locations[
        (locations["ward_id"] == ward_id)
        & (locations["physical_type"] == "bd")
        & (locations["operational_status"] != "O")
        & locations["reserved_for"].isna()
    ].sort_values("operational_status", key=lambda s: s.map(preference).fillna(3))
    assert not beds.empty, "the ward has a bed without a patient"
    bed_id = beds["id"].iloc[0]
    cleanings = platform.read(
        query("Task").search(
            code="https://fhir.medicus-bw.de/CodeSystem/pflegeaufgabe|bettenreinigung"
        ),
        no_cache=True,
    )["task"]
    mine = cleanings[cleanings["ward_id"] == ward_id]
    assert not mine.empty, "the generated network cleaned beds of this ward"
    task_id = mine["id"].iloc[0]
    original = restore_tasks(task_id)
    bed = http.get_json(f"Location/{bed_id}")
    waiting = {
        k: v for k, v in original.items() if k not in ("meta", "owner", "executionPeriod", "note")
    }
    waiting |= {
        "status": "requested",
        "focus": {"reference": f"Location/{bed_id}"},
        "performerType": [{"coding": [{"system": "http://snomed.info/sct", "code": "224535009"}]}],
        "restriction": {
            "period": {"end": (pd.Timestamp.now(tz="UTC") + timedelta(hours=2)).isoformat()}
        },
    }
    http.send_json("PUT", f"Task/{task_id}", waiting)
    housekeeping = {k: v for k, v in bed.items() if k != "meta"}
    housekeeping["operationalStatus"] = {**bed["operationalStatus"], "code": "H"}
    http.send_json("PUT", f"Location/{bed_id}", housekeeping)
    search = queries.open_tasks_of_wards([ward_id])
    platform.read(search, no_cache=True)
    platform.read(search.include("Task", "patient"), no_cache=True)
    platform.read(queries.locations(), no_cache=True)
    yield task_id, bed_id, bed["name"]
    http.send_json("PUT", f"Location/{bed_id}", {k: v for k, v in bed.items() if k != "meta"})
    platform.read(queries.locations(), no_cache=True)


def test_completing_a_cleaning_task_frees_the_bed_on_the_server(users, platform, discharged_bed):
    task_id, bed_id, bed_name = discharged_bed
    nurse = users["pflege.demo"]
    bed_writes_before = audited(platform, f"Location/{bed_id}")
    task_writes_before = audited(platform, f"Task/{task_id}")
    at = open_page("pages/tasks.py", nurse)
    assert not at.exception
    row = next(m.value for m in at.markdown if t("task_code.bettenreinigung") in m.value)
    assert row.startswith(f"**{t('task_code.bettenreinigung')}**")
    assert any(bed_name in m.value and "frei geworden nach" in m.value for m in at.markdown)

    at.button(key=f"nurse.complete.{task_id}").click().run()

    assert not at.exception
    task = platform.http().get_json(f"Task/{task_id}")
    assert task["status"] == "completed"
    assert task["owner"]["reference"] == f"Practitioner/{nurse.practitioner_id}"
    bed = platform.http().get_json(f"Location/{bed_id}")
    assert bed["operationalStatus"]["code"] == "U"
    assert audited(platform, f"Task/{task_id}") == task_writes_before + 1
    assert audited(platform, f"Location/{bed_id}") == bed_writes_before + 1, "the bed write"

    at.button(key="nurse.undo.button").click().run()
    assert not at.exception
    assert platform.http().get_json(f"Task/{task_id}")["status"] == "requested"
    assert platform.http().get_json(f"Location/{bed_id}")["operationalStatus"]["code"] == "H"
    assert audited(platform, f"Location/{bed_id}") == bed_writes_before + 2, "both audited"


def test_a_cleaning_leaves_a_bed_the_hospital_has_set_otherwise(platform, discharged_bed):
    _, bed_id, _ = discharged_bed
    http = platform.http()
    bed = http.get_json(f"Location/{bed_id}")
    closed = {k: v for k, v in bed.items() if k != "meta"}
    closed["operationalStatus"] = {**bed["operationalStatus"], "code": "C"}
    http.send_json("PUT", f"Location/{bed_id}", closed)
    assert free_after_cleaning(http, bed_id) is None
    assert http.get_json(f"Location/{bed_id}")["operationalStatus"]["code"] == "C"


def test_turnaround_per_ward_on_the_capacity_page_matches_ground_truth(users, test_network):
    at = open_page("pages/capacity.py", users["management.demo"])
    assert not at.exception
    cleaned = t("mgr.col.cleaned")
    table = next(df.value for df in at.dataframe if cleaned in df.value.columns)
    names = {
        ward["id"]: (hospital["name"], ward["name"])
        for hospital in test_network.manifest["hospitals"]
        for ward in hospital["wards"]
    }
    # The page's own date (its caption): the clock after it ran may have passed midnight.
    since = midnight(as_of_caption(at).date() - timedelta(days=13))
    expected = {}
    for ward_id, truth in test_network.ground_truth["bed_turnaround"].items():
        minutes = [m for end, m in truth["cleanings"] if pd.Timestamp(end) >= since]
        if minutes:
            expected[names[ward_id]] = minutes
    shown = table.set_index([t("col.hospital"), t("col.ward")])
    assert set(shown.index) == set(expected)
    assert any(len(m) >= 5 for m in expected.values()), "some ward has a median"
    for ward, minutes in expected.items():
        row = shown.loc[ward]
        if len(minutes) >= 5:
            assert row[cleaned] == fmt_number(len(minutes))
            median = fmt_number(statistics.median(minutes) / 60, "de", 1)
            assert row[t("mgr.col.turnaround_median")] == median
        else:
            assert row[cleaned] == "<5"
    assert t("mgr.turnaround.help") in texts(at)


@pytest.fixture
def isolated_patient(platform, platform_admin, users):
    """A patient with open work on the demo nurse's ward found to carry 4MRGN: an active
    isolation Flag as the hospital writes it, removed afterwards."""
    ward_id = users["pflege.demo"].wards[0]
    tasks = platform.read(queries.open_tasks_of_wards([ward_id]), no_cache=True)["task"]
    nursing = tasks[(tasks["ward_id"] == ward_id) & (tasks["code"] != "bettenreinigung")]
    assert not nursing.empty, "the ward has open nursing work"
    task = nursing.iloc[0]
    flag_id = "flg-test-isolation"
    start = (pd.Timestamp.now(tz="UTC") - timedelta(hours=1)).isoformat()
    platform_admin.http().send_json(
        "PUT",
        f"Flag/{flag_id}",
        {
            "resourceType": "Flag",
            "id": flag_id,
            "status": "active",
            "category": [
                {"coding": [{"system": FLAG_CATEGORY, "code": "safety"}]},
            ],
            "code": {
                "coding": [{"system": ISOLATION, "code": "4mrgn"}],
                "text": "4MRGN – Kontaktisolierung",
            },
            "subject": {"reference": f"Patient/{task['patient_id']}"},
            "encounter": {"reference": f"Encounter/{task['encounter_id']}"},
            "period": {"start": start},
        },
    )
    yield task
    platform_admin.http().send_json("DELETE", f"Flag/{flag_id}")


def test_isolation_on_the_task_list_and_the_handover(users, isolated_patient):
    nurse = users["pflege.demo"]
    word = t("isolation.4mrgn")
    tasks = open_page("pages/tasks.py", nurse)
    assert not tasks.exception
    badge = [m.value for m in tasks.markdown if ":material/masks:" in m.value and word in m.value]
    assert badge, "the patient's tasks carry the isolation"
    sheet = open_page("pages/handover.py", nurse)
    assert not sheet.exception
    blocks = [m.value for m in sheet.markdown if m.value.startswith("#### ")]
    flagged = [b for b in blocks if ":material/masks:" in b and word in b]
    assert flagged, "the patient's block on the sheet carries the isolation"
