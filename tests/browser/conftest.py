"""A real dashboard process on the test network, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from components.auth import COOKIE_NAME
from demo_data.users import DEMO_PASSWORDS, write_demo_users
from services.config import Settings
from tests.browser.walk import settle
from tests.support.keycloak import auth, client_env, source

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# Flags that keep Chromium from reaching for the network this machine does not have.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Pages of the running test: a failing test's report says what each of them showed.
OPEN_PAGES: list = []


@pytest.fixture(scope="session")
def dashboard_workdir(tmp_path_factory) -> Path:
    """Users file, audit log, session store and log of the dashboard under test."""
    return tmp_path_factory.mktemp("dashboard")


@contextmanager
def serve(
    env: dict[str, str],
    workdir: Path,
    port: int,
    options: Sequence[str] = (),
    root: Path = ROOT,
) -> Iterator[str]:
    """A dashboard process with ``env`` on ``port`` (its log in ``workdir``), until the end of
    the block; its URL. ``options`` go to ``streamlit run`` after ours; ``root``: the checkout
    whose app runs (another commit's, for screenshots to compare)."""
    log = (workdir / "streamlit.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own app
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(root / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *options,
        ],
        cwd=root,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.5)
    else:
        process.terminate()
        raise RuntimeError(f"dashboard did not start; see {workdir / 'streamlit.log'}")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def dashboard(fhir_base_url: str, test_network, dashboard_workdir: Path) -> Iterator[str]:
    """URL of a dashboard started for this session, with demo sign-ins on the test network; it
    signs in to the server as the dashboard client."""
    workdir = dashboard_workdir
    users = workdir / "credentials.yaml"
    settings = Settings(sources=(source("MEDI:CUS Plattform", fhir_base_url),))
    write_demo_users(settings, users)
    env = {
        "MEDICUS_FHIR_URL": fhir_base_url,
        **client_env(),
        "MEDICUS_USERS_FILE": str(users),
        "MEDICUS_AUDIT_LOG": str(workdir / "audit.log"),
        "MEDICUS_COOKIE_KEY": "browser-test-only",
        "MEDICUS_SESSION_DB": str(workdir / "sessions.sqlite"),
        "MEDICUS_DEMO": "1",
    }
    with serve(env, workdir, int(os.environ.get("DASHBOARD_TEST_PORT", "8599"))) as url:
        yield url


@contextmanager
def chromium() -> Iterator:
    """Debian's Chromium under Playwright, until the end of the block."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def open_signed_in(browser, url: str, username: str, password: str, color_scheme: str = "light"):
    """A page in a fresh browser context (its system theme ``color_scheme``, which the app
    follows), signed in through the form; close its context after."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="de-DE", color_scheme=color_scheme
    )
    page = context.new_page()
    OPEN_PAGES.append(page)
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Angemeldet:").wait_for()
    # The start page's next run hands the session cookie to the browser and reruns once it is
    # stored; a click before that rerun ends is overtaken by it and lands on the start page.
    deadline = time.monotonic() + 60
    while not any(c["name"] == COOKIE_NAME for c in context.cookies()):
        assert time.monotonic() < deadline, "the session cookie never reached the browser"
        page.wait_for_timeout(200)
    settle(page)
    return page


@contextmanager
def signing_in(
    browser, url: str, password_of: Callable[[str], str], color_scheme: str = "light"
) -> Iterator:
    """A function that opens a fresh page signed in as a user; the pages close after the block
    (after a failing test's report has described them)."""
    pages = []

    def sign_in(username: str):
        pages.append(open_signed_in(browser, url, username, password_of(username), color_scheme))
        return pages[-1]

    try:
        yield sign_in
    finally:
        for page in pages:
            page.context.close()


@pytest.fixture
def signed_in(browser, dashboard):
    """A function that opens a fresh page signed in as one demo user."""
    with signing_in(browser, dashboard, DEMO_PASSWORDS.__getitem__) as sign_in:
        yield sign_in


def describe(page, name: str) -> str:
    """What the page showed, for a failure report: address, visible text and a screenshot."""
    if page.is_closed():
        return "(page closed)"
    try:
        text = page.locator("body").inner_text(timeout=5_000)
        shot = screenshot(page, name)
    except Exception as error:  # a report must not hide the test's own failure
        return f"{page.url}\n(not readable: {error})"
    return f"{page.url}\nscreenshot: {shot}\n{text[:4000]}"


def screenshot(page, name: str) -> Path:
    """Keep a screenshot of what the user saw as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def grid_rows(page, index: int = 0) -> list[dict[str, str]]:
    """The rows of the page's ``index``-th table as header -> text, read from the grid's
    accessible markup (the cells themselves are drawn on a canvas). Only rows the grid has
    drawn are there: a table that scrolls inside its frame hides the rest."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(index)
    grid.locator("[role=gridcell]").first.wait_for(state="attached")
    rows = grid.evaluate(
        """(frame) => [...frame.querySelectorAll('[role=row]')].map(
            (row) => [...row.querySelectorAll('[role=columnheader],[role=gridcell]')]
                .map((cell) => cell.textContent.trim()))"""
    )
    header, body = rows[0], [r for r in rows[1:] if r]
    return [dict(zip(header, row, strict=False)) for row in body]


def put_task_as_seen(page, base_url: str, task: dict, **changes: object) -> dict:
    """PUT ``task`` with ``changes`` and wait until the task list on ``page`` shows that very
    version, the page done redrawing; returns it as stored.

    Every session of a dashboard shares one read of a ward's tasks, brought up to date once a
    minute: after a write by another client the list shows the earlier version for up to a
    minute, and an earlier version of another test may look just like this one (a colleague's
    task "in Arbeit" again). The version is made recognisable by a word of its own in the
    order's description, which the list shows.
    """
    from playwright.sync_api import expect

    mark = f"Prüfstand {uuid.uuid4().hex[:8]}"
    changed = {k: v for k, v in task.items() if k != "meta"} | changes
    changed["description"] = " · ".join(filter(None, (task.get("description"), mark)))
    stored = httpx.put(
        f"{base_url}/Task/{task['id']}",
        json=changed,
        headers={"Content-Type": "application/fhir+json"},
        timeout=30,
        auth=auth(),
    )
    stored.raise_for_status()
    expect(page.locator(f".st-key-nurse-task-{task['id']}")).to_contain_text(mark, timeout=200_000)
    # The mark shows while the list is still being redrawn: a row of the old run and one of the
    # new can stand side by side, and a click then finds two buttons of one task.
    settle(page)
    return stored.json()
