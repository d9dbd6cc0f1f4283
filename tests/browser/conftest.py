"""A real dashboard process on the test network, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from demo_data.users import DEMO_PASSWORDS, write_demo_users
from services.config import Settings, SourceConfig

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


@pytest.fixture(scope="session")
def dashboard(fhir_base_url: str, test_network, tmp_path_factory) -> Iterator[str]:
    """URL of a dashboard started for this session, with demo sign-ins on the test network."""
    workdir = tmp_path_factory.mktemp("dashboard")
    users = workdir / "credentials.yaml"
    settings = Settings(sources=(SourceConfig(name="MEDI:CUS Plattform", url=fhir_base_url),))
    write_demo_users(settings, users)
    port = int(os.environ.get("DASHBOARD_TEST_PORT", "8599"))
    env = {
        **os.environ,
        "MEDICUS_FHIR_URL": fhir_base_url,
        "MEDICUS_USERS_FILE": str(users),
        "MEDICUS_AUDIT_LOG": str(workdir / "audit.log"),
        "MEDICUS_COOKIE_KEY": "browser-test-only",
    }
    log = (workdir / "streamlit.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own app
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
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
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def signed_in(browser, dashboard):
    """A function that opens a fresh page signed in as one demo user."""
    contexts = []

    def sign_in(username: str):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(dashboard)
        page.get_by_label("Benutzername").fill(username)
        page.get_by_label("Passwort").fill(DEMO_PASSWORDS[username])
        page.get_by_role("button", name="Anmelden").click()
        page.get_by_text("Angemeldet:").wait_for()
        return page

    yield sign_in
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    """Keep a screenshot of what the user saw as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
