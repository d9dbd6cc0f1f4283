"""Many sessions, one server: identical concurrent reads are sent once, all requests of a process
share one bounded pool, and colleagues on one ward share the cached reads (against the test server).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.session import platform as app_platform
from services.codes import SHIFT
from services.config import Settings
from services.i18n import t
from services.platform import Platform
from services.roles import User
from services.search import query
from tests.support.apptest import APP, open_page, seed_session
from tests.support.keycloak import TOKEN_URL, source

pytestmark = pytest.mark.integration

SESSIONS = 20


class Counting(httpx.BaseTransport):
    """The real HTTP transport, counting requests to the FHIR server and the most that were in
    flight at once; the token requests to Keycloak go through it too and are not counted."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self._lock = threading.Lock()
        self.urls: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return self._send(request)
        with self._lock:
            self.urls.append(str(request.url))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return self._send(request)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _send(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        response.read()
        return response

    def close(self) -> None:
        self._inner.close()


def counted_platform(base_url: str, **settings: object) -> tuple[Platform, Counting]:
    transport = Counting()
    # Small pages: one search is many requests, so a second read of it could not hide.
    values = {"page_size": 10, **settings}
    config = Settings(sources=(source("Test", base_url),), **values)
    return Platform(config, {"Test": transport}), transport


def at_once(count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads released together, as sessions at shift change."""
    start = threading.Barrier(count)

    def one(i: int):
        start.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_twenty_sessions_asking_for_one_search_send_it_once(fhir_base_url, test_network):
    search = query("Encounter").search(status="in-progress")
    platform, transport = counted_platform(fhir_base_url)
    with platform:
        alone = platform.read(search)
        one_search = len(transport.urls)
        assert one_search > 2, "a search of several pages"
        assert alone.requests == one_search

        transport.urls.clear()
        results = at_once(SESSIONS, lambda _: platform.read(search))

    assert len(transport.urls) == one_search
    assert all(len(r["encounter"]) == len(alone["encounter"]) for r in results)
    assert not any(r.errors for r in results)


def test_different_searches_are_not_joined(fhir_base_url, test_network):
    platform, transport = counted_platform(fhir_base_url)
    searches = [query("Location"), query("Organization")]
    with platform:
        expected = sum(platform.read(s).requests for s in searches)
        transport.urls.clear()
        results = at_once(2, lambda i: platform.read(searches[i]))
    assert len(transport.urls) == expected
    assert [r.resource_type for r in results] == ["Location", "Organization"]


def test_requests_in_flight_are_bounded_for_the_whole_process(fhir_base_url, test_network):
    platform, transport = counted_platform(fhir_base_url, read_workers=3, parallel_pages=4)
    # Distinct searches, so nothing is joined: only the shared pool keeps the server's load down.
    searches = [
        query("Encounter").search(status="in-progress", _count=str(4 + i)) for i in range(8)
    ]
    with platform:
        results = at_once(len(searches), lambda i: platform.read(searches[i]))
    assert not any(r.errors for r in results)
    assert len(transport.urls) > 3 * len(searches), "enough requests to crowd the pool"
    assert transport.most_in_flight == 3


def bed_board(user: User, ward_id: str) -> AppTest:
    """The bed board as the first page ``user`` opens, on ``ward_id``; not yet run."""
    at = AppTest.from_file(APP, default_timeout=180)
    seed_session(at, user)
    at.session_state["lang"] = "de"
    at.session_state["nurse.ward"] = ward_id
    # Straight to the board: the start page would read the user's other wards first.
    return at.switch_page("pages/bed_board.py")


@pytest.mark.usefixtures("app_env")
def test_two_nurses_of_one_ward_share_the_cached_reads(users, test_network):
    first = users["pflege.demo"]
    ward = first.wards[0]
    # A colleague who also works on a second ward of the hospital: her scope differs, the
    # ward she opens does not.
    hospital = ward.rsplit("-", 1)[0] + "-"
    other = next(
        w
        for w in sorted(test_network.ground_truth["tasks_open"])
        if w != ward and w.startswith(hospital)
    )
    second = replace(users["pflege2.demo"], wards=(ward, other))

    # Searches are bounded to the minute and cached for 60 s: both pages must run within one
    # wall-clock minute for the colleague to meet the first nurse's entries, so a pair that
    # straddles a minute (a slow machine) is run again.
    sent: list[str] = []
    for _ in range(3):
        st.cache_data.clear()
        sent.clear()
        minute = pd.Timestamp.now(tz="Europe/Berlin").floor("min")
        at = bed_board(first, ward).run()
        assert not at.exception
        assert at.selectbox(key="nurse.ward").value == ward
        colleague = bed_board(second, ward)
        # Watching the app's own connection: what the colleague's page really sends.
        client = app_platform().http()._client
        client.event_hooks["request"].append(lambda request: sent.append(str(request.url)))
        try:
            colleague.run()
        finally:
            client.event_hooks["request"].clear()
        if pd.Timestamp.now(tz="Europe/Berlin").floor("min") == minute:
            break
    assert not colleague.exception
    assert colleague.selectbox(key="nurse.ward").value == ward
    assert len(colleague.selectbox(key="nurse.ward").options) == 2
    reads = [url for url in sent if "/Task?" in url or "/Encounter?" in url]
    assert reads == [], "the colleague's ward reads come from the cache entries of the first nurse"


def ranking_of(at: AppTest) -> pd.DataFrame:
    """The trends page's ward ranking (the table with the rank column)."""
    return next(d.value for d in at.dataframe if t("mgr.col.rank") in d.value.columns)


@pytest.mark.usefixtures("app_env")
def test_managers_share_the_duty_roster_and_count_no_shift_not_yet_begun(
    users, platform_admin, test_network
):
    manager = users["management.demo"]
    http = platform_admin.http()
    # A copy of a shift of this week's busiest ward, beginning in a few minutes: planned, not
    # yet begun, so the ranking must not count its nurses (the page reads the whole day).
    st.cache_data.clear()
    before = open_page("pages/trends.py", manager)
    assert not before.exception, before.exception
    ranking = ranking_of(before)
    moment = pd.Timestamp.now(tz="UTC")
    shifts = http.get_json(
        "Appointment",
        params={
            "date": f"lt{moment.isoformat()}",
            "service-type": f"{SHIFT}|",
            "_sort": "-date",
            "_count": "50",
        },
        no_cache=True,
    )
    top_ward = ranking[t("col.ward")].iloc[0]
    places = http.get_json("Location", params={"_count": "500"}, no_cache=True)
    wards = {e["resource"]["id"]: e["resource"].get("name") for e in places["entry"]}
    shift = next(
        e["resource"]
        for e in shifts["entry"]
        if any(
            wards.get(p["actor"]["reference"].removeprefix("Location/")) == top_ward
            for p in e["resource"]["participant"]
            if p["actor"]["reference"].startswith("Location/")
        )
    )
    later = {k: v for k, v in shift.items() if k not in ("id", "meta")}
    later["start"] = (moment + pd.Timedelta(minutes=5)).isoformat()
    later["end"] = (moment + pd.Timedelta(hours=8)).isoformat()
    created = http.send_json("POST", "Appointment", later)
    try:
        st.cache_data.clear()
        after = open_page("pages/trends.py", manager)
        assert not after.exception, after.exception
        pd.testing.assert_frame_equal(ranking_of(after), ranking)

        # A second manager's view: the roster comes from the first one's cache entry.
        sent: list[str] = []
        client = app_platform().http()._client
        client.event_hooks["request"].append(lambda request: sent.append(str(request.url)))
        try:
            again = open_page("pages/trends.py", manager)
        finally:
            client.event_hooks["request"].clear()
        assert not again.exception, again.exception
        assert [url for url in sent if "/Appointment?" in url] == []
    finally:
        http.send_json("DELETE", f"Appointment/{created['id']}")
        st.cache_data.clear()
