"""Occupancy for the next days: planned discharges, expected admissions, length of stay, a band.

The model counts inpatient stays at each coming midnight (00:00 Europe/Berlin), for a hospital or
the network, where transfers between wards cancel out:
- a patient in a bed now stays until the planned discharge (``plannedEndDate``) when one is set
  and still ahead; otherwise with the probability that a stay already this long lasts that much
  longer (the length of stay distribution of the finished stays seen so far);
- admissions arrive at the mean rate of their weekday over the history, spread evenly over the
  day, each staying per the same length of stay distribution (a thinned Poisson count);
- the band is mean ± 1.645 standard deviations (90 % if roughly normal), not below zero.

The backtest replays the model from each of the last days as if it were then, with only the stays
known then, and compares with the census that followed. The platform keeps planned discharges only
on current stays, so the replay uses the length of stay for everyone: its error tends to overstate
that of today's forecast, which knows the planned discharges.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

__all__ = [
    "BAND_Z",
    "arrival_rates",
    "backtest",
    "backtest_error",
    "forecast_census",
    "inpatient_stays",
    "stays_at",
]

BERLIN = "Europe/Berlin"
BAND_Z = 1.645
DAY_S = 86400.0


def inpatient_stays(encounters: pd.DataFrame) -> pd.DataFrame:
    """Inpatient stays with a start: source, hospital_id, status, start, end, planned_end."""
    stays = encounters[(encounters["class"] == "IMP") & encounters["start"].notna()]
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
    done = stays[stays["end"].notna() & (stays["end"] <= before)]
    return (done["end"] - done["start"]).dt.total_seconds().to_numpy()


def _forecast_from(
    stays: pd.DataFrame,
    origin: pd.Timestamp,
    horizon: int,
    history_days: int,
    use_planned: bool,
) -> pd.DataFrame:
    """Expected census and variance at the next ``horizon`` midnights after ``origin``."""
    known = stays[stays["start"] <= origin]
    # What was known at ``origin``: a stay that ended later was still open then.
    ended = known["end"].notna() & (known["end"] <= origin)
    survival = _Survival(_lengths(known, origin))
    rates = arrival_rates(known, origin - pd.Timedelta(days=history_days), origin)
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
) -> pd.DataFrame:
    """Census forecast for the next ``horizon`` midnights, with occupancy when beds are given."""
    out = _forecast_from(stays, now, horizon, history_days, use_planned=True)
    return _with_occupancy(out, beds_in_service)


def _with_occupancy(frame: pd.DataFrame, beds: int | None) -> pd.DataFrame:
    out = frame.copy()
    for column in ("expected", "low", "high"):
        share = out[column] / beds if beds else pd.NA
        out[f"occupancy_{column}"] = pd.Series(share, index=out.index, dtype="Float64")
    return out


def backtest(
    stays: pd.DataFrame,
    now: pd.Timestamp,
    days: int = 30,
    horizon: int = 7,
    history_days: int = 90,
) -> pd.DataFrame:
    """The forecast replayed from each of the last ``days`` days, next to the actual census.

    Origins are ``now`` minus 1..``days`` days; only targets up to ``now`` are kept.
    """
    rows = []
    for back in range(1, days + 1):
        origin = now - pd.Timedelta(days=back)
        replay = _forecast_from(stays, origin, horizon, history_days, use_planned=False)
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
