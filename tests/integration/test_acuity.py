"""The early warning board (NEWS2) on what the test server answers to the page's own searches,
reconciled with the generator's ground truth per stay; the handover scoring the same; the page
as a nurse, a physician and a manager."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from services import queries
from services.domain.handover import observations_of, shift_at
from services.domain.news2 import LOOKBACK
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from services.i18n import t
from services.views.acuity import acuity_view
from services.views.ward import handover_view
from tests.support.apptest import open_page, texts
from tests.support.reconcile import news2_cells

pytestmark = pytest.mark.integration


def _read(platform, search):
    read = platform.read(search)
    assert not read.errors and not read.truncated
    return read


@pytest.fixture(scope="module")
def as_of(test_network) -> pd.Timestamp:
    return pd.Timestamp(test_network.as_of).tz_convert("Europe/Berlin")


@pytest.fixture(scope="module")
def ward_reads(platform, as_of):
    """Everything the board reads, for every patient in hospital now."""
    stays = _read(platform, queries.current_stays().include("Encounter", "subject"))
    placed = current_placements(stays["encounter"], stays["encounter_location"], as_of)
    observations = _read(platform, queries.vital_signs_of(placed["encounter_id"], as_of - LOOKBACK))
    flags = _read(platform, queries.flags_of_patients(placed["patient_id"]))
    return {
        "stays": stays,
        "placed": placed,
        "locations": with_hierarchy(_read(platform, queries.locations())["location"]),
        "observations": observations["observation"],
        "flags": flags["flag"],
    }


@pytest.fixture(scope="module")
def boards(ward_reads, as_of, test_network) -> dict[str, pd.DataFrame]:
    """The board of every ward with patients now, as the page computes it at as-of."""
    wards = {w for w, n in test_network.ground_truth["census_now"].items() if n}
    return {
        ward: acuity_view(
            ward_reads["placed"],
            ward_reads["locations"],
            ward_reads["observations"],
            ward,
            as_of,
            ward_reads["stays"]["patient"],
            ward_reads["flags"],
        ).board
        for ward in sorted(wards)
    }


def test_every_board_reconciles_with_the_ground_truth(boards, as_of, test_network):
    truth = test_network.ground_truth["news2"]
    shown = pd.concat(boards.values(), ignore_index=True)
    assert sorted(shown["encounter_id"]) == sorted(truth), "one row per patient in hospital now"
    for ward, board in boards.items():
        for row in board.itertuples(index=False):
            expected = truth[row.encounter_id]
            key = (ward, row.encounter_id)
            assert expected["ward_id"] == ward, key
            assert row.status == expected["status"], key
            if row.status == "none":
                continue
            assert row.taken == pd.Timestamp(expected["taken"]), key
            if row.status == "not_applicable":
                assert pd.isna(row.score) and not row.overdue, key
                continue
            assert row.scale == expected["scale"], key
            assert list(row.missing) == expected["missing"], key
            assert row.partial == expected["partial"], key
            assert row.band == expected["band"], key
            points = {p: getattr(row, f"{p}_points") for p in expected["points"]}
            assert points == expected["points"], key
            if row.status == "complete":
                assert row.score == expected["score"], key
            else:
                assert pd.isna(row.score), "an incomplete set is never scored"
            previous = expected["previous"]
            assert (pd.isna(row.previous) and previous is None) or row.previous == previous, key
            assert (row.trend if isinstance(row.trend, str) else None) == expected.get("trend")
            late = as_of - pd.Timestamp(expected["taken"])
            assert row.overdue == (late > pd.Timedelta(minutes=expected["overdue_after_minutes"]))


def test_the_network_exercises_every_band_scale_and_state(boards):
    shown = pd.concat(boards.values(), ignore_index=True)
    adults = shown[shown["status"].isin(["complete", "incomplete"])]
    complete = adults[adults["status"] == "complete"]
    assert len(complete) >= 0.75 * len(adults), "the full score is computable for most"
    assert {"zero", "low", "low_medium", "medium", "high"} <= set(complete["band"])
    assert (adults["status"] == "incomplete").any()
    assert (adults["scale"] == 2).any() and (adults["scale"] == 1).any()
    assert adults["overdue"].any() and not adults["overdue"].all()
    assert {"up", "down", "same"} <= set(complete["trend"].dropna())
    assert (shown["status"] == "not_applicable").any(), "children get no score"
    # Riskiest first on every board.
    for board in boards.values():
        ranks = board["band"].map({"zero": 0, "low": 1, "low_medium": 2, "medium": 3, "high": 4})
        assert ranks.fillna(-1).is_monotonic_decreasing


def test_the_handover_shows_the_same_score(platform, ward_reads, boards, as_of):
    ward = max(boards, key=lambda w: (boards[w]["band"] == "high").sum())
    board = boards[ward].set_index("encounter_id")
    here = ward_reads["placed"][ward_reads["placed"]["ward_id"] == ward]
    since = shift_at(as_of).start - LOOKBACK
    observations = _read(platform, observations_of(here["encounter_id"], since))["observation"]
    tasks = _read(platform, queries.open_tasks_of_wards([ward]))["task"]
    result = handover_view(
        ward_reads["placed"],
        ward_reads["stays"]["encounter_location"],
        ward_reads["locations"],
        tasks,
        tasks.iloc[:0],
        tasks.iloc[:0],
        observations,
        ward,
        as_of,
        ward_reads["stays"]["patient"],
        flags=ward_reads["flags"],
    )
    scores = result.news2.set_index("encounter_id")
    assert sorted(scores.index) == sorted(board.index)
    columns = ["status", "score", "partial", "band", "trend", "overdue", "scale", "taken"]
    pd.testing.assert_frame_equal(
        scores.loc[board.index, columns], board[columns], check_dtype=False
    )


@pytest.fixture
def fresh_reads():
    st.cache_data.clear()


@pytest.mark.usefixtures("app_env", "fresh_reads")
def test_the_page_for_the_nurses_ward(users, test_network):
    nurse = users["pflege.demo"]
    at = open_page("pages/acuity.py", nurse)
    assert not at.exception
    ward_id = nurse.wards[0]
    table = at.dataframe[0].value
    assert len(table) == test_network.ground_truth["census_now"][ward_id]
    assert sorted(table["NEWS2"]) == news2_cells(test_network.ground_truth, ward_id)
    risk = set(table["Risiko"]) - {"–"}
    assert all(any(word in cell for word in ("niedrig", "mittel", "hoch")) for cell in risk)
    assert not table.isna().any().any(), "missing data said in words"
    said = texts(at)
    assert "Messungen überfällig" in said and "Royal College of Physicians" in said


@pytest.mark.usefixtures("app_env", "fresh_reads")
def test_the_page_in_english_for_a_physician(users):
    at = open_page("pages/acuity.py", users["arzt.demo"], lang="en")
    assert not at.exception
    assert not any(t("guard.not_permitted", "en") in e.value for e in at.error)
    assert "Early warning (NEWS2)" in texts(at)
    table = at.dataframe[0].value
    assert {"Risk", "Trend", "Values (points)", "Missing", "Next observations"} <= set(
        table.columns
    )


@pytest.mark.usefixtures("app_env", "fresh_reads")
def test_the_page_is_not_for_a_manager(users):
    at = open_page("pages/acuity.py", users["management.demo"])
    assert not at.exception
    assert any(t("guard.not_permitted") in e.value for e in at.error)
    assert not at.dataframe


@pytest.mark.usefixtures("app_env", "fresh_reads")
def test_the_handover_page_names_the_score(users):
    at = open_page("pages/handover.py", users["pflege.demo"])
    assert not at.exception
    blocks = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert blocks and all("**NEWS2:**" in b for b in blocks)
