"""The task list's refresh reads only what changed (against the test server): a task another
client completed leaves the list and one it created joins it, from one incremental search; the
full read that follows now and then notices a deleted task."""

from __future__ import annotations

import pytest
import streamlit as st

import components.data as data
from components.session import platform as app_platform
from services import queries
from services.domain.ward_tasks import only_open
from services.task_writes import change_task

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]


def ward_read(ward_id: str):
    return data.load_changes(
        queries.open_tasks_of_wards((ward_id,)).include("Task", "patient"),
        queries.tasks_of_wards((ward_id,)).include("Task", "patient"),
        only_open,
        "Tasks",
    )


@pytest.fixture
def sent():
    """The FHIR URLs the app's own connection sends while the test runs."""
    st.cache_data.clear()
    urls: list[str] = []
    feed: list[str] = []
    client = app_platform().http()._client

    def record(request) -> None:
        # Token requests to the identity provider go through the same connection.
        # The feed of changes (``services.change_feed``) is counted apart, in ``feed``.
        if "/protocol/openid-connect/" in request.url.path:
            return
        (feed if "/_history" in request.url.path else urls).append(str(request.url))

    client.event_hooks["request"].append(record)
    try:
        yield urls, feed
    finally:
        client.event_hooks["request"].clear()


def test_a_refresh_sends_one_incremental_search_and_sees_other_clients_changes(
    users, platform, platform_admin, sent, restore_tasks, monkeypatch
):
    sent, feed = sent
    ward = users["pflege.demo"].wards[0]
    first = ward_read(ward)
    assert len(feed) == 1, "the first read starts the feed of changes"
    assert not first.errors
    full = len(sent)
    assert full >= 1 and all("status=" in url for url in sent)
    assert ward_read(ward) is first, "within the TTL the kept read is handed out as it is"
    assert len(sent) == full

    # Another client: completes an open task of the ward and creates a new one on the ward.
    http = platform.http()
    admin = platform_admin.http()
    done = first["task"].sort_values("id").iloc[0]
    seen = restore_tasks(done["id"])
    change_task(http, done["id"], seen["meta"]["versionId"], "complete", practitioner_id=None)
    created = http.send_json(
        "POST",
        "Task",
        {
            "resourceType": "Task",
            "status": "requested",
            "intent": "order",
            "priority": "urgent",
            "for": seen["for"],
            "encounter": seen["encounter"],
            "description": "Refresh-Test",
        },
    )
    deleted = False
    try:
        sent.clear()
        feed.clear()
        monkeypatch.setitem(data.TTL, "Task", 0)
        second = ward_read(ward)
        assert not second.errors
        assert len(feed) == 1, "the feed shows a Task changed"
        assert len(sent) == 1, sent
        assert "_lastUpdated=gt" in sent[0] and "status=" not in sent[0]
        ids = set(second["task"]["id"])
        assert done["id"] not in ids, "a completed task leaves the list"
        assert created["id"] in ids, "a new task joins it"
        assert ids == (set(first["task"]["id"]) - {done["id"]}) | {created["id"]}
        assert done["id"] not in set(second["task_note"]["task_id"])
        assert second["patient"]["id"].is_unique

        # A deletion is no change a search can bring: the full read after FULL_READ_SECONDS is.
        # Deleting is the platform administrator's correction, not the dashboard's to make.
        admin.send_json("DELETE", f"Task/{created['id']}")
        deleted = True
        sent.clear()
        monkeypatch.setattr(data, "FULL_READ_SECONDS", 0)
        third = ward_read(ward)
        assert sent and all("status=" in url for url in sent)
        assert set(third["task"]["id"]) == set(first["task"]["id"]) - {done["id"]}
    finally:
        if not deleted:
            admin.send_json("DELETE", f"Task/{created['id']}")
