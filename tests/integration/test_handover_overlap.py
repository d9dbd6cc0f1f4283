"""The handover's overlap chosen on the page (AppTest against the test server): a task completed
ten minutes before the shift began, with a note, is arranged through the FHIR API and put back
afterwards; the sheet and its CSV include it with an overlap that reaches it and leave it out
with none."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pandas as pd
import pytest
import streamlit as st

import components.export
from services import queries
from services.config import load_settings
from services.domain.handover import completed_tasks_since, shift_at
from services.i18n import BERLIN, t
from tests.support.apptest import open_page, texts

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]

OVERLAP = "nurse.handover.overlap"
# Overlaps the page is run with: one reaching the arranged task, none, and the longest.
OVERLAPS = (30, 0, 120)


def fresh_searches(platform, ward_id: str, shift_start: pd.Timestamp) -> None:
    """HAPI answers an identical search within a minute from its stored result list: the
    page's searches are asked afresh, so the page meets the server's current state."""
    for minutes in OVERLAPS:
        since = shift_start - timedelta(minutes=minutes)
        platform.read(completed_tasks_since([ward_id], since), no_cache=True)
    search = queries.open_tasks_of_wards([ward_id])
    platform.read(search, no_cache=True)
    platform.read(search.include("Task", "patient"), no_cache=True)


def lies_on(platform, encounter: dict | None, ward_id: str) -> bool:
    """Whether the stay is running and lies on the ward now (its sheet shows its events)."""
    if not encounter:
        return False
    stay = platform.http().get_json(encounter["reference"], no_cache=True)
    return stay["status"] == "in-progress" and any(
        place["location"]["reference"] == f"Location/{ward_id}" and place.get("status") == "active"
        for place in stay.get("location", [])
    )


@pytest.fixture
def done_before_the_shift(users, platform, restore_tasks):
    """The note of an open task of the nurse's ward, which is set completed ten minutes before
    the shift began; the task is put back afterwards (``restore_tasks``)."""
    nurse = users["pflege.demo"]
    ward_id = nurse.wards[0]
    shift = shift_at(pd.Timestamp.now(tz=BERLIN))
    bundle = platform.http().get_json(
        "Task",
        {
            "status": "requested,ready,in-progress",
            "encounter.location": f"Location/{ward_id}",
            "_count": "200",
        },
        no_cache=True,
    )
    candidates = [
        e["resource"]
        for e in bundle.get("entry", [])
        # Completing a bed cleaning frees the bed as well, which is not put back.
        if "bettenreinigung" not in str(e["resource"].get("code"))
        and lies_on(platform, e["resource"].get("encounter"), ward_id)
    ]
    assert candidates, "a patient on the nurse's ward has open tasks"
    task = restore_tasks(candidates[0]["id"])
    before = (shift.start - timedelta(minutes=10)).isoformat()
    marker = f"Uebergabe-Ueberlappung {uuid.uuid4().hex[:8]}"
    changed = {k: v for k, v in task.items() if k != "meta"}
    changed.update(
        status="completed",
        lastModified=before,
        executionPeriod={**task.get("executionPeriod", {}), "end": before},
        note=[
            *task.get("note", []),
            {
                "authorReference": {"reference": f"Practitioner/{nurse.practitioner_id}"},
                "time": before,
                "text": marker,
            },
        ],
    )
    changed["executionPeriod"].setdefault("start", before)
    http = platform.http()
    http.send_json("PUT", f"Task/{task['id']}", changed)
    fresh_searches(platform, ward_id, shift.start)
    yield marker
    # Put back here already (restore_tasks does it once more), so that the searches of the done
    # tasks, which restore_tasks does not know, are asked afresh with the task open again.
    http.send_json("PUT", f"Task/{task['id']}", {k: v for k, v in task.items() if k != "meta"})
    fresh_searches(platform, ward_id, shift.start)


@pytest.fixture
def csv_files(monkeypatch) -> list[bytes]:
    """Every CSV the pages hand to a download button, in order, as the writer produced it."""
    written: list[bytes] = []
    writer = components.export.to_csv

    def keep(frame: pd.DataFrame) -> bytes:
        data = writer(frame)
        written.append(data)
        return data

    monkeypatch.setattr(components.export, "to_csv", keep)
    return written


def test_the_overlap_chosen_on_the_page_moves_the_window_of_sheet_and_csv(
    users, done_before_the_shift, csv_files
):
    st.cache_data.clear()
    marker = done_before_the_shift
    at = open_page("pages/handover.py", users["pflege.demo"])
    assert not at.exception
    control = at.number_input(key=OVERLAP)
    assert control.label == t("handover.overlap")
    assert control.value == round(load_settings().handover_overlap_minutes), "the setting first"

    shown: dict[int, tuple[bool, bool]] = {}
    for minutes in OVERLAPS:
        at.number_input(key=OVERLAP).set_value(minutes).run()
        assert not at.exception
        csv = csv_files[-1].decode("utf-8-sig")
        shown[minutes] = (marker in texts(at), marker in csv)
        window = t("handover.window", since="", minutes=minutes).split(":", 1)[1].strip()
        assert (window in texts(at)) == (minutes > 0), "the caption names the overlap"
    assert shown == {30: (True, True), 0: (False, False), 120: (True, True)}


def test_the_overlap_control_speaks_english(users):
    at = open_page("pages/handover.py", users["pflege.demo"], lang="en")
    assert not at.exception
    control = at.number_input(key=OVERLAP)
    assert control.label == "Overlap (minutes)"
    assert (control.min, control.max) == (0, 120)
