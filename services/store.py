"""The columnar store: the extracted tables of each source as Parquet, queried with DuckDB.

``python -m services.sync`` fills it from Bulk Data ``$export`` (``services.sync``); the manager
pages read their 90-day window from it when ``Settings.analytics`` is ``store``. The tables are
those of ``services.frames`` as extracted (one row per Encounter, contact levels not yet
collapsed), so one definition of each table serves search and store alike; a read from the store
is finished (``services.frames.finish``) like a search.

Layout, one Parquet file per partition::

    <store_dir>/state.json                                   what each source's last sync was
    <store_dir>/<source>/table=<table>/month=<YYYY-MM>/data.parquet
    <store_dir>/<source>/table=ward_period/month=<YYYY-MM>/data.parquet
    <store_dir>/<source>/table=open_place/month=<YYYY-MM>/data.parquet

``ward_period`` and ``open_place`` are not extracted but computed from the Encounter and
Location tables as they are merged (``services.analytics``: their one definition each, filed by
the Berlin month of the stay's end, ``none`` while open); the merge keeps them in step.

``<source>`` is a file-system safe name of the source (``source_dir``); the month is that of
the table's first time column other than ``last_updated`` (a stay's start, a task's due time),
``none`` where it is empty and ``all`` for tables without one (locations). Every file of a table
has the same Arrow schema, derived from its ``Table``. A resource appears once: a sync removes
every row of a resource it brings anew or that the source deleted before writing the new rows,
so the last version wins by id.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from services.config import Settings
from services.frames import KINDS, Collector, Kind, Table, finish
from services.frames.base import DISPLAY_TZ
from services.platform import FrameSet
from services.search import PageStats

__all__ = [
    "SourceState",
    "freshness",
    "is_fresh",
    "merge",
    "read_state",
    "run",
    "source_dir",
    "store_tables",
    "window_read",
    "write_state",
]

_KIND_OF_TABLE: dict[str, Kind] = {t: k for k in KINDS.values() for t in k.tables}
# The columns the search path leaves on the server (``census.ENCOUNTER_ELEMENTS`` has no subject
# and no participant): the store path keeps identities out of the manager pages the same way.
_WINDOW_HIDDEN = ("patient_id", "attending_id")


@dataclass(frozen=True)
class SourceState:
    """The last completed sync of one source, and whether an export is under way."""

    synced_at: datetime | None
    since: datetime | None
    pending: bool
    resources: dict[str, int]


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def read_state(store_dir: Path) -> dict[str, Any]:
    """The state file as written (``{"sources": {name: {...}}}``); empty when there is none."""
    path = store_dir / "state.json"
    if not path.is_file():
        return {"sources": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def write_state(store_dir: Path, state: dict[str, Any]) -> None:
    """Write the state file whole or not at all: a sync killed mid-write must still resume."""
    store_dir.mkdir(parents=True, exist_ok=True)
    tmp = store_dir / "state.json.tmp"
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, store_dir / "state.json")


def freshness(settings: Settings) -> dict[str, SourceState]:
    """Per configured source: when its data in the store was last synced (for the status line)."""
    known = read_state(settings.store_dir)["sources"]
    out = {}
    for source in settings.sources:
        entry = known.get(source.name, {})
        out[source.name] = SourceState(
            synced_at=_parse_time(entry.get("synced_at")),
            since=_parse_time(entry.get("since")),
            pending=entry.get("job") is not None,
            resources=dict(entry.get("resources", {})),
        )
    return out


def is_fresh(settings: Settings, now: datetime | None = None) -> bool:
    """Has every configured source a completed sync younger than ``store_max_age_minutes``?"""
    now = now or datetime.now(UTC)
    limit = timedelta(minutes=settings.store_max_age_minutes)
    return all(
        state.synced_at is not None and now - state.synced_at <= limit
        for state in freshness(settings).values()
    )


def source_dir(store_dir: Path, source: str) -> Path:
    """The directory of one source: readable, and distinct for names that read alike."""
    slug = re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-")[:40] or "source"
    return store_dir / f"{slug}-{hashlib.sha256(source.encode()).hexdigest()[:8]}"


def _spec(table: str) -> Table:
    return _KIND_OF_TABLE[table].tables[table]


def _schema(spec: Table) -> pa.Schema:
    def kind(col: str) -> pa.DataType:
        if col in spec.times:
            return pa.timestamp("us", tz=DISPLAY_TZ)
        if col in spec.dates:
            return pa.date32()
        if col in spec.numbers:
            return pa.float64()
        return pa.string()

    return pa.schema([(col, kind(col)) for col in ("source", *spec.columns)])


def _conform(frame: pd.DataFrame, spec: Table) -> pd.DataFrame:
    """A frame read back from Parquet or DuckDB with the dtypes the extractors give."""
    out = {}
    for col in ("source", *spec.columns):
        values = frame[col]
        if col in spec.times:
            out[col] = (
                pd.to_datetime(values, utc=True)
                .dt.tz_convert(DISPLAY_TZ)
                .astype(f"datetime64[us, {DISPLAY_TZ}]")
            )
        elif col in spec.dates:
            out[col] = pd.Series(
                [v if v is not None and not pd.isna(v) else pd.NaT for v in values],
                index=frame.index,
                dtype=object,
            )
        elif col in spec.numbers:
            out[col] = values.astype("Float64")
        else:
            out[col] = values.astype("str")
    return pd.DataFrame(out, index=frame.index)


def _month_column(spec: Table) -> str | None:
    return next((c for c in spec.times if c != "last_updated"), None)


def _months(frame: pd.DataFrame, spec: Table) -> pd.Series:
    col = _month_column(spec)
    if col is None:
        return pd.Series("all", index=frame.index)
    return frame[col].dt.strftime("%Y-%m").fillna("none")


def _read_file(path: Path, spec: Table) -> pd.DataFrame:
    return _conform(pq.read_table(path).to_pandas(), spec)


def _write_file(path: Path, frame: pd.DataFrame, spec: Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    table = pa.Table.from_pandas(frame, schema=_schema(spec), preserve_index=False)
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def merge(
    store_dir: Path,
    source: str,
    tables: dict[str, pd.DataFrame],
    *,
    full: bool,
    deleted: dict[str, set[str]] | None = None,
) -> dict[str, int]:
    """Write the extracted tables of one export into the store; rows written per table.

    ``full``: the export holds every resource of its types, so each table is replaced.
    Otherwise every row of a resource in the export or in ``deleted`` (ids by resource type) is
    removed first, in whatever month it was, and the export's rows are added.
    """
    deleted = deleted or {}
    base = source_dir(store_dir, source)
    fresh: dict[str, set[str]] = {}
    for name, frame in tables.items():
        kind = _KIND_OF_TABLE[name]
        if name == next(iter(kind.tables)):
            fresh[kind.resource_type] = set(frame[kind.tables[name].columns[0]].dropna())
    written = {}
    for name, frame in tables.items():
        kind, spec = _KIND_OF_TABLE[name], _spec(name)
        table_dir = base / f"table={name}"
        if full:
            shutil.rmtree(table_dir, ignore_errors=True)
        else:
            gone = fresh.get(kind.resource_type, set()) | deleted.get(kind.resource_type, set())
            _drop(table_dir, spec, gone)
        for month, part in frame.groupby(_months(frame, spec), sort=True):
            path = table_dir / f"month={month}" / "data.parquet"
            if path.exists():
                part = pd.concat([_read_file(path, spec), part], ignore_index=True)
            _write_file(path, part, spec)
        written[name] = len(frame)
    _refresh_derived(store_dir, source, tables, fresh, deleted, full=full)
    return written


def _refresh_derived(
    store_dir: Path,
    source: str,
    tables: dict[str, pd.DataFrame],
    fresh: dict[str, set[str]],
    deleted: dict[str, set[str]],
    *,
    full: bool,
) -> None:
    """Keep the tables computed from the extracted ones (the ward periods, the places of the
    open stays) in step with them: the changed stays' rows anew after an increment, all of them
    after a full export, a change of Locations, or when the store has none yet (written before
    they were stored)."""
    # Imported here: their SQL lives with the figures, which read through this module.
    from services import analytics

    types = {_KIND_OF_TABLE[name].resource_type for name in tables}
    types |= {t for t, ids in deleted.items() if ids}
    built = analytics.derived_built(store_dir, source)
    if built and not types & {"Encounter", "Location"}:
        return
    if not built or "Location" in types or (full and "Encounter" in types):
        analytics.refresh_derived(store_dir, source)
    else:
        changed = fresh.get("Encounter", set()) | deleted.get("Encounter", set())
        analytics.refresh_derived(store_dir, source, changed)


def _drop(table_dir: Path, spec: Table, ids: set[str]) -> None:
    """Remove the rows of these resources from every month of a table."""
    if not ids:
        return
    key = spec.columns[0]
    for path in sorted(table_dir.glob("month=*/data.parquet")):
        keys = pq.read_table(path, columns=[key]).column(key).to_pandas()
        if not keys.isin(ids).any():
            continue
        old = _read_file(path, spec)
        kept = old[~old[key].isin(ids)]
        if kept.empty:
            path.unlink()
            with contextlib.suppress(OSError):
                path.parent.rmdir()
        else:
            _write_file(path, kept.reset_index(drop=True), spec)


def _files(settings: Settings, table: str, sources: Iterable[str]) -> list[str]:
    return [
        str(path)
        for source in sources
        for path in sorted(
            source_dir(settings.store_dir, source).glob(f"table={table}/month=*/data.parquet")
        )
    ]


def _scan(files: list[str]) -> str:
    quoted = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    return f"read_parquet([{quoted}])"


def store_tables(settings: Settings, resource_type: str) -> dict[str, pd.DataFrame]:
    """Every row of one resource type's tables in the store, as extracted (all sources)."""
    names = [s.name for s in settings.sources]
    out = {}
    for table, spec in KINDS[resource_type].tables.items():
        files = _files(settings, table, names)
        frame = (
            pd.concat([_read_file(Path(f), spec) for f in files], ignore_index=True)
            if files
            else None
        )
        out[table] = frame if frame is not None else _empty(resource_type)[table]
    return out


def _empty(resource_type: str) -> dict[str, pd.DataFrame]:
    return Collector(KINDS, resource_type, source="").frames()


def _window_sql(spec: Table) -> str:
    # One text for DuckDB and Spark: standard SQL over views named after the tables, double
    # quotes for identifiers ("end" is a keyword), ``?`` for the window's start.
    shown = ", ".join(
        f"NULL AS {c}" if c in _WINDOW_HIDDEN else f'"{c}"' for c in ("source", *spec.columns)
    )
    return (
        f"SELECT {shown} FROM encounter "  # noqa: S608 - column names of our own Table
        "WHERE class = 'IMP' AND (start IS NOT NULL OR \"end\" IS NOT NULL) "
        'AND ("end" IS NULL OR "end" >= ?)'
    )


def _places_sql(spec: Table) -> str:
    return (
        f"WITH stays AS ({_window_sql(spec)}) SELECT l.* FROM encounter_location l "  # noqa: S608
        "WHERE EXISTS (SELECT 1 FROM stays s WHERE s.source = l.source AND s.id = l.encounter_id)"
    )


# DuckDB's own defaults take most of the machine's memory for its buffers; the dashboard shares
# its process with Streamlit and the pages' frames, so DuckDB spills beyond this instead, into
# the system's temporary directory rather than a ``.tmp`` beside whatever the working directory is.
DUCKDB_CONFIG = {
    "memory_limit": "512MB",
    "preserve_insertion_order": "false",
    "temp_directory": str(Path(tempfile.gettempdir()) / "medicus-duckdb"),
}


def run(
    settings: Settings,
    views: dict[str, list[str]],
    statements: list[tuple[str, list[Any]]],
    relations: Iterable[tuple[str, str, list[Any]]] = (),
) -> list[pa.Table]:
    """The statements' results, from the engine the settings name (``store_engine``).

    ``views`` name Parquet files; ``relations`` (name, SQL, parameters) are computed once, in
    order, and kept under their names for the statements that follow (a temporary table in
    DuckDB, a cached view in Spark).
    """
    if settings.store_engine == "spark":
        # Imported only when chosen: importing pyspark is cheap, but it is a second engine the
        # embedded default never needs.
        from services import spark_engine

        return spark_engine.query(settings.spark_master, views, statements, relations)
    with duckdb.connect(config=dict(DUCKDB_CONFIG)) as con:
        for name, files in views.items():
            # The view names are ours and the file names the store's own paths (``_scan``).
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {_scan(files)}")  # noqa: S608
        for name, sql, params in relations:
            con.execute(f"CREATE TEMP TABLE {name} AS {sql}", params)
        return [con.sql(sql, params=params).to_arrow_table() for sql, params in statements]


def window_read(settings: Settings, start: pd.Timestamp) -> FrameSet:
    """The stays of the window from the store, as ``census.window_encounters(start)`` reads them.

    The same rows as that search: inpatient Encounters (every contact level) whose period ends
    at or after ``start`` or is open, with all their location entries; subject and participant
    left out. The engine (DuckDB, or Spark with ``store_engine`` ``spark``) filters by period
    while it reads the Parquet files, so only row groups of the window are decoded. The result
    is a ``FrameSet`` whose per-source ``fetched_at`` is the time of that source's last sync.
    """
    names = [s.name for s in settings.sources]
    states = freshness(settings)
    extracted = dict(_empty("Encounter"))
    views = {
        "encounter": _files(settings, "encounter", names),
        "encounter_location": _files(settings, "encounter_location", names),
    }
    if views["encounter"]:
        enc_spec, loc_spec = _spec("encounter"), _spec("encounter_location")
        statements = [(_window_sql(enc_spec), [start.to_pydatetime()])]
        if views["encounter_location"]:
            statements.append((_places_sql(enc_spec), [start.to_pydatetime()]))
        else:
            del views["encounter_location"]
        tables = run(settings, views, statements)
        extracted["encounter"] = _conform(_arrow_frame(tables[0]), enc_spec)
        if len(tables) > 1:
            extracted["encounter_location"] = _conform(_arrow_frame(tables[1]), loc_spec)
    counts = extracted["encounter"]["source"].value_counts()
    stats = [
        PageStats(
            source=name,
            resource_type="Encounter",
            fetched=int(counts.get(name, 0)),
            total=int(counts.get(name, 0)),
            fetched_at=states[name].synced_at or datetime.now(UTC),
        )
        for name in names
    ]
    return FrameSet("Encounter", finish(dict(extracted)), stats=stats, extracted=extracted)


def _arrow_frame(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas()
