"""Two dashboard replicas behind nginx (scripts/replicas.sh, the set-up of `make run-replicas`), in
Debian's Chromium: a session stays on its replica, a lock-out holds on every replica, and the
loss of a replica moves its sessions to the other one, still signed in.

Which replica served a request is read from the proxy's access log (route and upstream of every
request); the replicas share the user directory, the session store and the audit log of a
working directory of their own, on the test network.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from demo_data.users import DEMO_PASSWORDS, write_demo_users
from services.config import Settings
from services.i18n import t
from services.sessions import TOUCH_SECONDS, SessionStore
from services.users import LOCK_MINUTES, MAX_LOGIN_ATTEMPTS
from tests.browser.conftest import OPEN_PAGES
from tests.support.keycloak import client_env, source
from tests.support.networks import REPO

pytestmark = pytest.mark.integration

NGINX = Path("/usr/sbin/nginx")
SCRIPT = REPO / "scripts" / "replicas.sh"
ROUTE = "medicus_route"
# The proxy's log_format "replicas" (deploy/nginx.conf.template).
_LINE = re.compile(r'"\S+ (?P<uri>\S+) [^"]*" \d+ upstream=(?P<up>.+?) route=(?P<route>\S+)$')


@dataclass
class Replicas:
    url: str
    run_dir: Path
    ports: tuple[int, int]
    session_db: Path

    def served(self, route: str) -> list[tuple[str, int]]:
        """(path, replica port) of every request of ``route`` the proxy has logged so far; a
        WebSocket is logged when it closes."""
        served = []
        for line in (self.run_dir / "access.log").read_text().splitlines():
            match = _LINE.search(line)
            if match and match["route"] == route and match["up"] != "-":
                # After a refused connection nginx lists every replica it tried; the last served.
                port = int(match["up"].split(",")[-1].strip().rsplit(":", 1)[1])
                served.append((match["uri"], port))
        return served

    def settled(self, route: str, quiet: float = 1.0, limit: float = 20) -> int:
        """How many requests of ``route`` the proxy has logged once no line has come for
        ``quiet`` seconds: a response the replica had already sent is logged when nginx
        has passed it on, which can be after the replica is gone."""
        count, since, deadline = len(self.served(route)), time.monotonic(), time.monotonic() + limit
        while time.monotonic() - since < quiet and time.monotonic() < deadline:
            time.sleep(0.1)
            now = len(self.served(route))
            if now != count:
                count, since = now, time.monotonic()
        return count

    def streams(self, route: str) -> list[int]:
        """The replica port of every closed WebSocket of ``route``."""
        return [port for uri, port in self.served(route) if uri.startswith("/_stcore/stream")]

    def route_to(self, port: int) -> str:
        """A route cookie value that the proxy sends to the replica on ``port``."""
        for number in range(64):
            route = f"route-{number}"
            httpx.get(f"{self.url}/_stcore/health", cookies={ROUTE: route}, timeout=10)
            # nginx writes the log line just after the response: wait for it.
            deadline = time.monotonic() + 10
            while not self.served(route) and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.served(route)[-1][1] == port:
                return route
        raise AssertionError(f"no route among 64 goes to port {port}")

    def kill(self, port: int) -> None:
        """The replica on ``port`` dies at once, as a crash would end it."""
        os.kill(int((self.run_dir / f"replica-{port}.pid").read_text()), signal.SIGKILL)

    def open_session(self, username: str) -> str:
        """The token id of the one open session of ``username``."""
        with sqlite3.connect(self.session_db) as db:
            (token_id,) = db.execute(
                "SELECT token_id FROM sessions WHERE username = ? AND revoked IS NULL", (username,)
            ).fetchone()
        return token_id

    def store(self) -> SessionStore:
        return SessionStore(self.session_db, timedelta(minutes=30), timedelta(hours=12))


def _script(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own script with a fixed argument
        [str(SCRIPT), command],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def replicas(fhir_base_url: str, test_network, tmp_path: Path) -> Iterator[Replicas]:
    """Two replicas and nginx on REPLICAS_TEST_PORT (default 8594) and the two ports above it,
    each test with a fresh set, stopped after it."""
    if not NGINX.exists():
        pytest.fail(f"{NGINX} is missing: run `make proxy` (Debian's nginx package)")
    users = tmp_path / "credentials.yaml"
    settings = Settings(sources=(source("MEDI:CUS Plattform", fhir_base_url),))
    write_demo_users(settings, users)
    proxy = int(os.environ.get("REPLICAS_TEST_PORT", "8594"))
    env = {
        "REPLICAS": "2",
        "PROXY_PORT": str(proxy),
        "REPLICA_PORT": str(proxy),
        "RUN_DIR": str(tmp_path / "run"),
        "HEALTH_INTERVAL": "1",
        "MEDICUS_FHIR_URL": fhir_base_url,
        **client_env(),
        "MEDICUS_USERS_FILE": str(users),
        "MEDICUS_AUDIT_LOG": str(tmp_path / "audit.log"),
        "MEDICUS_SESSION_DB": str(tmp_path / "sessions.sqlite"),
        "MEDICUS_COOKIE_KEY": "replica-test-only",
        "MEDICUS_DEMO": "1",
    }
    started = _script("start", env)
    try:
        assert started.returncode == 0, started.stderr
        yield Replicas(
            url=f"http://localhost:{proxy}",
            run_dir=tmp_path / "run",
            ports=(proxy + 1, proxy + 2),
            session_db=tmp_path / "sessions.sqlite",
        )
    finally:
        stopped = _script("stop", env)
        assert stopped.returncode == 0, stopped.stderr


def _route_of(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == ROUTE)


@pytest.fixture
def new_page(browser, replicas: Replicas) -> Iterator:
    """A function that opens a fresh page (optionally routed to the replica on ``port``); the
    pages close after the test (after a failing test's report has described them)."""
    contexts = []

    def open_page(port: int | None = None):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
        contexts.append(context)
        if port is not None:
            route = replicas.route_to(port)
            context.add_cookies([{"name": ROUTE, "value": route, "url": replicas.url}])
        page = context.new_page()
        OPEN_PAGES.append(page)
        page.set_default_timeout(60_000)
        page.goto(replicas.url)
        page.get_by_label("Benutzername").wait_for()
        return page

    yield open_page
    for context in contexts:
        context.close()


def _sign_in(page, username: str, password: str) -> None:
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name=t("login.submit")).click()


def _signed_in(page) -> None:
    page.get_by_text("Angemeldet:").wait_for()
    assert page.get_by_label("Passwort").count() == 0


def test_a_session_stays_on_its_replica_across_reruns_and_reloads(new_page, replicas):
    page = new_page()
    _sign_in(page, "arzt.demo", DEMO_PASSWORDS["arzt.demo"])
    _signed_in(page)
    route = _route_of(page)
    page.wait_for_function("document.cookie.includes('medicus_dashboard=')")
    for _ in range(3):
        page.get_by_role("link", name=t("page.patient_search")).click()
        page.get_by_role("heading", name=t("page.patient_search")).wait_for()
        page.reload()
        _signed_in(page)
    page.context.close()
    # The first WebSocket and one per reload: logged once closed, the last one just now.
    deadline = time.monotonic() + 30
    while len(replicas.streams(route)) < 4 and time.monotonic() < deadline:
        time.sleep(0.5)
    served = replicas.served(route)
    assert len(replicas.streams(route)) >= 4, served
    assert {port for _, port in served} <= set(replicas.ports)
    assert len({port for _, port in served}) == 1, served


def test_a_user_locked_out_through_one_replica_is_locked_out_through_the_other(new_page, replicas):
    first, second = replicas.ports
    username = "pflege2.demo"
    attacker, owner = new_page(first), new_page(second)
    store = replicas.store()
    for attempt in range(1, MAX_LOGIN_ATTEMPTS + 1):
        _sign_in(attacker, username, f"falsch-{attempt}")
        deadline = time.monotonic() + 60
        while store.failed_attempts(username) < attempt and time.monotonic() < deadline:
            time.sleep(0.2)
        assert store.failed_attempts(username) == attempt
    attacker.get_by_text(t("login.failed")).wait_for()

    _sign_in(owner, username, DEMO_PASSWORDS[username])
    owner.get_by_text(t("login.locked", minutes=LOCK_MINUTES)).wait_for()
    assert owner.get_by_text("Angemeldet:").count() == 0
    assert {port for _, port in replicas.served(_route_of(attacker))} == {first}
    assert {port for _, port in replicas.served(_route_of(owner))} == {second}


def test_a_lost_replica_moves_its_sessions_to_the_other_still_signed_in(new_page, replicas):
    first, second = replicas.ports
    page = new_page(first)
    route = _route_of(page)
    _sign_in(page, "arzt.demo", DEMO_PASSWORDS["arzt.demo"])
    _signed_in(page)
    page.wait_for_function("document.cookie.includes('medicus_dashboard=')")
    store = replicas.store()
    token_id = replicas.open_session("arzt.demo")
    # The page's last scripts and styles come from the first replica while it still lives.
    before = replicas.settled(route, quiet=2.0)
    killed_at = time.time()
    replicas.kill(first)
    # Activity is recorded at most every TOUCH_SECONDS: make the last record older than that,
    # so the first run on the other replica records its own. Done after the kill: any run of
    # the first replica until then could record activity again (and nothing more for the next
    # TOUCH_SECONDS); a record of the other replica's made before this one is aged as well.
    with sqlite3.connect(replicas.session_db) as db:
        db.execute(
            "UPDATE sessions SET last_activity = last_activity - ? WHERE token_id = ?",
            (2 * TOUCH_SECONDS, token_id),
        )

    # The open page reconnects on its own, through the proxy to the other replica. Streamlit
    # reruns a page on reconnecting only when it finds a reason (a run under way, a page that
    # refreshes itself); else the page shows what it showed until its user acts. The next
    # action runs on the other replica, which finds the session by the sign-in cookie in the
    # shared store and records the activity there. A click while the page is still
    # reconnecting, or still redraws, is lost; a user clicks again.
    heading = page.get_by_role("heading", name=t("page.patient_search"))
    for _ in range(6):
        page.get_by_role("link", name=t("page.patient_search")).click()
        with contextlib.suppress(PlaywrightTimeout):
            heading.wait_for(timeout=10_000)
            break
    heading.wait_for()
    # The run that drew the heading checked the session first; only the other replica can
    # have recorded activity after the kill.
    assert store.session(token_id)["last_activity"] > killed_at
    _signed_in(page)
    page.reload()
    _signed_in(page)
    after = replicas.served(route)[before:]
    # At most the lost replica's WebSocket, logged when it broke; all else on the other one.
    assert [entry for entry in after if entry[1] == first] in ([], [("/_stcore/stream", first)])
    assert [entry for entry in after if entry[1] == second], after
    assert store.session(token_id)["revoked"] is None
