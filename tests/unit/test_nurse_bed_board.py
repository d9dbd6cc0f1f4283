"""The bed board on the generated test network: statuses and free beds against the ground truth,
patients, ages and work per bed against the generated resources, and the tile words."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from components.bed_board import board_table, category_tiles, status_summary, tile_markdown
from demo_data.generator import PRESETS, generate
from services.codes import OPEN_TASK_STATES
from services.domain.bed_board import free_by_category, status_counts, ward_beds
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from tests.support.frames import frames as frames_of

pytestmark = pytest.mark.unit
AS_OF = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(scope="module")
def network():
    return generate(42, PRESETS["test"], AS_OF)


@pytest.fixture(scope="module")
def boards(network):
    def frames(resource_type: str) -> dict[str, pd.DataFrame]:
        return frames_of(network.resources[resource_type], resource_type)

    encounters = frames("Encounter")
    now = pd.Timestamp(network.ground_truth["as_of"]).tz_convert("Europe/Berlin")
    locations = with_hierarchy(frames("Location")["location"])
    placed = current_placements(encounters["encounter"], encounters["encounter_location"], now)
    tasks = frames("Task")["task"]
    patients = frames("Patient")["patient"]
    flags = frames("Flag")["flag"]
    return {
        ward: ward_beds(locations, placed, tasks, ward, now, patients=patients, flags=flags)
        for ward in network.ground_truth["bed_status_by_ward"]
    }


def test_status_per_ward_equals_ground_truth(network, boards):
    for ward_id, expected in network.ground_truth["bed_status_by_ward"].items():
        assert status_counts(boards[ward_id]) == expected, ward_id


def test_free_beds_by_category_equal_ground_truth(network, boards):
    for ward_id, categories in network.ground_truth["beds_by_ward"].items():
        free = free_by_category(boards[ward_id]).groupby("bed_category")["free"].sum()
        assert free.to_dict() == {c: counts["U"] for c, counts in categories.items()}, ward_id


def test_block_reasons_and_isolation_per_bed_equal_ground_truth(network, boards):
    board = pd.concat(boards.values(), ignore_index=True)
    reasons = board.dropna(subset=["block_reason"])
    truth = network.ground_truth
    assert (
        dict(zip(reasons["bed_id"], reasons["block_reason"], strict=True))
        == (truth["bed_block_reasons"])
    )
    isolated = board[board["isolation"].map(len) > 0]
    assert {b: list(c) for b, c in zip(isolated["bed_id"], isolated["isolation"], strict=True)} == (
        truth["bed_flags"]
    )
    assert truth["bed_flags"], "the test network has patients in isolation in its beds"


def test_every_bed_once_and_occupied_beds_named(network, boards):
    resources = network.resources["Location"]
    for ward_id, board in boards.items():
        rooms = {
            r["id"]
            for r in resources
            if r.get("partOf", {}).get("reference") == f"Location/{ward_id}"
        }
        beds = {
            r["id"]
            for r in resources
            if r.get("partOf", {}).get("reference", "").split("/")[-1] in rooms
        }
        assert sorted(board["bed_id"]) == sorted(beds)
        occupied = board[board["status"] == "O"]
        assert occupied["patient"].notna().all() and occupied["days"].notna().all()
        assert board[board["status"] != "O"]["patient"].isna().all()
        assert list(board["bed_id"]) == sorted(board["bed_id"]), "room by room, bed by bed"


def test_age_days_and_work_of_an_occupied_bed(network, boards):
    as_of = pd.Timestamp(network.ground_truth["as_of"])
    patients = {r["id"]: r for r in network.resources["Patient"]}
    encounters = {r["id"]: r for r in network.resources["Encounter"]}
    checked = 0
    for board in boards.values():
        for bed in board[board["status"] == "O"].itertuples():
            born = date.fromisoformat(patients[bed.patient_id]["birthDate"])
            today = as_of.tz_convert("Europe/Berlin").date()
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            assert bed.age == age
            start = pd.Timestamp(encounters[bed.encounter_id]["period"]["start"])
            assert bed.days == (as_of - start).days
            open_ = [
                r
                for r in network.resources["Task"]
                # Transfer requests name the stay as their focus, not as their encounter.
                if r.get("encounter", {}).get("reference") == f"Encounter/{bed.encounter_id}"
                and r["status"] in OPEN_TASK_STATES
            ]
            overdue = [r for r in open_ if pd.Timestamp(r["restriction"]["period"]["end"]) < as_of]
            assert (bed.open, bed.overdue) == (len(open_), len(overdue))
            checked += 1
    assert checked == network.ground_truth["totals"]["bed_status"]["O"]


def test_tiles_and_table_in_both_languages(boards):
    board = next(b for b in boards.values() if (b["overdue"] > 0).any())
    busy = board[board["overdue"] > 0].iloc[0]
    german = tile_markdown(busy, "de")
    assert busy["patient"] in german and "belegt" in german and ":red[" in german
    assert "überfällig" in german and "occupied" in tile_markdown(busy, "en")
    empty = board[board["status"] != "O"]
    if not empty.empty:
        assert "Patient" not in tile_markdown(empty.iloc[0], "de")
    table = board_table(board, "en")
    assert list(table.columns[:3]) == ["Room", "Bed", "Status"]
    assert table["Patient"].notna().sum() == (board["status"] == "O").sum()
    tiles = category_tiles(free_by_category(board), "de")
    assert all(" · " in name for name, _ in tiles)
    summary = status_summary(status_counts(board), "de")
    assert summary.startswith("Betten nach Status") and "belegt" in summary
