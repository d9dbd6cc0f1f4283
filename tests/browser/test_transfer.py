"""A transfer across two hospitals in two real browsers, two users signed in at once: the
physician of one hospital asks the other for a bed on "Verlegung anfragen"; that hospital's bed
manager finds the request on "Verlegungsanfragen", picks a bed and accepts; the physician's page
then shows the request accepted with that bed, without a reload. Each side's answer is read off
its own page.

The free bed the request needs is arranged through the FHIR API beforehand; the bed, the request
and everything accepting it wrote are put back afterwards.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from services.codes import BED_REQUEST, BED_RESERVATION_EXT, TRANSFER
from services.i18n import t
from services.transfers import arrival_ids
from tests.browser.conftest import screenshot
from tests.browser.walk import settle
from tests.support.transfers import PutBack, board_now, empty_beds

pytestmark = pytest.mark.browser


def choose(page, key: str, option: str) -> None:
    """Pick ``option`` in the selectbox of widget key ``key``. A page that refreshes itself
    (the transfer lists do, every 20 s) may redraw the box while its list is open and close
    it: then open it again."""
    box = page.locator(f".st-key-{key.replace('.', '-')} input")
    for _ in range(5):
        box.click()
        wanted = page.get_by_role("option", name=option, exact=True)
        try:
            wanted.click(timeout=5_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        settle(page)
        if box.input_value() == option:
            return
    raise AssertionError(f"{option!r} could not be chosen in {key}")


def sent_task(put_back: PutBack, requester: str, reason: str) -> dict:
    """The request the physician's click wrote, found by its reason."""
    bundle = put_back.http.get_json(
        "Task",
        params={
            "code": f"{BED_REQUEST}|{TRANSFER}",
            "requester": f"Organization/{requester}",
            "_sort": "-_lastUpdated",
            "_count": "50",
        },
        no_cache=True,
    )
    for entry in bundle.get("entry") or []:
        task = entry["resource"]
        if any(i.get("valueString") == reason for i in task.get("input") or []):
            return task
    raise AssertionError(f"no transfer request with the reason {reason!r} on the server")


@pytest.fixture
def put_back(platform, platform_admin):
    undo = PutBack(platform_admin)
    yield undo
    undo.undo()


def test_a_transfer_between_two_hospitals_by_two_signed_in_users(
    signed_in, platform, put_back, users
):
    doctor, manager = users["arzt.demo"], users["betten.demo"]
    target = manager.facilities[0]
    target_name = put_back.http.get_json(f"Organization/{target}")["name"]
    reason = f"Weiterbehandlung (Browsertest {uuid.uuid4().hex[:8]})"

    asking = signed_in("arzt.demo")
    answering = signed_in("betten.demo")

    asking.get_by_role("link", name=t("page.transfer_request")).click()
    asking.get_by_role("heading", name=t("page.transfer_request")).wait_for()
    settle(asking)
    choose(asking, "transfer.target", target_name)
    # What the page says the other hospital will see names the patient's age group; a bed of
    # that age group at the target hospital is arranged free, and its category asked for.
    preview = asking.get_by_text(re.compile(r"^Die angefragte Klinik sieht")).first.inner_text()
    age_group = "paediatric" if t("age_group.paediatric") in preview else "adult"
    board = board_now(platform)
    fits = (board["hospital_id"] == target) & (board["age_group"] == age_group)
    if t("transfer.no_isolation") not in preview:
        # A patient in isolation is offered only beds in a room nobody else lies in.
        busy = set(board.loc[board["status"].isin(["O", "R"]), "room_id"].dropna())
        fits &= ~board["room_id"].isin(busy)
    candidates = empty_beds(board, fits)
    assert not candidates.empty, f"{target} has a bed for {age_group} nobody lies in"
    bed_id = candidates.index[0]
    category = candidates.at[bed_id, "bed_category"]
    bed_name = candidates.at[bed_id, "name"]
    put_back.free(bed_id)
    choose(asking, "transfer.category", t(f"bed_category.{category}"))
    asking.locator(".st-key-transfer-reason input").fill(reason)
    asking.locator(".st-key-transfer-reason input").press("Enter")
    settle(asking)
    asking.locator(".st-key-transfer-send button").click()
    asking.get_by_text(t("transfer.done.send", hospital=target_name)).wait_for()
    task = sent_task(put_back, doctor.hospital_id, reason)
    put_back.made(f"Task/{task['id']}")
    put_back.made(task["basedOn"][0]["reference"])
    encounter_id, queue_id = arrival_ids(task["id"])
    put_back.made(f"Encounter/{encounter_id}")
    put_back.made(f"Task/{queue_id}")
    card = f".st-key-transfer-cancel-{task['id']}"
    asking.locator(card).wait_for()
    screenshot(asking, "transfer-asked")

    # The other hospital's bed manager finds it, with the bed among the ones offered.
    answering.get_by_role("link", name=t("page.transfer_inbound")).click()
    answering.get_by_role("heading", name=t("page.transfer_inbound")).wait_for()
    accept = answering.locator(f".st-key-transfer-accept-{task['id']} button")
    accept.wait_for()
    choose(answering, f"transfer.bed.{task['id']}", bed_name)
    accept.click()
    answering.get_by_text(t("transfer.done.accept", bed=bed_name)).wait_for()
    settle(answering)
    # Answered, the request shows as reserved on the bed manager's page.
    reserved_words = (
        f"{t('transfer.state.reserved')} · "
        + t("transfer.reserved_until", bed=bed_name, time="X").removesuffix("X").rstrip()
    )
    answering.get_by_text(reserved_words, exact=False).first.wait_for()
    assert not answering.locator(f".st-key-transfer-accept-{task['id']}").count()
    screenshot(answering, "transfer-accepted")

    # The physician's list refreshes on its own and shows the answer with the bed.
    badge = asking.get_by_text(reserved_words, exact=False).first
    badge.wait_for(timeout=90_000)
    assert bed_name in badge.inner_text()
    screenshot(asking, "transfer-answer-seen")

    # What the pages said is what the server holds: the request accepted, the bed held for it.
    stored = put_back.http.get_json(f"Task/{task['id']}", no_cache=True)
    assert stored["status"] == "accepted"
    assert stored["output"][0]["valueReference"]["reference"] == f"Location/{bed_id}"
    bed = put_back.http.get_json(f"Location/{bed_id}", no_cache=True)
    held = next(e for e in bed["extension"] if e["url"] == BED_RESERVATION_EXT)
    assert {"url": "auftrag", "valueReference": {"reference": f"Task/{task['id']}"}} in held[
        "extension"
    ]
