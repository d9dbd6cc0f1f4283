"""Transfer requests without a server: the resources written, what the extractors read back,
the queue and its figures, which beds fit, a reserved bed, and the generator's requests."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from components.bed_board import status_summary, tile_markdown
from services.codes import AGE_GROUP, BED_CATEGORY, BED_RESERVATION_EXT, BED_STATUS, PHYSICAL_TYPE
from services.domain.beds import bed_status_now, occupancy
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from services.roles import Capability, Role, User, allowed
from services.transfers import (
    QUEUE_COLUMNS,
    TransferAsk,
    decides_for,
    free_beds_matching,
    queue_figures,
    request_resources,
    suitable_beds,
    transfer_queue,
)
from services.views.ward import bed_board_view
from tests.support.frames import frames

pytestmark = pytest.mark.unit
NOW = pd.Timestamp("2026-12-02T10:00:00+01:00").tz_convert("Europe/Berlin")


def ask(n: int, **changes) -> TransferAsk:
    values = {
        "id": f"t{n}",
        "patient_id": f"pat-{n}",
        "encounter_id": f"enc-{n}",
        "requester_org": "org-a",
        "target_org": "org-b",
        "bed_category": "icu-low-care",
        "age_group": "adult",
        "sex": "female",
        "isolation": (),
        "urgency": "routine",
        "reason": "Intensivpflichtig",
    }
    return TransferAsk(**(values | changes))


def queue_of(resources: list[dict]) -> pd.DataFrame:
    tables = frames(resources, "Task")
    return transfer_queue(tables["task"], tables["bed_request"], NOW)


def test_request_names_no_patient_detail_beyond_the_minimum():
    service_request, task = request_resources(
        ask(1, isolation=("mrsa",)), datetime(2026, 12, 2, 8, tzinfo=UTC)
    )
    assert task["basedOn"] == [{"reference": f"ServiceRequest/{service_request['id']}"}]
    assert task["focus"] == {"reference": "Encounter/enc-1"}
    assert "encounter" not in task, "a request is no nursing work of the stay"
    assert task["owner"] == {"reference": "Organization/org-b"}
    details = {i["type"]["coding"][0]["code"] for i in task["input"]}
    assert details == {"bettenkategorie", "altersgruppe", "geschlecht", "isolation", "grund"}
    tables = frames([task], "Task")
    row = tables["bed_request"].iloc[0]
    assert (row["bed_category"], row["age_group"], row["sex"], row["isolation"]) == (
        "icu-low-care",
        "adult",
        "female",
        "mrsa",
    )
    assert (row["requester_org"], row["target_org"], row["encounter_id"]) == (
        "org-a",
        "org-b",
        "enc-1",
    )


def test_queue_orders_waiting_requests_by_urgency_then_age():
    resources = []
    for n, (urgency, hour) in enumerate([("routine", 6), ("stat", 9), ("urgent", 7)], 1):
        resources.append(
            request_resources(ask(n, urgency=urgency), datetime(2026, 12, 2, hour, tzinfo=UTC))[1]
        )
    declined = request_resources(ask(4, urgency="stat"), datetime(2026, 12, 2, 5, tzinfo=UTC))[1]
    declined |= {"status": "rejected", "statusReason": {"text": "voll"}}
    queue = queue_of([*resources, declined])
    assert list(queue["task_id"]) == ["tsk-t2", "tsk-t3", "tsk-t1", "tsk-t4"]
    assert list(queue["state"]) == ["open", "open", "open", "declined"]
    # 10:00 Berlin is 09:00 UTC: the routine request of 06:00 UTC waits 3 hours.
    assert queue.set_index("task_id").at["tsk-t1", "waiting_hours"] == pytest.approx(3.0)
    assert queue.set_index("task_id").at["tsk-t4", "status_reason"] == "voll"


def test_queue_states_and_figures():
    asked = request_resources(ask(1, urgency="urgent"), datetime(2026, 12, 2, 7, tzinfo=UTC))[1]
    asked |= {
        "status": "received",
        "businessStatus": {
            "coding": [{"system": asked["code"]["coding"][0]["system"], "code": "rueckfrage"}]
        },
    }
    reserved = request_resources(ask(2), datetime(2026, 12, 2, 7, tzinfo=UTC))[1]
    reserved |= {
        "status": "accepted",
        "restriction": {"period": {"end": "2026-12-02T12:00:00+01:00"}},
    }
    ended = request_resources(ask(3), datetime(2026, 12, 2, 2, tzinfo=UTC))[1]
    ended |= {"status": "accepted", "restriction": {"period": {"end": "2026-12-02T07:00:00+01:00"}}}
    waiting = request_resources(ask(4, urgency="asap"), datetime(2026, 12, 2, 4, tzinfo=UTC))[1]
    queue = queue_of([asked, reserved, ended, waiting])
    states = dict(zip(queue["task_id"], queue["state"], strict=True))
    assert states == {
        "tsk-t1": "asked_back",
        "tsk-t2": "reserved",
        "tsk-t3": "expired",
        "tsk-t4": "open",
    }
    figures = queue_figures(queue)
    assert figures["waiting"] == 2
    assert figures["urgent"] == 2
    assert figures["asked_back"] == 1
    assert figures["reserved"] == 1
    # The asap request of 04:00 UTC has waited 5 hours at 09:00 UTC.
    assert figures["longest_hours"] == pytest.approx(5.0)
    assert queue_figures(queue.iloc[0:0])["longest_hours"] is None


def loc(id_, kind, part_of=None, status=None, category="icu-low-care", age="adult", extension=None):
    res = {
        "resourceType": "Location",
        "id": id_,
        "name": id_.upper(),
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": kind}]},
        "managingOrganization": {"reference": "Organization/org-b"},
    }
    if part_of:
        res["partOf"] = {"reference": f"Location/{part_of}"}
    if status:
        res["operationalStatus"] = {"system": BED_STATUS, "code": status}
    if kind == "bd":
        res["type"] = [
            {"coding": [{"system": BED_CATEGORY, "code": category}]},
            {"coding": [{"system": AGE_GROUP, "code": age}]},
        ]
    if extension:
        res["extension"] = extension
    return res


def reservation(until: str) -> list[dict]:
    return [
        {
            "url": BED_RESERVATION_EXT,
            "extension": [
                {"url": "auftrag", "valueReference": {"reference": "Task/tsk-x"}},
                {"url": "bis", "valueDateTime": until},
            ],
        }
    ]


@pytest.fixture
def ward():
    """Ward w1: room r1 with a patient in b1 and b2 free; room r2 with b3 and b4 free; b5 a
    children's bed; b6 general; b7 reserved until 12:00, b8's reservation ended at 09:00."""
    locations = [
        loc("w1", "wa"),
        loc("r1", "ro", "w1"),
        loc("r2", "ro", "w1"),
        loc("r3", "ro", "w1"),
    ]
    locations += [
        loc("b1", "bd", "r1", "O"),
        loc("b2", "bd", "r1", "U"),
        loc("b3", "bd", "r2", "U"),
        loc("b4", "bd", "r2", "U"),
        loc("b5", "bd", "r3", "U", age="paediatric"),
        loc("b6", "bd", "r3", "U", category="general"),
        loc("b7", "bd", "r3", "U", extension=reservation("2026-12-02T12:00:00+01:00")),
        loc("b8", "bd", "r3", "U", extension=reservation("2026-12-02T09:00:00+01:00")),
    ]
    stay = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "in-progress",
        "class": {"code": "IMP"},
        "subject": {"reference": "Patient/p1"},
        "serviceProvider": {"reference": "Organization/org-b"},
        "period": {"start": "2026-11-30T09:00:00+01:00"},
        "location": [
            {
                "location": {"reference": "Location/b1"},
                "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": "bd"}]},
                "status": "active",
                "period": {"start": "2026-11-30T09:00:00+01:00"},
            }
        ],
    }
    tables = frames([*locations, stay], "Encounter")
    places = with_hierarchy(tables["location"])
    placed = current_placements(tables["encounter"], tables["encounter_location"], NOW)
    return places, placed


@pytest.fixture
def beds(ward):
    return bed_status_now(*ward, NOW)


def test_the_bed_board_shows_a_reserved_bed_in_words(ward):
    view = bed_board_view(*ward, frames([], "Task")["task"], "w1", NOW)
    assert view.counts["R"] == 1
    reserved = view.board[view.board["bed_id"] == "b7"].iloc[0]
    assert "reserviert" in tile_markdown(reserved, "de")
    assert "reserved" in tile_markdown(reserved, "en")
    assert "reserviert 1" in status_summary(view.counts, "de")
    assert view.free["free"].sum() == 6


def test_a_reserved_bed_is_neither_free_nor_blocked_for_another_patient(beds):
    status = dict(zip(beds["bed_id"], beds["status"], strict=True))
    assert status["b7"] == "R"
    assert status["b8"] == "U", "an ended reservation holds nothing"
    figures = occupancy(beds, []).iloc[0]
    assert figures["occupied"] == 1
    assert figures["free"] == 6  # b2, b3, b4, b5, b6, b8
    assert figures["blocked"] == 1  # the reserved b7


def test_suitable_beds_match_category_age_group_and_isolation(beds):
    plain = suitable_beds(beds, "org-b", "icu-low-care", "adult", isolation=False)
    assert sorted(plain["bed_id"]) == ["b2", "b3", "b4", "b8"]
    # Isolation: not the room with a patient (r1) nor the room with a reserved bed (r3).
    alone = suitable_beds(beds, "org-b", "icu-low-care", "adult", isolation=True)
    assert sorted(alone["bed_id"]) == ["b3", "b4"]
    assert suitable_beds(beds, "org-c", "icu-low-care", "adult", isolation=False).empty
    queue = pd.DataFrame(
        {
            "target_org": ["org-b", "org-b", "org-b"],
            "bed_category": ["icu-low-care", "icu-low-care", "imc"],
            "age_group": ["adult", "adult", "adult"],
            "isolation": [None, "mrsa", None],
        }
    )
    assert list(free_beds_matching(queue, beds)) == [4, 2, 0]


def test_who_requests_and_who_decides():
    assert allowed(Role.PHYSICIAN, Capability.TRANSFER_REQUEST)
    assert allowed(Role.MANAGER, Capability.TRANSFER_DECIDE)
    assert not allowed(Role.NURSE, Capability.TRANSFER_DECIDE)
    assert not allowed(Role.PHYSICIAN, Capability.TRANSFER_DECIDE)
    bed_manager = User("b", "B", Role.MANAGER, facilities=("org-b",))
    network = User("n", "N", Role.MANAGER)
    physician = User("p", "P", Role.PHYSICIAN, hospital_id="org-b")
    assert decides_for(bed_manager) == ("org-b",)
    assert decides_for(network) == ()
    assert decides_for(physician) == ()


def test_generated_requests_are_what_the_ground_truth_says():
    from demo_data.generator import generate

    network = generate(7, 0.12, datetime(2026, 12, 2, 8, tzinfo=UTC), kinds=["Task", "Flag"])
    truth = network.ground_truth["transfers"]
    tasks = [t for t in network.resources["Task"] if t["id"] in truth]
    assert len(tasks) == len(truth) >= 4
    assert {t["status"] for t in tasks} >= {"requested", "received", "rejected"}
    queue = transfer_queue(
        *(frames(tasks, "Task")[k] for k in ("task", "bed_request")),
        pd.Timestamp(network.ground_truth["as_of"]),
    )
    assert dict(zip(queue["task_id"], queue["state"], strict=True)) == {
        k: v["state"] for k, v in truth.items()
    }
    for target, expected in network.ground_truth["transfers_inbound"].items():
        figures = queue_figures(queue[queue["target_org"] == target])
        assert {k: figures[k] for k in expected} == expected, target
    requests = {r["id"] for r in network.resources["ServiceRequest"]}
    assert {t["basedOn"][0]["reference"].split("/")[1] for t in tasks} == requests
    for task in tasks:
        assert task["owner"] != task["requester"]
        assert "name" not in str(task["input"])


def test_an_empty_queue_has_its_columns_and_no_figures():
    queue = queue_of([])
    assert queue.empty
    assert list(queue.columns) == list(QUEUE_COLUMNS)
    assert queue_figures(queue) == {
        "waiting": 0,
        "urgent": 0,
        "asked_back": 0,
        "reserved": 0,
        "longest_hours": None,
    }
