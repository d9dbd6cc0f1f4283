"""Sessions as the app lives them (AppTest on the test network): a reload after sign-in keeps the
session; sign-out, idleness, lock-out and removal end it for every copy of the cookie; forged
cookies and a broken user file end in a message, never a traceback.

AppTest cannot send cookies, so a "browser" here hands the app the cookie the sign-in asked the
browser to store, through ``components.auth.browser_cookie``.
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import components.auth
from demo_data.users import DEMO_PASSWORDS
from services.i18n import t
from services.users import MAX_LOGIN_ATTEMPTS, update_users
from tests.support.apptest import APP, session_store, texts

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]

FORM = ["Benutzername", "Passwort"]


@pytest.fixture
def own_users(demo_users_file: Path, tmp_path: Path, monkeypatch) -> Path:
    """A copy of the demo users this test may lock, break or delete users in."""
    path = tmp_path / "credentials.yaml"
    shutil.copy(demo_users_file, path)
    monkeypatch.setenv("MEDICUS_USERS_FILE", str(path))
    st.cache_resource.clear()
    yield path
    st.cache_resource.clear()


@pytest.fixture
def cookie(monkeypatch):
    """Sets the cookie the next fresh AppTest (a reloaded tab) sends."""
    sent: dict[str, str | None] = {"value": None}
    monkeypatch.setattr(components.auth, "browser_cookie", lambda: sent["value"])

    def send(value: str | None) -> None:
        sent["value"] = value

    return send


def sign_in(username: str, password: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password or DEMO_PASSWORDS[username])
    at.button[0].click()
    at.run()
    return at


def stored_cookie(at: AppTest) -> str:
    """The cookie the signed-in app asked the browser to store."""
    token, _expires = at.session_state["_cookie_pending"]
    return token


def reload() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    return at


def next_action(tab: AppTest) -> AppTest:
    """The tab's next run through ``app.py`` with the tab's session state.

    AppTest (Streamlit 1.67) runs only the page file on every run after an AppTest's first one, so
    the frame's session check is exercised on a fresh AppTest that carries the tab's state.
    """
    at = AppTest.from_file(APP, default_timeout=120)
    for key in ("user", "session_id"):
        at.session_state[key] = tab.session_state[key]
    at.run()
    return at


def signed_out(at: AppTest) -> bool:
    if "user" in at.session_state and at.session_state["user"] is not None:
        return False
    return [ti.label for ti in at.text_input] == FORM


def test_a_reload_right_after_sign_in_keeps_the_session(cookie):
    at = sign_in("pflege.demo")
    assert not at.exception
    cookie(stored_cookie(at))
    again = reload()
    assert not again.exception
    assert again.session_state["user"].username == "pflege.demo"
    assert again.title[0].value == "Start"
    assert not again.text_input


def test_sign_out_revokes_every_copy_of_the_cookie(cookie):
    at = sign_in("arzt.demo")
    copied = stored_cookie(at)
    at.switch_page("pages/logout.py")
    at.run()
    assert t("logout.done") in texts(at)
    cookie(copied)
    elsewhere = reload()
    assert not elsewhere.exception
    assert signed_out(elsewhere)
    assert t("login.session_ended") in texts(elsewhere)


def test_idle_limit_is_kept_by_the_server_not_by_the_tab(cookie):
    at = sign_in("management.demo")
    token_id = at.session_state["session_id"]
    copied = stored_cookie(at)
    # 31 quiet minutes, written back into the session row.
    with sqlite3.connect(session_store().path) as db:
        db.execute(
            "UPDATE sessions SET last_activity = ? WHERE token_id = ?",
            ((datetime.now(UTC) - timedelta(minutes=31)).timestamp(), token_id),
        )
    tab = next_action(at)
    assert not tab.exception
    assert signed_out(tab)
    assert t("login.session_ended") in texts(tab)
    cookie(copied)
    assert signed_out(reload())


def test_a_locked_account_cannot_come_back_with_an_earlier_cookie(own_users, cookie):
    at = sign_in("pflege2.demo")
    copied = stored_cookie(at)
    for _ in range(MAX_LOGIN_ATTEMPTS):
        sign_in("pflege2.demo", "falsch")
    cookie(copied)
    again = reload()
    assert not again.exception
    assert signed_out(again)
    # The tab that was signed in before the lock is signed out on its next action.
    tab = next_action(at)
    assert not tab.exception and signed_out(tab)


def test_a_removed_account_cannot_come_back_and_nothing_raises(own_users, cookie):
    at = sign_in("arzt2.demo")
    copied = stored_cookie(at)
    # Removed by hand from the file, as an administrator would: no revocation call at all.
    update_users(own_users, lambda doc: doc["credentials"]["usernames"].pop("arzt2.demo"))
    cookie(copied)
    again = reload()
    assert not again.exception
    assert signed_out(again)
    tab = next_action(at)
    assert not tab.exception and signed_out(tab)


def _unsigned(payload: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def test_an_alg_none_cookie_shows_the_form_with_a_message(cookie):
    exp = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    cookie(_unsigned({"username": "admin.demo", "jti": "x", "exp": exp, "exp_date": exp}))
    at = reload()
    assert not at.exception
    assert signed_out(at)
    assert t("login.session_ended") in texts(at)


def test_an_entry_without_password_is_refused_with_a_message(own_users):
    update_users(
        own_users, lambda doc: doc["credentials"]["usernames"]["arzt.demo"].pop("password")
    )
    at = sign_in("arzt.demo")
    assert not at.exception
    assert signed_out(at)
    assert t("login.failed") in texts(at)


def test_an_unreadable_user_file_shows_a_message_with_an_incident_number(own_users):
    own_users.write_text("credentials: [kaputt\n", encoding="utf-8")
    at = reload()
    assert not at.exception
    assert t("error.misconfigured") in texts(at)
    assert t("error.incident", incident="") in texts(at)


def test_demo_accounts_are_refused_outside_the_demo(monkeypatch):
    monkeypatch.setenv("MEDICUS_DEMO", "0")
    st.cache_resource.clear()
    try:
        at = sign_in("admin.demo")
    finally:
        monkeypatch.undo()
        st.cache_resource.clear()
    assert not at.exception
    assert signed_out(at)
    assert t("login.demo_off") in texts(at)
