"""Transfer requests between hospitals on the real test server: the generated queue against its
ground truth, two bed managers accepting one request at once (one wins, the other is told who
was first), a decline with its reason, a question and its answer, a reserved bed that no page
counts free, who may answer, and the audit trail of every write."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from services import queries
from services.domain.beds import bed_status_now, can_take_patient, occupancy
from services.domain.stays import current_placements
from services.errors import BedTaken, Conflict, NotPermitted
from services.frames import with_hierarchy
from services.roles import Role, User
from services.transfers import (
    TransferAsk,
    accept,
    answer,
    ask_back,
    cancel,
    decline,
    inbound_requests,
    outbound_requests,
    queue_figures,
    send_request,
    suitable_beds,
    transfer_queue,
)
from services.views.transfers import inbound_view, outbound_view
from tests.support.cleanup import audit_events
from tests.support.transfers import PutBack, ask_for, free_beds_made, remove_requests

pytestmark = pytest.mark.integration


def berlin_now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="Europe/Berlin")


def read_queue(platform, search) -> pd.DataFrame:
    read = platform.read(search, no_cache=True)
    assert not read.errors
    return transfer_queue(read["task"], read["bed_request"], berlin_now())


def beds_now(platform) -> tuple[pd.DataFrame, pd.DataFrame]:
    locations = with_hierarchy(platform.read(queries.locations(), no_cache=True)["location"])
    stays = platform.read(queries.current_stays(), no_cache=True)
    placed = current_placements(stays["encounter"], stays["encounter_location"], berlin_now())
    return locations, bed_status_now(locations, placed, berlin_now())


@pytest.fixture
def made(platform, platform_admin):
    """Requests a test sends and beds it reserves, taken off the server again afterwards."""
    requests: list[dict] = []
    put_back = PutBack(platform_admin)
    yield requests, put_back
    put_back.undo()
    remove_requests(platform, platform_admin, requests)


@pytest.fixture
def log(tmp_path) -> Path:
    return tmp_path / "audit.log"


@pytest.fixture
def send(platform, parties, made, log) -> Callable[[TransferAsk], dict]:
    """arzt.demo sends the request; it is taken off the server again afterwards (``made``)."""
    doctor = parties[0]
    requests, _ = made

    def sent(ask: TransferAsk) -> dict:
        task = send_request(platform, doctor, log, ask)
        requests.append(task)
        return task

    return sent


@pytest.fixture
def target_beds(platform, parties, made) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Locations and beds now, with a free bed at the target hospital for the requests to ask
    for: one nobody lies in is set free when the generated hour left none (put back after)."""
    _, put_back = made
    target = parties[4]
    locations, beds = beds_now(platform)
    there = beds["hospital_id"] == target
    if not can_take_patient(beds.loc[there, "status"]).any():
        made_free = free_beds_made(platform, put_back, beds, there)
        assert made_free, "the target hospital has a bed nobody lies in"
        locations, beds = beds_now(platform)
    return locations, beds


@pytest.fixture(scope="module")
def parties(users):
    """arzt.demo asks; betten.demo, the bed manager of arzt2.demo's hospital, answers, and so
    does a colleague of hers; a bed manager of arzt.demo's own hospital answers nothing there."""
    doctor = users["arzt.demo"]
    manager = users["betten.demo"]
    target = manager.facilities[0]
    assert doctor.hospital_id != target, "the demo physician asks another hospital"
    colleague = User("betten2.demo", "Zweite Bettenmanagerin", Role.MANAGER, facilities=(target,))
    stranger = User("betten3.demo", "Andere Klinik", Role.MANAGER, facilities=(doctor.hospital_id,))
    return doctor, manager, colleague, stranger, target


def an_ask(platform, parties, beds: pd.DataFrame, isolation: tuple[str, ...] = ()) -> TransferAsk:
    """A request of arzt.demo for an inpatient of her hospital, for a bed category and age
    group of which the target hospital has a free bed now."""
    doctor, _, _, _, target = parties
    stays = platform.read(queries.current_stays(), no_cache=True)
    placed = current_placements(stays["encounter"], stays["encounter_location"], berlin_now())
    mine = placed[placed["hospital_id"] == doctor.hospital_id].sort_values("encounter_id")
    assert not mine.empty
    free = beds[(beds["hospital_id"] == target) & (beds["status"] == "U")]
    kinds = free.groupby(["bed_category", "age_group"]).size()
    assert not kinds.empty, "the target hospital has a free bed"
    category, age_group = kinds.index[0]
    return ask_for(
        doctor,
        mine.iloc[0],
        target,
        category,
        age_group,
        "urgent",
        "Intensivpflichtig, eigene Intensivstation voll",
        sex="female",
        isolation=isolation,
    )


def audit_of(platform, path: str) -> list[dict]:
    return audit_events(platform.http(), path)


def test_generated_requests_wait_in_the_queues_the_ground_truth_names(platform, test_network):
    truth = test_network.ground_truth
    targets = sorted({r["target"] for r in truth["transfers"].values()})
    queue = read_queue(platform, inbound_requests(tuple(targets)))
    queue = queue[queue["task_id"].isin(truth["transfers"])]
    open_truth = {k for k, v in truth["transfers"].items() if v["state"] in ("open", "asked_back")}
    assert set(queue["task_id"]) == open_truth, "declined requests leave the inbound queue"
    for row in queue.itertuples(index=False):
        expected = truth["transfers"][row.task_id]
        assert row.state == expected["state"]
        assert (row.requester_org, row.target_org) == (expected["requester"], expected["target"])
        assert (row.bed_category, row.age_group, row.sex) == (
            expected["bed_category"],
            expected["age_group"],
            expected["sex"],
        )
        assert (row.isolation.split(",") if isinstance(row.isolation, str) else []) == expected[
            "isolation"
        ]
    for target, figures in truth["transfers_inbound"].items():
        got = queue_figures(queue[queue["target_org"] == target])
        assert {k: got[k] for k in figures} == figures, target
    # The requesting hospital sees its declined requests with their reason.
    for task_id, expected in truth["transfers"].items():
        if expected["state"] == "declined":
            sent = read_queue(
                platform,
                outbound_requests(expected["requester"], berlin_now() - pd.Timedelta(days=30)),
            ).set_index("task_id")
            assert sent.at[task_id, "state"] == "declined"
            assert isinstance(sent.at[task_id, "status_reason"], str)


def test_two_managers_accept_one_request_one_wins_and_the_other_is_told(
    platform, parties, made, target_beds, send, log
):
    doctor, manager, colleague, _, target = parties
    _, put_back = made
    locations, beds = target_beds
    ask = an_ask(platform, parties, beds)
    task = send(ask)
    version = task["meta"]["versionId"]
    offered = suitable_beds(beds, target, ask.bed_category, ask.age_group, isolation=False)
    # Both managers see the same free bed and take it.
    bed_id = offered["bed_id"].iloc[0]
    put_back.keep(f"Location/{bed_id}")
    bed_version = int(platform.http().get_json(f"Location/{bed_id}")["meta"]["versionId"])
    free_before = occupancy(beds[beds["hospital_id"] == target], []).iloc[0]["free"]

    outcomes: dict[str, object] = {}
    start = threading.Barrier(2)

    def decide(who: User, bed_id: str) -> None:
        start.wait()
        try:
            outcomes[who.username] = accept(platform, who, log, task["id"], version, bed_id)
        except Conflict as exc:
            outcomes[who.username] = exc

    threads = [
        threading.Thread(target=decide, args=(manager, bed_id)),
        threading.Thread(target=decide, args=(colleague, bed_id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    lost = [o for o in outcomes.values() if isinstance(o, Conflict)]
    won = [o for o in outcomes.values() if isinstance(o, dict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert not isinstance(lost[0], BedTaken), "the loser lost the request, not a bed"
    # What the loser is told: the request as it is now, accepted by the other manager.
    assert lost[0].current["status"] == "accepted"
    assert won[0]["output"][0]["valueReference"]["reference"] == f"Location/{bed_id}"
    assert lost[0].current["output"][0]["valueReference"]["reference"] == f"Location/{bed_id}"
    on_server = platform.http().get_json(f"Task/{task['id']}")
    assert on_server["status"] == "accepted"
    assert int(on_server["meta"]["versionId"]) == int(version) + 1, "one acceptance was written"

    # The winner's bed is reserved: every page counts it neither free nor occupied.
    _, after = beds_now(platform)
    assert after.set_index("bed_id")["status"][bed_id] == "R"
    assert occupancy(after[after["hospital_id"] == target], []).iloc[0]["free"] == free_before - 1
    reserved = platform.http().get_json(f"Location/{bed_id}")
    assert reserved["operationalStatus"]["code"] == "U"
    assert int(reserved["meta"]["versionId"]) == bed_version + 1, "the bed was reserved once"

    # The requester sees it accepted with the bed and the reservation's end.
    sent = outbound_view(
        *(lambda r: (r["task"], r["bed_request"]))(
            platform.read(
                outbound_requests(doctor.hospital_id, berlin_now() - pd.Timedelta(days=1)),
                no_cache=True,
            )
        ),
        locations,
        doctor.hospital_id,
        berlin_now(),
    ).queue.set_index("task_id")
    assert sent.at[task["id"], "state"] == "reserved"
    assert sent.at[task["id"], "bed_id"] == bed_id
    assert sent.at[task["id"], "reserved_until"] > berlin_now() + pd.Timedelta(hours=3)

    # Audited: the request by the physician, the acceptance and the bed by the winner.
    events = audit_of(platform, f"Task/{task['id']}")
    actions = Counter((e["action"], e["agent"][0]["altId"]) for e in events)
    winner = next(name for name, o in outcomes.items() if isinstance(o, dict))
    assert actions[("C", doctor.username)] == 1
    assert actions[("U", winner)] == 1
    assert all(e["source"]["site"] == "transfers" for e in events)
    bed_events = audit_of(platform, f"Location/{bed_id}")
    assert any(e["agent"][0]["altId"] == winner for e in bed_events)

    # Withdrawn by the requester: the bed is released at once.
    cancel(platform, doctor, log, task["id"], on_server["meta"]["versionId"])
    _, released = beds_now(platform)
    assert released.set_index("bed_id")["status"][bed_id] == "U"


def test_a_declined_request_says_why_and_a_stale_answer_is_refused(
    platform, parties, target_beds, send, log
):
    doctor, manager, colleague, _, target = parties
    _, beds = target_beds
    task = send(an_ask(platform, parties, beds))
    version = task["meta"]["versionId"]
    with pytest.raises(ValueError):
        decline(platform, manager, log, task["id"], version, "   ")

    stored = decline(platform, manager, log, task["id"], version, "Keine Beatmungsplätze frei")
    assert stored["status"] == "rejected"
    assert stored["statusReason"]["text"] == "Keine Beatmungsplätze frei"
    with pytest.raises(Conflict) as late:
        ask_back(platform, colleague, log, task["id"], version, "Ist der Patient beatmet?")
    assert late.value.current["status"] == "rejected"

    inbound = read_queue(platform, inbound_requests((target,)))
    assert task["id"] not in set(inbound["task_id"]), "a declined request leaves the queue"
    sent = read_queue(
        platform, outbound_requests(doctor.hospital_id, berlin_now() - pd.Timedelta(days=1))
    ).set_index("task_id")
    assert sent.at[task["id"], "state"] == "declined"
    assert sent.at[task["id"], "status_reason"] == "Keine Beatmungsplätze frei"
    events = audit_of(platform, f"Task/{task['id']}")
    assert Counter(e["agent"][0]["altId"] for e in events if e["action"] == "U") == {
        manager.username: 1
    }


def test_a_question_and_its_answer_and_the_minimum_before_acceptance(
    platform, parties, target_beds, send, log
):
    doctor, manager, _, _, target = parties
    locations, beds = target_beds
    task = send(an_ask(platform, parties, beds, ("mrsa",)))

    asked = ask_back(
        platform, manager, log, task["id"], task["meta"]["versionId"], "Beatmet? Letzte BGA?"
    )
    assert asked["status"] == "received"
    stays = platform.read(queries.current_stays(), no_cache=True)
    placed = current_placements(stays["encounter"], stays["encounter_location"], berlin_now())
    read = platform.read(inbound_requests((target,)), no_cache=True)
    view = inbound_view(
        read["task"], read["bed_request"], locations, placed, (target,), berlin_now()
    )
    row = view.queue.set_index("task_id").loc[task["id"]]
    assert row["state"] == "asked_back"
    assert row["isolation"] == "mrsa"
    # A patient in isolation is offered only beds in a room nobody else lies in.
    alone = suitable_beds(view.beds, target, row["bed_category"], row["age_group"], True)
    assert row["free_matching"] == len(alone)
    taken_rooms = set(view.beds.loc[view.beds["status"].isin(["O", "R"]), "room_id"])
    assert not set(alone["room_id"]) & taken_rooms
    # Nothing in the bed manager's view names the patient.
    assert not {"patient_id", "name", "patient", "birth_date"} & set(view.queue.columns)
    assert "patient" not in read.tables or read.tables["patient"].empty

    with pytest.raises(NotPermitted):
        answer(platform, manager, log, task["id"], asked["meta"]["versionId"], "Ja")
    answered = answer(
        platform, doctor, log, task["id"], asked["meta"]["versionId"], "Nicht beatmet, BGA normal"
    )
    assert answered["status"] == "requested"
    assert [n["text"] for n in answered["note"]] == [
        "Beatmet? Letzte BGA?",
        "Nicht beatmet, BGA normal",
    ]
    assert "businessStatus" not in answered


def test_only_the_target_hospitals_bed_manager_answers(
    platform, parties, target_beds, send, log, users
):
    doctor, _, _, stranger, _ = parties
    _, beds = target_beds
    ask = an_ask(platform, parties, beds)
    nurse = users["pflege.demo"]
    with pytest.raises(NotPermitted):
        send_request(platform, nurse, log, ask)
    task = send(ask)
    version = task["meta"]["versionId"]
    for who in (stranger, users["management.demo"], users["arzt2.demo"]):
        with pytest.raises(NotPermitted):
            decline(platform, who, log, task["id"], version, "nicht zuständig")
    assert platform.http().get_json(f"Task/{task['id']}")["meta"]["versionId"] == version
    # The audit trail holds the creation only; refused attempts wrote nothing.
    events = audit_of(platform, f"Task/{task['id']}")
    assert [e["action"] for e in events] == ["C"]
    assert events[0]["agent"][0]["altId"] == doctor.username
