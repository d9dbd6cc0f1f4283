"""The staffing page: nurses on duty against the PpUGV floors per ward and shift: the shifts of
the duty day, the averages of its month so far and the quarterly report.

Counts of patients here are a census (patients present at a counting time), not patient events;
like the census of the other manager pages they are shown as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from services.config import StaffingFloors, StaleStays
from services.domain.census import ward_periods
from services.domain.staffing import (
    judge,
    monthly_averages,
    nurses_on_duty,
    patients_at_counting,
    ppugv_shifts,
    quarter_of,
    quarterly_report,
    ward_floors,
)
from services.views.common import aggregates_only, named, names_by_id, wards_of

__all__ = ["StaffingView", "current_shift", "duty_day", "staffing_view"]


def duty_day(now: pd.Timestamp) -> date:
    """The date whose PpUGV shifts run now: before 06:00 the night begun yesterday."""
    return (now.tz_convert("Europe/Berlin") - timedelta(hours=6)).date()


@dataclass(frozen=True)
class StaffingView:
    """- ``today``: the PpUGV shifts of the duty day per ward: ``hospital``, ``ward``, ``area``,
      ``shift``, ``patients``, ``provisional``, ``nurses``, ``ratio``, ``floor``, ``required``,
      ``margin``, ``status``;
    - ``month``: the duty day's month so far per ward and shift (``monthly_averages``), named;
    - ``report``: the quarter's rows per ward, month and shift, named;
    - ``has_roster``: whether any ward in scope has a duty roster at all;
    - ``day``, ``quarter``: the duty day and the quarter's first and next-quarter's first day.
    """

    today: pd.DataFrame
    month: pd.DataFrame
    report: pd.DataFrame
    has_roster: bool
    day: date
    quarter: tuple[date, date]

    def __post_init__(self) -> None:
        aggregates_only(self)


def current_shift(view: StaffingView, ward_id: str, now: pd.Timestamp) -> dict | None:
    """The PpUGV shift running now on ``ward_id`` from ``view.today`` (``shift``, ``patients``,
    ``nurses``, ``ratio``, ``floor``, ``status``, ``provisional``); None without a roster."""
    hour = now.tz_convert("Europe/Berlin").hour
    shift = "day" if 6 <= hour < 22 else "night"
    rows = view.today[(view.today["ward_id"] == ward_id) & (view.today["shift"] == shift)]
    return None if rows.empty else rows.iloc[0].to_dict()


def _named(frame: pd.DataFrame, hospitals: dict[str, str], wards: dict[str, str]) -> pd.DataFrame:
    return frame.assign(
        hospital=named(frame["hospital_id"], hospitals), ward=named(frame["ward_id"], wards)
    )


def staffing_view(
    locations: pd.DataFrame,
    organizations: pd.DataFrame,
    encounters: pd.DataFrame,
    enc_locations: pd.DataFrame,
    duty: pd.DataFrame,
    roles: pd.DataFrame,
    now: pd.Timestamp,
    quarter_start: date,
    floors: StaffingFloors,
    rule: StaleStays | None = None,
) -> StaffingView:
    """Compose the page's figures for the wards of ``locations`` (the user's scope)."""
    day = duty_day(now)
    first, following = quarter_of(quarter_start)
    # The quarter up to the duty day, and the duty day's month whichever quarter is chosen.
    begin = min(first, day.replace(day=1))
    last = max(min(following - timedelta(days=1), day), day)
    days = [begin + timedelta(days=n) for n in range((last - begin).days + 1)]
    wards = wards_of(locations)
    ward_ids = sorted(wards["id"])
    roster = duty[duty["ward_id"].isin(ward_ids)]
    periods = ward_periods(encounters, enc_locations, rule)
    shifts = ppugv_shifts(days)
    nurse_ids = set(roles.loc[roles["role"] == "nurse", "id"])
    nurses = nurses_on_duty(roster, nurse_ids, shifts)
    rostered = sorted(nurses["ward_id"].unique())
    patients = patients_at_counting(periods, shifts, rostered, now)
    judged = judge(patients, nurses, ward_floors(wards, periods, floors))
    hospitals, ward_names = names_by_id(organizations), names_by_id(locations)
    judged = _named(judged, hospitals, ward_names)
    monthly = monthly_averages(judged)
    this_month = f"{day.year:04d}-{day.month:02d}"
    month = _named(monthly[monthly["month"] == this_month], hospitals, ward_names)
    report = _named(quarterly_report(monthly, first), hospitals, ward_names)
    today = judged[judged["date"] == day].drop(columns=["date"]).reset_index(drop=True)
    return StaffingView(
        today=today,
        month=month.reset_index(drop=True),
        report=report,
        has_roster=bool(rostered),
        day=day,
        quarter=(first, following),
    )
