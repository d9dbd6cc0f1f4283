"""A physician signs in, searches a patient of the own hospital, clicks the row and sees the
timeline drawn; opens a patient known only at another hospital by stating a reason
(break-glass) and sees the safety header before anything else of the record."""

from __future__ import annotations

import pytest

from demo_data.codes import ALLERGENS
from demo_data.users import build_demo_users
from services import queries
from services.config import Settings
from services.i18n import t
from services.platform import Platform
from tests.browser.conftest import screenshot
from tests.browser.walk import settle
from tests.support.keycloak import source

pytestmark = pytest.mark.browser


def doctors_hospital(fhir_base_url: str) -> str:
    """The hospital of the demo physician ``arzt.demo``."""
    platform = Platform(Settings(sources=(source("Test", fhir_base_url),)))
    try:
        read = platform.read(queries.practitioner_roles())
    finally:
        platform.close()
    users = build_demo_users(read["practitioner_role"], read["practitioner"])
    return users["arzt.demo"]["scope"]["hospital"]


def search(page, kvnr: str) -> None:
    """Find one person by KVNR on the search page and click the result's row."""
    page.get_by_role("link", name="Patientensuche").click()
    page.get_by_label("KVNR, Patienten-/Fallnummer, Pseudonym").fill(kvnr)
    page.get_by_role("button", name="Suchen").click()
    page.get_by_text("1 Personen gefunden").wait_for()
    page.get_by_text("Zeile anklicken, um den Verlauf zu öffnen.").wait_for()
    # The grid is drawn on a canvas: click the first data row (below the header row).
    grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    assert grid is not None
    page.mouse.click(grid["x"] + 16, grid["y"] + 35 + 17)


def own_hospital_kvnr(fhir_base_url: str, test_network) -> str:
    hospital = doctors_hospital(fhir_base_url)
    truth = test_network.ground_truth["patient_resources"]
    # A person seen at the own hospital and elsewhere, so the timeline has two hospital lanes.
    return min(k for k, v in truth.items() if hospital in v and len(v) > 1)


def test_physician_finds_a_patient_and_sees_the_timeline(signed_in, fhir_base_url, test_network):
    kvnr = own_hospital_kvnr(fhir_base_url, test_network)
    page = signed_in("arzt.demo")
    search(page, kvnr)
    page.get_by_text("Aktueller Aufenthalt").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    assert page.get_by_role("heading", name="Verlauf:").count() >= 1
    assert page.locator(".js-plotly-plot .ytick").count() >= 2, "a lane per hospital and kind"
    screenshot(page, "physician-timeline")


def test_physician_opens_another_hospitals_patient_by_reason_and_sees_the_header_first(
    signed_in, fhir_base_url, test_network
):
    own = doctors_hospital(fhir_base_url)
    truth = test_network.ground_truth
    # Known only elsewhere, with allergies: what a doctor must not miss comes from the other
    # hospital's record.
    kvnr = min(
        k
        for k, hospitals in truth["patient_resources"].items()
        if own not in hospitals and truth["safety"][k]["allergy_state"] == "known"
    )
    names = {a.code.code: a.code.display for a in ALLERGENS}
    substances = [names[code] for code in truth["safety"][kvnr]["allergies"]]
    page = signed_in("arzt.demo")
    search(page, kvnr)
    page.get_by_text(t("search.reason_help")).wait_for()
    assert page.get_by_text(t("stay.title")).count() == 0, "nothing opens without a reason"
    page.locator('[data-testid="stSelectbox"]').filter(
        has_text=t("break_glass.reason_kind")
    ).click()
    page.get_by_role("option", name=t("break_glass.emergency")).click()
    page.get_by_label(t("search.reason")).fill("Bewusstlos eingeliefert, Vorbefunde benötigt")
    # A text area hands its value to the app on Ctrl+Enter (or on leaving it).
    page.keyboard.press("Control+Enter")
    settle(page)
    page.get_by_role("button", name=t("search.open")).click()
    page.get_by_text(t("stay.title"), exact=True).wait_for()
    settle(page)

    main = page.locator('[data-testid="stMain"]')
    alerts = main.locator('[data-testid="stAlert"]')
    header = alerts.first
    assert t("safety.allergies") in header.inner_text(), header.inner_text()
    for substance in substances:
        assert substance in header.inner_text(), substance
    note = alerts.filter(has_text="Bewusstlos eingeliefert")
    assert note.count() == 1, "the reason is shown on the record"
    stay = main.get_by_text(t("stay.title"), exact=True)
    tops = [box["y"] for box in (header.bounding_box(), note.bounding_box(), stay.bounding_box())]
    assert tops == sorted(tops), "header, then the reason, then the record"
    screenshot(page, "physician-break-glass")
