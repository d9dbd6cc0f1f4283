"""Single sign-on in a real browser: staff sign in through Keycloak's own form (the realm of
keycloak/realm.json) at a dashboard started with ``MEDICUS_SIGN_IN=oidc``; role and scope come
from the ID token.

Uses the suite's Keycloak (fixture ``keycloak``, ``KC_TEST_PORT``, default 8181), started with
this dashboard's redirect URI, and runs its own dashboard (``SSO_DASHBOARD_TEST_PORT``, default
8590) on the test server, reading it as the dashboard client. Needs Authlib (requirements.txt),
which ``st.login`` uses.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from components.auth import COOKIE_NAME
from services.i18n import t
from tests.browser.conftest import OPEN_PAGES, screenshot, serve
from tests.browser.walk import settle
from tests.support.keycloak import ISSUER, STAFF_REDIRECT_URI, Keycloak, auth, client_env, secret
from tests.support.keycloak import PORT as KC_PORT

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("SSO_DASHBOARD_TEST_PORT", "8590"))
REDIRECT = STAFF_REDIRECT_URI
# The demo staff of keycloak/realm.json (public demo passwords, like the local demo sign-ins).
NURSE = ("pflege.demo", "Demo-Pflege-2026!")
NO_ROLE = ("ohnerolle.demo", "Demo-Ohne-Rolle-2026!")
NURSE_WARD = "loc-kns-w01"
STREAMLIT_IDENTITY = "_streamlit_user"


def _accepts_redirect() -> bool:
    response = httpx.get(
        f"{ISSUER}/protocol/openid-connect/auth",
        params={
            "client_id": "medicus-staff",
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": REDIRECT,
            # The client requires PKCE; without a challenge every redirect URI is refused.
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        },
        timeout=30,
    )
    return response.status_code == 200


@pytest.fixture(scope="module")
def staff_secret(keycloak: Keycloak) -> str:
    """The staff client's secret at the suite's Keycloak, which must accept this dashboard's
    redirect URI."""
    keycloak.ready()
    if not _accepts_redirect():
        pytest.fail(
            f"the Keycloak on {KC_PORT} does not accept {REDIRECT}: it was started for "
            f"another dashboard; stop it (KC_PORT={KC_PORT} scripts/keycloak.sh stop)"
        )
    return secret("staff")


@pytest.fixture(scope="module")
def sso_workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sso-dashboard")


@pytest.fixture(scope="module")
def sso_dashboard(
    staff_secret: str, fhir_base_url: str, test_network, sso_workdir: Path
) -> Iterator:
    """URL of a dashboard whose staff sign in at Keycloak; no local user directory at all."""
    env = {
        "MEDICUS_FHIR_URL": fhir_base_url,
        **client_env(),
        "MEDICUS_SIGN_IN": "oidc",
        "MEDICUS_OIDC_ISSUER": ISSUER,
        "MEDICUS_OIDC_CLIENT_SECRET": staff_secret,
        "MEDICUS_OIDC_REDIRECT_URI": REDIRECT,
        "MEDICUS_OIDC_SECRETS_FILE": str(sso_workdir / "auth-secrets.toml"),
        "MEDICUS_OIDC_COOKIE_SECRET": "browser-test-only-identity-cookie",
        "MEDICUS_USERS_FILE": str(sso_workdir / "no-such-directory.yaml"),
        "MEDICUS_AUDIT_LOG": str(sso_workdir / "audit.log"),
        "MEDICUS_COOKIE_KEY": "browser-test-only",
        "MEDICUS_SESSION_DB": str(sso_workdir / "sessions.sqlite"),
        "MEDICUS_DEMO": "1",
    }
    # The options the dashboard is started with, as `make run` gets them.
    options = subprocess.run(
        [sys.executable, "-m", "services.oidc", "streamlit-args"],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert staff_secret not in " ".join(options)
    with serve(env, sso_workdir, PORT, options) as url:
        yield url


@pytest.fixture
def fresh_page(browser, sso_dashboard):
    """A page of its own browser context at the dashboard's start."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
        contexts.append(context)
        page = context.new_page()
        OPEN_PAGES.append(page)
        page.set_default_timeout(60_000)
        page.goto(sso_dashboard)
        return page

    yield open_page
    for context in contexts:
        context.close()


def through_keycloak(page, username: str, password: str) -> None:
    """From the dashboard's sign-in page through Keycloak's form and back."""
    page.get_by_role("button", name=t("sso.button")).click()
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("#kc-login").click()


def signed_in(page) -> None:
    """Wait until the dashboard shows a user and the browser holds the session cookie."""
    page.get_by_text("Angemeldet:").wait_for()
    deadline = datetime.now(UTC) + timedelta(seconds=60)
    while not any(c["name"] == COOKIE_NAME for c in page.context.cookies()):
        assert datetime.now(UTC) < deadline, "the session cookie never reached the browser"
        page.wait_for_timeout(200)
    settle(page)


def audit_events(fhir_base_url: str, username: str, since: datetime) -> list[dict]:
    """The platform's AuditEvents of ``username`` since ``since``."""
    response = httpx.get(
        f"{fhir_base_url}/AuditEvent",
        params={"altid": username, "date": f"ge{since.isoformat()}", "_count": 200},
        headers={"Cache-Control": "no-cache"},
        auth=auth(),
        timeout=30,
    )
    response.raise_for_status()
    return [entry["resource"] for entry in response.json().get("entry", [])]


def sign_ins(fhir_base_url: str, username: str, since: datetime) -> list[dict]:
    """The platform's sign-in AuditEvents of ``username`` since ``since``."""
    return [
        event
        for event in audit_events(fhir_base_url, username, since)
        if event["subtype"][0]["code"] == "110122"
    ]


def test_nurse_signs_in_at_keycloak_sees_her_ward_and_not_the_physician_pages(
    fresh_page, sso_dashboard, fhir_base_url, sso_workdir, staff_secret
):
    began = datetime.now(UTC) - timedelta(seconds=5)
    page = fresh_page()
    through_keycloak(page, *NURSE)
    signed_in(page)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Andrea Nüßlein" in sidebar
    assert t("role.nurse") in sidebar

    location = httpx.get(f"{fhir_base_url}/Location/{NURSE_WARD}", timeout=30, auth=auth())
    ward = location.json()["name"]
    page.get_by_role("link", name=t("page.tasks")).click()
    rows = page.locator('[class*="st-key-nurse-task-"]')
    rows.first.wait_for()
    settle(page)
    chooser = page.locator('[data-testid="stSelectbox"]').filter(has_text=t("nurse.ward"))
    assert ward in chooser.inner_text() or ward in chooser.locator("input").input_value()
    screenshot(page, "sso-nurse-tasks")
    # Every task listed is one of her ward's, as the token's ward claim says.
    shown = {
        found[1]
        for row in rows.all()
        if (found := re.search(r"st-key-nurse-task-(\S+)", row.get_attribute("class") or ""))
    }
    assert shown
    for task_id in shown:
        task = httpx.get(f"{fhir_base_url}/Task/{task_id}", timeout=30, auth=auth()).json()
        assert task["location"]["reference"] == f"Location/{NURSE_WARD}"

    # A reload resumes the session from the cookie; the physician's page refuses her.
    page.goto(f"{sso_dashboard}/patient_search")
    page.get_by_text(t("guard.not_permitted")).wait_for()
    assert page.get_by_text("Angemeldet:").count() == 1
    assert page.get_by_label(t("login.password")).count() == 0

    events = sign_ins(fhir_base_url, NURSE[0], began)
    assert [(e["outcome"], e["agent"][0]["role"][0]["text"]) for e in events] == [("0", "nurse")]
    # Her task list is audited under her name from the token, like any signed-in user's.
    lists = [
        event["agent"][0]
        for event in audit_events(fhir_base_url, NURSE[0], began)
        if event["subtype"][0]["code"] == "search-type"
    ]
    assert lists
    named = {(a["name"], a["role"][0]["text"], a["who"]["identifier"]["value"]) for a in lists}
    assert named == {("Andrea Nüßlein", "nurse", "pra-kns-0012")}

    page.get_by_role("link", name=t("logout")).click()
    page.get_by_role("button", name=t("sso.button")).wait_for()
    assert page.url.startswith(sso_dashboard)
    assert page.get_by_text("Angemeldet:").count() == 0
    assert not any(c["name"] == STREAMLIT_IDENTITY for c in page.context.cookies())
    with sqlite3.connect(sso_workdir / "sessions.sqlite") as db:
        reasons = db.execute(
            "SELECT revoked_reason FROM sessions WHERE username = ? AND created >= ?",
            (NURSE[0], began.timestamp()),
        ).fetchall()
    assert reasons == [("signed out",)]

    # The secrets reached Streamlit through a private file, never through its log.
    assert stat.S_IMODE((sso_workdir / "auth-secrets.toml").stat().st_mode) == 0o600
    log = (sso_workdir / "streamlit.log").read_text()
    assert staff_secret not in log
    assert "browser-test-only-identity-cookie" not in log


def test_an_ended_session_needs_a_new_sign_in_at_keycloak(fresh_page, sso_workdir):
    page = fresh_page()
    through_keycloak(page, *NURSE)
    signed_in(page)
    # 31 quiet minutes, written into the session store instead of waited for.
    with sqlite3.connect(sso_workdir / "sessions.sqlite") as db:
        db.execute(
            "UPDATE sessions SET last_activity = ? WHERE username = ? AND revoked IS NULL",
            ((datetime.now(UTC) - timedelta(minutes=31)).timestamp(), NURSE[0]),
        )
    page.get_by_role("link", name=t("page.bed_board")).click()
    page.get_by_text(t("login.session_ended")).wait_for()
    page.get_by_role("button", name=t("sso.button")).wait_for()
    # The previous run's sidebar stays on screen until this run has finished.
    settle(page)
    assert page.get_by_text("Angemeldet:").count() == 0
    # Streamlit still holds the identity, but an identity opens one session only.
    assert any(c["name"] == STREAMLIT_IDENTITY for c in page.context.cookies())
    page.reload()
    page.get_by_role("button", name=t("sso.button")).wait_for()
    settle(page)
    assert page.get_by_text("Angemeldet:").count() == 0


def test_an_account_without_role_is_refused_and_audited(fresh_page, fhir_base_url):
    began = datetime.now(UTC) - timedelta(seconds=5)
    page = fresh_page()
    through_keycloak(page, *NO_ROLE)
    refusal = t("sso.refused.no_role", username=NO_ROLE[0])
    page.get_by_text(refusal).wait_for()
    settle(page)
    screenshot(page, "sso-refused-without-role")
    assert page.get_by_text("Angemeldet:").count() == 0
    assert page.get_by_role("link", name=t("page.tasks")).count() == 0

    events = sign_ins(fhir_base_url, NO_ROLE[0], began)
    assert [e["outcome"] for e in events] == ["4"]
    assert "role" not in events[0]["agent"][0]
    assert events[0]["outcomeDesc"] == "sign-in refused: no_role"

    # The refused identity stays refused: a reload neither signs in nor audits again.
    page.reload()
    page.get_by_role("button", name=t("sso.button")).wait_for()
    settle(page)
    assert page.get_by_text("Angemeldet:").count() == 0
    assert len(sign_ins(fhir_base_url, NO_ROLE[0], began)) == 1
