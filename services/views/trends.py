"""The trends page: patient flow over a window for the chosen hospitals and wards: midnight
census and occupancy, admissions, discharges, transfers, length of stay, the weekday pattern.

``totals`` feeds the charts, which leave small counts out themselves (``mask_small``); every
table frame has its counts of patient events disclosed already ("<5", ``mark_small``), its
length-of-stay figures hidden behind fewer than 5 stays, its weekday means hidden where 1 to 4
events lie behind them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from services.config import StaleStays
from services.domain.beds import bed_status_now, has_beds, in_service
from services.domain.census import (
    census_dates,
    daily_flows,
    daily_totals,
    hospital_transfers,
    length_of_stay,
    midnight_census,
    ward_periods,
    ward_transfers,
    weekday_pattern,
)
from services.domain.disclosure import hide_small_groups, mark_small, small_means
from services.domain.stays import current_placements
from services.views.common import aggregates_only, named, names_by_id, wards_of

__all__ = ["FLOWS", "TrendsView", "trend_choices", "trends_view"]

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
      ``median_days``, ``p90_days`` (hidden for fewer than 5 stays);
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
) -> TrendsView:
    """The flow from ``start`` to ``now`` on ``wards``; transfers between hospitals of
    ``hospitals``. ``locations`` with ``with_hierarchy``; encounters of the window."""
    ward_set = set(wards)
    ward_names = names_by_id(locations)
    days = census_dates(start, now)
    periods = ward_periods(encounters, encounter_locations, stale)
    periods = periods[periods["ward_id"].isin(ward_set)]
    census = midnight_census(periods, days)
    flows = daily_flows(periods, days)
    placed = current_placements(encounters, encounter_locations, now, stale)
    beds = bed_status_now(locations, placed, now)
    service = in_service(beds[beds["ward_id"].isin(ward_set)])
    totals = daily_totals(census, flows, service)
    between = hospital_transfers(encounters[encounters["hospital_id"].isin(tuple(hospitals))], days)
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

    moves = ward_transfers(periods, days)
    moves = moves[moves["to_ward"].isin(ward_set) | moves["from_ward"].isin(ward_set)]
    routes = moves.groupby(["from_ward", "to_ward"])["transfers"].sum().reset_index()
    routes = routes.assign(
        from_ward=named(routes["from_ward"], ward_names),
        to_ward=named(routes["to_ward"], ward_names),
    ).sort_values("transfers", ascending=False)

    stays = encounters[encounters["id"].isin(set(periods["encounter_id"]))]
    los = hide_small_groups(
        length_of_stay(stays, start, now), "stays", ["mean_days", "median_days", "p90_days"]
    )
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
        weekdays=weekdays,
        in_service=service,
        days=len(days),
        has_beds=has_beds(locations),
    )
