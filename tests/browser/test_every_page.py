"""Every page of every role in a real browser, in German and in English: no text of the other
language left from Streamlit's or plotly's defaults, charts in the session's locale, and no
serious or critical accessibility violation (axe-core). Screenshots of every page go to
test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.walk import (
    ROLE_USERS,
    axe_violations,
    english_left,
    settle,
    switch_language,
    visible_words,
    walk,
)

pytestmark = pytest.mark.browser

# What Streamlit and plotly show when an app leaves their texts alone, as seen on these pages.
ENGLISH_DEFAULTS = (
    "Choose options",
    "Choose an option",
    "No results",
    "No options to select",
    "Press Enter to apply",
    "Press Enter to submit form",
    "Deploy",
    "Running...",
    "Clear all",
    "Clear value",
    "Download as CSV",
    "Search",
    "Fullscreen",
    "Close fullscreen",
    "Show password",
    "Hide password",
    "Download plot as a png",
    "Download plot",
    "Zoom in",
    "Zoom out",
    "Autoscale",
    "Reset axes",
    "Box Select",
    "Lasso Select",
    "Pan",
    "Produced with Plotly",
    "Show closest data on hover",
    "Compare data on hover",
    "Toggle Spike Lines",
    "Double-click",
    "trace 0",
    # Month and day names where English and German differ.
    "January",
    "February",
    "March",
    "May",
    "June",
    "July",
    "October",
    "December",
    "Mar",
    "Oct",
    "Dec",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Mon",
    "Tue",
    "Wed",
    "Thu",
    "Fri",
    "Sat",
    "Sun",
    "None",
    "nan",
    "NaN",
)

# The German counterparts that must not leak into the English pages.
GERMAN_DEFAULTS = (
    "Optionen wählen",
    "Option wählen",
    "Keine Ergebnisse",
    "Bitte wählen",
    "Alle auswählen",
    "Download als PNG",
    "Hineinzoomen",
    "Herauszoomen",
    "Achsen zurücksetzen",
    "Januar",
    "Februar",
    "März",
    "Mär",
    "Mai",
    "Juni",
    "Juli",
    "Oktober",
    "Okt",
    "Dezember",
    "Dez",
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
    "überfällig",
    # Not "keine" or "nicht": ICD-10-GM and OPS texts are German in every language of the UI
    # ("nicht näher bezeichnet"), and they are data, not the app's words.
    "Uhr",
    "Seite",
)

LANGUAGES = (
    ("de", None, ENGLISH_DEFAULTS, {"locale": "de", "decimal": ","}),
    ("en", ("English", "Language"), GERMAN_DEFAULTS, {"locale": "en", "decimal": "."}),
)


def open_a_patient(page, lang: str) -> None:
    """On "My patients": open the first patient, so the timeline page draws a record."""
    page.get_by_role("button", name="Verlauf öffnen" if lang == "de" else "Open timeline").click()
    settle(page)


def chart_locales(page) -> list[dict]:
    """The locale each drawn plotly chart formats with (its config as plotly.js holds it)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map((p) => {
            const context = p._context || {};
            const locale = context.locale || 'en-US';
            const format = ((context.locales || {})[locale] || {}).format || {};
            return {locale: locale, decimal: format.decimal || '.'};
        })"""
    )


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_page_speaks_one_language_and_passes_axe(role, signed_in):
    page = signed_in(ROLE_USERS[role])
    problems: list[str] = []
    for lang, picker, foreign, locale in LANGUAGES:
        if picker:
            switch_language(page, *picker)
        for title in walk(page):
            screenshot(page, f"page-{role}-{lang}-{title}")
            left = english_left(visible_words(page), foreign)
            if left:
                problems.append(f"{lang} {title}: {left}")
            for chart in chart_locales(page):
                if chart != locale:
                    problems.append(f"{lang} {title}: chart formats as {chart}")
            if lang == "de":
                for violation in axe_violations(page):
                    problems.append(f"axe {title}: {violation}")
            if role == "physician" and title == "my_patients":
                open_a_patient(page, lang)
    assert not problems, "\n".join(problems)
