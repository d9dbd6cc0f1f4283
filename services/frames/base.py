"""Machinery shared by the extractors: safe field access, row collection, typed DataFrames.

An extractor reads one resource and appends rows to one or more tables. A field that is missing
stays null; a field that is present but malformed (wrong JSON type, unparsable time) becomes null
and a counted warning. Nothing here raises on bad data: a broken resource must not take a page down,
and a misshapen field must cost that field, not the resource.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "DISPLAY_TZ",
    "Collector",
    "Kind",
    "Table",
    "Tables",
    "get",
    "items",
    "ref_id",
    "ref_key",
    "to_frame",
]

DISPLAY_TZ = "Europe/Berlin"
Resource = dict[str, Any]


def get(node: Any, *path: str | int) -> Any:
    """Walk ``path`` through dicts and lists; None where anything is missing or misshapen."""
    for step in path:
        if isinstance(node, dict):
            # An int step finds nothing in an object: JSON keys are strings.
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int):
            node = node[step] if step < len(node) else None
        else:
            return None
        if node is None:
            return None
    return node


def _ref_parts(reference: Any) -> tuple[str, str] | None:
    ref = reference.get("reference") if isinstance(reference, dict) else None
    if not isinstance(ref, str):
        return None
    parts = ref.split("/_history/")[0].rstrip("/").split("/")
    if len(parts) < 2 or not parts[-1] or not parts[-2]:
        return None
    return parts[-2], parts[-1]


def ref_id(reference: Any, resource_type: str | None = None) -> str | None:
    """The id of a relative reference ``Type/id`` (absolute and versioned forms too).

    None for anything else, whatever its shape: ``Patient/``, ``/``, ``urn:...``, ``#x``, a number.
    """
    parts = _ref_parts(reference)
    if parts is None or (resource_type and parts[0] != resource_type):
        return None
    return parts[1]


def ref_key(reference: Any) -> str | None:
    """``Type/id`` of a reference to any type (absolute and versioned forms too), as ``ref_id``
    reads it; None where ``ref_id`` gives None."""
    parts = _ref_parts(reference)
    return None if parts is None else "/".join(parts)


def items(value: Any, out: Collector, what: str) -> list[dict]:
    """The JSON objects of a repeated element.

    Anything else there (the element not a list, or entries that are not objects) counts
    ``bad_<what>`` once; the entries that are objects are still read.
    """
    if value is None:
        return []
    if isinstance(value, list):
        objects = [v for v in value if isinstance(v, dict)]
        if len(objects) == len(value):
            return objects
    else:
        objects = []
    out.warn(f"bad_{what}")
    return objects


@dataclass(frozen=True)
class Table:
    """Columns of one tidy table; times and numbers are typed after collection."""

    columns: tuple[str, ...]
    times: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()


Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Kind:
    """How one resource type becomes tables.

    ``finish`` turns the extracted tables of every source of a read into what pages use (the
    contact levels of a stay into one stay, say); ``services.frames.finish`` applies it.
    """

    resource_type: str
    extract: Callable[[Resource, Collector], None]
    tables: dict[str, Table]
    finish: Callable[[Tables], Tables] | None = None


@dataclass
class Collector:
    """Receives resources of one source, hands each to its kind's extractor, counts defects.

    ``primary`` is the searched kind: its tables always exist, even when empty. Kinds that come
    along through ``_include`` get tables when they appear. Rows are typed into a frame chunk
    every ``chunk_rows`` rows: Python tuples of strings cost several times what typed,
    Arrow-backed columns do, and a 100k-resource read must fit in a small process.
    """

    kinds: dict[str, Kind]
    primary: str
    source: str = ""
    chunk_rows: int = 5000
    rows: dict[str, list[tuple]] = field(default_factory=dict)
    chunks: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    warnings: Counter = field(default_factory=Counter)

    def add(self, table: str, *values: Any) -> None:
        self.rows.setdefault(table, []).append((self.source, *values))

    def warn(self, what: str) -> None:
        self.warnings[what] += 1

    def feed(self, resources: Iterable[Resource]) -> None:
        rows = self.rows
        for resource in resources:
            resource_type = resource.get("resourceType") if isinstance(resource, dict) else None
            kind = self.kinds.get(resource_type) if isinstance(resource_type, str) else None
            if kind is None:
                # Servers may add an OperationOutcome entry to a searchset (e.g. warnings).
                if resource_type != "OperationOutcome":
                    self.warn("unexpected_resource")
                continue
            if not isinstance(resource.get("id"), str):
                self.warn("missing_id")
                continue
            self.seen.add(resource_type)
            marks = [len(rows.get(table, ())) for table in kind.tables]
            try:
                kind.extract(resource, self)
            except (TypeError, ValueError, AttributeError, LookupError):
                # A shape no extractor foresaw: keep the page alive, count the resource as broken,
                # and take back the rows it had already added, so that it is either whole or gone.
                for table, count in zip(kind.tables, marks, strict=True):
                    del rows.get(table, [])[count:]
                self.warn("malformed_resource")
        for table in [t for t, pending in rows.items() if len(pending) >= self.chunk_rows]:
            self._seal(table)

    def frames(self) -> dict[str, pd.DataFrame]:
        tables = {}
        for name in dict.fromkeys([self.primary, *sorted(self.seen)]):
            for table in self.kinds[name].tables:
                if self.rows.get(table) or not self.chunks.get(table):
                    self._seal(table)
                parts = self.chunks[table]
                if len(parts) > 1:
                    self.chunks[table] = parts = [pd.concat(parts, ignore_index=True)]
                tables[table] = parts[0]
        return tables

    def _seal(self, table: str) -> None:
        spec = next(k.tables[table] for k in self.kinds.values() if table in k.tables)
        frame = to_frame(self.rows.pop(table, []), spec, self.warnings)
        self.chunks.setdefault(table, []).append(frame)


def to_frame(rows: list[tuple], spec: Table, warnings: Counter | None = None) -> pd.DataFrame:
    """Typed DataFrame from collected rows; timestamps tz-aware in Europe/Berlin.

    Time and date columns read strings only: any other value becomes null and counts
    ``bad_<column>``, as does a string that does not parse.
    """
    frame = pd.DataFrame.from_records(rows, columns=("source", *spec.columns))
    typed = {*spec.times, *spec.dates, *spec.numbers}
    for col in frame.columns:
        if col not in typed:
            frame[col] = frame[col].astype("str")
    for col in spec.times:
        frame[col] = _times(frame[col], col, warnings)
    for col in spec.dates:
        frame[col] = _dates(frame[col], col, warnings)
    for col in spec.numbers:
        raw = frame[col]
        frame[col] = pd.to_numeric(raw, errors="coerce").astype("Float64")
        _count_bad(raw, frame[col], col, warnings)
    return frame


# A time of day with nothing after it but digits, colons and a decimal point: no Z, no +hh:mm.
_NO_OFFSET = r"[^T]*T[0-9:.]*"
# Python's dates (and strftime) start at year 1; FHIR's years do too.
_EARLIEST = pd.Timestamp("0001-01-01", tz="UTC")
_FIRST_DAY = pd.Timestamp("0001-01-01")
# FHIR date: YYYY, YYYY-MM or YYYY-MM-DD, year 0001 to 9999.
_DATE = (
    r"(?:[0-9](?:[0-9](?:[0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
    r"(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?"
)


def _text_only(raw: pd.Series) -> pd.Series:
    """``raw`` as a string column, every value that is not a string made null."""
    if isinstance(raw.dtype, pd.StringDtype):
        return raw
    # Only a chunk holding something other than strings (or nothing at all) comes here.
    return pd.Series([v if isinstance(v, str) else None for v in raw], index=raw.index, dtype="str")


# FHIR allows a year or a year and month where a day belongs; read as the first day, counted.
_PARTIAL = r"[0-9]{4}(?:-[0-9]{2})?"


def _count_partial(text: pd.Series, parsed: pd.Series, col: str, warnings: Counter | None) -> None:
    if warnings is not None:
        partial = int((text.str.fullmatch(_PARTIAL, na=False) & parsed.notna()).sum())
        if partial:
            warnings[f"partial_{col}"] += partial


def _times(raw: pd.Series, col: str, warnings: Counter | None) -> pd.Series:
    text = _text_only(raw)
    parsed = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    if parsed.min() < _EARLIEST:
        parsed = parsed.where(parsed >= _EARLIEST)
    _count_bad(raw, parsed, col, warnings)
    _count_partial(text, parsed, col, warnings)
    if warnings is not None:
        # FHIR requires an offset on every time of day; without one it is read as UTC.
        naive = text.str.fullmatch(_NO_OFFSET, na=False)
        if naive.any():
            warnings["time_without_offset"] += int((naive & parsed.notna()).sum())
    return parsed.dt.tz_convert(DISPLAY_TZ).astype(f"datetime64[us, {DISPLAY_TZ}]")


def _dates(raw: pd.Series, col: str, warnings: Counter | None) -> pd.Series:
    """Python dates (object dtype, NaT where null); a partial date is read as its first day."""
    days = _text_only(raw).str.slice(0, 10)
    full = days.str.len() == 10
    parsed = pd.to_datetime(days.where(full), format="%Y-%m-%d", errors="coerce")
    if (days.notna() & parsed.isna()).any() or parsed.min() < _FIRST_DAY:
        # Partial or malformed dates (rare): the strict reading, partial dates as their first day.
        days = days.where(days.str.fullmatch(_DATE, na=False))
        days = days.str.replace(r"^([0-9]{4})$", r"\1-01", regex=True)
        days = days.str.replace(r"^([0-9]{4}-[0-9]{2})$", r"\1-01", regex=True)
        parsed = pd.to_datetime(days, format="%Y-%m-%d", errors="coerce")
    _count_bad(raw, parsed, col, warnings)
    _count_partial(_text_only(raw), parsed, col, warnings)
    # .dt.date keeps datetime64 when no row holds a date; the column is always object.
    return parsed.dt.date.astype(object)


def _count_bad(raw: pd.Series, parsed: pd.Series, col: str, warnings: Counter | None) -> None:
    if warnings is None or raw.empty:
        return
    bad = int((raw.notna() & parsed.isna()).sum())
    if bad:
        warnings[f"bad_{col}"] += bad
