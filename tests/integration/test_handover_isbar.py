"""The shift handover as ISBAR against the test server: per patient of the nurse's ward the
diagnosis, day of stay, allergies, resuscitation status, mobility and pain the generator wrote,
and "nicht erfasst" where nothing is recorded (one patient's resuscitation decision removed for
the test and put back afterwards); the main diagnosis a stay's Encounter marks, put back
afterwards too."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from components.data import forget
from services import queries
from services.i18n import fmt_number, t
from services.markdown import plain
from services.patient_record import chunks
from tests.support.apptest import clean, open_page
from tests.support.cleanup import delete_audited
from tests.support.diagnoses import diagnosis, named
from tests.support.reconcile import main_diagnosis, raw_stays, ref_id, resources

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]


@pytest.fixture(scope="module")
def bundles(test_network):
    items = list(resources(test_network.dir, test_network.manifest))
    names = {r["id"]: r["name"] for r in items if r["resourceType"] == "Location"}
    conditions: dict[str, list[dict]] = {}
    flags: dict[str, dict] = {}
    for r in items:
        if r["resourceType"] == "Condition" and "encounter" in r:
            conditions.setdefault(ref_id(r["encounter"]), []).append(r)
        if r["resourceType"] == "Flag" and r["id"].startswith("rea-"):
            flags[ref_id(r["encounter"])] = r
    return raw_stays(items), names, conditions, flags


@pytest.fixture
def undecided(platform, platform_admin, bundles, users, test_network):
    """A patient of the nurse's ward whose resuscitation decision is removed for the test."""
    stays, _, _, flags = bundles
    ward = users["pflege.demo"].wards[0]
    here = [s for s in stays.values() if s.status == "in-progress" and s.ward_now == ward]
    decided = [s for s in here if s.id in flags and s.bed_now]
    assert decided, "somebody on the ward has a resuscitation decision"
    stay = decided[0]
    flag = flags[stay.id]
    http = platform_admin.http()
    http.send_json("DELETE", f"Flag/{flag['id']}")
    # HAPI answers an identical search within a minute from its stored result list: the page's
    # search for the ward's Flags is asked afresh once, so the page meets the change.
    for batch in chunks(s.patient for s in here):
        platform.read(queries.flags_of_patients(batch), no_cache=True)
    yield stay
    http.send_json("PUT", f"Flag/{flag['id']}", flag)
    for batch in chunks(s.patient for s in here):
        platform.read(queries.flags_of_patients(batch), no_cache=True)


def line(block: str, key: str) -> str:
    """What a patient's block says after one heading (up to the next heading)."""
    marker = f"**{t(key)}:** "
    said = next(row.split(marker, 1)[1] for row in block.splitlines() if marker in row)
    return said.split(" · **", 1)[0]


def test_every_patient_reads_out_as_the_generator_wrote_it(users, test_network, bundles, undecided):
    st.cache_data.clear()
    nurse = users["pflege.demo"]
    stays, names, conditions, _ = bundles
    truth = test_network.ground_truth["nursing"]
    at = open_page("pages/handover.py", nurse)
    clean(at)
    blocks = {
        b.splitlines()[0].split(" · ", 1)[1].split(" — ", 1)[0]: b
        for b in (m.value for m in at.markdown)
        if b.startswith("#### ")
    }
    here = [s for s in stays.values() if s.status == "in-progress" and s.ward_now == nurse.wards[0]]
    assert len(blocks) == len(here) == test_network.ground_truth["census_now"][nurse.wards[0]]
    missing = t("word.not_recorded")
    for stay in here:
        block = blocks[plain(names[stay.bed_now])]
        expected = truth[stay.id]
        decision = None if stay is undecided else expected["resuscitation"]
        assert line(block, "handover.col.resuscitation") == (
            plain(t(f"handover.resuscitation.{decision}")) if decision else missing
        ), stay.id
        assert line(block, "handover.col.mobility").startswith(
            plain(t(f"handover.mobility.{expected['mobility']}"))
        ), stay.id
        pain = expected["pain"]
        shown = line(block, "handover.col.pain")
        if pain is None:
            assert shown == missing, stay.id
        else:
            assert shown.startswith(f"NRS {fmt_number(pain['score'])} "), stay.id
        code = main_diagnosis(conditions[stay.id])["code"]["coding"][0]["code"]
        assert line(block, "handover.col.diagnosis").startswith(plain(code)), stay.id
        assert line(block, "handover.col.stay_day").startswith(
            plain(t("handover.stay_day", day=""))
        ), stay.id
        assert line(block, "handover.col.allergies"), stay.id


def test_the_hauptdiagnose_the_encounter_names_is_handed_over(users, bundles, platform_admin):
    """A source that links the diagnosis from the Encounter only, and marks it there: the
    handover names it, though the Condition names no Encounter and was recorded last."""
    nurse = users["pflege.demo"]
    stays, names, _, _ = bundles
    stay = next(
        s
        for s in stays.values()
        if s.status == "in-progress" and s.ward_now == nurse.wards[0] and s.bed_now
    )
    http = platform_admin.http()
    encounter = http.get_json(f"Encounter/{stay.id}", no_cache=True)
    main = diagnosis(
        "con-test-handover-main",
        encounter,
        "A41.9",
        pd.Timestamp.now(tz="Europe/Berlin"),
        linked=False,
    )
    marked = {**encounter, "diagnosis": [*encounter.get("diagnosis", []), named(main, "CC")]}
    try:
        http.send_json("PUT", f"Condition/{main['id']}", main)
        http.send_json("PUT", f"Encounter/{stay.id}", marked)
        st.cache_data.clear()
        forget("Encounter")
        at = open_page("pages/handover.py", nurse)
        clean(at)
        (block,) = [
            m.value
            for m in at.markdown
            if m.value.startswith("#### ") and f" · {plain(names[stay.bed_now])} — " in m.value
        ]
        assert line(block, "handover.col.diagnosis").startswith(plain("A41.9")), block
    finally:
        http.send_json("PUT", f"Encounter/{stay.id}", encounter)
        delete_audited(http, f"Condition/{main['id']}")
        st.cache_data.clear()
        forget("Encounter")
