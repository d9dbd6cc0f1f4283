"""The one-screen bed grid on the generated test network: every bed once, rooms as columns with
the sex of their patients, each occupied bed with its NEWS2 (as the early warning board scores
it), planned discharge and isolation in words; blocked beds with their reason; no raw nulls."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from components.bed_grid import cell_text, grid_tables
from demo_data.generator import PRESETS, generate
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from services.i18n import t
from services.views.ward import bed_board_view
from tests.support.frames import frames as frames_of

pytestmark = pytest.mark.unit
AS_OF = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Berlin"))
RAW = {"None", "nan", "NaN", "NaT", "<NA>"}


@pytest.fixture(scope="module")
def grids():
    network = generate(42, PRESETS["test"], AS_OF)

    def frames(resource_type: str) -> dict[str, pd.DataFrame]:
        return frames_of(network.resources[resource_type], resource_type)

    truth = network.ground_truth
    now = pd.Timestamp(truth["as_of"]).tz_convert("Europe/Berlin")
    encounters = frames("Encounter")
    placed = current_placements(encounters["encounter"], encounters["encounter_location"], now)
    locations = with_hierarchy(frames("Location")["location"])
    patients = frames("Patient")["patient"]
    views = {
        ward: bed_board_view(
            locations,
            placed,
            frames("Task")["task"],
            ward,
            now,
            patients,
            frames("Flag")["flag"],
            observations=frames("Observation")["observation"],
        )
        for ward in truth["bed_status_by_ward"]
    }
    genders = dict(zip(patients["id"], patients["gender"], strict=True))
    return truth, views, genders


def test_every_bed_once_in_its_rooms_column(grids):
    truth, views, _ = grids
    for ward, view in views.items():
        grid = view.grid
        assert len(grid) == sum(truth["bed_status_by_ward"][ward].values()), ward
        placed = [index for _, where in grid_tables(grid, "de") for index in where.values()]
        assert sorted(placed) == list(range(len(grid))), ward
        for table, where in grid_tables(grid, "de"):
            assert len(table.columns) <= 8
            for (row, column), index in where.items():
                cell = table.at[row, column]
                assert cell.startswith(f"{grid.at[index, 'bed']} · "), (ward, cell)
                assert column.startswith(grid.at[index, "room"]), (ward, column)


def test_room_sex_is_the_sex_of_the_patients_lying_there(grids):
    _, views, genders = grids
    seen = set()
    for view in views.values():
        grid = view.grid
        for room, beds in grid.groupby("room_id"):
            lying = {genders[p] for p in beds["patient_id"].dropna()}
            expected = (
                "empty"
                if not lying
                else "female"
                if lying == {"female"}
                else "male"
                if lying == {"male"}
                else "mixed"
                if lying <= {"female", "male", "other"}
                else "unknown"
            )
            assert set(beds["room_sex"]) == {expected}, room
            seen.add(expected)
    assert {"female", "male", "empty"} <= seen


def test_news2_as_the_ground_truth_scores_it(grids):
    truth, views, _ = grids
    alerts = 0
    for view in views.values():
        for _, cell in view.grid[view.grid["encounter_id"].notna()].iterrows():
            expected = truth["news2"][cell["encounter_id"]]
            assert cell["news2_status"] == expected["status"], cell["encounter_id"]
            words = cell_text(cell, "de")
            if expected["status"] in ("complete", "incomplete"):
                assert cell["news2_band"] == expected["band"]
                alert = expected["band"] in ("low_medium", "medium", "high")
                assert ("⚠ NEWS2" in words) == alert, words
                alerts += alert
    assert alerts, "the network has patients whose vitals raise an alert"


def test_words_for_every_bed_and_what_is_not_recorded(grids):
    _, views, _ = grids
    said = set()
    for view in views.values():
        for _, cell in view.grid.iterrows():
            words = cell_text(cell, "de")
            assert not set(words.replace("·", " ").split()) & RAW, words
            if isinstance(cell["encounter_id"], str):
                assert "NEWS2" in words or t("grid.news2_child") in words
                assert "Entlassung" in words
                said.add("discharge_none" if t("grid.discharge_none") in words else "discharge")
            elif cell["status"] in ("C", "I"):
                assert "Grund" in words
        for table, _ in grid_tables(view.grid, "en"):
            assert not {str(v) for v in table.to_numpy().ravel()} & RAW
    assert said == {"discharge", "discharge_none"}


def test_a_hand_made_bed_of_each_kind():
    base = {"bed": "1A-2-1", "status_known": True, "isolation": ()}
    occupied = pd.Series(
        base
        | {
            "status": "O",
            "encounter_id": "e",
            "patient": "Muster, Anna",
            "news2_status": "complete",
            "news2_band": "high",
            "news2_score": 8,
            "discharge": "tomorrow",
            "planned_end": pd.NaT,
            "isolation": ("mrsa",),
        }
    )
    assert cell_text(occupied, "de") == (
        "1A-2-1 · belegt · Muster, Anna · ⚠ NEWS2 8 (hoch) · Entlassung morgen · "
        f"Isolation: {t('isolation.mrsa')}"
    )
    blocked = pd.Series(base | {"status": "C", "encounter_id": None, "block_reason": None})
    assert cell_text(blocked, "en").endswith("reason not recorded")
    nameless = occupied.copy()
    nameless["patient"], nameless["news2_status"], nameless["discharge"] = None, "none", None
    assert cell_text(nameless, "de") == (
        "1A-2-1 · belegt · nicht erfasst · NEWS2 nicht erfasst · Entlassung nicht erfasst · "
        f"Isolation: {t('isolation.mrsa')}"
    )
