"""Each role in a real browser on the UKHD export (with UKW beside it): signs in through the form,
opens every page of the menu, and sees no error box and no raw ``None``/``nan``; a screenshot of
every page goes to test-artifacts/. (Table cells are drawn on a canvas: the AppTest walk in
test_pages.py reads those.)"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from components.navigation import offered
from services.i18n import t
from services.roles import Role
from tests.browser.conftest import screenshot, serve, signing_in
from tests.browser.walk import settle
from tests.realdata.conftest import REAL_PASSWORD
from tests.support.apptest import raw_values, sources_json

pytestmark = [pytest.mark.browser, pytest.mark.realdata]


@pytest.fixture(scope="module")
def real_dashboard(realdata, real_users_file, tmp_path_factory) -> Iterator[str]:
    """A dashboard process on the UKHD and UKW sources with the real sources' users."""
    workdir = tmp_path_factory.mktemp("real-dashboard")
    users = workdir / "credentials.yaml"
    shutil.copy(real_users_file, users)
    env = {
        "MEDICUS_SOURCES": sources_json(realdata.settings),
        "MEDICUS_USERS_FILE": str(users),
        "MEDICUS_AUDIT_LOG": str(workdir / "audit.log"),
        "MEDICUS_COOKIE_KEY": "browser-test-only",
        "MEDICUS_SESSION_DB": str(workdir / "sessions.sqlite"),
    }
    port = int(os.environ.get("REALDATA_DASHBOARD_PORT", "8597"))
    with serve(env, workdir, port) as url:
        yield url


@pytest.fixture
def real_signed_in(browser, real_dashboard):
    """A function that opens a fresh page signed in as one of the real sources' users."""
    with signing_in(browser, real_dashboard, lambda _: REAL_PASSWORD) as sign_in:
        yield sign_in


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_menu_page_in_the_browser(real_signed_in, real_users, role):
    page = real_signed_in(real_users[role].username)
    for spec in offered(role):
        name = spec.path.removeprefix("pages/").removesuffix(".py")
        page.locator('[data-testid="stSidebar"]').get_by_role(
            "link", name=t(spec.title_key)
        ).click()
        if not spec.default:
            page.wait_for_url(f"**/{name}")
        settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0, name
        shown = page.locator('[data-testid="stMain"]').inner_text()
        assert raw_values(shown) == [], (name, shown)
        screenshot(page, f"realdata-{role.value}-{name}")
