"""Sign-in that cannot be raced, sessions that live on the server, and a user file that cannot be
lost: the session store and the user directory without Streamlit."""

from __future__ import annotations

import base64
import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bcrypt
import pytest

from services.errors import Misconfigured
from services.sessions import (
    TOUCH_SECONDS,
    CookieClaims,
    SessionState,
    SessionStore,
    decode_cookie,
    encode_cookie,
)
from services.users import (
    LOCK_MINUTES,
    MAX_LOGIN_ATTEMPTS,
    Outcome,
    may_stay,
    read_users,
    remove_user,
    sign_in,
    update_users,
    write_users,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
KEY = "unit-test-cookie-key-of-enough-length"
PASSWORD = "Richtig-2026!"


def _hash(password: str) -> str:
    # Cost 4 keeps the test fast; the check is the same bcrypt call as for cost 12.
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions.sqlite", timedelta(minutes=30), timedelta(hours=12))


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "credentials.yaml"
    entry = {"name": "Anna", "password": _hash(PASSWORD), "roles": ["nurse"], "scope": {}}
    demo = {**entry, "demo": True}
    write_users(path, {"credentials": {"usernames": {"anna": entry, "pflege.demo": demo}}})
    return path


def test_eight_parallel_wrong_passwords_lock_the_account(store, users_file):
    document = read_users(users_file)

    def wrong(_: int) -> Outcome:
        return sign_in(document, store, "anna", "falsch", NOW, demo=False).outcome

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(wrong, range(8)))
    assert store.failed_attempts("anna") == 8
    # Attempts are counted before their password is checked: only the first five are checked.
    assert outcomes.count(Outcome.FAILED) == MAX_LOGIN_ATTEMPTS
    assert outcomes.count(Outcome.LOCKED) == 8 - MAX_LOGIN_ATTEMPTS
    right = sign_in(document, store, "anna", PASSWORD, NOW + timedelta(minutes=1), demo=False)
    assert right.outcome is Outcome.LOCKED and right.user is None
    later = NOW + timedelta(minutes=LOCK_MINUTES, seconds=1)
    assert sign_in(document, store, "anna", PASSWORD, later, demo=False).outcome is Outcome.OK
    assert store.failed_attempts("anna") == 0


def test_eight_parallel_writers_lose_nothing_and_never_miss_their_temp_file(users_file):
    def add(number: int) -> None:
        update_users(
            users_file,
            lambda doc: doc["credentials"]["usernames"].setdefault(
                f"user{number}", {"roles": ["nurse"]}
            ),
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(add, range(8)))  # re-raises any FileNotFoundError of a writer
    names = read_users(users_file)["credentials"]["usernames"]
    assert {f"user{n}" for n in range(8)} <= set(names)
    assert not list(users_file.parent.glob("*.tmp"))


def test_sign_out_revokes_the_copied_cookie(store):
    token_id = store.open("anna", NOW)
    expires = datetime.now(UTC) + timedelta(hours=12)
    cookie = encode_cookie(CookieClaims("anna", token_id), expires, KEY)
    copied = decode_cookie(cookie, KEY)
    assert copied == CookieClaims("anna", token_id)
    assert store.check(token_id, "anna", NOW, touch=True) is SessionState.ACTIVE
    store.revoke(token_id, NOW, "signed out")
    # The cookie itself is still validly signed; the session row is what says no.
    assert decode_cookie(cookie, KEY) == copied
    assert store.check(copied.token_id, "anna", NOW, touch=True) is SessionState.REVOKED


def test_idle_and_absolute_limits_are_enforced_by_the_store(store):
    token_id = store.open("anna", NOW)
    # Thirty minutes of quiet, written back into the row instead of waited for.
    with sqlite3.connect(store.path) as db:
        db.execute(
            "UPDATE sessions SET last_activity = ? WHERE token_id = ?",
            ((NOW - timedelta(minutes=31)).timestamp(), token_id),
        )
    assert store.check(token_id, "anna", NOW, touch=True) is SessionState.IDLE
    assert store.check(token_id, "anna", NOW, touch=True) is SessionState.REVOKED
    assert store.session(token_id)["revoked_reason"] == "idle"

    busy = store.open("anna", NOW)
    for minutes in range(25, 12 * 60, 25):
        assert store.check(busy, "anna", NOW + timedelta(minutes=minutes), touch=True) is (
            SessionState.ACTIVE
        )
    late = NOW + timedelta(hours=12, minutes=1)
    assert store.check(busy, "anna", late, touch=True) is SessionState.EXPIRED


def test_an_automatic_refresh_does_not_keep_a_session_alive(store):
    token_id = store.open("anna", NOW)
    for minutes in range(5, 30, 5):
        store.check(token_id, "anna", NOW + timedelta(minutes=minutes), touch=False)
    assert store.check(token_id, "anna", NOW + timedelta(minutes=31), touch=False) is (
        SessionState.IDLE
    )


def test_activity_is_written_at_most_every_touch_seconds(store):
    token_id = store.open("anna", NOW)
    soon = NOW + timedelta(seconds=TOUCH_SECONDS - 1)
    assert store.check(token_id, "anna", soon, touch=True) is SessionState.ACTIVE
    assert store.session(token_id)["last_activity"] == NOW.timestamp()
    later = NOW + timedelta(seconds=TOUCH_SECONDS)
    store.check(token_id, "anna", later, touch=True)
    assert store.session(token_id)["last_activity"] == later.timestamp()
    # A run that started earlier but checks later does not move the activity back.
    store.check(token_id, "anna", NOW + timedelta(seconds=1), touch=True)
    assert store.session(token_id)["last_activity"] == later.timestamp()


def test_a_changed_user_file_is_read_anew_and_a_caller_cannot_change_the_kept_one(users_file):
    first = read_users(users_file)
    first["credentials"]["usernames"].pop("anna")
    assert "anna" in read_users(users_file)["credentials"]["usernames"]
    update_users(users_file, lambda doc: doc["credentials"]["usernames"].pop("anna"))
    assert "anna" not in read_users(users_file)["credentials"]["usernames"]


def test_a_session_row_belongs_to_its_user(store):
    token_id = store.open("anna", NOW)
    assert store.check(token_id, "admin.demo", NOW, touch=True) is SessionState.UNKNOWN
    assert store.check("made-up", "anna", NOW, touch=True) is SessionState.UNKNOWN


def test_lock_and_removal_end_open_sessions(store, users_file):
    document = read_users(users_file)
    token_id = store.open("anna", NOW)
    for _ in range(MAX_LOGIN_ATTEMPTS):
        sign_in(document, store, "anna", "falsch", NOW, demo=False)
    assert store.check(token_id, "anna", NOW, touch=True) is SessionState.REVOKED
    assert not may_stay(document, store, "anna", NOW, demo=False)

    kept = store.open("pflege.demo", NOW)
    remove_user(users_file, "pflege.demo", store, NOW)
    assert "pflege.demo" not in read_users(users_file)["credentials"]["usernames"]
    assert store.check(kept, "pflege.demo", NOW, touch=True) is SessionState.REVOKED


def test_demo_accounts_only_while_the_demo_is_on(store, users_file):
    document = read_users(users_file)
    refused = sign_in(document, store, "pflege.demo", PASSWORD, NOW, demo=False)
    assert refused.outcome is Outcome.DEMO_OFF
    assert not may_stay(document, store, "pflege.demo", NOW, demo=False)
    allowed = sign_in(document, store, "pflege.demo", PASSWORD, NOW, demo=True)
    assert allowed.outcome is Outcome.OK and allowed.user.username == "pflege.demo"


def test_an_entry_without_password_cannot_sign_in_and_raises_nothing(store, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("credentials:\n  usernames:\n    bert:\n      roles: [nurse]\n", "utf-8")
    document = read_users(path)
    assert sign_in(document, store, "bert", "egal", NOW, demo=False).outcome is Outcome.FAILED
    path.write_text("credentials: [kaputt\n", "utf-8")
    with pytest.raises(Misconfigured):
        read_users(path)


def _unsigned(payload: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def test_only_cookies_signed_by_us_are_read():
    exp = int((datetime.now(UTC) + timedelta(days=1)).timestamp())
    unsigned = _unsigned({"username": "admin.demo", "jti": "x", "exp": exp})
    assert decode_cookie(unsigned, KEY) is None
    other_key = "another-key-that-is-long-enough-too"
    forged = encode_cookie(
        CookieClaims("admin.demo", "x"), datetime.now(UTC) + timedelta(days=1), other_key
    )
    assert decode_cookie(forged, KEY) is None
    # A cookie in streamlit-authenticator's own format (no session id) resumes nothing.
    import jwt

    old = jwt.encode({"username": "admin.demo", "exp_date": exp}, KEY, algorithm="HS256")
    assert decode_cookie(old, KEY) is None
    assert decode_cookie("not a token", KEY) is None
