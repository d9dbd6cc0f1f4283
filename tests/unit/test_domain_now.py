"""Who lies where now, bed status and occupancy, task urgency: on small hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from services.codes import BED_STATUS, PHYSICAL_TYPE
from services.domain.beds import bed_status_now, occupancy
from services.domain.stays import current_placements
from services.domain.tasks import by_urgency, task_counts
from services.frames import with_hierarchy
from tests.support.frames import frames

pytestmark = pytest.mark.unit
NOW = pd.Timestamp("2026-11-29T10:00:00+01:00").tz_convert("Europe/Berlin")


def loc(id_, kind, part_of=None, status=None):
    res = {
        "resourceType": "Location",
        "id": id_,
        "name": id_.upper(),
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": kind}]},
        "managingOrganization": {"reference": "Organization/h1"},
    }
    if part_of:
        res["partOf"] = {"reference": f"Location/{part_of}"}
    if status:
        res["operationalStatus"] = {"system": BED_STATUS, "code": status}
    return res


def entry(location, kind, start, end=None, status="active"):
    period = {"start": start} | ({"end": end} if end else {})
    return {
        "location": {"reference": f"Location/{location}"},
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": kind}]},
        "status": status,
        "period": period,
    }


def encounter(id_, status, locations, start="2026-11-25T09:00:00+01:00", klass="IMP"):
    return {
        "resourceType": "Encounter",
        "id": id_,
        "status": status,
        "class": {"code": klass},
        "subject": {"reference": f"Patient/p-{id_}"},
        "serviceProvider": {"reference": "Organization/h1"},
        "period": {"start": start},
        "location": locations,
    }


@pytest.fixture
def ward():
    locations = [loc("w1", "wa"), loc("r1", "ro", "w1")]
    locations += [loc(f"b{n}", "bd", "r1", s) for n, s in enumerate(["O", "U", "C", "H", "U"], 1)]
    encounters = [
        # Transferred from b2 to b1 yesterday: only b1 is current.
        encounter(
            "e1",
            "in-progress",
            [
                entry("w1", "wa", "2026-11-25T09:00:00+01:00"),
                entry(
                    "b2",
                    "bd",
                    "2026-11-25T09:00:00+01:00",
                    "2026-11-28T12:00:00+01:00",
                    "completed",
                ),
                entry("b1", "bd", "2026-11-28T12:00:00+01:00"),
            ],
        ),
        # Discharged: takes no bed even though its bed says "occupied" in the past.
        encounter(
            "e2",
            "finished",
            [
                entry(
                    "b5",
                    "bd",
                    "2026-11-20T09:00:00+01:00",
                    "2026-11-24T09:00:00+01:00",
                    "completed",
                )
            ],
        ),
        # An outpatient contact never takes a bed.
        encounter(
            "e3", "in-progress", [entry("b4", "bd", "2026-11-29T08:00:00+01:00")], klass="AMB"
        ),
    ]
    locs = with_hierarchy(frames(locations, "Location")["location"])
    enc = frames(encounters, "Encounter")
    return locs, enc


def test_current_placement_follows_transfers(ward):
    _, enc = ward
    placed = current_placements(enc["encounter"], enc["encounter_location"], NOW)
    assert list(placed["encounter_id"]) == ["e1"]
    row = placed.iloc[0]
    assert (row["ward_id"], row["bed_id"], row["days_so_far"]) == ("w1", "b1", 4)


def test_bed_status_and_occupancy(ward):
    locs, enc = ward
    placed = current_placements(enc["encounter"], enc["encounter_location"], NOW)
    beds = bed_status_now(locs, placed)
    assert dict(zip(beds["bed_id"], beds["status"], strict=True)) == {
        "b1": "O",
        "b2": "U",
        "b3": "C",
        "b4": "H",
        "b5": "U",
    }
    assert set(beds["ward_id"]) == {"w1"}
    figures = occupancy(beds, ["ward_id"]).iloc[0]
    assert figures["total"] == 5
    assert figures["occupied"] == 1
    assert figures["free"] == 2
    assert figures["blocked"] == 2
    assert figures["occupancy"] == pytest.approx(1 / 4)  # the closed bed is out of service


def test_tasks_by_urgency_and_counts():
    def task(id_, status, priority, due):
        return {
            "resourceType": "Task",
            "id": id_,
            "status": status,
            "intent": "order",
            "priority": priority,
            "location": {"reference": "Location/w1"},
            "restriction": {"period": {"end": due}},
        }

    tasks = frames(
        [
            task("late-routine", "requested", "routine", "2026-11-29T08:00:00+01:00"),
            task("late-stat", "ready", "stat", "2026-11-29T09:00:00+01:00"),
            task("soon-urgent", "requested", "urgent", "2026-11-29T11:00:00+01:00"),
            task("soon-routine", "in-progress", "routine", "2026-11-29T10:30:00+01:00"),
            task("done", "completed", "stat", "2026-11-29T07:00:00+01:00"),
        ],
        "Task",
    )["task"]
    ordered = by_urgency(tasks, NOW)
    assert list(ordered["id"]) == ["late-stat", "late-routine", "soon-urgent", "soon-routine"]
    counts = task_counts(tasks, NOW, ["ward_id"]).iloc[0]
    assert (counts["open"], counts["overdue"]) == (4, 2)


def test_tasks_due_in_the_same_second_come_in_id_order_whatever_order_they_are_read_in():
    def task(id_):
        return {
            "resourceType": "Task",
            "id": id_,
            "status": "requested",
            "intent": "order",
            "priority": "routine",
            "location": {"reference": "Location/w1"},
            "restriction": {"period": {"end": "2026-11-29T11:00:00+01:00"}},
        }

    ids = ["t-b", "t-a", "t-c"]
    for read in (ids, ids[::-1]):
        tasks = frames([task(i) for i in read], "Task")["task"]
        assert list(by_urgency(tasks, NOW)["id"]) == ["t-a", "t-b", "t-c"]
