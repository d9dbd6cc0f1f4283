"""Aggregates only, small counts, the traffic light, shifts, the forecast model on hand-made
stays, and the manager figures built without Streamlit."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import capacity_charts as charts
from components.charts import plotly_config
from services.domain import disclosure, forecast
from services.domain.workload import shift_of

pytestmark = pytest.mark.unit
BERLIN = "Europe/Berlin"


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert(BERLIN)


@pytest.mark.parametrize("column", ["patient_id", "encounter_id", "family", "birth_date", "KVNR"])
def test_identifying_columns_are_refused(column):
    with pytest.raises(disclosure.DisclosureError, match=column.lower()):
        disclosure.aggregate_only(pd.DataFrame({"ward": ["A"], column: ["x"]}))


def test_aggregate_frames_pass_unchanged():
    frame = pd.DataFrame({"ward": ["A"], "open": [3]})
    assert disclosure.aggregate_only(frame) is frame


def test_counts_one_to_four_are_shown_as_less_than_five():
    frame = pd.DataFrame({"n": [0, 1, 4, 5, 12], "other": [1, 2, 3, 4, 5]})
    shown = disclosure.small_counts(frame, ["n"], lambda v: f"#{v}")
    assert shown["n"].tolist() == ["#0", "<5", "<5", "#5", "#12"]
    assert shown["other"].tolist() == [1, 2, 3, 4, 5]


def test_small_counts_leave_gaps_in_charts():
    masked = disclosure.mask_small(pd.Series([0, 3, 5, None]))
    assert masked.isna().tolist() == [False, True, False, True]
    assert masked[2] == 5


def test_figures_from_fewer_than_five_stays_are_hidden():
    frame = pd.DataFrame({"stays": [3, 8], "median_days": [4.2, 5.0]})
    shown = disclosure.hide_small_groups(frame, "stays", ["median_days"])
    assert shown["stays"].tolist() == ["<5", "8"]
    assert pd.isna(shown["median_days"][0])
    assert shown["median_days"][1] == 5.0


@pytest.mark.parametrize(
    ("value", "light"),
    [
        (0.5, "green"),
        (0.8499, "green"),
        (0.85, "amber"),
        (0.95, "amber"),
        (0.951, "red"),
        (None, None),
        (float("nan"), None),
    ],
)
def test_traffic_light_thresholds(value, light):
    assert charts.traffic_light(value) == light


def test_shift_of_due_hour_in_berlin_time():
    times = pd.Series(
        [
            at("2026-11-29T05:59:00+01:00"),
            at("2026-11-29T06:00:00+01:00"),
            at("2026-11-29T13:59:00+01:00"),
            at("2026-11-29T14:00:00+01:00"),
            at("2026-11-29T22:00:00+01:00"),
            at("2026-07-01T05:30:00Z"),  # 07:30 in Berlin summer time
            pd.NaT,
        ]
    )
    shifts = shift_of(times)
    assert shifts[:6].tolist() == ["nacht", "frueh", "frueh", "spaet", "nacht", "frueh"]
    assert pd.isna(shifts[6])


def stays(rows: list[tuple[str, str | None, str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["start", "end", "planned_end"])
    for column in ("start", "end", "planned_end"):
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(BERLIN)
    frame["source"] = "S"
    frame["hospital_id"] = "h1"
    frame["status"] = frame["end"].isna().map({True: "in-progress", False: "finished"})
    return frame


def test_planned_discharges_decide_for_the_patients_in_bed():
    now = at("2026-11-29T10:00:00+01:00")
    frame = stays(
        [
            ("2026-11-28T09:00:00+01:00", None, "2026-11-30T11:00:00+01:00"),
            ("2026-11-28T09:00:00+01:00", None, "2026-12-02T11:00:00+01:00"),
        ]
    )
    coming = forecast.forecast_census(frame, now, beds_in_service=4, horizon=4)
    # No history: no admissions expected, no uncertainty left.
    assert coming["expected"].tolist() == [2, 1, 1, 0]
    assert coming["low"].tolist() == coming["high"].tolist() == [2, 1, 1, 0]
    assert coming["occupancy_expected"].tolist() == [0.5, 0.25, 0.25, 0]


def test_admissions_by_weekday_add_expected_patients_with_a_band():
    now = at("2026-11-30T00:00:00+01:00")  # a Monday
    history = [
        (f"2026-11-{day:02d}T12:00:00+01:00", f"2026-11-{day + 1:02d}T11:00:00+01:00", None)
        for day in range(2, 29)
    ] + [("2026-11-29T12:00:00+01:00", "2026-11-29T23:00:00+01:00", None)]
    frame = stays(history)
    rates = forecast.arrival_rates(frame, now - pd.Timedelta(days=28), now)
    assert rates.tolist() == pytest.approx([1.0] * 7)
    coming = forecast.forecast_census(frame, now, horizon=2, history_days=28)
    # Monday's admission arrives at noon on average and is still in at midnight if its stay
    # lasts more than 12 hours: 27 of 28 stays so far, plus the pseudo-stay that never ends.
    assert coming["expected"].iloc[0] == pytest.approx(28 / 29)
    assert coming["high"].iloc[0] > coming["expected"].iloc[0] > coming["low"].iloc[0]


def test_backtest_error_summary():
    replay = pd.DataFrame(
        {
            "horizon": [1, 1, 2],
            "error": [2.0, -2.0, 4.0],
            "actual": [10, 20, 40],
            "inside": [True, False, True],
        }
    )
    errors = forecast.backtest_error(replay).set_index("horizon")
    assert errors.loc[1, "mae"] == 2.0
    assert errors.loc[1, "mape"] == pytest.approx((0.2 + 0.1) / 2)
    assert errors.loc[0, "forecasts"] == 3
    assert errors.loc[0, "coverage"] == pytest.approx(2 / 3)


LABELS = {
    key: key
    for key in (
        "title",
        "occupancy",
        "census",
        "count",
        "admissions",
        "discharges",
        "transfers_in",
        "hospital_transfers",
        "median",
        "mean",
        "days",
        "per_day",
        "open",
        "overdue",
        "completed",
        "minutes",
        "history",
        "expected",
        "band",
    )
} | {"percent": "{:.0f} %"}


def test_occupancy_chart_colours_follow_the_traffic_light():
    table = pd.DataFrame({"name": ["A", "B", "C"], "occupancy": [0.5, 0.9, 0.99]})
    fig = charts.occupancy_chart(table, "name", LABELS)
    assert isinstance(fig, go.Figure)
    assert list(fig.data[0].marker.color) == [
        charts.COLOURS["green"],
        charts.COLOURS["amber"],
        charts.COLOURS["red"],
    ]
    assert list(fig.data[0].text) == ["50 %", "90 %", "99 %"]


def test_flows_chart_leaves_small_counts_out():
    totals = pd.DataFrame(
        {
            "date": [date(2026, 11, 1), date(2026, 11, 2)],
            "admissions": [3, 12],
            "discharges": [7, 0],
        }
    )
    fig = charts.flows_chart(totals, LABELS)
    admissions = next(t for t in fig.data if t.name == "admissions")
    assert pd.isna(admissions.y[0]) and admissions.y[1] == 12


def test_every_chart_builds_from_frames():
    day = [date(2026, 11, 1), date(2026, 11, 2)]
    totals = pd.DataFrame(
        {"date": day, "census": [10, 12], "occupancy": pd.array([0.5, 0.6], dtype="Float64")}
    )
    figures = [
        charts.census_chart(totals, LABELS),
        charts.length_of_stay_chart(
            pd.DataFrame({"label": ["A"], "median_days": [3.0], "mean_days": [4.0]}), LABELS
        ),
        charts.weekday_chart(
            pd.DataFrame({"label": ["Mo"], "admissions": [3.0], "discharges": [2.0]}), LABELS
        ),
        charts.workload_chart(
            pd.DataFrame(
                {"ward": ["W", "W"], "shift_label": ["E", "L"], "open": [3, 4], "overdue": [1, 0]}
            ),
            LABELS,
        ),
        charts.completion_trend_chart(
            pd.DataFrame({"date": day, "completed": [3, 4], "median_minutes": [20.0, 25.0]}),
            LABELS,
        ),
        charts.forecast_chart(
            totals,
            pd.DataFrame(
                {
                    "date": day,
                    "occupancy_expected": [0.5, 0.6],
                    "occupancy_low": [0.4, 0.5],
                    "occupancy_high": [0.6, 0.7],
                }
            ),
            LABELS,
        ),
    ]
    for fig in figures:
        assert isinstance(fig, go.Figure)
        assert fig.layout.title.text == "title"
        assert len(fig.data) >= 2
    assert plotly_config("x", "de")["toImageButtonOptions"] == {
        "format": "png",
        "filename": "x",
        "scale": 2,
    }


def test_charts_speak_the_session_language():
    german = plotly_config(None, "de")
    assert german["locale"] == "de"
    assert german["locales"]["de"]["format"]["decimal"] == ","
    assert german["locales"]["de"]["format"]["shortMonths"][9] == "Okt"
    assert "toImageButtonOptions" not in german
    english = plotly_config("x", "en")
    assert english["locale"] == "en"
    assert "locales" not in english


def test_occupancy_bars_name_their_traffic_light_in_words():
    table = pd.DataFrame({"name": ["A", "B", "C"], "occupancy": [0.5, 0.9, 0.97]})
    words = {"light.green": "grün", "light.amber": "gelb", "light.red": "rot"}
    fig = charts.occupancy_chart(table, "name", {**LABELS, "percent": "{:.0f} %", **words})
    assert list(fig.data[0].text) == ["50 % · grün", "90 % · gelb", "97 % · rot"]
