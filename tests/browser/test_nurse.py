"""A ward nurse in a real browser: signs in, completes the most urgent overdue task, sees it leave
the open list and the bed board count one task less for that bed."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def bed_of(base_url: str, task: dict) -> str:
    """The bed the task's patient lies in now, from the stay's active bed entry."""
    encounter = httpx.get(f"{base_url}/{task['encounter']['reference']}", timeout=30).json()
    beds = [
        entry["location"]["reference"].split("/")[1]
        for entry in encounter["location"]
        if entry["physicalType"]["coding"][0]["code"] == "bd" and entry["status"] == "active"
    ]
    assert beds, "the patient lies in a bed"
    return beds[-1]


def work_on_bed(page, bed_id: str) -> tuple[int, int]:
    """(open, overdue) on the bed's tile of the bed board."""
    page.get_by_role("link", name="Bettenbelegung").click()
    tile = page.locator(f".st-key-nurse-bed-{bed_id}")
    tile.wait_for()
    found = re.search(r"(\d+) offen · (\d+) überfällig", tile.inner_text())
    return (int(found[1]), int(found[2])) if found else (0, 0)


def test_nurse_completes_an_overdue_task(signed_in, fhir_base_url, test_network):
    page = signed_in("pflege.demo")
    page.get_by_role("link", name="Aufgaben").click()
    button = page.locator('[class*="st-key-nurse-complete-"]').first
    button.wait_for()
    task_id = re.search(r"st-key-nurse-complete-(\S+)", button.get_attribute("class"))[1]
    row = page.locator(f".st-key-nurse-task-{task_id}")
    assert "überfällig" in row.inner_text(), "the list starts with an overdue task"
    original = httpx.get(f"{fhir_base_url}/Task/{task_id}", timeout=30).json()
    bed_id = bed_of(fhir_base_url, original)
    try:
        open_before, overdue_before = work_on_bed(page, bed_id)

        page.get_by_role("link", name="Aufgaben").click()
        page.locator(f".st-key-nurse-complete-{task_id} button").click()
        page.locator(f".st-key-nurse-task-{task_id}").wait_for(state="detached")
        screenshot(page, "nurse-tasks-after-complete")

        on_server = httpx.get(f"{fhir_base_url}/Task/{task_id}", timeout=30).json()
        assert on_server["status"] == "completed"
        assert work_on_bed(page, bed_id) == (open_before - 1, overdue_before - 1)
        screenshot(page, "nurse-bed-board-after-complete")
    finally:
        # Leave the network as its ground truth describes it for the tests that follow.
        body = {k: v for k, v in original.items() if k != "meta"}
        httpx.put(
            f"{fhir_base_url}/Task/{task_id}",
            json=body,
            headers={"Content-Type": "application/fhir+json"},
            timeout=30,
        ).raise_for_status()
