"""Occupancy for the next days: planned discharges, expected admissions, length of stay, a band.

The model counts inpatient stays at each coming midnight (00:00 Europe/Berlin), for a hospital or
the network, where transfers between wards cancel out:
- a patient in a bed now stays until the planned discharge (``plannedEndDate``) when one is set
  and still ahead; otherwise with the probability that a stay already this long lasts that much
  longer (the length of stay distribution of the finished stays seen so far);
- admissions arrive at the mean rate of their weekday over the history, spread evenly over the
  day, each staying per the same length of stay distribution (a thinned Poisson count);
- the model's own band is mean ± 1.645 standard deviations of these binomial and Poisson counts,
  not below zero. It ignores the model's error (admissions vary more from day to day than a
  Poisson count, the length of stay fits imperfectly), so it holds fewer than 90 % of the actual
  values: in the demo network's 30-day backtest about three in four.

The backtest replays the model from each of the last days as if it were then, with only the stays
known then, and compares with the census that followed. The platform keeps planned discharges only
on current stays, so the replay uses the length of stay for everyone: its error tends to overstate
that of today's forecast, which knows the planned discharges.

Given a backtest, the band is calibrated on it (split conformal prediction): per horizon, the
residuals (actual − expected) whose target midnight has passed give offsets from the expected
census that hold 90 % of them, and the band is widened to those offsets where the model band is
narrower. A horizon with fewer than ``MIN_RESIDUALS`` residuals keeps the model band, marked in
column ``calibrated``. As the replay's error overstates today's, the calibrated band errs on the
wide side. ``calibrated_replay`` measures the calibration out of sample: each replayed forecast
is calibrated only on the residuals known at its own origin. On the demo network so calibrated
bands held about nine in ten actual values. On 20 synthetic histories with over-dispersed
admissions, built as in tests/unit/test_forecast_calibration.py, they held 89 % on average over
the 60 days after calibration, but between 75 % and 98 % for single histories: the residuals of
neighbouring days are correlated, so one or two months say less than their count suggests.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd

from services.config import StaleStays
from services.domain.stays import begun, counted_until

__all__ = [
    "BAND_LEVEL",
    "BAND_Z",
    "MIN_RESIDUALS",
    "arrival_rates",
    "backtest",
    "backtest_error",
    "band_offsets",
    "calibrate",
    "calibrated_replay",
    "expected_free_beds",
    "forecast_census",
    "inpatient_stays",
    "stays_at",
]

BERLIN = "Europe/Berlin"
BAND_LEVEL = 0.90
BAND_Z = 1.645  # the standard normal quantile for BAND_LEVEL
# Below this many residuals per horizon the offsets would rest on the one or two largest errors
# seen, and what split conformal prediction can promise drops under 1 - 2/(n + 1) = 82 %.
MIN_RESIDUALS = 10
DAY_S = 86400.0


def inpatient_stays(encounters: pd.DataFrame, rule: StaleStays | None = None) -> pd.DataFrame:
    """Inpatient stays that have begun, with a start: source, hospital_id, status, start, end,
    planned_end (a patient waiting for a bed is not in one).

    ``end`` is when the stay stops counting as present (``services.domain.stays.counted_until``):
    a stay the source left open counts up to its start plus the limit, as in the census; it
    keeps its status, so it never enters the length of stay distribution.
    """
    inpatient = (encounters["class"] == "IMP") & encounters["start"].notna() & begun(encounters)
    until = counted_until(encounters, rule)
    stays = encounters[inpatient].assign(end=until[inpatient])
    return stays[["source", "hospital_id", "status", "start", "end", "planned_end"]].reset_index(
        drop=True
    )


def stays_at(stays: pd.DataFrame, moment: pd.Timestamp) -> pd.Series:
    """Which stays were in the hospital at ``moment`` (start <= moment < end; open end counts)."""
    return (stays["start"] <= moment) & (stays["end"].isna() | (stays["end"] > moment))


def _midnight(day: date) -> pd.Timestamp:
    return pd.Timestamp(day).tz_localize(BERLIN)


def arrival_rates(stays: pd.DataFrame, since: pd.Timestamp, until: pd.Timestamp) -> np.ndarray:
    """Mean admissions per weekday (Monday first) over the whole Berlin days in [since, until)."""
    first = since.tz_convert(BERLIN).date()
    if _midnight(first) < since:
        first += timedelta(days=1)
    last = until.tz_convert(BERLIN).date()
    days = pd.Series([first + timedelta(days=n) for n in range((last - first).days)])
    if days.empty:
        return np.zeros(7)
    started = stays["start"].dt.tz_convert(BERLIN).dt.date
    per_day = started.value_counts().reindex(days, fill_value=0).to_numpy()
    weekdays = np.array([d.weekday() for d in days])
    rates = np.zeros(7)
    for weekday in range(7):
        chosen = per_day[weekdays == weekday]
        rates[weekday] = chosen.mean() if chosen.size else per_day.mean()
    return rates


class _Survival:
    """P(length of stay > t) from finished stays, with one pseudo-stay that never ends so that
    a stay longer than all seen so far keeps a chance to go on."""

    def __init__(self, lengths_s: np.ndarray) -> None:
        self.sorted = np.sort(lengths_s)
        self.n = len(self.sorted)

    def __call__(self, t: np.ndarray) -> np.ndarray:
        longer = self.n - np.searchsorted(self.sorted, t, side="right")
        return (longer + 1) / (self.n + 1)


def _lengths(stays: pd.DataFrame, before: pd.Timestamp) -> np.ndarray:
    # An open stay past its limit has an end (inpatient_stays) but was never discharged.
    ended = stays["status"] == "finished" if "status" in stays else stays["end"].notna()
    done = stays[ended & (stays["end"] <= before)]
    return (done["end"] - done["start"]).dt.total_seconds().to_numpy()


def _forecast_from(
    stays: pd.DataFrame,
    origin: pd.Timestamp,
    horizon: int,
    history_days: int,
    use_planned: bool,
    complete_since: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Expected census and variance at the next ``horizon`` midnights after ``origin``."""
    known = stays[stays["start"] <= origin]
    # What was known at ``origin``: a stay that ended later was still open then.
    ended = known["end"].notna() & (known["end"] <= origin)
    survival = _Survival(_lengths(known, origin))
    since = origin - pd.Timedelta(days=history_days)
    if complete_since is not None:
        # Before the window the caller read, only the stays still open at its start are there:
        # counting those days would understate the admission rate.
        since = max(since, complete_since)
    rates = arrival_rates(known, since, origin)
    present = known[~ended]
    elapsed = (origin - present["start"]).dt.total_seconds().to_numpy()
    planned = present["planned_end"]
    if not use_planned:
        planned = planned.where(pd.Series(False, index=present.index))
    has_plan = (planned.notna() & (planned > origin)).to_numpy()
    plan_s = np.where(has_plan, (planned - origin).dt.total_seconds().fillna(0).to_numpy(), np.inf)
    today = origin.tz_convert(BERLIN).date()
    rows = []
    for step in range(1, horizon + 1):
        target_day = today + timedelta(days=step)
        target = _midnight(target_day)
        ahead = (target - origin).total_seconds()
        p = survival(elapsed + ahead) / survival(elapsed)
        p = np.where(has_plan, (plan_s > ahead).astype(float), p)
        mean = p.sum()
        var = (p * (1 - p)).sum()
        arriving = 0.0
        for back in range(step):
            day = today + timedelta(days=back)
            begin = max(_midnight(day), origin)
            end = _midnight(day + timedelta(days=1))
            share = (end - begin).total_seconds() / DAY_S
            middle = begin + (end - begin) / 2
            staying = float(survival(np.array([(target - middle).total_seconds()]))[0])
            expected = rates[day.weekday()] * share * staying
            arriving += expected
            var += expected
        mean += arriving
        sd = float(np.sqrt(var))
        rows.append(
            {
                "date": target_day,
                "horizon": step,
                "expected": mean,
                "low": max(0.0, mean - BAND_Z * sd),
                "high": mean + BAND_Z * sd,
                "planned_stays": int((has_plan & (plan_s > ahead)).sum()),
                "admissions": arriving,
            }
        )
    return pd.DataFrame(rows)


def forecast_census(
    stays: pd.DataFrame,
    now: pd.Timestamp,
    beds_in_service: int | None = None,
    horizon: int = 7,
    history_days: int = 90,
    replay: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Census forecast for the next ``horizon`` midnights, with occupancy when beds are given.

    With ``replay`` (a ``backtest`` up to ``now``) the band is calibrated on its residuals;
    without, it is the model band. Column ``calibrated`` tells which, per horizon, and
    ``residuals`` on how many residuals the band rests.
    """
    out = _forecast_from(stays, now, horizon, history_days, use_planned=True)
    offsets = _offsets([]) if replay is None else band_offsets(replay, now)
    return _with_occupancy(calibrate(out, offsets), beds_in_service)


def _with_occupancy(frame: pd.DataFrame, beds: int | None) -> pd.DataFrame:
    out = frame.copy()
    for column in ("expected", "low", "high"):
        share = out[column] / beds if beds else pd.NA
        out[f"occupancy_{column}"] = pd.Series(share, index=out.index, dtype="Float64")
    return out


def expected_free_beds(coming: pd.DataFrame, beds_in_service: int) -> pd.DataFrame:
    """What the forecast means for placing patients: per coming day the ``free_low`` to
    ``free_high`` beds expected free (beds in service less the band's high and low census,
    whole beds, never below 0) and ``free_expected`` (less the expected census)."""

    def free(census: pd.Series, rounding) -> pd.Series:
        whole = rounding(pd.to_numeric(census, errors="coerce").astype("float64"))
        return (beds_in_service - whole).clip(lower=0).astype("int64")

    return pd.DataFrame(
        {
            "date": coming["date"],
            "free_low": free(coming["high"], np.ceil),
            "free_expected": free(coming["expected"], np.round),
            "free_high": free(coming["low"], np.floor),
        }
    )


def backtest(
    stays: pd.DataFrame,
    now: pd.Timestamp,
    days: int = 30,
    horizon: int = 7,
    history_days: int = 90,
    complete_since: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The forecast replayed from each of the last ``days`` days, next to the actual census.

    Origins are ``now`` minus 1..``days`` days; only targets up to ``now`` are kept. When
    ``stays`` hold every stay only from ``complete_since`` on (a window read), no replay counts
    admissions before it.
    """
    rows = []
    for back in range(1, days + 1):
        origin = now - pd.Timedelta(days=back)
        replay = _forecast_from(
            stays, origin, horizon, history_days, use_planned=False, complete_since=complete_since
        )
        replay["origin"] = origin
        rows.append(replay)
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if out.empty:
        return out
    targets = out["date"].map(_midnight)
    out = out[targets <= now].copy()
    out["actual"] = [int(stays_at(stays, _midnight(d)).sum()) for d in out["date"]]
    out["error"] = out["expected"] - out["actual"]
    out["inside"] = (out["actual"] >= out["low"]) & (out["actual"] <= out["high"])
    return out.reset_index(drop=True)


def backtest_error(replay: pd.DataFrame) -> pd.DataFrame:
    """Per horizon: forecasts, mean absolute error (beds), mean absolute percentage error and
    the share of actual values inside the band; a last row ``horizon`` 0 for all together."""
    if replay.empty:
        return pd.DataFrame(columns=["horizon", "forecasts", "mae", "mape", "coverage"])

    def summary(part: pd.DataFrame) -> dict:
        actual = part["actual"].where(part["actual"] > 0)
        return {
            "forecasts": len(part),
            "mae": part["error"].abs().mean(),
            "mape": (part["error"].abs() / actual).mean(),
            "coverage": part["inside"].mean(),
        }

    rows = [{"horizon": h, **summary(p)} for h, p in replay.groupby("horizon")]
    rows.append({"horizon": 0, **summary(replay)})
    return pd.DataFrame(rows)


def _offsets(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["horizon", "residuals", "below", "above"])
    return frame.astype({"horizon": int, "residuals": int, "below": float, "above": float})


def _conformal_bounds(residuals: np.ndarray) -> tuple[float, float]:
    """The k-th smallest and the k-th largest of n residuals, k = ceil((n + 1) · 0.95).

    A new residual exchangeable with these falls below the one, or above the other, with
    probability at most 5 % each; the plain 5 % and 95 % quantiles of a few dozen residuals
    would hold less than 90 %. Below 19 residuals k exceeds n: the extremes are the best there is.
    """
    ordered = np.sort(residuals)
    n = len(ordered)
    # Rounded first: (n + 1) · 0.95 lands a hair above an integer for some n.
    rank = min(n, math.ceil(round((n + 1) * (1 + BAND_LEVEL) / 2, 9)))
    return float(ordered[n - rank]), float(ordered[rank - 1])


def band_offsets(
    replay: pd.DataFrame, origin: pd.Timestamp, min_residuals: int = MIN_RESIDUALS
) -> pd.DataFrame:
    """Per horizon: how many residuals (actual − expected) of ``replay`` had their target
    midnight by ``origin``, and the offsets from the expected census ``below`` and ``above``
    that hold 90 % of such residuals; missing where fewer than ``min_residuals``."""
    if replay.empty:
        return _offsets([])
    # A target midnight has passed by ``origin`` exactly when its date is not after origin's.
    seen = replay[replay["date"] <= origin.tz_convert(BERLIN).date()]
    residuals = seen["actual"] - seen["expected"]
    rows = []
    for horizon, values in residuals.groupby(seen["horizon"]):
        below, above = _conformal_bounds(values.to_numpy())
        enough = len(values) >= min_residuals
        rows.append(
            {
                "horizon": horizon,
                "residuals": len(values),
                "below": below if enough else np.nan,
                "above": above if enough else np.nan,
            }
        )
    return _offsets(rows)


def calibrate(forecast: pd.DataFrame, offsets: pd.DataFrame) -> pd.DataFrame:
    """The forecast with its band widened to ``band_offsets`` where the model band is narrower.

    Adds ``calibrated`` (offsets were there for the horizon) and ``residuals`` (how many).
    """
    out = forecast.merge(offsets, on="horizon", how="left")
    out["residuals"] = out["residuals"].fillna(0).astype(int)
    out["calibrated"] = out["below"].notna()
    # A missing bound does not clip: the model band stays where too few residuals were.
    out["low"] = out["low"].clip(upper=(out["expected"] + out["below"]).clip(lower=0))
    out["high"] = out["high"].clip(lower=out["expected"] + out["above"])
    return out.drop(columns=["below", "above"])


def calibrated_replay(replay: pd.DataFrame, min_residuals: int = MIN_RESIDUALS) -> pd.DataFrame:
    """The backtest's forecasts whose band could be calibrated on the residuals known at their
    own origin, with that band and ``inside`` for it: the calibration checked out of sample."""
    if replay.empty:
        return replay
    parts = []
    for origin, part in replay.groupby("origin"):
        band = calibrate(part, band_offsets(replay, origin, min_residuals))
        parts.append(band[band["calibrated"]])
    out = pd.concat(parts, ignore_index=True)
    out["inside"] = (out["actual"] >= out["low"]) & (out["actual"] <= out["high"])
    return out
