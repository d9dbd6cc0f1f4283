"""The ward admission queue without a server: the Task written, what the extractors read back,
the queue's order and ward, the beds offered (category, age group, isolation, sex of the room),
who may act, and the generator's waiting admissions."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from demo_data.generator import generate
from services.admissions import admission_queue, admission_resources, beds_for
from services.codes import NURSING_TASK
from services.roles import Capability, Role, allowed
from services.views.admissions import admission_view
from tests.support.frames import frames
from tests.unit.test_transfers import NOW, beds, loc, ward  # noqa: F401  (fixtures)

pytestmark = pytest.mark.unit


def waiting(n: int, ward_id: str = "w1", **changes) -> dict:
    values = {
        "task_id": f"tsk-q{n}",
        "encounter": {"id": f"enc-q{n}", "subject": {"reference": f"Patient/pq{n}"}},
        "ward_id": ward_id,
        "hospital_id": "org-b",
        "bed_category": "icu-low-care",
        "age_group": "adult",
        "sex": "female",
        "isolation": (),
        "urgency": "routine",
        "reason": "Weiterbehandlung",
        "origin": "notfall",
        "authored": datetime(2026, 12, 2, 7, n, tzinfo=UTC),
    }
    return admission_resources(**(values | changes))


def queue_of(resources: list[dict], wards: tuple[str, ...] = ("w1",)) -> pd.DataFrame:
    tables = frames(resources, "Task")
    return admission_queue(tables["task"], tables["bed_request"], wards, NOW)


def test_the_task_is_no_nursing_work_and_reads_back():
    task = waiting(1, isolation=("mrsa",))
    assert "encounter" not in task, "ward task lists search tasks through their encounter"
    assert all(c["system"] != NURSING_TASK for c in task["code"]["coding"])
    row = queue_of([task]).iloc[0]
    assert (row["task_id"], row["encounter_id"], row["patient_id"]) == (
        "tsk-q1",
        "enc-q1",
        "pq1",
    )
    assert (row["bed_category"], row["age_group"], row["sex"], row["isolation"]) == (
        "icu-low-care",
        "adult",
        "female",
        "mrsa",
    )
    assert row["origin"] == "notfall"
    assert row["waiting_hours"] == pytest.approx(2.0 - 1 / 60)


def test_the_queue_keeps_its_ward_and_puts_the_urgent_first():
    tasks = [
        waiting(1),
        waiting(2, urgency="asap"),
        waiting(3, ward_id="w2"),
        {**waiting(4), "status": "completed"},
    ]
    queue = queue_of(tasks)
    assert list(queue["task_id"]) == ["tsk-q2", "tsk-q1"]
    assert queue_of([]).empty


def test_beds_offered_fit_category_age_group_isolation_and_sex_of_the_room(beds):  # noqa: F811
    admission = queue_of([waiting(1)]).iloc[0]
    offered = set(beds_for(beds, admission, "org-b")["bed_id"])
    # b5 is a children's bed, b6 general, b7 reserved; b2 shares a room with p1.
    assert offered == {"b2", "b3", "b4", "b8"}
    sexes = pd.Series({"p1": "male"})
    assert set(beds_for(beds, admission, "org-b", sexes)["bed_id"]) == {"b3", "b4", "b8"}
    male = queue_of([waiting(2, sex="male")]).iloc[0]
    assert "b2" in set(beds_for(beds, male, "org-b", sexes)["bed_id"])
    isolated = queue_of([waiting(3, isolation=("mrsa",))]).iloc[0]
    # In isolation only a room nobody lies in and nothing is reserved in: r1 holds p1, r3 b7.
    assert set(beds_for(beds, isolated, "org-b")["bed_id"]) == {"b3", "b4"}


def test_a_transferred_patient_is_offered_the_bed_reserved_for_the_transfer_first(beds):  # noqa: F811
    # b7 is held for the transfer request tsk-x until noon: for everybody else it is taken.
    arriving = queue_of([waiting(4, origin="verlegung", based_on="Task/tsk-x")]).iloc[0]
    assert arriving["transfer_id"] == "tsk-x"
    offered = list(beds_for(beds, arriving, "org-b")["bed_id"])
    assert offered[0] == "b7" and set(offered) == {"b7", "b2", "b3", "b4", "b8"}
    other = queue_of([waiting(5, origin="verlegung", based_on="Task/tsk-y")]).iloc[0]
    assert "b7" not in set(beds_for(beds, other, "org-b")["bed_id"])
    assert pd.isna(queue_of([waiting(6)]).iloc[0]["transfer_id"])


def test_only_nurses_admit():
    assert allowed(Role.NURSE, Capability.ADMISSIONS)
    for role in (Role.PHYSICIAN, Role.MANAGER, Role.ADMIN):
        assert not allowed(role, Capability.ADMISSIONS)


def test_the_generator_leaves_admissions_waiting_without_a_place():
    network = generate(7, 0.12, datetime(2026, 12, 2, 8, tzinfo=UTC), kinds=["Task"])
    truth = network.ground_truth["admission_queue"]
    assert truth
    encounters = {e["id"]: e for e in network.resources["Encounter"]}
    current = {e.patient.id for e in network.encounters if e.current}
    tasks = [
        t for t in network.resources["Task"] if t["id"] in {i for w in truth.values() for i in w}
    ]
    assert len(tasks) == sum(len(w) for w in truth.values())
    for expected in truth.values():
        for entry in expected.values():
            stay = encounters[entry["encounter"]]
            assert stay["status"] == {"notfall": "arrived", "verlegung": "planned"}[entry["origin"]]
            assert "location" not in stay and "end" not in stay["period"]
            assert entry["patient"] not in current
    queue = queue_of(tasks, tuple(truth))
    assert sorted(queue["task_id"]) == sorted(i for w in truth.values() for i in w)
    # The census figures are those without the queue.
    assert network.ground_truth["totals"]["inpatients_now"] == sum(
        network.ground_truth["census_now"].values()
    )


def person(source: str, id_: str, family: str, gender: str) -> pd.DataFrame:
    patient = {"resourceType": "Patient", "id": id_, "name": [{"family": family}], "gender": gender}
    return frames([patient], "Patient", source=source)["patient"]


def queued(n: int, source: str, patient: str, **changes) -> dict[str, pd.DataFrame]:
    stay = {"id": f"enc-q{n}", "subject": {"reference": f"Patient/{patient}"}}
    return frames([waiting(n, encounter=stay, **changes)], "Task", source=source)


def test_names_and_sexes_are_those_of_the_record_at_its_own_source(ward):  # noqa: F811
    # Ids are each server's own: a woman queued at another hospital's source carries the id
    # of the man lying in b1 (room r1, b2 free beside him), who is queued too, for a bed of
    # another kind on his own ward.
    locations, placed = ward
    woman, man = queued(1, "T", "p1"), queued(2, "S", "p1", sex="male")
    tasks = pd.concat([woman["task"], man["task"]], ignore_index=True)
    requests = pd.concat([woman["bed_request"], man["bed_request"]], ignore_index=True)
    him = person("S", "p1", "Liegend", "male")
    patients = pd.concat([person("T", "p1", "Anders", "female"), him], ignore_index=True)
    view = admission_view(tasks, requests, patients, locations, placed, him, "w1", NOW)
    names = dict(zip(view.queue["source"], view.queue["name"], strict=True))
    assert names == {"T": "Anders", "S": "Liegend"}
    assert view.beds.set_index("bed_id").at["b1", "patient_name"] == "Liegend"
    # The room of the man in b1 is no bed for her.
    assert "b2" not in set(view.offered["tsk-q1"]["bed_id"])
