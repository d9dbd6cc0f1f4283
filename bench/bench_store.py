"""The capacity page's 90-day window by FHIR search against the same window from the Parquet store,
and what the sync that fills the store costs.

- sync: ``services.sync`` into a fresh store (full export), then an increment with nothing changed;
- search: ``census.window_encounters`` through the data layer, cold (``Cache-Control: no-cache``),
  then the page's view ``capacity_wards``;
- store: ``services.store.window_read`` (a new DuckDB connection, Parquet filtered by period),
  then the same view.

Locations and Organizations are read once by search for both paths (the view's bed side); the
times are the window's read and the figures. Runs alternate; medians over ``--runs``. Prints a
markdown table and writes it to bench/results/store.md.

    .venv/bin/python bench/bench_store.py [--base http://localhost:8080/fhir] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.floor import bench_source  # noqa: E402
from services import queries, store  # noqa: E402
from services.config import Settings  # noqa: E402
from services.domain.census import window_encounters  # noqa: E402
from services.fhir_http import FhirHttp  # noqa: E402
from services.frames import with_hierarchy  # noqa: E402
from services.platform import FrameSet, Platform  # noqa: E402
from services.sync import sync_source  # noqa: E402
from services.views.capacity import CapacityNow, capacity_now, capacity_wards  # noqa: E402

DAYS = 90


def figures(read: FrameSet, beds: CapacityNow, start: pd.Timestamp, now: pd.Timestamp) -> None:
    """The page's per-ward view over every hospital, as the network manager opens it."""
    encounters, places = read["encounter"], read["encounter_location"]
    capacity_wards(beds, encounters, places, start, now, beds.facilities)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--base", default=os.environ.get("BENCH_BASE_URL", "http://localhost:8080/fhir")
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    base = args.base.rstrip("/")
    now = pd.Timestamp.now(tz="Europe/Berlin").floor("min")
    start = now - pd.Timedelta(days=DAYS)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            sources=(bench_source(base, timeout=300),),
            total_timeout=3600,
            store_dir=Path(tmp),
        )
        with FhirHttp(settings.sources[0], settings) as http:
            full = sync_source(http, settings)
            increment = sync_source(http, settings)
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*.parquet"))
        with Platform(settings) as platform:
            locations = with_hierarchy(platform.read(queries.locations())["location"])
            organizations = platform.read(queries.organizations())["organization"]
            searched = platform.read(window_encounters(start), no_cache=True)
            beds = capacity_now(
                locations,
                organizations,
                searched["encounter"],
                searched["encounter_location"],
                now,
            )
            timings: dict[str, list[tuple[float, float]]] = {"search": [], "store": []}
            readers = {
                "search": lambda: platform.read(window_encounters(start), no_cache=True),
                "store": lambda: store.window_read(settings, start),
            }
            for _ in range(args.runs):
                for path, read in readers.items():
                    began = time.perf_counter()
                    window = read()
                    read_s = time.perf_counter() - began
                    figures(window, beds, start, now)
                    timings[path].append((read_s, time.perf_counter() - began))
            stored = window
    read_search, search_s = (statistics.median(t) for t in zip(*timings["search"], strict=True))
    read_store, store_s = (statistics.median(t) for t in zip(*timings["store"], strict=True))
    encounters = len(stored.extracted["encounter"])
    resources = sum(full.resources.values())
    lines = [
        f"Capacity window, {DAYS} days, {encounters:,} inpatient encounters in the window, "
        f"base {base}, medians of {args.runs} runs:",
        "",
        "| measure | window read s | read + capacity_wards s | speed-up |",
        "| --- | ---: | ---: | ---: |",
        f"| search path (cold, `Cache-Control: no-cache`) | {read_search:.2f} | {search_s:.2f} "
        "| 1.0× |",
        f"| store path (DuckDB on Parquet) | {read_store:.2f} | {store_s:.2f} "
        f"| {search_s / store_s:.1f}× |",
        f"| full sync: $export of {resources:,} resources ({', '.join(settings.export_types)}) "
        f"to Parquet ({size / 1e6:.2f} MB) | | {full.seconds:.1f} | |",
        f"| increment, nothing changed ({sum(increment.resources.values())} resources "
        f"in the margin) | | {increment.seconds:.1f} | |",
    ]
    table = "\n".join(lines)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "store.md").write_text(table + "\n")
    sys.stdout.write(table + "\n")


if __name__ == "__main__":
    main()
