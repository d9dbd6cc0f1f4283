"""The network manager in a real browser: signs in, opens the capacity page, sees the network's
beds as the ground truth has them, switches to English and back."""

from __future__ import annotations

import pytest

from services.i18n import fmt_number, t
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def choose_language(page, label: str, option: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text=label
    ).click()
    page.get_by_role("option", name=option).click()


def test_manager_sees_capacity_and_switches_language(signed_in, test_network):
    status = test_network.ground_truth["totals"]["bed_status"]
    page = signed_in("management.demo")
    page.get_by_role("link", name=t("page.capacity")).click()
    page.get_by_role("heading", name=t("page.capacity")).wait_for()
    total = page.locator('[data-testid="stMetric"]').filter(has_text=t("col.total"))
    assert fmt_number(sum(status.values())) in total.inner_text()
    occupied = page.locator('[data-testid="stMetric"]').filter(has_text=t("col.occupied"))
    assert fmt_number(status["O"]) in occupied.inner_text()
    # Table cells are drawn on a canvas; the overview heading is in the page's text.
    page.get_by_text(t("mgr.overview")).first.wait_for()
    screenshot(page, "manager-capacity-de")

    choose_language(page, t("lang.label"), t("lang.en"))
    page.get_by_role("heading", name=t("page.capacity", "en")).wait_for()
    page.get_by_text(t("mgr.overview", "en")).wait_for()
    screenshot(page, "manager-capacity-en")

    choose_language(page, t("lang.label", "en"), t("lang.de", "en"))
    page.get_by_role("heading", name=t("page.capacity")).wait_for()
    page.get_by_text(t("mgr.overview")).wait_for()


def test_manager_sees_the_staffing_floors_and_the_divi_report(signed_in, test_network):
    page = signed_in("management.demo")
    page.get_by_role("link", name=t("page.staffing")).click()
    page.get_by_role("heading", name=t("page.staffing")).wait_for()
    below = page.locator('[data-testid="stMetric"]').filter(has_text=t("staff.kpi.below_today"))
    below.wait_for()
    screenshot(page, "manager-staffing-floors")

    page.get_by_role("link", name=t("page.divi")).click()
    page.get_by_role("heading", name=t("page.divi")).wait_for()
    beds = page.locator('[data-testid="stMetric"]').filter(has_text=t("divi.kpi.beds"))
    # The page opens on the first hospital by id.
    now = test_network.ground_truth["divi"]["now"]
    hospital = now[min(now)]
    in_service = sum(
        figures["beds"] for key, figures in hospital["beds"].items() if not key.startswith("ecmo")
    )
    assert fmt_number(in_service) in beds.inner_text()
    page.get_by_text(t("divi.form.title")).wait_for()
    screenshot(page, "manager-divi")
