"""Timeline page data time against the raw pull of the same resources, for one large person.

The generated networks hold no person with thousands of resources, so this builds one: a person
of the test network seen at three hospitals, whose observations are repeated (new ids, earlier
times) until the person has about ``--resources`` resources. That person alone goes into a data
directory loaded with the demo_data loader into a separate bench server.

Per run, in this process, cold (``Cache-Control: no-cache``) and warm:
- floor: the raw bytes of the record's searches (same URLs), all kinds in parallel, keep-alive,
  gzip, pages in parallel by offset;
- page: ``read_record`` + ``build_timeline`` + ``trend_points`` + both figures, i.e. everything
  the timeline page computes before drawing.

    FHIR_PORT=8097 FHIR_DB_PATH=var/bench-timeline-db/h2 scripts/fhir-server.sh start
    .venv/bin/python bench/bench_timeline.py --base http://localhost:8097/fhir --runs 5
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import orjson
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.floor import bench_source, raw_pull  # noqa: E402
from components.timeline_chart import timeline_figure  # noqa: E402
from components.trend_chart import trend_figure  # noqa: E402
from demo_data.bundles import phase_of, transaction  # noqa: E402
from demo_data.generator import generate  # noqa: E402
from demo_data.loader import load  # noqa: E402
from services.codes import KVNR  # noqa: E402
from services.config import Settings, SourceConfig  # noqa: E402
from services.domain.timeline import build_timeline  # noqa: E402
from services.domain.trends import trend_points  # noqa: E402
from services.i18n import t  # noqa: E402
from services.patient_record import read_record, record_patients, record_searches  # noqa: E402
from services.platform import Platform  # noqa: E402
from services.search import _params  # noqa: E402
from services.source_auth import auth_for  # noqa: E402

AS_OF = datetime.fromisoformat("2026-11-29T10:00:00+01:00")
SOURCE = "bench"


def build_person(target: int) -> tuple[str, list[dict]]:
    """A person at three hospitals with about ``target`` resources, and what they reference."""
    network = generate(42, 0.2, AS_OF)
    truth = network.ground_truth["patient_resources"]
    kvnr = max(
        (k for k, v in truth.items() if len(v) >= 3),
        key=lambda k: sum(v.get("Observation", 0) for v in truth[k].values()),
    )
    patients = {
        p["id"]
        for p in network.resources["Patient"]
        if any(i.get("value") == kvnr and i.get("system") == KVNR for i in p["identifier"])
    }
    own = [p for p in network.resources["Patient"] if p["id"] in patients]
    clinical = [
        r
        for kind in ("Encounter", "Condition", "Procedure", "MedicationRequest", "Observation")
        for r in network.resources[kind]
        if r["subject"]["reference"].split("/")[1] in patients
    ]
    context = [
        r for kind in ("Organization", "Location", "Practitioner") for r in network.resources[kind]
    ]
    observations = [r for r in clinical if r["resourceType"] == "Observation"]
    extra, round_ = [], 0
    while len(own) + len(clinical) + len(extra) < target:
        round_ += 1
        for obs in observations:
            if len(own) + len(clinical) + len(extra) >= target:
                break
            clone = copy.deepcopy(obs)
            clone["id"] = f"{obs['id']}-b{round_:03d}"
            when = datetime.fromisoformat(clone["effectiveDateTime"]) - timedelta(hours=6 * round_)
            clone["effectiveDateTime"] = when.isoformat()
            extra.append(clone)
    return kvnr, context + own + clinical + extra


def write_data_dir(resources: list[dict], out: Path) -> None:
    """Bundles by load phase plus the manifest the loader reads."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "bundles").mkdir(exist_ok=True)
    by_phase: dict[int, list[dict]] = {}
    for res in resources:
        by_phase.setdefault(phase_of(res), []).append(res)
    listing, counts = [], {}
    for phase, items in sorted(by_phase.items()):
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            name = f"bundles/{len(listing) + 1:04d}.json"
            (out / name).write_bytes(orjson.dumps(transaction(chunk)))
            listing.append({"file": name, "phase": phase, "entries": len(chunk)})
    for res in resources:
        counts[res["resourceType"]] = counts.get(res["resourceType"], 0) + 1
    manifest = {"bundles": listing, "counts": counts, "total": len(resources)}
    (out / "manifest.json").write_bytes(orjson.dumps(manifest))


def floor(source: SourceConfig, patients: pd.DataFrame, headers: dict) -> tuple[int, int]:
    """Raw bytes of the record's searches: kinds in parallel, then pages in parallel."""
    searches = list(record_searches(patients["id"]).values())
    limits = httpx.Limits(max_connections=12)
    with httpx.Client(
        base_url=source.url + "/",
        headers=headers,
        limits=limits,
        timeout=300,
        auth=auth_for(source),
    ) as c:

        def pull(search) -> tuple[int, int]:
            _, size, requests = raw_pull(c, search.resource_type, _params(search, 1000), 4)
            return size, requests

        with ThreadPoolExecutor(len(searches)) as pool:
            results = list(pool.map(pull, searches))
    return sum(r[0] for r in results), sum(r[1] for r in results)


def page(platform: Platform, patients: pd.DataFrame, no_cache: bool) -> tuple[int, int]:
    """Everything the timeline page computes: record, timeline, trends, figures."""
    record = read_record(platform, patients, no_cache=no_cache)
    now = pd.Timestamp(AS_OF).tz_convert("Europe/Berlin")
    timeline = build_timeline(record.tables, record.patients, now)
    names = {h: h for h in timeline.hospitals}

    def tr(key: str, **values: object) -> str:
        return t(key, "de", **values)

    timeline_figure(timeline, names, tr, "de").to_json()
    points = trend_points(record.tables["observation"], record.patients)
    for (_code, _unit), rows in list(points.groupby(["code", "unit"]))[:4]:
        trend_figure(rows, names, tr, "de").to_json()
    resources = sum(len(f) for n, f in record.tables.items() if n in _PRIMARY)
    return record.requests, resources


_PRIMARY = {"encounter", "condition", "procedure", "medication_request"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://localhost:8097/fhir")
    parser.add_argument("--resources", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", default=str(ROOT / "var" / "bench-timeline"))
    args = parser.parse_args()
    kvnr, resources = build_person(args.resources)
    person = [r for r in resources if r["resourceType"] != "Organization"]
    write_data_dir(resources, Path(args.data))
    load(Path(args.data), args.base)
    patients = record_patients(
        (SOURCE, r["id"], r["managingOrganization"]["reference"].split("/")[1])
        for r in resources
        if r["resourceType"] == "Patient"
    )
    own = sum(1 for r in person if r["resourceType"] in _KINDS)
    settings = Settings(sources=(bench_source(args.base, SOURCE, timeout=300),))
    platform = Platform(settings)
    rows = []
    for mode in ("cold", "warm"):
        headers = {"Accept-Encoding": "gzip"}
        if mode == "cold":
            headers["Cache-Control"] = "no-cache"
        floors, pages, floor_requests, page_requests = [], [], 0, 0
        for _ in range(args.runs):
            started = time.perf_counter()
            _, floor_requests = floor(settings.sources[0], patients, headers)
            floors.append(time.perf_counter() - started)
            started = time.perf_counter()
            page_requests, _ = page(platform, patients, mode == "cold")
            pages.append(time.perf_counter() - started)
        f, p = statistics.median(floors), statistics.median(pages)
        rows.append((mode, f, p, floor_requests, page_requests))
    platform.close()
    lines = [
        f"Person {kvnr}: {own} record resources (+{len(patients)} Patient) at "
        f"{patients['hospital_id'].nunique()} hospitals; medians of {args.runs} runs.",
        "",
        "| mode | raw pull s | timeline page data s | page / raw | requests raw | requests page |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for mode, f, p, fr, pr in rows:
        lines.append(f"| {mode} | {f:.2f} | {p:.2f} | {p / f:.2f} | {fr} | {pr} |")
    sys.stdout.write("\n".join(lines) + "\n")


_KINDS = {"Encounter", "Condition", "Procedure", "MedicationRequest", "Observation"}


if __name__ == "__main__":
    main()
