"""A ward nurse in a real browser: signs in, completes the most urgent overdue task (confirming
first where a colleague holds it), sees it leave the open list and the bed board count one task
less for that bed; takes a completion back with the undo offered for a few seconds."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from services import queries
from services.i18n import t
from tests.browser.conftest import put_task_as_seen, screenshot
from tests.support.keycloak import auth

pytestmark = pytest.mark.browser


def fetch(url: str) -> dict:
    """A resource as the server holds it, read with the tests' own token."""
    return httpx.get(url, timeout=30, auth=auth()).json()


def beds_of(base_url: str, task: dict) -> list[str]:
    """The beds the task's patient lies in now, from the stay's active bed entries."""
    encounter = fetch(f"{base_url}/{task['encounter']['reference']}")
    return [
        entry["location"]["reference"].split("/")[1]
        for entry in encounter.get("location", [])
        if entry["physicalType"]["coding"][0]["code"] == "bd" and entry["status"] == "active"
    ]


def bed_of(base_url: str, task: dict) -> str:
    """The bed the task's patient lies in now."""
    beds = beds_of(base_url, task)
    assert beds, "the patient lies in a bed"
    return beds[-1]


def waiting_in_a_bed(base_url: str, platform, nurse) -> dict:
    """The first waiting nursing task by id nobody holds of a patient in a bed of the nurse's
    ward, as it is (to be put back)."""
    ward_id = nurse.wards[0]
    tasks = platform.read(queries.open_tasks_of_wards([ward_id]), no_cache=True)["task"]
    waiting = tasks[
        (tasks["ward_id"] == ward_id)
        & (tasks["code"] != "bettenreinigung")
        & tasks["encounter_id"].notna()
        & tasks["owner_id"].isna()
        & tasks["status"].isin(("requested", "ready"))
    ].sort_values("id")
    for task_id in waiting["id"]:
        original = fetch(f"{base_url}/Task/{task_id}")
        if beds_of(base_url, original):
            return original
    raise AssertionError("no waiting nursing task of a patient in a bed of the ward")


def work_on_bed(page, bed_id: str) -> tuple[int, int]:
    """(open, overdue) on the bed's tile of the bed board."""
    page.get_by_role("link", name="Bettenbelegung").click()
    page.get_by_text(t("beds.tiles")).click()
    tile = page.locator(f".st-key-nurse-bed-{bed_id}")
    tile.wait_for()
    found = re.search(r"(\d+) offen · (\d+) überfällig", tile.inner_text())
    return (int(found[1]), int(found[2])) if found else (0, 0)


def falling_due(base_url: str, task: dict) -> list[datetime]:
    """The due times of the other open tasks of the task's stay: the bed board counts them at
    the patient's bed, overdue from their due time on."""
    found = httpx.get(
        f"{base_url}/Task",
        params={
            "encounter": task["encounter"]["reference"],
            "status": "requested,ready,in-progress",
            "_count": 200,
        },
        timeout=30,
        auth=auth(),
    ).json()
    others = [e["resource"] for e in found.get("entry", []) if e["resource"]["id"] != task["id"]]
    return [
        datetime.fromisoformat(other["restriction"]["period"]["end"])
        for other in others
        if (other.get("restriction") or {}).get("period", {}).get("end")
    ]


def put_back(base_url: str, original: dict) -> None:
    """Leave the network as its ground truth describes it for the tests that follow."""
    httpx.put(
        f"{base_url}/Task/{original['id']}",
        json={k: v for k, v in original.items() if k != "meta"},
        headers={"Content-Type": "application/fhir+json"},
        timeout=30,
        auth=auth(),
    ).raise_for_status()


def held_by_another(task: dict, nurse) -> bool:
    owner = (task.get("owner") or {}).get("reference")
    return bool(owner) and owner != f"Practitioner/{nurse.practitioner_id}"


def test_nurse_completes_an_overdue_task(signed_in, fhir_base_url, test_network, users, platform):
    original = waiting_in_a_bed(fhir_base_url, platform, users["pflege.demo"])
    task_id = original["id"]
    try:
        page = signed_in("pflege.demo")
        page.get_by_role("link", name="Aufgaben").click()
        page.locator('[class*="st-key-nurse-complete-"]').first.wait_for()
        # Whether the ward has an overdue task when the test runs depends on the hour the
        # network was generated for: the task is made the most urgent one, immediate and due an
        # hour before every open task of the network (the generator's are due from six hours
        # before its as-of instant on).
        due = test_network.as_of - timedelta(hours=7)
        put_task_as_seen(
            page,
            fhir_base_url,
            original,
            priority="stat",
            restriction={"period": {"end": due.isoformat()}},
        )
        button = page.locator('[class*="st-key-nurse-complete-"]').first
        expect(button).to_have_class(
            re.compile(rf"st-key-nurse-complete-{re.escape(task_id)}(\s|$)")
        )
        row = page.locator(f".st-key-nurse-task-{task_id}")
        assert "überfällig" in row.inner_text(), "the list starts with an overdue task"
        bed_id = bed_of(fhir_base_url, original)
        # The board counts overdue at the moment it is drawn: another task of the patient may
        # fall due between the two readings, so the moments of both readings are kept.
        first_read = datetime.now(UTC)
        open_before, overdue_before = work_on_bed(page, bed_id)
        first_drawn = datetime.now(UTC)

        page.get_by_role("link", name="Aufgaben").click()
        page.locator(f".st-key-nurse-complete-{task_id} button").click()
        page.locator(f".st-key-nurse-task-{task_id}").wait_for(state="detached")
        screenshot(page, "nurse-tasks-after-complete")

        on_server = fetch(f"{fhir_base_url}/Task/{task_id}")
        assert on_server["status"] == "completed"
        second_read = datetime.now(UTC)
        open_after, overdue_after = work_on_bed(page, bed_id)
        second_drawn = datetime.now(UTC)
        due = falling_due(fhir_base_url, original)
        # Surely between the two drawings, and perhaps (during one of them).
        surely = sum(first_drawn < d <= second_read for d in due)
        perhaps = sum(first_read < d <= second_drawn for d in due)
        assert open_after == open_before - 1
        assert surely <= overdue_after - (overdue_before - 1) <= perhaps, (due, overdue_after)
        screenshot(page, "nurse-bed-board-after-complete")
    finally:
        put_back(fhir_base_url, original)


def test_nurse_confirms_a_colleagues_task_and_takes_it_back(
    signed_in, fhir_base_url, test_network, users
):
    nurse, colleague = users["pflege.demo"], users["pflege2.demo"]
    page = signed_in("pflege.demo")
    # A click on the menu while the start page still loads can be lost: let it finish first.
    page.get_by_text("Meine Station jetzt").wait_for()
    page.get_by_role("link", name="Aufgaben").click()
    page.locator('[class*="st-key-nurse-complete-"]').first.wait_for()
    listed = [
        re.search(r"st-key-nurse-task-(\S+)", c)[1]
        for c in page.locator('[class*="st-key-nurse-task-"]').evaluate_all(
            "nodes => nodes.map(n => n.className)"
        )
    ]
    # Whether the generated hour leaves a colleague's task on the ward is chance: the test
    # gives one to the colleague itself, as her own dashboard would.
    free = next(
        t
        for t in (fetch(f"{fhir_base_url}/Task/{i}") for i in listed)
        if not t.get("owner") and t["status"] in ("requested", "ready")
    )
    try:
        put_task_as_seen(
            page,
            fhir_base_url,
            free,
            status="in-progress",
            owner={"reference": f"Practitioner/{colleague.practitioner_id}"},
        )
        original = fetch(f"{fhir_base_url}/Task/{free['id']}")
        assert held_by_another(original, nurse)
        confirm_and_take_back(page, fhir_base_url, original)
    finally:
        put_back(fhir_base_url, free)


def confirm_and_take_back(page, fhir_base_url: str, original: dict) -> None:
    task_id = original["id"]
    page.locator(f".st-key-nurse-complete-{task_id} button").click()
    page.get_by_text("Trotzdem als erledigt eintragen?").wait_for()
    screenshot(page, "nurse-confirm-colleagues-task")
    assert fetch(f"{fhir_base_url}/Task/{task_id}")["meta"] == (original["meta"]), (
        "nothing written before the answer"
    )

    page.locator(f".st-key-nurse-confirm-{task_id} button").click()
    page.locator(f".st-key-nurse-task-{task_id}").wait_for(state="detached")
    undo = page.locator(".st-key-nurse-undo-button button")
    undo.wait_for()
    screenshot(page, "nurse-undo-offered")
    assert fetch(f"{fhir_base_url}/Task/{task_id}")["status"] == ("completed")

    undo.click()
    page.locator(f".st-key-nurse-task-{task_id}").wait_for()
    back = fetch(f"{fhir_base_url}/Task/{task_id}")
    assert (back["status"], back["owner"]) == (original["status"], original["owner"])
    page.locator(".st-key-nurse-undo").wait_for(state="detached")


def test_reload_keeps_the_session_and_idleness_ends_it(signed_in, dashboard_workdir):
    page = signed_in("pflege2.demo")
    page.reload()
    page.get_by_text("Angemeldet:").wait_for()
    assert page.get_by_label("Passwort").count() == 0

    page.get_by_role("link", name="Aufgaben").click()
    page.locator('[class*="st-key-nurse-task-"]').first.wait_for()
    # 31 quiet minutes, written back into the session store instead of waited for. The task
    # list refreshes itself every minute; that refresh checks the session and ends it.
    with sqlite3.connect(dashboard_workdir / "sessions.sqlite") as db:
        db.execute(
            "UPDATE sessions SET last_activity = ? WHERE username = ? AND revoked IS NULL",
            ((datetime.now(UTC) - timedelta(minutes=31)).timestamp(), "pflege2.demo"),
        )
    page.get_by_label("Passwort").wait_for(timeout=120_000)
    assert page.get_by_text("Ihre Sitzung ist beendet").count() == 1
    assert page.locator('[class*="st-key-nurse-task-"]').count() == 0
    screenshot(page, "nurse-idle-session-ended")
    page.reload()
    page.get_by_label("Passwort").wait_for()
