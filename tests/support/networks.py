"""Test servers and the generated networks in them: start or reuse a HAPI instance that checks
tokens from the suite's Keycloak, generate a network once, load it (as the admin client) only when
the server does not already hold exactly its counts."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from demo_data import PRESETS, generate
from demo_data.bundles import read_ground_truth, read_manifest, write_network
from demo_data.loader import LoadReport, load
from demo_data.timeutil import now_hour
from tests.support import keycloak
from tests.support.keycloak import Keycloak, acting_as, guarded, http_client

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "fhir-server.sh"
TEST_SEED = 7


@dataclass
class LoadedNetwork:
    """A generated network as loaded into a test server; ``load_seconds`` is 0 when reused."""

    dir: Path
    manifest: dict[str, Any]
    ground_truth: dict[str, Any]
    as_of: datetime
    load_report: LoadReport
    load_seconds: float = 0.0


def is_up(base_url: str) -> bool:
    try:
        # A server busy starting or loading beside others can take long to answer; taken for
        # down, it would be started again on a database emptied under it.
        response = httpx.get(f"{base_url}/metadata", timeout=60)
    except httpx.TransportError:
        return False
    return response.status_code == 200 and response.json().get("fhirVersion") == "4.0.1"


def server_script(command: str, port: str, db: Path) -> subprocess.CompletedProcess[str]:
    """``scripts/fhir-server.sh command`` for the instance on ``port``, H2 files in ``db``, tokens
    checked against the suite's Keycloak."""
    env = {**os.environ, **keycloak.fhir_env(), "FHIR_PORT": port, "FHIR_DB_PATH": str(db / "h2")}
    return subprocess.run(  # noqa: S603 - our own script with a fixed argument
        [str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def has_network(data_dir: Path, shape: str = "flat") -> bool:
    """Whether ``data_dir`` holds the complete ``test`` preset of the test seed in ``shape``."""
    manifest = read_manifest(data_dir)
    return (
        manifest is not None
        and manifest.get("seed") == TEST_SEED
        and manifest.get("preset") == "test"
        and (manifest.get("shape") or "flat") == shape
        and manifest.get("kinds") == list(manifest.get("counts", {}))
    )


def server_counts(base_url: str, kinds: list[str]) -> dict[str, int]:
    counts = {}
    with http_client(base_url, timeout=60) as client:
        for kind in kinds:
            response = client.get(
                kind, params={"_summary": "count"}, headers={"Cache-Control": "no-cache"}
            )
            response.raise_for_status()
            counts[kind] = response.json()["total"]
    return counts


def ensure_generated(data_dir: Path, shape: str = "flat") -> None:
    """Generate the ``test`` preset into ``data_dir`` unless it is already there."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # Parallel test sessions share the directory: one generates, the others wait.
    with (data_dir.parent / f"{data_dir.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not has_network(data_dir, shape):
            write_network(generate(TEST_SEED, PRESETS["test"], now_hour(), shape=shape), data_dir)


def ensure_loaded(data_dir: Path, base_url: str, shape: str = "flat") -> LoadedNetwork:
    """The network of ``data_dir`` (generated if needed) in the server at ``base_url``; loaded
    only when the server's counts differ from the manifest's."""
    ensure_generated(data_dir, shape)
    with (data_dir.parent / f"{data_dir.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = read_manifest(data_dir)
        assert manifest is not None
        began = time.monotonic()
        if server_counts(base_url, manifest["kinds"]) == manifest["counts"]:
            report, seconds = LoadReport(base_url=base_url), 0.0
        else:
            with acting_as("admin"):
                report = load(data_dir, base_url)
            seconds = time.monotonic() - began
    return LoadedNetwork(
        dir=data_dir,
        manifest=manifest,
        ground_truth=read_ground_truth(data_dir),
        as_of=datetime.fromisoformat(manifest["as_of"]),
        load_report=report,
        load_seconds=seconds,
    )


def fresh_db_unless(data_dir: Path, db: Path, shape: str = "flat") -> None:
    """Empty ``db`` when ``data_dir`` holds no network yet: a new network must not land on top
    of an older one's resources. Call only while no server uses ``db``."""
    if not has_network(data_dir, shape):
        shutil.rmtree(db, ignore_errors=True)
    db.mkdir(parents=True, exist_ok=True)


def count_since(base_url: str, kind: str, since: datetime) -> int:
    """How many ``kind`` resources dated from ``since`` on the server holds (``date`` search, not
    from the server's search cache)."""
    response = httpx.get(
        f"{base_url}/{kind}",
        params={"date": f"ge{since.isoformat()}", "_summary": "count"},
        headers={"Cache-Control": "no-cache"},
        timeout=60,
        auth=keycloak.auth(),
    )
    response.raise_for_status()
    return response.json()["total"]


@contextmanager
def serving(
    port: str, db: Path, data_dir: Path, idp: Keycloak, shape: str = "flat"
) -> Iterator[str]:
    """The base URL of a HAPI test server on ``port``: reused when one answers, else started
    on ``db`` (emptied first unless it holds ``data_dir``'s network) and stopped at the end.
    It starts while ``idp`` may still be starting; both are up, and the server checks tokens,
    when the URL is handed out."""
    base_url = f"http://localhost:{port}/fhir"
    started = not is_up(base_url)
    if started and not SCRIPT.exists():
        pytest.fail(f"no FHIR server at {base_url} and no {SCRIPT.relative_to(REPO)}")
    try:
        if started:
            fresh_db_unless(data_dir, db, shape=shape)
            result = server_script("start", port, db)
            if result.returncode != 0:
                pytest.fail(f"could not start the FHIR test server on {port}:\n{result.stderr}")
        idp.ready()
        guarded(base_url)
        yield base_url
    finally:
        # Also after a start that failed, timed out or was interrupted: its process may run on.
        if started:
            server_script("stop", port, db)
