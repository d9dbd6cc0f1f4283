"""A whole transfer between two hospitals and a whole ward admission on the real test server,
each step through the service function its page calls and as the user who takes it there.

Transfer: the physician of one hospital asks; the other hospital's bed managers accept, two
requests for the same bed at once (one wins, the other is told the bed is taken and its request
is open again, with nothing written for it); the bed is reserved (R on the board) and the
patient is announced on that bed's ward; two nurses of that ward give the arriving patient the
bed at once (one wins); the patient lies there (Encounter in progress at the new hospital, the
bed O), the stay at the first hospital is finished as a transfer, its bed is in housekeeping
with a cleaning task on the old ward; a nurse there completes it and the bed is free.

Admission: a patient waiting on a ward gets a bed while a second nurse gives the same patient
another bed at once: one wins, the other is told, the other bed stays as it was.

Every precondition (free beds) is arranged through the FHIR API as the admin client and put
back afterwards, with everything the flow wrote.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from services import queries
from services.admissions import admission_tasks, assign_bed
from services.bed_writes import free_after_cleaning
from services.codes import BED_CLEANING, NURSING_TASK
from services.domain.beds import can_take_patient
from services.errors import BedTaken, Conflict, NotFound
from services.roles import Role, User
from services.task_writes import change_task
from services.transfers import (
    accept,
    arrival_ids,
    outbound_requests,
    send_request,
)
from services.views.admissions import AdmissionView, admission_view
from services.views.transfers import outbound_view
from tests.support.transfers import (
    PutBack,
    ask_for,
    berlin_now,
    board_now,
    empty_beds,
    locations_now,
    placements_now,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def put_back(platform, platform_admin):
    undo = PutBack(platform_admin)
    yield undo
    undo.undo()
    # The dashboard's own reads then see the network as its ground truth describes it.
    platform.read(queries.locations(), no_cache=True)


@pytest.fixture
def log(tmp_path) -> Path:
    return tmp_path / "audit.log"


@pytest.fixture
def parties(users) -> tuple[User, User, User, str]:
    """arzt.demo asks; betten.demo, the bed manager of another hospital (the target), answers,
    and so does a colleague of hers."""
    doctor, manager = users["arzt.demo"], users["betten.demo"]
    target = manager.facilities[0]
    colleague = User("betten2.demo", "Zweite Bettenmanagerin", Role.MANAGER, facilities=(target,))
    return doctor, manager, colleague, target


@pytest.fixture
def send(platform, parties, put_back, log) -> Callable[..., dict]:
    """arzt.demo's request for a bed at the target hospital for ``stay`` (a ``placements_now``
    row); the request, its order and the arrival it may announce are deleted afterwards."""
    doctor, _, _, target = parties

    def sent(stay: pd.Series, category: str, age_group: str, urgency: str, reason: str) -> dict:
        ask = ask_for(doctor, stay, target, category, age_group, urgency, reason)
        task = send_request(platform, doctor, log, ask)
        put_back.made(f"Task/{task['id']}")
        put_back.made(task["basedOn"][0]["reference"])
        for path in zip_paths(task["id"]):
            put_back.made(path)
        return task

    return sent


def queue_of(platform, read, ward_id: str, placed: pd.DataFrame | None = None) -> AdmissionView:
    """The ward's admission queue as its page shows it, from ``read`` (``admission_tasks``)."""
    return admission_view(
        read["task"],
        read["bed_request"],
        read.tables.get("patient"),
        locations_now(platform),
        placements_now(platform) if placed is None else placed,
        None,
        ward_id,
        berlin_now(),
    )


def at_once(*steps: Callable[[], object]) -> list[object]:
    """Run the steps in threads released together; each one's result or the Conflict it
    raised, in the order given."""
    outcomes: list[object] = [None] * len(steps)
    start = threading.Barrier(len(steps))

    def run(n: int) -> None:
        start.wait()
        try:
            outcomes[n] = steps[n]()
        except Conflict as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(steps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return outcomes


def audited_by(platform, path: str, since: pd.Timestamp) -> set[str]:
    """Who wrote the resource at ``path`` from ``since`` on, by its audit events (earlier runs
    leave theirs on the resources they put back)."""
    bundle = platform.http().get_json(
        "AuditEvent",
        params={"entity": path, "date": f"ge{since.isoformat()}", "_count": "200"},
        no_cache=True,
    )
    return {e["resource"]["agent"][0]["altId"] for e in bundle.get("entry") or []}


def cleanings_of(platform, bed_id: str) -> set[str]:
    found = platform.http().get_json(
        "Task",
        params={
            "focus": f"Location/{bed_id}",
            "code": f"{NURSING_TASK}|{BED_CLEANING}",
            "_count": "100",
        },
        no_cache=True,
    )
    return {entry["resource"]["id"] for entry in found.get("entry") or []}


def absent(platform, path: str) -> bool:
    try:
        platform.http().get_json(path, no_cache=True)
    except NotFound:
        return True
    return False


def test_a_whole_transfer_with_two_requests_for_one_bed_and_two_nurses_for_one_arrival(
    platform, parties, put_back, send, log
):
    doctor, manager, colleague, target = parties
    # AuditEvent.recorded is stamped to the second: a second back takes in every write here.
    began = berlin_now().floor("s") - pd.Timedelta(seconds=1)
    board = board_now(platform)

    # Two inpatients of the physician's hospital, each lying in a bed of a ward.
    placed = placements_now(platform)
    mine = placed[(placed["hospital_id"] == doctor.hospital_id) & placed["bed_id"].notna()]
    mine = mine[mine["ward_id"].notna()].sort_values("encounter_id")
    assert len(mine) >= 2, "the physician's hospital has two inpatients in beds"
    first, second = mine.iloc[0], mine.iloc[1]
    # Arranged: an empty bed of the target hospital that can take a patient.
    candidates = empty_beds(board, board["hospital_id"] == target)
    assert not candidates.empty, "the target hospital has a bed nobody lies in"
    bed_id = candidates.index[0]
    put_back.free(bed_id)
    category, age_group = board.at[bed_id, "bed_category"], board.at[bed_id, "age_group"]
    ward_id = board.at[bed_id, "ward_id"]
    for stay in (first, second):
        put_back.keep(f"Encounter/{stay['encounter_id']}")
        put_back.keep(f"Location/{stay['bed_id']}")
    cleanings_before = cleanings_of(platform, first["bed_id"]) | cleanings_of(
        platform, second["bed_id"]
    )

    one, two = (
        send(stay, category, age_group, "urgent", "Weiterbehandlung heimatnah")
        for stay in (first, second)
    )
    bed_version = int(platform.http().get_json(f"Location/{bed_id}")["meta"]["versionId"])

    # Two bed managers give the same bed to two requests at the same moment.
    outcomes = at_once(
        lambda: accept(platform, manager, log, one["id"], one["meta"]["versionId"], bed_id),
        lambda: accept(platform, colleague, log, two["id"], two["meta"]["versionId"], bed_id),
    )
    won = [o for o in outcomes if isinstance(o, dict)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], BedTaken), "the loser is told the bed is taken"
    winner_task, loser_task = (one, two) if won[0]["id"] == one["id"] else (two, one)
    winner_stay, loser_stay = (first, second) if winner_task is one else (second, first)

    # Nothing half-written for the loser: its request open again, no patient announced.
    again = platform.http().get_json(f"Task/{loser_task['id']}", no_cache=True)
    assert again["status"] == "requested" and "output" not in again
    assert all(absent(platform, p) for p in zip_paths(loser_task["id"]))
    # The bed was written once, held for the winner: R on every board, free nowhere.
    bed = platform.http().get_json(f"Location/{bed_id}", no_cache=True)
    assert int(bed["meta"]["versionId"]) == bed_version + 1
    assert board_now(platform).at[bed_id, "status"] == "R"
    assert not can_take_patient(pd.Series([board_now(platform).at[bed_id, "status"]])).iloc[0]

    # The winner's patient waits in the admission queue of the reserved bed's ward, and the
    # reserved bed is the first one offered.
    encounter_id, queue_id = arrival_ids(winner_task["id"])
    read = platform.read(admission_tasks((target,)), no_cache=True)
    placed = placements_now(platform)
    view = queue_of(platform, read, ward_id, placed[placed["ward_id"] == ward_id])
    row = view.queue.set_index("task_id").loc[queue_id]
    assert (row["origin"], row["transfer_id"], row["encounter_id"]) == (
        "verlegung",
        winner_task["id"],
        encounter_id,
    )
    assert row["patient_id"] == winner_stay["patient_id"]
    assert view.offered[queue_id]["bed_id"].iloc[0] == bed_id

    # Two nurses of that ward give the arriving patient the bed at the same moment.
    nurse = User("pflege.z", "Pflege Z", Role.NURSE, hospital_id=target, wards=(ward_id,))
    nurse2 = User("pflege.z2", "Pflege Z2", Role.NURSE, hospital_id=target, wards=(ward_id,))
    outcomes = at_once(
        *(
            (lambda who=who: assign_bed(platform, who, log, queue_id, row["version"], bed_id))
            for who in (nurse, nurse2)
        )
    )
    for task_id in cleanings_of(platform, winner_stay["bed_id"]) - cleanings_before:
        put_back.made(f"Task/{task_id}")
    admitted = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(admitted) == 1 and len(refused) == 1, outcomes

    # The patient lies in the new hospital's bed.
    arrived = admitted[0]
    assert arrived["id"] == encounter_id and arrived["status"] == "in-progress"
    assert arrived["serviceProvider"]["reference"] == f"Organization/{target}"
    active_beds = [
        e["location"]["reference"]
        for e in arrived["location"]
        if e["status"] == "active" and e["physicalType"]["coding"][0]["code"] == "bd"
    ]
    assert active_beds == [f"Location/{bed_id}"]
    board = board_now(platform)
    assert board.at[bed_id, "status"] == "O"
    assert board.at[bed_id, "encounter_id"] == encounter_id
    now_placed = placements_now(platform).set_index("encounter_id")
    assert now_placed.at[encounter_id, "hospital_id"] == target
    # ... and no longer in the first: that stay is finished as a transfer, once. The patient
    # of the request that lost the bed still lies where they lay.
    assert winner_stay["encounter_id"] not in now_placed.index
    assert now_placed.at[loser_stay["encounter_id"], "bed_id"] == loser_stay["bed_id"]
    left = platform.http().get_json(f"Encounter/{winner_stay['encounter_id']}", no_cache=True)
    assert left["status"] == "finished"
    assert left["hospitalization"]["dischargeDisposition"]["coding"][0]["code"] == "verlegung"
    assert all(e["status"] != "active" for e in left["location"])
    assert platform.http().get_json(f"Task/{winner_task['id']}")["status"] == "completed"

    # The old bed is in housekeeping, with one cleaning task on the old ward.
    old_bed, old_ward = winner_stay["bed_id"], winner_stay["ward_id"]
    assert board.at[old_bed, "status"] == "H"
    made_now = cleanings_of(platform, old_bed) - cleanings_before
    assert len(made_now) == 1, "one cleaning task, whoever of the two nurses won"
    tasks = platform.read(queries.open_tasks_of_wards((old_ward,)), no_cache=True)["task"]
    cleaning = tasks.set_index("id").loc[next(iter(made_now))]
    assert (cleaning["code"], cleaning["ward_id"], cleaning["status"]) == (
        BED_CLEANING,
        old_ward,
        "requested",
    )
    assert cleaning["focus"] == f"Location/{old_bed}"

    # The requesting hospital sees the request done.
    sent = platform.read(
        outbound_requests(doctor.hospital_id, berlin_now() - pd.Timedelta(days=1)), no_cache=True
    )
    mine_now = outbound_view(
        sent["task"], sent["bed_request"], locations_now(platform), doctor.hospital_id, berlin_now()
    ).queue.set_index("task_id")
    assert mine_now.at[winner_task["id"], "state"] == "done"
    assert mine_now.at[loser_task["id"], "state"] == "open"

    # A nurse of the old ward completes the cleaning, as the task list does: the bed is free.
    old_nurse = User("pflege.o", "Pflege O", Role.NURSE, hospital_id=doctor.hospital_id)
    http = platform.http()
    change_task(
        http,
        cleaning.name,
        cleaning["version"],
        "complete",
        practitioner_id=old_nurse.practitioner_id,
    )
    freed = free_after_cleaning(http, old_bed)
    assert freed is not None and (freed.before, freed.after) == ("H", "U")
    assert board_now(platform).at[old_bed, "status"] == "U"
    assert can_take_patient(pd.Series([board_now(platform).at[old_bed, "status"]])).iloc[0]

    # Every write of the flow is audited, under the user who made it.
    deciders = {manager.username, colleague.username}
    assert len(deciders & audited_by(platform, f"Encounter/{encounter_id}", began)) == 1
    winner_nurse = {nurse.username, nurse2.username} & audited_by(
        platform, f"Encounter/{winner_stay['encounter_id']}", began
    )
    assert len(winner_nurse) == 1
    assert winner_nurse <= audited_by(platform, f"Location/{old_bed}", began)
    assert winner_nurse <= audited_by(platform, f"Task/{winner_task['id']}", began)


def zip_paths(task_id: str) -> list[str]:
    encounter_id, queue_id = arrival_ids(task_id)
    return [f"Encounter/{encounter_id}", f"Task/{queue_id}"]


def test_two_managers_accept_one_request_with_two_beds_and_only_one_is_held(
    platform, parties, put_back, send, log
):
    doctor, manager, colleague, target = parties
    board = board_now(platform)
    placed = placements_now(platform)
    stay = placed[(placed["hospital_id"] == doctor.hospital_id)].sort_values("encounter_id").iloc[0]
    beds = empty_beds(board, board["hospital_id"] == target).index[:2]
    assert len(beds) == 2, "the target hospital has two beds nobody lies in"
    for bed in beds:
        put_back.free(bed)
    versions = {
        b: platform.http().get_json(f"Location/{b}", no_cache=True)["meta"]["versionId"]
        for b in beds
    }
    category, age_group = board.at[beds[0], "bed_category"], board.at[beds[0], "age_group"]
    task = send(stay, category, age_group, "asap", "Beatmungspflichtig")

    outcomes = at_once(
        lambda: accept(platform, manager, log, task["id"], task["meta"]["versionId"], beds[0]),
        lambda: accept(platform, colleague, log, task["id"], task["meta"]["versionId"], beds[1]),
    )
    won = [o for o in outcomes if isinstance(o, dict)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert not isinstance(lost[0], BedTaken), "the loser lost the request, not a bed"
    assert lost[0].current["status"] == "accepted"
    held = won[0]["output"][0]["valueReference"]["reference"].removeprefix("Location/")
    other = next(b for b in beds if b != held)
    # The loser's bed was never touched; the winner's is held; one arrival announced.
    assert (
        platform.http().get_json(f"Location/{other}", no_cache=True)["meta"]["versionId"]
        == (versions[other])
    )
    board = board_now(platform)
    assert (board.at[held, "status"], board.at[other, "status"]) == ("R", "U")
    encounter_id, queue_id = arrival_ids(task["id"])
    queue = platform.http().get_json(f"Task/{queue_id}", no_cache=True)
    assert queue["meta"]["versionId"] == "1" and queue["status"] == "requested"
    assert queue["location"]["reference"] == f"Location/{board.at[held, 'ward_id']}"
    assert platform.http().get_json(f"Encounter/{encounter_id}")["status"] == "planned"


def test_a_whole_admission_while_a_second_nurse_gives_the_patient_another_bed(
    platform, test_network, put_back, log
):
    truth = test_network.ground_truth["admission_queue"]
    hospitals = tuple(h["id"] for h in test_network.manifest["hospitals"])
    board = board_now(platform)
    read = platform.read(admission_tasks(hospitals), no_cache=True)
    # A waiting patient, and two empty beds of the kind asked for on the ward, arranged free.
    chosen = None
    for ward_id in sorted(truth):
        view = queue_of(platform, read, ward_id)
        for _, row in view.queue.iterrows():
            fits = (
                (board["ward_id"] == ward_id)
                & (board["bed_category"] == row["bed_category"])
                & (board["age_group"] == row["age_group"])
            )
            empty = empty_beds(board, fits)
            if len(empty) >= 2:
                chosen = row, empty.index[:2]
                break
        if chosen:
            break
    assert chosen, "some waiting admission has two empty beds of its kind on its ward"
    row, beds = chosen
    ward_id = board.at[beds[0], "ward_id"]
    for bed in beds:
        put_back.free(bed)
    put_back.keep(f"Task/{row['task_id']}")
    put_back.keep(f"Encounter/{row['encounter_id']}")
    versions = {
        b: platform.http().get_json(f"Location/{b}", no_cache=True)["meta"]["versionId"]
        for b in beds
    }
    nurse = User("pflege.q", "Pflege Q", Role.NURSE, wards=(ward_id,))
    nurse2 = User("pflege.q2", "Pflege Q2", Role.NURSE, wards=(ward_id,))

    # The refreshed queue offers both beds to both nurses; each gives the patient one.
    offered = queue_of(platform, read, ward_id).offered[row["task_id"]]
    assert set(beds) <= set(offered["bed_id"])
    outcomes = at_once(
        lambda: assign_bed(platform, nurse, log, row["task_id"], row["version"], beds[0]),
        lambda: assign_bed(platform, nurse2, log, row["task_id"], row["version"], beds[1]),
    )
    won = [o for o in outcomes if isinstance(o, dict)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert not isinstance(lost[0], BedTaken), "the loser lost the patient, not a bed"
    given = beds[0] if isinstance(outcomes[0], dict) else beds[1]
    untouched = beds[1] if given == beds[0] else beds[0]

    # The patient lies in one bed: the stay in progress there, the bed occupied on the board.
    encounter = won[0]
    assert encounter["status"] == "in-progress"
    active = [
        e["location"]["reference"].removeprefix("Location/")
        for e in encounter["location"]
        if e["status"] == "active"
    ]
    assert given in active and untouched not in active
    assert sum(1 for e in encounter["location"] if e["status"] == "active") == 3
    board = board_now(platform)
    assert board.at[given, "status"] == "O"
    assert board.at[given, "encounter_id"] == row["encounter_id"]
    # The other bed was never written and still takes a patient.
    assert (
        platform.http().get_json(f"Location/{untouched}", no_cache=True)["meta"]["versionId"]
        == (versions[untouched])
    )
    assert board.at[untouched, "status"] == "U"
    done = platform.http().get_json(f"Task/{row['task_id']}", no_cache=True)
    assert done["status"] == "completed"
    assert done["output"][0]["valueReference"]["reference"] == f"Location/{given}"
    assert int(done["meta"]["versionId"]) == int(row["version"]) + 1
    # Left the queue; counted among the ward's inpatients.
    read = platform.read(admission_tasks(hospitals), no_cache=True)
    assert row["task_id"] not in set(read["task"].loc[read["task"]["status"] == "requested", "id"])
    placed = placements_now(platform).set_index("encounter_id")
    assert placed.at[row["encounter_id"], "ward_id"] == ward_id
