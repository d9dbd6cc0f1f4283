"""The trends page: patient flow over a window for the chosen hospitals and wards: midnight
census and occupancy, admissions, discharges, transfers, length of stay, the weekday pattern.

``totals`` feeds the charts, which leave small counts out themselves (``mask_small``); every
table frame has its counts of patient events disclosed already ("<5", ``mark_small``), its
length-of-stay figures hidden behind fewer than 5 stays, its weekday means hidden where 1 to 4
events lie behind them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from services.config import StaleStays
from services.domain.beds import bed_status_now, has_beds, in_service
from services.domain.census import (
    WindowFigures,
    census_dates,
    daily_totals,
    length_of_stay,
    ward_periods,
    weekday_pattern,
    window_figures,
    with_inek_mean,
)
from services.domain.disclosure import aggregate_only, hide_small_groups, mark_small, small_means
from services.domain.staffing import nurses_on_duty, ppugv_shifts
from services.domain.ward_load import completed_per_ward, nurse_shifts_per_ward, ward_ranking
from services.views.common import aggregates_only, among, named, names_by_id, wards_of

__all__ = [
    "FLOWS",
    "RANKING_DAYS",
    "TrendsView",
    "trend_choices",
    "trends_from",
    "trends_view",
    "ward_load",
    "ward_load_from",
    "ward_stays_length",
]

# "Which ward is overloaded this week?": the ranking looks at the last seven days.
RANKING_DAYS = 7
_LOS_FIGURES = ["mean_days", "median_days", "p90_days", "above_inek_days"]

# The flow columns of ``totals`` and ``daily``, each a count of patient events.
FLOWS = ("admissions", "discharges", "transfers_in", "hospital_transfers")
_WARD_FLOWS = ("admissions", "discharges", "transfers_in", "transfers_out")


@dataclass(frozen=True)
class TrendsView:
    """- ``totals``: per day ``date``, ``census``, ``occupancy`` and the ``FLOWS`` as numbers;
    - ``daily``: the same with the ``FLOWS`` disclosed;
    - ``per_ward``: ``ward_id``, ``ward``, ``mean_census`` and the ward's flows, disclosed;
    - ``routes``: ``from_ward``/``to_ward`` names and ``transfers`` between them, disclosed,
      most first;
    - ``length_of_stay``: per ``department`` ``stays`` (text) and ``mean_days``,
      ``median_days``, ``p90_days`` in Belegungstage, the configured ``inek_mean_days`` and
      ``above_inek_days`` (figures of fewer than 5 stays hidden);
    - ``length_of_stay_hospitals``: the same per ``hospital_id``, ``hospital`` and department;
    - ``weekdays``: per ``weekday`` (0 = Monday) the mean ``admissions``, ``discharges``,
      ``census`` and the ``days`` counted;
    - ``in_service``: beds in service on the chosen wards now, the occupancy's denominator;
    - ``days``: the days of the window; ``has_beds``: whether the source names beds at all.
    """

    totals: pd.DataFrame
    daily: pd.DataFrame
    per_ward: pd.DataFrame
    routes: pd.DataFrame
    length_of_stay: pd.DataFrame
    length_of_stay_hospitals: pd.DataFrame
    weekdays: pd.DataFrame
    in_service: int
    days: int
    has_beds: bool

    def __post_init__(self) -> None:
        aggregates_only(self)


def trend_choices(
    locations: pd.DataFrame, hospitals: Iterable[str] | None = None
) -> tuple[list[str], list[str]]:
    """The hospitals that have wards, and the wards of ``hospitals`` (of all when None)."""
    wards = wards_of(locations)
    facilities = sorted(wards["hospital_id"].dropna().unique())
    chosen = facilities if hospitals is None else list(hospitals)
    return facilities, sorted(wards[wards["hospital_id"].isin(chosen)]["id"])


def trends_view(
    locations: pd.DataFrame,
    encounters: pd.DataFrame,
    encounter_locations: pd.DataFrame,
    start: pd.Timestamp,
    now: pd.Timestamp,
    hospitals: Iterable[str],
    wards: Iterable[str],
    stale: StaleStays | None = None,
    inek_means: Mapping[str, float] | None = None,
    hospital_names: Mapping[str, str] | None = None,
) -> TrendsView:
    """The flow from ``start`` to ``now`` on ``wards``; transfers between hospitals of
    ``hospitals``. ``locations`` with ``with_hierarchy``; encounters of the window;
    ``inek_means``: the InEK mean length of stay per department, where configured."""
    figures = window_figures(encounters, encounter_locations, start, now, stale)
    los = ward_stays_length(encounters, encounter_locations, start, now, wards, stale)
    return trends_from(locations, figures, *los, hospitals, wards, inek_means, hospital_names)


def ward_stays_length(
    encounters: pd.DataFrame,
    encounter_locations: pd.DataFrame,
    start: pd.Timestamp,
    now: pd.Timestamp,
    wards: Iterable[str],
    stale: StaleStays | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``length_of_stay`` per department, and per hospital and department, of the stays that
    lay on one of ``wards``."""
    periods = ward_periods(encounters, encounter_locations, stale)
    on_wards = set(periods.loc[periods["ward_id"].isin(set(wards)), "encounter_id"])
    stays = encounters[encounters["id"].isin(on_wards)]
    by_hospital = ["hospital_id", "department"]
    return length_of_stay(stays, start, now), length_of_stay(stays, start, now, by=by_hospital)


def trends_from(
    locations: pd.DataFrame,
    figures: WindowFigures,
    length: pd.DataFrame,
    length_hospitals: pd.DataFrame,
    hospitals: Iterable[str],
    wards: Iterable[str],
    inek_means: Mapping[str, float] | None = None,
    hospital_names: Mapping[str, str] | None = None,
) -> TrendsView:
    """``trends_view`` from the window's figures and the length of stay on ``wards``
    (``ward_stays_length``, or the same figures from the store)."""
    ward_set = set(wards)
    ward_names = names_by_id(locations)
    days = figures.days
    census = figures.census[among(figures.census["ward_id"], ward_set)]
    flows = figures.flows[among(figures.flows["ward_id"], ward_set)]
    beds = bed_status_now(locations, figures.placements, figures.now, keep=["ward_id"])
    service = in_service(beds[among(beds["ward_id"], ward_set)])
    totals = daily_totals(census, flows, service)
    between = figures.hospital_transfers
    between = between[between["hospital_id"].isin(tuple(hospitals))]
    per_day = between.groupby("date")[["transfers_in", "transfers_out"]].sum()
    totals["hospital_transfers"] = (
        totals["date"]
        .map(per_day["transfers_in"] + per_day["transfers_out"])
        .fillna(0)
        .astype("int64")
    )

    per_ward = flows.groupby("ward_id")[list(_WARD_FLOWS)].sum()
    per_ward = per_ward.join(census.groupby("ward_id")["census"].mean().rename("mean_census"))
    per_ward = per_ward.reset_index()
    per_ward.insert(1, "ward", named(per_ward["ward_id"], ward_names))

    moves = figures.routes
    moves = moves[among(moves["to_ward"], ward_set) | among(moves["from_ward"], ward_set)]
    routes = moves.groupby(["from_ward", "to_ward"])["transfers"].sum().reset_index()
    routes = routes.assign(
        from_ward=named(routes["from_ward"], ward_names),
        to_ward=named(routes["to_ward"], ward_names),
    ).sort_values("transfers", ascending=False)

    means = dict(inek_means or {})
    los = hide_small_groups(with_inek_mean(length, means), "stays", _LOS_FIGURES)
    per_hospital = hide_small_groups(with_inek_mean(length_hospitals, means), "stays", _LOS_FIGURES)
    per_hospital.insert(1, "hospital", named(per_hospital["hospital_id"], hospital_names or {}))
    weekdays = small_means(
        weekday_pattern(totals),
        {"admissions": "admissions_total", "discharges": "discharges_total"},
    )
    return TrendsView(
        totals=totals,
        daily=mark_small(totals, FLOWS),
        per_ward=mark_small(per_ward, _WARD_FLOWS),
        routes=mark_small(routes, ["transfers"]),
        length_of_stay=los,
        length_of_stay_hospitals=per_hospital,
        weekdays=weekdays,
        in_service=service,
        days=len(days),
        has_beds=has_beds(locations),
    )


def ward_load(
    locations: pd.DataFrame,
    encounters: pd.DataFrame,
    encounter_locations: pd.DataFrame,
    tasks: pd.DataFrame,
    duty: pd.DataFrame,
    roles: pd.DataFrame,
    start: pd.Timestamp,
    now: pd.Timestamp,
    wards: Iterable[str],
    hospital_names: Mapping[str, str],
    stale: StaleStays | None = None,
) -> pd.DataFrame:
    """The ``wards`` ranked by load from ``start`` to ``now`` (``ward_load.ward_ranking``), with
    ``hospital`` and ``ward`` names. ``tasks``: completed tasks read since ``start``; ``duty``
    and ``roles``: the duty roster of the days and the nurses' roles."""
    figures = window_figures(encounters, encounter_locations, start, now, stale)
    return ward_load_from(locations, figures, tasks, duty, roles, start, wards, hospital_names)


def ward_load_from(
    locations: pd.DataFrame,
    figures: WindowFigures,
    tasks: pd.DataFrame,
    duty: pd.DataFrame,
    roles: pd.DataFrame,
    start: pd.Timestamp,
    wards: Iterable[str],
    hospital_names: Mapping[str, str],
) -> pd.DataFrame:
    """``ward_load`` from the figures of a window that begins at or before ``start``."""
    now = figures.now
    ward_set = set(wards)
    ward_rows = wards_of(locations)
    ward_rows = ward_rows[ward_rows["id"].isin(ward_set)]
    days = census_dates(start, now)
    census = figures.census
    census = census[among(census["ward_id"], ward_set) & census["date"].isin(days)]
    beds = bed_status_now(locations, figures.placements, now)
    service = (beds["status"] != "C").groupby(beds["ward_id"]).sum().rename("beds")
    per_ward = pd.DataFrame({"ward_id": ward_rows["id"], "hospital_id": ward_rows["hospital_id"]})
    per_ward["beds"] = per_ward["ward_id"].map(service).fillna(0).astype("int64")
    shifts = ppugv_shifts(days)
    shifts = shifts[shifts["start"] < now]
    nurse_ids = set(roles.loc[roles["role"] == "nurse", "id"])
    on_duty = nurses_on_duty(duty[duty["ward_id"].isin(ward_set)], nurse_ids, shifts)
    ranking = ward_ranking(
        census.reset_index(drop=True),
        per_ward,
        completed_per_ward(tasks, start, now),
        nurse_shifts_per_ward(on_duty),
    )
    ranking.insert(0, "hospital", named(ranking["hospital_id"], hospital_names))
    ranking.insert(2, "ward", named(ranking["ward_id"], names_by_id(locations)))
    return aggregate_only(ranking)
