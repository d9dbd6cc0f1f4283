"""The bed board of the demo nurse's ward on a 1920 x 1080 screen: every bed on the grid, and the
grid ends above the bottom of the screen and within its width (no scrolling to see a bed)."""

from __future__ import annotations

import pytest

from services.i18n import t
from tests.browser.conftest import screenshot
from tests.browser.walk import settle

pytestmark = pytest.mark.browser


def test_the_whole_ward_fits_on_one_screen(signed_in, test_network, users):
    page = signed_in("pflege.demo")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.get_by_role("link", name=t("page.bed_board")).click()
    page.get_by_text(t("grid.help")).wait_for()
    settle(page)
    grids = page.locator('[data-testid="stDataFrame"]')
    ward = users["pflege.demo"].wards[0]
    beds = sum(test_network.ground_truth["bed_status_by_ward"][ward].values())
    assert grids.count() >= 1
    measured = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')];
            const boxes = grids.map((g) => g.getBoundingClientRect());
            return {
                height: window.innerHeight,
                width: window.innerWidth,
                bottom: Math.max(...boxes.map((b) => b.bottom)),
                right: Math.max(...boxes.map((b) => b.right)),
                scroll: main.scrollHeight,
                view: main.clientHeight,
                cells: grids.map((g) => g.querySelectorAll('[role="gridcell"]').length),
            };
        }"""
    )
    shot = screenshot(page, "nurse-bed-grid-1920x1080")
    assert measured["bottom"] <= measured["height"], (measured, shot)
    assert measured["right"] <= measured["width"], (measured, shot)
    assert measured["scroll"] <= measured["view"], ("the page does not scroll", measured, shot)
    # The grid's accessible cells: one per bed place (rooms shorter than the longest leave
    # empty places), so at least every bed.
    assert sum(measured["cells"]) >= beds, measured
