"""The transfer pages in the app (AppTest) on the real test server: a physician asks another
hospital for a bed, its bed manager sees the request without a name and accepts it, and the
physician's list shows the bed reserved; the generated queue's figures; who may open what."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from services import queries
from services.domain.beds import bed_status_now, can_take_patient
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from services.i18n import t
from services.transfers import outbound_requests
from tests.support.apptest import open_page, texts, visible_text
from tests.support.transfers import PutBack, free_beds_made, remove_requests

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]
REASON = "Seitentest: Weiterbehandlung in der Fachabteilung"


@pytest.fixture
def cleanup(platform, platform_admin, users):
    """The requests the page test sends (found by their reason) and the beds they reserved."""
    put_back = PutBack(platform_admin)
    yield put_back
    put_back.undo()
    doctor = users["arzt.demo"]
    read = platform.read(
        outbound_requests(doctor.hospital_id, pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=1)),
        no_cache=True,
    )
    ids = set(read["bed_request"].loc[read["bed_request"]["reason"] == REASON, "task_id"])
    tasks = [platform.http().get_json(f"Task/{task_id}") for task_id in sorted(ids)]
    remove_requests(platform, platform_admin, tasks)


def beds_of(platform, hospital_id: str) -> pd.DataFrame:
    now = pd.Timestamp.now(tz="Europe/Berlin")
    locations = with_hierarchy(platform.read(queries.locations(), no_cache=True)["location"])
    stays = platform.read(queries.current_stays(), no_cache=True)
    placed = current_placements(stays["encounter"], stays["encounter_location"], now)
    beds = bed_status_now(locations, placed, now)
    return beds[beds["hospital_id"] == hospital_id]


def free_adult_beds(platform, cleanup: PutBack, hospital_id: str) -> pd.DataFrame:
    """The hospital's free adult beds; one nobody lies in is set free when the generated hour
    left none (put back after the test)."""
    beds = beds_of(platform, hospital_id)
    adult = beds["age_group"] == "adult"
    if not (adult & can_take_patient(beds["status"])).any():
        free_beds_made(platform, cleanup, beds, adult)
        # The pages' cached reads of the beds are from before.
        st.cache_data.clear()
        beds = beds_of(platform, hospital_id)
        adult = beds["age_group"] == "adult"
    return beds[adult & can_take_patient(beds["status"])]


def test_bed_manager_sees_the_generated_queue_without_names(users, platform, test_network):
    manager = users["betten.demo"]
    target = manager.facilities[0]
    at = open_page("pages/transfer_inbound.py", manager)
    assert not at.exception
    truth = test_network.ground_truth
    figures = truth["transfers_inbound"].get(target, {"waiting": 0, "urgent": 0})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("transfer.waiting")] == str(figures["waiting"])
    assert metrics[t("transfer.urgent")] == str(figures["urgent"])
    shown = visible_text(at)
    for request in truth["transfers"].values():
        if request["target"] != target:
            continue
        patient = platform.http().get_json(f"Patient/{request['patient']}")
        assert patient["name"][0]["family"] not in shown, "no name before acceptance"
    for raw in ("None", "nan", "NaT", "<NA>"):
        assert raw not in texts(at)


def test_a_transfer_from_request_to_reserved_bed_across_two_hospitals(users, platform, cleanup):
    doctor, manager = users["arzt.demo"], users["betten.demo"]
    target = manager.facilities[0]
    free = free_adult_beds(platform, cleanup, target)
    assert not free.empty, "the target hospital has an adult bed nobody lies in"
    category = free["bed_category"].iloc[0]

    asking = open_page("pages/transfer_request.py", doctor)
    assert not asking.exception
    # A patient in isolation is offered only a bed in a room nobody else lies in, which the
    # generated hour may not leave the hospital asked: the first adult inpatient without
    # isolation is asked about, as the page's preview of the request describes them.
    sends = t("transfer.sends").split(":")[0]
    wanted = (t("transfer.no_isolation"), t("age_group.adult"))
    for choice in range(len(asking.selectbox(key="transfer.patient").options)):
        asking.selectbox(key="transfer.patient").set_value(choice).run()
        preview = [str(c.value).replace("\\", "") for c in asking.caption]
        if any(p.startswith(sends) and all(w in p for w in wanted) for p in preview):
            break
    else:
        pytest.fail("every inpatient of the demo physician is a child or in isolation")
    asking.selectbox(key="transfer.target").set_value(target)
    asking.selectbox(key="transfer.category").set_value(category)
    asking.radio(key="transfer.urgency").set_value("urgent")
    asking.text_input(key="transfer.reason").input(REASON)
    asking.run()
    assert t("transfer.sends").split(":")[0] in texts(asking)
    asking.button(key="transfer.send").click().run()
    assert not asking.exception
    sent = platform.read(
        outbound_requests(doctor.hospital_id, pd.Timestamp.now(tz="UTC") - pd.Timedelta(hours=1)),
        no_cache=True,
    )
    mine = sent["bed_request"][sent["bed_request"]["reason"] == REASON]
    assert len(mine) == 1
    task_id = mine["task_id"].iloc[0]
    if mine["age_group"].iloc[0] != "adult":
        pytest.fail("the patient asked about is an adult")

    deciding = open_page("pages/transfer_inbound.py", manager)
    assert not deciding.exception
    # Captions are Markdown with the request's own words escaped.
    assert any(REASON in str(c.value).replace("\\", "") for c in deciding.caption)
    bed_choice = deciding.selectbox(key=f"transfer.bed.{task_id}")
    bed_id = bed_choice.value
    cleanup.keep(f"Location/{bed_id}")
    deciding.button(key=f"transfer.accept.{task_id}").click().run()
    assert not deciding.exception
    on_server = platform.http().get_json(f"Task/{task_id}")
    assert on_server["status"] == "accepted"
    assert on_server["output"][0]["valueReference"]["reference"] == f"Location/{bed_id}"

    asking.run()
    assert not asking.exception
    assert t("transfer.state.reserved") in visible_text(asking)


def test_who_may_open_the_transfer_pages(users):
    physician, nurse = users["arzt.demo"], users["pflege.demo"]
    network = users["management.demo"]
    refused = open_page("pages/transfer_inbound.py", physician)
    assert t("guard.not_permitted") in texts(refused)
    refused = open_page("pages/transfer_request.py", nurse)
    assert t("guard.not_permitted") in texts(refused)
    unassigned = open_page("pages/transfer_inbound.py", network)
    assert t("transfer.no_hospital") in texts(unassigned)
    assert not unassigned.button
