"""Contrast in the dark theme: the app follows the browser's colour scheme (no theme is fixed in
.streamlit/config.toml), and every page of every role, and the sign-in form, pass axe-core's
colour-contrast rule in it with no serious or critical violation. The light theme is checked with
every axe rule by test_every_page.py."""

from __future__ import annotations

import pytest

from demo_data.users import DEMO_PASSWORDS
from tests.browser.conftest import OPEN_PAGES, screenshot, signing_in
from tests.browser.test_every_page import open_a_patient
from tests.browser.walk import ROLE_USERS, axe_violations, settle, walk

pytestmark = pytest.mark.browser

CONTRAST = ("color-contrast",)

# The relative luminance of the app's background: Streamlit's dark theme is near black.
BACKGROUND = """() => {
    const colour = getComputedStyle(document.querySelector('[data-testid="stApp"]'))
        .backgroundColor.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
    const [r, g, b] = colour.map((c) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}"""


@pytest.fixture
def signed_in_dark(browser, dashboard):
    """A function that opens a fresh page signed in as one demo user, the system theme dark."""
    with signing_in(browser, dashboard, DEMO_PASSWORDS.__getitem__, "dark") as sign_in:
        yield sign_in


def test_the_sign_in_form_is_readable_in_the_dark_theme(browser, dashboard):
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="de-DE", color_scheme="dark"
    )
    page = context.new_page()
    OPEN_PAGES.append(page)
    try:
        page.goto(dashboard)
        page.get_by_label("Passwort").wait_for()
        settle(page)
        assert page.evaluate(BACKGROUND) < 0.05, "the app follows the browser's dark scheme"
        screenshot(page, "dark-login")
        assert axe_violations(page, CONTRAST) == []
    finally:
        context.close()


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_page_has_enough_contrast_in_the_dark_theme(role, signed_in_dark):
    page = signed_in_dark(ROLE_USERS[role])
    problems: list[str] = []
    walked = 0
    for title in walk(page):
        walked += 1
        if page.evaluate(BACKGROUND) >= 0.05:
            problems.append(f"{title}: not drawn in the dark theme")
        screenshot(page, f"dark-{role}-{title}")
        for violation in axe_violations(page, CONTRAST):
            problems.append(f"{title}: {violation}")
        if role == "physician" and title == "my_patients":
            open_a_patient(page, "de")
    assert walked > 1, "the menu offers the role's pages"
    assert not problems, "\n".join(problems)
