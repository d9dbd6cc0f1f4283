"""The ward pages (tasks, bed board, handover) run as a nurse, a physician and a manager with
AppTest against the test server: figures against the ground truth, a completion from the page,
and a lost race that keeps the nurse's note."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import streamlit as st

from components.bed_board import STATUS_ICONS
from components.session import platform as app_platform
from components.task_table import note_key
from demo_data.codes import SYS_PFLEGEAUFGABE, TASK_CODES
from demo_data.resources import concept
from services import queries
from services.i18n import t
from services.markdown import plain
from services.search import query
from services.task_writes import change_task
from tests.support.apptest import open_page, texts, with_tiles

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]


@pytest.fixture(autouse=True)
def fresh_reads():
    # Each test starts from what the server holds now, not from an earlier test's cached read.
    st.cache_data.clear()


def metric(at, name: str) -> str:
    return next(m.value for m in at.metric if m.label == name)


def task_ids(at) -> list[str]:
    """The tasks the page lists, in its order (from the keys of their complete buttons)."""
    prefix = "nurse.complete."
    return [b.key[len(prefix) :] for b in at.button if (b.key or "").startswith(prefix)]


def owned_by(task: dict) -> str | None:
    """The Practitioner id owning the task, if any."""
    reference = (task.get("owner") or {}).get("reference") or ""
    return reference.removeprefix("Practitioner/") or None


def free_tasks(at, platform, nurse) -> list[str]:
    """The listed nursing tasks nobody else holds: a click on them writes without asking. A
    bed cleaning is left out: completing it frees the bed as well, which no test puts back."""
    listed = {task_id: platform.http().get_json(f"Task/{task_id}") for task_id in task_ids(at)}
    return [
        task_id
        for task_id, task in listed.items()
        if owned_by(task) in (None, nurse.practitioner_id)
        and "bettenreinigung" not in str(task.get("code"))
    ]


def nursing_tasks(platform, ward_id: str) -> pd.DataFrame:
    """The open tasks of the ward as the server holds them now, nursing work of its stays only
    (completing a bed cleaning frees the bed too), in id order."""
    tasks = platform.read(queries.open_tasks_of_wards([ward_id]), no_cache=True)["task"]
    mine = tasks[
        (tasks["ward_id"] == ward_id)
        & (tasks["code"] != "bettenreinigung")
        & tasks["encounter_id"].notna()
    ]
    return mine.sort_values("id")


def colleagues_task(platform, nurse, colleague, restore_tasks) -> str:
    """A task of the nurse's ward in progress by her colleague, made so before the page opens.

    Whether the generated hour leaves one is chance: the colleague starts the first task
    nobody holds, as her own dashboard would (put back after the test).
    """
    tasks = nursing_tasks(platform, nurse.wards[0])
    waiting = tasks[tasks["owner_id"].isna() & tasks["status"].isin(("requested", "ready"))]
    assert not waiting.empty, "the ward has a task nobody holds"
    task_id = waiting["id"].iloc[0]
    seen = restore_tasks(task_id)
    change_task(
        platform.http(),
        task_id,
        seen["meta"]["versionId"],
        "start",
        practitioner_id=colleague.practitioner_id,
    )
    st.cache_data.clear()
    return task_id


def ordered_medication(platform, nurse, restore_tasks) -> str:
    """A task of the nurse's ward that fulfils a medication order, made so before the page opens.

    Whether the generated hour leaves one is chance (an order must run at the task's due time):
    failing that, a task nobody holds (a medication round first) is based on an order of its
    stay and says what it orders, as the generator writes them (put back after the test).
    """
    tasks = nursing_tasks(platform, nurse.wards[0])
    based = tasks[tasks["based_on"].map(lambda r: str(r).startswith("MedicationRequest/"))]
    if not based.empty:
        return based["id"].iloc[0]
    http = platform.http()
    waiting = tasks[tasks["owner_id"].isna()]
    waiting = waiting.sort_values("code", key=lambda c: c != "medikation", kind="stable")
    for task_id, encounter_id in zip(waiting["id"], waiting["encounter_id"], strict=True):
        orders = http.get_json(
            "MedicationRequest",
            {"encounter": f"Encounter/{encounter_id}", "_sort": "_id", "_count": 1},
            no_cache=True,
        )
        if not orders.get("entry"):
            continue
        order = orders["entry"][0]["resource"]
        drug = order["medicationCodeableConcept"]["coding"][0]["display"]
        task = {k: v for k, v in restore_tasks(task_id).items() if k != "meta"}
        task |= {
            "code": concept(SYS_PFLEGEAUFGABE, "medikation", TASK_CODES["medikation"]),
            "description": f"{drug} {order['dosageInstruction'][0]['text']}",
            "basedOn": [{"reference": f"MedicationRequest/{order['id']}"}],
            "focus": {"reference": f"MedicationRequest/{order['id']}"},
        }
        http.send_json("PUT", f"Task/{task_id}", task)
        st.cache_data.clear()
        return task_id
    raise AssertionError("no stay of the ward with an open task has a medication order")


def tiles(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**") and "-badge[" in m.value]


def open_on_board(at) -> int:
    """Open tasks over all bed tiles ("3 offen · 1 überfällig")."""
    return sum(int(n) for tile in tiles(at) for n in re.findall(r"(\d+) offen", tile))


def test_task_list_of_the_nurses_ward(users, test_network):
    nurse = users["pflege.demo"]
    at = open_page("pages/tasks.py", nurse)
    assert not at.exception
    ward_id = nurse.wards[0]
    assert len(at.selectbox(key="nurse.ward").options) == len(nurse.wards)
    expected = test_network.ground_truth["tasks_open"][ward_id]
    assert metric(at, "Offen") == str(expected)
    assert len(task_ids(at)) == expected
    assert len(at.text_input) == expected, "one note field per task"
    assert "Aufgaben" in texts(at)


def test_task_list_filters_and_english(users, test_network):
    nurse = users["pflege.demo"]
    at = open_page("pages/tasks.py", nurse, lang="en")
    assert not at.exception
    assert "Tasks" in texts(at) and metric(at, "Open")
    at.multiselect(key="nurse.filter.status").select("in-progress").run()
    shown = task_ids(at)
    assert len(shown) == int(metric(at, "In progress"))
    assert not any(m.value.startswith(("requested", "ready")) for m in at.markdown)
    at.radio(key="nurse.filter.owner").set_value("unassigned").run()
    assert not at.exception and len(task_ids(at)) <= len(shown)


@pytest.mark.parametrize("page", ["pages/tasks.py", "pages/bed_board.py", "pages/handover.py"])
def test_ward_pages_not_permitted_for_a_manager(users, page):
    at = open_page(page, users["management.demo"])
    assert not at.exception
    assert any(t("guard.not_permitted") in e.value for e in at.error)
    assert not at.metric and not tiles(at)


def test_bed_board_of_the_nurses_ward(users, test_network):
    nurse = users["pflege.demo"]
    at = with_tiles(open_page("pages/bed_board.py", nurse))
    assert not at.exception
    ward_id = nurse.wards[0]
    statuses = test_network.ground_truth["bed_status_by_ward"][ward_id]
    shown = tiles(at)
    assert len(shown) == sum(statuses.values())
    for code, word in (("O", "belegt"), ("U", "frei"), ("C", "gesperrt"), ("H", "in Reinigung")):
        badge = f"-badge[{STATUS_ICONS[code]} {word}]"
        assert sum(badge in s for s in shown) == statuses[code], code
    free = sum(c["U"] for c in test_network.ground_truth["beds_by_ward"][ward_id].values())
    assert sum(int(m.value) for m in at.metric) == free


def test_bed_board_as_a_table_keeps_its_column_widths(users, test_network):
    nurse = users["pflege.demo"]
    at = open_page("pages/bed_board.py", nurse)
    at.toggle(key="nurse.beds.as_table").set_value(True).run()
    assert not at.exception
    table = at.dataframe[0]
    statuses = test_network.ground_truth["bed_status_by_ward"][nurse.wards[0]]
    assert len(table.value) == sum(statuses.values())
    # Fixed widths: a refresh that changes what the columns hold does not resize them.
    config = json.loads(table.proto.columns)
    assert all(config.get(column, {}).get("width") for column in table.value.columns), config


def test_bed_board_for_a_physician_is_read_only(users):
    at = open_page("pages/bed_board.py", users["arzt.demo"])
    assert not at.exception
    assert not any(t("guard.not_permitted") in e.value for e in at.error)
    assert not [b for b in at.button if (b.key or "").startswith("nurse.")]


def test_handover_of_the_nurses_ward(users, test_network):
    nurse = users["pflege.demo"]
    at = open_page("pages/handover.py", nurse)
    assert not at.exception
    ward_id = nurse.wards[0]
    blocks = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert len(blocks) == test_network.ground_truth["census_now"][ward_id]
    assert all("Letzte Vitalzeichen" in b and "Seit Schichtbeginn" in b for b in blocks)
    assert t("print.hint") in texts(at)
    assert at.get("download_button"), "the sheet can be downloaded as CSV"


def test_complete_from_the_page_and_see_it_on_the_bed_board(users, platform, restore_tasks):
    nurse = users["pflege.demo"]
    at = open_page("pages/tasks.py", nurse)
    open_before = int(metric(at, "Offen"))
    task_id = free_tasks(at, platform, nurse)[0]
    restore_tasks(task_id)
    board_before = open_on_board(with_tiles(at.switch_page("pages/bed_board.py").run()))
    at.switch_page("pages/tasks.py").run()

    at.text_input(key=note_key(task_id)).input("Mobilisiert bis zum Stuhl")
    at.button(key=f"nurse.complete.{task_id}").click().run()

    assert not at.exception
    on_server = platform.http().get_json(f"Task/{task_id}")
    assert on_server["status"] == "completed"
    assert on_server["owner"]["reference"] == f"Practitioner/{nurse.practitioner_id}"
    assert on_server["note"][-1]["text"] == "Mobilisiert bis zum Stuhl"
    assert task_id not in task_ids(at)
    assert int(metric(at, "Offen")) == open_before - 1
    audit = platform.read(query("AuditEvent").search(entity=f"Task/{task_id}"), no_cache=True)
    assert len(audit["audit_event"]) >= 1, "the write is audited"
    at = with_tiles(at.switch_page("pages/bed_board.py").run())
    assert open_on_board(at) == board_before - 1, "the bed board shows one task less"


def test_lost_race_shows_the_conflict_and_keeps_the_note(users, platform, restore_tasks):
    nurse, colleague = users["pflege.demo"], users["pflege2.demo"]
    at = open_page("pages/tasks.py", nurse)
    # Another task than the one the test before completed and put back, where the ward has
    # two a click writes without asking; the generated hour may leave it only one.
    task_id = free_tasks(at, platform, nurse)[-1]
    seen = restore_tasks(task_id)
    note = "Angehörige wollen zurückgerufen werden"
    at.text_input(key=note_key(task_id)).input(note)
    # A colleague completes the task while the page still shows the version before.
    change_task(
        platform.http(),
        task_id,
        seen["meta"]["versionId"],
        "complete",
        practitioner_id=colleague.practitioner_id,
    )

    at.button(key=f"nurse.complete.{task_id}").click().run()

    assert not at.exception
    assert any(t("error.conflict") in w.value for w in at.warning)
    assert at.text_area(key=note_key(task_id)).value == note
    colleague_family = colleague.name.removesuffix(" (Demo)").split(" ")[-1]
    current_state = t("tasks.conflict.current", status="X", owner="", when="").split("X")[0]
    assert current_state + t("task_status.completed") in texts(at), "its current state is shown"
    assert colleague_family in texts(at)
    on_server = platform.http().get_json(f"Task/{task_id}")
    assert on_server["owner"]["reference"] == f"Practitioner/{colleague.practitioner_id}"
    assert note not in [n.get("text") for n in on_server.get("note", [])]
    # The note survives the next refresh too.
    at.run()
    assert at.text_area(key=note_key(task_id)).value == note


def audited_writes(platform, task_id: str) -> int:
    read = platform.read(query("AuditEvent").search(entity=f"Task/{task_id}"), no_cache=True)
    return int((read["audit_event"]["action"] == "U").sum())


def test_completing_a_colleagues_task_asks_first_and_can_be_undone(users, platform, restore_tasks):
    nurse = users["pflege.demo"]
    task_id = colleagues_task(platform, nurse, users["pflege2.demo"], restore_tasks)
    before = platform.http().get_json(f"Task/{task_id}")
    at = open_page("pages/tasks.py", nurse)
    writes_before = audited_writes(platform, task_id)

    at.text_input(key=note_key(task_id)).input("Schmerz NRS 4")
    at.button(key=f"nurse.complete.{task_id}").click().run()
    assert not at.exception
    assert platform.http().get_json(f"Task/{task_id}")["status"] == "in-progress", "not yet"
    asked = [w.value for w in at.warning if "Trotzdem als erledigt" in w.value]
    assert len(asked) == 1, "the nurse is asked first"

    at.button(key=f"nurse.confirm.{task_id}").click().run()
    assert not at.exception
    done = platform.http().get_json(f"Task/{task_id}")
    assert done["status"] == "completed" and done["note"][-1]["text"] == "Schmerz NRS 4"
    assert task_id not in task_ids(at)
    assert any("rückgängig" in s.value for s in at.success), "an undo is offered"

    at.button(key="nurse.undo.button").click().run()
    assert not at.exception
    undone = platform.http().get_json(f"Task/{task_id}")
    assert undone["status"] == before["status"] == "in-progress"
    assert undone["owner"] == before["owner"], "back with the colleague"
    assert undone["executionPeriod"] == before["executionPeriod"]
    assert undone["note"][-1]["text"] == "Schmerz NRS 4", "the note is kept"
    assert int(undone["meta"]["versionId"]) == int(done["meta"]["versionId"]) + 1
    assert task_id in task_ids(at), "listed again"
    assert audited_writes(platform, task_id) == writes_before + 2, "both writes audited"


def test_claiming_a_colleagues_task_asks_and_cancel_writes_nothing(users, platform, restore_tasks):
    nurse = users["pflege.demo"]
    task_id = colleagues_task(platform, nurse, users["pflege2.demo"], restore_tasks)
    at = open_page("pages/tasks.py", nurse)
    version = platform.http().get_json(f"Task/{task_id}")["meta"]["versionId"]
    at.button(key=f"nurse.claim.{task_id}").click().run()
    assert any("Wirklich übernehmen" in w.value for w in at.warning)
    at.button(key=f"nurse.cancel.{task_id}").click().run()
    assert not at.exception
    assert not any("Wirklich übernehmen" in w.value for w in at.warning)
    assert platform.http().get_json(f"Task/{task_id}")["meta"]["versionId"] == version


def test_tasks_say_what_was_ordered_and_keep_their_notes(users, platform, restore_tasks):
    nurse = users["pflege.demo"]
    medication = ordered_medication(platform, nurse, restore_tasks)
    at = open_page("pages/tasks.py", nurse)
    assert medication in task_ids(at)
    ordered = plain(platform.http().get_json(f"Task/{medication}")["description"])
    assert ordered in texts(at), "drug, dose and route are shown"
    task_id = free_tasks(at, platform, nurse)[0]
    restore_tasks(task_id)
    at.text_input(key=note_key(task_id)).input("Angehörige informiert")
    at.button(key=f"nurse.claim.{task_id}").click().run()
    assert not at.exception
    history = next(e for e in at.expander if "Verlauf (Notizen: 1)" in e.label)
    family = nurse.name.removesuffix(" (Demo)").split(" ")[-1]
    said = " ".join(m.value for m in history.markdown)
    assert "Angehörige informiert" in said and family in said, "who wrote what, and when"

    at.switch_page("pages/handover.py").run()
    assert not at.exception
    sheet = texts(at)
    assert "Angehörige informiert" in sheet, "the handover shows the note"
    assert ordered in sheet, "and what was ordered"


def test_claim_complete_and_undo_read_back_no_version_the_session_wrote(
    users, platform, restore_tasks
):
    nurse = users["pflege.demo"]
    http = platform.http()
    at = open_page("pages/tasks.py", nurse)
    task_id = free_tasks(at, platform, nurse)[0]
    task = restore_tasks(task_id)
    if owned_by(task) is not None:
        # Precondition: nobody holds it, so the claim writes without asking.
        http.send_json("PUT", f"Task/{task_id}", {k: v for k, v in task.items() if k != "owner"})
        at = open_page("pages/tasks.py", nurse)
    listed = http.get_json(f"Task/{task_id}")["meta"]["versionId"]
    sent: list[tuple[str, str]] = []
    client = app_platform().http()._client
    client.event_hooks["request"].append(lambda r: sent.append((r.method, str(r.url))))
    try:
        at.button(key=f"nurse.claim.{task_id}").click().run()
        claimed = http.get_json(f"Task/{task_id}")
        at.button(key=f"nurse.complete.{task_id}").click().run()
        done = http.get_json(f"Task/{task_id}")
        at.button(key="nurse.undo.button").click().run()
    finally:
        client.event_hooks["request"].clear()

    assert not at.exception
    assert owned_by(claimed) == nurse.practitioner_id and done["status"] == "completed"
    undone = http.get_json(f"Task/{task_id}")
    assert int(undone["meta"]["versionId"]) == int(done["meta"]["versionId"]) + 1
    assert (undone["status"], undone["owner"]) == (claimed["status"], claimed["owner"])
    writes = [url for method, url in sent if method == "PUT" and f"/Task/{task_id}" in url]
    versions = [url for method, url in sent if method == "GET" and "/_history/" in url]
    assert len(writes) == 3, "claim, completion, undo"
    # Only the claim reads the version the list showed; the completion starts from what the
    # claim stored, the undo from what both stored.
    assert len(versions) == 1 and versions[0].endswith(f"/Task/{task_id}/_history/{listed}")
