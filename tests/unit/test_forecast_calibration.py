"""The forecast band calibrated on the backtest: order statistics on hand-made residuals, and
coverage out of sample on a synthetic stay history whose admissions vary more from day to day
than the model's Poisson count assumes."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from services.domain import forecast

pytestmark = pytest.mark.unit
BERLIN = "Europe/Berlin"
WEEKDAY_FACTOR = np.array([1.15, 1.1, 1.05, 1.0, 0.95, 0.8, 0.75])  # Monday first
HISTORY_DAYS = 240
BACKTEST_DAYS = 120
HELD_OUT_DAYS = 60


def synthetic_stays(seed: int) -> tuple[pd.DataFrame, pd.Timestamp, pd.Timestamp]:
    """Stays of a hospital over ``HISTORY_DAYS`` days: about 20 admissions a day, each day's
    rate drawn from a gamma distribution (coefficient of variation 0.4) around its weekday's
    mean, lengths of stay log-normal with a median of 4 days. Returns the stays, the moment
    they are seen at (05:00 on the last day) and the first midnight."""
    rng = np.random.default_rng(seed)
    midnights = pd.date_range("2026-01-05", periods=HISTORY_DAYS, freq="D", tz=BERLIN)
    cv = 0.4
    rate = 20 * WEEKDAY_FACTOR[midnights.day_of_week] * rng.gamma(1 / cv**2, cv**2, HISTORY_DAYS)
    day = np.repeat(np.arange(HISTORY_DAYS), rng.poisson(rate))
    start = midnights[day] + pd.to_timedelta(rng.uniform(0, 86400, day.size), unit="s")
    end = start + pd.to_timedelta(rng.lognormal(np.log(4), 0.6, day.size), unit="D")
    now = midnights[-1] + pd.Timedelta(hours=5)
    stays = pd.DataFrame({"start": start, "end": end})
    stays = stays[stays["start"] <= now].reset_index(drop=True)
    stays["end"] = stays["end"].where(stays["end"] <= now)
    stays["planned_end"] = pd.Series(pd.NaT, index=stays.index, dtype=stays["end"].dtype)
    return stays, now, midnights[0]


@pytest.fixture(scope="module")
def replayed() -> tuple[pd.DataFrame, pd.Timestamp]:
    stays, now, first = synthetic_stays(seed=0)
    replay = forecast.backtest(stays, now, days=BACKTEST_DAYS, complete_since=first)
    return replay, now - pd.Timedelta(days=HELD_OUT_DAYS)


def inside(frame: pd.DataFrame) -> pd.Series:
    return (frame["actual"] >= frame["low"]) & (frame["actual"] <= frame["high"])


def test_model_band_under_covers_and_calibrated_band_holds_out_of_sample(replayed):
    replay, split = replayed
    # Calibrated on the residuals whose target had passed at the split; checked on the forecasts
    # made from then on, none of which the calibration saw.
    offsets = forecast.band_offsets(replay, split)
    assert (offsets["residuals"] >= 50).all()
    held_out = replay[replay["origin"] >= split]
    assert len(held_out) > 350
    calibrated = forecast.calibrate(held_out, offsets)
    assert calibrated["calibrated"].all()
    assert held_out["inside"].mean() < 0.75
    assert inside(calibrated).mean() >= 0.85
    # Wider, but not so wide that coverage comes for free.
    widening = (calibrated["high"] - calibrated["low"]).mean() / (
        held_out["high"] - held_out["low"]
    ).mean()
    assert 1 < widening < 2.5


def test_calibrated_replay_covers_the_later_origins(replayed):
    replay, split = replayed
    checked = forecast.calibrated_replay(replay)
    later = checked[checked["origin"] >= split]
    assert len(later) == (replay["origin"] >= split).sum()
    assert later["inside"].mean() >= 0.85


def test_calibrated_replay_uses_only_residuals_known_at_each_origin(replayed):
    replay, split = replayed
    recent = replay[replay["origin"] >= split + pd.Timedelta(days=20)]  # the last 40 origins
    cutoff = split + pd.Timedelta(days=40)
    changed = recent.copy()
    changed.loc[changed["date"] > cutoff.date(), "actual"] += 1000
    before, after = (forecast.calibrated_replay(r) for r in (recent, changed))

    def band(frame: pd.DataFrame, early: bool) -> pd.DataFrame:
        chosen = (frame["origin"] < cutoff) == early
        return frame.loc[chosen, ["origin", "horizon", "low", "high"]].reset_index(drop=True)

    assert len(band(before, early=True)) > 20
    pd.testing.assert_frame_equal(band(before, early=True), band(after, early=True))
    # The change is visible to the origins that came after it.
    assert (band(after, early=False)["high"] > band(before, early=False)["high"] + 500).any()


def residual_replay(residuals: dict[int, list[float]], origin: pd.Timestamp) -> pd.DataFrame:
    """A backtest whose targets are all before ``origin``, with the given residuals."""
    rows = []
    for horizon, values in residuals.items():
        for n, value in enumerate(values):
            target = origin.date() - timedelta(days=n + 1)
            rows.append(
                {"date": target, "horizon": horizon, "expected": 100.0, "actual": 100 + value}
            )
    return pd.DataFrame(rows)


def test_offsets_are_the_conformal_order_statistics():
    origin = pd.Timestamp("2026-11-29T05:00:00", tz=BERLIN)
    replay = residual_replay(
        {1: list(range(1, 21)), 2: list(range(1, 41)), 3: list(range(1, 10))}, origin
    )
    # A target after the origin is not known yet and must not count.
    late = {"date": date(2026, 11, 30), "horizon": 1, "expected": 100.0, "actual": 10_000}
    replay = pd.concat([replay, pd.DataFrame([late])], ignore_index=True)
    offsets = forecast.band_offsets(replay, origin).set_index("horizon")
    # 20 residuals: ceil(21 * 0.95) = 20, the extremes.
    assert offsets.loc[1, ["residuals", "below", "above"]].tolist() == [20, 1, 20]
    # 40 residuals: ceil(41 * 0.95) = 39, the second smallest and the second largest.
    assert offsets.loc[2, ["residuals", "below", "above"]].tolist() == [40, 2, 39]
    assert offsets.loc[3, "residuals"] == 9
    assert offsets.loc[3, ["below", "above"]].isna().all()


def test_calibration_widens_never_narrows_and_falls_back_with_too_few_residuals():
    coming = pd.DataFrame(
        {
            "horizon": [1, 2, 3],
            "expected": [10.0, 50.0, 50.0],
            "low": [8.0, 40.0, 45.0],
            "high": [12.0, 60.0, 55.0],
        }
    )
    offsets = pd.DataFrame(
        {"horizon": [1, 2], "residuals": [30, 30], "below": [-15.0, -2.0], "above": [5.0, 3.0]}
    )
    out = forecast.calibrate(coming, offsets)
    assert out["calibrated"].tolist() == [True, True, False]
    assert out["residuals"].tolist() == [30, 30, 0]
    assert out["low"].tolist() == [0.0, 40.0, 45.0]  # a census is never below zero
    assert out["high"].tolist() == [15.0, 60.0, 55.0]


def test_forecast_without_a_backtest_keeps_the_model_band():
    stays, now, _ = synthetic_stays(seed=0)
    plain = forecast.forecast_census(stays, now, beds_in_service=200)
    assert not plain["calibrated"].any()
    replay = residual_replay({h: [-40.0, 40.0] * 6 for h in range(1, 8)}, now)
    wide = forecast.forecast_census(stays, now, beds_in_service=200, replay=replay)
    assert wide["calibrated"].all()
    assert (wide["high"] >= plain["high"] + 20).all()
    assert wide["occupancy_high"].tolist() == pytest.approx((wide["high"] / 200).tolist())


def test_backtest_counts_admissions_only_from_the_window_read():
    # One admission a day from 1 November, as a window read from then would return them.
    frame = pd.DataFrame(
        {
            "start": pd.date_range("2026-11-01 12:00", periods=14, freq="D", tz=BERLIN),
            "end": pd.date_range("2026-11-02 11:00", periods=14, freq="D", tz=BERLIN),
        }
    )
    frame["planned_end"] = pd.Series(pd.NaT, index=frame.index, dtype=frame["end"].dtype)
    now = pd.Timestamp("2026-11-15T00:00:00", tz=BERLIN)
    window = pd.Timestamp("2026-11-01T00:00:00", tz=BERLIN)
    full = forecast.backtest(frame, now, days=1, horizon=1, history_days=28, complete_since=window)
    diluted = forecast.backtest(frame, now, days=1, horizon=1, history_days=28)
    # Every finished stay outlasted the half day to midnight, so each admission counts fully.
    assert full["admissions"].iloc[0] == pytest.approx(1.0)
    # Without the window, the two Saturdays of the 28 days that lie before it count as days
    # without admissions.
    assert diluted["admissions"].iloc[0] == pytest.approx(1 / 3)
