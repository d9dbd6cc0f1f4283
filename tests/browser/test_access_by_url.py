"""The views of issue 20 opened as an attacker would try them, in a real browser: by typing the
page's address and by reloading it. A role without the ISBAR handover or the bed grid is refused
with the message and shown no data, both times; the start page shows each role its own view
(the worklist only to physicians, the free beds only to managers); and the right user still sees
their own ward's, hospital's or network's data after a reload, and nothing else."""

from __future__ import annotations

import pytest

from services.i18n import t
from tests.browser.conftest import grid_rows, screenshot
from tests.browser.walk import settle

pytestmark = pytest.mark.browser

MAIN = '[data-testid="stMain"]'
WRONG_ROLE = [
    ("arzt.demo", "handover"),
    ("management.demo", "handover"),
    ("admin.demo", "handover"),
    ("management.demo", "bed_board"),
    ("admin.demo", "bed_board"),
]


def refused(page) -> None:
    """The page says "not permitted" and shows nothing of a ward: no table (the bed grid is
    one), no figure, no download, no ward choice, no patient's block."""
    main = page.locator(MAIN)
    main.get_by_text(t("guard.not_permitted")).first.wait_for()
    for element in ("stDataFrame", "stMetric", "stDownloadButton", "stSelectbox"):
        assert main.locator(f'[data-testid="{element}"]').count() == 0, element
    assert main.locator("h4").count() == 0, "no patient block of a handover"


@pytest.mark.parametrize(("username", "path"), WRONG_ROLE)
def test_the_wrong_role_is_refused_by_url_and_after_a_reload(signed_in, dashboard, username, path):
    page = signed_in(username)
    page.goto(f"{dashboard}/{path}")
    settle(page)
    refused(page)
    page.reload()
    page.get_by_text("Angemeldet:").wait_for()
    settle(page)
    refused(page)
    assert page.get_by_label("Passwort").count() == 0, "still signed in, still refused"


START = {
    "arzt.demo": "worklist.title",
    "pflege.demo": "home.nurse.title",
    "management.demo": "home.manager.title",
    "admin.demo": "home.admin.title",
}


@pytest.mark.parametrize("username", list(START))
def test_the_start_page_by_url_and_reload_is_each_roles_own(signed_in, dashboard, username):
    page = signed_in(username)
    for _ in range(2):
        page.goto(dashboard)
        settle(page)
        main = page.locator(MAIN)
        main.get_by_role("heading", name=t(START[username])).wait_for()
        for other, key in START.items():
            if other != username:
                assert main.get_by_role("heading", name=t(key)).count() == 0, key
        page.reload()
        page.get_by_text("Angemeldet:").wait_for()
        settle(page)


def test_after_a_reload_the_nurse_sees_her_ward_only(signed_in, dashboard, users, platform):
    nurse = users["pflege.demo"]
    ward = platform.http().get_json(f"Location/{nurse.wards[0]}")["name"]
    page = signed_in("pflege.demo")
    for path in ("handover", "bed_board"):
        page.goto(f"{dashboard}/{path}")
        settle(page)
        page.reload()
        page.get_by_text("Angemeldet:").wait_for()
        settle(page)
        main = page.locator(MAIN)
        if path == "handover":
            main.get_by_role("heading", name=ward).wait_for()
        choice = main.locator('[data-testid="stSelectbox"]').first
        # The chosen ward is the value of the choice's text field.
        assert choice.locator("input").first.input_value() == ward
        choice.click()
        offered = page.get_by_role("option").all_inner_texts()
        page.keyboard.press("Escape")
        assert len(offered) == len(nurse.wards), offered
        screenshot(page, f"nurse-{path}-after-reload")


def test_after_a_reload_a_hospitals_bed_manager_sees_that_hospital_only(
    signed_in, dashboard, users, platform
):
    manager = users["betten.demo"]
    (hospital,) = manager.facilities
    name = platform.http().get_json(f"Organization/{hospital}")["name"]
    page = signed_in("betten.demo")
    page.reload()
    page.get_by_text("Angemeldet:").wait_for()
    settle(page)
    page.locator(MAIN).get_by_role("heading", name=t("home.manager.title")).wait_for()
    rows = grid_rows(page)
    assert [r[t("col.hospital")] for r in rows] == [name, t("network.total")]


def test_after_a_reload_a_physician_sees_the_own_hospitals_worklist(signed_in, dashboard):
    page = signed_in("arzt2.demo")
    page.locator(MAIN).get_by_role("heading", name=t("worklist.title")).wait_for()
    before = grid_rows(page)
    page.reload()
    page.get_by_text("Angemeldet:").wait_for()
    settle(page)
    after = grid_rows(page)
    assert before and after == before, "the same rows: the own hospital's, as before"
