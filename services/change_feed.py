"""What changed on the FHIR sources, asked once for every kept read of the process.

A ward's reads (its stays, flags, vitals, tasks) must show another user's change within the
page's refresh. Asking each search again after its lifetime costs one request per search and
ward; most of them find nothing new. One system-wide history request per source
(``GET [base]/_history?_since=…``) says which resource types changed since the last one, for
every ward and every session of the process at once: a kept read none of whose types changed is
as current as that request and is handed out without a search of its own
(``components.data.load_changes``).

The history is read with the dashboard's own token, so it lists what its searches could read
anyway; nothing of it reaches a page (only resource types, ids and times are kept).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.errors import DataError
from services.frames import KINDS

__all__ = ["ANY", "Change", "ChangeFeed", "kinds_of"]

# Servers stamp _lastUpdated with their own clock: look back a little so skew loses nothing.
CLOCK_SKEW = timedelta(seconds=5)
# One page of history per poll: more changes than this in one interval are not listed one by
# one; every kept read then counts as changed (``ANY``).
PAGE_SIZE = 1000
# A change stands for "anything may have changed" (a page of history too long, or unreadable).
ANY = "*"


@dataclass(frozen=True)
class Change:
    kind: str
    id: str
    at: datetime
    deleted: bool = False


def kinds_of(resource_type: str, table_names: Iterable[str]) -> frozenset[str]:
    """The resource types a read holds: its own and those of its included resources."""
    names = set(table_names)
    held = {kind for kind, spec in KINDS.items() if names & set(spec.tables)}
    return frozenset({resource_type, *held})


def _stamp(value: object, fallback: datetime) -> datetime:
    if isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return fallback
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return fallback


def changes_in(bundle: dict, polled_at: datetime) -> list[Change]:
    """The changes a history Bundle lists; one ``ANY`` change when it has more pages."""
    if any(link.get("relation") == "next" for link in bundle.get("link") or ()):
        return [Change(ANY, "", polled_at)]
    found = []
    for entry in bundle.get("entry") or ():
        request = entry.get("request") or {}
        resource = entry.get("resource") or {}
        # A deleted version has no resource: its type and id are in the request's URL.
        parts = str(request.get("url") or entry.get("fullUrl") or "").split("/")
        kind = resource.get("resourceType") or next((p for p in parts if p in KINDS), None)
        ident = resource.get("id") or (parts[parts.index(kind) + 1] if kind in parts else "")
        if not kind:
            found.append(Change(ANY, "", polled_at))
            continue
        at = _stamp((resource.get("meta") or {}).get("lastUpdated"), polled_at)
        found.append(Change(kind, ident, at, deleted=request.get("method") == "DELETE"))
    return found


class ChangeFeed:
    """The changes of each source from ``covered_from`` on, polled at most once per max age.

    ``fetch(source, since)`` returns the history Bundle of one source (raises ``DataError``);
    ``keep_seconds`` bounds how far back changes are remembered. Thread-safe: concurrent
    callers that find the feed too old wait for one poll.
    """

    def __init__(self, fetch, sources: Iterable[str], keep_seconds: float) -> None:
        self._fetch = fetch
        self._sources = tuple(sources)
        self._keep = timedelta(seconds=keep_seconds)
        self._lock = threading.Lock()
        self._poll_lock = threading.Lock()
        self._changes: dict[str, list[Change]] = {s: [] for s in self._sources}
        self._covered_from: dict[str, datetime] = {}
        self._as_of: datetime | None = None
        self.polls = 0

    def current(self, max_age: float, now: datetime | None = None) -> datetime | None:
        """The time up to which the feed lists every change, polling when that is more than
        ``max_age`` seconds ago; None when a source could not be asked."""
        with self._poll_lock:
            now = now or datetime.now(UTC)
            as_of = self._as_of
            if as_of is not None and (now - as_of).total_seconds() < max_age:
                return as_of
            return self._poll(now)

    def start(self) -> None:
        """Poll once if the feed never did: reads fetched from then on can be checked."""
        with self._poll_lock:
            if not self.polls:
                self._poll(datetime.now(UTC))

    def _poll(self, started: datetime) -> datetime | None:
        fetched: dict[str, list[Change]] = {}
        self.polls += 1
        for source in self._sources:
            since = self._as_of or started
            try:
                bundle = self._fetch(source, since - CLOCK_SKEW)
            except DataError:
                # No feed this time: every kept read is then read as before.
                with self._lock:
                    self._as_of = None
                    self._covered_from.clear()
                    for changes in self._changes.values():
                        changes.clear()
                return None
            fetched[source] = changes_in(bundle, started)
        with self._lock:
            cutoff = started - self._keep
            for source, changes in fetched.items():
                kept = [c for c in self._changes[source] if c.at >= cutoff] + changes
                self._changes[source] = kept
                first = self._covered_from.get(source, (self._as_of or started) - CLOCK_SKEW)
                self._covered_from[source] = max(first, cutoff)
            self._as_of = started
        return started

    def changed(
        self, source: str, kinds: frozenset[str], since: datetime
    ) -> tuple[bool, bool] | None:
        """(changed, deleted): whether a resource of ``kinds`` changed (was deleted) on
        ``source`` after ``since``; None when the feed does not reach back that far."""
        with self._lock:
            covered = self._covered_from.get(source)
            if covered is None or since - CLOCK_SKEW < covered:
                return None
            after = since - CLOCK_SKEW
            hits = [
                c
                for c in self._changes.get(source, ())
                if (c.kind in kinds or c.kind == ANY) and c.at > after
            ]
        return bool(hits), any(c.deleted or c.kind == ANY for c in hits)
