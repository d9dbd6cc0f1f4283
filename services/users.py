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
          failed_login_attempts: 0
          locked_at: null        # set when the attempts run out; cleared after the lock time
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from services.roles import Role, User

__all__ = [
    "LOCK_MINUTES",
    "MAX_LOGIN_ATTEMPTS",
    "apply_lockout",
    "read_users",
    "user_from",
    "write_users",
]

MAX_LOGIN_ATTEMPTS = 5
LOCK_MINUTES = 15


def read_users(path: Path) -> dict[str, Any]:
    """The whole credentials document; empty users when the file does not exist."""
    if not path.is_file():
        return {"credentials": {"usernames": {}}}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {"credentials": {"usernames": {}}}


def write_users(path: Path, document: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=True), "utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)


def user_from(username: str, entry: Mapping[str, Any]) -> User | None:
    """The ``User`` of a credentials entry; None when it has no known role."""
    roles = entry.get("roles") or []
    try:
        role = Role(roles[0])
    except (IndexError, ValueError):
        return None
    scope = entry.get("scope") or {}
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


def apply_lockout(document: dict[str, Any], now: datetime) -> bool:
    """Start the lock of users whose attempts ran out; lift locks older than the lock time.

    The authenticator refuses a user once ``failed_login_attempts`` reaches the maximum; this adds
    the time limit it lacks. Returns True when the document changed.
    """
    changed = False
    for entry in document.get("credentials", {}).get("usernames", {}).values():
        failed = int(entry.get("failed_login_attempts") or 0)
        locked_at = entry.get("locked_at")
        if failed >= MAX_LOGIN_ATTEMPTS and not locked_at:
            entry["locked_at"] = now.isoformat()
            changed = True
        elif locked_at and now - datetime.fromisoformat(locked_at) >= timedelta(
            minutes=LOCK_MINUTES
        ):
            entry["failed_login_attempts"] = 0
            entry["locked_at"] = None
            changed = True
    return changed
