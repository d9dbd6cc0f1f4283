"""Access control on the running pages (AppTest against the test server): a nurse by URL, a
nurse's session holding another ward's patient, an empty scope, and the AuditEvents that list
views and exports leave on the server, read back from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import streamlit as st

from services import queries
from services.domain.stays import current_placements, in_hospitals
from services.i18n import t
from services.roles import Role, User
from tests.support.apptest import open_page, texts

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]

ROWS = "rows"


@pytest.fixture(autouse=True)
def fresh_reads():
    st.cache_data.clear()


def events_since(platform, since: datetime, **params: str) -> list[dict]:
    """The AuditEvents written since ``since`` that match ``params``, as the server holds them."""
    bundle = platform.http().get_json(
        "AuditEvent",
        {"date": f"ge{since.isoformat()}", "_count": "200", **params},
        no_cache=True,
    )
    return [e["resource"] for e in bundle.get("entry", [])]


def patients_of(event: dict) -> set[str]:
    return {
        e["what"]["reference"].split("/", 1)[1]
        for e in event.get("entity", [])
        if e.get("what", {}).get("reference", "").startswith("Patient/")
    }


def rows_of(event: dict) -> int | None:
    for entity in event.get("entity", []):
        for detail in entity.get("detail", []):
            if detail.get("type") == ROWS:
                return int(detail["valueString"])
    return None


def not_permitted(at) -> bool:
    return any(t("guard.not_permitted") in e.value for e in at.error)


@pytest.mark.parametrize(
    "page", ["pages/my_patients.py", "pages/patient_search.py", "pages/timeline.py"]
)
def test_a_nurse_opening_a_physician_page_by_url_is_not_permitted(users, page):
    at = open_page(page, users["pflege.demo"])
    assert not at.exception
    assert not_permitted(at)
    assert not at.dataframe and not at.text_input


def test_a_nurse_session_holding_another_wards_patient_is_refused(users, platform):
    nurse = users["pflege.demo"]
    read = in_hospitals(
        platform.read(queries.current_stays(), no_cache=True).tables, [nurse.hospital_id]
    )
    placed = current_placements(
        read["encounter"], read["encounter_location"], pd.Timestamp.now(tz="Europe/Berlin")
    )
    elsewhere = placed[~placed["ward_id"].isin(nurse.wards) & placed["patient_id"].notna()]
    assert not elsewhere.empty, "the test network has patients on other wards"
    row = elsewhere.iloc[0]
    since = datetime.now(UTC) - timedelta(seconds=5)
    at = open_page("pages/home.py", nurse)
    at.session_state["record_person"] = {
        "person": f"record:{row['patient_id']}",
        "kvnr": None,
        "name": "Fremde Station",
        "birth_date": None,
        "hospitals": (nurse.hospital_id,),
        "records": ((row["source"], row["patient_id"], nurse.hospital_id),),
        "opened_at": since.isoformat(),
        "reason": None,
    }
    at.switch_page("pages/timeline.py")
    at.run()
    assert not at.exception
    assert not_permitted(at)
    assert "Fremde Station" not in texts(at)
    assert not at.get("plotly_chart")
    read_back = events_since(platform, since, altid=nurse.username, site="timeline")
    assert read_back == [], "nothing was read, nothing is recorded as read"


def test_a_physician_without_hospital_sees_no_patients(users):
    doctor = users["arzt.demo"]
    nowhere = User(doctor.username, doctor.name, Role.PHYSICIAN, doctor.practitioner_id)
    at = open_page("pages/home.py", nowhere)
    assert not at.exception
    assert not at.dataframe
    assert t("mine.no_scope") in texts(at)


def test_the_task_list_is_audited_after_the_read_with_its_patients(users, platform):
    nurse = users["pflege.demo"]
    since = datetime.now(UTC) - timedelta(seconds=5)
    at = open_page("pages/tasks.py", nurse)
    assert not at.exception
    ward_id = at.selectbox(key="nurse.ward").value
    listed = events_since(platform, since, altid=nurse.username, site="tasks")
    assert len(listed) == 1, "one event for the list, however often the page reruns"
    event = listed[0]
    assert event["outcome"] == "0"
    assert event["subtype"][0]["code"] == "search-type"
    assert any(e.get("name") == f"Location/{ward_id}" for e in event["entity"])
    shown = [
        b.key.rsplit(".", 1)[1] for b in at.button if (b.key or "").startswith("nurse.complete.")
    ]
    tasks = platform.http().get_json("Task", {"_id": ",".join(shown), "_count": "200"})
    patients = {e["resource"]["for"]["reference"].split("/", 1)[1] for e in tasks.get("entry", [])}
    assert patients and patients_of(event) == patients
    assert rows_of(event) == len(patients)

    at.run()
    again = events_since(platform, since, altid=nurse.username, site="tasks")
    assert len(again) == 1, "a rerun showing the same people records nothing new"


def test_the_handover_list_and_its_csv_export_are_audited(users, platform):
    nurse = users["pflege.demo"]
    since = datetime.now(UTC) - timedelta(seconds=5)
    at = open_page("pages/handover.py", nurse)
    assert not at.exception
    listed = events_since(platform, since, altid=nurse.username, site="handover")
    assert len(listed) == 1 and rows_of(listed[0]) == len(patients_of(listed[0]))
    on_sheet = patients_of(listed[0])

    at.get("download_button")[0].click()
    at.run()
    assert not at.exception
    both = events_since(platform, since, altid=nurse.username, site="handover")
    exports = [e for e in both if e["id"] != listed[0]["id"]]
    assert len(exports) == 1, "the click records the export"
    export = exports[0]
    name = next(e["name"] for e in export["entity"] if e.get("name"))
    assert name.startswith("uebergabe-") and name.endswith(".csv")
    assert rows_of(export) == len(on_sheet), "one row per patient on the sheet"
    assert patients_of(export) == on_sheet
