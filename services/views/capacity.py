"""The capacity page (and the manager's start): beds now per hospital, ward and bed category, the
midnight census of a window, and the bed capacity reports of one hospital.

Two steps, because the page asks which hospitals to detail after it knows which have beds:
``capacity_now`` (beds now, the network and each hospital) and ``capacity_wards`` (per ward and
bed category, the daily census over the window). ``capacity_reports`` gives the SANER
MeasureReport of one hospital (the DIVI report: ``services.views.divi``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from services.config import StaleStays
from services.domain.beds import bed_status_now, bed_turnaround, has_beds, in_service, occupancy
from services.domain.census import (
    WindowFigures,
    census_dates,
    daily_flows,
    daily_totals,
    midnight_census,
    ward_periods,
)
from services.domain.disclosure import aggregate_only, hide_small_groups
from services.domain.placing import CARE_GROUPS, blocked_reasons, discharges_today, free_by_care
from services.domain.reports import saner_measure_report
from services.domain.stays import current_placements
from services.views.common import aggregates_only, among, named, names_by_id, ward_census

__all__ = [
    "CapacityNow",
    "CapacityReports",
    "CapacityWards",
    "PlacingNow",
    "capacity_from",
    "capacity_now",
    "capacity_reports",
    "capacity_turnaround",
    "capacity_wards",
    "capacity_wards_from",
    "placing_now",
]

# What a bed row keeps in a view: its place and status, never the stay or the patient in it.
_BED_COLUMNS = (
    "source",
    "hospital_id",
    "ward_id",
    "bed_id",
    "bed_category",
    "age_group",
    "status",
    "status_known",
    "block_reason",
)


@dataclass(frozen=True)
class CapacityNow:
    """Beds now. Without beds in the source, ``has_beds`` is false and only ``ward_census``
    (current inpatients per ward, ``services.views.common.ward_census``) is filled.

    - ``beds``: every bed in service or closed with its status (``bed_status_now``), no stay;
    - ``network``: one row of ``occupancy`` over all beds (empty without beds);
    - ``overview``: ``occupancy`` per hospital (``hospital_id``, ``hospital`` name), then the
      network as a last row with ``hospital_id`` null and ``hospital`` null;
    - ``facilities``: the hospitals that have beds, sorted by id.
    """

    has_beds: bool
    beds: pd.DataFrame
    network: pd.DataFrame
    overview: pd.DataFrame
    ward_census: pd.DataFrame
    facilities: tuple[str, ...]
    hospital_names: dict[str, str] = field(default_factory=dict)
    ward_names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        aggregates_only(self)

    def hospital_name(self, hospital_id: str) -> str:
        return self.hospital_names.get(hospital_id, hospital_id)


@dataclass(frozen=True)
class CapacityWards:
    """The chosen hospitals in detail.

    - ``detail``: ``occupancy`` per hospital, ward, bed category and age group, with ``hospital``
      and ``ward`` names;
    - ``by_category``: ``occupancy`` per bed category and age group;
    - ``in_service``: beds in service (not closed), the denominator of ``totals``' occupancy;
    - ``totals``: per day of the window the midnight census, flows and occupancy
      (``daily_totals``) over the wards of the chosen hospitals that have beds.
    """

    detail: pd.DataFrame
    by_category: pd.DataFrame
    in_service: int
    totals: pd.DataFrame

    def __post_init__(self) -> None:
        aggregates_only(self)


@dataclass(frozen=True)
class CapacityReports:
    """One hospital's SANER MeasureReport (FHIR JSON)."""

    measure_report: dict[str, Any]

    def __post_init__(self) -> None:
        aggregates_only(self)


def capacity_now(
    locations: pd.DataFrame,
    organizations: pd.DataFrame,
    encounters: pd.DataFrame,
    encounter_locations: pd.DataFrame,
    now: pd.Timestamp,
    stale: StaleStays | None = None,
) -> CapacityNow:
    """Beds now from Locations (``with_hierarchy``), Organizations and the stays read."""
    placed = current_placements(encounters, encounter_locations, now, stale)
    return capacity_from(locations, organizations, placed, now)


def capacity_from(
    locations: pd.DataFrame, organizations: pd.DataFrame, placed: pd.DataFrame, now: pd.Timestamp
) -> CapacityNow:
    """Beds now from Locations, Organizations and the current placements (``current_placements``
    of the stays read, or ``WindowFigures.placements``)."""
    hospital_names = names_by_id(organizations)
    ward_names = names_by_id(locations)
    empty = pd.DataFrame()
    if not has_beds(locations):
        census = ward_census(placed, locations, hospital_names)
        return CapacityNow(False, empty, empty, empty, census, (), hospital_names, ward_names)
    beds = bed_status_now(locations, placed, now, keep=_BED_COLUMNS)[list(_BED_COLUMNS)]
    network = occupancy(beds, []).drop(columns=["row_0"])
    per_hospital = occupancy(beds, ["hospital_id"])
    per_hospital["hospital"] = named(per_hospital["hospital_id"], hospital_names)
    overview = pd.concat(
        [per_hospital, network.assign(hospital_id=None, hospital=None)], ignore_index=True
    )
    facilities = tuple(sorted(beds["hospital_id"].dropna().unique()))
    return CapacityNow(True, beds, network, overview, empty, facilities, hospital_names, ward_names)


@dataclass(frozen=True)
class PlacingNow:
    """Where a patient can go now (the manager's start).

    - ``by_care``: per hospital (``hospital_id``, ``hospital``) and kind of care (``group``:
      icu, imc, general, or a category the dashboard does not know) the beds ``total``,
      ``free``, ``occupied``, ``blocked`` and ``leaving_today`` (``placing.free_by_care``),
      then one row per kind of care for the network with ``hospital_id`` and ``hospital`` null;
    - ``groups``: the kinds of care present, in the order a table shows them;
    - ``blocked``: blocked beds per ``hospital``, ``ward``, ``group``, ``status`` and
      ``block_reason`` (``beds``), most first within a hospital.
    """

    by_care: pd.DataFrame
    groups: tuple[str, ...]
    blocked: pd.DataFrame

    def __post_init__(self) -> None:
        aggregates_only(self)


def placing_now(
    now_view: CapacityNow,
    encounters: pd.DataFrame,
    encounter_locations: pd.DataFrame,
    now: pd.Timestamp,
    stale: StaleStays | None = None,
) -> PlacingNow:
    """Free beds per hospital and kind of care, blocked beds and why, discharges expected today,
    from the beds of ``capacity_now`` and the current stays read."""
    placed = current_placements(encounters, encounter_locations, now, stale)
    per_hospital = free_by_care(now_view.beds, discharges_today(placed, now))
    counts = ["total", "free", "occupied", "blocked", "leaving_today"]
    network = per_hospital.groupby("group", sort=False)[counts].sum().reset_index()
    by_care = pd.concat([per_hospital, network.assign(hospital_id=None)], ignore_index=True)[
        ["hospital_id", "group", *counts]
    ]
    by_care.insert(1, "hospital", named(by_care["hospital_id"], now_view.hospital_names))
    order = {group: n for n, group in enumerate(CARE_GROUPS)}
    blocked = blocked_reasons(now_view.beds)
    blocked.insert(0, "hospital", named(blocked["hospital_id"], now_view.hospital_names))
    blocked.insert(2, "ward", named(blocked["ward_id"], now_view.ward_names))
    return PlacingNow(
        by_care=by_care,
        groups=tuple(sorted(set(per_hospital["group"]), key=lambda g: (order.get(g, 99), g))),
        blocked=blocked.drop(columns=["hospital_id", "ward_id"]),
    )


def capacity_wards(
    now_view: CapacityNow,
    encounters: pd.DataFrame,
    encounter_locations: pd.DataFrame,
    start: pd.Timestamp,
    now: pd.Timestamp,
    hospitals: Iterable[str],
    stale: StaleStays | None = None,
) -> CapacityWards:
    """The beds of ``hospitals`` per ward and category, and the census from ``start`` to now."""
    days = census_dates(start, now)
    periods = ward_periods(encounters, encounter_locations, stale)
    census, flows = midnight_census(periods, days), daily_flows(periods, days)
    return _wards(now_view, census, flows, hospitals)


def capacity_wards_from(
    now_view: CapacityNow, figures: WindowFigures, hospitals: Iterable[str]
) -> CapacityWards:
    """``capacity_wards`` from the figures of the window (``WindowFigures``)."""
    return _wards(now_view, figures.census, figures.flows, hospitals)


def _wards(
    now_view: CapacityNow, census: pd.DataFrame, flows: pd.DataFrame, hospitals: Iterable[str]
) -> CapacityWards:
    beds = now_view.beds
    in_scope = beds[beds["hospital_id"].isin(tuple(hospitals))]
    # From a list: iterating a text column of 100k beds element by element is slow.
    wards = set(in_scope["ward_id"].dropna().tolist())
    service = in_service(in_scope)
    detail = occupancy(in_scope, ["hospital_id", "ward_id", "bed_category", "age_group"])
    detail.insert(1, "hospital", named(detail["hospital_id"], now_view.hospital_names))
    detail.insert(3, "ward", named(detail["ward_id"], now_view.ward_names))
    totals = daily_totals(
        census[among(census["ward_id"], wards)], flows[among(flows["ward_id"], wards)], service
    )
    return CapacityWards(
        detail=detail,
        by_category=occupancy(in_scope, ["bed_category", "age_group"]),
        in_service=service,
        totals=totals,
    )


def capacity_reports(now_view: CapacityNow, hospital_id: str, now: pd.Timestamp) -> CapacityReports:
    """The SANER MeasureReport of ``hospital_id``'s beds today."""
    name = now_view.hospital_name(hospital_id)
    return CapacityReports(saner_measure_report(now_view.beds, hospital_id, name, now, now))


def capacity_turnaround(
    now_view: CapacityNow,
    tasks: pd.DataFrame,
    since: pd.Timestamp,
    hospitals: Iterable[str],
) -> pd.DataFrame:
    """Bed turnaround (``beds.bed_turnaround``) per ward of ``hospitals`` since ``since``, with
    ``hospital`` and ``ward`` names, ordered by them; wards without completed cleanings are
    left out. Cleanings follow discharges, so a count of 1-4 shows as "<5" and its hours are
    hidden."""
    beds = now_view.beds
    wards = beds[beds["hospital_id"].isin(tuple(hospitals))][["ward_id", "hospital_id"]]
    wards = wards.dropna().drop_duplicates("ward_id")
    turnaround = bed_turnaround(
        tasks[tasks["ward_id"].isin(set(wards["ward_id"]))], since, ["ward_id"]
    )
    turnaround = turnaround.merge(wards, on="ward_id", how="left")
    turnaround.insert(0, "hospital", named(turnaround["hospital_id"], now_view.hospital_names))
    turnaround.insert(1, "ward", named(turnaround["ward_id"], now_view.ward_names))
    turnaround = turnaround.sort_values(["hospital", "ward"]).reset_index(drop=True)
    shown = hide_small_groups(turnaround, "cleaned", ["median_hours", "p90_hours"])
    columns = ["hospital", "ward", "ward_id", "cleaned", "median_hours", "p90_hours"]
    return aggregate_only(shown[columns])
