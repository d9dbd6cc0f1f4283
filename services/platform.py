"""Every configured FHIR source behind one object: fan-out reads into DataFrames, partial results.

``Platform.read`` runs one search against every source in parallel, extracts each page as it
arrives, and returns a ``FrameSet``: the tables with a ``source`` column, what each source cost,
and the error of each source that failed, so the sources that answered stay visible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from services.allocators import return_freed_memory
from services.config import Settings
from services.errors import DataError, NotFound
from services.fhir_http import FhirHttp
from services.frames import KINDS, Collector
from services.search import PageStats, fetch_resources

__all__ = ["FrameSet", "Platform"]

return_freed_memory()

# Servers stamp _lastUpdated with their own clock: look back a little so skew loses nothing.
_CLOCK_SKEW = timedelta(seconds=5)


@dataclass
class FrameSet:
    """The tables of one search across sources, with what it cost and what failed."""

    resource_type: str
    tables: dict[str, pd.DataFrame]
    stats: list[PageStats] = field(default_factory=list)
    errors: dict[str, DataError] = field(default_factory=dict)
    warnings: Counter = field(default_factory=Counter)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    @property
    def frame(self) -> pd.DataFrame:
        """The main table (named like the resource type's first table)."""
        return next(iter(self.tables.values()))

    @property
    def truncated(self) -> bool:
        return any(s.truncated for s in self.stats)

    @property
    def requests(self) -> int:
        return sum(s.requests for s in self.stats)

    @property
    def fetched_at(self) -> dict[str, datetime]:
        return {s.source: s.fetched_at for s in self.stats}


class Platform:
    """The FHIR sources of the settings, each with its pooled HTTP client."""

    def __init__(
        self,
        settings: Settings,
        transports: dict[str, httpx.BaseTransport] | None = None,
    ) -> None:
        self.settings = settings
        transports = transports or {}
        self.clients = {
            s.name: FhirHttp(s, settings, transports.get(s.name)) for s in settings.sources
        }

    def close(self) -> None:
        for client in self.clients.values():
            client.close()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def http(self, source: str | None = None) -> FhirHttp:
        """The client of one source; the first source when none is named."""
        if source is None:
            return next(iter(self.clients.values()))
        try:
            return self.clients[source]
        except KeyError:
            raise NotFound(f"unknown source {source!r}") from None

    def read(
        self,
        searchset: AbstractSearchSet,
        *,
        sources: list[str] | None = None,
        cap: int | None = None,
        no_cache: bool = False,
        progress: Callable[[str, int, int | None], None] | None = None,
    ) -> FrameSet:
        """Run ``searchset`` on every source (or those named) and extract the results."""
        primary = searchset.resource_type
        names = sources or list(self.clients)

        def one(name: str) -> tuple[Collector, PageStats | None, DataError | None]:
            collector = Collector(KINDS, primary, source=name)
            report = (lambda n, t: progress(name, n, t)) if progress else None
            try:
                stats = fetch_resources(
                    self.clients[name],
                    searchset,
                    collector.feed,
                    cap=cap,
                    no_cache=no_cache,
                    progress=report,
                )
            except DataError as exc:
                # Rows of a half-read source would make counts look complete: drop them.
                return Collector(KINDS, primary, source=name), None, exc
            return collector, stats, None

        if len(names) == 1:
            results = [one(names[0])]
        else:
            with ThreadPoolExecutor(max_workers=len(names)) as pool:
                results = list(pool.map(one, names))
        return _combine(primary, results)

    def refresh(self, previous: FrameSet, searchset: AbstractSearchSet) -> FrameSet:
        """Bring ``previous`` up to date with what changed since it was fetched.

        Only changes are sent; a resource deleted on the server is not noticed, so callers still
        do a full read now and then (the page caches expire).
        """
        if previous.errors or not previous.stats:
            return self.read(searchset)
        since = min(previous.fetched_at.values()) - _CLOCK_SKEW
        changed = self.read(searchset.search(_lastUpdated=f"gt{since.isoformat()}"))
        if changed.errors:
            return changed
        tables = {}
        for name, old in previous.tables.items():
            new = changed.tables.get(name, old.iloc[:0])
            key = old.columns[1]
            stale = pd.MultiIndex.from_frame(old[["source", key]]).isin(
                pd.MultiIndex.from_frame(new[["source", key]])
            )
            tables[name] = pd.concat([old[~stale], new], ignore_index=True)
        return FrameSet(
            previous.resource_type,
            tables,
            stats=changed.stats,
            warnings=previous.warnings + changed.warnings,
        )


def _combine(
    resource_type: str,
    results: list[tuple[Collector, PageStats | None, DataError | None]],
) -> FrameSet:
    warnings: Counter = Counter()
    per_table: dict[str, list[pd.DataFrame]] = {}
    stats, errors = [], {}
    for collector, stat, error in results:
        if error is not None:
            errors[collector.source] = error
        if stat is not None:
            stats.append(stat)
        for name, frame in collector.frames().items():
            per_table.setdefault(name, []).append(frame)
        warnings += collector.warnings
    tables = {
        name: frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        for name, frames in per_table.items()
    }
    return FrameSet(resource_type, tables, stats=stats, errors=errors, warnings=warnings)
