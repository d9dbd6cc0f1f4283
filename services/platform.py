"""Every configured FHIR source behind one object: fan-out reads into DataFrames, partial results.

``Platform.read`` runs one search against every source in parallel, extracts each page as it
arrives, and returns a ``FrameSet``: the tables with a ``source`` column, what each source cost,
and the error of each source that failed, so the sources that answered stay visible.

One ``Platform`` serves every user of a process, so it also keeps the server's load bounded:
all requests run on one pool of ``Settings.read_workers`` threads, and identical reads asked for
at the same time are sent once (the first caller reads, the others wait for its result).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from services.allocators import return_freed_memory
from services.config import Settings
from services.errors import DataError, NotFound
from services.fhir_http import FhirHttp
from services.frames import KINDS, Collector, finish
from services.frames.base import Tables
from services.search import PageStats, fetch_resources

__all__ = ["FrameSet", "Platform", "read_key"]

return_freed_memory()

# Servers stamp _lastUpdated with their own clock: look back a little so skew loses nothing.
_CLOCK_SKEW = timedelta(seconds=5)


@dataclass
class FrameSet:
    """The tables of one search across sources, with what it cost and what failed.

    ``tables`` are finished (``services.frames.finish``: one row per stay, not per contact
    level); ``extracted`` are the tables as the extractors gave them, which ``Platform.refresh``
    merges changes into before finishing again. Where finishing changes nothing, both hold the
    same frames.
    """

    resource_type: str
    tables: dict[str, pd.DataFrame]
    stats: list[PageStats] = field(default_factory=list)
    errors: dict[str, DataError] = field(default_factory=dict)
    warnings: Counter = field(default_factory=Counter)
    extracted: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings_by_source: dict[str, Counter] = field(default_factory=dict)

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


class _Flights:
    """Identical work asked for at the same time runs once; every caller gets its outcome.

    A cache in front (the pages' ``st.cache_data``) spares repeated reads; this spares the
    concurrent ones, whoever calls: at shift change twenty sessions miss the same entry at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Hashable, Future] = {}

    def run(self, key: Hashable, work: Callable[[], FrameSet]) -> FrameSet:
        with self._lock:
            future = self._running.get(key)
            first = future is None
            if first:
                future = self._running[key] = Future()
        if not first:
            return future.result()
        try:
            result = work()
        except BaseException as exc:
            future.set_exception(exc)
            raise
        else:
            future.set_result(result)
            return result
        finally:
            with self._lock:
                del self._running[key]


def read_key(searchset: AbstractSearchSet) -> tuple:
    """What makes two searches the same read: the resource type and the parameters, in order."""
    return (
        searchset.resource_type,
        tuple(sorted((k, tuple(map(str, v))) for k, v in searchset.params.items())),
    )


class Platform:
    """The FHIR sources of the settings, each with its pooled HTTP client.

    Thread-safe; one instance is meant to serve every session of a process. A ``FrameSet`` it
    returns may be handed to several concurrent callers: treat it as read-only.
    """

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
        self._requests = ThreadPoolExecutor(
            max_workers=max(1, settings.read_workers), thread_name_prefix="fhir-read"
        )
        # Source fan-out only waits on the request pool, never the other way round: two pools
        # cannot deadlock where one shared by both could.
        self._fan_out = ThreadPoolExecutor(
            max_workers=max(1, 2 * len(self.clients)), thread_name_prefix="fhir-source"
        )
        self._flights = _Flights()

    def close(self) -> None:
        self._fan_out.shutdown(cancel_futures=True)
        self._requests.shutdown(cancel_futures=True)
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

    def history(self, source: str, since: datetime, count: int) -> dict:
        """One page (``count`` entries) of the source's system-wide history from ``since`` on
        (``GET [base]/_history?_since=``): what changed, for ``services.change_feed``. Runs on
        the request pool, so it counts against the same bound as every read."""
        params = {"_since": since.isoformat(), "_count": count}
        work = self._requests.submit(self.http(source).get_json, "_history", params, no_cache=True)
        return work.result()

    def read(
        self,
        searchset: AbstractSearchSet,
        *,
        sources: list[str] | None = None,
        cap: int | None = None,
        no_cache: bool = False,
        progress: Callable[[str, int, int | None], None] | None = None,
    ) -> FrameSet:
        """Run ``searchset`` on every source (or those named) and extract the results.

        A read equal to one in flight waits for that one instead of asking again (``progress``
        is then reported to the first caller only).
        """
        names = tuple(sources or self.clients)
        key = (read_key(searchset), names, cap, no_cache)
        return self._flights.run(key, lambda: self._read(searchset, names, cap, no_cache, progress))

    def _read(
        self,
        searchset: AbstractSearchSet,
        names: tuple[str, ...],
        cap: int | None,
        no_cache: bool,
        progress: Callable[[str, int, int | None], None] | None,
    ) -> FrameSet:
        primary = searchset.resource_type

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
                    pool=self._requests,
                )
            except DataError as exc:
                # Rows of a half-read source would make counts look complete: drop them.
                return Collector(KINDS, primary, source=name), None, exc
            return collector, stats, None

        results = [one(names[0])] if len(names) == 1 else list(self._fan_out.map(one, names))
        return _combine(primary, results)

    def refresh(
        self,
        previous: FrameSet,
        searchset: AbstractSearchSet,
        *,
        keep: Callable[[Tables], Tables] | None = None,
        sources: list[str] | None = None,
    ) -> FrameSet:
        """Bring ``previous`` (a read of the ``sources`` named, every source when None) up to
        date with what changed since it was fetched.

        Only changes are sent: ``searchset`` with ``_lastUpdated`` after the previous fetch. A
        search that filters on a state a resource can leave (open tasks) must be passed without
        that filter, so that a resource that left it arrives as a change; ``keep`` then takes
        such rows out of the merged tables. A changed resource replaces all rows it had in the
        tables of its kind (a task's notes with the task). A resource deleted on the server is
        not noticed, so callers still do a full read now and then.
        """
        if previous.errors or not previous.stats:
            return _kept(self.read(searchset, sources=sources), keep)
        since = min(previous.fetched_at.values()) - _CLOCK_SKEW
        changed = self.read(
            searchset.search(_lastUpdated=f"gt{since.isoformat()}"), sources=sources, no_cache=True
        )
        if changed.errors:
            return changed
        primary = previous.resource_type
        own_tables = set(KINDS[primary].tables) if primary in KINDS else set()
        new_tables = changed.extracted or changed.tables
        first = next(iter(KINDS[primary].tables), None) if primary in KINDS else None
        changed_ids = (
            pd.MultiIndex.from_frame(new_tables[first][["source", "id"]])
            if first in new_tables
            else None
        )
        tables = {}
        for name, old in (previous.extracted or previous.tables).items():
            new = new_tables.get(name, old.iloc[:0])
            key = old.columns[1]
            # Rows of the changed resources themselves: every row of a changed resource goes,
            # also one the change removed (a note taken off); included resources by their own id.
            ids = (
                changed_ids
                if name in own_tables and changed_ids is not None
                else pd.MultiIndex.from_frame(new[["source", key]])
            )
            stale = pd.MultiIndex.from_frame(old[["source", key]]).isin(ids)
            tables[name] = pd.concat([old[~stale], new], ignore_index=True)
        return _kept(
            FrameSet(
                primary,
                tables,
                stats=changed.stats,
                warnings=previous.warnings + changed.warnings,
                extracted=tables,
            ),
            keep,
        )


def _kept(read: FrameSet, keep: Callable[[Tables], Tables] | None) -> FrameSet:
    """``read`` with only the rows ``keep`` keeps, finished (``extracted`` as ``keep`` left it)."""
    tables = read.extracted or read.tables
    if keep is not None:
        tables = keep(tables)
    return FrameSet(
        read.resource_type,
        finish(tables),
        stats=read.stats,
        errors=read.errors,
        warnings=read.warnings,
        extracted=tables,
        warnings_by_source=read.warnings_by_source,
    )


def _combine(
    resource_type: str,
    results: list[tuple[Collector, PageStats | None, DataError | None]],
) -> FrameSet:
    warnings: Counter = Counter()
    by_source: dict[str, Counter] = {}
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
        by_source[collector.source] = (
            by_source.get(collector.source, Counter()) + collector.warnings
        )
    tables = {
        name: frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        for name, frames in per_table.items()
    }
    return FrameSet(
        resource_type,
        finish(tables),
        stats=stats,
        errors=errors,
        warnings=warnings,
        extracted=tables,
        warnings_by_source=by_source,
    )
