"""The manager pages' data at network scale: 10k, 100k and 1M Encounters, by search (our data
layer, where a server holds the network), DuckDB on the Parquet store and Spark local, side by
side in one run.

The networks come from the generator (``--kinds Encounter``: Encounters with their location
periods, and the Patients, Locations and Organizations they reference), written as gzipped
NDJSON in the layout ``$export`` produces (one file per type) and flattened into the store by
the sync's own code (``services.sync.flatten_staged`` and ``services.store.merge``), so the
store holds exactly what a sync of such a source would write. 1M is the 100k network as ten
sources (ids prefixed per copy): the platform's window is many hospitals, each its own source,
and loading 1M Encounters into HAPI on 2 cores takes many hours.

Each measurement runs in a process of its own, so "cold" is a new process (and for Spark a new
JVM) and peak RSS is that of the measurement (Python and, for Spark, its JVM; sampled):

- page data = what the capacity page, or the trends page, computes over every hospital as the
  network manager opens it, each measured in processes of its own. Search path: the 90-day
  window read plus ``capacity_now`` and ``capacity_wards``, or ``trends_view``, over the stays
  in pandas. Store path: the figures computed where the data is (``services.analytics.figures``:
  SQL run by DuckDB or Spark; for the trends page with the length of stay on every ward) plus
  the same views shaping them (``capacity_from`` and ``capacity_wards_from``, or
  ``trends_from``). Both paths read the Locations and Organizations once per process (the first
  page's data), as the pages keep them for every session (their kept reads), and place each
  Location under its ward and room on every page, as they do;
- "read" is the window's read (search) or the engine's part, the SQL figures (store);
- cold = the first page data of the process, warm = the median of the next ``--runs``.

The sync side: flattening the NDJSON and writing Parquet per size, the store's size on disk, and
an increment of one day's changes (every stay admitted, moved or discharged in the last 24 hours)
merged into the 100k store. HAPI's own ``$export`` is timed by ``bench/bench_store.py``.

    .venv/bin/python bench/bench_analytics.py [--sizes 10k,100k,1M] [--engines duckdb,spark]
        [--runs 3] [--search-base http://localhost:8097/fhir] [--keep var/bench-analytics/stores]

``--keep`` builds each size's store once into that directory and measures the kept store on
later runs (the 1M store's flatten takes about 7 to 20 minutes, with the machine's load); its
network's day is then the day it was generated. The generated NDJSON is kept there too, and the
day's increment is merged into a copy of the kept 100k store. A kept store written before the
computed tables (ward periods, places of the open stays) were stored gets them first (untimed
for the page data, reported as a sync row).

``--search-base`` adds the search path for the size whose network that server holds (``make
bench-analytics`` loads the 10k network into a server of its own). Prints a markdown table and
writes it to bench/results/analytics.md (``--out`` names another file there).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import orjson
import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services import analytics, queries, store  # noqa: E402
from services.config import Settings, SourceConfig  # noqa: E402
from services.domain.census import window_encounters  # noqa: E402
from services.frames import with_hierarchy  # noqa: E402
from services.platform import Platform  # noqa: E402
from services.store import merge, read_state, write_state  # noqa: E402
from services.sync import flatten_staged  # noqa: E402
from services.views.capacity import (  # noqa: E402
    capacity_from,
    capacity_now,
    capacity_wards,
    capacity_wards_from,
)
from services.views.common import names_by_id  # noqa: E402
from services.views.trends import trend_choices, trends_from, trends_view  # noqa: E402

DAYS = 90
# Each measured on its own, as a manager opens one: the capacity page asks the store for the
# window's figures, the trends page for them and the length of stay on its wards.
PAGES = ("capacity", "trends")
SEED = 11
# Generator scale per base network: about 4,000 Encounters per unit of scale.
BASES = {"10k": 2.5, "100k": 25}
SIZES = {"10k": ("10k", 1), "100k": ("100k", 1), "1M": ("100k", 10)}
TYPES = ("Organization", "Location", "Encounter")


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="Europe/Berlin").floor("min")


# -- the networks and their stores -------------------------------------------------------------


def write_ndjson(scale: float, out: Path) -> dict[str, int]:
    """The generated network as one gzipped NDJSON file per type; counts per type."""
    from demo_data.generator import generate

    as_of = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    network = generate(SEED, scale, as_of, ["Encounter"], "flat")
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for kind in TYPES:
        resources = network.resources.get(kind, [])
        with gzip.open(out / f"{kind}.ndjson.gz", "wb", compresslevel=1) as file:
            for resource in resources:
                file.write(orjson.dumps(resource) + b"\n")
        counts[kind] = len(resources)
    return counts


def _counted(base: Path) -> dict[str, int]:
    """Resources per type of a network written earlier."""
    counts = {}
    for kind in TYPES:
        with gzip.open(base / f"{kind}.ndjson.gz", "rb") as lines:
            counts[kind] = sum(1 for line in lines if line.strip())
    return counts


def _copy(base: Path, staging: Path, prefix: str) -> None:
    """The base network's files with every id and reference prefixed: another source's ids."""
    staging.mkdir(parents=True, exist_ok=True)
    for path in base.glob("*.ndjson.gz"):
        text = gzip.decompress(path.read_bytes())
        if prefix:
            text = text.replace(b'"id":"', b'"id":"' + prefix.encode())
            for kind in (b"Patient", b"Location", b"Organization", b"Encounter", b"Practitioner"):
                text = text.replace(
                    b'"reference":"' + kind + b"/", b'"reference":"' + kind + b"/" + prefix.encode()
                )
        (staging / path.name).write_bytes(gzip.compress(text, compresslevel=1))


def _mark_synced(store_dir: Path, sources: list[str]) -> None:
    state = read_state(store_dir)
    for source in sources:
        state["sources"][source] = {"synced_at": datetime.now(UTC).isoformat(), "job": None}
    write_state(store_dir, state)


def build_store(base: Path, store_dir: Path, copies: int) -> tuple[list[str], float]:
    """Flatten the base network ``copies`` times (one source each) into ``store_dir``."""
    sources = [f"region-{k:02d}" for k in range(copies)]
    began = time.perf_counter()
    for number, source in enumerate(sources):
        with tempfile.TemporaryDirectory() as tmp:
            staging = Path(tmp)
            _copy(base, staging, f"c{number}-" if copies > 1 else "")
            tables, _, _ = flatten_staged(staging, source, TYPES)
        merge(store_dir, source, tables, full=True)
        del tables
    _mark_synced(store_dir, sources)
    return sources, time.perf_counter() - began


def day_increment(base: Path, store_dir: Path, source: str, now: pd.Timestamp) -> tuple[int, float]:
    """Merge every stay admitted, moved or discharged in the last 24 hours as an increment."""
    since = (now - pd.Timedelta(days=1)).tz_convert("UTC").isoformat()

    def touched(encounter: dict[str, Any]) -> bool:
        times = [encounter.get("period", {}).get(k) for k in ("start", "end")]
        times += [
            p.get("period", {}).get(k)
            for p in encounter.get("location", [])
            for k in ("start", "end")
        ]
        return any(t and pd.Timestamp(t).tz_convert("UTC").isoformat() >= since for t in times)

    with gzip.open(base / "Encounter.ndjson.gz", "rb") as lines:
        changed = [line for line in lines if line.strip() and touched(orjson.loads(line))]
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        with gzip.open(staging / "Encounter.ndjson.gz", "wb", compresslevel=1) as out:
            out.writelines(changed)
        began = time.perf_counter()
        tables, _, _ = flatten_staged(staging, source, ("Encounter",))
        merge(store_dir, source, tables, full=False)
        return len(changed), time.perf_counter() - began


def derived_tables(store_dir: Path, sources: list[str]) -> float | None:
    """Seconds to compute the tables the store keeps computed (ward periods, places of the open
    stays) for a kept store written without them (the sync does the same for such a store),
    None when it has them."""
    missing = [s for s in sources if not analytics.derived_built(store_dir, s)]
    if not missing:
        return None
    began = time.perf_counter()
    for source in missing:
        analytics.refresh_derived(store_dir, source)
    return time.perf_counter() - began


def machine_reference(runs: int = 5) -> float:
    """Seconds of a fixed workload of the page data's kind (a DuckDB and a pandas grouping of
    two million generated rows by 4,000 text keys), median of ``runs``. The shared machine runs
    the same code up to twice as slow in some hours as in others; measured beside the pages,
    this says which kind of hour a run was made in, so runs of different hours can be
    compared."""
    rng = np.random.default_rng(SEED)
    keys = pd.Series([f"ward-{k:04d}" for k in range(4000)], dtype="str")
    rows = pd.DataFrame(
        {
            "key": keys.take(rng.integers(0, 4000, 2_000_000)).reset_index(drop=True),
            "value": rng.random(2_000_000),
        }
    )
    timings = []
    with duckdb.connect() as con:
        con.register("rows", rows)
        for _ in range(runs):
            began = time.perf_counter()
            con.sql("SELECT key, sum(value), count(*) FROM rows GROUP BY key").fetchall()
            rows.groupby("key")["value"].agg(["sum", "count"])
            timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def _size(store_dir: Path) -> int:
    return sum(p.stat().st_size for p in store_dir.rglob("*.parquet"))


# -- one measurement, in a process of its own --------------------------------------------------


class _PeakRss:
    """The peak RSS of this process and its children (Spark's JVM), sampled every 100 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _kept(kept: dict[str, pd.DataFrame], read: Callable[[str], pd.DataFrame]) -> tuple:
    """The Locations, placed under their wards and rooms, and the Organizations: read and
    placed on the process's first page, as the pages keep them (``components.scope.places``
    places a kept Locations read once)."""
    if "location" not in kept:
        kept["location"] = with_hierarchy(read("location"))
    if "organization" not in kept:
        kept["organization"] = read("organization")
    return kept["location"], kept["organization"]


def store_page_data(
    settings: Settings, now: pd.Timestamp, kept: dict[str, pd.DataFrame], page: str
) -> tuple[int, float]:
    """One page's data over every hospital from the store, as ``pages/capacity.py`` or
    ``pages/trends.py`` computes it: stays in the window, and the seconds until the engine's
    figures were there."""
    start = now - pd.Timedelta(days=DAYS)
    began = time.perf_counter()
    locations, organizations = _kept(
        kept, lambda table: store.store_tables(settings, table.capitalize())[table]
    )
    if page == "capacity":
        stored = analytics.figures(settings, start, now, movements=False)
        read_s = time.perf_counter() - began
        beds = capacity_from(locations, organizations, stored.window.placements, now)
        capacity_wards_from(beds, stored.window, beds.facilities)
    else:
        facilities, wards = trend_choices(locations)
        stored = analytics.figures(settings, start, now, wards=wards)
        read_s = time.perf_counter() - began
        trends_from(
            locations,
            stored.window,
            stored.length,
            stored.length_hospitals,
            facilities,
            wards,
            hospital_names=names_by_id(organizations),
        )
    return sum(stored.stays.values()), read_s


def search_page_data(
    read: Callable[[], Any],
    settings: Settings,
    now: pd.Timestamp,
    kept: dict[str, pd.DataFrame],
    page: str,
) -> tuple[int, float]:
    """The same by search: stays in the window, and the seconds its read took."""
    start = now - pd.Timedelta(days=DAYS)
    began = time.perf_counter()
    window = read()
    read_s = time.perf_counter() - began

    def by_search(table: str) -> pd.DataFrame:
        wanted = queries.locations() if table == "location" else queries.organizations()
        with Platform(settings) as platform:
            return platform.read(wanted)[table]

    locations, organizations = _kept(kept, by_search)
    encounters, places = window["encounter"], window["encounter_location"]
    if page == "capacity":
        beds = capacity_now(locations, organizations, encounters, places, now)
        capacity_wards(beds, encounters, places, start, now, beds.facilities)
    else:
        facilities, wards = trend_choices(locations)
        trends_view(
            locations,
            encounters,
            places,
            start,
            now,
            facilities,
            wards,
            hospital_names=names_by_id(organizations),
        )
    return len(encounters), read_s


def measure(args: argparse.Namespace) -> None:
    """Cold and warm page data on one path; prints a JSON line."""
    rss = _PeakRss()
    kept: dict[str, pd.DataFrame] = {}
    now = pd.Timestamp(args.now)
    start = now - pd.Timedelta(days=DAYS)
    if args.path == "search":
        settings = Settings(
            sources=(SourceConfig(name="bench", url=args.search_base, timeout=600),),
            total_timeout=3600,
        )
        platform = Platform(settings)

        def read() -> Any:
            return platform.read(window_encounters(start), no_cache=True)

        def page() -> tuple[int, float]:
            return search_page_data(read, settings, now, kept, args.page)

    else:
        settings = Settings(
            sources=tuple(
                SourceConfig(name=s, url="http://127.0.0.1:9/fhir") for s in args.sources
            ),
            store_dir=Path(args.store),
            analytics="store",
            store_engine=args.path,
            spark_master="local[2]",
        )

        def page() -> tuple[int, float]:
            return store_page_data(settings, now, kept, args.page)

    timings, reads = [], []
    stays = 0
    for _ in range(args.runs + 1):
        began = time.perf_counter()
        stays, read_s = page()
        timings.append(time.perf_counter() - began)
        reads.append(read_s)
    if args.path == "spark":
        from services import spark_engine

        spark_engine.stop()
    print(
        json.dumps(
            {
                "cold": timings[0],
                "warm": statistics.median(timings[1:]),
                "read_cold": reads[0],
                "read_warm": statistics.median(reads[1:]),
                "stays": stays,
                "rss": rss.stop(),
            }
        )
    )


def _child(path: str, page: str, now: pd.Timestamp, runs: int, **extra: Any) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", path, "--page", page]
    command += ["--now", now.isoformat(), "--runs", str(runs)]
    if "store" in extra:
        command += ["--store", str(extra["store"]), "--sources", *extra["sources"]]
    if "search_base" in extra:
        command += ["--search-base", extra["search_base"]]
    # Our own script with arguments we built: no untrusted input.
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
    if done.returncode:
        raise RuntimeError(f"{path} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the run -----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> str:
    now = _now()
    reference = [machine_reference()]
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    rows: list[str] = []
    sync_rows: list[str] = []
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        counts: dict[str, dict[str, int]] = {}
        for size in sizes:
            base_name, copies = SIZES[size]
            kept = Path(args.keep) / size if args.keep else None
            # Kept beside the stores, so that a later run can merge an increment into a copy.
            base = (Path(args.keep) if args.keep else work) / f"ndjson-{base_name}"
            store_dir = kept or work / f"store-{size}"
            if kept and (kept / "bench.json").is_file():
                built = json.loads((kept / "bench.json").read_text())
                sources, encounters = built["sources"], built["encounters"]
                print(f"{size}: kept store of {built['built']}", file=sys.stderr)
                derive_s = derived_tables(store_dir, sources)
                if derive_s is not None:
                    sync_rows.append(
                        f"| {size}, computed tables made for a store written without them "
                        f"| {encounters:,} | {len(sources)} | {derive_s:.1f} "
                        f"| {_size(store_dir) / 1e6:.1f} |"
                    )
            else:
                if base_name not in counts and not (base / "Encounter.ndjson.gz").is_file():
                    began = time.perf_counter()
                    counts[base_name] = write_ndjson(BASES[base_name], base)
                    print(
                        f"{base_name}: generated {counts[base_name]} in "
                        f"{time.perf_counter() - began:.0f} s",
                        file=sys.stderr,
                    )
                if base_name not in counts:
                    counts[base_name] = _counted(base)
                encounters = counts[base_name]["Encounter"] * copies
                sources, flatten_s = build_store(base, store_dir, copies)
                line = (
                    f"| {size} | {encounters:,} | {len(sources)} | {flatten_s:.1f} "
                    f"| {_size(store_dir) / 1e6:.1f} |"
                )
                sync_rows.append(line)
                print(line, file=sys.stderr)
                if kept:
                    built = {"sources": sources, "encounters": encounters, "built": str(now)}
                    (kept / "bench.json").write_text(json.dumps(built))
            for page in PAGES:
                results = {}
                for engine in engines:
                    results[engine] = _child(
                        engine, page, now, args.runs, store=store_dir, sources=sources
                    )
                    print(size, page, engine, results[engine], file=sys.stderr)
                if args.search_base and size == args.search_size:
                    results["search"] = _child(
                        "search", page, now, args.runs, search_base=args.search_base
                    )
                    print(size, page, "search", results["search"], file=sys.stderr)
                first = results.get("search")
                for path, result in results.items():
                    speed_up = (
                        f"{first['warm'] / result['warm']:.1f}×"
                        if first and path != "search"
                        else "-"
                    )
                    rows.append(
                        f"| {size} | {encounters:,} | {result['stays']:,} | {page} | {path} "
                        f"| {result['read_cold']:.2f} | {result['read_warm']:.2f} "
                        f"| {result['cold']:.2f} | {result['warm']:.2f} | {speed_up} "
                        f"| {result['rss'] / 2**20:.0f} |"
                    )
            if size == "100k" and (base / "Encounter.ndjson.gz").is_file():
                into = store_dir
                if kept:
                    # Into a copy: the kept store stays as built for the next run.
                    into = work / "increment-100k"
                    shutil.copytree(store_dir, into)
                day = pd.Timestamp(built["built"]) if kept else now
                changed, increment_s = day_increment(base, into, sources[0], day)
                sync_rows.append(
                    f"| 100k, increment: {changed:,} stays changed in the last 24 h "
                    f"| {changed:,} | 1 | {increment_s:.1f} | {_size(into) / 1e6:.1f} |"
                )
            if not kept:
                shutil.rmtree(store_dir)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    reference.append(machine_reference())
    lines = [
        f"Page data of the capacity and of the trends page over every hospital, each in "
        f"processes of its own, {DAYS}-day window, "
        f"cold = first in a new process, warm = median of {args.runs}; peak RSS of the "
        f"measuring process and its JVM; load average at the end {load}; "
        f"{os.cpu_count()} cores; machine reference (``machine_reference``) "
        f"{reference[0]:.3f} s before and {reference[1]:.3f} s after.",
        "",
        "| size | Encounters | stays in the window | page | path | read / SQL cold s "
        "| read / SQL warm s | page data cold s | page data warm s | warm vs search "
        "| peak RSS MB |",
        "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "Filling the store from the NDJSON (the sync's flatten and Parquet write; the export "
        "itself is in the store benchmark):",
        "",
        "| size | Encounters | sources | flatten + write s | store MB |",
        "| --- | ---: | ---: | ---: | ---: |",
        *sync_rows,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10k,100k,1M")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--search-base", help="a FHIR server holding one of the networks")
    parser.add_argument("--search-size", default="10k", help="the size that server holds")
    parser.add_argument("--work", default=str(ROOT / "var"), help="where the stores are built")
    parser.add_argument("--keep", help="build each size's store once into this directory")
    parser.add_argument("--out", default="analytics.md", help="file name in bench/results")
    parser.add_argument("--measure", choices=("duckdb", "spark", "search"), help=argparse.SUPPRESS)
    parser.add_argument("--page", choices=PAGES, help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--sources", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        args.path = args.measure
        measure(args)
        return
    table = run(args)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / args.out).write_text(table + "\n")
    sys.stdout.write(table + "\n")


if __name__ == "__main__":
    main()
