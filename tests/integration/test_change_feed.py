"""A ward's kept reads stay current through one feed of changes (against the test server): past
their lifetime they cost one history request for every read of the process, not a search each;
a change another client makes to a resource of their types shows on the next view, a deletion
too; and the feed's request is sent once however many sessions ask at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import components.data as data
from components.scope import flags_of, stays
from components.session import platform as app_platform
from services.change_feed import CLOCK_SKEW
from services.roles import User
from tests.support.apptest import APP, seed_session

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]

# The kinds of a ward's reads whose lifetime the tests shorten to one second.
WARD_KINDS = ("Task", "Encounter", "Flag", "Observation", "Location", "Patient")


@pytest.fixture
def sent():
    """The FHIR GETs the app's own connection sends while the test runs (path and query)."""
    st.cache_data.clear()
    urls: list[str] = []
    client = app_platform().http()._client

    def record(request) -> None:
        # Token requests to the identity provider go through the same connection.
        if request.method == "GET" and "/protocol/openid-connect/" not in request.url.path:
            urls.append(str(request.url))

    client.event_hooks["request"].append(record)
    try:
        yield urls
    finally:
        client.event_hooks["request"].clear()


@pytest.fixture
def short_lives(monkeypatch):
    """Every kind of a ward's reads lives one second: the next view past it asks the feed."""
    for kind in WARD_KINDS:
        monkeypatch.setitem(data.TTL, kind, 1)


def expire() -> None:
    time.sleep(1.2)


def history(urls: list[str]) -> list[str]:
    return [url for url in urls if "/_history?" in url]


def searches(urls: list[str]) -> list[str]:
    return [url for url in urls if "/_history?" not in url]


def bed_board(user: User, ward_id: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    seed_session(at, user)
    at.session_state["lang"] = "de"
    at.session_state["nurse.ward"] = ward_id
    return at.switch_page("pages/bed_board.py")


def test_a_colleagues_bed_board_past_every_lifetime_sends_one_history_request(
    users, sent, short_lives
):
    nurse = users["pflege.demo"]
    ward = nurse.wards[0]
    # Writes of the tests before this one lie within the feed's allowance for clock skew for a
    # few seconds: they would count as changes of the ward.
    time.sleep(CLOCK_SKEW.total_seconds() + 1)
    at = bed_board(nurse, ward).run()
    assert not at.exception
    data._kept_reads().feed.current(0)
    expire()
    # The reads of the first view predate the feed: this view brings them up to it.
    assert not bed_board(nurse, ward).run().exception
    expire()

    sent.clear()
    colleague = bed_board(replace(users["pflege2.demo"], wards=(ward,)), ward).run()
    assert not colleague.exception
    assert colleague.selectbox(key="nurse.ward").value == ward
    ward_reads = [
        u
        for u in searches(sent)
        if any(f"/{kind}?" in u for kind in ("Task", "Encounter", "Flag", "Observation", "Patient"))
    ]
    assert len(history(sent)) == 1, sent
    assert ward_reads == [], "no ward read: nothing of the ward changed"


def test_an_unchanged_ward_costs_one_history_request_and_a_new_flag_shows(
    users, platform_admin, sent, short_lives
):
    ward = users["pflege.demo"].wards[0]
    placed, first_stays = stays(ward_ids=(ward,), with_patients=True)
    patient = placed["patient_id"].dropna().iloc[0]
    first_flags = flags_of(placed)
    assert first_flags is not None and not first_stays.errors
    # The feed starts with its first request: reads older than that are checked by a search.
    data._kept_reads().feed.current(0)
    expire()
    stays(ward_ids=(ward,), with_patients=True)
    flags_of(placed)
    expire()

    sent.clear()
    again, stay_read = stays(ward_ids=(ward,), with_patients=True)
    flag_read = flags_of(placed)
    assert len(history(sent)) == 1, sent
    assert searches(sent) == [], "nothing changed: no Encounter, Patient or Flag search"
    assert set(again["encounter_id"]) == set(placed["encounter_id"])
    assert len(flag_read["flag"]) == len(first_flags["flag"])
    assert min(stay_read.fetched_at.values()) > min(first_stays.fetched_at.values())

    # Another client (the platform's admin) flags a patient of the ward.
    admin = platform_admin.http()
    flag = admin.send_json(
        "POST",
        "Flag",
        {
            "resourceType": "Flag",
            "status": "active",
            "code": {"text": "Feed-Test"},
            "subject": {"reference": f"Patient/{patient}"},
        },
    )
    deleted = False
    try:
        expire()
        sent.clear()
        stays(ward_ids=(ward,), with_patients=True)
        flag_read = flags_of(placed)
        assert len(history(sent)) == 1, sent
        assert [u for u in searches(sent) if "/Flag?" in u], "a Flag changed: the flags are read"
        assert not [u for u in searches(sent) if "/Encounter?" in u or "/Patient?" in u], sent
        assert flag["id"] in set(flag_read["flag"]["id"])

        # A deletion is no change a search of changes can bring: the flags are read anew.
        admin.send_json("DELETE", f"Flag/{flag['id']}")
        deleted = True
        expire()
        sent.clear()
        flag_read = flags_of(placed)
        assert [u for u in searches(sent) if "/Flag?" in u and "_lastUpdated" not in u], sent
        assert flag["id"] not in set(flag_read["flag"]["id"])
    finally:
        if not deleted:
            admin.send_json("DELETE", f"Flag/{flag['id']}")


def test_sessions_asking_at_once_send_one_history_request(sent):
    feed = data._kept_reads().feed
    feed.current(0)
    expire()
    sent.clear()
    with ThreadPoolExecutor(20) as pool:
        stamps = list(pool.map(lambda _: feed.current(1), range(20)))
    assert len(history(sent)) == 1, sent
    assert len(set(stamps)) == 1 and stamps[0] is not None


def test_a_ward_read_is_checked_at_the_pages_refresh_not_at_its_types_lifetime(
    users, sent, monkeypatch
):
    # The stays' own lifetime (120 s) is longer than the bed board's promised refresh: the
    # refresh bounds how long a kept read is handed out unchecked.
    assert data.TTL["Encounter"] > data.KEPT_SECONDS
    monkeypatch.setattr(data, "KEPT_SECONDS", 1)
    ward = users["pflege.demo"].wards[0]
    time.sleep(CLOCK_SKEW.total_seconds() + 1)
    stays(ward_ids=(ward,))
    data._kept_reads().feed.current(0)
    expire()
    stays(ward_ids=(ward,))
    expire()

    sent.clear()
    stays(ward_ids=(ward,))
    assert len(history(sent)) == 1, sent
    assert searches(sent) == [], sent
