"""The caching edge: every page reads FHIR data through ``load`` here, never directly.

Results are cached per query with a time-to-live that fits how fast that kind of data changes.
Each source's last successful fetch is remembered so the status line can say how fresh the data
is when a source fails.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pandas as pd
import streamlit as st
from fhirpy.base.searchset import AbstractSearchSet

from components.session import platform, settings, tr
from services import analytics, store
from services.change_feed import PAGE_SIZE, ChangeFeed, kinds_of
from services.frames.base import Tables
from services.platform import FrameSet, read_key

__all__ = [
    "FULL_READ_SECONDS",
    "KEPT_SECONDS",
    "TTL",
    "forget",
    "freshness",
    "load",
    "load_changes",
    "load_fresh",
    "load_kept",
    "load_store_figures",
    "load_stored_window",
]

# Seconds a cached result stays valid, by resource type: work lists change by the minute,
# the building plan by the month.
TTL = {
    "Task": 60,
    "Encounter": 120,
    "Location": 120,
    "Observation": 300,
    "Condition": 300,
    "Procedure": 300,
    "MedicationRequest": 300,
    "Flag": 60,
    "Patient": 600,
    "AuditEvent": 30,
    "PractitionerRole": 3600,
    "Appointment": 300,
    "Practitioner": 3600,
    "Organization": 3600,
}

# The ward pages refresh every minute: a kept read (``load_changes``) is checked this often at
# most, so what a page says it shows is never older than its refresh.
KEPT_SECONDS = TTL["Task"]

_fresh_lock = threading.Lock()
_last_fresh: dict[str, datetime] = {}
_last_failed: dict[str, str] = {}
# Resource types written since their last read: read past the server's stored searches once.
_written: set[str] = set()


# HAPI repeats an identical search's stored answer for up to a minute. Data we keep for a minute
# or less (work lists, isolation flags, the audit trail) is kept that short because a change must
# show at once, so its reads ask the server not to answer from stored results (standard
# Cache-Control, honoured by HAPI).
_SERVER_SEARCH_REUSE_SECONDS = 60
_BYPASS_SERVER_CACHE = frozenset(
    kind for kind, seconds in TTL.items() if seconds <= _SERVER_SEARCH_REUSE_SECONDS
)


def _cached(ttl: int):
    # The search set itself is not hashable; its resource type and parameters are the key, and
    # nothing of the user: every session asking for one ward's tasks shares one entry.
    # Concurrent misses of one key compute once: Streamlit holds a lock per key while computing,
    # and the platform sends identical reads in flight once even for callers outside the cache.
    def read(key: tuple, _searchset: AbstractSearchSet) -> FrameSet:
        kind = _searchset.resource_type
        with _fresh_lock:
            written = kind in _written
            _written.discard(kind)
        no_cache = kind in _BYPASS_SERVER_CACHE or written
        return platform().read(_searchset, no_cache=no_cache)

    # st.cache_data keys a cache by the function's name; readers of different lifetimes sharing
    # one name would clear each other's entries on every call.
    read.__qualname__ = read.__name__ = f"read_ttl_{ttl}"
    return st.cache_data(ttl=ttl, show_spinner=False)(read)


_READERS = {seconds: _cached(seconds) for seconds in set(TTL.values())}


def forget(*kinds: str) -> None:
    """After a write of these resource types: the next read of each comes from the server as
    it is now (past this cache and the server's stored searches), so a bed given on one page
    shows on the bed board at once."""
    with _fresh_lock:
        _written.update(kinds)
    for seconds in {TTL.get(kind, 120) for kind in kinds}:
        _READERS[seconds].clear()
    kept = _kept_reads()
    with kept.lock:
        for key in [k for k in kept.reads if k[0] in kinds]:
            del kept.reads[key]


def load(searchset: AbstractSearchSet, what: str | None = None) -> FrameSet:
    """The FrameSet of a search, from the cache when it is fresh enough; shows a spinner."""
    reader = _READERS[TTL.get(searchset.resource_type, 120)]
    with st.spinner(tr("status.loading", what=what or searchset.resource_type)):
        result = reader(read_key(searchset), searchset)
    _remember(result)
    return result


def load_fresh(searchset: AbstractSearchSet, what: str | None = None) -> FrameSet:
    """The FrameSet of a search as the server holds it now, past every cache: for small reads
    that decide a write another hospital is waiting for (a transfer request and its bed)."""
    with st.spinner(tr("status.loading", what=what or searchset.resource_type)):
        result = platform().read(searchset, no_cache=True)
    _remember(result)
    return result


# A read kept by ``load_changes`` is read in full at most this often, and in between brought up
# to date with only what changed. Only the full read notices a resource deleted on the server
# (changes by search cannot): tasks leave a work list by a new status, which arrives as a change,
# so a deletion (an administrator's correction, not a step of the ward's work) shows this late.
FULL_READ_SECONDS = 600


@dataclass
class _Kept:
    read: FrameSet
    read_at: float
    full_at: float


class _KeptReads:
    """The reads of ``load_changes``, one per search, shared by every session of the process,
    and the one feed of changes that keeps them current (``services.change_feed``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reads: dict[tuple, _Kept] = {}
        self.locks: dict[tuple, threading.Lock] = {}
        source = platform()
        self.feed = ChangeFeed(
            lambda name, since: source.history(name, since, PAGE_SIZE),
            source.clients,
            FULL_READ_SECONDS,
        )

    def lock_of(self, key: tuple) -> threading.Lock:
        now = time.monotonic()
        with self.lock:
            # Reads nobody asked for since their last full read would only hold memory.
            for old in [k for k, v in self.reads.items() if now - v.read_at > FULL_READ_SECONDS]:
                del self.reads[old]
                self.locks.pop(old, None)
            return self.locks.setdefault(key, threading.Lock())


@st.cache_resource
def _kept_store() -> dict[str, _KeptReads]:
    return {}


@st.cache_data(show_spinner=False)
def _data_generation() -> str:
    return secrets.token_hex(8)


def _kept_reads() -> _KeptReads:
    # Kept reads are cached data too: whoever clears the data caches (st.cache_data.clear())
    # means them as well, and a cleared cache hands out a new generation.
    store = _kept_store()
    generation = _data_generation()
    with _fresh_lock:
        if generation not in store:
            store.clear()
            store[generation] = _KeptReads()
        return store[generation]


def load_changes(
    searchset: AbstractSearchSet,
    changes: AbstractSearchSet | None,
    keep: Callable[[Tables], Tables] | None,
    what: str | None = None,
    sources: tuple[str, ...] = (),
) -> FrameSet:
    """The FrameSet of ``searchset`` on the ``sources`` named (every source when none),
    re-read only as far as it changed.

    A read younger than the resource type's TTL (at most ``KEPT_SECONDS``) is handed out as it
    is (one ward's read serves all its colleagues). An older one is checked against the
    process's feed of changes (one history request per TTL for every kept read): when no
    resource of its types changed since it was fetched, it is as current as the feed and handed
    out again without a request. Otherwise it is brought up to date by ``changes``
    (``searchset`` without the filter on a state its resources can leave) with ``_lastUpdated``
    after its fetch, merged and cut down by ``keep`` (``Platform.refresh``), or read anew when
    ``changes`` is None or a resource of its types was deleted; every ``FULL_READ_SECONDS`` it
    is read anew in any case.
    """
    kept = _kept_reads()
    key = (*read_key(searchset), sources)
    asked = list(sources) or None
    # Checking a kept read costs no request of its own (the feed's one request serves every
    # read), so none is kept longer than the ward pages' refresh promises.
    ttl = min(TTL.get(searchset.resource_type, 120), KEPT_SECONDS)
    with kept.lock_of(key), st.spinner(tr("status.loading", what=what or searchset.resource_type)):
        now = time.monotonic()
        entry = kept.reads.get(key)
        if entry is not None and now - entry.read_at < ttl:
            result = entry.read
        elif entry is None or now - entry.full_at >= FULL_READ_SECONDS:
            # The feed must reach back to this read for it to be checked against the feed.
            kept.feed.start()
            result = platform().read(searchset, sources=asked, no_cache=True)
            full_at = now
        else:
            verdict = _unchanged(kept.feed, entry.read, ttl)
            full_at = entry.full_at
            if isinstance(verdict, FrameSet):
                result = verdict
            elif verdict == "deleted" or changes is None:
                result = platform().read(searchset, sources=asked, no_cache=True)
                full_at = now
            else:
                result = platform().refresh(entry.read, changes, keep=keep, sources=asked)
        if entry is None or result is not entry.read:
            if result.errors:
                # The next call reads in full: a read with a source missing is no base to add to.
                kept.reads.pop(key, None)
            else:
                # A read confirmed by the feed is as current as the feed's request.
                fetched = min(result.fetched_at.values(), default=datetime.now(UTC))
                age = (datetime.now(UTC) - fetched).total_seconds()
                kept.reads[key] = _Kept(result, time.monotonic() - max(age, 0.0), full_at)
    _remember(result)
    return result


def load_kept(
    searchset: AbstractSearchSet, what: str | None = None, sources: tuple[str, ...] = ()
) -> FrameSet:
    """``load`` for a ward's reads: kept for every session of the process and read again only
    when the feed of changes shows a resource of its types changed (``load_changes`` without
    a search of changes: the search itself is repeated then); on the ``sources`` named, every
    source when none."""
    return load_changes(searchset, None, None, what, sources)


def _unchanged(feed: ChangeFeed, read: FrameSet, max_age: float) -> FrameSet | str:
    """``read`` stamped as current as the feed when none of its types changed on any of its
    sources since it was fetched; else "changed", or "deleted" when a resource of its types was
    deleted (which only a full read notices)."""
    as_of = feed.current(max_age)
    if as_of is None or read.errors or not read.stats:
        return "changed"
    kinds = kinds_of(read.resource_type, (read.extracted or read.tables).keys())
    verdicts = [feed.changed(s.source, kinds, s.fetched_at) for s in read.stats]
    if any(v is None or v[0] for v in verdicts):
        return "deleted" if any(v is not None and v[1] for v in verdicts) else "changed"
    stats = [replace(s, fetched_at=as_of) for s in read.stats]
    return replace(read, stats=stats)


@st.cache_data(ttl=TTL["Encounter"], show_spinner=False)
def _stored_window(start: pd.Timestamp, synced: tuple) -> FrameSet:
    # ``synced`` (each source's last sync) is only a key: a new sync is a new entry.
    return store.window_read(settings(), start)


def load_stored_window(start: pd.Timestamp) -> FrameSet | None:
    """The 90-day stays from the Parquet store when the settings ask for it and every source's
    last sync is fresh enough; None when the pages must search instead."""
    current = settings()
    if current.analytics != "store" or not store.is_fresh(current):
        return None
    synced = tuple(sorted((n, str(s.synced_at)) for n, s in store.freshness(current).items()))
    with st.spinner(tr("status.loading", what="Encounters")):
        result = _stored_window(start, synced)
    _remember(result)
    return result


@st.cache_data(ttl=TTL["Encounter"], show_spinner=False)
def _store_figures(
    start: pd.Timestamp,
    now: pd.Timestamp,
    hospital_ids: tuple[str, ...],
    wards: tuple[str, ...] | None,
    movements: bool,
    synced: tuple,
) -> analytics.StoreFigures:
    # ``synced`` (each source's last sync) is only a key: a new sync is a new entry.
    current = settings()
    return analytics.figures(
        current,
        start,
        now,
        hospital_ids=hospital_ids,
        wards=wards,
        rule=current.stale_stays,
        movements=movements,
    )


def load_store_figures(
    start: pd.Timestamp,
    now: pd.Timestamp,
    hospital_ids: tuple[str, ...] = (),
    wards: tuple[str, ...] | None = None,
    movements: bool = True,
) -> tuple[analytics.StoreFigures, FrameSet] | None:
    """The window's figures computed in the store (``services.analytics``) when the settings ask
    for the store and every source's last sync is fresh enough, with a read that carries their
    stats for the banners and the status line; None when the pages must read the stays."""
    current = settings()
    if current.analytics != "store" or not store.is_fresh(current):
        return None
    synced = tuple(sorted((n, str(s.synced_at)) for n, s in store.freshness(current).items()))
    with st.spinner(tr("status.loading", what="Encounters")):
        figures = _store_figures(start, now, hospital_ids, wards, movements, synced)
    read = FrameSet("Encounter", {}, stats=list(figures.stats))
    _remember(read)
    return figures, read


def _remember(result: FrameSet) -> None:
    with _fresh_lock:
        for stat in result.stats:
            previous = _last_fresh.get(stat.source)
            if previous is None or stat.fetched_at > previous:
                _last_fresh[stat.source] = stat.fetched_at
            _last_failed.pop(stat.source, None)
        for source, error in result.errors.items():
            _last_failed[source] = error.message_key


def freshness() -> dict[str, tuple[datetime | None, str | None]]:
    """Per source: when its data was last fetched successfully, and its last error key."""
    with _fresh_lock:
        names = list(platform().clients)
        return {n: (_last_fresh.get(n), _last_failed.get(n)) for n in names}
