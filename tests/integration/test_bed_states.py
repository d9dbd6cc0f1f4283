"""Bed states on the nurse's bed board against the test server: every state, block reason and
isolation flag of the ward as the ground truth has them, and a bed closed and a patient
isolated on the server showing at once (both put back afterwards)."""

from __future__ import annotations

import pytest
import streamlit as st

from components.bed_board import STATUS_ICONS
from services import queries
from services.codes import BED_BLOCK_REASON, BED_BLOCK_REASON_EXT, ISOLATION
from services.i18n import t
from tests.support.apptest import open_page, with_tiles

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]
WORDS = {
    "O": "belegt",
    "U": "frei",
    "C": "gesperrt",
    "H": "in Reinigung",
    "I": "isoliert",
    "K": "kontaminiert",
}


@pytest.fixture(autouse=True)
def fresh_reads():
    st.cache_data.clear()


def tiles(at) -> dict[str, str]:
    """Bed name -> its tile's markdown as read (without the escapes that keep data literal)."""
    out = {}
    for m in at.markdown:
        if m.value.startswith("**") and "-badge[" in m.value:
            value = m.value.replace("\\", "")
            out[value[2:].split("**", 1)[0]] = value
    return out


def beds_of_ward(http, ward_id: str) -> list[dict]:
    rooms = http.get_json("Location", {"partof": f"Location/{ward_id}", "_count": 500})
    room_ids = ",".join(f"Location/{e['resource']['id']}" for e in rooms.get("entry", []))
    found = http.get_json("Location", {"partof": room_ids, "_count": 500}, no_cache=True)
    return [e["resource"] for e in found.get("entry", [])]


def test_states_reasons_and_isolation_as_the_ground_truth(users, test_network, platform):
    nurse = users["pflege.demo"]
    ward_id = nurse.wards[0]
    truth = test_network.ground_truth
    beds = {bed["id"]: bed["name"] for bed in beds_of_ward(platform.http(), ward_id)}
    at = with_tiles(open_page("pages/bed_board.py", nurse))
    assert not at.exception and not at.error and not at.warning
    shown = tiles(at)
    assert set(shown) == set(beds.values())
    for code, count in truth["bed_status_by_ward"][ward_id].items():
        badge = f"-badge[{STATUS_ICONS[code]} {WORDS[code]}"
        assert sum(badge in tile for tile in shown.values()) == count, code
    for bed_id, name in beds.items():
        reason = truth["bed_block_reasons"].get(bed_id)
        if reason:
            assert t(f"block_reason.{reason}") in shown[name], name
        else:
            assert "Grund" not in shown[name], name
        flags = truth["bed_flags"].get(bed_id)
        if flags:
            words = ", ".join(t(f"isolation.{code}") for code in flags)
            assert f"Isolation: {words}" in shown[name], name
        else:
            assert "Isolation:" not in shown[name], name


@pytest.fixture
def changed(platform, platform_admin):
    """Resources a test changes on the server: originals put back, created ones deleted."""
    http = platform_admin.http()
    saved: dict[str, dict] = {}
    created: list[str] = []

    def keep(path: str) -> dict:
        saved[path] = http.get_json(path)
        return saved[path]

    yield keep, created
    for path, original in saved.items():
        http.send_json("PUT", path, {k: v for k, v in original.items() if k != "meta"})
    for path in created:
        http.send_json("DELETE", path)
    platform.read(queries.locations(), no_cache=True)


def test_a_closed_bed_and_an_isolated_patient_show_at_once(
    users, platform, platform_admin, changed
):
    keep, created = changed
    # The hospital closes the bed and isolates the patient; the dashboard may do neither.
    http = platform_admin.http()
    nurse = users["pflege.demo"]
    ward_id = nurse.wards[0]
    before = with_tiles(open_page("pages/bed_board.py", nurse))
    free_before = sum(int(m.value) for m in before.metric)
    beds = beds_of_ward(http, ward_id)
    # A free bed if the ward has one now, else another empty one (then the free count stays).
    empty = sorted(
        (b for b in beds if b["operationalStatus"]["code"] != "O"),
        key=lambda b: b["operationalStatus"]["code"] != "U",
    )
    assert empty, "the nurse's ward has an empty bed"
    free = empty[0]
    was_free = free["operationalStatus"]["code"] == "U"
    stays = http.get_json(
        "Encounter",
        {"status": "in-progress", "location": f"Location/{ward_id}", "_count": 500},
        no_cache=True,
    )
    # The search finds every stay that was ever on the ward; one lying in a bed of it now is
    # wanted (a patient moved on lies elsewhere), the first by id.
    names = {f"Location/{b['id']}": b["name"] for b in beds}
    lying = sorted(
        [
            (e["resource"]["id"], loc["location"]["reference"], e["resource"])
            for e in stays.get("entry", [])
            for loc in e["resource"].get("location", [])
            if loc["status"] == "active"
            and loc["physicalType"]["coding"][0]["code"] == "bd"
            and loc["location"]["reference"] in names
        ],
        key=lambda found: found[:2],
    )
    assert lying, "a patient lies on the nurse's ward"
    _, bed_ref, stay = lying[0]
    occupied_name = names[bed_ref]

    closed = keep(f"Location/{free['id']}")
    closed = {k: v for k, v in closed.items() if k != "meta"}
    closed["operationalStatus"] = {**closed["operationalStatus"], "code": "C", "display": "Closed"}
    closed["extension"] = [
        {
            "url": BED_BLOCK_REASON_EXT,
            "valueCodeableConcept": {"coding": [{"system": BED_BLOCK_REASON, "code": "wartung"}]},
        }
    ]
    http.send_json("PUT", f"Location/{free['id']}", closed)
    flag = http.send_json(
        "POST",
        "Flag",
        {
            "resourceType": "Flag",
            "status": "active",
            "code": {
                "coding": [{"system": ISOLATION, "code": "covid-19"}],
                "text": "COVID-19 – Tröpfchenisolierung",
            },
            "subject": stay["subject"],
            "encounter": {"reference": f"Encounter/{stay['id']}"},
            "period": {"start": stay["period"]["start"]},
        },
    )
    created.append(f"Flag/{flag['id']}")
    # HAPI answers an identical search within a minute from its stored result list.
    platform.read(queries.locations(), no_cache=True)
    st.cache_data.clear()

    at = with_tiles(open_page("pages/bed_board.py", nurse))
    assert not at.exception and not at.error and not at.warning
    shown = tiles(at)
    assert f"{STATUS_ICONS['C']} gesperrt" in shown[free["name"]]
    assert "Grund: Wartung oder Reparatur" in shown[free["name"]]
    assert "COVID-19" in shown[occupied_name]
    assert sum(int(m.value) for m in at.metric) == free_before - was_free

    english = with_tiles(open_page("pages/bed_board.py", nurse, lang="en"))
    shown = tiles(english)
    assert "Reason: maintenance or repair" in shown[free["name"]]
    assert "Isolation: " in shown[occupied_name] and "COVID-19" in shown[occupied_name]
