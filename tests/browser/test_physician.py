"""A physician signs in, searches a patient of the own hospital, clicks the row and sees the
timeline drawn."""

from __future__ import annotations

import pytest

from demo_data.users import build_demo_users
from services import queries
from services.config import Settings
from services.platform import Platform
from tests.browser.conftest import screenshot
from tests.support.keycloak import source

pytestmark = pytest.mark.browser


def own_hospital_kvnr(fhir_base_url: str, test_network) -> str:
    platform = Platform(Settings(sources=(source("Test", fhir_base_url),)))
    try:
        read = platform.read(queries.practitioner_roles())
    finally:
        platform.close()
    users = build_demo_users(read["practitioner_role"], read["practitioner"])
    hospital = users["arzt.demo"]["scope"]["hospital"]
    truth = test_network.ground_truth["patient_resources"]
    # A person seen at the own hospital and elsewhere, so the timeline has two hospital lanes.
    return min(k for k, v in truth.items() if hospital in v and len(v) > 1)


def test_physician_finds_a_patient_and_sees_the_timeline(signed_in, fhir_base_url, test_network):
    kvnr = own_hospital_kvnr(fhir_base_url, test_network)
    page = signed_in("arzt.demo")
    page.get_by_role("link", name="Patientensuche").click()
    page.get_by_label("KVNR, Patienten-/Fallnummer, Pseudonym").fill(kvnr)
    page.get_by_role("button", name="Suchen").click()
    page.get_by_text("1 Personen gefunden").wait_for()
    page.get_by_text("Zeile anklicken, um den Verlauf zu öffnen.").wait_for()
    assert page.get_by_text("Aktueller Aufenthalt").count() == 0, "nothing opens before a click"
    # The grid is drawn on a canvas: click the first data row (below the header row).
    grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    assert grid is not None
    page.mouse.click(grid["x"] + 16, grid["y"] + 35 + 17)
    page.get_by_text("Aktueller Aufenthalt").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    assert page.get_by_role("heading", name="Verlauf:").count() >= 1
    assert page.locator(".js-plotly-plot .ytick").count() >= 2, "a lane per hospital and kind"
    screenshot(page, "physician-timeline")
