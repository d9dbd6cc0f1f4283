"""Settings: which FHIR sources to read and how, from the environment or `.streamlit/secrets.toml`.

One place for every knob. Secrets (passwords, tokens, client secrets) are read here and never
written anywhere else; ``SourceConfig.__repr__`` hides them so they cannot reach a log.

Sources, most specific first:
- ``MEDICUS_SOURCES``: a JSON list of source objects (the keys of ``SourceConfig``);
- ``[[sources]]`` tables in ``.streamlit/secrets.toml``;
- ``MEDICUS_FHIR_URL`` (and optional ``MEDICUS_FHIR_NAME``): a single source, without auth or,
  with ``MEDICUS_FHIR_TOKEN_URL``, ``MEDICUS_FHIR_CLIENT_ID`` and ``MEDICUS_FHIR_CLIENT_SECRET``,
  with OAuth2 client credentials (``make run`` against the embedded platform's Keycloak);
- the embedded demo server at ``http://localhost:8080/fhir``.

Staff sign in against the local user directory (``MEDICUS_SIGN_IN=local``, the default) or by
OpenID Connect single sign-on (``MEDICUS_SIGN_IN=oidc``, see ``OidcSettings``).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "DEFAULT_BASE_URL",
    "Analytics",
    "OidcSettings",
    "Settings",
    "SourceConfig",
    "StaffingFloors",
    "StaleStays",
    "cookie_key",
    "env_source",
    "load_settings",
    "oidc_cookie_secret",
]

DEFAULT_BASE_URL = "http://localhost:8080/fhir"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

AuthKind = Literal["none", "basic", "bearer", "oauth2"]
Analytics = Literal["search", "store"]
StoreEngine = Literal["duckdb", "spark"]
SignInMode = Literal["local", "oidc"]
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
class StaleStays:
    """When a stay still ``in-progress`` counts as left open by the source, not as an inpatient.

    The limit of a source is the ``quantile`` of the length of its finished inpatient stays in
    the data read, kept within [``min_days``, ``max_days``]; with fewer than ``min_finished``
    such stays (a read of current stays only) it is ``max_days``. ``days`` fixes the limit.
    The floor keeps a source of short stays from flagging a patient in the second week.
    """

    quantile: float = 0.99
    max_days: float = 365.0
    min_days: float = 30.0
    min_finished: int = 100
    days: float | None = None


# PpUGV areas (pflegesensitive Bereiche): the most patients one nurse may care for, day / night.
PPUGV_AREAS: dict[str, tuple[float, float]] = {
    "intensive_care": (2.0, 3.0),
    "paediatrics": (6.0, 10.0),
    "neurology_stroke_unit": (3.0, 5.0),
    "general_surgery_trauma": (10.0, 20.0),
    "geriatrics": (10.0, 20.0),
    "neurology": (10.0, 20.0),
    "internal_medicine_cardiology": (10.0, 22.0),
}
# The area a ward takes from its department (the first two digits of the Fachabteilungsschlüssel,
# so 3610 is intensive care like 3600); departments not listed have no PpUGV floor.
DEPARTMENT_AREAS: dict[str, str] = {
    "01": "internal_medicine_cardiology",
    "02": "geriatrics",
    "03": "internal_medicine_cardiology",
    "04": "internal_medicine_cardiology",
    "05": "internal_medicine_cardiology",
    "06": "internal_medicine_cardiology",
    "07": "internal_medicine_cardiology",
    "08": "internal_medicine_cardiology",
    "09": "internal_medicine_cardiology",
    "10": "paediatrics",
    "15": "general_surgery_trauma",
    "16": "general_surgery_trauma",
    "23": "general_surgery_trauma",
    "28": "neurology",
    "36": "intensive_care",
}


@dataclass(frozen=True)
class StaffingFloors:
    """The PpUGV staffing floors: the areas with their patients per nurse (day, night), the area
    of each department, and the area of single wards by Location id (``MEDICUS_PPUGV_WARDS``, a
    JSON object ``{"loc-...": "neurology_stroke_unit"}``), which wins over the department.
    A ward of several departments takes the strictest of their areas."""

    areas: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(PPUGV_AREAS))
    departments: dict[str, str] = field(default_factory=lambda: dict(DEPARTMENT_AREAS))
    wards: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = (set(self.departments.values()) | set(self.wards.values())) - set(self.areas)
        if unknown:
            raise ValueError(f"unknown PpUGV areas: {', '.join(sorted(unknown))}")

    def area_of(self, ward_id: str, departments: list[str]) -> str | None:
        """The ward's area: set for the ward, else the strictest of its departments' areas."""
        if ward_id in self.wards:
            return self.wards[ward_id]
        found = {
            self.departments[code[:2]]
            for code in departments
            if isinstance(code, str) and code[:2] in self.departments
        }
        return min(found, key=lambda area: (self.areas[area], area)) if found else None


@dataclass(frozen=True)
class OidcSettings:
    """Staff single sign-on (``MEDICUS_SIGN_IN=oidc``): the IdP and the dashboard's client there.

    ``issuer`` is the IdP's issuer URL (``MEDICUS_OIDC_ISSUER``; its discovery document is read
    from ``/.well-known/openid-configuration``); ``client_id`` / ``client_secret``
    (``MEDICUS_OIDC_CLIENT_ID``, ``MEDICUS_OIDC_CLIENT_SECRET``) a confidential client with the
    authorisation code flow; ``redirect_uri`` (``MEDICUS_OIDC_REDIRECT_URI``) the dashboard's
    ``/oauth2callback`` as the IdP knows it, ``{port}`` filled by Streamlit with its port. The
    cookie secret that signs Streamlit's identity cookie is made once into
    ``cookie_secret_file`` (``MEDICUS_OIDC_COOKIE_SECRET`` overrides it); everything Streamlit
    reads is written to ``secrets_file`` (0600) when the dashboard starts.
    """

    issuer: str = ""
    client_id: str = "medicus-staff"
    client_secret: str = ""
    redirect_uri: str = "http://localhost:{port}/oauth2callback"
    cookie_secret_file: Path = field(default=PROJECT_ROOT / "var" / "oidc_cookie_secret")
    secrets_file: Path = field(default=PROJECT_ROOT / "var" / "oidc" / "secrets.toml")

    def __repr__(self) -> str:
        hidden = "'***'" if self.client_secret else "''"
        return (
            f"OidcSettings(issuer={self.issuer!r}, client_id={self.client_id!r}, "
            f"client_secret={hidden}, redirect_uri={self.redirect_uri!r})"
        )

    @property
    def server_metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


@dataclass(frozen=True)
class Settings:
    sources: tuple[SourceConfig, ...]
    page_size: int = 1000
    parallel_pages: int = 4
    # Requests in flight to all sources together, for every user of one dashboard process.
    read_workers: int = 8
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
    cookie_secure: bool = True
    idle_minutes: int = 30
    stale_stays: StaleStays = field(default_factory=StaleStays)
    session_hours: float = 12.0
    session_db: Path = field(default=PROJECT_ROOT / "var" / "sessions.sqlite")
    demo: bool = False
    # Where the manager pages read the 90-day window: FHIR search, or the Parquet store that
    # ``python -m services.sync`` fills by Bulk Data $export (searched anyway while the store
    # has no sync of every source younger than ``store_max_age_minutes``).
    analytics: Analytics = "search"
    store_dir: Path = field(default=PROJECT_ROOT / "var" / "store")
    store_max_age_minutes: float = 30.0
    # What queries the store: DuckDB in this process, or Spark (``spark_master``: ``local[N]``
    # in this process's JVM, or a cluster's master URL) when one machine is not enough.
    store_engine: StoreEngine = "duckdb"
    spark_master: str = "local[2]"
    export_types: tuple[str, ...] = ("Organization", "Location", "Encounter", "Task")
    # Increments ask for changes since the last export's transaction time minus this margin:
    # a resource committed while that export ran may carry an earlier lastUpdated.
    export_margin_minutes: float = 10.0
    # HAPI answers every status poll with ``Retry-After: 120`` however small the job; wait at
    # most this long between polls.
    export_poll_seconds: float = 5.0
    export_timeout_minutes: float = 60.0
    # The handover's events begin this long before the shift: what the outgoing shift did in
    # its last half hour is still on the sheet while it hands over. The default of the page's
    # overlap control, which the nurse can change for her handover.
    handover_overlap_minutes: float = 30.0
    # How long "Erledigt" can be taken back with one click.
    undo_seconds: float = 10.0
    staffing_floors: StaffingFloors = field(default_factory=StaffingFloors)
    # The InEK mean length of stay (Belegungstage) to compare each department with, by
    # Fachabteilungsschlüssel (``MEDICUS_INEK_MEAN_DAYS``, a JSON object ``{"0100": 5.9}``, or
    # ``[inek_mean_days]`` in secrets.toml). The mean depends on the hospital's DRG mix and the
    # year's catalogue, so nothing is assumed: a department without a value shows none.
    inek_mean_days: dict[str, float] = field(default_factory=dict)
    sign_in: SignInMode = "local"
    oidc: OidcSettings = field(default_factory=OidcSettings)


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
    return (env_source(url, os.environ.get("MEDICUS_FHIR_NAME", "MEDI:CUS Plattform")),)


def env_source(url: str, name: str = "MEDI:CUS Plattform") -> SourceConfig:
    """A source at ``url`` with the client credentials the environment names, if any."""
    env = os.environ
    if not env.get("MEDICUS_FHIR_TOKEN_URL"):
        return SourceConfig(name=name, url=url.rstrip("/"))
    return SourceConfig(
        name=name,
        url=url.rstrip("/"),
        auth="oauth2",
        token_url=env["MEDICUS_FHIR_TOKEN_URL"],
        client_id=env.get("MEDICUS_FHIR_CLIENT_ID", ""),
        client_secret=env.get("MEDICUS_FHIR_CLIENT_SECRET", ""),
        scope=env.get("MEDICUS_FHIR_SCOPE", ""),
    )


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
    if "MEDICUS_SESSION_DB" in env:
        extra["session_db"] = Path(env["MEDICUS_SESSION_DB"])
    # The public demo sign-ins work only where the demo is switched on (``make run`` does).
    extra["demo"] = env.get("MEDICUS_DEMO", "") == "1"
    # Only for a plain-HTTP deployment on a host other than localhost; browsers keep a Secure
    # cookie from http://localhost.
    extra["cookie_secure"] = env.get("MEDICUS_COOKIE_SECURE", "1") != "0"
    if "MEDICUS_PARALLEL_PAGES" in env:
        extra["parallel_pages"] = int(env["MEDICUS_PARALLEL_PAGES"])
    if "MEDICUS_STALE_STAY_DAYS" in env:
        extra["stale_stays"] = StaleStays(days=float(env["MEDICUS_STALE_STAY_DAYS"]))
    if "MEDICUS_ANALYTICS" in env:
        if env["MEDICUS_ANALYTICS"] not in ("search", "store"):
            raise ValueError("MEDICUS_ANALYTICS must be 'search' or 'store'")
        extra["analytics"] = env["MEDICUS_ANALYTICS"]
    if "MEDICUS_STORE_DIR" in env:
        extra["store_dir"] = Path(env["MEDICUS_STORE_DIR"])
    if "MEDICUS_STORE_ENGINE" in env:
        if env["MEDICUS_STORE_ENGINE"] not in ("duckdb", "spark"):
            raise ValueError("MEDICUS_STORE_ENGINE must be 'duckdb' or 'spark'")
        extra["store_engine"] = env["MEDICUS_STORE_ENGINE"]
    if "MEDICUS_SPARK_MASTER" in env:
        extra["spark_master"] = env["MEDICUS_SPARK_MASTER"]
    if "MEDICUS_STORE_MAX_AGE_MINUTES" in env:
        extra["store_max_age_minutes"] = float(env["MEDICUS_STORE_MAX_AGE_MINUTES"])
    if "MEDICUS_HANDOVER_OVERLAP_MINUTES" in env:
        extra["handover_overlap_minutes"] = float(env["MEDICUS_HANDOVER_OVERLAP_MINUTES"])
    if "MEDICUS_READ_WORKERS" in env:
        extra["read_workers"] = int(env["MEDICUS_READ_WORKERS"])
    if "MEDICUS_PPUGV_WARDS" in env:
        extra["staffing_floors"] = StaffingFloors(wards=json.loads(env["MEDICUS_PPUGV_WARDS"]))
    inek = env.get("MEDICUS_INEK_MEAN_DAYS")
    inek_means = json.loads(inek) if inek else secrets.get("inek_mean_days", {})
    extra["inek_mean_days"] = {str(k): float(v) for k, v in inek_means.items()}
    if "MEDICUS_SIGN_IN" in env:
        if env["MEDICUS_SIGN_IN"] not in ("local", "oidc"):
            raise ValueError("MEDICUS_SIGN_IN must be 'local' or 'oidc'")
        extra["sign_in"] = env["MEDICUS_SIGN_IN"]
    extra["oidc"] = _oidc_from_env(env)
    return Settings(sources=_sources_from_env_or_secrets(secrets), **extra)


def _oidc_from_env(env: Mapping[str, str]) -> OidcSettings:
    names = {
        "issuer": "MEDICUS_OIDC_ISSUER",
        "client_id": "MEDICUS_OIDC_CLIENT_ID",
        "client_secret": "MEDICUS_OIDC_CLIENT_SECRET",
        "redirect_uri": "MEDICUS_OIDC_REDIRECT_URI",
    }
    values: dict[str, Any] = {key: env[name] for key, name in names.items() if env.get(name)}
    if env.get("MEDICUS_OIDC_SECRETS_FILE"):
        values["secrets_file"] = Path(env["MEDICUS_OIDC_SECRETS_FILE"])
    return OidcSettings(**values)


def cookie_key(settings: Settings) -> str:
    """The key that signs the login cookie: from the environment, else made once and kept."""
    key = os.environ.get("MEDICUS_COOKIE_KEY")
    if key:
        return key
    path = settings.cookie_key_file
    if not path.is_file():
        _create_once(path, secrets.token_urlsafe(32))
    return path.read_text().strip()


def oidc_cookie_secret(settings: Settings) -> str:
    """The secret that signs Streamlit's identity cookie: from the environment, else made once
    and kept, like the cookie key."""
    secret = os.environ.get("MEDICUS_OIDC_COOKIE_SECRET")
    if secret:
        return secret
    path = settings.oidc.cookie_secret_file
    if not path.is_file():
        _create_once(path, secrets.token_urlsafe(32))
    return path.read_text().strip()


def _create_once(path: Path, text: str) -> None:
    """Write ``path`` unless another process has; either way it then holds one whole text.

    Replicas start at the same moment and must all sign with one key: the key is written to a
    file of its own and linked into place, so no process reads a half-written key, and the link
    of every process but the first fails instead of replacing the key the first one uses.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
