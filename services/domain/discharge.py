"""Discharge flow as SAFER measures it: a planned discharge date within 24 hours of admission,
discharges before noon, and long stays (more than 7 and more than 21 days in hospital).

- Planned in time (``planned_in_time``): an inpatient stay counts on the Berlin date of its
  admission and for the ward it was admitted to (its first ward period). It is on time when its
  planned discharge (``planned_end``) was first documented (``planned_end_recorded``) no later
  than 24 hours after admission; a stay with a planned discharge but no time of documentation is
  ``undated`` and left out of the share, as nobody can tell whether it came in time.
- Before noon (``discharge_times``): a finished stay counts on the Berlin date of its end and for
  its last ward; before noon is an end before 12:00 Berlin time. A transfer to another hospital
  ends the stay too and counts, as the discharges of the trends page do.
- Long stays (``long_stays``): current inpatients by their time in hospital since admission
  (not since they came to the ward), more than ``STRANDED_DAYS`` days.

Every function takes frames and returns frames; nothing here knows who looks.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from services.domain.census import BERLIN

__all__ = [
    "NOON",
    "ON_TIME",
    "STRANDED_DAYS",
    "discharge_times",
    "long_stays",
    "monday_of",
    "planned_in_time",
    "ward_figures",
    "weekly_figures",
]

ON_TIME = pd.Timedelta(hours=24)
NOON = 12
# SAFER reviews patients in hospital for more than 7 days ("stranded") and more than 21 days.
STRANDED_DAYS = (7, 21)

_KEYS = ["hospital_id", "ward_id"]
_ADMITTED = ["source", "encounter_id", *_KEYS, "department", "date", "week", "on_time", "undated"]
_DISCHARGED = ["source", "encounter_id", *_KEYS, "department", "date", "week", "before_noon"]


def monday_of(day: date) -> date:
    """The Monday of ``day``'s week (ISO weeks: Monday first)."""
    return day - timedelta(days=day.weekday())


def _dates(times: pd.Series) -> pd.Series:
    return times.dt.tz_convert(BERLIN).dt.date


def _typed(frame: pd.DataFrame, columns: list[str], flags: tuple[str, ...]) -> pd.DataFrame:
    out = frame.reindex(columns=columns)
    for flag in flags:
        out[flag] = out[flag].astype("bool")
    return out.reset_index(drop=True)


def planned_in_time(
    periods: pd.DataFrame, encounters: pd.DataFrame, days: list[date]
) -> pd.DataFrame:
    """One row per inpatient stay admitted on one of ``days``, at its first ward.

    ``periods`` from ``services.domain.census.ward_periods``; ``encounters`` give the planned
    discharge and when it was documented. Columns: source, encounter_id, hospital_id, ward_id,
    department, date, week (its Monday), on_time, undated.
    """
    first = periods[periods["step"] == 0]
    plans = encounters[["source", "id", "planned_end", "planned_end_recorded"]].rename(
        columns={"id": "encounter_id"}
    )
    rows = first.merge(plans, on=["source", "encounter_id"], how="left")
    rows = rows.assign(date=_dates(rows["stay_start"]))
    rows = rows[rows["date"].isin(days)]
    recorded = rows["planned_end_recorded"]
    on_time = recorded.notna() & (recorded - rows["stay_start"] <= ON_TIME)
    undated = rows["planned_end"].notna() & recorded.isna()
    rows = rows.assign(
        on_time=on_time.to_numpy(),
        undated=undated.to_numpy(),
        week=rows["date"].map(monday_of),
    )
    return _typed(rows, _ADMITTED, ("on_time", "undated"))


def discharge_times(periods: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    """One row per finished inpatient stay that ended on one of ``days``, at its last ward.

    Columns: source, encounter_id, hospital_id, ward_id, department, date, week, before_noon.
    """
    last = periods[periods["last"] & (periods["status"] == "finished")]
    last = last[last["stay_end"].notna()]
    local = last["stay_end"].dt.tz_convert(BERLIN)
    rows = last.assign(
        date=local.dt.date,
        before_noon=(local.dt.hour < NOON).to_numpy(),
    )
    rows = rows[rows["date"].isin(days)]
    rows = rows.assign(week=rows["date"].map(monday_of))
    return _typed(rows, _DISCHARGED, ("before_noon",))


def long_stays(placed: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Current inpatients (``current_placements``) in hospital for more than the first of
    ``STRANDED_DAYS``, longest first, with ``days`` (fractional days since admission),
    ``over_7`` and ``over_21``."""
    days = (now - placed["start"]).dt.total_seconds() / 86400
    short, long = STRANDED_DAYS
    out = placed.assign(
        days=days.astype("float64"),
        over_7=(days > short).to_numpy(),
        over_21=(days > long).to_numpy(),
    )
    out = out[out["over_7"]]
    return out.sort_values("days", ascending=False, kind="stable").reset_index(drop=True)


def _share(hits: pd.Series, total: pd.Series) -> pd.Series:
    return (hits / total.where(total > 0)).astype("Float64")


def _admission_counts(admitted: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = admitted.groupby(by, sort=True)
    out = pd.DataFrame(
        {
            "admitted": grouped.size(),
            "on_time": grouped["on_time"].sum(),
            "undated": grouped["undated"].sum(),
        }
    )
    out["planned_share"] = _share(out["on_time"], out["admitted"] - out["undated"])
    return out


def _discharge_counts(discharged: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = discharged.groupby(by, sort=True)
    out = pd.DataFrame({"discharges": grouped.size(), "before_noon": grouped["before_noon"].sum()})
    out["noon_share"] = _share(out["before_noon"], out["discharges"])
    return out


_COUNTS = ("admitted", "on_time", "undated", "discharges", "before_noon")
_FIGURES = [
    "admitted",
    "on_time",
    "undated",
    "planned_share",
    "discharges",
    "before_noon",
    "noon_share",
    "inpatients",
    "over_7",
    "over_21",
]


def _filled(frame: pd.DataFrame, counts: tuple[str, ...]) -> pd.DataFrame:
    for column in counts:
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def ward_figures(
    wards: pd.DataFrame,
    admitted: pd.DataFrame,
    discharged: pd.DataFrame,
    stays_now: pd.DataFrame,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """Per ward of ``wards`` (``hospital_id``, ``ward_id``; figures keyed by ward): admitted,
    on_time, undated, planned_share; discharges, before_noon, noon_share; inpatients (now),
    over_7, over_21."""
    keys = wards[_KEYS].drop_duplicates("ward_id")
    stranded = long_stays(stays_now, now)
    present = stays_now.groupby("ward_id").size().rename("inpatients")
    over = stranded.groupby("ward_id")[["over_7", "over_21"]].sum()
    parts = [
        _admission_counts(admitted, ["ward_id"]),
        _discharge_counts(discharged, ["ward_id"]),
        present,
        over,
    ]
    out = keys.set_index("ward_id").join(parts, how="left").reset_index()[list(keys) + _FIGURES]
    return _filled(out, (*_COUNTS, "inpatients", "over_7", "over_21"))


def weekly_figures(
    admitted: pd.DataFrame, discharged: pd.DataFrame, weeks: list[date]
) -> pd.DataFrame:
    """Per week (its Monday) of ``weeks``: admitted, on_time, undated, planned_share,
    discharges, before_noon, noon_share over every ward given."""
    index = pd.Index(weeks, name="week")
    out = pd.concat(
        [
            _admission_counts(admitted, ["week"]).reindex(index),
            _discharge_counts(discharged, ["week"]).reindex(index),
        ],
        axis=1,
    ).reset_index()
    return _filled(out, _COUNTS)
