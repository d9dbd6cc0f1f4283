"""The nurse's task flow by keyboard alone: sign in, open the task list, choose the ward, take over
a colleague's task (answering the question by keyboard), complete it with a note and take the
completion back, with Tab, Shift+Tab, Enter, Space and the arrow keys only, no mouse.

Every control the focus reaches must show where it is (WCAG 2.4.7), and after every button the
focus must stand on the control where the work goes on, not fall back to the page.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from components.auth import COOKIE_NAME
from demo_data.users import DEMO_PASSWORDS
from tests.browser.conftest import OPEN_PAGES, put_task_as_seen, screenshot
from tests.browser.walk import settle
from tests.support.keycloak import auth

pytestmark = pytest.mark.browser

NURSE = "pflege.demo"

# What the focused element is, and the box that shows the focus: the element itself (outline or
# box-shadow) or, for a field, the box around its input up to three levels up (outline). The box
# must be on screen and big enough to see.
FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {control: null};
    const key = (el.closest('[class*="st-key-"]') || {className: ''}).className
        .match(/st-key-\\S+/);
    const control = [el.tagName.toLowerCase(), el.getAttribute('aria-label')
        || (el.labels && el.labels[0] && el.labels[0].innerText)
        || (el.innerText || '').slice(0, 40), key ? key[0] : ''].join(' | ');
    let node = el;
    for (let level = 0; node && level < 4; node = node.parentElement, level++) {
        const style = getComputedStyle(node);
        const box = node.getBoundingClientRect();
        const seen = box.width >= 8 && box.height >= 8 && style.visibility !== 'hidden'
            && style.opacity !== '0';
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
        const shadow = level === 0 && style.boxShadow !== 'none';
        if (seen && (outline || shadow)) return {control: control, ring: true};
    }
    return {control: control, ring: false};
}"""


class Keyboard:
    """Keys pressed on one page; every focus they move is checked for a visible ring."""

    def __init__(self, page) -> None:
        self.page = page
        self.unseen: list[str] = []
        self.trail: list[str] = []

    def focused(self) -> dict:
        found = self.page.evaluate(FOCUS)
        self.trail.append(str(found["control"]))
        if found["control"] is not None and not found["ring"]:
            self.unseen.append(found["control"])
        return found

    def press(self, key: str) -> dict:
        self.page.keyboard.press(key)
        self.page.wait_for_timeout(120)
        return self.focused()

    def to(self, selector: str, key: str = "Tab", limit: int = 250) -> None:
        """Press ``key`` until the focus is on an element matching ``selector``."""
        for _ in range(limit):
            self.press(key)
            if self.on(selector):
                return
        raise AssertionError(f"{limit} × {key} never reached {selector}: {self.trail[-12:]}")

    def on(self, selector: str) -> bool:
        return self.page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        )

    def lands_on(self, selector: str, what: str) -> None:
        """After a button: the focus stands on ``selector`` (moved there by the app)."""
        deadline = time.monotonic() + 10
        while not self.on(selector):
            assert time.monotonic() < deadline, (
                f"after {what} the focus is on {self.page.evaluate(FOCUS)['control']!r}, "
                f"not on {selector}"
            )
            self.page.wait_for_timeout(200)
        self.focused()


def colleagues_task(page, base_url: str, colleague, restore_tasks) -> dict:
    """A listed task a colleague holds. Whether the generated hour leaves one on the ward is
    chance: the first listed nursing task nobody holds is given to the colleague, as her own
    dashboard would (put back after the test), and awaited on the list, which refreshes itself
    every minute."""
    listed = page.locator('[class*="st-key-nurse-task-"]').evaluate_all(
        "nodes => nodes.map(n => n.className.match(/st-key-nurse-task-(\\S+)/)[1])"
    )
    for task_id in listed:
        task = httpx.get(f"{base_url}/Task/{task_id}", timeout=30, auth=auth()).json()
        if task.get("owner") or task["status"] not in ("requested", "ready"):
            continue
        # A bed cleaning is left alone: completing it frees the bed as well.
        if "bettenreinigung" in str(task.get("code")):
            continue
        restore_tasks(task_id)
        return put_task_as_seen(
            page,
            base_url,
            task,
            status="in-progress",
            owner={"reference": f"Practitioner/{colleague.practitioner_id}"},
            executionPeriod={"start": datetime.now(UTC).isoformat(timespec="seconds")},
        )
    raise AssertionError("no listed task nobody holds")


def test_nurse_works_a_task_by_keyboard_alone(
    browser, dashboard, fhir_base_url, test_network, users, restore_tasks
):
    nurse = users[NURSE]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    page = context.new_page()
    OPEN_PAGES.append(page)
    page.set_default_timeout(60_000)
    keys = Keyboard(page)
    try:
        page.goto(dashboard)
        settle(page)

        keys.to('[data-testid="stTextInput"] input[autocomplete="username"]')
        page.keyboard.type(NURSE)
        keys.press("Tab")
        assert keys.on('input[type="password"]'), "Tab leads from the name to the password"
        page.keyboard.type(DEMO_PASSWORDS[NURSE])
        page.keyboard.press("Enter")
        page.get_by_text("Angemeldet:").wait_for()
        deadline = time.monotonic() + 60
        while not any(c["name"] == COOKIE_NAME for c in context.cookies()):
            assert time.monotonic() < deadline, "the session cookie never reached the browser"
            page.wait_for_timeout(200)
        settle(page)

        # Up from the start page's content into the menu.
        keys.to('a[data-testid="stPageLink-NavLink"][href$="tasks"]', key="Shift+Tab")
        keys.press("Enter")
        page.locator('[class*="st-key-nurse-complete-"]').first.wait_for()
        settle(page)

        keys.to(".st-key-nurse-ward input")
        keys.press("ArrowDown")
        options = page.get_by_role("option")
        options.first.wait_for()
        wards = options.all_inner_texts()
        keys.press("Enter")
        settle(page)
        assert keys.on(".st-key-nurse-ward input"), "the focus stays on the ward picker"
        chosen = page.locator(".st-key-nurse-ward input").input_value()
        assert chosen in wards, f"{chosen!r} is none of {wards}"

        original = colleagues_task(page, fhir_base_url, users["pflege2.demo"], restore_tasks)
        task_id = original["id"]
        keys.to(f".st-key-nurse-claim-{task_id} button")
        keys.press("Enter")
        page.get_by_text("Wirklich übernehmen?").wait_for()
        keys.lands_on(f".st-key-nurse-confirm-{task_id} button", "the question")
        screenshot(page, "keyboard-confirm")
        keys.press("Space")
        keys.lands_on(f".st-key-nurse-note-{task_id} input", "taking the task over")
        claimed = httpx.get(f"{fhir_base_url}/Task/{task_id}", timeout=30, auth=auth()).json()
        assert claimed["owner"]["reference"] == f"Practitioner/{nurse.practitioner_id}"

        note = "Tastatur: Verband gewechselt"
        page.keyboard.type(note)
        keys.to(f".st-key-nurse-complete-{task_id} button")
        keys.press("Enter")
        page.locator(f".st-key-nurse-task-{task_id}").wait_for(state="detached")
        keys.lands_on(".st-key-nurse-undo-button button", "completing the task")
        screenshot(page, "keyboard-undo-offered")
        done = httpx.get(f"{fhir_base_url}/Task/{task_id}", timeout=30, auth=auth()).json()
        assert done["status"] == "completed"
        assert note in [n["text"] for n in done.get("note", [])]

        keys.press("Enter")
        page.locator(f".st-key-nurse-task-{task_id}").wait_for()
        keys.lands_on(f".st-key-nurse-complete-{task_id} button", "taking the completion back")
        back = httpx.get(f"{fhir_base_url}/Task/{task_id}", timeout=30, auth=auth()).json()
        assert (back["status"], back["owner"]) == (claimed["status"], claimed["owner"])
        screenshot(page, "keyboard-undone")
    finally:
        context.close()
    assert keys.unseen == [], f"focus without a visible ring: {sorted(set(keys.unseen))}"
