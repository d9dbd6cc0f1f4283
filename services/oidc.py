"""Staff sign-in by OpenID Connect: an identity token's claims as a ``User``, and the ``[auth]``
settings that Streamlit's ``st.login`` reads.

The identity provider says who someone is and what they may see: the dashboard role is a realm
role (claim ``roles``), the scope comes from user attributes (``practitioner``, ``hospital``,
``wards``, ``departments``, ``facilities``), each mapped into the ID token by the IdP
(keycloak/realm.json, client ``medicus-staff``). A token without exactly one dashboard role, or
without the scope its role needs, signs nobody in: a nurse without wards would otherwise see no
ward, a physician without a hospital no patient, and neither could tell why.

An identity opens at most one dashboard session, and only while it is fresh (``fresh``): Streamlit
keeps the identity in a cookie for 30 days, so without this a session that ended (idle, too old,
revoked) would open again on the next click without anyone signing in.

Streamlit reads ``[auth]`` from its secrets files only, so ``write_auth_secrets`` writes them, from
the settings, into a file of their own under ``var/`` (0600) that the dashboard is started with
(``python -m services.oidc streamlit-args``); nothing secret is in the repository or printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from services.config import (
    PROJECT_ROOT,
    OidcSettings,
    Settings,
    load_settings,
    oidc_cookie_secret,
)
from services.roles import Role, User

__all__ = [
    "CLAIMS",
    "REQUIRED_SCOPE",
    "ClaimsCheck",
    "Refusal",
    "auth_secrets",
    "fresh",
    "identity_key",
    "streamlit_args",
    "user_from_claims",
    "write_auth_secrets",
]

# Claim names in the ID token, as the IdP's protocol mappers write them.
CLAIMS = {
    "roles": "roles",
    "practitioner": "practitioner",
    "hospital": "hospital",
    "wards": "wards",
    "departments": "departments",
    "facilities": "facilities",
    "demo": "demo",
}
# What each role needs besides the role itself; managers without facilities see the whole
# network in aggregates, administrators need no scope.
REQUIRED_SCOPE: dict[Role, tuple[str, ...]] = {
    Role.PHYSICIAN: ("hospital", "departments"),
    Role.NURSE: ("practitioner", "hospital", "wards"),
    Role.MANAGER: (),
    Role.ADMIN: (),
}
# How old an identity token may be when it opens a session, and how far ahead of this machine's
# clock the IdP's may run.
MAX_AGE = timedelta(minutes=5)
CLOCK_SKEW = timedelta(minutes=1)
# Streamlit's own secrets locations (its default of ``secrets.files``), kept ahead of ours.
_STREAMLIT_SECRETS = (
    Path("~/.streamlit/secrets.toml").expanduser(),
    PROJECT_ROOT / ".streamlit" / "secrets.toml",
)


class Refusal(StrEnum):
    NO_ROLE = "no_role"
    SEVERAL_ROLES = "several_roles"
    MISSING_SCOPE = "missing_scope"
    DEMO_OFF = "demo_off"
    NO_USERNAME = "no_username"


@dataclass(frozen=True)
class ClaimsCheck:
    """Who the token names and either the signed-in ``user`` or why not (``refusal``, with the
    scope claims that were ``missing``)."""

    username: str
    name: str
    user: User | None = None
    refusal: Refusal | None = None
    missing: tuple[str, ...] = ()
    role: Role | None = None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _texts(value: Any) -> tuple[str, ...] | None:
    """A list claim; a single string counts as a list of one (IdPs differ). None when malformed."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return None
    items = [_text(item) for item in value]
    if any(item is None for item in items):
        return None
    return tuple(dict.fromkeys(item for item in items if item is not None))


def _name(claims: Mapping[str, Any], username: str) -> str:
    name = _text(claims.get("name"))
    if name:
        return name
    parts = [_text(claims.get("given_name")), _text(claims.get("family_name"))]
    return " ".join(p for p in parts if p) or username


def _is_demo(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def user_from_claims(claims: Mapping[str, Any], *, demo: bool) -> ClaimsCheck:
    """The ``User`` an identity token's claims describe, or the reason it signs nobody in."""
    username = _text(claims.get("preferred_username")) or _text(claims.get("sub")) or ""
    name = _name(claims, username) if username else ""
    if not username:
        return ClaimsCheck(username, name, refusal=Refusal.NO_USERNAME)
    if _is_demo(claims.get(CLAIMS["demo"])) and not demo:
        return ClaimsCheck(username, name, refusal=Refusal.DEMO_OFF)
    granted = _texts(claims.get(CLAIMS["roles"])) or ()
    roles = [role for role in Role if role.value in granted]
    if not roles:
        return ClaimsCheck(username, name, refusal=Refusal.NO_ROLE)
    if len(roles) > 1:
        return ClaimsCheck(username, name, refusal=Refusal.SEVERAL_ROLES)
    role = roles[0]
    single = {key: _text(claims.get(CLAIMS[key])) for key in ("practitioner", "hospital")}
    lists = {key: _texts(claims.get(CLAIMS[key])) for key in ("wards", "departments", "facilities")}
    present = {**single, **lists}
    missing = tuple(key for key in REQUIRED_SCOPE[role] if not present[key])
    # A malformed list (not strings) is refused whether the role needs it or not: it would
    # otherwise read as "no facilities", which for a manager means the whole network.
    malformed = tuple(
        key for key in lists if claims.get(CLAIMS[key]) is not None and lists[key] is None
    )
    if missing or malformed:
        return ClaimsCheck(
            username,
            name,
            refusal=Refusal.MISSING_SCOPE,
            missing=tuple(dict.fromkeys(missing + malformed)),
            role=role,
        )
    return ClaimsCheck(
        username,
        name,
        user=User(
            username=username,
            name=name,
            role=role,
            practitioner_id=single["practitioner"],
            hospital_id=single["hospital"],
            departments=lists["departments"] or (),
            wards=lists["wards"] or (),
            facilities=lists["facilities"] or (),
        ),
        role=role,
    )


def identity_key(claims: Mapping[str, Any]) -> str | None:
    """One sign-in at the IdP: issuer, subject and the token's issue time (and nonce, when the
    token has one); None for claims that do not name one."""
    parts = [claims.get("iss"), claims.get("sub"), claims.get("iat")]
    if any(part is None for part in parts):
        return None
    parts.append(claims.get("nonce") or "")
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def fresh(claims: Mapping[str, Any], now: datetime) -> bool:
    """Whether the identity token was issued recently enough to open a session."""
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        return False
    age = now.timestamp() - issued
    return -CLOCK_SKEW.total_seconds() <= age <= MAX_AGE.total_seconds()


def auth_secrets(oidc: OidcSettings, cookie_secret: str) -> dict[str, Any]:
    """The ``[auth]`` table of Streamlit's secrets for the configured IdP (provider "default")."""
    return {
        "redirect_uri": oidc.redirect_uri,
        "cookie_secret": cookie_secret,
        "client_id": oidc.client_id,
        "client_secret": oidc.client_secret,
        "server_metadata_url": oidc.server_metadata_url,
        # "login" makes the IdP ask every time: on a shared ward computer the next person must
        # not walk into the IdP session of the one before.
        "client_kwargs": {"scope": "openid profile email", "prompt": "login"},
    }


def _toml(auth: Mapping[str, Any]) -> str:
    # A JSON string is a TOML basic string: the same quotes and escapes.
    plain = [
        f"{key} = {json.dumps(value)}" for key, value in auth.items() if isinstance(value, str)
    ]
    lines = ["[auth]", *plain]
    for key, table in auth.items():
        if isinstance(table, Mapping):
            lines += ["", f"[auth.{key}]", *(f"{k} = {json.dumps(v)}" for k, v in table.items())]
    return "\n".join(lines) + "\n"


def write_auth_secrets(settings: Settings) -> Path:
    """Write the ``[auth]`` secrets file (0600, replaced whole) and return its path."""
    oidc = settings.oidc
    if not (oidc.issuer and oidc.client_id and oidc.client_secret):
        raise ValueError(
            "MEDICUS_SIGN_IN=oidc needs MEDICUS_OIDC_ISSUER, MEDICUS_OIDC_CLIENT_ID and "
            "MEDICUS_OIDC_CLIENT_SECRET"
        )
    text = _toml(auth_secrets(oidc, oidc_cookie_secret(settings)))
    path = oidc.secrets_file
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def streamlit_args(settings: Settings) -> list[str]:
    """The ``streamlit run`` options of the configured sign-in: none for the local directory;
    for OIDC the secrets files, Streamlit's own first and the written ``[auth]`` file last."""
    if settings.sign_in != "oidc":
        return []
    path = write_auth_secrets(settings)
    return [f"--secrets.files={p}" for p in (*_STREAMLIT_SECRETS, str(path))]


def main(argv: list[str] | None = None) -> int:
    """``python -m services.oidc streamlit-args``: print the options for ``streamlit run``."""
    parser = argparse.ArgumentParser(prog="python -m services.oidc")
    parser.add_argument("command", choices=["streamlit-args"])
    parser.parse_args(argv)
    try:
        args = streamlit_args(load_settings())
    except ValueError as exc:
        sys.stderr.write(f"staff sign-in: {exc}\n")
        return 2
    sys.stdout.write(" ".join(args) + ("\n" if args else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
