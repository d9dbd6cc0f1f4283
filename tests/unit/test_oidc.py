"""Single sign-on without a browser: an identity token's claims as a user, the freshness and
one-time use of an identity, the ``[auth]`` file Streamlit is started with, the sign-in's
AuditEvent."""

from __future__ import annotations

import json
import stat
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.audit import SignInRecord, sign_in_event
from services.codes import PRACTITIONER_ID
from services.config import OidcSettings, Settings, SourceConfig, load_settings
from services.oidc import (
    REQUIRED_SCOPE,
    Refusal,
    auth_secrets,
    fresh,
    identity_key,
    streamlit_args,
    user_from_claims,
    write_auth_secrets,
)
from services.roles import Role
from services.sessions import SessionStore

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
ISSUER = "http://127.0.0.1:8180/realms/medicus"


def claims(**extra) -> dict:
    """What Streamlit keeps of a Keycloak ID token for the staff client, plus ``extra``."""
    base = {
        "is_logged_in": True,
        "iss": ISSUER,
        "sub": "0b7c3a9e-5d1f-4c1e-9a53-3f0b2c7d9e11",
        "aud": "medicus-staff",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 300,
        "nonce": "n-1",
        "preferred_username": "pflege.demo",
        "name": "Andrea Nüßlein (Demo)",
        "given_name": "Andrea",
        "family_name": "Nüßlein (Demo)",
        "roles": ["default-roles-medicus", "offline_access", "nurse"],
        "practitioner": "pra-kns-0012",
        "hospital": "org-kns",
        "wards": ["loc-kns-w01", "loc-kns-w02"],
    }
    return {**base, **extra}


def without(data: dict, *keys: str) -> dict:
    return {k: v for k, v in data.items() if k not in keys}


# Claims -> User


def test_nurse_claims_give_role_and_scope():
    check = user_from_claims(claims(), demo=False)
    assert check.refusal is None
    user = check.user
    assert user is not None
    assert (user.username, user.name, user.role) == (
        "pflege.demo",
        "Andrea Nüßlein (Demo)",
        "nurse",
    )
    assert user.practitioner_id == "pra-kns-0012"
    assert user.hospital_id == "org-kns"
    assert user.wards == ("loc-kns-w01", "loc-kns-w02")
    assert (user.departments, user.facilities) == ((), ())


def test_physician_claims_give_hospital_and_departments():
    data = without(claims(roles=["physician"], departments=["0100", "3600"]), "wards")
    user = user_from_claims(data, demo=False).user
    assert user is not None
    assert user.role is Role.PHYSICIAN
    assert (user.hospital_id, user.departments, user.wards) == ("org-kns", ("0100", "3600"), ())


def test_a_manager_without_facilities_sees_the_network_and_an_admin_needs_no_scope():
    bare = without(claims(), "practitioner", "hospital", "wards")
    manager = user_from_claims({**bare, "roles": ["manager"]}, demo=False).user
    admin = user_from_claims({**bare, "roles": ["admin"]}, demo=False).user
    assert manager is not None and manager.role is Role.MANAGER and manager.facilities == ()
    assert admin is not None and admin.role is Role.ADMIN
    scoped = user_from_claims({**bare, "roles": ["manager"], "facilities": ["org-kns"]}, demo=False)
    assert scoped.user is not None and scoped.user.facilities == ("org-kns",)


@pytest.mark.parametrize(
    "roles",
    [None, [], ["default-roles-medicus", "offline_access"], ["platform-read"], "Nurse", [7]],
)
def test_no_dashboard_role_is_refused(roles):
    check = user_from_claims(claims(roles=roles), demo=False)
    assert check.user is None
    assert check.refusal is Refusal.NO_ROLE
    assert check.username == "pflege.demo"


def test_a_single_role_given_as_text_counts():
    user = user_from_claims(claims(roles="nurse"), demo=False).user
    assert user is not None and user.role is Role.NURSE


def test_two_dashboard_roles_are_refused_not_guessed():
    check = user_from_claims(claims(roles=["nurse", "physician"]), demo=False)
    assert (check.user, check.refusal) == (None, Refusal.SEVERAL_ROLES)


@pytest.mark.parametrize(
    ("role", "dropped", "missing"),
    [
        ("nurse", ("wards",), ("wards",)),
        ("nurse", ("practitioner", "hospital"), ("practitioner", "hospital")),
        ("physician", ("hospital",), ("hospital", "departments")),
        ("physician", (), ("departments",)),
    ],
)
def test_missing_scope_is_refused_and_named(role, dropped, missing):
    check = user_from_claims(without(claims(roles=[role]), *dropped), demo=False)
    assert check.user is None
    assert check.refusal is Refusal.MISSING_SCOPE
    assert check.missing == missing
    assert check.role == role


@pytest.mark.parametrize("wards", [[], [""], "  ", ["loc-kns-w01", 3], {"id": "loc-kns-w01"}])
def test_empty_or_malformed_wards_are_missing(wards):
    check = user_from_claims(claims(wards=wards), demo=False)
    assert (check.refusal, check.missing) == (Refusal.MISSING_SCOPE, ("wards",))


def test_malformed_facilities_never_read_as_the_whole_network():
    data = {**without(claims(), "wards"), "roles": ["manager"], "facilities": [{"id": 1}]}
    check = user_from_claims(data, demo=False)
    assert (check.user, check.refusal, check.missing) == (
        None,
        Refusal.MISSING_SCOPE,
        ("facilities",),
    )


def test_a_single_ward_given_as_text_counts_and_repeats_are_dropped():
    assert user_from_claims(claims(wards="loc-kns-w01"), demo=False).user.wards == ("loc-kns-w01",)
    repeated = claims(wards=["loc-kns-w01", "loc-kns-w01"])
    assert user_from_claims(repeated, demo=False).user.wards == ("loc-kns-w01",)


@pytest.mark.parametrize("flag", [True, "true", "TRUE"])
def test_demo_accounts_only_while_the_demo_is_on(flag):
    data = claims(demo=flag)
    assert user_from_claims(data, demo=False).refusal is Refusal.DEMO_OFF
    assert user_from_claims(data, demo=True).user is not None


def test_username_falls_back_to_the_subject_and_name_to_the_parts():
    data = without(claims(), "preferred_username", "name")
    check = user_from_claims(data, demo=False)
    assert check.user is not None
    assert check.user.username == data["sub"]
    assert check.user.name == "Andrea Nüßlein (Demo)"
    bare = without(data, "given_name", "family_name")
    assert user_from_claims(bare, demo=False).user.name == data["sub"]


def test_claims_naming_nobody_are_refused():
    check = user_from_claims(without(claims(), "preferred_username", "sub"), demo=False)
    assert (check.user, check.refusal) == (None, Refusal.NO_USERNAME)


def test_every_role_has_its_required_scope_stated():
    assert set(REQUIRED_SCOPE) == set(Role)


# Freshness and one-time use


def test_an_identity_is_fresh_for_five_minutes_and_not_from_the_future():
    assert fresh(claims(), NOW)
    assert fresh(claims(), NOW + timedelta(minutes=4, seconds=59))
    assert not fresh(claims(), NOW + timedelta(minutes=5, seconds=1))
    assert fresh(claims(), NOW - timedelta(seconds=30))
    assert not fresh(claims(), NOW - timedelta(minutes=2))
    for issued in (None, "1764662400", True):
        assert not fresh(claims(iat=issued), NOW)


def test_identity_key_names_one_sign_in():
    first = identity_key(claims())
    assert first is not None and first == identity_key(claims(name="other display name"))
    assert identity_key(claims(iat=int(NOW.timestamp()) + 1)) != first
    assert identity_key(claims(nonce="n-2")) != first
    assert identity_key(claims(sub="someone-else")) != first
    assert identity_key(without(claims(), "iat")) is None


def test_an_identity_opens_one_session_and_is_forgotten_after_a_while(tmp_path: Path):
    store = SessionStore(tmp_path / "s.sqlite", timedelta(minutes=30), timedelta(hours=12))
    keep = timedelta(hours=1)
    assert store.use_identity("a", NOW, keep)
    assert not store.use_identity("a", NOW + timedelta(minutes=59), keep)
    assert store.use_identity("b", NOW, keep)
    # Two hours on, the record of "a" is dropped (its token is long stale by then).
    assert store.use_identity("c", NOW + timedelta(hours=2), keep)
    assert store.use_identity("a", NOW + timedelta(hours=2), keep)


# The [auth] secrets Streamlit reads


def oidc_settings(tmp_path: Path, **extra) -> Settings:
    oidc = OidcSettings(
        issuer=ISSUER,
        client_secret='s3cr"et\\with-quotes',
        cookie_secret_file=tmp_path / "var" / "oidc_cookie_secret",
        secrets_file=tmp_path / "var" / "oidc" / "secrets.toml",
        **extra,
    )
    return Settings(sources=(SourceConfig(name="x", url="http://x"),), sign_in="oidc", oidc=oidc)


def test_auth_section_has_what_st_login_needs():
    oidc = OidcSettings(issuer=ISSUER + "/", client_secret="s")
    auth = auth_secrets(oidc, "cookie")
    assert auth["server_metadata_url"] == ISSUER + "/.well-known/openid-configuration"
    assert auth["redirect_uri"] == "http://localhost:{port}/oauth2callback"
    assert (auth["client_id"], auth["client_secret"], auth["cookie_secret"]) == (
        "medicus-staff",
        "s",
        "cookie",
    )
    assert auth["client_kwargs"]["prompt"] == "login"


def test_secrets_file_is_private_parses_back_and_keeps_its_cookie_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDICUS_OIDC_COOKIE_SECRET", raising=False)
    settings = oidc_settings(tmp_path)
    path = write_auth_secrets(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    auth = tomllib.loads(path.read_text())["auth"]
    assert auth["client_secret"] == 's3cr"et\\with-quotes'
    assert auth["client_kwargs"] == {"scope": "openid profile email", "prompt": "login"}
    cookie_file = settings.oidc.cookie_secret_file
    assert stat.S_IMODE(cookie_file.stat().st_mode) == 0o600
    assert auth["cookie_secret"] == cookie_file.read_text().strip()
    assert len(auth["cookie_secret"]) >= 32
    again = tomllib.loads(write_auth_secrets(settings).read_text())["auth"]
    assert again["cookie_secret"] == auth["cookie_secret"]
    assert not list(path.parent.glob("*.tmp"))


def test_streamlit_args_name_our_file_last_and_nothing_for_the_local_directory(tmp_path):
    settings = oidc_settings(tmp_path)
    args = streamlit_args(settings)
    assert args[-1] == f"--secrets.files={settings.oidc.secrets_file}"
    assert all(a.startswith("--secrets.files=") for a in args)
    assert not any("s3cr" in a for a in args)
    local = Settings(sources=settings.sources)
    assert streamlit_args(local) == []


def test_oidc_without_client_secret_is_a_clear_error(tmp_path):
    settings = oidc_settings(tmp_path)
    broken = Settings(
        sources=settings.sources,
        sign_in="oidc",
        oidc=OidcSettings(issuer=ISSUER, secrets_file=tmp_path / "s.toml"),
    )
    with pytest.raises(ValueError, match="MEDICUS_OIDC_CLIENT_SECRET"):
        write_auth_secrets(broken)


def test_settings_read_the_switch_and_hide_the_client_secret(monkeypatch):
    monkeypatch.setenv("MEDICUS_SIGN_IN", "oidc")
    monkeypatch.setenv("MEDICUS_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("MEDICUS_OIDC_CLIENT_SECRET", "very-secret-value")
    monkeypatch.setenv("MEDICUS_OIDC_REDIRECT_URI", "https://dashboard.example/oauth2callback")
    settings = load_settings()
    assert settings.sign_in == "oidc"
    assert settings.oidc.issuer == ISSUER
    assert settings.oidc.client_id == "medicus-staff"
    assert settings.oidc.redirect_uri == "https://dashboard.example/oauth2callback"
    assert "very-secret-value" not in repr(settings)
    monkeypatch.setenv("MEDICUS_SIGN_IN", "ldap")
    with pytest.raises(ValueError, match="MEDICUS_SIGN_IN"):
        load_settings()
    monkeypatch.delenv("MEDICUS_SIGN_IN")
    assert load_settings().sign_in == "local"


def test_the_command_prints_options_not_secrets(tmp_path, monkeypatch, capsys):
    from services.oidc import main

    monkeypatch.setenv("MEDICUS_SIGN_IN", "oidc")
    monkeypatch.setenv("MEDICUS_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("MEDICUS_OIDC_CLIENT_SECRET", "very-secret-value")
    monkeypatch.setenv("MEDICUS_OIDC_COOKIE_SECRET", "cookie-secret-from-env")
    monkeypatch.setenv("MEDICUS_OIDC_SECRETS_FILE", str(tmp_path / "auth.toml"))
    assert main(["streamlit-args"]) == 0
    out = capsys.readouterr()
    assert out.out.split()[-1] == f"--secrets.files={tmp_path / 'auth.toml'}"
    assert "very-secret-value" not in out.out + out.err
    assert "cookie-secret-from-env" not in out.out + out.err
    assert tomllib.loads((tmp_path / "auth.toml").read_text())["auth"]["cookie_secret"] == (
        "cookie-secret-from-env"
    )
    monkeypatch.delenv("MEDICUS_OIDC_CLIENT_SECRET")
    assert main(["streamlit-args"]) == 2
    assert "MEDICUS_OIDC_CLIENT_SECRET" in capsys.readouterr().err


# The AuditEvent of a sign-in


def test_a_refused_sign_in_is_an_authentication_event_without_a_role():
    event = sign_in_event(
        SignInRecord(
            username="ohnerolle.demo",
            name="Ohne Rolle (Demo)",
            role=None,
            outcome="4",
            outcome_text="sign-in refused: no_role",
            when=NOW,
        )
    )
    assert event["type"]["code"] == "110114"
    assert event["subtype"][0]["code"] == "110122"
    assert event["outcome"] == "4"
    assert event["outcomeDesc"] == "sign-in refused: no_role"
    assert event["agent"] == [
        {"altId": "ohnerolle.demo", "name": "Ohne Rolle (Demo)", "requestor": True}
    ]
    json.dumps(event)


def test_a_sign_in_names_role_and_practitioner():
    event = sign_in_event(
        SignInRecord(
            username="pflege.demo",
            name="Andrea",
            role="nurse",
            practitioner_id="pra-kns-0012",
        )
    )
    assert event["outcome"] == "0"
    assert event["agent"][0]["role"] == [{"text": "nurse"}]
    assert event["agent"][0]["who"] == {
        "type": "Practitioner",
        "identifier": {"system": PRACTITIONER_ID, "value": "pra-kns-0012"},
        "display": "Andrea",
    }
    assert "outcomeDesc" not in event


def test_the_realm_maps_every_claim_into_the_id_token_and_holds_no_secret():
    realm = json.loads(
        (Path(__file__).resolve().parents[2] / "keycloak" / "realm.json").read_text()
    )
    staff = next(c for c in realm["clients"] if c["clientId"] == "medicus-staff")
    assert staff["secret"] == "${STAFF_SECRET}"
    assert staff["redirectUris"] == ["${STAFF_REDIRECT_URI}"]
    assert staff["standardFlowEnabled"] and not staff["directAccessGrantsEnabled"]
    assert staff["attributes"]["pkce.code.challenge.method"] == "S256"
    claims_mapped = {m["config"]["claim.name"] for m in staff["protocolMappers"]}
    assert {"roles", "practitioner", "hospital", "wards", "departments", "facilities"} <= (
        claims_mapped
    )
    assert all(m["config"]["id.token.claim"] == "true" for m in staff["protocolMappers"])
