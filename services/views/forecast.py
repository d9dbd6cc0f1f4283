"""The forecast page: occupancy for the next days of the network or one hospital, the census of
the last days, and the backtest that calibrates and checks the band.

The backtest replays the model for every day of a month and is what costs: the page passes
``replay_backtest`` behind ``st.cache_data`` as ``replay``, tests and benchmarks the plain one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from services.config import StaleStays
from services.domain.beds import in_service
from services.domain.census import midnight
from services.domain.forecast import (
    backtest,
    backtest_error,
    calibrated_replay,
    expected_free_beds,
    forecast_census,
    inpatient_stays,
    stays_at,
)
from services.views.capacity import CapacityNow
from services.views.common import aggregates_only

__all__ = [
    "BACKTEST_DAYS",
    "HISTORY_DAYS",
    "HORIZON",
    "ForecastView",
    "forecast_view",
    "replay_backtest",
]

HISTORY_DAYS = 90
HORIZON = 7
BACKTEST_DAYS = 30

Replay = Callable[[pd.DataFrame, pd.Timestamp, pd.Timestamp], tuple[pd.DataFrame, pd.DataFrame]]


@dataclass(frozen=True)
class ForecastView:
    """- ``coming``: per coming day the expected census, its band and occupancy
      (``forecast_census``, column ``calibrated`` per horizon);
    - ``history``: ``date``, ``census`` and ``occupancy`` of the last ``BACKTEST_DAYS`` days;
    - ``overall``: the backtest's error over all horizons (one row, none without a backtest);
    - ``checked_overall``: the same for the out-of-sample calibrated bands (none without);
    - ``by_horizon``: per horizon the error, with ``forecasts_calibrated`` and
      ``coverage_calibrated`` of the calibrated bands;
    - ``in_service``: beds in service, the occupancy's denominator;
    - ``free_beds``: per coming day the beds expected free (``expected_free_beds``), what a
      bed manager reads first.
    """

    coming: pd.DataFrame
    history: pd.DataFrame
    overall: pd.DataFrame
    checked_overall: pd.DataFrame
    by_horizon: pd.DataFrame
    in_service: int
    free_beds: pd.DataFrame

    def __post_init__(self) -> None:
        aggregates_only(self)


def replay_backtest(
    stays: pd.DataFrame, origin: pd.Timestamp, since: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The backtest, and its forecasts with the band calibrated as it could have been then."""
    replayed = backtest(
        stays,
        origin,
        days=BACKTEST_DAYS,
        horizon=HORIZON,
        history_days=HISTORY_DAYS,
        complete_since=since,
    )
    return replayed, calibrated_replay(replayed)


def forecast_view(
    beds_now: CapacityNow,
    encounters: pd.DataFrame,
    hospital: str,
    now: pd.Timestamp,
    since: pd.Timestamp,
    replay: Replay = replay_backtest,
    stale: StaleStays | None = None,
) -> ForecastView | None:
    """The forecast of ``hospital`` ("" for the network) from the encounters read since
    ``since``; None when there are no inpatient stays or no beds to forecast."""
    beds = beds_now.beds
    # The open-stay limit comes from the whole read, as for the current inpatients.
    stays = inpatient_stays(encounters, stale)
    if hospital:
        stays = stays[stays["hospital_id"] == hospital].reset_index(drop=True)
        beds = beds[beds["hospital_id"] == hospital]
    if stays.empty or beds.empty:
        return None
    service = in_service(beds)
    replayed, checked = replay(stays, now.floor("h"), since)
    coming = forecast_census(
        stays, now, service, horizon=HORIZON, history_days=HISTORY_DAYS, replay=replayed
    )
    past_days = [now.date() - timedelta(days=n) for n in range(BACKTEST_DAYS, -1, -1)]
    history = pd.DataFrame({"date": past_days})
    history["census"] = [int(stays_at(stays, midnight(d)).sum()) for d in past_days]
    history["occupancy"] = history["census"] / service if service else pd.NA
    errors = backtest_error(replayed)
    checked_errors = backtest_error(checked)
    by_horizon = errors[errors["horizon"] > 0].merge(
        checked_errors[["horizon", "forecasts", "coverage"]],
        on="horizon",
        how="left",
        suffixes=("", "_calibrated"),
    )
    by_horizon["forecasts_calibrated"] = by_horizon["forecasts_calibrated"].fillna(0).astype(int)
    checked_overall = checked_errors[checked_errors["horizon"] == 0]
    return ForecastView(
        coming=coming,
        history=history,
        overall=errors[errors["horizon"] == 0],
        checked_overall=checked_overall if not checked.empty else checked_errors.iloc[:0],
        by_horizon=by_horizon,
        in_service=service,
        free_beds=expected_free_beds(coming, service),
    )
