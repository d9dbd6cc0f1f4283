"""Send a data directory's transaction bundles to a FHIR server.

Bundles go phase by phase (see ``bundles.phase_of``) so references always point at resources the
server already has; inside a phase up to ``workers`` bundles are in flight on one keep-alive
client. Every entry is a PUT with a client id, so loading again creates nothing new: HAPI skips
updates whose content did not change.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx
import orjson

from demo_data.bundles import read_manifest
from services.config import env_source
from services.source_auth import auth_for

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
# Parallel transactions on HAPI's H2 database stall on lock waits (measured: 2 workers loaded
# the test network slower than 1), so bundles go one at a time unless asked otherwise.
DEFAULT_WORKERS = 1
TIMEOUT = httpx.Timeout(600.0, connect=10.0)
START_HINT = "start it with: FHIR_PORT=<port> scripts/fhir-server.sh start"

Progress = Callable[[int, int], None]


class ServerUnavailable(RuntimeError):
    """Nothing (or no FHIR R4 server) answers at the base URL."""


class LoadError(RuntimeError):
    """The server refused a bundle; names the entry and the server's diagnostics."""

    def __init__(self, bundle: str, request_url: str, status: int, diagnostics: str) -> None:
        self.bundle = bundle
        self.request_url = request_url
        self.status = status
        self.diagnostics = diagnostics
        super().__init__(
            f"server refused {request_url} (bundle {bundle}, HTTP {status}): {diagnostics}"
        )


@dataclass
class LoadReport:
    """What a load did: entries sent, how the server answered, and how fast."""

    base_url: str
    bundles: int = 0
    resources: int = 0
    created: int = 0
    updated: int = 0
    versions_above_one: int = 0
    seconds: float = 0.0
    workers: int = DEFAULT_WORKERS
    per_type: dict[str, int] = field(default_factory=dict)

    @property
    def resources_per_second(self) -> float:
        """Throughput over the whole load."""
        return self.resources / self.seconds if self.seconds else 0.0


class StderrProgress:
    """A plain-text progress bar: redrawn in place on a terminal, a line per 10 % otherwise."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.last_decile = -1

    def __call__(self, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        rate = done / max(time.monotonic() - self.started, 1e-6)
        filled = int(fraction * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {fraction:4.0%} {done}/{total} resources, {rate:.0f}/s"
        if self.stream.isatty():
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        elif int(fraction * 10) > self.last_decile:
            self.last_decile = int(fraction * 10)
            self.stream.write(line + "\n")
        self.stream.flush()


def client_for(base_url: str) -> httpx.Client:
    # A server that checks tokens is loaded with the client credentials the environment names
    # (``make run``: the platform's admin client, the only one allowed to write every type).
    return httpx.Client(
        base_url=base_url.rstrip("/") + "/",
        auth=auth_for(env_source(base_url)),
        timeout=TIMEOUT,
        headers={"Accept": FHIR_JSON},
        limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
    )


def _get_json(client: httpx.Client, path: str, params: dict[str, str] | None = None) -> Any:
    try:
        response = client.get(path, params=params)
    except httpx.TransportError as error:
        raise ServerUnavailable(
            f"no FHIR server at {client.base_url} ({error.__class__.__name__}); {START_HINT}"
        ) from error
    if response.status_code >= 400:
        raise ServerUnavailable(
            f"{client.base_url}{path} answered HTTP {response.status_code}; is it a FHIR server?"
        )
    return response.json()


def check_server(base_url: str) -> None:
    """Raise ServerUnavailable unless an R4 (4.0.1) server answers ``/metadata``."""
    with client_for(base_url) as client:
        metadata = _get_json(client, "metadata")
    if metadata.get("fhirVersion") != "4.0.1":
        raise ServerUnavailable(
            f"{base_url} speaks FHIR {metadata.get('fhirVersion')!r}, expected R4 (4.0.1)"
        )


def server_is_empty(base_url: str) -> bool:
    """True when the server holds no Organization yet (the network was never loaded)."""
    with client_for(base_url) as client:
        bundle = _get_json(client, "Organization", {"_summary": "count"})
    return int(bundle.get("total", 0)) == 0


def _diagnostics(body: bytes) -> str:
    try:
        outcome = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace")[:500].strip() or "(empty response)"
    issues = outcome.get("issue", []) if isinstance(outcome, dict) else []
    texts = [i.get("diagnostics") or i.get("details", {}).get("text", "") for i in issues]
    return " | ".join(t for t in texts if t) or body.decode("utf-8", "replace")[:500]


def _culprit(entries: list[dict[str, Any]], diagnostics: str) -> str:
    """The ``request.url`` of the entry the diagnostics are about, as well as it can be told."""
    urls = [entry["request"]["url"] for entry in entries]
    index = re.search(r"[Ee]ntry\[(\d+)\]|[Ee]ntry #?(\d+)|index (\d+)", diagnostics)
    if index:
        position = int(next(g for g in index.groups() if g is not None))
        if 0 <= position < len(urls):
            return urls[position]
    mentioned = re.findall(r"\b([A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64})", diagnostics)
    for reference in mentioned:
        if reference in urls:
            return reference
    for reference in mentioned:
        needle = f'"reference":"{reference}"'.encode()
        for entry, url in zip(entries, urls, strict=True):
            if needle in orjson.dumps(entry["resource"]):
                return f"{url} (referencing {reference})"
    return f"one of {urls[0]} .. {urls[-1]}" if urls else "(empty bundle)"


def post_transaction(client: httpx.Client, body: bytes, name: str) -> list[dict[str, Any]]:
    """POST one transaction bundle; the response entries, or LoadError naming the culprit."""
    try:
        response = client.post("", content=body, headers={"Content-Type": FHIR_JSON})
    except httpx.TransportError as error:
        raise ServerUnavailable(
            f"lost the FHIR server at {client.base_url} while sending {name} "
            f"({error.__class__.__name__}); {START_HINT}"
        ) from error
    if response.status_code >= 400:
        diagnostics = _diagnostics(response.content)
        entries = orjson.loads(body)["entry"]
        raise LoadError(name, _culprit(entries, diagnostics), response.status_code, diagnostics)
    return response.json().get("entry", [])


def _send(client: httpx.Client, data_dir: Path, item: dict[str, Any]) -> list[dict[str, Any]]:
    return post_transaction(client, (data_dir / item["file"]).read_bytes(), item["file"])


def tally(report: LoadReport, entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        answer = entry.get("response", {})
        status = answer.get("status", "")
        if status.startswith("201"):
            report.created += 1
        elif status.startswith("200"):
            report.updated += 1
        version = re.search(r'W/"(\d+)"', answer.get("etag", ""))
        if version and int(version.group(1)) > 1:
            report.versions_above_one += 1


def load(
    data_dir: Path | str,
    base_url: str,
    workers: int = DEFAULT_WORKERS,
    progress: Progress | None = None,
) -> LoadReport:
    """Load every bundle of ``data_dir`` into the server at ``base_url``.

    Raises ServerUnavailable when the server does not answer and LoadError when it refuses a
    bundle (earlier bundles stay loaded; loading again after fixing the cause is safe).
    """
    data_dir = Path(data_dir)
    manifest = read_manifest(data_dir)
    if manifest is None:
        raise FileNotFoundError(
            f"no manifest.json in {data_dir}; run: python -m demo_data generate"
        )
    check_server(base_url)
    listing = manifest["bundles"]
    report = LoadReport(base_url=base_url, workers=workers, per_type=dict(manifest["counts"]))
    total = manifest["total"]
    phases = sorted({item["phase"] for item in listing})
    started = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        with client_for(base_url) as client:
            for phase in phases:
                items = [item for item in listing if item["phase"] == phase]
                futures = {pool.submit(_send, client, data_dir, item): item for item in items}
                pending = set(futures)
                while pending:
                    done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                    for future in done:
                        error = future.exception()
                        if error is not None:
                            raise error
                        tally(report, future.result())
                        report.bundles += 1
                        report.resources += futures[future]["entries"]
                        if progress:
                            progress(report.resources, total)
    finally:
        # On an error or Ctrl-C the queued bundles must not be sent any more.
        pool.shutdown(wait=False, cancel_futures=True)
    report.seconds = time.monotonic() - started
    log.info(
        "loaded %d resources in %d bundles in %.1f s (%.0f/s)",
        report.resources,
        report.bundles,
        report.seconds,
        report.resources_per_second,
    )
    return report
