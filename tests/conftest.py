"""Session fixtures shared by the integration and browser tests, against the real HAPI FHIR server.

Every server the fixtures start checks tokens (``tests/support/keycloak.py``): the data is loaded
as the platform's admin client, the app under test reads and writes as the dashboard client.

- ``keycloak``: the suite's one Keycloak (``KC_TEST_PORT``, default 8181), reused when one
  answers, else started in the background when the first server fixture asks for it and stopped
  at the end of the run.
- ``fhir_base_url``: base URL of the test server. Uses ``FHIR_TEST_BASE_URL`` when set (an external
  server); otherwise starts (or reuses) ``scripts/fhir-server.sh`` on ``FHIR_TEST_PORT`` (default
  8091) with the database ``var/test-db/h2``, and stops it at the end only if this session
  started it.
- ``test_network``: the ``test`` preset (seed 7) generated into ``var/test-data`` when that has no
  manifest yet, loaded into the server (skipped when the server already holds exactly these
  counts); an object with ``dir``, ``manifest``, ``ground_truth``, ``as_of`` and ``load_report``.
  The server must refuse a request without a token; a server left running open fails the run.
- ``mii_base_url``, ``mii_network``: the same preset written the MII way (``var/mii-data``) on a
  server of its own (``FHIR_MII_TEST_PORT``, default 8093, database ``var/mii-db``), reused or
  started and stopped like the test server; ``mii_app`` the app on it with the demo sign-ins.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo_data.users import write_demo_users
from services import queries
from services.config import Settings
from services.platform import Platform
from services.roles import User
from services.users import read_users, user_from
from tests.support.apptest import app_environment
from tests.support.keycloak import Keycloak, client_env, identity_provider, source
from tests.support.networks import (
    REPO,
    LoadedNetwork,
    ensure_loaded,
    is_up,
    serving,
)

TEST_DB = REPO / "var" / "test-db"
TEST_DATA = REPO / "var" / "test-data"
MII_DB = REPO / "var" / "mii-db"
MII_DATA = REPO / "var" / "mii-data"


IDENTITY_PROVIDER = pytest.StashKey[Keycloak]()


@pytest.fixture(scope="session")
def keycloak(request: pytest.FixtureRequest) -> Iterator[Keycloak]:
    """The suite's Keycloak, possibly still starting (``Keycloak.ready`` waits for it)."""
    with identity_provider() as instance:
        request.config.stash[IDENTITY_PROVIDER] = instance
        yield instance


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    """What the Keycloak of the run cost: its start, and the part of it the tests waited for."""
    instance = config.stash.get(IDENTITY_PROVIDER, None)
    if instance is not None and instance.start_seconds:
        terminalreporter.write_line(
            f"Keycloak started in {instance.start_seconds:.0f} s beside the first FHIR server; "
            f"the tests waited {instance.waited_seconds:.0f} s for it"
        )


@pytest.fixture(scope="session")
def fhir_base_url(keycloak: Keycloak) -> Iterator[str]:
    """Base URL of the FHIR test server (started here when needed)."""
    external = os.environ.get("FHIR_TEST_BASE_URL")
    if external:
        # An external server is taken as it is: one that trusts the suite's Keycloak, or an open
        # one (the tokens the tests send are then ignored).
        base_url = external.rstrip("/")
        if not is_up(base_url):
            pytest.fail(f"FHIR_TEST_BASE_URL={base_url} does not answer /metadata as FHIR R4")
        keycloak.ready()
        yield base_url
        return
    port = os.environ.get("FHIR_TEST_PORT", "8091")
    with serving(port, TEST_DB, TEST_DATA, keycloak) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def test_network(fhir_base_url: str) -> LoadedNetwork:
    """The test network, generated if needed and loaded into the test server."""
    return ensure_loaded(TEST_DATA, fhir_base_url)


@pytest.fixture(scope="session")
def mii_base_url(keycloak: Keycloak) -> Iterator[str]:
    """Base URL of the MII-shaped test server (started here when needed)."""
    port = os.environ.get("FHIR_MII_TEST_PORT", "8093")
    with serving(port, MII_DB, MII_DATA, keycloak, shape="mii") as base_url:
        yield base_url


@pytest.fixture(scope="session")
def mii_network(mii_base_url: str) -> LoadedNetwork:
    """The ``test`` preset written the MII way, generated if needed and loaded."""
    return ensure_loaded(MII_DATA, mii_base_url, shape="mii")


@pytest.fixture(scope="module")
def mii_app(mii_base_url: str, mii_network: LoadedNetwork, tmp_path_factory) -> Iterator[dict]:
    """The app (AppTest) reading the MII server as source "MII", with the demo sign-ins bound to
    its practitioners (by user name)."""
    workdir = tmp_path_factory.mktemp("mii-app")
    path = workdir / "credentials.yaml"
    write_demo_users(Settings(sources=(source("MII", mii_base_url),)), path)
    entries = read_users(path)["credentials"]["usernames"]
    env = {"MEDICUS_FHIR_URL": mii_base_url, "MEDICUS_FHIR_NAME": "MII", **client_env()}
    with app_environment(env, path, workdir):
        yield {name: user_from(name, entry) for name, entry in entries.items()}


@pytest.fixture(scope="session")
def platform(fhir_base_url: str, test_network: LoadedNetwork) -> Iterator[Platform]:
    """The data layer on the test server, as one source named "Test"."""
    instance = Platform(Settings(sources=(source("Test", fhir_base_url),)))
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def platform_admin(fhir_base_url: str, test_network: LoadedNetwork) -> Iterator[Platform]:
    """The test server as the platform's admin client, for a test's own changes that the
    dashboard may not make (another hospital's Flags and Encounters, deletes), and undoing them."""
    instance = Platform(Settings(sources=(source("Test", fhir_base_url, client="admin"),)))
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def demo_users_file(fhir_base_url: str, test_network: LoadedNetwork, tmp_path_factory) -> Path:
    """The demo sign-ins bound to the test network's practitioners."""
    path = tmp_path_factory.mktemp("users") / "credentials.yaml"
    settings = Settings(sources=(source("MEDI:CUS Plattform", fhir_base_url),))
    write_demo_users(settings, path)
    return path


@pytest.fixture(scope="session")
def users(demo_users_file: Path) -> dict[str, User]:
    """The demo users (arzt.demo, pflege.demo, …) with their roles and scopes."""
    entries = read_users(demo_users_file)["credentials"]["usernames"]
    return {name: user_from(name, entry) for name, entry in entries.items()}


@pytest.fixture(scope="module")
def app_env(fhir_base_url: str, demo_users_file: Path, tmp_path_factory) -> Iterator[Path]:
    """The app (AppTest) reads the test server, signs in the demo users, audits to a temp log."""
    env = {"MEDICUS_FHIR_URL": fhir_base_url, **client_env()}
    with app_environment(env, demo_users_file, tmp_path_factory.mktemp("app")) as workdir:
        yield workdir


@pytest.fixture
def restore_tasks(platform: Platform):
    """Remembers tasks before a test changes them and puts them back afterwards, so the other
    tests still find the network as its ground truth describes it."""
    http = platform.http()
    saved: dict[str, dict] = {}

    def keep(task_id: str) -> dict:
        current = http.get_json(f"Task/{task_id}")
        # The first version kept is the one put back: a test may keep a task it has changed
        # already (a precondition it arranged), and the current version is the one it acts on.
        saved.setdefault(task_id, current)
        return current

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


@pytest.fixture(scope="session")
def browser():
    """One Chromium for every browser test of the run, whichever tier: Playwright's sync API
    allows one running instance per thread, so a second one would fail to start."""
    from tests.browser.conftest import chromium

    with chromium() as instance:
        yield instance


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test's report carries what its pages showed when it failed."""
    from tests.browser.conftest import OPEN_PAGES, describe

    report = yield
    if report.when == "call" and report.failed:
        for number, page in enumerate(OPEN_PAGES):
            name = f"failed-{item.name}-{number}".replace("/", "_")
            report.sections.append((f"browser page {number}", describe(page, name)))
    if report.when == "teardown":
        OPEN_PAGES.clear()
    return report
