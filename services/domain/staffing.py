"""Nurse staffing floors (Pflegepersonaluntergrenzen-Verordnung, PpUGV) per ward and shift.

Conventions (docs/DATA_MODEL.md, "Duty roster"):
- PpUGV shifts: the day shift 06-22 and the night shift 22-06 (Europe/Berlin); the night shift
  belongs to the date on which it begins;
- patients: the ward's inpatients at the counting time, 12:00 for the day shift and the
  midnight within the night shift (a ward period counts when start <= time < end, an open one
  from its start); a counting time not yet reached counts the patients there now and is
  provisional;
- nurses on duty: the hours of the nurses on the roster (Appointment participants that are
  nurses' PractitionerRoles, taking part as ``accepted``) within the PpUGV shift, over the
  shift's hours: an early (06-14) and a late shift (14-22) of two nurses each make two nurses
  for the day shift;
- patients per nurse and the floor: the floor is the most patients one nurse may care for in
  the ward's area (``services.config.StaffingFloors``); a shift meets it when patients per nurse
  <= floor (a shift without patients always does, one with patients and no nurse never);
  ``margin`` is the nurses on duty less the nurses the floor asks for (patients / floor);
- the month: PpUGV judges the monthly average per ward and shift, the mean patients over the
  mean nurses of the month's shifts whose counting time has passed.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from services.codes import SHIFT
from services.config import StaffingFloors
from services.search import query

__all__ = [
    "CANCELLED",
    "PPUGV_SHIFTS",
    "duty_roster",
    "judge",
    "monthly_averages",
    "nurses_on_duty",
    "patients_at_counting",
    "ppugv_shifts",
    "quarter_of",
    "quarterly_report",
    "ward_floors",
]

BERLIN = "Europe/Berlin"
# PpUGV shift -> (first hour, last hour, counting hour), Berlin wall clock; night runs past 24.
PPUGV_SHIFTS = {"day": (6, 22, 12), "night": (22, 30, 24)}
# Appointment states of a shift that did not or will not take place.
CANCELLED = frozenset({"cancelled", "entered-in-error", "noshow"})


def duty_roster(start: pd.Timestamp, end: pd.Timestamp) -> AbstractSearchSet:
    """The duty shifts (Appointments with a shift as ``serviceType``) beginning in [start, end).

    Patient appointments of a platform name no shift code and are not read.
    """
    return query("Appointment").search(
        date__ge=start.isoformat(), date__lt=end.isoformat(), **{"service-type": f"{SHIFT}|"}
    )


def _at(day: date, hour: int) -> pd.Timestamp:
    """The Berlin wall-clock ``hour`` of ``day`` (24 and later: of the days after)."""
    return (pd.Timestamp(day) + pd.Timedelta(hours=hour)).tz_localize(BERLIN)


def ppugv_shifts(days: list[date]) -> pd.DataFrame:
    """The PpUGV shifts of the dates: ``date``, ``shift``, ``start``, ``end``, ``counted_at``."""
    rows = [
        {
            "date": day,
            "shift": shift,
            "start": _at(day, first),
            "end": _at(day, last),
            "counted_at": _at(day, counted),
        }
        for day in days
        for shift, (first, last, counted) in PPUGV_SHIFTS.items()
    ]
    frame = pd.DataFrame(rows, columns=["date", "shift", "start", "end", "counted_at"])
    for column in ("start", "end", "counted_at"):
        frame[column] = pd.to_datetime(frame[column]).dt.tz_convert(BERLIN)
    return frame


def _ns(times: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch, whatever the column's time unit."""
    utc = times.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    return utc.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).astype("int64")


def patients_at_counting(
    periods: pd.DataFrame, shifts: pd.DataFrame, ward_ids: list[str], now: pd.Timestamp
) -> pd.DataFrame:
    """Patients per ward and PpUGV shift at its counting time (now where that is still to come).

    ``periods``: ward periods (``ward_id``, ``start``, ``end``, as ``census.ward_periods``);
    out: ``ward_id``, ``date``, ``shift``, ``patients``, ``provisional``.
    """
    moments = shifts["counted_at"].where(shifts["counted_at"] <= now, now)
    out = pd.DataFrame(
        {
            "ward_id": np.repeat(np.array(ward_ids, dtype="object"), len(shifts)),
            "date": np.tile(shifts["date"].to_numpy(), len(ward_ids)),
            "shift": np.tile(shifts["shift"].to_numpy(), len(ward_ids)),
            "provisional": np.tile((shifts["counted_at"] > now).to_numpy(), len(ward_ids)),
        }
    )
    counts = []
    points = _ns(moments) if len(shifts) else np.array([], dtype="int64")
    for ward in ward_ids:
        mine = periods[(periods["ward_id"] == ward) & periods["start"].notna()]
        starts = _ns(mine["start"])
        ends = np.where(
            mine["end"].isna().to_numpy(), np.iinfo("int64").max, _ns(mine["end"].fillna(now))
        )
        covers = (starts[:, None] <= points[None, :]) & (ends[:, None] > points[None, :])
        counts.append(covers.sum(axis=0))
    out["patients"] = (
        np.concatenate(counts).astype("int64") if counts else np.array([], dtype="int64")
    )
    return out[["ward_id", "date", "shift", "patients", "provisional"]]


def nurses_on_duty(
    duty: pd.DataFrame, nurse_role_ids: set[str], shifts: pd.DataFrame
) -> pd.DataFrame:
    """Nurses on duty per ward and PpUGV shift: nurse-hours within the shift over its hours.

    ``duty``: the roster table (one row per participant); out: ``ward_id``, ``date``, ``shift``,
    ``nurses`` for every ward that has a roster and every shift of ``shifts``.
    """
    on = duty[
        ~duty["status"].isin(CANCELLED)
        & (duty["participation"] == "accepted")
        & duty["role_id"].isin(nurse_role_ids)
        & duty["ward_id"].notna()
        & duty["start"].notna()
        & duty["end"].notna()
    ]
    # One nurse counted once per roster entry, even if a source lists her twice.
    on = on.drop_duplicates(["id", "role_id"])
    wards = sorted(duty.loc[duty["ward_id"].notna(), "ward_id"].unique())
    grid = pd.DataFrame({"ward_id": wards}).merge(shifts, how="cross")
    if grid.empty:
        empty = pd.Series([], dtype="object")
        return pd.DataFrame(
            {"ward_id": empty, "date": empty, "shift": empty, "nurses": empty.astype("float64")}
        )
    # A roster shift can overlap the PpUGV shifts of its own date and the night before.
    rows = on[["ward_id", "start", "end"]].rename(columns={"start": "on", "end": "off"})
    rows = rows.assign(date=rows["on"].dt.tz_convert(BERLIN).dt.date)
    candidates = pd.concat([rows, rows.assign(date=rows["date"] - timedelta(days=1))])
    joined = candidates.merge(grid, on=["ward_id", "date"], how="inner")
    overlap = (
        np.minimum(_ns(joined["off"]), _ns(joined["end"]))
        - np.maximum(_ns(joined["on"]), _ns(joined["start"]))
    ).clip(min=0)
    joined = joined.assign(hours=overlap)
    summed = joined.groupby(["ward_id", "date", "shift"], as_index=False)["hours"].sum()
    out = grid.merge(summed, on=["ward_id", "date", "shift"], how="left")
    length = _ns(out["end"]) - _ns(out["start"])
    out["nurses"] = out["hours"].fillna(0).to_numpy() / length
    return out[["ward_id", "date", "shift", "nurses"]]


def ward_floors(
    locations: pd.DataFrame, periods: pd.DataFrame, floors: StaffingFloors
) -> pd.DataFrame:
    """Each ward's PpUGV area and floors: ``ward_id``, ``hospital_id``, ``area``, ``floor_day``,
    ``floor_night`` (null without an area). The department is the ward Location's; a ward that
    names none takes the departments of its stays, the strictest of their areas."""
    wards = locations[locations["physical_type"] == "wa"]
    stay_departments = periods.groupby("ward_id")["department"].agg(
        lambda codes: sorted({c for c in codes if isinstance(c, str)})
    )
    areas = []
    for ward_id, department in zip(wards["id"], wards["department"], strict=True):
        codes = [department] if isinstance(department, str) else stay_departments.get(ward_id, [])
        areas.append(floors.area_of(ward_id, list(codes)))
    out = pd.DataFrame(
        {"ward_id": wards["id"].to_numpy(), "hospital_id": wards["hospital_id"].to_numpy()}
    )
    out["area"] = pd.Series(areas, dtype="object")
    out["floor_day"] = [floors.areas[a][0] if a else np.nan for a in areas]
    out["floor_night"] = [floors.areas[a][1] if a else np.nan for a in areas]
    return out


def judge(patients: pd.DataFrame, nurses: pd.DataFrame, wards: pd.DataFrame) -> pd.DataFrame:
    """Per ward, date and PpUGV shift: ``patients``, ``nurses``, ``ratio`` (patients per nurse,
    null without nurses), ``floor``, ``required`` (patients / floor), ``margin`` (nurses less
    required) and ``status`` (met, not_met, no_floor); only wards with a roster."""
    out = nurses.merge(patients, on=["ward_id", "date", "shift"], how="left")
    out["patients"] = out["patients"].fillna(0).astype("int64")
    out["provisional"] = out["provisional"].astype("boolean").fillna(False).astype(bool)
    out = out.merge(wards, on="ward_id", how="left")
    out["floor"] = out["floor_day"].where(out["shift"] == "day", out["floor_night"])
    out = out.drop(columns=["floor_day", "floor_night"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = (out["patients"] / out["nurses"]).where(out["nurses"] > 0)
        out["required"] = out["patients"] / out["floor"]
    out["margin"] = out["nurses"] - out["required"]
    met = (out["patients"] == 0) | (out["ratio"] <= out["floor"] + 1e-9)
    out["status"] = np.where(out["floor"].isna(), "no_floor", np.where(met, "met", "not_met"))
    return out.sort_values(["ward_id", "date", "shift"]).reset_index(drop=True)


def monthly_averages(judged: pd.DataFrame) -> pd.DataFrame:
    """Per ward, month (``month`` as ``YYYY-MM``) and PpUGV shift, over the shifts counted so far:
    ``shifts``, ``mean_patients``, ``mean_nurses``, ``ratio`` (mean patients over mean nurses),
    ``floor``, ``status`` as PpUGV judges the month, ``below`` (shifts not met) and
    ``below_share``."""
    done = judged[~judged["provisional"]].copy()
    done["month"] = [f"{d.year:04d}-{d.month:02d}" for d in done["date"]]
    done["below"] = done["status"] == "not_met"
    keys = ["hospital_id", "ward_id", "area", "month", "shift"]
    grouped = done.groupby(keys, dropna=False, as_index=False).agg(
        shifts=("date", "size"),
        mean_patients=("patients", "mean"),
        mean_nurses=("nurses", "mean"),
        floor=("floor", "first"),
        below=("below", "sum"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        grouped["ratio"] = (grouped["mean_patients"] / grouped["mean_nurses"]).where(
            grouped["mean_nurses"] > 0
        )
    met = (grouped["mean_patients"] == 0) | (grouped["ratio"] <= grouped["floor"] + 1e-9)
    grouped["status"] = np.where(
        grouped["floor"].isna(), "no_floor", np.where(met, "met", "not_met")
    )
    grouped["below"] = grouped["below"].astype("int64")
    grouped["below_share"] = grouped["below"] / grouped["shifts"]
    return grouped.sort_values(["hospital_id", "ward_id", "month", "shift"]).reset_index(drop=True)


def quarter_of(day: date) -> tuple[date, date]:
    """First day of the quarter of ``day`` and first day of the next quarter."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    following = date(first.year + (first.month + 3 > 12), (first.month + 2) % 12 + 1, 1)
    return first, following


def quarterly_report(monthly: pd.DataFrame, quarter_start: date) -> pd.DataFrame:
    """The rows of the quarterly report for the quarter beginning ``quarter_start``: one per ward,
    month and shift of the wards with a floor, in that order."""
    first, following = quarter_of(quarter_start)
    months = {
        f"{m.year:04d}-{m.month:02d}"
        for m in pd.date_range(first, following - timedelta(days=1), freq="MS")
    }
    rows = monthly[monthly["month"].isin(months) & monthly["floor"].notna()]
    order = {shift: n for n, shift in enumerate(PPUGV_SHIFTS)}
    return rows.sort_values(
        ["hospital_id", "ward_id", "month", "shift"],
        key=lambda c: c.map(order) if c.name == "shift" else c,
    ).reset_index(drop=True)
