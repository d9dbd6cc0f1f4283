"""Bed turnaround on small hand-made frames and on the generated network: turnaround per ward
from the cleaning tasks, the capacity view's disclosure of it, a cleaning task's place on the
task list, isolation on the task list and the handover."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from components.task_table import row_texts
from demo_data.generator import PRESETS, generate
from services.codes import ISOLATION, NURSING_TASK
from services.domain.beds import bed_turnaround
from services.domain.handover import handover, sheet
from services.domain.stays import current_placements
from services.domain.ward_tasks import ward_task_list
from services.frames import with_hierarchy
from services.i18n import t
from services.views.capacity import capacity_now, capacity_turnaround
from tests.support.frames import frames

pytestmark = pytest.mark.unit
BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = datetime(2026, 3, 2, 10, tzinfo=BERLIN)
SINCE = pd.Timestamp("2026-11-20T00:00:00+01:00").tz_convert(BERLIN)


def cleaning(id_, ward, authored, end=None, status="completed", code="bettenreinigung"):
    task = {
        "resourceType": "Task",
        "id": id_,
        "status": status,
        "intent": "order",
        "code": {"coding": [{"system": NURSING_TASK, "code": code}]},
        "location": {"reference": f"Location/{ward}"},
        "focus": {"reference": "Location/b1"},
        "authoredOn": authored,
    }
    if end:
        task["executionPeriod"] = {"start": authored, "end": end}
    return task


def test_turnaround_is_median_and_90th_percentile_from_leaving_to_free():
    tasks = frames(
        [
            cleaning("t1", "w1", "2026-11-25T10:00:00+01:00", "2026-11-25T12:00:00+01:00"),
            cleaning("t2", "w1", "2026-11-25T21:00:00+01:00", "2026-11-26T08:00:00+01:00"),
            cleaning("t3", "w1", "2026-11-26T11:00:00+01:00", "2026-11-26T14:00:00+01:00"),
            cleaning("t4", "w2", "2026-11-26T11:00:00+01:00", "2026-11-26T17:00:00+01:00"),
            # Open: not yet free, no turnaround.
            cleaning("t5", "w2", "2026-11-27T11:00:00+01:00", status="in-progress"),
            # Finished before the window.
            cleaning("t6", "w2", "2026-11-01T11:00:00+01:00", "2026-11-01T13:00:00+01:00"),
            # Other nursing work does not free a bed.
            cleaning(
                "t7",
                "w2",
                "2026-11-26T11:00:00+01:00",
                "2026-11-26T12:00:00+01:00",
                code="medikation",
            ),
        ],
        "Task",
    )["task"]
    out = bed_turnaround(tasks, SINCE, ["ward_id"]).set_index("ward_id")
    assert out.loc["w1", "cleaned"] == 3
    assert out.loc["w1", "median_hours"] == 3.0
    assert out.loc["w1", "p90_hours"] == pytest.approx(pd.Series([2.0, 11.0, 3.0]).quantile(0.9))
    assert out.loc["w2", "cleaned"] == 1 and out.loc["w2", "median_hours"] == 6.0
    assert set(out.index) == {"w1", "w2"}


def test_turnaround_without_cleaning_tasks_is_empty():
    tasks = frames([], "Task")["task"]
    assert bed_turnaround(tasks, SINCE, ["ward_id"]).empty


@pytest.fixture(scope="module")
def network():
    return generate(42, PRESETS["test"], AS_OF)


@pytest.fixture(scope="module")
def tables(network):
    def of(kind):
        return frames(network.resources[kind], kind)

    encounters = of("Encounter")
    now = pd.Timestamp(network.ground_truth["as_of"]).tz_convert(BERLIN)
    return {
        "now": now,
        "locations": with_hierarchy(of("Location")["location"]),
        "organizations": of("Organization")["organization"],
        "encounters": encounters,
        "placements": current_placements(
            encounters["encounter"], encounters["encounter_location"], now
        ),
        "tasks": of("Task")["task"],
        "patients": of("Patient")["patient"],
        "flags": of("Flag")["flag"],
    }


def test_capacity_turnaround_matches_ground_truth_and_hides_small_groups(network, tables):
    now = tables["now"]
    beds = capacity_now(
        tables["locations"],
        tables["organizations"],
        tables["encounters"]["encounter"],
        tables["encounters"]["encounter_location"],
        now,
    )
    since = now - pd.Timedelta(days=14)
    shown = capacity_turnaround(beds, tables["tasks"], since, beds.facilities).set_index("ward_id")
    truth = {w: v for w, v in network.ground_truth["bed_turnaround"].items() if v["cleaned"]}
    assert set(shown.index) == set(truth)
    big = small = 0
    for ward, expected in truth.items():
        row = shown.loc[ward]
        if expected["cleaned"] >= 5:
            assert row["cleaned"] == str(expected["cleaned"])
            assert row["median_hours"] * 60 == pytest.approx(expected["median_minutes"])
            big += 1
        else:
            assert row["cleaned"] == "<5" and pd.isna(row["median_hours"])
            small += 1
    assert big, "some ward has enough cleanings for a median"


def test_cleaning_task_sits_at_its_bed_and_names_who_left(network, tables):
    cleaning_tasks = tables["tasks"][tables["tasks"]["code"] == "bettenreinigung"]
    # Reopen one completed cleaning: the list shows open tasks only.
    task = cleaning_tasks.iloc[0].copy()
    task["status"] = "requested"
    rows = ward_task_list(
        pd.DataFrame([task]),
        tables["placements"],
        tables["locations"],
        task["ward_id"],
        tables["now"],
        patients=tables["patients"],
    )
    row = rows.iloc[0]
    bed = task["focus"].removeprefix("Location/")
    names = tables["locations"].set_index("id")["name"]
    assert row["bed_id"] == bed and row["bed"] == names[bed]
    assert row["room"] == names[tables["locations"].set_index("id").at[bed, "part_of"]]
    words = row_texts(row, "de")
    assert words["patient"].startswith(f"**{row['room']} · {row['bed']}**")
    assert "frei geworden nach" in words["patient"]
    assert "Bettenreinigung" in row_texts(row, "de")["what"]
    assert "Bed cleaning" in row_texts(row, "en")["what"]


def test_isolation_on_the_task_list_and_the_handover(network, tables):
    flags = tables["flags"]
    flagged = flags[(flags["status"] == "active") & (flags["system"] == ISOLATION)]
    placed = tables["placements"]
    in_bed = placed[placed["patient_id"].isin(set(flagged["patient_id"]))]
    assert not in_bed.empty, "someone in isolation lies in a bed"
    tasks = tables["tasks"]
    open_work = tasks[tasks["status"].isin(["requested", "ready", "in-progress"])]
    with_work = in_bed[in_bed["encounter_id"].isin(set(open_work["encounter_id"]))]
    assert not with_work.empty, "someone in isolation has open work"
    patient = with_work.iloc[0]
    codes = tuple(sorted(set(flagged[flagged["patient_id"] == patient["patient_id"]]["code"])))
    ward = patient["ward_id"]
    rows = ward_task_list(
        tasks,
        placed,
        tables["locations"],
        ward,
        tables["now"],
        patients=tables["patients"],
        flags=tables["flags"],
    )
    theirs = rows[rows["patient_id"] == patient["patient_id"]]
    others = rows[rows["patient_id"] != patient["patient_id"]]
    assert not theirs.empty
    assert all(found == codes for found in theirs["isolation"])
    words = row_texts(theirs.iloc[0], "de")["patient"]
    assert ":red-badge[:material/masks: Isolation" in words
    assert all(t(f"isolation.{code}", "de") in words for code in codes)
    assert all(isinstance(found, tuple) for found in others["isolation"])
    result = handover(
        placed,
        tables["encounters"]["encounter_location"],
        tables["locations"],
        tasks,
        frames([], "Observation")["observation"],
        ward,
        tables["now"],
        patients=tables["patients"],
        flags=tables["flags"],
    )
    mine = result.patients[result.patients["patient_id"] == patient["patient_id"]]
    assert mine["isolation"].iloc[0] == codes
    table = sheet(result, "en").set_index("Patient")
    name = mine["patient"].iloc[0]
    assert table.loc[name, "Isolation"] != "none"
    without = result.patients[result.patients["isolation"].map(len) == 0]
    for other in without["patient"]:
        assert table.loc[other, "Isolation"] == "none"
