"""The network manager in a real browser: signs in, opens the capacity page, sees the network's
beds as the ground truth has them, switches to English and back."""

from __future__ import annotations

import re

import pytest

from services.i18n import fmt_number, fmt_percent, t
from services.search import query
from tests.browser.conftest import grid_rows, screenshot
from tests.browser.walk import settle

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


def icu_free(truth: dict) -> dict[str, int]:
    """Free ICU beds (high and low care) per hospital id, from the ground truth."""
    free: dict[str, int] = {}
    for ward, categories in truth["beds_by_ward"].items():
        hospital = "org-" + ward[len("loc-") : ward.rindex("-w")]
        for category, counts in categories.items():
            if category.startswith("icu"):
                free[hospital] = free.get(hospital, 0) + counts["U"]
    return free


def hospital_names(platform) -> dict[str, str]:
    frame = platform.read(query("Organization").elements("name"))["organization"]
    return dict(zip(frame["id"], frame["name"], strict=True))


def test_where_can_an_icu_patient_go_now(signed_in, test_network, platform):
    truth = test_network.ground_truth
    names = hospital_names(platform)
    page = signed_in("management.demo")
    page.get_by_text(t("home.manager.title")).wait_for()
    settle(page)
    rows = {r[t("col.hospital")]: r for r in grid_rows(page, 0)}
    icu = t("mgr.placing.free", care=t("mgr.care.icu"))
    expected = icu_free(truth)
    # Every hospital and the network total are drawn: nothing behind a scroll bar.
    assert set(rows) == {names[h] for h in truth["bed_status"]} | {t("network.total")}
    for hospital, free in expected.items():
        assert rows[names[hospital]][icu] == fmt_number(free), hospital
    assert rows[t("network.total")][icu] == fmt_number(sum(expected.values()))
    page.get_by_text(t("mgr.placing.blocked")).wait_for()
    screenshot(page, "manager-start-free-beds")


def test_which_ward_is_overloaded_this_week(signed_in, test_network):
    truth = test_network.ground_truth
    days = truth["census_dates"][-7:]
    occupancy = {}
    for ward, per_day in truth["census"].items():
        counts = truth["bed_status_by_ward"][ward]
        beds = sum(counts.values()) - counts["C"]
        occupancy[ward] = sum(per_day.get(d, 0) for d in days) / len(days) / beds
    page = signed_in("management.demo")
    page.get_by_role("link", name=t("page.trends")).click()
    page.get_by_role("heading", name=t("mgr.ranking", days=7)).wait_for()
    settle(page)
    top = grid_rows(page, 0)[0]
    assert top[t("mgr.col.rank")] == "1"
    assert top[t("col.occupancy")] == fmt_percent(max(occupancy.values()))
    sentence = page.get_by_text(t("mgr.ranking.top").split("**")[0]).first.inner_text()
    assert top[t("col.ward")] in sentence
    screenshot(page, "manager-ward-ranking")


def test_how_many_beds_are_free_tomorrow(signed_in, test_network):
    status = test_network.ground_truth["totals"]["bed_status"]
    in_service = sum(status.values()) - status["C"]
    page = signed_in("management.demo")
    page.get_by_role("link", name=t("page.forecast")).click()
    head = t("mgr.forecast.tomorrow").split("**")[0].strip()
    line = page.get_by_text(head).first
    line.wait_for()
    settle(page)
    span = re.findall(r"(\d[\d.]*)–(\d[\d.]*)", line.inner_text())[0]
    low, high = (int(n.replace(".", "")) for n in span)
    assert 0 <= low <= high <= in_service
    assert grid_rows(page, 0)[0][t("mgr.forecast.free_range")] == f"{low}–{high}"
    body = page.locator("section.main, [data-testid='stMain']").first.inner_text()
    assert "Band" not in body and "Backtest" not in body
    screenshot(page, "manager-forecast-free-beds")
