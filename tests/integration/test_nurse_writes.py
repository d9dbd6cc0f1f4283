"""Ward tasks on the real test server: counts against the ground truth, a completed task is
completed on the server, and two nurses completing the same task end with one completion."""

from __future__ import annotations

import pandas as pd
import pytest

from demo_data.users import build_demo_users
from services import queries
from services.domain.ward_tasks import task_summary, ward_task_list
from services.errors import Conflict
from services.frames import with_hierarchy
from services.task_writes import change_task

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def nurses(platform):
    """pflege.demo and pflege2.demo of the test network: two nurses of the same ward."""
    read = platform.read(queries.practitioner_roles())
    users = build_demo_users(read["practitioner_role"], read["practitioner"])
    return users["pflege.demo"]["scope"], users["pflege2.demo"]["scope"]


def as_of(test_network) -> pd.Timestamp:
    return pd.Timestamp(test_network.as_of).tz_convert("Europe/Berlin")


def open_tasks(platform, ward_ids) -> pd.DataFrame:
    read = platform.read(queries.open_tasks_of_wards(ward_ids), no_cache=True)
    assert not read.errors
    return read["task"]


def test_task_counts_per_ward_equal_ground_truth(platform, test_network):
    truth = test_network.ground_truth
    tasks = open_tasks(platform, list(truth["tasks_open"]))
    for ward_id, expected in truth["tasks_open"].items():
        counts = task_summary(tasks, ward_id, as_of(test_network), None)
        assert counts.open == expected, ward_id
        assert counts.overdue == truth["tasks_overdue"][ward_id], ward_id


def most_urgent(platform, test_network, ward_id: str) -> pd.Series:
    read = platform.read(queries.locations())
    locations = with_hierarchy(read["location"])
    empty = pd.DataFrame(columns=["source", "encounter_id", "room_id", "bed_id"])
    rows = ward_task_list(
        open_tasks(platform, [ward_id]), empty, locations, ward_id, as_of(test_network)
    )
    assert not rows.empty, "the demo nurse's ward has open tasks"
    return rows.iloc[0]


def test_completed_task_is_completed_on_the_server(platform, test_network, nurses, restore_tasks):
    nurse, _ = nurses
    ward_id = nurse["wards"][0]
    task = most_urgent(platform, test_network, ward_id)
    seen = restore_tasks(task["id"])
    before = len(open_tasks(platform, [ward_id]))

    stored = change_task(
        platform.http(),
        task["id"],
        seen["meta"]["versionId"],
        "complete",
        practitioner_id=nurse["practitioner"],
        note="Verband gewechselt",
    )

    on_server = platform.http().get_json(f"Task/{task['id']}")
    assert on_server["meta"]["versionId"] == stored["meta"]["versionId"]
    assert on_server["status"] == "completed"
    assert on_server["owner"]["reference"] == f"Practitioner/{nurse['practitioner']}"
    assert on_server["executionPeriod"]["end"]
    assert on_server["note"][-1]["text"] == "Verband gewechselt"
    after = open_tasks(platform, [ward_id])
    assert task["id"] not in set(after["id"])
    assert len(after) == before - 1


def test_two_nurses_complete_the_same_task(platform, test_network, nurses, restore_tasks):
    first, second = nurses
    ward_id = first["wards"][0]
    assert ward_id in second["wards"], "both demo nurses work on the same ward"
    task = most_urgent(platform, test_network, ward_id)
    seen = restore_tasks(task["id"])
    version = seen["meta"]["versionId"]

    change_task(
        platform.http(),
        task["id"],
        version,
        "complete",
        practitioner_id=first["practitioner"],
        note="erste",
    )
    with pytest.raises(Conflict) as lost:
        change_task(
            platform.http(),
            task["id"],
            version,
            "complete",
            practitioner_id=second["practitioner"],
            note="zweite",
        )

    current = lost.value.current
    assert current["status"] == "completed"
    assert current["owner"]["reference"] == f"Practitioner/{first['practitioner']}"
    on_server = platform.http().get_json(f"Task/{task['id']}")
    assert on_server["status"] == "completed"
    assert on_server["owner"]["reference"] == f"Practitioner/{first['practitioner']}"
    # Exactly one write after the version both nurses saw: the first nurse's.
    assert int(on_server["meta"]["versionId"]) == int(version) + 1
    assert [n["text"] for n in on_server.get("note", [])].count("zweite") == 0
