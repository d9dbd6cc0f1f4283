"""Patient flow over a time window: midnight census, admissions, discharges, transfers, stay length.

Conventions (the same as the generator's ground truth in docs/DATA_MODEL.md):
- census: a ward period counts at a midnight (00:00 Europe/Berlin) when start <= midnight < end;
  an open period counts at every midnight after its start;
- the days of a window are the Berlin dates whose midnight lies in [window start, window end];
- admissions / discharges: inpatient stays (class IMP) whose first / last ward was the ward, on
  the Berlin date of the stay's start / end (discharges only for finished stays);
- a transfer between wards is one ward period following another within the same stay, dated by
  the Berlin date it began; a transfer between hospitals is a stay that ended with the discharge
  disposition ``verlegung`` (out) or began with the admit source ``verlegung`` (in);
- length of stay: finished inpatient stays discharged in the window, in Belegungstage (the day
  of admission counts, the day of discharge or transfer does not; ``belegungstage``);
- a ward period ends at the latest when its stay stops counting as present
  (``services.domain.stays.counted_until``): at the stay's end, or for a stay without an end at
  its start plus its source's limit for open stays (``services.config.StaleStays``).

Why a stay the source left open counts up to its start plus the limit, and neither at every
midnight nor not at all: a manager reads the census as "what we reported on that day". While the
stay was younger than the limit the current-inpatient figures counted it, since nothing told it
apart from a long stay; past the limit they stop. Clipping the census at the same instant keeps
the last point of the 90-day trend equal to today's inpatients, and no past day changes when a
stay crosses the limit. Counting it at every midnight would let a discharge never booked raise
the census (and the occupancy) by one for years; leaving it out entirely would rewrite the
figures of the days when it was reported as present. The stay is still no discharge: it keeps
its status, so the discharges do not count it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from services.config import StaleStays
from services.domain.stays import counted_until, current_placements
from services.search import query

__all__ = [
    "ENCOUNTER_ELEMENTS",
    "TRANSFER",
    "WindowFigures",
    "belegungstage",
    "census_dates",
    "census_on_grid",
    "daily_flows",
    "daily_totals",
    "grid_sums",
    "hospital_transfers",
    "length_of_stay",
    "midnight",
    "midnight_census",
    "ward_days",
    "ward_periods",
    "ward_transfers",
    "weekday_pattern",
    "window_encounters",
    "window_figures",
    "with_inek_mean",
]

BERLIN = "Europe/Berlin"
# Code of both the admit source and the discharge disposition of a move between hospitals.
TRANSFER = "verlegung"
# What the census needs of an Encounter; everything else (names, subject, diagnoses) stays on
# the server, which keeps the pages aggregate-only and the transfer small. The contact level, the
# partOf link and the case number are what collapses MII contact levels into one stay
# (services.frames.contacts).
ENCOUNTER_ELEMENTS = (
    "status",
    "class",
    "type",
    "partOf",
    "identifier",
    "serviceType",
    "serviceProvider",
    "period",
    "location",
    "hospitalization",
    "extension",
)


def window_encounters(start: pd.Timestamp) -> AbstractSearchSet:
    """Inpatient stays overlapping [start, now): ``date=ge`` matches periods that end after it.

    Of every hospital: a hospital scope is applied to the finished stays
    (``services.domain.stays.in_hospitals``), see there why not by search.
    """
    return (
        query("Encounter")
        .search(date=f"ge{start.isoformat()}", **{"class": "IMP"})
        .elements(*ENCOUNTER_ELEMENTS)
    )


def midnight(day: date) -> pd.Timestamp:
    """00:00 Europe/Berlin at the start of ``day``."""
    return pd.Timestamp(day).tz_localize(BERLIN)


def census_dates(start: pd.Timestamp, end: pd.Timestamp) -> list[date]:
    """The Berlin dates whose midnight lies in [start, end]."""
    first = start.tz_convert(BERLIN).date()
    if midnight(first) < start:
        first += timedelta(days=1)
    last = end.tz_convert(BERLIN).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def ward_periods(
    encounters: pd.DataFrame, enc_locations: pd.DataFrame, rule: StaleStays | None = None
) -> pd.DataFrame:
    """The ward periods of inpatient stays, in order within each stay.

    Columns: source, encounter_id, hospital_id, department, ward_id, start, end, stay_start,
    stay_end, status (of the stay), step (0 for the first ward), last (the stay's last ward).
    ``end`` is the period's end, but no later than the stay counts as present (``rule``, see the
    module docstring); ``stay_end`` is the stay's end as the source gave it.
    """
    inpatient = encounters[encounters["class"] == "IMP"]
    stays = inpatient[["source", "id", "hospital_id", "department", "status", "start", "end"]]
    stays = stays.rename(columns={"id": "encounter_id", "start": "stay_start", "end": "stay_end"})
    # The limit is that of the whole read's finished stays, as for the current inpatients.
    stays = stays.assign(_until=counted_until(encounters, rule).loc[inpatient.index])
    wards = enc_locations[
        (enc_locations["physical_type"] == "wa") & enc_locations["start"].notna()
    ][["source", "encounter_id", "location_id", "start", "end"]]
    out = wards.rename(columns={"location_id": "ward_id"}).merge(
        stays, on=["source", "encounter_id"], how="inner"
    )
    until = out.pop("_until")
    out["end"] = out["end"].where(out["end"].notna() & ~(out["end"] > until), until)
    out = out.sort_values(["source", "encounter_id", "start"], kind="stable")
    group = out.groupby(["source", "encounter_id"], sort=False)
    out["step"] = group.cumcount()
    out["last"] = out["step"] == group["step"].transform("max")
    return out.reset_index(drop=True)


def midnight_census(periods: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    """Patients per ward at each midnight: columns source, ward_id, date, census (every pair)."""
    keys = periods[["source", "ward_id"]].drop_duplicates()
    if not days:
        return pd.DataFrame(columns=["source", "ward_id", "date", "census"])
    moments = np.array([midnight(d).value for d in days], dtype="int64")
    starts = _ns(periods["start"])
    ends = periods["end"]
    end_values = np.where(ends.isna().to_numpy(), np.iinfo("int64").max, _ns(ends))
    # One row per period, one column per midnight: whether the period covers it.
    covers = (starts[:, None] <= moments[None, :]) & (end_values[:, None] > moments[None, :])
    per_ward = (
        pd.DataFrame(covers.astype("int64"), columns=days)
        .groupby([periods["source"].to_numpy(), periods["ward_id"].to_numpy()])
        .sum()
    )
    per_ward.index.names = ["source", "ward_id"]
    long = per_ward.stack().rename("census").reset_index().rename(columns={"level_2": "date"})
    full = keys.merge(pd.DataFrame({"date": days}), how="cross")
    out = full.merge(long, on=["source", "ward_id", "date"], how="left")
    out["census"] = out["census"].fillna(0).astype("int64")
    return out.sort_values(["source", "ward_id", "date"]).reset_index(drop=True)


def _ns(times: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch, whatever the column's time unit (missing: a sentinel)."""
    utc = times.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    return utc.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).astype("int64")


def _berlin_day(times: pd.Series) -> pd.Series:
    return times.dt.tz_convert(BERLIN).dt.date


def daily_flows(periods: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    """Admissions, discharges and transfers in/out per ward and day (every ward and day)."""
    first = periods[periods["step"] == 0]
    last = periods[periods["last"] & (periods["status"] == "finished")]
    moves_in = periods[periods["step"] > 0]
    previous = periods.groupby(["source", "encounter_id"])["ward_id"].shift(1)
    moves_out = periods.assign(ward_id=previous)[periods["step"] > 0]
    events = [
        ("admissions", first, first["stay_start"]),
        ("discharges", last, last["stay_end"]),
        ("transfers_in", moves_in, moves_in["start"]),
        ("transfers_out", moves_out, moves_out["start"]),
    ]
    keys = periods[["source", "ward_id"]].drop_duplicates()
    out = keys.merge(pd.DataFrame({"date": days}), how="cross")
    for name, rows, when in events:
        counted = (
            pd.DataFrame(
                {"source": rows["source"], "ward_id": rows["ward_id"], "date": _berlin_day(when)}
            )
            .value_counts()
            .rename(name)
            .reset_index()
        )
        out = out.merge(counted, on=["source", "ward_id", "date"], how="left")
        out[name] = out[name].fillna(0).astype("int64")
    return out.sort_values(["source", "ward_id", "date"]).reset_index(drop=True)


def ward_transfers(periods: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    """Moves between wards of the same stay: source, from_ward, to_ward, date, transfers."""
    ordered = periods.assign(
        from_ward=periods.groupby(["source", "encounter_id"])["ward_id"].shift(1)
    )
    moves = ordered[ordered["step"] > 0]
    frame = pd.DataFrame(
        {
            "source": moves["source"],
            "from_ward": moves["from_ward"],
            "to_ward": moves["ward_id"],
            "date": _berlin_day(moves["start"]),
        }
    )
    frame = frame[frame["date"].isin(days)]
    return frame.value_counts().rename("transfers").reset_index()


def hospital_transfers(encounters: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    """Moves between hospitals per hospital and day: transfers_out and transfers_in."""
    stays = encounters[encounters["class"] == "IMP"]
    leaving = stays[(stays["status"] == "finished") & (stays["discharge_disposition"] == TRANSFER)]
    arriving = stays[stays["admit_source"] == TRANSFER]
    parts = []
    for name, rows, when in (
        ("transfers_out", leaving, leaving["end"]),
        ("transfers_in", arriving, arriving["start"]),
    ):
        counted = (
            pd.DataFrame(
                {
                    "source": rows["source"],
                    "hospital_id": rows["hospital_id"],
                    "date": _berlin_day(when),
                }
            )
            .value_counts()
            .rename(name)
        )
        parts.append(counted)
    out = pd.concat(parts, axis=1).fillna(0).astype("int64").reset_index()
    out = out[out["date"].isin(days)]
    return out.sort_values(["source", "hospital_id", "date"]).reset_index(drop=True)


def daily_totals(
    census: pd.DataFrame, flows: pd.DataFrame, beds_in_service: int | None = None
) -> pd.DataFrame:
    """One row per day over all wards given: census, flows and, with beds, occupancy."""
    per_day = census.groupby("date")["census"].sum()
    moved = flows.groupby("date")[
        ["admissions", "discharges", "transfers_in", "transfers_out"]
    ].sum()
    out = pd.concat([per_day, moved], axis=1).fillna(0).astype("int64").reset_index()
    if beds_in_service:
        out["occupancy"] = (out["census"] / beds_in_service).astype("Float64")
    else:
        out["occupancy"] = pd.Series(pd.NA, index=out.index, dtype="Float64")
    return out


def belegungstage(start: pd.Series, end: pd.Series) -> pd.Series:
    """Length of stay in Belegungstage, as German hospitals bill and InEK reports it (FPV § 1
    Abs. 7): the day of admission counts, the day of discharge or transfer does not; a stay
    that begins and ends on one day counts that day. Calendar days in Berlin, so a stay from
    23:00 to 01:00 is one day, not an hour."""
    days = (_berlin_day(end) - _berlin_day(start)).map(lambda d: d.days)
    return days.clip(lower=1).astype("int64")


def length_of_stay(
    encounters: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    by: str | list[str] = "department",
) -> pd.DataFrame:
    """Finished inpatient stays discharged in [start, end): stays, mean, median and 90th
    percentile of the length of stay in Belegungstage (``belegungstage``) per ``by`` group."""
    finished = encounters[
        (encounters["class"] == "IMP")
        & (encounters["status"] == "finished")
        & encounters["end"].notna()
        & (encounters["end"] >= start)
        & (encounters["end"] < end)
    ]
    keys = [by] if isinstance(by, str) else list(by)
    days = belegungstage(finished["start"], finished["end"]).astype("float64")
    grouped = days.groupby([finished[k].fillna("–") for k in keys])
    out = pd.DataFrame(
        {
            "stays": grouped.size(),
            "mean_days": grouped.mean(),
            "median_days": grouped.median(),
            "p90_days": grouped.quantile(0.9),
        }
    )
    return out.rename_axis(keys).reset_index()


def with_inek_mean(los: pd.DataFrame, means: Mapping[str, float]) -> pd.DataFrame:
    """``los`` (``length_of_stay`` by department) with ``inek_mean_days``, the configured InEK
    mean of each department (missing where none is configured), and ``above_inek_days``, how
    many Belegungstage the mean lies above it (negative: below)."""
    inek = los["department"].map(dict(means)).astype("Float64")
    return los.assign(
        inek_mean_days=inek, above_inek_days=(los["mean_days"].astype("Float64") - inek)
    )


def weekday_pattern(totals: pd.DataFrame) -> pd.DataFrame:
    """Mean admissions, discharges and midnight census per weekday (0 = Monday).

    ``admissions_total`` and ``discharges_total``: the events behind each mean, for the
    small-count rule (``services.domain.disclosure.small_means``).
    """
    frame = totals.assign(weekday=[d.weekday() for d in totals["date"]])
    out = frame.groupby("weekday")[["admissions", "discharges", "census"]].mean()
    out["days"] = frame.groupby("weekday").size()
    sums = frame.groupby("weekday")[["admissions", "discharges"]].sum()
    out["admissions_total"] = sums["admissions"]
    out["discharges_total"] = sums["discharges"]
    return out.reindex(range(7)).reset_index()


@dataclass(frozen=True)
class WindowFigures:
    """The figures of a window over every ward and hospital of a read, before any choice of
    wards: what the manager pages shape into their views.

    - ``placements``: ``current_placements`` at ``now``;
    - ``census``: ``midnight_census``, ``flows``: ``daily_flows`` and ``routes``:
      ``ward_transfers`` over every ward period of the window;
    - ``hospital_transfers``: ``hospital_transfers`` of every hospital.

    Computed from the stays in pandas (``window_figures``) or where the data is, by SQL over the
    Parquet store (``services.analytics``); both give the same frames. A view narrows them to
    its wards afterwards: a transfer out of a chosen ward counts on the day the patient left it,
    whether the next ward was chosen or not.
    """

    days: list[date]
    now: pd.Timestamp
    placements: pd.DataFrame
    census: pd.DataFrame
    flows: pd.DataFrame
    routes: pd.DataFrame
    hospital_transfers: pd.DataFrame


def window_figures(
    encounters: pd.DataFrame,
    enc_locations: pd.DataFrame,
    start: pd.Timestamp,
    now: pd.Timestamp,
    rule: StaleStays | None = None,
) -> WindowFigures:
    """The figures of the stays read for the window from ``start`` to ``now``."""
    days = census_dates(start, now)
    periods = ward_periods(encounters, enc_locations, rule)
    return WindowFigures(
        days=days,
        now=now,
        placements=current_placements(encounters, enc_locations, now, rule),
        census=midnight_census(periods, days),
        flows=daily_flows(periods, days),
        routes=ward_transfers(periods, days),
        hospital_transfers=hospital_transfers(encounters, days),
    )


def census_on_grid(
    wards: pd.DataFrame, ward: np.ndarray, day: np.ndarray, change: np.ndarray, days: list[date]
) -> pd.DataFrame:
    """``midnight_census`` from its changes: ``change[i]`` of the census of ward ``ward[i]``
    (a row of ``wards``: unique ``source`` and ``ward_id``) from the midnight of ``days[day[i]]``
    on, a change before the first day placed on it (periods counted from the first midnight at
    or after their start, no longer from the first at or after their end). A change at -1 in
    either counts nowhere. Every ward gets every day; a ward without id has a null census.
    """
    if not days:
        return pd.DataFrame(columns=["source", "ward_id", "date", "census"])
    change = grid_sums(len(wards), ward, day, {"change": change}, len(days))["change"]
    census = change.reshape(len(wards), len(days)).cumsum(axis=1).ravel()
    # A period on a ward without id counts on no ward: its census is null, as grouping left it.
    unnamed = np.repeat(wards.isna().any(axis=1).to_numpy(), len(days))
    if unnamed.any():
        census = np.where(unnamed, np.nan, census)
    return ward_days(wards, days).assign(census=census)


def grid_sums(
    wards: int, ward: np.ndarray, day: np.ndarray, columns: dict[str, np.ndarray], days: int
) -> dict[str, np.ndarray]:
    """Each of ``columns`` summed on the grid of ``wards`` × ``days`` (as ``ward_days``), ward by
    ward and day by day, each row placed at its ``ward`` and ``day`` position; a row at -1 in
    either counts nowhere.

    Integers on a grid: grouping, merging and sorting the dates themselves (Python objects)
    took a third of a second at network scale (330k ward-days).
    """
    kept = (ward >= 0) & (day >= 0)
    place = ward[kept] * days + day[kept]
    sums = {}
    for name, values in columns.items():
        column = np.zeros(wards * days, dtype="int64")
        np.add.at(column, place, np.asarray(values)[kept].astype("int64"))
        sums[name] = column
    return sums


def ward_days(wards: pd.DataFrame, days: list[date]) -> pd.DataFrame:
    """Every row of ``wards`` with every day (column ``date``), in their orders."""
    out = wards.iloc[np.repeat(np.arange(len(wards)), len(days))].reset_index(drop=True)
    out["date"] = np.tile(np.array(days, dtype=object), len(wards))
    return out
