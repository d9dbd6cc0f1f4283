"""The user directory: a streamlit-authenticator credentials file with each user's role and scope.

Layout of the YAML file (passwords as bcrypt hashes, never plain)::

    credentials:
      usernames:
        pflege.demo:
          name: ...
          password: $2b$12$...
          roles: [nurse]
          scope: {practitioner: ..., hospital: ..., wards: [...], departments: [...],
                  facilities: [...]}
          demo: true             # a public demo sign-in: refused unless the demo is on

The dashboard only reads this file. Failed attempts and locks live in the session store
(``services.sessions``), where they are counted atomically; writers of the file (the demo users,
``remove_user``) hold a lock on it and replace it through a temp file of their own.
"""

from __future__ import annotations

import copy
import fcntl
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import bcrypt
import yaml

from services.errors import Misconfigured
from services.roles import Role, User
from services.sessions import SessionStore

__all__ = [
    "LOCK_MINUTES",
    "MAX_LOGIN_ATTEMPTS",
    "Outcome",
    "SignIn",
    "may_stay",
    "read_users",
    "remove_user",
    "sign_in",
    "update_users",
    "user_from",
    "write_users",
]

log = logging.getLogger(__name__)

MAX_LOGIN_ATTEMPTS = 5
LOCK_MINUTES = 15
LOCK = timedelta(minutes=LOCK_MINUTES)
# Checked for unknown usernames, so that a wrong name takes as long as a wrong password.
_NOBODY = b"$2b$12$pRVReiX0ahhQpe4xBffb6OGXPSAn4p/np.TwVbdZcw3QLbYcA8f2y"


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_parsed_lock = threading.Lock()
_parsed: dict[str, tuple[tuple, Any]] = {}


def _empty() -> dict[str, Any]:
    return {"credentials": {"usernames": {}}}


def read_users(path: Path) -> dict[str, Any]:
    """The whole credentials document; empty users when the file does not exist.

    A file that is not such a document raises ``Misconfigured``; a single malformed entry does
    not (it cannot sign in, see ``sign_in``).
    """
    if not path.is_file():
        return _empty()
    try:
        stat = path.stat()
        version = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
        with _parsed_lock:
            parsed = _parsed.get(str(path))
        if parsed is None or parsed[0] != version:
            # Asked on every run of every session: parsed once per version of the file (a
            # writer replaces it, which gives a new inode), and with libyaml where it is built.
            text = path.read_text(encoding="utf-8")
            parsed = (version, yaml.load(text, Loader=_LOADER))  # noqa: S506 - safe loaders only
            with _parsed_lock:
                _parsed[str(path)] = parsed
        # Callers may change what they get (``update_users``): a copy, never the kept one.
        document = copy.deepcopy(parsed[1])
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise Misconfigured(f"user directory unreadable: {type(exc).__name__}") from exc
    if document is None:
        return _empty()
    usernames = (
        document.get("credentials", {}).get("usernames")
        if isinstance(document, dict) and isinstance(document.get("credentials"), dict)
        else None
    )
    if usernames is None:
        usernames = {}
        document = {**(document if isinstance(document, dict) else {}), "credentials": {}}
        document["credentials"]["usernames"] = usernames
    if not isinstance(usernames, dict):
        raise Misconfigured("user directory: credentials.usernames is not a mapping")
    return document


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _replace(path: Path, document: Mapping[str, Any]) -> None:
    # A temp file of its own per writer: a shared name lets one writer rename another's file away.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=True))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_users(path: Path, document: Mapping[str, Any]) -> None:
    with _locked(path):
        _replace(path, document)


def update_users(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Read, change and write the file under its lock, so no concurrent change is lost."""
    with _locked(path):
        document = read_users(path)
        change(document)
        _replace(path, document)


def user_from(username: str, entry: Mapping[str, Any]) -> User | None:
    """The ``User`` of a credentials entry; None when it has no known role."""
    roles = entry.get("roles")
    try:
        role = Role(roles[0]) if isinstance(roles, list) else None
    except (IndexError, ValueError):
        role = None
    if role is None:
        return None
    scope = entry.get("scope")
    scope = scope if isinstance(scope, Mapping) else {}
    return User(
        username=username,
        name=str(entry.get("name") or username),
        role=role,
        practitioner_id=scope.get("practitioner"),
        hospital_id=scope.get("hospital"),
        departments=tuple(scope.get("departments") or ()),
        wards=tuple(scope.get("wards") or ()),
        facilities=tuple(scope.get("facilities") or ()),
    )


def _entry(document: Mapping[str, Any], username: str) -> Mapping[str, Any] | None:
    entry = document["credentials"]["usernames"].get(username)
    return entry if isinstance(entry, Mapping) else None


def _password_matches(entry: Mapping[str, Any] | None, password: str) -> bool:
    stored = entry.get("password") if entry is not None else None
    if not isinstance(stored, str) or not stored.startswith("$2"):
        if entry is not None:
            log.warning("user directory entry without a bcrypt password hash; sign-in refused")
        bcrypt.checkpw(password.encode(), _NOBODY)
        return False
    try:
        return bcrypt.checkpw(password.encode(), stored.encode())
    except ValueError:
        log.warning("user directory entry with a malformed password hash; sign-in refused")
        return False


class Outcome(StrEnum):
    OK = "ok"
    FAILED = "failed"
    LOCKED = "locked"
    DEMO_OFF = "demo_off"
    NO_ROLE = "no_role"


@dataclass(frozen=True)
class SignIn:
    outcome: Outcome
    user: User | None = None


def sign_in(
    document: Mapping[str, Any],
    store: SessionStore,
    username: str,
    password: str,
    now: datetime,
    *,
    demo: bool,
) -> SignIn:
    """Check one sign-in; the attempt is counted before the password is checked.

    Reaching the maximum locks the account and ends its open sessions.
    """
    username = username.strip().lower()
    entry = _entry(document, username)
    if entry is None:
        _password_matches(None, password)
        return SignIn(Outcome.FAILED)
    if entry.get("demo") and not demo:
        return SignIn(Outcome.DEMO_OFF)
    if not store.reserve_attempt(username, now, MAX_LOGIN_ATTEMPTS, LOCK):
        store.revoke_user(username, now, "locked")
        return SignIn(Outcome.LOCKED)
    if not _password_matches(entry, password):
        if store.locked(username, now, MAX_LOGIN_ATTEMPTS, LOCK):
            store.revoke_user(username, now, "locked")
        return SignIn(Outcome.FAILED)
    store.clear_attempts(username)
    user = user_from(username, entry)
    if user is None:
        return SignIn(Outcome.NO_ROLE)
    return SignIn(Outcome.OK, user)


def may_stay(
    document: Mapping[str, Any], store: SessionStore, username: str, now: datetime, *, demo: bool
) -> bool:
    """Whether a signed-in ``username`` may go on: still in the directory, not locked, and not a
    demo account outside the demo."""
    entry = _entry(document, username)
    if entry is None or (entry.get("demo") and not demo):
        return False
    return not store.locked(username, now, MAX_LOGIN_ATTEMPTS, LOCK)


def remove_user(path: Path, username: str, store: SessionStore, now: datetime) -> None:
    """Take a user out of the directory and end their sessions."""
    update_users(path, lambda document: document["credentials"]["usernames"].pop(username, None))
    store.revoke_user(username, now, "removed")
