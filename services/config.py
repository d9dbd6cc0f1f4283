"""Settings: which FHIR sources to read and how, from the environment or `.streamlit/secrets.toml`.

One place for every knob. Secrets (passwords, tokens, client secrets) are read here and never
written anywhere else; ``SourceConfig.__repr__`` hides them so they cannot reach a log.

Sources, most specific first:
- ``MEDICUS_SOURCES``: a JSON list of source objects (the keys of ``SourceConfig``);
- ``[[sources]]`` tables in ``.streamlit/secrets.toml``;
- ``MEDICUS_FHIR_URL`` (and optional ``MEDICUS_FHIR_NAME``): a single source without auth;
- the embedded demo server at ``http://localhost:8080/fhir``.
"""

from __future__ import annotations

import json
import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

__all__ = ["DEFAULT_BASE_URL", "Settings", "SourceConfig", "cookie_key", "load_settings"]

DEFAULT_BASE_URL = "http://localhost:8080/fhir"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

AuthKind = Literal["none", "basic", "bearer", "oauth2"]
_SECRET_FIELDS = {"password", "token", "client_secret"}


@dataclass(frozen=True)
class SourceConfig:
    """One FHIR base URL the dashboard reads from."""

    name: str
    url: str
    auth: AuthKind = "none"
    username: str = ""
    password: str = ""
    token: str = ""
    token_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    scope: str = ""
    verify_tls: bool = True
    timeout: float = 30.0

    def __repr__(self) -> str:
        def shown(name: str) -> str:
            value = getattr(self, name)
            return "'***'" if name in _SECRET_FIELDS and value else repr(value)

        return "SourceConfig(" + ", ".join(f"{f.name}={shown(f.name)}" for f in fields(self)) + ")"

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> SourceConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown source settings: {', '.join(sorted(unknown))}")
        if not data.get("url"):
            raise ValueError("a source needs a url")
        values = dict(data)
        values["url"] = str(values["url"]).rstrip("/")
        values.setdefault("name", values["url"])
        return cls(**values)


@dataclass(frozen=True)
class Settings:
    sources: tuple[SourceConfig, ...]
    page_size: int = 1000
    parallel_pages: int = 4
    result_cap: int = 200_000
    total_timeout: float = 300.0
    retries: int = 3
    backoff_base: float = 0.5
    max_retry_after: float = 30.0
    default_language: str = "de"
    timezone: str = "Europe/Berlin"
    users_file: Path = field(default=PROJECT_ROOT / ".streamlit" / "credentials.yaml")
    audit_log: Path = field(default=PROJECT_ROOT / "var" / "audit.log")
    cookie_key_file: Path = field(default=PROJECT_ROOT / "var" / "cookie_key")
    cookie_expiry_days: float = 0.5
    idle_minutes: int = 30


def _secrets_file() -> Path:
    return Path(
        os.environ.get("MEDICUS_SECRETS_FILE", PROJECT_ROOT / ".streamlit" / "secrets.toml")
    )


def _sources_from_env_or_secrets(secrets: dict[str, Any]) -> tuple[SourceConfig, ...]:
    raw = os.environ.get("MEDICUS_SOURCES")
    if raw:
        return tuple(SourceConfig.from_mapping(item) for item in json.loads(raw))
    if secrets.get("sources"):
        return tuple(SourceConfig.from_mapping(item) for item in secrets["sources"])
    url = os.environ.get("MEDICUS_FHIR_URL", DEFAULT_BASE_URL)
    name = os.environ.get("MEDICUS_FHIR_NAME", "MEDI:CUS Plattform")
    return (SourceConfig(name=name, url=url.rstrip("/")),)


def load_settings() -> Settings:
    """Read the settings afresh; cheap enough to call per script run."""
    path = _secrets_file()
    secrets = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    env = os.environ
    extra: dict[str, Any] = {}
    if "MEDICUS_USERS_FILE" in env:
        extra["users_file"] = Path(env["MEDICUS_USERS_FILE"])
    if "MEDICUS_AUDIT_LOG" in env:
        extra["audit_log"] = Path(env["MEDICUS_AUDIT_LOG"])
    if "MEDICUS_PARALLEL_PAGES" in env:
        extra["parallel_pages"] = int(env["MEDICUS_PARALLEL_PAGES"])
    return Settings(sources=_sources_from_env_or_secrets(secrets), **extra)


def cookie_key(settings: Settings) -> str:
    """The key that signs the login cookie: from the environment, else made once and kept."""
    key = os.environ.get("MEDICUS_COOKIE_KEY")
    if key:
        return key
    path = settings.cookie_key_file
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()
