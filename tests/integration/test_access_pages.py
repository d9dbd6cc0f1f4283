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
from tests.integration.test_physician_worklist import start_page_stays
from tests.support.apptest import open_page, texts
from tests.support.reconcile import raw_stays, resources

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
    # A task list this nurse opened in an earlier test of the run may fall in the same seconds.
    mine = {"altid": nurse.username, "site": "tasks"}
    earlier = {e["id"] for e in events_since(platform, since, **mine)}
    at = open_page("pages/tasks.py", nurse)
    assert not at.exception
    ward_id = at.selectbox(key="nurse.ward").value
    listed = [e for e in events_since(platform, since, **mine) if e["id"] not in earlier]
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
    again = [e for e in events_since(platform, since, **mine) if e["id"] not in earlier]
    assert len(again) == 1, "a rerun showing the same people records nothing new"


def test_the_handover_list_and_its_csv_export_are_audited(users, platform):
    nurse = users["pflege.demo"]
    since = datetime.now(UTC) - timedelta(seconds=5)
    # A handover this nurse opened in an earlier test of the run may fall in the same seconds.
    mine = {"altid": nurse.username, "site": "handover"}
    earlier = {e["id"] for e in events_since(platform, since, **mine)}
    at = open_page("pages/handover.py", nurse)
    assert not at.exception
    listed = [e for e in events_since(platform, since, **mine) if e["id"] not in earlier]
    assert len(listed) == 1 and rows_of(listed[0]) == len(patients_of(listed[0]))
    on_sheet = patients_of(listed[0])

    at.get("download_button")[0].click()
    at.run()
    assert not at.exception
    both = events_since(platform, since, **mine)
    exports = [e for e in both if e["id"] != listed[0]["id"] and e["id"] not in earlier]
    assert len(exports) == 1, "the click records the export"
    export = exports[0]
    name = next(e["name"] for e in export["entity"] if e.get("name"))
    assert name.startswith("uebergabe-") and name.endswith(".csv")
    assert rows_of(export) == len(on_sheet), "one row per patient on the sheet"
    assert patients_of(export) == on_sheet


# The views of issue 20 by URL: the ISBAR handover and the bed grid for roles without them, the
# start page (the physician's worklist, the manager's free beds) for each role its own.
WRONG_ROLE = [
    ("arzt.demo", "pages/handover.py"),
    ("management.demo", "pages/handover.py"),
    ("admin.demo", "pages/handover.py"),
    ("management.demo", "pages/bed_board.py"),
    ("admin.demo", "pages/bed_board.py"),
]


@pytest.mark.parametrize(("who", "page"), WRONG_ROLE)
def test_the_handover_and_the_bed_grid_by_url_refuse_the_wrong_role(users, who, page):
    at = open_page(page, users[who])
    for _ in range(2):  # the first run and a rerun of the same session
        assert not at.exception
        assert not_permitted(at)
        assert not at.dataframe and not at.metric and not at.get("download_button")
        assert not [m for m in at.markdown if m.value.startswith("#### ")], "no patient block"
        assert not at.selectbox, "not even the ward choice"
        at.run()


@pytest.mark.parametrize("who", ["pflege.demo", "management.demo", "admin.demo"])
def test_the_start_page_shows_the_worklist_to_physicians_only(users, who):
    at = open_page("pages/home.py", users[who])
    assert not at.exception
    shown = texts(at)
    assert t("worklist.title") not in shown
    assert not [d for d in at.dataframe if t("worklist.col.why") in d.value.columns]
    if who != "management.demo":
        assert t("home.manager.title") not in shown
        assert not [d for d in at.dataframe if t("col.hospital") in d.value.columns]


def foreign_ward(platform, nurse: User) -> tuple[str, str]:
    """(id, name) of a ward of the nurse's hospital that is not hers, with patients in it."""
    read = in_hospitals(
        platform.read(queries.current_stays(), no_cache=True).tables, [nurse.hospital_id]
    )
    placed = current_placements(
        read["encounter"], read["encounter_location"], pd.Timestamp.now(tz="Europe/Berlin")
    )
    elsewhere = placed[~placed["ward_id"].isin(nurse.wards) & placed["patient_id"].notna()]
    assert not elsewhere.empty, "the test network has patients on other wards"
    ward_id = elsewhere["ward_id"].iloc[0]
    return ward_id, platform.http().get_json(f"Location/{ward_id}")["name"]


@pytest.mark.parametrize("page", ["pages/handover.py", "pages/bed_board.py"])
def test_a_nurse_session_naming_another_ward_shows_her_own_ward_only(users, platform, page):
    nurse = users["pflege.demo"]
    ward_id, name = foreign_ward(platform, nurse)
    own = platform.http().get_json(f"Location/{nurse.wards[0]}")["name"]
    assert name != own, "the wards differ by name"
    at = open_page("pages/home.py", nurse)
    # What a tampered session or an old tab would carry: another ward as the chosen one.
    at.session_state["nurse.ward"] = ward_id
    at.switch_page(page).run()
    assert not at.exception
    assert at.selectbox(key="nurse.ward").value in nurse.wards
    assert ward_id not in at.selectbox(key="nurse.ward").options
    assert name not in texts(at), "nothing of the other ward"


def test_a_physician_of_another_hospital_sees_only_its_inpatients(users, test_network):
    doctor = users["arzt2.demo"]
    assert doctor.hospital_id != users["arzt.demo"].hospital_id
    at = open_page("pages/home.py", doctor)
    assert not at.exception
    listed = at.dataframe[0].value
    items = list(resources(test_network.dir, test_network.manifest))
    expected = start_page_stays(raw_stays(items), doctor, in_bed=False)
    assert expected, "the other hospital has inpatients of the physician's departments"
    assert len(listed) == len(expected), "its inpatients, none of the first hospital's"
    hospital = f"Organization/{doctor.hospital_id}"
    own = {
        r["name"]
        for r in items
        if r["resourceType"] == "Location"
        and r.get("managingOrganization", {}).get("reference") == hospital
    }
    assert set(listed[t("col.bed")]) <= own | {t("word.not_recorded")}


def test_a_hospitals_bed_manager_sees_only_that_hospital(users):
    manager = users["betten.demo"]
    at = open_page("pages/home.py", manager)
    assert not at.exception
    table = at.dataframe[0].value
    hospitals = list(table[t("col.hospital")])
    assert len(hospitals) == 2 and hospitals[-1] == t("network.total"), hospitals
    own, total = table.iloc[0, 1:].tolist(), table.iloc[1, 1:].tolist()
    assert [str(v) for v in own] == [str(v) for v in total], "the total is the one hospital"
