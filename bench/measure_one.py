"""One measurement in a fresh process, so peak RSS belongs to that method alone.

Usage: measure_one.py METHOD BASE_URL RESOURCE_TYPE CUTOFF N PARALLEL MODE
Prints one JSON line: method, resources, seconds, requests, bytes, peak_rss_mb, extract_s.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import time

import httpx


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor(base: str, rtype: str, cutoff: str, parallel: int, headers: dict) -> dict:
    """Raw bytes only: keep-alive, gzip, compact JSON, 1000 per page, pages in parallel."""
    from bench.floor import raw_pull

    limits = httpx.Limits(max_connections=parallel + 2)
    with httpx.Client(base_url=base + "/", headers=headers, limits=limits, timeout=300) as c:
        params = {"date": f"lt{cutoff}", "_count": 1000, "_pretty": "false", "_total": "accurate"}
        total, nbytes, requests = raw_pull(c, rtype, params, parallel)
    return {"resources": total, "requests": requests, "bytes": nbytes}


def ours(base: str, rtype: str, cutoff: str, parallel: int, no_cache: bool) -> dict:
    from services.config import Settings, SourceConfig
    from services.frames import base as frames_base
    from services.platform import Platform
    from services.search import query

    spent = {"extract_s": 0.0}

    def timed(method):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent["extract_s"] += time.perf_counter() - started

        return wrapper

    # Time spent turning JSON into rows and rows into typed frames, against the wall time.
    frames_base.Collector.feed = timed(frames_base.Collector.feed)
    frames_base.Collector.frames = timed(frames_base.Collector.frames)

    settings = Settings(
        sources=(SourceConfig(name="bench", url=base, timeout=300),),
        parallel_pages=parallel,
        total_timeout=3600,
    )
    platform = Platform(settings)
    result = platform.read(query(rtype).search(date=f"lt{cutoff}"), no_cache=no_cache)
    frame = result.frame
    return {"resources": int(frame["id"].nunique()), "requests": result.requests, **spent}


def fhirpy_fetch_all(base: str, rtype: str, cutoff: str, tuned: bool, headers: dict) -> dict:
    from fhirpy import SyncFHIRClient

    client = SyncFHIRClient(base, extra_headers=headers)
    search = client.resources(rtype).search(date=f"lt{cutoff}")
    if tuned:
        search = search.limit(1000)
    resources = search.fetch_all()
    return {"resources": len(resources)}


def pyrate(base: str, rtype: str, cutoff: str, headers: dict) -> dict:
    import requests
    from fhir_pyrate import Pirate

    session = requests.Session()
    session.headers.update(headers)
    pirate = Pirate(
        base_url=base,
        auth=session,
        num_processes=1,
        print_request_url=False,
        silence_fhirpath_warning=True,
    )
    frame = pirate.steal_bundles_to_dataframe(
        resource_type=rtype, request_params={"date": f"lt{cutoff}", "_count": 1000}
    )
    return {"resources": len(frame)}


def _preload(method: str) -> None:
    """Import what a method needs before the clock starts: import time is not fetch time."""
    modules = {
        "floor": ["bench.floor"],
        "ours": ["pandas", "services.platform", "services.search"],
        "fhirpy": ["fhirpy"],
        "fhirpy_tuned": ["fhirpy"],
        "pyrate": ["fhir_pyrate", "requests", "pandas"],
    }.get(method, [])
    for module in modules:
        importlib.import_module(module)


def main() -> None:
    method, base, rtype, cutoff, _n, parallel, mode = sys.argv[1:8]
    _preload(method)
    parallel_n = int(parallel)
    headers = {"Cache-Control": "no-cache"} if mode == "cold" else {}
    started = time.perf_counter()
    if method == "floor":
        out = floor(base, rtype, cutoff, parallel_n, {"Accept-Encoding": "gzip", **headers})
    elif method == "ours":
        out = ours(base, rtype, cutoff, parallel_n, mode == "cold")
    elif method == "fhirpy":
        out = fhirpy_fetch_all(base, rtype, cutoff, False, headers)
    elif method == "fhirpy_tuned":
        out = fhirpy_fetch_all(base, rtype, cutoff, True, headers)
    elif method == "pyrate":
        out = pyrate(base, rtype, cutoff, headers)
    else:
        raise SystemExit(f"unknown method {method}")
    out.update(method=method, seconds=time.perf_counter() - started, peak_rss_mb=peak_rss_mb())
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
