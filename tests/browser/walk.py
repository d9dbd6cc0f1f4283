"""Walking every page of a role in one signed-in browser page: menu, language, settling, axe.

A walk clicks the sidebar links (one Streamlit session per role, so the walk costs one sign-in)
and waits after each click until the script run has finished and the charts are drawn.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

ROLE_USERS = {
    "physician": "arzt.demo",
    "nurse": "pflege.demo",
    "manager": "management.demo",
    "admin": "admin.demo",
}

# Streamlit's own markup that the app cannot reach; each entry is (rule id, selector, reason).
AXE_EXCLUSIONS: tuple[tuple[str, str, str], ...] = ()


def settle(page, timeout: float = 60_000) -> None:
    """Wait until the script run is over and every chart is drawn.

    The app's root element carries the script's state; a click starts a run a moment later, so
    the state is read after a short pause, and twice, because one run can start another (a
    fragment, a page switch).
    """
    for _ in range(2):
        page.wait_for_timeout(300)
        page.wait_for_function(
            """() => {
                const app = document.querySelector('[data-testid="stApp"]');
                const plots = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
                return app && app.dataset.testScriptState === 'notRunning'
                    && !document.querySelector('[data-stale="true"]')
                    && !document.querySelector('[data-testid="stSpinner"]')
                    && plots.every((p) => p.querySelector('.main-svg'));
            }""",
            timeout=timeout,
        )


NAV_LINK = '[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]'


def menu(page) -> list[str]:
    """The addresses of the role's pages, in menu order (sign-out left out)."""
    links = page.locator(NAV_LINK)
    links.first.wait_for()
    hrefs = [links.nth(n).get_attribute("href") or "" for n in range(links.count())]
    return [h for h in hrefs if not h.rstrip("/").endswith("logout")]


def walk(page) -> Iterator[str]:
    """Open every page of the menu in turn; yields each page's address (``tasks``, or ``home``
    for the start page) once it has settled."""
    settle(page)
    for href in menu(page):
        page.locator(f'{NAV_LINK}[href="{href}"]').click()
        settle(page)
        # A page that fails shows Streamlit's error box; no page may ever show one.
        assert not page.locator('[data-testid="stException"]').count(), f"{href} failed"
        yield href.rstrip("/").rsplit("/", 1)[-1].split(":")[-1] or "home"


def switch_language(page, name: str, label: str) -> None:
    """Pick a language by its name as the picker shows it; ``label`` is the picker's label in
    the new language, awaited as the sign that the app speaks it."""
    picker = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    picker.click()
    page.get_by_role("option", name=name).click()
    settle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True).wait_for()


# Streamlit's own English that an app cannot translate (Streamlit 1.67): the tooltips and
# aria-labels of the toolbar above tables and charts ("Download as CSV", "Search", "Fullscreen"),
# the "Running..." indicator of a script run, the aria-label of a multiselect's clear button
# ("Clear all"), and the "Fullscreen" button Streamlit adds to plotly's toolbar (plotly
# translates its own buttons only). The walk reads past them.
UNTRANSLATABLE = ", ".join(
    (
        '[data-testid="stElementToolbar"]',
        '[data-testid="stStatusWidget"]',
        '[data-testid="stMultiSelect"] button[aria-label="Clear all"]',
        '.modebar-btn[data-title="Fullscreen"]',
    )
)


def visible_words(page) -> str:
    """What a reader meets: the page text, placeholders, titles and aria-labels, and the texts
    drawn into the charts."""
    return page.evaluate(
        """(skip) => {
            const parts = [document.body.innerText, document.title];
            const named = '[placeholder],[aria-label],[title],[data-title]';
            for (const el of document.querySelectorAll(named)) {
                if (el.closest(skip)) continue;
                for (const name of ['placeholder', 'aria-label', 'title', 'data-title']) {
                    const value = el.getAttribute(name);
                    if (value) parts.push(value);
                }
            }
            for (const el of document.querySelectorAll('.js-plotly-plot text')) {
                parts.push(el.textContent);
            }
            return parts.join('\\n');
        }""",
        UNTRANSLATABLE,
    )


def english_left(text: str, words: tuple[str, ...]) -> list[str]:
    """The words of ``words`` that occur in ``text`` as whole words."""
    return [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def axe_violations(page, rules: tuple[str, ...] = ()) -> list[dict]:
    """Serious and critical axe-core violations of the page (of ``rules`` only, when given),
    minus the listed exclusions."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (rules) => {
            const options = {resultTypes: ['violations']};
            if (rules.length) options.runOnly = {type: 'rule', values: rules};
            const r = await axe.run(document, options);
            return r.violations;
        }""",
        list(rules),
    )
    found = []
    for violation in result:
        if violation["impact"] not in {"serious", "critical"}:
            continue
        nodes = [
            node
            for node in violation["nodes"]
            if not any(
                rule == violation["id"] and any(selector in s for s in node["target"])
                for rule, selector, _ in AXE_EXCLUSIONS
            )
        ]
        if nodes:
            found.append(
                {
                    "id": violation["id"],
                    "impact": violation["impact"],
                    "help": violation["help"],
                    "targets": [json.dumps(n["target"]) for n in nodes[:5]],
                    "html": [n["html"][:200] for n in nodes[:3]],
                }
            )
    return found
