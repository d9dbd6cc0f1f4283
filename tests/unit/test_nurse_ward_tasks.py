"""The ward task list on the generated test network: counts against the generator's ground truth,
order, filters, the nurse's own writes laid over the cached read, and the ward choice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from components.task_table import row_texts
from demo_data.generator import PRESETS, generate
from services.codes import NURSING_TASK, OPEN_TASK_STATES
from services.domain.stays import current_placements
from services.domain.tasks import PRIORITY_RANK
from services.domain.ward_tasks import (
    TaskFilter,
    filter_tasks,
    only_open,
    task_frame,
    task_summary,
    task_tables,
    ward_task_list,
    wards_of,
    with_own_writes,
)
from services.frames import with_hierarchy
from services.roles import Role, User
from services.task_writes import _apply
from tests.support.frames import frames as frames_of

pytestmark = pytest.mark.unit
AS_OF = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(scope="module")
def network():
    return generate(42, PRESETS["test"], AS_OF)


@pytest.fixture(scope="module")
def tables(network):
    def frames(resource_type: str) -> dict[str, pd.DataFrame]:
        return frames_of(network.resources[resource_type], resource_type)

    encounters = frames("Encounter")
    now = pd.Timestamp(network.ground_truth["as_of"]).tz_convert("Europe/Berlin")
    return {
        "now": now,
        "locations": with_hierarchy(frames("Location")["location"]),
        "placements": current_placements(
            encounters["encounter"], encounters["encounter_location"], now
        ),
        # The ward's work: requests for a bed (transfers, admissions) are Tasks too.
        "tasks": nursing(frames("Task")),
        "patients": frames("Patient")["patient"],
        "practitioners": frames("Practitioner")["practitioner"],
        "roles": frames("PractitionerRole")["practitioner_role"],
    }


def nursing(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    tasks = tables["task"]
    return tasks[~tasks["id"].isin(tables["bed_request"]["task_id"])]


def task_list(tables, ward_id):
    return ward_task_list(
        tables["tasks"],
        tables["placements"],
        tables["locations"],
        ward_id,
        tables["now"],
        patients=tables["patients"],
        practitioners=tables["practitioners"],
    )


def test_counts_per_ward_equal_ground_truth(network, tables):
    truth = network.ground_truth
    assert truth["tasks_open"], "the network has wards"
    for ward_id, expected_open in truth["tasks_open"].items():
        counts = task_summary(tables["tasks"], ward_id, tables["now"], None)
        rows = task_list(tables, ward_id)
        assert counts.open == expected_open == len(rows), ward_id
        assert counts.overdue == truth["tasks_overdue"][ward_id] == rows["overdue"].sum(), ward_id


def test_mine_and_unassigned_counts_follow_owners(network, tables):
    resources = network.resources["Task"]
    for ward_id in network.ground_truth["tasks_open"]:
        of_ward = [
            r
            for r in resources
            if r["code"]["coding"][0]["system"] == NURSING_TASK
            and r["location"]["reference"] == f"Location/{ward_id}"
            and r["status"] in OPEN_TASK_STATES
        ]
        owned = [r["owner"]["reference"].split("/")[1] for r in of_ward if "owner" in r]
        me = owned[0] if owned else "nobody"
        counts = task_summary(tables["tasks"], ward_id, tables["now"], me)
        assert counts.unassigned == len(of_ward) - len(owned)
        assert counts.mine == owned.count(me)
        assert counts.in_progress == sum(r["status"] == "in-progress" for r in of_ward)


def test_overdue_first_then_priority_then_due(network, tables):
    for ward_id in network.ground_truth["tasks_open"]:
        rows = task_list(tables, ward_id)
        keys = list(
            zip(
                ~rows["overdue"],
                rows["priority"].map(PRIORITY_RANK),
                rows["due"].fillna(pd.Timestamp.max.tz_localize("Europe/Berlin")),
                strict=True,
            )
        )
        assert keys == sorted(keys), ward_id


def test_rows_say_who_where_and_who_owns_it(network, tables):
    ward_id = next(iter(network.ground_truth["tasks_open"]))
    rows = task_list(tables, ward_id)
    placed = rows[rows["bed_id"].notna()]
    assert not placed.empty
    assert placed["bed"].notna().all() and placed["room"].notna().all()
    assert rows["patient"].str.contains(", ").all()
    owned = rows[rows["owner_id"].notna()]
    assert (owned["owner"] != owned["owner_id"]).all(), "owners are named, not ids"
    by_id = {r["id"]: r for r in network.resources["Patient"]}
    for row in rows.itertuples():
        assert row.patient.startswith(by_id[row.patient_id]["name"][0]["family"])


def test_filters_narrow_by_status_kind_bed_and_owner(network, tables):
    rows = pd.concat(
        [task_list(tables, w) for w in network.ground_truth["tasks_open"]], ignore_index=True
    )
    me = rows["owner_id"].dropna().iloc[0]
    assert set(filter_tasks(rows, TaskFilter(statuses=("ready",)), me)["status"]) == {"ready"}
    assert set(filter_tasks(rows, TaskFilter(kinds=("medikation",)), me)["code"]) == {"medikation"}
    bed = rows["bed_id"].dropna().iloc[0]
    assert set(filter_tasks(rows, TaskFilter(beds=(bed,)), me)["bed_id"]) == {bed}
    mine = filter_tasks(rows, TaskFilter(owner="mine"), me)
    unassigned = filter_tasks(rows, TaskFilter(owner="unassigned"), me)
    either = filter_tasks(rows, TaskFilter(owner="mine_or_unassigned"), me)
    assert (mine["owner_id"] == me).all() and len(mine) == (rows["owner_id"] == me).sum()
    assert unassigned["owner_id"].isna().all() and len(unassigned) == rows["owner_id"].isna().sum()
    assert len(either) == len(mine) + len(unassigned)
    assert len(filter_tasks(rows, TaskFilter(), me)) == len(rows)
    # The order of urgency survives filtering.
    assert list(either["id"]) == [i for i in rows["id"] if i in set(either["id"])]


def test_own_write_replaces_older_row_and_leaves_the_open_list(network, tables):
    open_tasks = [r for r in network.resources["Task"] if r["status"] in OPEN_TASK_STATES]
    seen = {**open_tasks[0], "meta": {"versionId": "1"}}
    completed = {**_apply(seen, "complete", "pra-x", "done"), "id": seen["id"]}
    completed["meta"] = {"versionId": "2"}
    read = task_frame([seen, *open_tasks[1:]], "S")
    merged = with_own_writes(read, task_frame([completed], "S"))
    assert len(merged) == len(read)
    row = merged[merged["id"] == seen["id"]].iloc[0]
    assert row["status"] == "completed" and row["owner_id"] == "pra-x" and row["note"] == "done"
    ward_id = seen["location"]["reference"].split("/")[1]
    before = task_summary(read, ward_id, tables["now"], None).open
    assert task_summary(merged, ward_id, tables["now"], None).open == before - 1


def test_newer_read_wins_over_an_older_own_write(network):
    task = next(r for r in network.resources["Task"] if r["status"] in OPEN_TASK_STATES)
    mine = task_frame([{**task, "status": "in-progress", "meta": {"versionId": "2"}}], "S")
    theirs = task_frame([{**task, "status": "completed", "meta": {"versionId": "3"}}], "S")
    assert with_own_writes(theirs, mine)["status"].tolist() == ["completed"]
    other = {**task, "id": "tsk-new", "meta": {"versionId": "1"}}
    added = with_own_writes(theirs, task_frame([other], "S"))
    assert sorted(added["id"]) == sorted([task["id"], "tsk-new"])


def test_ward_choice_is_limited_to_the_users_wards(tables):
    locations, roles = tables["locations"], tables["roles"]
    nurse_wards = roles[(roles["role"] == "nurse") & roles["ward_id"].notna()]
    first = nurse_wards.iloc[0]
    nurse = User(
        "n",
        "N",
        Role.NURSE,
        first["practitioner_id"],
        first["hospital_id"],
        wards=("x", first["ward_id"]),
    )
    assert wards_of(nurse, locations)["id"].tolist() == [first["ward_id"]]
    wards = locations[locations["physical_type"] == "wa"]
    ward = wards.iloc[0]
    doctor = User(
        "d", "D", Role.PHYSICIAN, "p", ward["hospital_id"], departments=(ward["department"],)
    )
    expected = wards[
        (wards["hospital_id"] == ward["hospital_id"]) & (wards["department"] == ward["department"])
    ]
    assert set(wards_of(doctor, locations)["id"]) == set(expected["id"])
    manager = User("m", "M", Role.MANAGER)
    assert wards_of(manager, locations).empty


def test_row_words_in_both_languages(network, tables):
    rows = task_list(tables, next(iter(network.ground_truth["tasks_overdue"])))
    overdue = rows[rows["overdue"]].iloc[0]
    german, english = row_texts(overdue, "de"), row_texts(overdue, "en")
    assert "überfällig" in german["due"] and ":red" in german["due"]
    assert "overdue" in english["due"]
    assert overdue["patient"] in german["patient"] and overdue["bed"] in german["patient"]
    assert german["what"] != english["what"]


def test_a_refresh_keeps_only_open_tasks_and_their_notes():
    def task(task_id: str, status: str) -> dict:
        return {
            "resourceType": "Task",
            "id": task_id,
            "status": status,
            "intent": "order",
            "note": [{"text": f"Notiz {task_id}"}],
        }

    tables = task_tables(
        [task("a", "requested"), task("b", "completed"), task("c", "in-progress")], "S"
    )
    tables["task"] = tables["task"].iloc[::-1]
    kept = only_open({**tables, "patient": pd.DataFrame({"source": ["S"], "id": ["p"]})})
    assert sorted(kept["task"]["id"]) == ["a", "c"]
    assert sorted(kept["task_note"]["task_id"]) == ["a", "c"]
    assert list(kept["patient"]["id"]) == ["p"], "tables other than the task's are left as they are"
