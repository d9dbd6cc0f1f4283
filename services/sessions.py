"""Sign-in sessions and failed sign-in attempts, kept on the server in one SQLite file (WAL).

The browser holds a signed cookie that names a session row; the row decides. A session ends when
it has been idle longer than the idle limit, when it is older than the absolute limit, or when it
is revoked (sign-out, lock-out, removal of the user). A copied cookie is therefore worth nothing
once its row says so, whatever the cookie's own expiry claims.

Failed attempts are counted with one atomic statement per attempt, and an attempt is counted
*before* its password is checked: however many attempts arrive at once, at most
``max_attempts`` of them are ever checked before the account locks.

Every method opens its own connection, so one store serves every thread and process.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt

__all__ = [
    "TOUCH_SECONDS",
    "CookieClaims",
    "SessionState",
    "SessionStore",
    "decode_cookie",
    "encode_cookie",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token_id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    created REAL NOT NULL,
    last_activity REAL NOT NULL,
    revoked REAL,
    revoked_reason TEXT
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (username);
CREATE TABLE IF NOT EXISTS sign_in_attempts (
    username TEXT PRIMARY KEY,
    failed INTEGER NOT NULL DEFAULT 0,
    locked_at REAL
);
CREATE TABLE IF NOT EXISTS identities_used (
    identity TEXT PRIMARY KEY,
    used REAL NOT NULL
);
"""
_ALGORITHM = "HS256"
# Activity is recorded at most this often per session (seconds); the idle limit is minutes.
TOUCH_SECONDS = 30


class SessionState(StrEnum):
    ACTIVE = "active"
    IDLE = "idle"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CookieClaims:
    username: str
    token_id: str


class SessionStore:
    """Sessions and attempt counters in the SQLite file at ``path``."""

    def __init__(self, path: Path, idle: timedelta, absolute: timedelta) -> None:
        self.path = path
        self.idle = idle
        self.absolute = absolute
        path.parent.mkdir(parents=True, exist_ok=True)
        db = self._connect()
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
        finally:
            db.close()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA busy_timeout=30000")
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            # IMMEDIATE takes the write lock up front: a read-then-write cannot interleave.
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    # Sessions

    def open(self, username: str, now: datetime) -> str:
        """A new session of ``username``; returns its token id."""
        token_id = secrets.token_urlsafe(24)
        moment = now.timestamp()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO sessions (token_id, username, created, last_activity) "
                "VALUES (?, ?, ?, ?)",
                (token_id, username, moment, moment),
            )
        return token_id

    def check(self, token_id: str, username: str, now: datetime, *, touch: bool) -> SessionState:
        """The state of a session; an idle or too old one is revoked on the way.

        ``touch`` records activity: a user's action does, an automatic refresh does not (else a
        screen left open on an auto-refreshing list would never go idle). Every run of every
        session asks, so the answer is read without the write lock, and activity is written
        only when the recorded one is ``TOUCH_SECONDS`` old: the idle limit counts in minutes.
        """
        moment = now.timestamp()
        db = self._connect()
        try:
            row = db.execute(
                "SELECT username, created, last_activity, revoked FROM sessions WHERE token_id = ?",
                (token_id,),
            ).fetchone()
        finally:
            db.close()
        if row is None or row[0] != username:
            return SessionState.UNKNOWN
        _, created, last_activity, revoked = row
        if revoked is not None:
            return SessionState.REVOKED
        state = SessionState.ACTIVE
        if moment - created > self.absolute.total_seconds():
            state = SessionState.EXPIRED
        elif moment - last_activity > self.idle.total_seconds():
            state = SessionState.IDLE
        if state is not SessionState.ACTIVE:
            with self._transaction() as db:
                db.execute(
                    "UPDATE sessions SET revoked = ?, revoked_reason = ? "
                    "WHERE token_id = ? AND revoked IS NULL",
                    (moment, state.value, token_id),
                )
        elif touch and moment - last_activity >= TOUCH_SECONDS:
            with self._transaction() as db:
                # Never backwards: a slower run of the same session may write after a newer one.
                db.execute(
                    "UPDATE sessions SET last_activity = MAX(last_activity, ?) "
                    "WHERE token_id = ? AND revoked IS NULL",
                    (moment, token_id),
                )
        return state

    def revoke(self, token_id: str, now: datetime, reason: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE sessions SET revoked = ?, revoked_reason = ? "
                "WHERE token_id = ? AND revoked IS NULL",
                (now.timestamp(), reason, token_id),
            )

    def revoke_user(self, username: str, now: datetime, reason: str) -> int:
        """End every open session of ``username``; returns how many were open."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE sessions SET revoked = ?, revoked_reason = ? "
                "WHERE username = ? AND revoked IS NULL",
                (now.timestamp(), reason, username),
            )
            return cursor.rowcount

    def session(self, token_id: str) -> dict[str, Any] | None:
        """The row of one session (for the admin and for tests)."""
        with self._transaction() as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM sessions WHERE token_id = ?", (token_id,)).fetchone()
            return dict(row) if row else None

    def use_identity(self, identity: str, now: datetime, keep: timedelta) -> bool:
        """Record that a single sign-on identity has been used; False when it already was.

        An identity (one sign-in at the IdP) opens one session at most. Records older than
        ``keep`` are dropped on the way: an identity that old is refused as stale anyway.
        """
        moment = now.timestamp()
        with self._transaction() as db:
            db.execute(
                "DELETE FROM identities_used WHERE used < ?", (moment - keep.total_seconds(),)
            )
            cursor = db.execute(
                "INSERT OR IGNORE INTO identities_used (identity, used) VALUES (?, ?)",
                (identity, moment),
            )
            return cursor.rowcount == 1

    # Failed sign-in attempts

    def reserve_attempt(
        self, username: str, now: datetime, max_attempts: int, lock: timedelta
    ) -> bool:
        """Count one attempt; True when its password may be checked, False while locked.

        Every attempt counts, also those refused while locked; the lock runs from the attempt
        that reached ``max_attempts`` and is lifted (count back to 0) once ``lock`` has passed.
        """
        moment = now.timestamp()
        with self._transaction() as db:
            row = db.execute(
                "SELECT failed, locked_at FROM sign_in_attempts WHERE username = ?", (username,)
            ).fetchone()
            failed, locked_at = row if row else (0, None)
            if locked_at is not None and moment - locked_at >= lock.total_seconds():
                failed, locked_at = 0, None
            allowed = failed < max_attempts
            failed += 1
            if failed >= max_attempts and locked_at is None:
                locked_at = moment
            db.execute(
                "INSERT INTO sign_in_attempts (username, failed, locked_at) VALUES (?, ?, ?) "
                "ON CONFLICT (username) DO UPDATE SET failed = excluded.failed, "
                "locked_at = excluded.locked_at",
                (username, failed, locked_at),
            )
            return allowed

    def clear_attempts(self, username: str) -> None:
        """A right password: the count starts again."""
        with self._transaction() as db:
            db.execute("DELETE FROM sign_in_attempts WHERE username = ?", (username,))

    def failed_attempts(self, username: str) -> int:
        with self._transaction() as db:
            row = db.execute(
                "SELECT failed FROM sign_in_attempts WHERE username = ?", (username,)
            ).fetchone()
            return int(row[0]) if row else 0

    def locked(self, username: str, now: datetime, max_attempts: int, lock: timedelta) -> bool:
        # Asked on every run of every session: a plain read, without the write lock.
        db = self._connect()
        try:
            row = db.execute(
                "SELECT failed, locked_at FROM sign_in_attempts WHERE username = ?", (username,)
            ).fetchone()
        finally:
            db.close()
        if row is None or row[1] is None:
            return False
        return row[0] >= max_attempts and now.timestamp() - row[1] < lock.total_seconds()


def encode_cookie(claims: CookieClaims, expires: datetime, key: str) -> str:
    """The signed sign-in cookie: who, which session row, until when at the latest."""
    payload = {"username": claims.username, "jti": claims.token_id, "exp": int(expires.timestamp())}
    return jwt.encode(payload, key, algorithm=_ALGORITHM)


def decode_cookie(raw: str | None, key: str) -> CookieClaims | None:
    """The claims of a cookie this app signed; None for anything else.

    Only HS256 with our key is accepted: an ``alg: none`` token, another algorithm, a bad
    signature, an expired or malformed token all end here as None, never as an exception.
    """
    if not raw:
        return None
    try:
        payload = jwt.decode(
            raw, key, algorithms=[_ALGORITHM], options={"require": ["exp", "jti", "username"]}
        )
    except jwt.PyJWTError:
        return None
    username, token_id = payload.get("username"), payload.get("jti")
    if not isinstance(username, str) or not isinstance(token_id, str):
        return None
    return CookieClaims(username=username, token_id=token_id)
