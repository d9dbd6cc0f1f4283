"""The discharge flow pages (SAFER): planned discharge within 24 hours, discharges before noon
and long stays, per ward, per week and as a list of the long stays.

Two audiences, one composition. Managers (``identified=False``) get aggregates: counts of stays
between 1 and 4 as "<5", shares of fewer than 5 stays hidden, and the long stays listed by ward,
department and days only. Ward nurses and physicians (``identified=True``) see their wards' or
departments' exact figures and the long stays with the patient's name; the page audits that list.

The periods: admissions of the 28 days up to the day before yesterday (each stay had its first
24 hours), discharges of the 28 days up to yesterday, both by week over the last ``TREND_WEEKS``
weeks (the current week so far), and the inpatients now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from services.config import StaleStays
from services.domain.census import midnight, ward_periods
from services.domain.discharge import (
    discharge_times,
    long_stays,
    monday_of,
    planned_in_time,
    ward_figures,
    weekly_figures,
)
from services.domain.disclosure import SMALL, mark_small
from services.domain.people import display_names
from services.domain.stays import current_placements
from services.views.common import aggregates_only, named, names_by_id, wards_of

__all__ = ["DAYS", "TREND_WEEKS", "DischargeView", "discharge_view", "read_from"]

DAYS = 28
TREND_WEEKS = 8
# Counts of stays (patient events) under the small-count rule on the managers' page; the shares
# computed from them are hidden below 5.
_SMALL_COUNTS = ("admitted", "on_time", "undated", "discharges", "before_noon", "over_7", "over_21")
_SHARES = {"planned_share": ("admitted", "undated"), "noon_share": ("discharges", None)}
_LIST_COLUMNS = ["hospital", "ward", "department", "days", "over_21"]
_NAMED_COLUMNS = [
    "source",
    "patient_id",
    "name",
    "birth_date",
    "bed",
    "start",
    "planned_end",
]


def _today(now: pd.Timestamp) -> date:
    return now.tz_convert("Europe/Berlin").date()


def read_from(now: pd.Timestamp) -> pd.Timestamp:
    """Where the page's read of stays starts: the Monday of the first week of the trend."""
    return midnight(monday_of(_today(now)) - timedelta(weeks=TREND_WEEKS - 1))


@dataclass(frozen=True)
class DischargeView:
    """- ``wards``: per ward ``hospital``, ``ward``, ``admitted``, ``on_time``, ``undated``,
      ``planned_share``, ``discharges``, ``before_noon``, ``noon_share``, ``inpatients``,
      ``over_7``, ``over_21`` (the 28-day periods and now);
    - ``totals``: the same figures over every ward, one row;
    - ``weeks``: per ``week`` (its Monday) the admission and discharge figures;
    - ``stays``: the long stays (more than 7 days) by ``hospital``, ``ward``, ``department``,
      ``days`` (whole days) and ``over_21``; identified, also ``name``, ``birth_date``, ``bed``,
      ``start``, ``planned_end`` and ``source``/``patient_id`` for the audit;
    - ``admissions``, ``discharges``: the first and last date of the two 28-day periods.
    """

    wards: pd.DataFrame
    totals: pd.DataFrame
    weeks: pd.DataFrame
    stays: pd.DataFrame
    admissions: tuple[date, date]
    discharges: tuple[date, date]
    identified: bool

    def __post_init__(self) -> None:
        if not self.identified:
            aggregates_only(self)


def _disclosed(frame: pd.DataFrame) -> pd.DataFrame:
    """Shares of fewer than 5 stays hidden, then the counts of 1-4 stays as "<5"."""
    out = frame.copy()
    for share, (total, left_out) in _SHARES.items():
        base = out[total] - (out[left_out] if left_out else 0)
        out[share] = out[share].astype("Float64").mask(base < SMALL)
    return mark_small(out, [c for c in _SMALL_COUNTS if c in out])


def _totals(wards: pd.DataFrame) -> pd.DataFrame:
    sums = wards[
        [
            "admitted",
            "on_time",
            "undated",
            "discharges",
            "before_noon",
            "inpatients",
            "over_7",
            "over_21",
        ]
    ].sum()
    out = sums.to_frame().T.astype("int64")
    dated = out["admitted"] - out["undated"]
    out["planned_share"] = (out["on_time"] / dated.where(dated > 0)).astype("Float64")
    out["noon_share"] = (
        out["before_noon"] / out["discharges"].where(out["discharges"] > 0)
    ).astype("Float64")
    return out


def _stay_list(
    stays: pd.DataFrame,
    locations: pd.DataFrame,
    hospitals: dict[str, str],
    patients: pd.DataFrame | None,
    identified: bool,
    lang: str,
) -> pd.DataFrame:
    wards = names_by_id(locations)
    out = stays.assign(
        hospital=named(stays["hospital_id"], hospitals),
        ward=named(stays["ward_id"], wards),
        days=stays["days"].astype("int64"),
    )
    if not identified:
        return out[_LIST_COLUMNS].reset_index(drop=True)
    out = out.assign(bed=stays["bed_id"].map(wards))
    if patients is not None and not patients.empty:
        people = patients.assign(name=display_names(patients, lang)).rename(
            columns={"id": "patient_id"}
        )[["source", "patient_id", "name", "birth_date"]]
        out = out.merge(people, on=["source", "patient_id"], how="left")
    else:
        out = out.assign(name=None, birth_date=None)
    return out[[*_LIST_COLUMNS, *_NAMED_COLUMNS]].reset_index(drop=True)


def discharge_view(
    locations: pd.DataFrame,
    organizations: pd.DataFrame,
    encounters: pd.DataFrame,
    enc_locations: pd.DataFrame,
    now: pd.Timestamp,
    *,
    placed: pd.DataFrame | None = None,
    patients: pd.DataFrame | None = None,
    ward_ids: tuple[str, ...] = (),
    departments: tuple[str, ...] = (),
    identified: bool = False,
    rule: StaleStays | None = None,
    lang: str = "de",
) -> DischargeView:
    """Compose the page's figures for the wards of ``locations`` (the user's hospitals).

    ``encounters``/``enc_locations``: the stays read from ``read_from(now)`` on. ``placed``: the
    current inpatients (``current_placements``) when read apart with their Patients, else taken
    from the same read. ``ward_ids`` narrows to a nurse's wards, ``departments`` to a
    physician's stays.
    """
    today = _today(now)
    admission_days = [today - timedelta(days=n) for n in range(DAYS + 1, 1, -1)]
    discharge_days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
    first_week = monday_of(today) - timedelta(weeks=TREND_WEEKS - 1)
    trend_admissions = [
        first_week + timedelta(days=n) for n in range((today - first_week).days - 1)
    ]
    trend_discharges = [first_week + timedelta(days=n) for n in range((today - first_week).days)]
    # Weeks with at least one whole day: on a Monday the current week has none yet.
    weeks = sorted({monday_of(day) for day in trend_discharges})

    wards = wards_of(locations)
    if ward_ids:
        wards = wards[wards["id"].isin(ward_ids)]
    wards = pd.DataFrame({"hospital_id": wards["hospital_id"], "ward_id": wards["id"]})
    if departments:
        encounters = encounters[encounters["department"].isin(departments)]
    if placed is None:
        placed = current_placements(encounters, enc_locations, now, rule)
    elif departments:
        placed = placed[placed["department"].isin(departments)]
    in_scope = set(wards["ward_id"])
    placed = placed[placed["ward_id"].isin(in_scope)]
    periods = ward_periods(encounters, enc_locations, rule)
    periods = periods[periods["ward_id"].isin(in_scope)]

    admitted = planned_in_time(periods, encounters, trend_admissions + admission_days)
    discharged = discharge_times(periods, trend_discharges + discharge_days)
    recent_in = admitted[admitted["date"].isin(admission_days)]
    recent_out = discharged[discharged["date"].isin(discharge_days)]
    per_ward = ward_figures(wards, recent_in, recent_out, placed, now)
    hospitals = names_by_id(organizations)
    per_ward = per_ward.assign(
        hospital=named(per_ward["hospital_id"], hospitals),
        ward=named(per_ward["ward_id"], names_by_id(locations)),
    )
    totals = _totals(per_ward)
    per_week = weekly_figures(
        admitted[admitted["date"].isin(trend_admissions)],
        discharged[discharged["date"].isin(trend_discharges)],
        weeks,
    )
    stays = _stay_list(long_stays(placed, now), locations, hospitals, patients, identified, lang)
    if departments:
        # A physician's departments use some of the hospital's wards only.
        active = per_ward[["admitted", "discharges", "inpatients"]].sum(axis=1) > 0
        per_ward = per_ward[active]
    shown = per_ward.drop(columns=["hospital_id", "ward_id"])
    shown = shown[["hospital", "ward", *[c for c in shown if c not in ("hospital", "ward")]]]
    if not identified:
        shown, totals, per_week = _disclosed(shown), _disclosed(totals), _disclosed(per_week)
    return DischargeView(
        wards=shown.reset_index(drop=True),
        totals=totals,
        weeks=per_week,
        stays=stays,
        admissions=(admission_days[0], admission_days[-1]),
        discharges=(discharge_days[0], discharge_days[-1]),
        identified=identified,
    )
