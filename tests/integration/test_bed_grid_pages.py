"""The bed board's one-screen grid against the test server: every bed of the ward once in its
room's column, the room headed by the sex of the patients lying there (from the generated
bundles), an occupied bed naming its patient; a click on it opens the patient's open work for a
nurse and the record for a physician."""

from __future__ import annotations

import pytest
import streamlit as st

from services.codes import OPEN_TASK_STATES
from services.i18n import t
from services.search import query
from tests.support.apptest import clean, open_page, texts
from tests.support.reconcile import raw_stays, ref_id, resources

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]
SEX = {"female": "weiblich", "male": "männlich"}


@pytest.fixture(autouse=True)
def fresh_reads():
    st.cache_data.clear()


@pytest.fixture(scope="module")
def bundles(test_network):
    items = list(resources(test_network.dir, test_network.manifest))
    places = {r["id"]: r for r in items if r["resourceType"] == "Location"}
    genders = {r["id"]: r.get("gender") for r in items if r["resourceType"] == "Patient"}
    stays = [s for s in raw_stays(items).values() if s.status == "in-progress" and s.bed_now]
    return places, genders, stays


def grid_cells(at) -> dict[str, tuple[int, int, str, str]]:
    """Bed name -> (table, row, column, cell text) of every bed on the grid."""
    found = {}
    for n, frame in enumerate(at.dataframe):
        table = frame.value
        for column in table.columns:
            for row, text in enumerate(table[column]):
                if text:
                    found[text.split(" · ", 1)[0]] = (n, row, column, text)
    return found


def click(at, table: int, row: int, column: str):
    at.session_state[f"beds.grid.{table}"] = {
        "selection": {"rows": [], "columns": [], "cells": [[row, column]]}
    }
    return at.run()


def test_every_bed_in_its_rooms_column_with_the_rooms_sex(users, test_network, bundles):
    places, genders, stays = bundles
    nurse = users["pflege.demo"]
    ward = nurse.wards[0]
    at = open_page("pages/bed_board.py", nurse)
    clean(at)
    cells = grid_cells(at)
    rooms = {r for r, p in places.items() if ref_id(p.get("partOf")) == ward}
    beds = {p["name"]: p for p in places.values() if ref_id(p.get("partOf")) in rooms}
    assert set(cells) == set(beds)
    assert sum(test_network.ground_truth["bed_status_by_ward"][ward].values()) == len(cells)
    lying = {s.bed_now: s for s in stays if s.ward_now == ward}
    for name, (_, _, column, text) in cells.items():
        room = ref_id(beds[name]["partOf"])
        assert column.startswith(places[room]["name"]), (name, column)
        sexes = {
            genders[lying[b["id"]].patient]
            for b in beds.values()
            if b["id"] in lying and ref_id(b["partOf"]) == room
        }
        if not sexes:
            assert column.endswith(t("grid.room_sex.empty")), column
        elif len(sexes) == 1 and sexes <= set(SEX):
            assert column.endswith(SEX[sexes.pop()]), column
        stay = lying.get(beds[name]["id"])
        assert (stay is not None) == (f"{name} · {t('bed_status.O')}" in text), text
        if stay is not None:
            assert "NEWS2" in text and "Entlassung" in text, text


def test_a_click_on_an_occupied_bed_opens_the_patients_work(users, bundles, platform):
    places, _, stays = bundles
    nurse = users["pflege.demo"]
    ward = nurse.wards[0]
    here = {s.id: s for s in stays if s.ward_now == ward}
    work = platform.read(
        query("Task").search(
            encounter=",".join(f"Encounter/{i}" for i in here), status=",".join(OPEN_TASK_STATES)
        ),
        no_cache=True,
    )["task"]
    work = work[work["ward_id"] == ward]
    assert not work.empty, "somebody on the nurse's ward has open work"
    stay = here[work["encounter_id"].iloc[0]]
    theirs = set(work.loc[work["encounter_id"] == stay.id, "id"])
    at = open_page("pages/bed_board.py", nurse)
    table, row, column, _ = grid_cells(at)[places[stay.bed_now]["name"]]
    at = click(at, table, row, column)
    assert not at.exception
    assert at.multiselect(key=f"nurse.filter.bed.{ward}").value == [stay.bed_now]
    prefix = "nurse.complete."
    listed = {b.key[len(prefix) :] for b in at.button if (b.key or "").startswith(prefix)}
    assert listed == theirs, "the task list shows that patient's open work only"


def test_a_physician_opens_the_record_from_the_grid(users, bundles):
    places, _, stays = bundles
    doctor = users["arzt.demo"]
    at = open_page("pages/bed_board.py", doctor)
    assert not at.exception
    ward = at.selectbox(key="nurse.ward").value
    cells = grid_cells(at)
    stay = next(s for s in stays if s.ward_now == ward)
    table, row, column, text = cells[places[stay.bed_now]["name"]]
    name = text.split(" · ")[2]
    at = click(at, table, row, column)
    assert not at.exception
    assert t("timeline.title", name=name) in texts(at)
