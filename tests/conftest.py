"""Session fixtures shared by the integration and browser tests, against the real HAPI FHIR server.

- ``fhir_base_url``: base URL of the test server. Uses ``FHIR_TEST_BASE_URL`` when set (an external
  server); otherwise starts (or reuses) ``scripts/fhir-server.sh`` on ``FHIR_TEST_PORT`` (default
  8091) with the database ``var/test-db/h2``, and stops it at the end only if this session
  started it.
- ``test_network``: the ``test`` preset (seed 7) generated into ``var/test-data`` when that has no
  manifest yet, loaded into the server (skipped when the server already holds exactly these
  counts); an object with ``dir``, ``manifest``, ``ground_truth``, ``as_of`` and ``load_report``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
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
from demo_data.users import write_demo_users
from services import queries
from services.config import Settings, SourceConfig
from services.platform import Platform
from services.roles import User
from services.users import read_users, user_from

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "fhir-server.sh"
TEST_DB = REPO / "var" / "test-db"
TEST_DATA = REPO / "var" / "test-data"
TEST_SEED = 7


@dataclass
class LoadedNetwork:
    """The test network as loaded into the test server."""

    dir: Path
    manifest: dict[str, Any]
    ground_truth: dict[str, Any]
    as_of: datetime
    load_report: LoadReport


def _is_up(base_url: str) -> bool:
    try:
        response = httpx.get(f"{base_url}/metadata", timeout=10)
    except httpx.TransportError:
        return False
    return response.status_code == 200 and response.json().get("fhirVersion") == "4.0.1"


def _has_test_data() -> bool:
    manifest = read_manifest(TEST_DATA)
    return (
        manifest is not None
        and manifest.get("seed") == TEST_SEED
        and manifest.get("preset") == "test"
        and manifest.get("kinds") == list(manifest.get("counts", {}))
    )


def _script(command: str, port: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FHIR_PORT": port, "FHIR_DB_PATH": str(TEST_DB / "h2")}
    return subprocess.run(  # noqa: S603 - our own script with a fixed argument
        [str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=900, check=False
    )


@pytest.fixture(scope="session")
def fhir_base_url() -> Iterator[str]:
    """Base URL of the FHIR test server (started here when needed)."""
    external = os.environ.get("FHIR_TEST_BASE_URL")
    if external:
        base_url = external.rstrip("/")
        if not _is_up(base_url):
            pytest.fail(f"FHIR_TEST_BASE_URL={base_url} does not answer /metadata as FHIR R4")
        yield base_url
        return
    port = os.environ.get("FHIR_TEST_PORT", "8091")
    base_url = f"http://localhost:{port}/fhir"
    started = False
    if not _is_up(base_url):
        if not SCRIPT.exists():
            pytest.fail(f"no FHIR server at {base_url} and no {SCRIPT.relative_to(REPO)}")
        if not _has_test_data():
            # New test data must not land on top of an older network's resources.
            shutil.rmtree(TEST_DB, ignore_errors=True)
        TEST_DB.mkdir(parents=True, exist_ok=True)
        result = _script("start", port)
        if result.returncode != 0:
            pytest.fail(f"could not start the FHIR test server on port {port}:\n{result.stderr}")
        started = True
    try:
        yield base_url
    finally:
        if started:
            _script("stop", port)


def _server_counts(base_url: str, kinds: list[str]) -> dict[str, int]:
    counts = {}
    with httpx.Client(base_url=base_url + "/", timeout=60) as client:
        for kind in kinds:
            response = client.get(
                kind, params={"_summary": "count"}, headers={"Cache-Control": "no-cache"}
            )
            response.raise_for_status()
            counts[kind] = response.json()["total"]
    return counts


@pytest.fixture(scope="session")
def test_network(fhir_base_url: str) -> LoadedNetwork:
    """The test network, generated if needed and loaded into the test server."""
    TEST_DATA.parent.mkdir(parents=True, exist_ok=True)
    # Parallel test sessions share var/test-data: one generates and loads, the others wait.
    with (TEST_DATA.parent / "test-data.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _has_test_data():
            network = generate(TEST_SEED, PRESETS["test"], now_hour())
            write_network(network, TEST_DATA)
        manifest = read_manifest(TEST_DATA)
        assert manifest is not None
        if _server_counts(fhir_base_url, manifest["kinds"]) == manifest["counts"]:
            report = LoadReport(base_url=fhir_base_url)
        else:
            report = load(TEST_DATA, fhir_base_url)
    return LoadedNetwork(
        dir=TEST_DATA,
        manifest=manifest,
        ground_truth=read_ground_truth(TEST_DATA),
        as_of=datetime.fromisoformat(manifest["as_of"]),
        load_report=report,
    )


@pytest.fixture(scope="session")
def platform(fhir_base_url: str, test_network: LoadedNetwork) -> Iterator[Platform]:
    """The data layer on the test server, as one source named "Test"."""
    instance = Platform(Settings(sources=(SourceConfig(name="Test", url=fhir_base_url),)))
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def demo_users_file(fhir_base_url: str, test_network: LoadedNetwork, tmp_path_factory) -> Path:
    """The demo sign-ins bound to the test network's practitioners."""
    path = tmp_path_factory.mktemp("users") / "credentials.yaml"
    settings = Settings(sources=(SourceConfig(name="MEDI:CUS Plattform", url=fhir_base_url),))
    write_demo_users(settings, path)
    return path


@pytest.fixture(scope="session")
def users(demo_users_file: Path) -> dict[str, User]:
    """The demo users (arzt.demo, pflege.demo, …) with their roles and scopes."""
    entries = read_users(demo_users_file)["credentials"]["usernames"]
    return {name: user_from(name, entry) for name, entry in entries.items()}


@pytest.fixture(scope="module")
def app_env(fhir_base_url: str, demo_users_file: Path, tmp_path_factory) -> Iterator[Path]:
    """The app (AppTest) reads the test server, signs in the demo users, audits to a temp log.

    Streamlit's caches are process-wide, so they are emptied on the way in and out.
    """
    import streamlit as st

    workdir = tmp_path_factory.mktemp("app")
    patch = pytest.MonkeyPatch()
    patch.setenv("MEDICUS_FHIR_URL", fhir_base_url)
    patch.setenv("MEDICUS_USERS_FILE", str(demo_users_file))
    patch.setenv("MEDICUS_AUDIT_LOG", str(workdir / "audit.log"))
    patch.setenv("MEDICUS_COOKIE_KEY", "apptest-only-cookie-key-of-32-characters")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield workdir
    patch.undo()
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def restore_tasks(platform: Platform):
    """Remembers tasks before a test changes them and puts them back afterwards, so the other
    tests still find the network as its ground truth describes it."""
    http = platform.http()
    saved: dict[str, dict] = {}

    def keep(task_id: str) -> dict:
        saved[task_id] = http.get_json(f"Task/{task_id}")
        return saved[task_id]

    yield keep
    for task_id, original in saved.items():
        http.send_json("PUT", f"Task/{task_id}", {k: v for k, v in original.items() if k != "meta"})
    # HAPI answers an identical search within 60 s from its stored result list; searching again
    # without cache stores the restored state for the ward pages' searches that follow.
    wards = {ref["reference"].split("/")[1] for t in saved.values() if (ref := t.get("location"))}
    if wards:
        search = queries.open_tasks_of_wards(sorted(wards))
        platform.read(search, no_cache=True)
        platform.read(search.include("Task", "patient"), no_cache=True)
