"""Every role in a real browser: a reload keeps the session, idleness ends it at the next run,
a dropped connection does not sign the user out.

The nurse's task list ends an idle session on its own refresh (tests/browser/test_nurse.py); the
other roles' pages have no refresh, so the next click of the menu is the run that checks.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from demo_data.users import DEMO_PASSWORDS
from services.i18n import t
from tests.browser.conftest import open_signed_in, screenshot

pytestmark = pytest.mark.browser

# A page each role may open from its menu, besides the start page.
ROLES = {
    "arzt.demo": "page.patient_search",
    "management.demo": "page.capacity",
    "admin.demo": "page.audit",
}


@pytest.mark.parametrize("username", list(ROLES))
def test_reload_keeps_the_session_and_idleness_ends_it(signed_in, dashboard_workdir, username):
    page = signed_in(username)
    page.reload()
    page.get_by_text("Angemeldet:").wait_for()
    assert page.get_by_label("Passwort").count() == 0

    # 31 quiet minutes, written back into the session store instead of waited for.
    with sqlite3.connect(dashboard_workdir / "sessions.sqlite") as db:
        db.execute(
            "UPDATE sessions SET last_activity = ? WHERE username = ? AND revoked IS NULL",
            ((datetime.now(UTC) - timedelta(minutes=31)).timestamp(), username),
        )
    page.get_by_role("link", name=t(ROLES[username])).click()
    page.get_by_label("Passwort").wait_for(timeout=60_000)
    assert page.get_by_text("Ihre Sitzung ist beendet").count() == 1
    screenshot(page, f"{username.split('.')[0]}-idle-session-ended")
    page.reload()
    page.get_by_label("Passwort").wait_for()


class Relay:
    """A TCP relay in front of the dashboard whose connections can be cut, as a flaky network
    or an overloaded proxy cuts a WebSocket."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                browser_side, _ = self.server.accept()
            except OSError:
                return
            app_side = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.open += [browser_side, app_side]
            for source, sink in ((browser_side, app_side), (app_side, browser_side)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self.lock:
            cut, self.open = self.open, []
        for end in cut:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.server.close()
        self.cut()


def test_a_dropped_connection_keeps_the_user_signed_in(browser, dashboard, dashboard_workdir):
    relay = Relay(int(dashboard.rsplit(":", 1)[1]))
    try:
        page = open_signed_in(
            browser, f"http://127.0.0.1:{relay.port}", "arzt.demo", DEMO_PASSWORDS["arzt.demo"]
        )
        try:
            page.get_by_role("link", name=t("page.patient_search")).click()
            page.get_by_role("heading", name=t("page.patient_search")).wait_for()
            sockets: list = []
            page.on("websocket", lambda socket_: sockets.append(socket_))
            relay.cut()
            # The page opens a new WebSocket by itself; the user goes on as before.
            deadline = time.monotonic() + 60
            while not sockets:
                assert time.monotonic() < deadline, "the page never reconnected"
                page.wait_for_timeout(200)
            page.get_by_role("link", name=t("page.home")).click()
            page.get_by_text("Angemeldet:").wait_for()
            page.get_by_role("link", name=t("page.patient_search")).click()
            page.get_by_role("heading", name=t("page.patient_search")).wait_for()
            assert page.get_by_label("Passwort").count() == 0
            assert page.get_by_text("Angemeldet:").count() == 1
        finally:
            page.context.close()
    finally:
        relay.close()
    with sqlite3.connect(dashboard_workdir / "sessions.sqlite") as db:
        rows = db.execute(
            "SELECT revoked FROM sessions WHERE username = 'arzt.demo' ORDER BY created DESC"
        ).fetchall()
    assert rows[0] == (None,), "the session of the sign-in is still open: no new sign-in"
