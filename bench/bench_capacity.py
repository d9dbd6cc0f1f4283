"""The capacity page's data over 90 days against the floor of pulling the encounters it needs,
and the script time of a cached rerun of the page (AppTest).

- floor: the page's own Encounter search (same parameters, ``_elements`` included) as raw bytes:
  keep-alive, gzip, ``_pretty=false``, 1000 per page, the pages after the first in parallel;
- page data: what the capacity page reads and computes before drawing: locations,
  organizations and the 90-day encounters through the data layer (each cold, sent with
  ``Cache-Control: no-cache``), then the page's views (``services.views.capacity``): bed status
  now, occupancy by hospital, ward and category, midnight census and daily flows;
- cached rerun: the page run again in the same AppTest session, its reads served from the cache.

Runs alternate between floor and page data; medians over ``--runs``. Prints a markdown table and
writes it to bench/results/capacity.md.

    .venv/bin/python bench/bench_capacity.py [--base http://localhost:8080/fhir] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.floor import bench_source, raw_pull  # noqa: E402
from services import queries  # noqa: E402
from services.config import Settings, SourceConfig  # noqa: E402
from services.domain.census import midnight, window_encounters  # noqa: E402
from services.frames import with_hierarchy  # noqa: E402
from services.platform import Platform  # noqa: E402
from services.source_auth import auth_for  # noqa: E402
from services.views.capacity import capacity_now, capacity_wards  # noqa: E402

DAYS = 90
PARALLEL = 4


def window_start(now: pd.Timestamp) -> pd.Timestamp:
    return midnight(now.date() - timedelta(days=DAYS - 1))


def floor(source: SourceConfig, now: pd.Timestamp) -> tuple[float, int, int]:
    """Seconds, resources and bytes of the raw encounter pages."""
    search = window_encounters(window_start(now))
    params = {k: ",".join(map(str, v)) for k, v in search.params.items()}
    params.update({"_count": "1000", "_pretty": "false", "_total": "accurate"})
    headers = {"Accept-Encoding": "gzip", "Cache-Control": "no-cache"}
    started = time.perf_counter()
    limits = httpx.Limits(max_connections=PARALLEL + 2)
    with httpx.Client(
        base_url=source.url + "/",
        headers=headers,
        limits=limits,
        timeout=300,
        auth=auth_for(source),
    ) as client:
        total, size, _ = raw_pull(client, "Encounter", params, PARALLEL)
    return time.perf_counter() - started, total, size


def page_data(platform: Platform, now: pd.Timestamp) -> tuple[float, int]:
    """Seconds to the capacity page's finished figures, and the encounters read."""
    started = time.perf_counter()
    location_read = platform.read(queries.locations(), no_cache=True)
    org_read = platform.read(queries.organizations(), no_cache=True)
    stay_read = platform.read(window_encounters(window_start(now)), no_cache=True)
    locations = with_hierarchy(location_read["location"])
    encounters, enc_locations = stay_read["encounter"], stay_read["encounter_location"]
    # The page's own views, over every hospital as the network manager opens it.
    beds = capacity_now(locations, org_read["organization"], encounters, enc_locations, now)
    capacity_wards(beds, encounters, enc_locations, window_start(now), now, beds.facilities)
    return time.perf_counter() - started, len(encounters)


def cached_reruns(base: str, runs: int) -> tuple[float, list[float]]:
    """Script seconds of the first (cold) run and of cached reruns of the page as a manager."""
    os.environ["MEDICUS_FHIR_URL"] = base
    from services.roles import Role, User
    from tests.support.apptest import open_page

    manager = User("bench", "Bench", Role.MANAGER)
    started = time.perf_counter()
    at = open_page("pages/capacity.py", manager, timeout=600)
    cold = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"capacity page failed: {at.exception}")
    reruns = []
    for _ in range(runs):
        started = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - started)
    return cold, reruns


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--base", default=os.environ.get("BENCH_BASE_URL", "http://localhost:8080/fhir")
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = args.base.rstrip("/")
    now = pd.Timestamp.now(tz="Europe/Berlin").floor("min")
    source = bench_source(base, timeout=300)
    settings = Settings(
        sources=(source,),
        parallel_pages=PARALLEL,
        total_timeout=3600,
    )
    platform = Platform(settings)
    floors, pages = [], []
    encounters = size = 0
    try:
        floor(source, now)  # one warm-up each, so neither side pays for the first connection
        page_data(platform, now)
        for _ in range(args.runs):
            seconds, encounters, size = floor(source, now)
            floors.append(seconds)
            seconds, _ = page_data(platform, now)
            pages.append(seconds)
    finally:
        platform.close()
    cold, reruns = cached_reruns(base, args.runs)
    floor_s, page_s = statistics.median(floors), statistics.median(pages)
    rerun_s = statistics.median(reruns)
    lines = [
        f"Capacity page, {DAYS} days, {encounters:,} encounters ({size / 1e6:.1f} MB raw), "
        f"base {base}, medians of {args.runs} runs:",
        "",
        "| measure | seconds | × floor |",
        "| --- | ---: | ---: |",
        f"| floor: raw encounter pages | {floor_s:.2f} | 1.00 |",
        f"| page data: locations + organizations + encounters + figures | {page_s:.2f} "
        f"| {page_s / floor_s:.2f} |",
        f"| page script, first run (AppTest, cold cache) | {cold:.2f} | |",
        f"| page script, cached rerun (AppTest) | {rerun_s:.3f} | |",
    ]
    table = "\n".join(lines)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "capacity.md").write_text(table + "\n")
    sys.stdout.write(table + "\n")


if __name__ == "__main__":
    main()
