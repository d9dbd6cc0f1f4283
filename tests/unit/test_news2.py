"""NEWS2 against the Royal College of Physicians' chart.

Source: Royal College of Physicians. National Early Warning Score (NEWS) 2: Standardising the
assessment of acute-illness severity in the NHS. Updated report of a working party. London: RCP,
2017. Chart 1 (the NEWS2 scoring system) gives every parameter's bands, the two SpO2 scales and the
air/oxygen row; chart 2 the thresholds and triggers (0, 1-4 low, 3 in a single parameter
low-medium, 5-6 medium, 7 or more high); chart 3 the minimum monitoring frequency (12-hourly at 0,
4-6-hourly at 1-4, hourly at 3 in one parameter or 5-6, continuous at 7 or more).
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from components.acuity import acuity_table
from services.codes import ACVPU, NEWS2, SPO2_SCALE_2
from services.domain.news2 import (
    PARAMETERS,
    band_of,
    consciousness_points,
    latest_scores,
    oxygen_points,
    points,
    scale_2_patients,
    score_sets,
    score_text,
)
from services.views.acuity import sorted_board

pytestmark = pytest.mark.unit

NOW = pd.Timestamp("2026-03-02 10:00", tz="Europe/Berlin")
CODE_OF = {v: k for k, v in ACVPU.items()}


# Chart 1, row by row: each band's lower and upper edge.
@pytest.mark.parametrize(
    ("parameter", "value", "expected"),
    [
        ("respiration", 8, 3),
        ("respiration", 9, 1),
        ("respiration", 11, 1),
        ("respiration", 12, 0),
        ("respiration", 20, 0),
        ("respiration", 21, 2),
        ("respiration", 24, 2),
        ("respiration", 25, 3),
        ("spo2", 91, 3),
        ("spo2", 92, 2),
        ("spo2", 93, 2),
        ("spo2", 94, 1),
        ("spo2", 95, 1),
        ("spo2", 96, 0),
        ("spo2", 100, 0),
        ("systolic", 90, 3),
        ("systolic", 91, 2),
        ("systolic", 100, 2),
        ("systolic", 101, 1),
        ("systolic", 110, 1),
        ("systolic", 111, 0),
        ("systolic", 219, 0),
        ("systolic", 220, 3),
        ("pulse", 40, 3),
        ("pulse", 41, 1),
        ("pulse", 50, 1),
        ("pulse", 51, 0),
        ("pulse", 90, 0),
        ("pulse", 91, 1),
        ("pulse", 110, 1),
        ("pulse", 111, 2),
        ("pulse", 130, 2),
        ("pulse", 131, 3),
        ("temperature", 35.0, 3),
        ("temperature", 35.1, 1),
        ("temperature", 36.0, 1),
        ("temperature", 36.1, 0),
        ("temperature", 38.0, 0),
        ("temperature", 38.1, 1),
        ("temperature", 39.0, 1),
        ("temperature", 39.1, 2),
    ],
)
def test_chart_1_band_edges(parameter, value, expected):
    assert points(parameter, value) == expected


# Chart 1, SpO2 scale 2 (target 88-92 %, e.g. hypercapnic respiratory failure): up to 92 % the
# same whatever the oxygen; from 93 % 0 on air, and 1, 2, 3 on oxygen.
@pytest.mark.parametrize(
    ("value", "on_oxygen", "expected"),
    [
        (83, False, 3),
        (84, True, 2),
        (85, False, 2),
        (86, True, 1),
        (87, False, 1),
        (88, True, 0),
        (92, True, 0),
        (92, False, 0),
        (93, False, 0),
        (97, False, 0),
        (93, True, 1),
        (94, True, 1),
        (95, True, 2),
        (96, True, 2),
        (97, True, 3),
        (100, True, 3),
    ],
)
def test_chart_1_spo2_scale_2(value, on_oxygen, expected):
    assert points("spo2", value, scale=2, on_oxygen=on_oxygen) == expected


def test_scale_2_above_92_needs_to_know_air_or_oxygen():
    assert points("spo2", 95, scale=2, on_oxygen=None) is None
    assert points("spo2", 90, scale=2, on_oxygen=None) == 0


def test_air_oxygen_and_acvpu_rows():
    assert oxygen_points(True) == 2 and oxygen_points(False) == 0 and oxygen_points(None) is None
    assert consciousness_points("A") == 0
    assert [consciousness_points(c) for c in "CVPU"] == [3, 3, 3, 3]
    assert consciousness_points(None) is None


def test_values_between_whole_numbers_fall_to_the_band_they_pass_into():
    assert points("respiration", 20.4) == 0 and points("respiration", 21.0) == 2
    assert points("temperature", 38.04) == 0 and points("temperature", 39.05) == 1


# Chart 2: aggregate bands and the single-parameter red score.
@pytest.mark.parametrize(
    ("score", "red", "band"),
    [
        (0, False, "zero"),
        (1, False, "low"),
        (4, False, "low"),
        (3, True, "low_medium"),
        (4, True, "low_medium"),
        (5, False, "medium"),
        (6, True, "medium"),
        (7, False, "high"),
        (12, True, "high"),
    ],
)
def test_chart_2_bands(score, red, band):
    assert band_of(score, red) == band


def _set(encounter: str, when: pd.Timestamp, **values) -> list[dict]:
    """One set of observations as rows of the observation frame, the last one taken at ``when``."""
    codes = {
        "respiration": "9279-1",
        "spo2": "59408-5",
        "oxygen_flow": "3151-8",
        "oxygen_fraction": "3150-0",
        "systolic": "8480-6",
        "pulse": "8867-4",
        "temperature": "8310-5",
    }
    rows = []
    for offset, (name, value) in enumerate(values.items()):
        row = {
            "encounter_id": encounter,
            "effective": when - timedelta(minutes=len(values) - 1 - offset),
            "status": "final",
            "value": None,
            "unit": None,
            "value_code": None,
        }
        if name == "consciousness":
            row.update(code="67775-7", value_code=CODE_OF[value])
        else:
            row.update(code=codes[name], value=value)
        rows.append(row)
    return rows


NORMAL = {
    "respiration": 16,
    "spo2": 97,
    "oxygen_flow": 0,
    "systolic": 125,
    "pulse": 72,
    "consciousness": "A",
    "temperature": 36.8,
}


def _frame(*sets: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([row for rows in sets for row in rows])


def test_worked_case_all_normal_is_zero():
    sets = score_sets(_frame(_set("e1", NOW - timedelta(hours=1), **NORMAL)), NOW)
    row = sets.iloc[0]
    assert row["status"] == "complete" and row["score"] == 0 and row["band"] == "zero"
    assert row["missing"] == ()


def test_worked_case_high_on_oxygen():
    # RR 22 (2), SpO2 95 (1), oxygen (2), BP 105 (1), pulse 115 (2), alert (0), 38.5 °C (1) = 9.
    values = dict(NORMAL, respiration=22, spo2=95, oxygen_flow=2, systolic=105, pulse=115)
    values["temperature"] = 38.5
    row = score_sets(_frame(_set("e1", NOW - timedelta(minutes=20), **values)), NOW).iloc[0]
    assert row["score"] == 9 and row["band"] == "high"
    assert [row[f"{p}_points"] for p in PARAMETERS] == [2, 1, 2, 1, 2, 0, 1]


# Worked examples: whole observation sets scored by hand from the bands of RCP NEWS2 chart 1
# (points per parameter in the order respiration, SpO2, air/oxygen, systolic, pulse, ACVPU,
# temperature) and banded by chart 2. Royal College of Physicians. National Early Warning Score
# (NEWS) 2. London: RCP, 2017, charts 1 and 2.
WORKED_EXAMPLES = [
    # RR 24 (21-24: 2), SpO2 93 % (92-93: 2), oxygen (2), BP 98 (91-100: 2), pulse 118
    # (111-130: 2), alert (0), 39.2 °C (>=39.1: 2): 12, high.
    (
        dict(respiration=24, spo2=93, oxygen_flow=4, systolic=98, pulse=118, temperature=39.2),
        1,
        [2, 2, 2, 2, 2, 0, 2],
        12,
        "high",
    ),
    # RR 18 (0), SpO2 94 % (94-95: 1), air (0), BP 112 (111-219: 0), pulse 88 (51-90: 0),
    # alert (0), 37.9 °C (36.1-38.0: 0): 1, low.
    (
        dict(respiration=18, spo2=94, systolic=112, pulse=88, temperature=37.9),
        1,
        [0, 1, 0, 0, 0, 0, 0],
        1,
        "low",
    ),
    # RR 10 (9-11: 1), SpO2 96 % (0), air, BP 108 (101-110: 1), pulse 45 (41-50: 1), alert,
    # 35.8 °C (35.1-36.0: 1): 4 without a 3 in any parameter, low.
    (
        dict(respiration=10, spo2=96, systolic=108, pulse=45, temperature=35.8),
        1,
        [1, 0, 0, 1, 1, 0, 1],
        4,
        "low",
    ),
    # RR 14, SpO2 98 % on air, BP 230 (>=220: 3), pulse 60, alert, 36.5 °C: 3, all of it in
    # one parameter: low-medium (chart 2: a red score of 3 in a single parameter).
    (
        dict(respiration=14, spo2=98, systolic=230, pulse=60, temperature=36.5),
        1,
        [0, 0, 0, 3, 0, 0, 0],
        3,
        "low_medium",
    ),
    # SpO2 scale 2 (target 88-92 %): RR 23 (2), SpO2 89 % on oxygen (88-92: 0), oxygen (2),
    # BP 130 (0), pulse 102 (91-110: 1), alert, 37.2 °C (0): 5, medium ...
    (
        dict(respiration=23, spo2=89, oxygen_flow=2, systolic=130, pulse=102, temperature=37.2),
        2,
        [2, 0, 2, 0, 1, 0, 0],
        5,
        "medium",
    ),
    # ... the same set on scale 1: 89 % (<=91) scores 3, so 8, high.
    (
        dict(respiration=23, spo2=89, oxygen_flow=2, systolic=130, pulse=102, temperature=37.2),
        1,
        [2, 3, 2, 0, 1, 0, 0],
        8,
        "high",
    ),
    # Scale 2, 97 % on oxygen (>=97 on oxygen: 3) with everything else normal: 3 + 2 for the
    # oxygen = 5, medium.
    (
        dict(respiration=16, spo2=97, oxygen_flow=2, systolic=125, pulse=72, temperature=36.8),
        2,
        [0, 3, 2, 0, 0, 0, 0],
        5,
        "medium",
    ),
]


@pytest.mark.parametrize(("values", "scale", "expected", "score", "band"), WORKED_EXAMPLES)
def test_rcp_worked_examples(values, scale, expected, score, band):
    observed = {"oxygen_flow": 0, "consciousness": "A", **values}
    frame = _frame(_set("e1", NOW - timedelta(minutes=10), **observed))
    row = score_sets(frame, NOW, scale_2={"e1"} if scale == 2 else set()).iloc[0]
    assert [row[f"{p}_points"] for p in PARAMETERS] == expected
    assert sum(expected) == score, "the example adds up"
    assert (row["status"], row["score"], row["band"]) == ("complete", score, band)


def test_red_single_parameter_new_confusion():
    row = score_sets(_frame(_set("e1", NOW, **dict(NORMAL, consciousness="C"))), NOW).iloc[0]
    assert row["score"] == 3 and row["red"] and row["band"] == "low_medium"


def test_five_is_medium_even_with_a_three():
    values = dict(NORMAL, respiration=25, pulse=115)
    row = score_sets(_frame(_set("e1", NOW, **values)), NOW).iloc[0]
    assert row["score"] == 5 and row["red"] and row["band"] == "medium"


def test_oxygen_by_inhaled_fraction():
    values = {k: v for k, v in NORMAL.items() if k != "oxygen_flow"}
    on_air = score_sets(_frame(_set("e1", NOW, **values, oxygen_fraction=21)), NOW).iloc[0]
    on_o2 = score_sets(_frame(_set("e1", NOW, **values, oxygen_fraction=35)), NOW).iloc[0]
    assert on_air["score"] == 0 and on_o2["score"] == 2 and bool(on_o2["oxygen_value"])


def test_scale_2_rows_in_a_set():
    on_oxygen = dict(NORMAL, spo2=97, oxygen_flow=2)
    frame = _frame(_set("e1", NOW, **on_oxygen), _set("e2", NOW, **on_oxygen))
    sets = score_sets(frame, NOW, scale_2={"e2"}).set_index("encounter_id")
    # Scale 1: 97 % scores 0, oxygen 2. Scale 2: 97 % on oxygen scores 3, oxygen 2: red.
    assert sets.loc["e1", "score"] == 2 and sets.loc["e1", "scale"] == 1
    assert sets.loc["e2", "score"] == 5 and sets.loc["e2", "scale"] == 2
    assert sets.loc["e2", "spo2_points"] == 3 and sets.loc["e2", "red"]
    # On air, scale 2 scores 90 % with 0 where scale 1 gives 3.
    on_air = dict(NORMAL, spo2=90)
    frame = _frame(_set("e1", NOW, **on_air), _set("e2", NOW, **on_air))
    sets = score_sets(frame, NOW, scale_2={"e2"}).set_index("encounter_id")
    assert sets.loc["e1", "score"] == 3 and sets.loc["e2", "score"] == 0


def test_incomplete_set_names_what_is_missing_and_is_never_zero():
    values = {k: v for k, v in NORMAL.items() if k not in ("consciousness", "temperature")}
    values["pulse"] = 135
    row = score_sets(_frame(_set("e1", NOW, **values)), NOW).iloc[0]
    assert row["status"] == "incomplete" and pd.isna(row["score"])
    assert row["missing"] == ("consciousness", "temperature")
    assert row["partial"] == 3 and row["red"]
    text = score_text({**row.to_dict(), "elapsed": None, "overdue": False}, "de")
    assert text.startswith("unvollständig (fehlt: Bewusstsein (ACVPU), Temperatur")
    assert "0 ·" not in text


def test_no_oxygen_record_leaves_the_set_incomplete():
    values = {k: v for k, v in NORMAL.items() if k != "oxygen_flow"}
    row = score_sets(_frame(_set("e1", NOW, **values)), NOW).iloc[0]
    assert row["missing"] == ("oxygen",) and pd.isna(row["score"])


def test_values_of_an_older_set_are_not_carried_over():
    older = _set("e1", NOW - timedelta(hours=8), **NORMAL)
    newer = {k: v for k, v in NORMAL.items() if k != "temperature"}
    frame = _frame(older, _set("e1", NOW - timedelta(hours=1), **newer))
    sets = score_sets(frame, NOW)
    assert sets["set"].tolist() == [0, 1]
    assert sets["status"].tolist() == ["complete", "incomplete"]


def _stays(*rows: tuple[str, float | None, pd.Timestamp | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["encounter_id", "age", "admitted"])


def test_trend_against_the_previous_complete_set_and_time_since():
    first = _set("e1", NOW - timedelta(hours=7), **NORMAL)
    gap = {k: v for k, v in NORMAL.items() if k != "consciousness"}
    middle = _set("e1", NOW - timedelta(hours=4), **gap)
    last = _set("e1", NOW - timedelta(hours=2), **dict(NORMAL, respiration=22))
    stays = _stays(("e1", 70, NOW - timedelta(days=2)))
    row = latest_scores(_frame(first, middle, last), stays, NOW).iloc[0]
    assert row["score"] == 2 and row["previous"] == 0 and row["trend"] == "up"
    assert row["elapsed"] == timedelta(hours=2)
    assert row["due_every"] == timedelta(hours=6) and not row["overdue"]
    falling = latest_scores(_frame(last, _set("e1", NOW, **NORMAL)), stays, NOW + timedelta(1))
    assert falling.iloc[0]["trend"] == "down"


# Chart 3: observations are due again by band; past that they are overdue.
@pytest.mark.parametrize(
    ("values", "hours", "overdue"),
    [
        (NORMAL, 11.5, False),
        (NORMAL, 12.5, True),
        (dict(NORMAL, pulse=95), 5.5, False),
        (dict(NORMAL, pulse=95), 6.5, True),
        (dict(NORMAL, consciousness="V"), 1.5, True),
        (dict(NORMAL, respiration=25, pulse=115), 0.5, False),
        (dict(NORMAL, respiration=25, pulse=115, systolic=95), 1.5, True),
    ],
)
def test_chart_3_overdue_by_band(values, hours, overdue):
    when = NOW - timedelta(hours=hours)
    frame = _frame(_set("e1", when, **values))
    row = latest_scores(frame, _stays(("e1", 50, NOW - timedelta(days=1))), NOW).iloc[0]
    assert row["overdue"] is overdue or bool(row["overdue"]) == overdue


def test_no_set_children_and_unknown_stays():
    frame = _frame(_set("child", NOW - timedelta(hours=30), **dict(NORMAL, pulse=150)))
    stays = _stays(
        ("child", 6, NOW - timedelta(days=2)),
        ("new", 50, NOW - timedelta(minutes=20)),
        ("waiting", 50, NOW - timedelta(hours=3)),
    )
    rows = latest_scores(frame, stays, NOW).set_index("encounter_id")
    assert rows.loc["child", "status"] == "not_applicable" and pd.isna(rows.loc["child", "score"])
    assert not rows.loc["child", "overdue"]
    assert rows.loc["new", "status"] == "none" and not rows.loc["new", "overdue"]
    assert rows.loc["waiting", "status"] == "none" and rows.loc["waiting", "overdue"]
    assert score_text(rows.loc["waiting"], "en").startswith("no vitals")


def test_entered_in_error_and_future_values_do_not_count():
    rows = _set("e1", NOW - timedelta(hours=1), **NORMAL)
    rows[0].update(status="entered-in-error")
    later = _set("e1", NOW + timedelta(hours=1), **dict(NORMAL, pulse=150))
    sets = score_sets(_frame(rows, later), NOW)
    assert len(sets) == 1 and sets.iloc[0]["missing"] == ("respiration",)


def test_scale_2_flag_must_be_active_now():
    flags = pd.DataFrame(
        {
            "source": ["s"] * 4,
            "patient_id": ["p1", "p2", "p3", "p4"],
            "system": [NEWS2, NEWS2, NEWS2, "other"],
            "code": [SPO2_SCALE_2] * 4,
            "status": ["active", "inactive", "active", "active"],
            "start": [NOW - timedelta(days=1)] * 4,
            "end": [None, None, NOW - timedelta(hours=1), None],
        }
    )
    assert scale_2_patients(flags, NOW) == {("s", "p1")}


def test_score_text_says_band_in_words_and_trend():
    values = dict(NORMAL, respiration=22, spo2=95, oxygen_flow=2, systolic=105, pulse=115)
    frame = _frame(
        _set("e1", NOW - timedelta(hours=3), **NORMAL),
        _set("e1", NOW - timedelta(minutes=40), **values),
    )
    row = latest_scores(frame, _stays(("e1", 80, NOW - timedelta(days=1))), NOW).iloc[0]
    assert score_text(row, "en") == "8 · ▲▲▲ high ↑ · 40 min ago"
    assert score_text(row, "de") == "8 · ▲▲▲ hoch ↑ · vor 40 min"


def test_board_table_words_every_cell_and_sorts_riskiest_first():
    frame = _frame(
        _set("e1", NOW - timedelta(hours=2), **NORMAL),
        _set("e2", NOW - timedelta(hours=2), **dict(NORMAL, consciousness="V")),
        _set("e3", NOW - timedelta(hours=1), **{k: v for k, v in NORMAL.items() if k != "pulse"}),
    )
    stays = _stays(
        ("e1", 70, NOW - timedelta(days=1)),
        ("e2", 60, NOW - timedelta(days=1)),
        ("e3", 50, NOW - timedelta(days=1)),
        ("e4", 8, NOW - timedelta(days=1)),
    )
    scores = latest_scores(frame, stays, NOW)
    board = stays.merge(scores, on="encounter_id").assign(
        source="s",
        patient_id=lambda f: "p-" + f["encounter_id"],
        patient=["A", "B", "C", "D"],
        room=["1", "1", "2", "10"],
        bed=["1", "2", "1", "1"],
    )
    ordered = sorted_board(board, "risk")
    assert ordered["encounter_id"].tolist() == ["e2", "e1", "e3", "e4"]
    assert sorted_board(board, "bed")["encounter_id"].tolist() == ["e1", "e2", "e3", "e4"]
    table = acuity_table(ordered, "en")
    assert table["NEWS2"].tolist() == [
        "3",
        "0",
        "incomplete (at least 0)",
        "no vitals",
    ]
    assert table["Risk"].tolist()[:2] == ["▲ low–medium (3 in one value)", "○ low (0)"]
    assert table["Next observations"].tolist() == ["⚠ overdue", "on time", "on time", "–"]
    assert table.loc[2, "Missing"] == "Pulse"
    assert "ACVPU V [3]" in table.loc[0, "Values (points)"]
    cells = table.to_numpy().ravel().tolist()
    assert not any(c is None or "nan" in str(c) or "None" in str(c) for c in cells)
