"""The suite's identity provider and the tokens of every client the tests use.

One Keycloak for the whole pytest run (``scripts/keycloak.sh`` on ``KC_TEST_PORT``, default 8181,
realm ``keycloak/realm.json``), started in the background by the session fixture ``keycloak``
while the first HAPI server starts: HAPI fetches Keycloak's keys on the first request with a
token, not at its own start. Every HAPI server the fixtures start checks tokens from it
(``fhir_env``).

Who acts as whom, as in ``make run``:
- ``admin`` (``medicus-admin``): loading data and the tests' own reads and repairs on a server;
- ``dashboard`` (``medicus-dashboard``): the app under test, in-process (AppTest, ``Platform``)
  and as a process of its own, through the settings it reads in production
  (``MEDICUS_FHIR_TOKEN_URL``, ``MEDICUS_FHIR_CLIENT_ID``, ``MEDICUS_FHIR_CLIENT_SECRET``, or the
  token keys of a ``MEDICUS_SOURCES`` entry).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import httpx
import pytest

from services.config import SourceConfig
from services.source_auth import ClientCredentials

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "keycloak.sh"
PORT = os.environ.get("KC_TEST_PORT", "8181")
# Keycloak names itself after the address a client asks for: HAPI and every client use this one.
ISSUER = f"http://127.0.0.1:{PORT}/realms/medicus"
TOKEN_URL = f"{ISSUER}/protocol/openid-connect/token"
LOG = REPO / "var" / "keycloak" / PORT / "keycloak.log"
# The staff client's redirect URI: the browser test's dashboard with Keycloak sign-in
# (tests/browser/test_sso.py), so that one Keycloak serves the whole run.
STAFF_REDIRECT_URI = (
    f"http://localhost:{os.environ.get('SSO_DASHBOARD_TEST_PORT', '8590')}/oauth2callback"
)


def _env() -> dict[str, str]:
    return {
        "KC_START_TIMEOUT": "900",
        **os.environ,
        "KC_PORT": PORT,
        "KC_STAFF_REDIRECT_URI": STAFF_REDIRECT_URI,
    }


def script(command: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``scripts/keycloak.sh command`` for the suite's instance."""
    return subprocess.run(  # noqa: S603 - our own script
        [str(SCRIPT), command, *args],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


class Keycloak:
    """The suite's Keycloak, possibly still starting; ``ready`` waits for it.

    ``start_seconds`` is how long its start took (0 when one was running already) and
    ``waited_seconds`` how long the tests waited for it beyond the HAPI start beside it: what
    Keycloak adds to a run."""

    def __init__(self, starting: subprocess.Popen[str] | None) -> None:
        self._starting = starting
        self._began = time.monotonic()
        self._failure = ""
        self.start_seconds = 0.0
        self.waited_seconds = 0.0

    def ready(self) -> None:
        """Return once Keycloak answers; fail (every test that asks) when it did not start."""
        if self._starting is not None and self._starting.returncode is None:
            waiting = time.monotonic()
            _, err = self._starting.communicate(timeout=900)
            self.start_seconds = time.monotonic() - self._began
            self.waited_seconds = time.monotonic() - waiting
            if self._starting.returncode != 0:
                self._failure = f"Keycloak did not start on port {PORT}:\n{err}"
        if self._failure:
            pytest.fail(self._failure)


@contextmanager
def identity_provider() -> Iterator[Keycloak]:
    """The suite's Keycloak: reused when one answers on ``PORT``, else started in the background
    and stopped at the end of the block."""
    running = script("status").returncode == 0
    starting = (
        None
        if running
        else subprocess.Popen(  # noqa: S603 - our own script
            [str(SCRIPT), "start"],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    )
    instance = Keycloak(starting)
    try:
        yield instance
    finally:
        if starting is not None:
            # A start still running would leave a Keycloak behind that nobody stops.
            if starting.returncode is None:
                starting.communicate(timeout=900)
            script("stop")


def fhir_env() -> dict[str, str]:
    """What a HAPI server of the suite needs to check tokens from the suite's Keycloak, and the
    time it may take to start: it starts beside Keycloak, on the same cores."""
    return {
        "FHIR_AUTH_ISSUER": ISSUER,
        "FHIR_START_TIMEOUT": os.environ.get("FHIR_START_TIMEOUT", "900"),
    }


@cache
def secret(client: str) -> str:
    """The secret of ``client`` (``admin``, ``dashboard``, ``readonly``, ``test``), made once per
    checkout in ``var/keycloak/secrets``."""
    found = script("secret", client.upper())
    if found.returncode != 0 or not found.stdout.strip():
        pytest.fail(f"no Keycloak secret for client {client}:\n{found.stderr}")
    return found.stdout.strip()


def client_id(client: str) -> str:
    return f"medicus-{client}"


def client_env(client: str = "dashboard") -> dict[str, str]:
    """The settings a single-source app process reads to sign in as ``client``."""
    return {
        "MEDICUS_FHIR_TOKEN_URL": TOKEN_URL,
        "MEDICUS_FHIR_CLIENT_ID": client_id(client),
        "MEDICUS_FHIR_CLIENT_SECRET": secret(client),
    }


def source(name: str, url: str, client: str = "dashboard", **more: object) -> SourceConfig:
    """A source at ``url`` that signs in as ``client`` (``more``: other ``SourceConfig`` keys)."""
    return SourceConfig(
        name=name,
        url=url.rstrip("/"),
        auth="oauth2",
        token_url=TOKEN_URL,
        client_id=client_id(client),
        client_secret=secret(client),
        **more,
    )


@cache
def auth(client: str = "admin") -> ClientCredentials:
    """The httpx auth of ``client``, one per test process, so its token is fetched once and
    refreshed when it runs out or the server refuses it (a Keycloak restarted with new keys)."""
    return ClientCredentials(TOKEN_URL, client_id(client), secret(client))


def http_client(base_url: str, client: str = "admin", **options: object) -> httpx.Client:
    """An httpx client on ``base_url`` (requests relative to it) signed in as ``client``."""
    return httpx.Client(base_url=base_url.rstrip("/") + "/", auth=auth(client), **options)


@contextmanager
def acting_as(client: str) -> Iterator[None]:
    """The environment of the block names ``client``'s credentials, as ``make run`` gives them to
    the loader (``demo_data.loader`` reads them through ``services.config.env_source``)."""
    patch = pytest.MonkeyPatch()
    for name, value in client_env(client).items():
        patch.setenv(name, value)
    try:
        yield
    finally:
        patch.undo()


def guarded(base_url: str) -> None:
    """Fail unless the server at ``base_url`` refuses a request without a token: a server left
    running open on the port would let the suite pass without ever checking one."""
    status = httpx.get(f"{base_url}/Patient", params={"_count": "0"}, timeout=60).status_code
    if status != 401:
        pytest.fail(
            f"{base_url} answers {status} without a token: an open server holds the port; stop "
            f"it, or start it with FHIR_AUTH_ISSUER={ISSUER}"
        )
