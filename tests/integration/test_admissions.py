"""The ward admission queue on the real test server: the generated queue against its ground
truth, a bed given (the bed board shows it occupied, the queue shrinks), two nurses giving one
bed at once (one wins, the other is told), a swap, a cancel, a nurse of another ward refused,
and the audit trail of every write."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from services import queries
from services.admissions import (
    admission_queue,
    admission_tasks,
    assign_bed,
    beds_for,
    cancel_admission,
    move_patient,
)
from services.domain.beds import bed_status_now
from services.domain.stays import current_placements
from services.errors import BedTaken, Conflict, NotPermitted
from services.frames import with_hierarchy
from services.roles import Role, User
from services.search import query
from tests.support.cleanup import audit_events
from tests.support.transfers import PutBack, free_beds_made

pytestmark = pytest.mark.integration


def berlin_now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="Europe/Berlin")


def hospitals_of(test_network) -> tuple[str, ...]:
    return tuple(h["id"] for h in test_network.manifest["hospitals"])


def read_queue(platform, test_network, wards: tuple[str, ...]) -> pd.DataFrame:
    read = platform.read(admission_tasks(hospitals_of(test_network)), no_cache=True)
    assert not read.errors
    return admission_queue(read["task"], read["bed_request"], wards, berlin_now())


def beds_now(platform) -> pd.DataFrame:
    locations = with_hierarchy(platform.read(queries.locations(), no_cache=True)["location"])
    stays = platform.read(queries.current_stays(), no_cache=True)
    placed = current_placements(stays["encounter"], stays["encounter_location"], berlin_now())
    return bed_status_now(locations, placed, berlin_now())


@pytest.fixture
def restore(platform, platform_admin):
    """Resources a test changes, put back as they were afterwards, and those it creates,
    deleted, as the platform's admin client: deletes are not the dashboard's to make."""
    put_back = PutBack(platform_admin)
    yield put_back
    put_back.undo()
    # HAPI answers an identical search within a minute from its stored result list: the beds'
    # search stores them as they are again for the pages that follow.
    if any(path.startswith("Location/") for path in put_back.kept):
        platform.read(queries.locations(), no_cache=True)


def sexes_now(platform) -> pd.Series:
    """Patient id -> gender, as the page reads them to keep a patient out of a room of the
    other sex."""
    patients = platform.read(query("Patient").search(_elements="gender"), no_cache=True)["patient"]
    return patients.set_index("id")["gender"]


def a_placeable(platform, test_network, put_back: PutBack) -> tuple[pd.Series, pd.DataFrame, User]:
    """A waiting admission with at least two free beds that fit it, and a nurse of its ward.

    Whether a ward with an admission waiting has two such beds at the generated hour is chance
    (about one network in four has none): failing that, beds of the ward that fit and that
    nobody lies in are set free, for the first admission they make placeable (``put_back``
    takes them first, so the test puts them back).
    """
    wards = tuple(test_network.ground_truth["admission_queue"])
    queue = read_queue(platform, test_network, wards)
    beds = beds_now(platform)
    sexes = sexes_now(platform)

    for arrange in (False, True):
        for _, row in queue.iterrows():
            hospital = beds.loc[beds["ward_id"] == row["ward_id"], "hospital_id"].iloc[0]
            offered = beds_for(beds, row, hospital, sexes)
            if arrange and len(offered) < 2:
                lying_sex = beds["patient_id"].map(sexes)
                known = isinstance(row["sex"], str) & lying_sex.isin(("male", "female"))
                other_sex = beds.loc[known & lying_sex.ne(row["sex"]), "room_id"]
                fitting = (
                    (beds["ward_id"] == row["ward_id"])
                    & (beds["bed_category"] == row["bed_category"])
                    & (beds["age_group"] == row["age_group"])
                    & ~beds["room_id"].isin(set(other_sex.dropna()))
                )
                if free_beds_made(platform, put_back, beds, fitting, 2 - len(offered)):
                    beds = beds_now(platform)
                    offered = beds_for(beds, row, hospital, sexes)
            if len(offered) >= 2:
                nurse = User(
                    "pflege.q",
                    "Pflege Q",
                    Role.NURSE,
                    hospital_id=hospital,
                    wards=(row["ward_id"],),
                )
                return row, offered, nurse
    pytest.fail("no waiting admission has two beds nobody lies in that fit it")


def keep_admission(keep, row: pd.Series, beds: list[str]) -> None:
    keep(f"Task/{row['task_id']}")
    keep(f"Encounter/{row['encounter_id']}")
    for bed in beds:
        keep(f"Location/{bed}")


def audit_of(platform, path: str) -> list[dict]:
    return audit_events(platform.http(), path)


def test_generated_queue_is_the_ground_truth(platform, test_network):
    truth = test_network.ground_truth["admission_queue"]
    assert truth, "the generator leaves admissions waiting"
    queue = read_queue(platform, test_network, tuple(truth))
    for ward_id, expected in truth.items():
        mine = queue[queue["ward_id"] == ward_id]
        assert set(mine["task_id"]) == set(expected)
        for _, row in mine.iterrows():
            want = expected[row["task_id"]]
            assert row["encounter_id"] == want["encounter"]
            assert row["patient_id"] == want["patient"]
            assert (row["origin"], row["urgency"]) == (want["origin"], want["urgency"])
            assert (row["bed_category"], row["age_group"], row["sex"]) == (
                want["bed_category"],
                want["age_group"],
                want["sex"],
            )
    # Waiting stays are no inpatients: the census now is the generated one.
    stays = platform.read(queries.current_stays(), no_cache=True)
    placed = current_placements(stays["encounter"], stays["encounter_location"], berlin_now())
    waiting = {e["encounter"] for ward in truth.values() for e in ward.values()}
    assert not set(placed["encounter_id"]) & waiting


def test_assign_bed_race_and_swap(platform, test_network, restore, tmp_path):
    keep = restore.keep
    row, offered, nurse = a_placeable(platform, test_network, restore)
    bed, other_bed = offered["bed_id"].iloc[0], offered["bed_id"].iloc[1]
    keep_admission(keep, row, [bed, other_bed])
    log = tmp_path / "audit.log"

    # Two nurses give the same bed at once: one transaction wins, the other is told.
    second = User("pflege.q2", "Pflege Q2", Role.NURSE, wards=(row["ward_id"],))
    outcomes: list[object] = []

    def give(user: User) -> None:
        try:
            outcomes.append(assign_bed(platform, user, log, row["task_id"], row["version"], bed))
        except Conflict as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=give, args=(u,)) for u in (nurse, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [o for o in outcomes if isinstance(o, dict)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], BedTaken), "the loser is told the bed is taken"

    board = beds_now(platform).set_index("bed_id")
    assert board.at[bed, "status"] == "O"
    assert board.at[bed, "encounter_id"] == row["encounter_id"]
    assert row["task_id"] not in set(
        read_queue(platform, test_network, (row["ward_id"],))["task_id"]
    )
    assert audit_of(platform, f"Location/{bed}")
    assert audit_of(platform, f"Task/{row['task_id']}")

    # The patient moves to a free bed: it is occupied, the old one in housekeeping with a task.
    move_patient(platform, nurse, log, row["encounter_id"], other_bed)
    board = beds_now(platform).set_index("bed_id")
    assert board.at[other_bed, "encounter_id"] == row["encounter_id"]
    assert board.at[bed, "status"] == "H"
    cleaning = platform.http().get_json(
        "Task", params={"focus": f"Location/{bed}", "status": "requested"}, no_cache=True
    )
    made = [e["resource"]["id"] for e in cleaning.get("entry") or []]
    left = [f"Task/{task_id}" for task_id in made if task_id.endswith("-r")]
    assert left, "a cleaning task for the bed left"
    for path in left:
        restore.made(path)
    keep(f"Location/{bed}")

    # Two patients exchange beds.
    occupied = board[(board["ward_id"] == row["ward_id"]) & (board["status"] == "O")]
    partner = occupied[occupied["encounter_id"] != row["encounter_id"]].iloc[0]
    keep(f"Encounter/{partner['encounter_id']}")
    move_patient(platform, nurse, log, row["encounter_id"], partner.name)
    board = beds_now(platform).set_index("bed_id")
    assert board.at[partner.name, "encounter_id"] == row["encounter_id"]
    assert board.at[other_bed, "encounter_id"] == partner["encounter_id"]


def test_cancel_and_a_nurse_of_another_ward(platform, test_network, restore, tmp_path):
    keep = restore.keep
    row, _, nurse = a_placeable(platform, test_network, restore)
    keep_admission(keep, row, [])
    log = tmp_path / "audit.log"
    elsewhere = User("pflege.x", "Pflege X", Role.NURSE, wards=("loc-nowhere",))
    with pytest.raises(NotPermitted):
        cancel_admission(platform, elsewhere, log, row["task_id"], row["version"], "Falsch")
    with pytest.raises(ValueError):
        cancel_admission(platform, nurse, log, row["task_id"], row["version"], " ")
    cancel_admission(platform, nurse, log, row["task_id"], row["version"], "Patient verlegt")
    task = platform.http().get_json(f"Task/{row['task_id']}", no_cache=True)
    assert task["status"] == "cancelled" and task["statusReason"]["text"] == "Patient verlegt"
    encounter = platform.http().get_json(f"Encounter/{row['encounter_id']}", no_cache=True)
    assert encounter["status"] == "cancelled"
    assert row["task_id"] not in set(
        read_queue(platform, test_network, (row["ward_id"],))["task_id"]
    )
    assert audit_of(platform, f"Task/{row['task_id']}")
    # The version seen before is no longer one to act on.
    with pytest.raises(Conflict):
        cancel_admission(platform, nurse, log, row["task_id"], row["version"], "nochmal")
