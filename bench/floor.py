"""The floor every method is measured against: a search's pages as raw bytes, nothing parsed.

Keep-alive, gzip and ``_pretty=false`` come with the caller's client and parameters; the pages
after the first are requested in parallel by offset, as fast as the server hands them out.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import httpx

from services.config import SourceConfig, env_source
from services.search import offset_urls

__all__ = ["bench_source", "raw_pull"]


def bench_source(url: str, name: str = "bench", **more: object) -> SourceConfig:
    """A source at ``url`` signing in with the client credentials of the environment
    (``MEDICUS_FHIR_TOKEN_URL`` and the rest, as ``make`` passes them), open without them;
    ``more``: other ``SourceConfig`` fields."""
    return dataclasses.replace(env_source(url, name), **more)


def raw_pull(
    client: httpx.Client, resource_type: str, params: dict, parallel: int
) -> tuple[int, int, int]:
    """(matches, bytes, requests) of every page of one search."""
    first = client.get(resource_type, params=params)
    body = first.json()
    total = body.get("total", 0)
    nbytes, requests = len(first.content), 1
    links = body.get("link", [])
    nxt = next((link["url"] for link in links if link.get("relation") == "next"), None)
    count = params.get("_count", 1000)
    page_size = int(count[0] if isinstance(count, list) else count)
    urls = offset_urls(nxt, page_size, page_size, total) if nxt else None
    if urls:
        with ThreadPoolExecutor(parallel) as pool:
            for size in pool.map(lambda url: len(client.get(url).content), urls):
                nbytes += size
                requests += 1
    return total, nbytes, requests
