"""Sync the columnar store from each FHIR source by Bulk Data ``$export``.

    python -m services.sync [--full] [--source NAME] [--every MINUTES]

Per source, through its ``FhirHttp`` client (so the source's authentication applies):

1. kick-off: ``GET [base]/$export?_type=...`` with ``Prefer: respond-async``; the first sync, or
   ``--full``, exports everything, later ones only what changed ``_since`` the last export's
   ``transactionTime`` less ``Settings.export_margin_minutes``;
2. poll the ``Content-Location`` until the manifest arrives, waiting as ``Retry-After`` says
   (at most ``Settings.export_poll_seconds``), reporting the server's ``X-Progress``;
3. download each NDJSON file (``Accept-Encoding: gzip``) into a staging directory;
4. deletions since then, from each type's ``_history`` (``$export`` lists only what exists);
5. flatten the NDJSON with the extractors of the search path (``services.frames``) and merge the
   tables into the Parquet store (``services.store.merge``): a full export replaces a source's
   tables, an increment replaces the rows of every resource it brings or that was deleted.

Each step is recorded in ``<store_dir>/state.json`` before the next: a sync that was stopped
resumes with the export it had started (polling the same job, skipping files already
downloaded) instead of asking the server for a new one.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from services.config import Settings, load_settings
from services.errors import DataError, InvalidData, NotFound, ServerError, SourceTimeout
from services.fhir_http import FhirHttp, retry_after_seconds
from services.frames import KINDS, Collector
from services.store import merge, read_state, source_dir, write_state

__all__ = ["SyncResult", "deleted_since", "flatten_staged", "main", "sync_all", "sync_source"]

log = logging.getLogger(__name__)

Progress = Callable[[str, str], None]
_NDJSON = "application/fhir+ndjson"
_BATCH = 2000


@dataclass
class SyncResult:
    """What one source's sync did."""

    source: str
    full: bool
    since: datetime | None
    transaction_time: datetime
    resources: Counter = field(default_factory=Counter)
    changed: dict[str, set[str]] = field(default_factory=dict)
    deleted: dict[str, set[str]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: Counter = field(default_factory=Counter)


def _quiet(source: str, message: str) -> None:
    log.info("%s: %s", source, message)


def _kick_off(http: FhirHttp, types: tuple[str, ...], since: datetime | None) -> str:
    params = {"_type": ",".join(types), "_outputFormat": _NDJSON}
    if since is not None:
        params["_since"] = since.isoformat()
    response = http.get("$export", params, headers={"Prefer": "respond-async"})
    location = response.headers.get("Content-Location")
    if response.status_code != 202 or not location:
        raise ServerError(
            f"$export answered {response.status_code} without a status URL",
            source=http.source.name,
            status=response.status_code,
        )
    return location


def _poll(http: FhirHttp, url: str, settings: Settings, progress: Progress) -> dict[str, Any]:
    """The export's manifest once the server has written every file."""
    name = http.source.name
    deadline = time.monotonic() + settings.export_timeout_minutes * 60
    while True:
        response = http.get(url)
        if response.status_code == 200:
            try:
                manifest = orjson.loads(response.content)
            except orjson.JSONDecodeError as exc:
                raise InvalidData(f"export manifest not JSON: {exc}", source=name) from exc
            if not isinstance(manifest, dict) or not isinstance(manifest.get("output"), list):
                raise InvalidData("export manifest without output", source=name)
            return manifest
        if response.status_code != 202:
            raise ServerError(f"export status {response.status_code}", source=name)
        progress(name, response.headers.get("X-Progress") or "export in progress")
        wait = retry_after_seconds(response) or settings.export_poll_seconds
        wait = min(wait, settings.export_poll_seconds)
        if time.monotonic() + wait > deadline:
            raise SourceTimeout("export did not finish in time", source=name)
        time.sleep(wait)


def deleted_since(http: FhirHttp, resource_type: str, since: datetime) -> set[str]:
    """Ids of resources of one type whose latest change since ``since`` is a deletion."""
    bundle = http.get_json(
        f"{resource_type}/_history", {"_since": since.isoformat(), "_count": 1000}
    )
    latest: dict[str, str] = {}
    seen: set[str] = set()
    while True:
        # History lists newest first: the first entry of an id is its latest change.
        for entry in bundle.get("entry") or ():
            request = entry.get("request") if isinstance(entry, dict) else None
            url = request.get("url") if isinstance(request, dict) else None
            if not isinstance(url, str) or "/" not in url:
                continue
            rid = url.split("/_history/")[0].rstrip("/").split("/")[-1]
            latest.setdefault(rid, str(request.get("method", "")).upper())
        following = next(
            (
                link.get("url")
                for link in bundle.get("link") or ()
                if isinstance(link, dict) and link.get("relation") == "next"
            ),
            None,
        )
        if not following or following in seen:
            break
        seen.add(following)
        bundle = http.get_json(following)
    return {rid for rid, method in latest.items() if method == "DELETE"}


def _staged(staging: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(staging.glob("*.ndjson.gz")):
        with gzip.open(path, "rb") as lines:
            for line in lines:
                if line.strip():
                    yield orjson.loads(line)


def flatten_staged(
    staging: Path, source: str, types: tuple[str, ...]
) -> tuple[dict[str, pd.DataFrame], Counter, Counter]:
    """The extracted tables of the staged NDJSON (every table of every type, empty or not)."""
    collectors = {t: Collector(KINDS, t, source=source) for t in types}
    counts: Counter = Counter()
    batch: dict[str, list] = {t: [] for t in types}
    for resource in _staged(staging):
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if kind not in collectors:
            continue
        counts[kind] += 1
        batch[kind].append(resource)
        if len(batch[kind]) >= _BATCH:
            collectors[kind].feed(batch[kind])
            batch[kind] = []
    warnings: Counter = Counter()
    tables: dict[str, pd.DataFrame] = {}
    for kind, collector in collectors.items():
        collector.feed(batch[kind])
        warnings += collector.warnings
        tables.update({t: collector.frames()[t] for t in KINDS[kind].tables})
    return tables, counts, warnings


def sync_source(
    http: FhirHttp,
    settings: Settings,
    *,
    full: bool = False,
    progress: Progress = _quiet,
) -> SyncResult:
    """Bring the store up to date with one source; resumes an export it had started."""
    started = time.monotonic()
    name = http.source.name
    types = tuple(t for t in settings.export_types if t in KINDS)
    store_dir = settings.store_dir
    state = read_state(store_dir)
    entry = state["sources"].setdefault(name, {})
    staging = store_dir / "_staging" / source_dir(store_dir, name).name
    job = entry.get("job")
    if job is not None and (job["types"] != list(types) or (full and not job["full"])):
        job = None
    if job is None:
        last = entry.get("since")
        since = None
        if not full and last:
            since = datetime.fromisoformat(last) - timedelta(minutes=settings.export_margin_minutes)
        shutil.rmtree(staging, ignore_errors=True)
        poll_url = _kick_off(http, types, since)
        job = {
            "poll": poll_url,
            "since": since.isoformat() if since else None,
            "full": since is None,
            "types": list(types),
            "manifest": None,
            "done": [],
        }
        entry["job"] = job
        write_state(store_dir, state)
        progress(name, "full export started" if since is None else f"changes since {since}")
    else:
        progress(name, "resuming the export started before")
    if job["manifest"] is None:
        try:
            job["manifest"] = _poll(http, job["poll"], settings, progress)
        except NotFound:
            # The server forgot the job (restarted, or expired it): start over.
            entry["job"] = None
            write_state(store_dir, state)
            return sync_source(http, settings, full=full, progress=progress)
        write_state(store_dir, state)
    manifest = job["manifest"]
    outputs = [o for o in manifest["output"] if isinstance(o, dict) and o.get("url")]
    staging.mkdir(parents=True, exist_ok=True)
    for number, output in enumerate(outputs):
        if number in job["done"]:
            continue
        response = http.get(output["url"], headers={"Accept": _NDJSON})
        with gzip.open(staging / f"{number:05d}.ndjson.gz", "wb", compresslevel=1) as out:
            out.write(response.content)
        job["done"].append(number)
        write_state(store_dir, state)
        progress(name, f"file {number + 1}/{len(outputs)} ({output.get('type')})")
    since = datetime.fromisoformat(job["since"]) if job["since"] else None
    deleted: dict[str, set[str]] = {}
    if since is not None:
        deleted = {t: deleted_since(http, t, since) for t in types}
    tables, counts, warnings = flatten_staged(staging, name, types)
    rows = merge(store_dir, name, tables, full=job["full"], deleted=deleted)
    transaction = datetime.fromisoformat(manifest["transactionTime"])
    entry.update(
        since=transaction.isoformat(),
        synced_at=datetime.now(UTC).isoformat(),
        job=None,
        resources=dict(counts),
    )
    write_state(store_dir, state)
    shutil.rmtree(staging, ignore_errors=True)
    result = SyncResult(
        source=name,
        full=job["full"],
        since=since,
        transaction_time=transaction,
        resources=counts,
        changed={t: set(tables[next(iter(KINDS[t].tables))]["id"]) for t in types},
        deleted=deleted,
        rows=rows,
        seconds=time.monotonic() - started,
        warnings=warnings,
    )
    progress(
        name,
        f"{sum(counts.values())} resources, "
        f"{sum(map(len, deleted.values()))} deleted, {result.seconds:.1f} s",
    )
    return result


def sync_all(
    settings: Settings,
    *,
    full: bool = False,
    sources: list[str] | None = None,
    progress: Progress = _quiet,
) -> dict[str, SyncResult | DataError]:
    """Sync every configured source (or those named); a failing source leaves the others."""
    results: dict[str, SyncResult | DataError] = {}
    for source in settings.sources:
        if sources and source.name not in sources:
            continue
        with FhirHttp(source, settings) as http:
            try:
                results[source.name] = sync_source(http, settings, full=full, progress=progress)
            except DataError as exc:
                progress(source.name, f"failed: {type(exc).__name__}: {exc.detail}")
                results[source.name] = exc
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.sync", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--full", action="store_true", help="export everything, replace the store")
    parser.add_argument("--source", action="append", help="only this source (repeatable)")
    parser.add_argument("--every", type=float, help="repeat every MINUTES until stopped")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    # One line per request would bury the progress lines.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = load_settings()
    while True:
        results = sync_all(settings, full=args.full, sources=args.source)
        failed = [name for name, result in results.items() if isinstance(result, DataError)]
        if args.every is None:
            return 1 if failed else 0
        args.full = False
        time.sleep(args.every * 60)


if __name__ == "__main__":
    raise SystemExit(main())
