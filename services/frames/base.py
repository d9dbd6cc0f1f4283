"""Machinery shared by the extractors: safe field access, row collection, typed DataFrames.

An extractor reads one resource and appends rows to one or more tables. A field that is missing
stays null; a field that is present but malformed (wrong JSON type, unparsable time) becomes null
and a counted warning. Nothing here raises on bad data: a broken resource must not take a page down.
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
    "codings",
    "first_code",
    "get",
    "ref_id",
]

DISPLAY_TZ = "Europe/Berlin"
Resource = dict[str, Any]


def get(node: Any, *path: str | int) -> Any:
    """Walk ``path`` through dicts and lists; None where anything is missing or misshapen."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or len(node) <= step:
                return None
        elif not isinstance(node, dict):
            return None
        node = node[step] if isinstance(step, int) else node.get(step)
        if node is None:
            return None
    return node


def ref_id(reference: Any, resource_type: str | None = None) -> str | None:
    """The id of a relative reference ``Type/id`` (absolute and versioned forms too)."""
    ref = reference.get("reference") if isinstance(reference, dict) else None
    if not isinstance(ref, str) or "/" not in ref:
        return None
    parts = ref.split("/_history/")[0].rstrip("/").split("/")
    if resource_type and parts[-2] != resource_type:
        return None
    return parts[-1]


def codings(concept: Any) -> list[dict]:
    """The codings of a CodeableConcept, or of a list of them."""
    concepts = concept if isinstance(concept, list) else [concept]
    out = []
    for c in concepts:
        for coding in get(c, "coding") or ():
            if isinstance(coding, dict):
                out.append(coding)
    return out


def first_code(concept: Any, system: str | None = None) -> tuple[str | None, str | None]:
    """(code, display) of the first coding, of ``system`` if given."""
    for coding in codings(concept):
        if system is None or coding.get("system") == system:
            return coding.get("code"), coding.get("display")
    return None, None


@dataclass(frozen=True)
class Table:
    """Columns of one tidy table; times and numbers are typed after collection."""

    columns: tuple[str, ...]
    times: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """How one resource type becomes tables."""

    resource_type: str
    extract: Callable[[Resource, Collector], None]
    tables: dict[str, Table]
    elements: tuple[str, ...] = ()


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
        for resource in resources:
            resource_type = resource.get("resourceType") if isinstance(resource, dict) else None
            kind = self.kinds.get(resource_type)
            if kind is None:
                # Servers may add an OperationOutcome entry to a searchset (e.g. warnings).
                if resource_type != "OperationOutcome":
                    self.warn("unexpected_resource")
                continue
            if not isinstance(resource.get("id"), str):
                self.warn("missing_id")
                continue
            self.seen.add(resource_type)
            try:
                kind.extract(resource, self)
            except (TypeError, ValueError, AttributeError, KeyError):
                # A shape no extractor foresaw: keep the page alive, count the resource as broken.
                self.warn("malformed_resource")
        for table in [t for t, rows in self.rows.items() if len(rows) >= self.chunk_rows]:
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
    """Typed DataFrame from collected rows; timestamps tz-aware in Europe/Berlin."""
    frame = pd.DataFrame.from_records(rows, columns=("source", *spec.columns))
    typed = {*spec.times, *spec.dates, *spec.numbers}
    for col in frame.columns:
        if col not in typed:
            frame[col] = frame[col].astype("str")
    for col in spec.times:
        frame[col] = _times(frame[col], col, warnings)
    for col in spec.dates:
        frame[col] = _times(frame[col], col, warnings, utc=False).dt.date
    for col in spec.numbers:
        raw = frame[col]
        frame[col] = pd.to_numeric(raw, errors="coerce").astype("Float64")
        _count_bad(raw, frame[col], col, warnings)
    return frame


def _times(raw: pd.Series, col: str, warnings: Counter | None, utc: bool = True) -> pd.Series:
    if utc:
        parsed = pd.to_datetime(raw, utc=True, format="ISO8601", errors="coerce")
        parsed = parsed.dt.tz_convert(DISPLAY_TZ).astype(f"datetime64[us, {DISPLAY_TZ}]")
    else:
        days = raw.astype("string").str.slice(0, 10)
        parsed = pd.to_datetime(days, format="%Y-%m-%d", errors="coerce")
    _count_bad(raw, parsed, col, warnings)
    return parsed


def _count_bad(raw: pd.Series, parsed: pd.Series, col: str, warnings: Counter | None) -> None:
    if warnings is None or raw.empty:
        return
    bad = int((raw.notna() & parsed.isna()).sum())
    if bad:
        warnings[f"bad_{col}"] += bad
