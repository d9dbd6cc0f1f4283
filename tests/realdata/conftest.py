"""Session fixtures of the realdata tier: the UKHD and UKW exports loaded into tenants of their own.

- ``realdata_server``: base URL of the realdata HAPI server (tenants on, referential integrity
  off, tokens from the suite's Keycloak), started by ``scripts/fhir-server.sh`` unless one
  answers already, and stopped at the end only when this session started it.
  ``tests.support.realdata.ensure_tenant(base, "MII")`` adds the tenant for the MII-shaped
  generated network.
- ``realdata``: both exports loaded (``python -m demo_data load-export``, as the admin client
  into the tenants ``/fhir/UKHD`` and ``/fhir/UKW``), with the load reports,
  the raw resources of each export, and ``Settings`` naming the sources ``UKHD`` and ``UKW``
  (each signing in as the dashboard client).
- ``real_users``: a physician and a nurse of the UKHD hospital, a network manager and an
  administrator; ``real_users_file`` their directory (password ``REAL_PASSWORD``).
- ``real_app``: the app (AppTest) reading both exports and signing in ``real_users``.
"""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bcrypt
import pandas as pd
import pytest

from demo_data.export_loader import ExportReport, load_export
from services.config import Settings
from services.platform import Platform
from services.roles import Role, User
from services.search import query
from services.users import user_from, write_users
from tests.support import realdata as support
from tests.support.apptest import app_environment, sources_json
from tests.support.keycloak import Keycloak, acting_as, guarded, source


@dataclass
class RealData:
    """The exports as loaded: where, what the loader reported, and the raw files' resources."""

    base_url: str
    urls: dict[str, str]
    dirs: dict[str, Path]
    reports: dict[str, ExportReport]
    settings: Settings
    read: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def raw(self, source: str) -> list[dict[str, Any]]:
        """Every resource of the export files as written (repeats included), plain JSON; the
        files are read once per session."""
        if source not in self.read:
            out = []
            for path in sorted(self.dirs[source].glob("*.json")):
                bundle = json.loads(path.read_text(encoding="utf-8"))
                out += [entry["resource"] for entry in bundle.get("entry", [])]
            self.read[source] = out
        return self.read[source]


@pytest.fixture(scope="session")
def realdata_server(keycloak: Keycloak) -> Iterator[str]:
    """The realdata server (started here when needed, beside a Keycloak still starting)."""
    base = support.base_url()
    started = False
    if not support.is_up(base):
        result = support.script("start")
        if result.returncode != 0:
            # A start that timed out leaves its process running: end it with the run.
            support.script("stop")
            pytest.fail(f"could not start the realdata FHIR server:\n{result.stderr}")
        started = True
    try:
        keycloak.ready()
        guarded(f"{base}/DEFAULT")
        yield base
    finally:
        if started:
            support.script("stop")


@pytest.fixture(scope="session")
def realdata(realdata_server: str) -> Iterator[RealData]:
    """UKHD and UKW loaded into their tenants (loading again changes nothing)."""
    exports = support.realdata_dir()
    dirs = {name: exports / folder for name, folder in support.EXPORTS.items()}
    urls, reports = {}, {}
    support.REALDATA_DB.mkdir(parents=True, exist_ok=True)
    # Parallel sessions share the server: one loads at a time.
    with (support.REALDATA_DB / "load.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for name, directory in dirs.items():
            urls[name] = support.ensure_tenant(realdata_server, name)
            with acting_as("admin"):
                reports[name] = load_export([directory], urls[name])
    settings = Settings(sources=tuple(source(n, u) for n, u in urls.items()))
    yield RealData(realdata_server, urls, dirs, reports, settings)


@pytest.fixture(scope="session")
def real_platform(realdata: RealData) -> Iterator[Platform]:
    """The data layer on both exports, sources ``UKHD`` and ``UKW``."""
    instance = Platform(realdata.settings)
    yield instance
    instance.close()


# Sign-ins for the real sources: a password of the test only, not a demo account.
REAL_PASSWORD = "Echtdaten-Test-2026!"


def _only(values: pd.Series, what: str) -> str:
    found = sorted(set(values.dropna()))
    assert len(found) == 1, f"expected one {what}, found {found}"
    return found[0]


@pytest.fixture(scope="session")
def real_users(real_platform: Platform) -> dict[Role, User]:
    """A physician and a nurse of the UKHD hospital (its id as the data layer derives it for
    the stays), a manager of the whole network and an administrator.

    The exports hold no wards, so the nurse has none; the physician has no departments, so she
    sees every patient of her hospital.
    """
    read = real_platform.read(query("Encounter"), sources=["UKHD"])
    assert not read.errors
    hospital = _only(read["encounter"]["hospital_id"], "hospital id of the UKHD stays")
    return {
        Role.PHYSICIAN: User("arzt.ukhd", "Ärztin UKHD", Role.PHYSICIAN, hospital_id=hospital),
        Role.NURSE: User("pflege.ukhd", "Pflege UKHD", Role.NURSE, hospital_id=hospital),
        Role.MANAGER: User("management.netz", "Netzwerk-Management", Role.MANAGER),
        Role.ADMIN: User("admin.netz", "Administration", Role.ADMIN),
    }


def directory_entry(user: User, password: str) -> dict[str, Any]:
    """The credentials entry of ``user`` (what ``services.users.user_from`` reads back)."""
    scope = {
        "practitioner": user.practitioner_id,
        "hospital": user.hospital_id,
        "departments": list(user.departments),
        "wards": list(user.wards),
        "facilities": list(user.facilities),
    }
    return {
        "name": user.name,
        "roles": [user.role.value],
        "scope": {k: v for k, v in scope.items() if v},
        "email": f"{user.username}@test.invalid",
        "password": bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode(),
    }


@pytest.fixture(scope="session")
def real_users_file(real_users: dict[Role, User], tmp_path_factory) -> Path:
    """The directory with the real sources' users, each with ``REAL_PASSWORD``."""
    path = tmp_path_factory.mktemp("real-users") / "credentials.yaml"
    entries = {u.username: directory_entry(u, REAL_PASSWORD) for u in real_users.values()}
    write_users(path, {"credentials": {"usernames": entries}})
    assert {user_from(n, e) for n, e in entries.items()} == set(real_users.values())
    return path


@pytest.fixture(scope="module")
def real_app(realdata: RealData, real_users_file: Path, tmp_path_factory) -> Iterator[Path]:
    """The app (AppTest) on the UKHD and UKW sources with ``real_users``; its work folder."""
    workdir = tmp_path_factory.mktemp("real-app")
    users = workdir / "credentials.yaml"
    shutil.copy(real_users_file, users)
    sources = {"MEDICUS_SOURCES": sources_json(realdata.settings)}
    with app_environment(sources, users, workdir):
        yield workdir
