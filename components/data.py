"""The caching edge: every page reads FHIR data through ``load`` here, never directly.

Results are cached per query with a time-to-live that fits how fast that kind of data changes.
Each source's last successful fetch is remembered so the status line can say how fresh the data
is when a source fails.
"""

from __future__ import annotations

import threading
from datetime import datetime

import streamlit as st
from fhirpy.base.searchset import AbstractSearchSet

from components.session import platform, tr
from services.platform import FrameSet

__all__ = ["TTL", "freshness", "load"]

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
    "Patient": 600,
    "AuditEvent": 30,
    "PractitionerRole": 3600,
    "Practitioner": 3600,
    "Organization": 3600,
}

_fresh_lock = threading.Lock()
_last_fresh: dict[str, datetime] = {}
_last_failed: dict[str, str] = {}


def _query_key(searchset: AbstractSearchSet) -> tuple:
    return (
        searchset.resource_type,
        sorted((k, tuple(map(str, v))) for k, v in searchset.params.items()),
    )


# Work lists must show a colleague's change at once: ask the server not to answer from its own
# stored search results (standard Cache-Control, honoured by HAPI).
_BYPASS_SERVER_CACHE = frozenset({"Task"})


def _cached(ttl: int):
    # The search set itself is not hashable; its resource type and parameters are the key.
    def read(key: tuple, _searchset: AbstractSearchSet) -> FrameSet:
        no_cache = _searchset.resource_type in _BYPASS_SERVER_CACHE
        return platform().read(_searchset, no_cache=no_cache)

    # st.cache_data keys a cache by the function's name; readers of different lifetimes sharing
    # one name would clear each other's entries on every call.
    read.__qualname__ = read.__name__ = f"read_ttl_{ttl}"
    return st.cache_data(ttl=ttl, show_spinner=False)(read)


_READERS = {seconds: _cached(seconds) for seconds in set(TTL.values())}


def load(searchset: AbstractSearchSet, what: str | None = None) -> FrameSet:
    """The FrameSet of a search, from the cache when it is fresh enough; shows a spinner."""
    reader = _READERS[TTL.get(searchset.resource_type, 120)]
    with st.spinner(tr("status.loading", what=what or searchset.resource_type)):
        result = reader(_query_key(searchset), searchset)
    _remember(result)
    return result


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
