"""Paged FHIR searches: from a search set to a stream of resources, as fast as the server allows.

Queries are built with fhirpy search sets (immutable, chainable, testable through ``.params``);
the pages are fetched here through ``FhirHttp``.

When the server's next link carries ``_getpagesoffset`` (HAPI does) and the first page states the
total, every remaining page is known in advance and is fetched in parallel with bounded
concurrency: on the caller's shared pool when one is given (a process serving many users bounds
its requests to the server in one place), else on a pool of this search's own. Otherwise the next
links are followed one by one, with a guard against links that loop. A result cap stops early
and says so in ``truncated`` instead of dropping silently.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fhirpy import SyncFHIRClient
from fhirpy.base.searchset import AbstractSearchSet

from services.fhir_http import FhirHttp

__all__ = ["PageStats", "fetch_resources", "offset_urls", "query"]

# fhirpy only builds the query here; it never sends anything, so the URL is a placeholder.
_BUILDER = SyncFHIRClient("http://query-builder.invalid")

Resource = dict[str, Any]


def query(resource_type: str) -> AbstractSearchSet:
    """A fresh search set for a resource type; chain ``.search()``, ``.elements()``, ``.sort()``."""
    return _BUILDER.resources(resource_type)


@dataclass
class PageStats:
    """What one search cost and whether it is complete."""

    source: str
    resource_type: str
    fetched: int = 0  # matches only; included resources ride along
    total: int | None = None
    truncated: bool = False
    looped: bool = False
    requests: int = 0  # pages read (a retried request counts once)
    elapsed_s: float = 0.0
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def _entries(bundle: Resource) -> tuple[list[Resource], list[Resource]]:
    """(matches, the rest): ``_include``d resources ride along but do not count as results."""
    matches, rest = [], []
    for entry in bundle.get("entry") or ():
        if isinstance(entry, dict) and "resource" in entry:
            mode = (entry.get("search") or {}).get("mode", "match")
            (matches if mode == "match" else rest).append(entry["resource"])
    return matches, rest


def _next_link(bundle: Resource) -> str | None:
    for link in bundle.get("link") or ():
        if isinstance(link, dict) and link.get("relation") == "next":
            return link.get("url")
    return None


def offset_urls(next_url: str, page_size: int, start: int, stop: int) -> list[str] | None:
    """The URLs of every page from ``start`` to ``stop`` if the next link is offset-addressable."""
    parts = urlsplit(next_url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k == "_getpagesoffset" for k, _ in params):
        return None
    urls = []
    for offset in range(start, stop, page_size):
        query_ = [(k, str(offset) if k == "_getpagesoffset" else v) for k, v in params]
        urls.append(urlunsplit(parts._replace(query=urlencode(query_))))
    return urls


def _params(searchset: AbstractSearchSet, page_size: int) -> dict[str, Any]:
    params: dict[str, Any] = {k: list(v) for k, v in searchset.params.items()}
    params.setdefault("_count", [page_size])
    params["_pretty"] = ["false"]
    # An accurate total lets every page be requested at once; HAPI counts in the same search.
    params.setdefault("_total", ["accurate"])
    return params


def fetch_resources(
    http: FhirHttp,
    searchset: AbstractSearchSet,
    on_page: Callable[[list[Resource]], None],
    *,
    cap: int | None = None,
    no_cache: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    pool: Executor | None = None,
) -> PageStats:
    """Fetch every match of ``searchset`` and hand each page's resources to ``on_page``.

    Pages reach ``on_page`` in order, one at a time, so a caller can extract rows and let the raw
    JSON go: memory stays bounded by the pages in flight, not by the result size. With ``pool``,
    every request (the first page too) runs on it, so its size bounds the requests in flight.
    """
    settings = http.settings
    cap = settings.result_cap if cap is None else cap
    started = time.monotonic()
    deadline = started + settings.total_timeout
    stats = PageStats(source=http.source.name, resource_type=searchset.resource_type)
    params = _params(searchset, settings.page_size)
    page_size = int(params["_count"][0])

    def deliver(page: tuple[list[Resource], list[Resource]]) -> bool:
        matches, included = page
        # One page, one request: counted here, because the client is shared by parallel reads.
        stats.requests += 1
        room = cap - stats.fetched
        if len(matches) > room:
            matches = matches[:room]
            stats.truncated = True
        # Offsets and the cap count matches only, as the server's paging does.
        stats.fetched += len(matches)
        if matches or included:
            on_page(matches + included)
        if progress:
            progress(stats.fetched, stats.total)
        return not stats.truncated

    if pool is None:
        first = http.get_json(searchset.resource_type, params, deadline=deadline, no_cache=no_cache)
    else:
        first = pool.submit(
            http.get_json, searchset.resource_type, params, deadline=deadline, no_cache=no_cache
        ).result()
    stats.total = first.get("total") if isinstance(first.get("total"), int) else None
    next_url = _next_link(first)
    if deliver(_entries(first)) and next_url:
        pages = None
        if stats.total is not None:
            stop = min(stats.total, cap)
            pages = offset_urls(next_url, page_size, stats.fetched, stop)
            if stats.total > cap:
                stats.truncated = True
        if pages is not None:
            for bundle in _parallel(http, pages, deadline, no_cache, pool):
                if not deliver(_entries(bundle)):
                    break
        else:
            _follow(http, next_url, deliver, stats, deadline, no_cache, pool)
    stats.elapsed_s = time.monotonic() - started
    return stats


def _parallel(
    http: FhirHttp, urls: list[str], deadline: float, no_cache: bool, shared: Executor | None
) -> Iterator[Resource]:
    workers = max(1, http.settings.parallel_pages)
    if shared is not None:
        yield from _window(http, urls, deadline, no_cache, shared, workers)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from _window(http, urls, deadline, no_cache, pool, workers)


def _window(
    http: FhirHttp, urls: list[str], deadline: float, no_cache: bool, pool: Executor, workers: int
) -> Iterator[Resource]:
    # A sliding window keeps at most ``workers`` pages in memory beyond the one being read,
    # as bytes: a parsed page is several times its JSON, so only the one being read is parsed.
    pending = []
    try:
        for url in urls:
            pending.append(pool.submit(http.get, url, deadline=deadline, no_cache=no_cache))
            if len(pending) > workers:
                yield http.parse(pending.pop(0).result())
        for future in pending:
            yield http.parse(future.result())
    finally:
        # A search stopped early (cap reached, a failed page) leaves no work queued on a pool
        # that other searches share.
        for future in pending:
            future.cancel()


def _follow(
    http: FhirHttp,
    next_url: str | None,
    deliver: Callable[[tuple[list[Resource], list[Resource]]], bool],
    stats: PageStats,
    deadline: float,
    no_cache: bool,
    pool: Executor | None = None,
) -> None:
    seen: set[str] = set()
    while next_url:
        if next_url in seen:
            stats.looped = True
            stats.truncated = True
            return
        seen.add(next_url)
        if pool is None:
            bundle = http.get_json(next_url, deadline=deadline, no_cache=no_cache)
        else:
            bundle = pool.submit(
                http.get_json, next_url, deadline=deadline, no_cache=no_cache
            ).result()
        if not deliver(_entries(bundle)):
            return
        next_url = _next_link(bundle)
