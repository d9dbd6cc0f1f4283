"""The manager figures where the data is: SQL over the Parquet store, run by DuckDB or Spark.

The capacity and trends pages count stays per ward and day. Done per stay in pandas that is
minutes and gigabytes for a network's 90 days (BENCHMARKS.md); here the engine reads the store
and returns what the views shape: a few thousand rows of ``WindowFigures`` (census changes,
flows, transfers per ward and day, the current placements) and the length of stay per
department. The rules are those of ``services.domain.census`` and ``services.domain.stays``,
written once more as SQL; ``tests/unit/test_analytics.py`` and the store's integration test
hold both writings to the same figures.

Each figure is one SQL text for both engines. Times become epoch microseconds as they are read
and Berlin days are counted in integers (``_berlin_offset``); what the two dialects spell
differently (epoch microseconds, integer division) is written as a macro, ``@name(args)``,
expanded per engine by ``_expand``; identifiers are double-quoted as in standard SQL. Four
relations are computed once per call and shared by the figures: ``sole`` (per source, the one
hospital its window names, if one), ``limits`` (per source, the window's stays of the scope
counted and the days after which one left open stops counting as present), ``ward_keys``
(every ward of the window numbered) and ``periods`` (the window's ward periods with step, ward
and ward before by number and Berlin days, ended where their stay stops counting as present).
The figures count wards by number and the ids are put back on the few thousand rows of the
result: grouping by two text columns took most of the engine's time at network scale. The
placements and the transfers between hospitals read the few stays they need straight from
the store, filtered while it is read (``_scoped``), not from a relation of every stay.

Tables are kept in the store beside the extracted ones, computed from them by one SQL text
each when data enters the store (``refresh_derived``: the sync's merge writes them for the stays
it brings). ``ward_period`` (``_WARD_PERIOD_SQL``) holds every ward period of a stay with what
the figures need of its stay, so a page filters the stored periods instead of typing, joining
and ordering every location entry of the window and joining them to their stays on each read.
``open_place`` (``_OPEN_PLACE_SQL``) holds the ward, room and bed entries of the stays in
progress, among which the current placements are chosen. Only what depends on the window
(which stays count, until when a stay left open counts, what holds now) is applied when
reading.

Contact levels: a source with MII contact levels (``partOf``, a case reference, a level below
the Einrichtungskontakt) in the window's months, as the sync keeps them in a third computed
table (``contact_below``), has its window collapsed by ``services.frames.contacts`` as on the
search path, written to a scratch Parquet file beside the store, and read from there;
every other source is read straight from the store. The collapsed window's two computed tables
come from the scratch files by the same SQL. Rows per stay are then one per stay for every
source, and what collapsing does to a flat source (leave out cancelled and entered-in-error
contacts, fill the hospital) ``_scoped`` and the stored periods' filter do themselves.

Where pandas keeps the order of the table and SQL has none, a tie is broken by the data: ward
periods of one stay that begin at the same instant are taken by end, then ward id; of two
location entries covering now, the later-begun one is the place.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from services import store
from services.codes import NOT_A_STAY
from services.config import Settings, StaleStays
from services.domain.census import (
    BERLIN,
    TRANSFER,
    WindowFigures,
    census_dates,
    census_on_grid,
    grid_sums,
    ward_days,
)
from services.search import PageStats

__all__ = [
    "CONTACT_BELOW",
    "OPEN_PLACE",
    "WARD_PERIOD",
    "StoreFigures",
    "derived_built",
    "figures",
    "refresh_derived",
]

# The engines' spellings of what standard SQL leaves open. Timestamps leave them as epoch
# microseconds at once (DuckDB reads the store's as TIMESTAMP WITH TIME ZONE, Spark as TIMESTAMP
# in its UTC session; both are UTC microseconds inside), and everything after is integers.
_DIALECTS: dict[str, dict[str, str]] = {
    "duckdb": {"us": "epoch_us({0})", "div": "({0} // {1})"},
    "spark": {"us": "unix_micros({0})", "div": "({0} div {1})"},
}
_DAY_US = 86_400_000_000
_MACRO = re.compile(r"@([a-z_]+)\(")

_VOID = ", ".join(f"'{status}'" for status in NOT_A_STAY)
_HEAD = "einrichtungskontakt"
_LOS_COLUMNS = ["stays", "mean_days", "median_days", "p90_days"]


@cache
def _berlin_offset() -> str:
    """Berlin's offset from UTC in microseconds at an instant ``{0}`` (epoch microseconds), as
    a CASE over the transitions from 1980, when Germany took up summer time again, to ten years
    ahead: a comparison per transition instead of a time-zone library call per row, which took
    most of the engines' time. Earlier instants are standard time, as Berlin kept it then."""
    hours = pd.date_range("1980-01-01", f"{date.today().year + 10}-01-01", freq="h", tz="UTC")
    naive = hours.tz_localize(None)
    offsets = (hours.tz_convert(BERLIN).tz_localize(None) - naive).to_numpy()
    offsets = offsets.astype("timedelta64[us]").astype("int64")
    changes = np.flatnonzero(np.diff(offsets)) + 1
    instants = naive.to_numpy().astype("datetime64[us]").astype("int64")
    whens = " ".join(f"WHEN {{0}} >= {instants[i]} THEN {offsets[i]}" for i in changes[::-1])
    return f"CASE {whens} ELSE {offsets[0]} END"


def _derived() -> dict[str, str]:
    """Written with the dialects' macros, the same for both engines. ``l`` is Berlin wall-clock
    time as epoch microseconds (``@local``); days are counted from 1970-01-01."""
    return {
        "local": f"({{0}} + {_berlin_offset()})",
        # The Berlin calendar day of an instant.
        "day": f"@div(@local({{0}}), {_DAY_US})",
        # The day of the first Berlin midnight at or after a wall-clock time.
        "midnight_day": (
            f"(@div({{0}}, {_DAY_US}) + CASE WHEN {{0}} % {_DAY_US} = 0 THEN 0 ELSE 1 END)"
        ),
    }


def _expand(sql: str, engine: str) -> str:
    """``sql`` with every ``@name(a, b)`` written out for ``engine``."""
    spelled = {**_DIALECTS[engine], **_derived()}
    while match := _MACRO.search(sql):
        depth, pos, args, begin = 1, match.end(), [], match.end()
        while depth:
            char = sql[pos]
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            if (char == "," and depth == 1) or depth == 0:
                args.append(sql[begin:pos].strip())
                begin = pos + 1
            pos += 1
        sql = sql[: match.start()] + spelled[match.group(1)].format(*args) + sql[pos:]
    return sql


# -- the relations -------------------------------------------------------------------------------


# The Encounters that are inpatient stays: the stays relation and the stored ward periods
# take the same ones, since the periods of the window are filtered, not joined, to the stays.
_INPATIENT = """class = 'IMP' AND (start IS NOT NULL OR "end" IS NOT NULL)"""

# The Encounters that are stays of the window (one ``?``: its start).
_IN_WINDOW = f"""{_INPATIENT}
        AND ("end" IS NULL OR "end" >= ?)
        AND (status IS NULL OR status NOT IN ({_VOID}))"""

# Per source, the one hospital its window's stays name, if only one: it is the hospital of its
# stays that name none (``sole``, one ``?``: the window's start).
_SOLE_SQL = f"""
SELECT source, min(hospital_id) AS only_id, count(DISTINCT hospital_id) AS hospitals
FROM encounter
WHERE {_IN_WINDOW} AND hospital_id IS NOT NULL
GROUP BY source
"""  # noqa: S608 - a text of our own


def _hospital(row: str) -> str:
    """The hospital of a stay in ``row`` (``hospital_id`` and ``source``) joined to ``sole``
    as ``s``: its own, else its source's only one, else the source."""
    only = f"CASE WHEN s.hospitals = 1 THEN s.only_id ELSE {row}.source END"
    return f"COALESCE({row}.hospital_id, {only})"


def _in_scope(hospital: str, scope: int) -> str:
    return f"{hospital} IN ({', '.join(['?'] * scope)})" if scope else "true"


def _until(start_us: str, end_us: str, limit_days: str) -> str:
    """The instant until which a stay counts as present: its end, or for a stay still open its
    start plus its source's limit (``StaleStays``)."""
    return (
        f"CASE WHEN {end_us} IS NOT NULL THEN {end_us} ELSE {start_us} "
        f"+ CAST(round({limit_days} * 86400000000.0) AS BIGINT) END"
    )


def _scoped(scope: int, only: str = "true") -> str:
    """The window's stays of the scope as a CTE ``scoped`` (one ``?``: the window's start; then
    ``scope`` hospital ids), hospital filled, with start and end in epoch microseconds; those
    of them that are ``only`` (a condition on the Encounter's columns) when given."""
    return f"""scoped AS (
    SELECT k.source, k.id, {_hospital("k")} AS hospital_id,
        k.department, k.status, k.start, k.planned_end, k.admit_source,
        k.discharge_disposition, @us(k.start) AS start_us, @us(k."end") AS end_us
    FROM (SELECT * FROM encounter WHERE {_IN_WINDOW} AND ({only})) k
    LEFT JOIN sole s ON s.source = k.source
    WHERE {_in_scope(_hospital("k"), scope)}
)"""  # noqa: S608 - a condition of our own and placeholders only


def _limits_sql(scope: int, rule: StaleStays) -> str:
    """Per source, the window's stays of the scope counted and the days after which one left
    open stops counting as present (``limit_days``, ``StaleStays``); parameters as
    ``_scoped``."""
    if rule.days is not None:
        limit = f"CAST({float(rule.days)!r} AS DOUBLE)"
    else:
        limit = (
            f"CASE WHEN l.finished >= {int(rule.min_finished)} "
            f"THEN LEAST(GREATEST(l.q_days, {float(rule.min_days)!r}), {float(rule.max_days)!r}) "
            f"ELSE {float(rule.max_days)!r} END"
        )
    return f"""
WITH {_scoped(scope)},
counted AS (SELECT source, count(*) AS stays FROM scoped GROUP BY source),
finished AS (
    SELECT source, count(*) AS finished,
        percentile_cont({float(rule.quantile)!r}) WITHIN GROUP (ORDER BY days) AS q_days
    FROM (
        SELECT source, CAST(end_us - start_us AS DOUBLE) / 1000000.0 / 86400.0 AS days
        FROM scoped
        WHERE status = 'finished' AND start_us IS NOT NULL AND end_us IS NOT NULL
    ) f
    GROUP BY source
)
SELECT c.source, c.stays, {limit} AS limit_days
FROM counted c LEFT JOIN finished l ON l.source = c.source
"""  # noqa: S608 - numbers of the configuration and placeholders only


# The type of a location entry that names none: its Location's (``typed_places``).
_KINDS = """kinds AS (
    SELECT source, id, min(physical_type) AS physical_type FROM location
    WHERE physical_type IS NOT NULL GROUP BY source, id
)"""

# The stored ward periods (``ward_period``, one table per source beside the extracted ones):
# every ward entry of an inpatient Encounter, typed by its Location where it names no type, in
# order within its stay, with the Berlin days of its start and end, and what the window's
# figures need of its stay (status, hospital, department, start, end and their days). Nothing
# here depends on the window or on the rules of a page, so the sync computes it once as the
# data enters the store (``refresh_derived``) and each read filters it by the window's
# rules instead of joining every location entry, ordering them and joining them to their stays
# again. The stay's end also files the row under its month (``_period_month``), so a window
# reads the months it reaches and the open stays.
_WARD_PERIOD_SQL = f"""
WITH {_KINDS},
inpatient AS (
    SELECT source, id, status AS stay_status, hospital_id, department, @us(start) AS stay_start_us,
        @us("end") AS stay_end_us
    FROM encounter
    WHERE {_INPATIENT}
),
ward_rows AS (
    SELECT l.source, l.encounter_id, s.stay_status, s.hospital_id, s.department, s.stay_start_us,
        s.stay_end_us, l.location_id AS ward_id, @us(l.start) AS start_us, @us(l."end") AS end_us
    FROM encounter_location l
    JOIN inpatient s ON s.source = l.source AND s.id = l.encounter_id
    LEFT JOIN kinds k ON k.source = l.source AND k.id = l.location_id
    WHERE COALESCE(l.physical_type, k.physical_type) = 'wa' AND l.start IS NOT NULL
)
SELECT source, encounter_id, stay_status, hospital_id, department, stay_start_us, stay_end_us,
    @day(stay_start_us) AS stay_start_day, @day(stay_end_us) AS stay_end_day,
    ward_id, start_us, end_us, CAST(row_number() OVER w - 1 AS BIGINT) AS step,
    lead(start_us) OVER w IS NULL AS last_ward,
    lag(ward_id) OVER w AS previous_ward,
    @div(@local(start_us), 86400000000) AS start_day,
    @midnight_day(@local(start_us)) AS start_midnight,
    @midnight_day(@local(end_us)) AS end_midnight
FROM ward_rows
WINDOW w AS (
    PARTITION BY source, encounter_id
    ORDER BY start_us, end_us ASC NULLS LAST, ward_id ASC NULLS LAST
)
"""  # noqa: S608 - a text of our own


WARD_PERIOD = "ward_period"
WARD_PERIOD_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("encounter_id", pa.string()),
        ("stay_status", pa.string()),
        ("hospital_id", pa.string()),
        ("department", pa.string()),
        ("stay_start_us", pa.int64()),
        ("stay_end_us", pa.int64()),
        ("stay_start_day", pa.int64()),
        ("stay_end_day", pa.int64()),
        ("ward_id", pa.string()),
        ("start_us", pa.int64()),
        ("end_us", pa.int64()),
        ("step", pa.int64()),
        ("last_ward", pa.bool_()),
        ("previous_ward", pa.string()),
        ("start_day", pa.int64()),
        ("start_midnight", pa.int64()),
        ("end_midnight", pa.int64()),
    ]
)

# The stored places of the open stays (``open_place``, one table per source beside the ward
# periods): every ward, room and bed entry of an inpatient Encounter in progress, typed by its
# Location where it names no type. The current placements choose among these; read from the
# extracted tables they scanned every location entry of the store, three million at network
# scale, to find the few that may hold now. Which of them hold now is decided when read.
_OPEN_PLACE_SQL = f"""
WITH {_KINDS},
open_stays AS (
    SELECT source, id, @us("end") AS stay_end_us FROM encounter
    WHERE {_INPATIENT} AND status = 'in-progress'
)
SELECT l.source, l.encounter_id, s.stay_end_us, l.location_id, l.status,
    COALESCE(l.physical_type, k.physical_type) AS physical_type,
    @us(l.start) AS start_us, @us(l."end") AS end_us
FROM encounter_location l
JOIN open_stays s ON s.source = l.source AND s.id = l.encounter_id
LEFT JOIN kinds k ON k.source = l.source AND k.id = l.location_id
WHERE COALESCE(l.physical_type, k.physical_type) IN ('wa', 'ro', 'bd')
"""  # noqa: S608 - a text of our own

OPEN_PLACE = "open_place"
OPEN_PLACE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("encounter_id", pa.string()),
        ("stay_end_us", pa.int64()),
        ("location_id", pa.string()),
        ("status", pa.string()),
        ("physical_type", pa.string()),
        ("start_us", pa.int64()),
        ("end_us", pa.int64()),
    ]
)

# The stored contacts below the stay (``contact_below``): the inpatient Encounters of an MII
# source that are a level below the Einrichtungskontakt (``partOf``, a case reference, or a
# lower contact level). A window reaching the month of one of them is collapsed before it is
# counted (``_views``); asked of the Encounters on every read, that took a scan of them all.
_CONTACT_BELOW_SQL = f"""
SELECT source, id AS encounter_id, @us("end") AS stay_end_us FROM encounter
WHERE class = 'IMP'
    AND (part_of_id IS NOT NULL OR part_of_case IS NOT NULL
        OR (contact_level IS NOT NULL AND contact_level <> '{_HEAD}'))
"""  # noqa: S608 - a code of our own

CONTACT_BELOW = "contact_below"
CONTACT_BELOW_SCHEMA = pa.schema(
    [("source", pa.string()), ("encounter_id", pa.string()), ("stay_end_us", pa.int64())]
)

# The tables the store keeps computed from the extracted ones, each filed by the Berlin month
# of its stay's end (``none`` while open), with the SQL that computes it.
_DERIVED: dict[str, tuple[str, pa.Schema]] = {
    WARD_PERIOD: (_WARD_PERIOD_SQL, WARD_PERIOD_SCHEMA),
    OPEN_PLACE: (_OPEN_PLACE_SQL, OPEN_PLACE_SCHEMA),
    CONTACT_BELOW: (_CONTACT_BELOW_SQL, CONTACT_BELOW_SCHEMA),
}


def _window_periods(scope: int, joined: str = "") -> str:
    """FROM and WHERE of the stored ward periods of the window's stays (``p``, one ``?``: the
    window's start in epoch microseconds; then ``scope`` hospital ids), as ``_IN_WINDOW`` and
    ``_scoped`` take the stays, with their source's limit (``r``), its only hospital (``s``)
    and the tables ``joined`` to them."""
    return f"""FROM ward_period p
    JOIN limits r ON r.source = p.source
    LEFT JOIN sole s ON s.source = p.source{joined}
    WHERE (p.stay_end_us IS NULL OR p.stay_end_us >= ?)
        AND (p.stay_status IS NULL OR p.stay_status NOT IN ({_VOID}))
        AND {_in_scope(_hospital("p"), scope)}"""


def _ward_keys_sql(scope: int) -> str:
    """Every ward of the window's ward periods (parameters as ``_periods_sql``) numbered from 0
    in the order of source and ward id, a period without ward last within its source. The
    figures count by these numbers, not by the ids: grouping a million rows by two text
    columns took most of each figure's time at network scale."""
    return f"""
SELECT source, ward_id,
    CAST(row_number() OVER (ORDER BY source, ward_id NULLS LAST) - 1 AS BIGINT) AS ward_key
FROM (
    SELECT DISTINCT p.source, p.ward_id
    {_window_periods(scope)}
) w
"""  # noqa: S608 - a code of our own and placeholders only


# The ward and the ward before of a period (``p``) by their numbers (``w``, ``v``).
_BY_NUMBER = """
    JOIN ward_keys w ON w.source = p.source AND w.ward_id IS NOT DISTINCT FROM p.ward_id
    LEFT JOIN ward_keys v ON v.source = p.source AND v.ward_id = p.previous_ward"""


def _periods_sql(scope: int) -> str:
    """The window's ward periods for the census, flows and routes: the stored ones of the
    window's stays (one ``?``: its start in epoch microseconds; then ``scope`` hospital ids, as
    ``_scoped``), ended no later than the stay counts as present (``until_us`` depends on the
    window and the page's rule, so it is applied here), with the Berlin days the figures count
    them on, and their ward and the ward before by number (``ward_keys``; ``named`` where the
    period names its ward). Only what those figures read is kept: each text column of the ~1M
    rows at network scale cost a tenth of a second to keep, so the length of stay reads the
    stored periods itself (``_length_sql``)."""
    return f"""
WITH ward_rows AS (
    SELECT w.ward_key, v.ward_key AS previous_key, p.ward_id IS NOT NULL AS named, p.step,
        p.last_ward AND p.stay_status = 'finished' AS discharged,
        p.start_us, p.start_day, p.start_midnight, p.stay_start_day, p.stay_end_day,
        p.end_us AS period_end_us, p.end_midnight AS period_end_midnight,
        {_until("p.stay_start_us", "p.stay_end_us", "r.limit_days")} AS until_us
    {_window_periods(scope, _BY_NUMBER)}
),
ended AS (
    SELECT *,
        CASE WHEN own_end THEN period_end_us ELSE until_us END AS end_us,
        CASE WHEN own_end THEN period_end_midnight
            ELSE @midnight_day(@local(until_us)) END AS end_midnight
    FROM (
        SELECT *,
            period_end_us IS NOT NULL AND (until_us IS NULL OR period_end_us <= until_us)
                AS own_end
        FROM ward_rows
    ) o
)
SELECT ward_key, previous_key, named, step, discharged, stay_start_day, stay_end_day,
    start_day, start_midnight, end_midnight,
    (end_us IS NULL OR end_us > start_us) AS counted,
    end_us IS NOT NULL AND end_us > start_us AS ends
FROM ended
"""  # noqa: S608 - a code of our own and placeholders only


# -- the figures ---------------------------------------------------------------------------------

# Per ward (by number, ``ward_keys``) and day, how the midnight census changes: a period counts
# from the first midnight at or after its start until the first at or after its end. Changes
# before the window's first day (``?``) count on it, those after its last (``?``) not.
_CENSUS_SQL = """
WITH window_days AS (SELECT CAST(? AS BIGINT) AS first_day, CAST(? AS BIGINT) AS last_day)
SELECT ward_key, on_day, CAST(sum(change) AS BIGINT) AS change FROM (
    SELECT ward_key, GREATEST(start_midnight, first_day) AS on_day, 1 AS change
    FROM periods CROSS JOIN window_days WHERE counted AND start_midnight <= last_day
    UNION ALL
    SELECT ward_key, GREATEST(end_midnight, first_day) AS on_day, -1 AS change
    FROM periods CROSS JOIN window_days WHERE ends AND end_midnight <= last_day
) c
GROUP BY ward_key, on_day
"""

# Per ward (by number) and day of the window (``?`` to ``?``), the admissions, discharges and
# transfers in and out of the periods that name their ward.
_FLOWS_SQL = """
SELECT ward_key, on_day, CAST(sum(admissions) AS BIGINT) AS admissions,
    CAST(sum(discharges) AS BIGINT) AS discharges,
    CAST(sum(transfers_in) AS BIGINT) AS transfers_in,
    CAST(sum(transfers_out) AS BIGINT) AS transfers_out
FROM (
    SELECT ward_key, stay_start_day AS on_day,
        1 AS admissions, 0 AS discharges, 0 AS transfers_in, 0 AS transfers_out
    FROM periods WHERE named AND step = 0 AND stay_start_day IS NOT NULL
    UNION ALL
    SELECT ward_key, stay_end_day AS on_day, 0, 1, 0, 0 FROM periods
    WHERE named AND discharged AND stay_end_day IS NOT NULL
    UNION ALL
    SELECT ward_key, start_day AS on_day, 0, 0, 1, 0 FROM periods WHERE named AND step > 0
    UNION ALL
    SELECT previous_key AS ward_key, start_day AS on_day, 0, 0, 0, 1 FROM periods
    WHERE step > 0 AND previous_key IS NOT NULL
) e
WHERE on_day BETWEEN ? AND ?
GROUP BY ward_key, on_day
"""

_ROUTES_SQL = """
SELECT previous_key AS from_key, ward_key AS to_key, start_day AS on_day, count(*) AS transfers
FROM periods
WHERE step > 0 AND previous_key IS NOT NULL AND named AND start_day BETWEEN ? AND ?
GROUP BY previous_key, ward_key, start_day
"""

_WARDS_SQL = "SELECT source, ward_id FROM ward_keys ORDER BY ward_key"


def _hospital_transfers_sql(scope: int) -> str:
    """Transfers in from and out to another hospital per hospital and day (parameters as
    ``_scoped``, then the window's first and last day)."""
    return f"""
WITH {_scoped(scope, f"admit_source = '{TRANSFER}' OR discharge_disposition = '{TRANSFER}'")}
SELECT source, hospital_id, on_day, CAST(sum(transfers_out) AS BIGINT) AS transfers_out,
    CAST(sum(transfers_in) AS BIGINT) AS transfers_in
FROM (
    SELECT source, hospital_id, @day(end_us) AS on_day, 1 AS transfers_out, 0 AS transfers_in
    FROM scoped
    WHERE status = 'finished' AND discharge_disposition = '{TRANSFER}' AND end_us IS NOT NULL
    UNION ALL
    SELECT source, hospital_id, @day(start_us) AS on_day, 0, 1 FROM scoped
    WHERE admit_source = '{TRANSFER}' AND start_us IS NOT NULL
) t
WHERE hospital_id IS NOT NULL AND on_day BETWEEN ? AND ?
GROUP BY source, hospital_id, on_day
"""  # noqa: S608 - a code of our own and placeholders only


# The current inpatients and their ward, room and bed now (``?``: now in epoch microseconds,
# then the parameters of ``_scoped``). A stay open longer than its source's limit is left open
# by the source, not an inpatient. The places are chosen among the stored ones of the open
# stays (``open_place``).
def _placements_sql(scope: int) -> str:
    return f"""
WITH clock AS (SELECT CAST(? AS BIGINT) AS now_us),
{_scoped(scope, "status = 'in-progress'")},
present AS (
    SELECT s.source, s.id, s.hospital_id, s.department, s.start, s.planned_end,
        c.now_us - s.start_us AS age_us
    FROM scoped s CROSS JOIN clock c JOIN limits l ON l.source = s.source
    WHERE s.start_us <= c.now_us
        AND NOT (CAST(c.now_us - s.start_us AS DOUBLE) / 1000000.0 / 86400.0 > l.limit_days)
),
typed AS (
    SELECT l.source, l.encounter_id, l.location_id, l.status, l.physical_type, l.start_us, l.end_us
    FROM open_place l
    JOIN present n ON n.source = l.source AND n.id = l.encounter_id
),
now_places AS (
    SELECT p.source, p.encounter_id, p.physical_type, p.location_id,
        row_number() OVER (
            PARTITION BY p.source, p.encounter_id, p.physical_type
            ORDER BY CASE WHEN p.start_us <= c.now_us
                    AND (p.end_us IS NULL OR p.end_us > c.now_us) THEN 0 ELSE 1 END,
                p.start_us DESC NULLS LAST, p.location_id ASC NULLS LAST
        ) AS choice
    FROM typed p CROSS JOIN clock c
    WHERE (p.start_us <= c.now_us AND (p.end_us IS NULL OR p.end_us > c.now_us))
        OR p.status = 'active'
)
SELECT n.source, n.id AS encounter_id, n.hospital_id, n.department, n.start, n.planned_end,
    max(CASE WHEN p.physical_type = 'wa' THEN p.location_id END) AS ward_id,
    max(CASE WHEN p.physical_type = 'ro' THEN p.location_id END) AS room_id,
    max(CASE WHEN p.physical_type = 'bd' THEN p.location_id END) AS bed_id,
    @div(n.age_us, 86400000000) AS days_so_far
FROM present n
LEFT JOIN now_places p ON p.source = n.source AND p.encounter_id = n.id AND p.choice = 1
GROUP BY n.source, n.id, n.hospital_id, n.department, n.start, n.planned_end, n.age_us
"""  # noqa: S608 - a code of our own and placeholders only


# The value at 0-based rank ``{0}`` of a group's lengths counted in ``running``: the length
# at its floor, moved towards the one at its ceiling by the fraction, as ``percentile_cont``.
_QUANTILE = (
    "(min(CASE WHEN up_to > floor({0}) THEN days END) "
    "+ (max({0}) - floor(max({0}))) "
    "* (min(CASE WHEN up_to > ceil({0}) THEN days END) "
    "- min(CASE WHEN up_to > floor({0}) THEN days END)))"
)


# Length of stay in Belegungstage of the finished stays discharged in [``?``, ``?``) (epoch
# microseconds; then ``scope`` hospital ids, as ``_scoped``) that lay on one of the wards asked
# for (``wards``, ``_wards_file``): per department and per hospital and department, from the
# stored ward periods, which carry what this needs of their stay. A stay of one ward period is
# that period's row alone (its first and last), so only the stays of several are made
# distinct: most stays keep one ward, and making all 830k distinct at network scale took half
# of this statement. Belegungstage are whole days, so each group's stays are counted per length
# and the median and 90th percentile read from the running counts, interpolated as
# ``percentile_cont`` does (``_QUANTILE``): the same figures as ordering every stay, without
# sorting 800k stays.
def _length_sql(scope: int) -> str:
    return f"""
WITH clock AS (SELECT CAST(? AS BIGINT) AS since_us, CAST(? AS BIGINT) AS now_us),
on_wards AS (
    SELECT p.source, p.encounter_id, p.step, p.last_ward,
        COALESCE({_hospital("p")}, '–') AS hospital_id,
        COALESCE(p.department, '–') AS department,
        GREATEST(p.stay_end_day - p.stay_start_day, 1) AS days
    FROM ward_period p CROSS JOIN clock c LEFT JOIN sole s ON s.source = p.source
    WHERE p.ward_id IN (SELECT ward_id FROM wards) AND p.stay_status = 'finished'
        AND p.stay_end_us >= c.since_us AND p.stay_end_us < c.now_us
        AND {_in_scope(_hospital("p"), scope)}
),
done AS (
    SELECT hospital_id, department, days FROM on_wards WHERE step = 0 AND last_ward
    UNION ALL
    SELECT hospital_id, department, days FROM (
        SELECT DISTINCT source, encounter_id, hospital_id, department, days FROM on_wards
        WHERE NOT (step = 0 AND last_ward)
    ) several
),
per_length AS (
    SELECT hospital_id, department, grouping(hospital_id) AS all_hospitals, days,
        count(*) AS stays
    FROM done
    GROUP BY GROUPING SETS ((department, days), (hospital_id, department, days))
),
running AS (
    SELECT *,
        sum(stays) OVER (PARTITION BY all_hospitals, hospital_id, department ORDER BY days)
            AS up_to,
        sum(stays) OVER (PARTITION BY all_hospitals, hospital_id, department) AS n
    FROM per_length
),
ranks AS (
    SELECT *, CAST(n - 1 AS DOUBLE) * 0.5 AS mid, CAST(n - 1 AS DOUBLE) * 0.9 AS high
    FROM running
),
groups AS (
    SELECT hospital_id, department, all_hospitals, max(n) AS stays,
        CAST(sum(days * stays) AS DOUBLE) / max(n) AS mean_days,
        {_QUANTILE.format("mid")} AS median_days,
        {_QUANTILE.format("high")} AS p90_days
    FROM ranks
    GROUP BY hospital_id, department, all_hospitals
)
SELECT * FROM groups
"""  # noqa: S608 - a code of our own and placeholders only


_STAY_COUNT_SQL = "SELECT source, stays FROM limits"

# The columns of the transfers between hospitals, for a page without them (``figures``).
_BETWEEN_COLUMNS = ["source", "hospital_id", "on_day", "transfers_out", "transfers_in"]

# -- running them --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreFigures:
    """What the manager pages need of the window, from the store.

    ``window``: the figures of every ward and hospital in the scope; ``length`` and
    ``length_hospitals``: ``length_of_stay`` by department and by hospital and department of
    the stays that lay on the wards asked for (empty when none were); ``stays``: stays in the
    window per source; ``stats``: one per source, dated by its last sync.
    """

    window: WindowFigures
    length: pd.DataFrame
    length_hospitals: pd.DataFrame
    stays: dict[str, int] = field(default_factory=dict)
    stats: list[PageStats] = field(default_factory=list)


def figures(
    settings: Settings,
    start: pd.Timestamp,
    now: pd.Timestamp,
    *,
    hospital_ids: Sequence[str] = (),
    wards: Iterable[str] | None = None,
    rule: StaleStays | None = None,
    movements: bool = True,
) -> StoreFigures:
    """The window's figures from ``start`` to ``now`` for the hospitals given (all when none),
    computed by the store's engine; with ``wards``, the length of stay on them too. Without
    ``movements`` (a page that shows no transfers) the routes between wards and the transfers
    between hospitals are left empty: their statements are a tenth of the page's time."""
    rule = rule or StaleStays()
    engine = _engine(settings)
    names = [s.name for s in settings.sources]
    chosen = sorted(set(wards)) if wards is not None else []
    since = start.to_pydatetime()
    with tempfile.TemporaryDirectory(prefix=".scratch-", dir=_scratch_root(settings)) as tmp:
        views = _views(settings, names, since, Path(tmp))

        def sql(text: str) -> str:
            return _expand(text, engine)

        scope, ids = len(hospital_ids), list(hospital_ids)
        relations = [
            ("sole", sql(_SOLE_SQL), [since]),
            ("limits", sql(_limits_sql(scope, rule)), [since, *ids]),
            ("ward_keys", sql(_ward_keys_sql(scope)), [_epoch_us(start), *ids]),
            ("periods", sql(_periods_sql(scope)), [_epoch_us(start), *ids]),
        ]
        first, last = _day_numbers(census_dates(start, now))
        statements = {
            "wards": (_WARDS_SQL, []),
            "census": (sql(_CENSUS_SQL), [first, last]),
            "flows": (sql(_FLOWS_SQL), [first, last]),
            "placed": (
                sql(_placements_sql(scope)),
                [_epoch_us(now), since, *ids],
            ),
            "counts": (sql(_STAY_COUNT_SQL), []),
        }
        if movements:
            statements["routes"] = (sql(_ROUTES_SQL), [first, last])
            statements["between"] = (
                sql(_hospital_transfers_sql(scope)),
                [since, *ids, first, last],
            )
        if chosen:
            views["wards"] = [_wards_file(Path(tmp), chosen)]
            statements["length"] = (
                sql(_length_sql(scope)),
                [_epoch_us(start), _epoch_us(now), *ids],
            )
        tables = store.run(settings, views, list(statements.values()), relations)
        results = {name: _frame(t) for name, t in zip(statements, tables, strict=True)}
    wards = results["wards"]
    routes = _dated(_named_routes(wards, results.get("routes")))
    between = _dated(results.get("between", pd.DataFrame(columns=_BETWEEN_COLUMNS)))
    placed, counts = results["placed"], results["counts"]
    days = census_dates(start, now)
    census, flows = _census_and_flows(wards, results["census"], results["flows"], days)
    length, length_hospitals = _lengths(results.get("length"))
    window = WindowFigures(
        days=days,
        now=now,
        placements=_placements(placed),
        census=census,
        flows=flows,
        routes=_routes(routes, days),
        hospital_transfers=_hospital_transfers(between, days),
    )
    per_source = dict(zip(counts["source"], counts["stays"].astype("int64"), strict=True))
    states = store.freshness(settings)
    stats = [
        PageStats(
            source=name,
            resource_type="Encounter",
            fetched=int(per_source.get(name, 0)),
            total=int(per_source.get(name, 0)),
            fetched_at=states[name].synced_at or datetime.now(UTC),
        )
        for name in names
    ]
    return StoreFigures(window, length, length_hospitals, per_source, stats)


def _scratch_root(settings: Settings) -> Path:
    # Beside the store, so that a Spark cluster's executors reach it wherever they reach the store.
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    return settings.store_dir


def _views(settings: Settings, names: list[str], since: datetime, scratch: Path) -> dict:
    """The Parquet files behind ``encounter``, ``encounter_location``, ``location`` and the
    computed tables (``_DERIVED``): the store's, except for sources with contact levels, whose
    window is collapsed first and its computed tables made from that by the same SQL."""
    for name in names:
        if store._files(settings, "encounter", [name]) and not derived_built(
            settings.store_dir, name
        ):
            # A store written before the computed tables were stored, or before their last
            # column was added: computed once, here.
            refresh_derived(settings.store_dir, name)
    # A month's contact below the stay may have ended before the window began: such a window is
    # collapsed too, which gives a window without them the figures the flat reading gives.
    linked = {s for s in names if _derived_files(settings, CONTACT_BELOW, [s], since)}
    plain = [s for s in names if s not in linked]
    views = {t: store._files(settings, t, plain) for t in ("encounter", "encounter_location")}
    views["location"] = store._files(settings, "location", names)
    for table in (WARD_PERIOD, OPEN_PLACE):
        views[table] = _derived_files(settings, table, plain, since)
    if linked:
        sources = tuple(s for s in settings.sources if s.name in linked)
        read = store.window_read(replace(settings, sources=sources), pd.Timestamp(since))
        collapsed = {
            t: [_scratch_file(scratch, t, read[t])] for t in ("encounter", "encounter_location")
        }
        for table, paths in collapsed.items():
            views[table] += paths
        derived = {**collapsed, "location": views["location"] or _no_file(scratch, "location")}
        engine = _engine(settings)
        counted = (WARD_PERIOD, OPEN_PLACE)
        computed = store.run(
            settings, derived, [(_expand(_DERIVED[t][0], engine), []) for t in counted]
        )
        for table, rows in zip(counted, computed, strict=True):
            views[table].append(_write_derived(scratch / table / "data.parquet", table, rows))
    for table, paths in views.items():
        if not paths:
            paths.extend(_no_file(scratch, table))
    return views


def _engine(settings: Settings) -> str:
    return "spark" if settings.store_engine == "spark" else "duckdb"


def _no_file(scratch: Path, table: str) -> list[str]:
    """One empty file of the table, for an engine that needs files behind every view."""
    if table in _DERIVED:
        return [_write_derived(scratch / "empty" / table / "data.parquet", table, None)]
    return [_scratch_file(scratch, table, None)]


def _wards_file(scratch: Path, wards: list[str]) -> str:
    """The wards asked for, as a file the engine reads like the store's: bound as a parameter
    each, some thousand wards took a tenth of a second to bind."""
    path = scratch / "wards" / "data.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"ward_id": pa.array(wards, pa.string())}), path)
    return str(path)


def _scratch_file(scratch: Path, table: str, frame: pd.DataFrame | None) -> str:
    spec = store._spec(table)
    if frame is None:
        resource_type = "Location" if table == "location" else "Encounter"
        frame = store._empty(resource_type)[table]
    path = scratch / table / "data.parquet"
    store._write_file(path, frame[["source", *spec.columns]], spec)
    return str(path)


# -- the computed tables ---------------------------------------------------------------------------


def _derived_dir(store_dir: Path, source: str, table: str) -> Path:
    return store.source_dir(store_dir, source) / f"table={table}"


def derived_built(store_dir: Path, source: str) -> bool:
    """Has this source's store its computed tables, with the columns read now? A store written
    before they were stored, or before a column was added, has not: they are computed again."""
    for table, (_, schema) in _DERIVED.items():
        out = _derived_dir(store_dir, source, table)
        if not out.is_dir():
            return False
        written = next(iter(sorted(out.glob("month=*/data.parquet"))), None)
        if written is not None and pq.read_schema(written).names != schema.names:
            return False
    return True


def _period_month(stay_end_us: pa.ChunkedArray) -> np.ndarray:
    """The Berlin month of each row's stay end, ``none`` for a stay still open."""
    ends = pd.to_datetime(
        pd.Series(stay_end_us.to_numpy(zero_copy_only=False)), unit="us", utc=True
    )
    return ends.dt.tz_convert(BERLIN).dt.strftime("%Y-%m").fillna("none").to_numpy()


def _derived_files(settings: Settings, table: str, names: list[str], since: datetime) -> list[str]:
    """The files of a computed table a window from ``since`` needs: its months and the open
    stays."""
    first = pd.Timestamp(since).tz_convert(BERLIN).strftime("%Y-%m")
    return [
        path
        for path in store._files(settings, table, names)
        if (month := Path(path).parent.name.removeprefix("month=")) == "none" or month >= first
    ]


def _write_derived(path: Path, table: str, rows: pa.Table | None) -> str:
    schema = _DERIVED[table][1]
    if rows is None:
        rows = schema.empty_table()
    rows = rows.select(schema.names).cast(schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(rows, tmp, compression="zstd")
    os.replace(tmp, path)
    return str(path)


def _derive(store_dir: Path, source: str, only: set[str] | None) -> dict[str, pa.Table]:
    """The computed tables of one source's stays in the store (of the Encounters ``only``
    names)."""
    base = store.source_dir(store_dir, source)
    files = {
        t: [str(p) for p in sorted(base.glob(f"table={t}/month=*/data.parquet"))]
        for t in ("encounter", "encounter_location", "location")
    }
    if not files["encounter"] or not files["encounter_location"]:
        return {table: schema.empty_table() for table, (_, schema) in _DERIVED.items()}
    # The store's own paths only (``_scan`` quotes them).
    views = {t: f"SELECT * FROM {store._scan(paths)}" for t, paths in files.items() if paths}  # noqa: S608
    views.setdefault(
        "location",
        "SELECT CAST(NULL AS VARCHAR) AS source, CAST(NULL AS VARCHAR) AS id, "
        "CAST(NULL AS VARCHAR) AS physical_type WHERE false",
    )
    with duckdb.connect(config=dict(store.DUCKDB_CONFIG)) as con:
        if only is not None:
            con.register("changed_ids", pa.table({"id": pa.array(sorted(only), pa.string())}))
            views["encounter"] += " WHERE id IN (SELECT id FROM changed_ids)"
        for name, query in views.items():
            # The view names are ours and the file names the store's own paths.
            con.execute(f"CREATE VIEW {name} AS {query}")
        return {
            table: con.sql(_expand(sql, "duckdb")).to_arrow_table()
            for table, (sql, _) in _DERIVED.items()
        }


def refresh_derived(store_dir: Path, source: str, changed: set[str] | None = None) -> int:
    """Bring one source's computed tables up to date with its Encounters and Locations.

    ``changed``: the Encounters written anew or deleted by a merge; their rows are removed and
    those of the ones still there computed again. ``None``: every row computed again (a full
    export, a change of Locations, which may type entries anew, or a store without the tables).
    Ward periods written.
    """
    if changed is not None and not changed:
        return 0
    computed = _derive(store_dir, source, changed)
    for table, rows in computed.items():
        out = _derived_dir(store_dir, source, table)
        if changed is None:
            _replace_table(out, table, rows)
        else:
            _drop_stays(out, table, changed)
            _write_months(out, table, rows, append=True)
    return computed[WARD_PERIOD].num_rows


def _replace_table(out: Path, table: str, rows: pa.Table) -> None:
    # Written beside the table and swapped in by renames, so that a reader finds the old table
    # or the new one, and two writers do not share a directory.
    tmp = out.with_name(f"{out.name}.new-{os.getpid()}")
    old = out.with_name(f"{out.name}.old-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _write_months(tmp, table, rows)
    with contextlib.suppress(FileNotFoundError):
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def _drop_stays(out: Path, table: str, stays: set[str]) -> None:
    """Remove the rows of these stays from every month of a computed table."""
    out.mkdir(parents=True, exist_ok=True)
    gone = pa.array(sorted(stays), pa.string())
    for path in sorted(out.glob("month=*/data.parquet")):
        ids = pq.read_table(path, columns=["encounter_id"]).column("encounter_id")
        if not pc.any(pc.is_in(ids, value_set=gone)).as_py():
            continue
        kept = pq.read_table(path).filter(pc.invert(pc.is_in(ids, value_set=gone)))
        if kept.num_rows:
            _write_derived(path, table, kept)
        else:
            path.unlink()
            with contextlib.suppress(OSError):
                path.parent.rmdir()


def _write_months(out: Path, table: str, rows: pa.Table, *, append: bool = False) -> None:
    if not rows.num_rows:
        return
    schema = _DERIVED[table][1]
    months = _period_month(rows.column("stay_end_us"))
    for month in sorted(set(months)):
        part = rows.filter(pa.array(months == month))
        path = out / f"month={month}" / "data.parquet"
        if append and path.exists():
            part = pa.concat_tables([pq.read_table(path), part.cast(schema)])
        _write_derived(path, table, part)


def _frame(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas()


def _day_numbers(days: list[date]) -> tuple[int, int]:
    """The first and last of the window's days as days since 1970-01-01 (an empty window none)."""
    if not days:
        return 1, 0
    epoch = date(1970, 1, 1)
    return (days[0] - epoch).days, (days[-1] - epoch).days


def _epoch_us(moment: pd.Timestamp) -> int:
    return int(moment.value // 1000)


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    """A figure's ``on_day`` (days since 1970-01-01) as the ``date`` the views count by."""
    if "on_day" not in frame:
        return frame
    at = frame.columns.get_loc("on_day")
    # Each distinct day made a date once (a window has about a hundred), then taken per row:
    # making a date object per row took a tenth of a second for the 650k rows of census and
    # flows at network scale. The last made is that of a missing day.
    days = frame.pop("on_day").astype("Int64")
    if days.isna().all():
        # Without a day pandas types the column as times, not dates; kept so.
        frame.insert(at, "date", pd.to_datetime(days, unit="D").dt.date)
        return frame
    numbers, distinct = pd.factorize(days)
    made = pd.to_datetime(pd.array([*distinct, pd.NA], dtype="Int64"), unit="D")
    dates = pd.Series(made).dt.date.to_numpy(dtype=object)
    frame.insert(at, "date", pd.Series(dates[numbers], index=frame.index, dtype=object))
    return frame


def _berlin(values: pd.Series) -> pd.Series:
    return (
        pd.to_datetime(values, utc=True).dt.tz_convert(BERLIN).astype(f"datetime64[us, {BERLIN}]")
    )


def _in_days(frame: pd.DataFrame, days: list) -> pd.DataFrame:
    return frame[frame["date"].isin(days)]


def _census_and_flows(
    wards: pd.DataFrame, changes: pd.DataFrame, counts: pd.DataFrame, days: list[date]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``midnight_census`` and ``daily_flows`` from the engine's rows of ``_CENSUS_SQL`` and
    ``_FLOWS_SQL`` (``ward_key`` a row of ``wards``, ``on_day`` in days since 1970-01-01): every
    ward with a period, every day, the counts where there are any.

    Placed on the grid by their numbers: made dates and looked up again, the 650k rows took a
    tenth of a second at network scale."""
    first = _day_numbers(days)[0]
    census = census_on_grid(
        wards,
        changes["ward_key"].to_numpy("int64"),
        _positions(changes, first, days),
        changes["change"].to_numpy(),
        days,
    )
    names = ["admissions", "discharges", "transfers_in", "transfers_out"]
    sums = grid_sums(
        len(wards),
        counts["ward_key"].to_numpy("int64"),
        _positions(counts, first, days),
        {name: counts[name].to_numpy() for name in names},
        len(days),
    )
    return census, ward_days(wards, days).assign(**sums)


def _positions(rows: pd.DataFrame, first: int, days: list[date]) -> np.ndarray:
    """Each row's ``on_day`` as a position among the window's days (consecutive from day number
    ``first``), -1 for none and for a day outside them (the SQL places a census change before
    the window on its first day)."""
    at = (pd.array(rows["on_day"], dtype="Int64") - first).fillna(-1).to_numpy("int64")
    return np.where((at >= 0) & (at < len(days)), at, -1)


def _named_routes(wards: pd.DataFrame, keyed: pd.DataFrame | None) -> pd.DataFrame:
    """``_ROUTES_SQL``'s rows with their wards' source and ids for the numbers (none when the
    page asked for no movements)."""
    columns = ["source", "from_ward", "to_ward", "on_day", "transfers"]
    if keyed is None:
        return pd.DataFrame(columns=columns)
    before = wards.take(keyed["from_key"].to_numpy("int64")).reset_index(drop=True)
    after = wards["ward_id"].take(keyed["to_key"].to_numpy("int64")).reset_index(drop=True)
    return pd.DataFrame(
        {
            "source": before["source"],
            "from_ward": before["ward_id"],
            "to_ward": after,
            "on_day": keyed["on_day"].reset_index(drop=True),
            "transfers": keyed["transfers"].reset_index(drop=True),
        },
        columns=columns,
    )


def _routes(counts: pd.DataFrame, days: list) -> pd.DataFrame:
    out = _in_days(counts, days).astype({"transfers": "int64"})
    return out.sort_values("transfers", ascending=False, kind="stable").reset_index(drop=True)


def _hospital_transfers(counts: pd.DataFrame, days: list) -> pd.DataFrame:
    out = _in_days(counts, days).astype({"transfers_out": "int64", "transfers_in": "int64"})
    return out.sort_values(["source", "hospital_id", "date"]).reset_index(drop=True)


def _placements(placed: pd.DataFrame) -> pd.DataFrame:
    """``current_placements``' frame, without the identities the window never reads."""
    out = placed.assign(
        patient_id=pd.Series(pd.NA, index=placed.index, dtype="str"),
        attending_id=pd.Series(pd.NA, index=placed.index, dtype="str"),
        start=_berlin(placed["start"]),
        planned_end=_berlin(placed["planned_end"]),
        days_so_far=placed["days_so_far"].astype("int64"),
    )
    for column in ("source", "encounter_id", "hospital_id", "department"):
        out[column] = out[column].astype("str")
    for column in ("ward_id", "room_id", "bed_id"):
        out[column] = out[column].astype("str")
    columns = [
        "source",
        "encounter_id",
        "patient_id",
        "hospital_id",
        "department",
        "start",
        "planned_end",
        "attending_id",
        "ward_id",
        "room_id",
        "bed_id",
        "days_so_far",
    ]
    return out[columns].reset_index(drop=True)


def _lengths(rows: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``length_of_stay`` by department, and by hospital and department, from the grouping
    sets of ``_length_sql``."""
    if rows is None:
        rows = pd.DataFrame(columns=["hospital_id", "department", "all_hospitals", *_LOS_COLUMNS])
    rows = rows.astype({"stays": "int64"}).astype(
        {c: "float64" for c in ("mean_days", "median_days", "p90_days")}
    )
    both = []
    for flag, keys in ((1, ["department"]), (0, ["hospital_id", "department"])):
        part = rows[rows["all_hospitals"].astype("int64") == flag][[*keys, *_LOS_COLUMNS]]
        for key in keys:
            part[key] = part[key].astype("str")
        both.append(part.sort_values(keys).reset_index(drop=True))
    return both[0], both[1]
