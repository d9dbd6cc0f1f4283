"""The physician's start page as a worklist ranked by risk, against the test server: a patient
whose vitals are abnormal ranks above every patient whose vitals are not (the generator's NEWS2
ground truth, and one stay given an abnormal set for the test), each row says why in words and
names the stay's diagnosis, and a click on a row opens the patient's record."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import streamlit as st

from components.data import forget
from services.codes import (
    ACT_CODE,
    FACHABTEILUNG,
    LOINC,
    NEWS2_LOINC,
    OBSERVATION_CATEGORY,
    PHYSICAL_TYPE,
    SNOMED,
    UCUM,
)
from services.domain.ordering import natural_sort
from services.i18n import t
from tests.support.apptest import clean, open_page, texts
from tests.support.cleanup import delete_audited
from tests.support.diagnoses import DIAGNOSIS_ROLE_AS_UKW, diagnosis, named
from tests.support.reconcile import main_diagnosis, raw_stays, ref_id, resources

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]
ABNORMAL = ("high", "medium", "low_medium")
# Respiration 30, SpO2 88 %, air, systolic 85, pulse 140, alert, 39.5 °C: NEWS2 14 on scale 1.
SICK = (
    ("respiration", 30, "/min"),
    ("spo2", 88, "%"),
    ("oxygen_flow", 0, "L/min"),
    ("systolic", 85, "mm[Hg]"),
    ("pulse", 140, "/min"),
    ("temperature", 39.5, "Cel"),
)
# Every parameter in its 0 band, on either scale: NEWS2 0.
CALM = (
    ("respiration", 16, "/min"),
    ("spo2", 97, "%"),
    ("oxygen_flow", 0, "L/min"),
    ("systolic", 125, "mm[Hg]"),
    ("pulse", 75, "/min"),
    ("temperature", 37.0, "Cel"),
)


@pytest.fixture(scope="module")
def bundles(test_network):
    items = list(resources(test_network.dir, test_network.manifest))
    places = {r["id"]: r for r in items if r["resourceType"] == "Location"}
    names = {i: r["name"] for i, r in places.items()}
    conditions: dict[str, list[dict]] = {}
    for r in items:
        if r["resourceType"] == "Condition" and "encounter" in r:
            conditions.setdefault(ref_id(r["encounter"]), []).append(r)
    patients = {r["id"]: r for r in items if r["resourceType"] == "Patient"}
    return raw_stays(items), names, conditions, places, patients


def start_page_stays(stays, doctor, *, in_bed: bool = True):
    """The generated stays the start page lists: current inpatients of the doctor's hospital
    admitted by one of their departments (those in a bed now unless ``in_bed`` is false)."""
    return [
        s
        for s in stays.values()
        if s.status == "in-progress"
        and s.cls == "IMP"
        and s.hospital == doctor.hospital_id
        and (not doctor.departments or s.department in doctor.departments)
        and (s.bed_now or not in_bed)
    ]


def _coded(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


def stay_of(n: int, patient: dict, department: str, hospital: str, ward, bed) -> dict:
    """A stay in progress since three days in ``bed``, admitted by ``department``."""
    start = (pd.Timestamp.now(tz="Europe/Berlin") - timedelta(days=3)).isoformat()
    room = ref_id(bed["partOf"])
    return {
        "resourceType": "Encounter",
        "id": f"enc-test-worklist-{n}",
        "status": "in-progress",
        "class": {"system": ACT_CODE, "code": "IMP"},
        "serviceType": _coded(FACHABTEILUNG, department),
        "subject": {"reference": f"Patient/{patient['id']}"},
        "serviceProvider": {"reference": f"Organization/{hospital}"},
        "period": {"start": start},
        "location": [
            {
                "location": {"reference": f"Location/{place}"},
                "status": "active",
                "physicalType": _coded(PHYSICAL_TYPE, kind),
                "period": {"start": start},
            }
            for place, kind in ((ward["id"], "wa"), (room, "ro"), (bed["id"], "bd"))
        ],
    }


def vital_set(prefix: str, stay: dict, values, moment: pd.Timestamp) -> list[dict]:
    """A complete NEWS2 set of the Encounter ``stay`` taken at ``moment``, the patient alert."""

    def observation(n: int, code: str) -> dict:
        return {
            "resourceType": "Observation",
            "id": f"obs-test-{prefix}-{n}",
            "status": "final",
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs"}]}],
            "code": {"coding": [{"system": LOINC, "code": code}]},
            "subject": stay["subject"],
            "encounter": {"reference": f"Encounter/{stay['id']}"},
            "effectiveDateTime": moment.isoformat(),
        }

    written = []
    for n, (name, value, unit) in enumerate(values):
        res = observation(n, NEWS2_LOINC[name][0])
        res["valueQuantity"] = {"value": value, "unit": unit, "system": UCUM, "code": unit}
        written.append(res)
    alert = observation(len(values), NEWS2_LOINC["consciousness"][0])
    alert["valueCodeableConcept"] = {"coding": [{"system": SNOMED, "code": "248234008"}]}
    return [*written, alert]


@pytest.fixture
def arranged(platform_admin, bundles, users):
    """Two adults of the demo physician's hospital without a current stay admitted by the
    physician's department to a ward's first and last bed (by name): the one in the first bed
    given a calm set of vitals, the other a set that scores NEWS2 14, both taken five minutes
    ago. Without the ranking, beds alone would put the calm one first. Yields their names and
    their Encounters (``stays``, calm first). Deleted afterwards (the
    audit events naming the stays too: the server refuses deleting what one still names)."""
    stays, _, _, places, patients = bundles
    doctor = users["arzt.demo"]
    hospital = f"Organization/{doctor.hospital_id}"
    department = (doctor.departments or ("0100",))[0]
    wards = [
        w
        for w in places.values()
        if _code(w, "physicalType") == "wa" and w["managingOrganization"]["reference"] == hospital
    ]
    ward = next((w for w in wards if _code(w, "type") == department), wards[0])
    rooms = {i for i, r in places.items() if ref_id(r.get("partOf")) == ward["id"]}
    beds = [b for b in places.values() if ref_id(b.get("partOf")) in rooms]
    by_name = pd.DataFrame({"bed": [b["name"] for b in beds], "n": range(len(beds))})
    first, last = (beds[n] for n in natural_sort(by_name, ["bed"])["n"].iloc[[0, -1]])
    lying = {s.patient for s in stays.values() if s.status == "in-progress"}
    born_before = (pd.Timestamp.now() - pd.DateOffset(years=30)).date().isoformat()
    free = [
        p
        for p in patients.values()
        if p["managingOrganization"]["reference"] == hospital
        and p["id"] not in lying
        and p.get("birthDate", "9999") < born_before
        and p.get("name")
    ]
    calm_patient, sick_patient = free[0], free[1]
    calm = stay_of(0, calm_patient, department, doctor.hospital_id, ward, first)
    sick = stay_of(1, sick_patient, department, doctor.hospital_id, ward, last)
    moment = pd.Timestamp.now(tz="UTC") - timedelta(minutes=5)
    vitals = vital_set("calm", calm, CALM, moment) + vital_set("sick", sick, SICK, moment)
    http = platform_admin.http()
    for res in (calm, sick, *vitals):
        http.send_json("PUT", f"{res['resourceType']}/{res['id']}", res)
    # HAPI answers an identical search within a minute from a stored result list (an earlier
    # test's, before these stays), and the app keeps its own reads: the app's next read of
    # stays goes past both, as after a write of its own.
    st.cache_data.clear()
    forget("Encounter")
    yield {"calm": display(calm_patient), "sick": display(sick_patient), "stays": (calm, sick)}
    for res in (*vitals, calm, sick):
        delete_audited(http, f"{res['resourceType']}/{res['id']}")
    st.cache_data.clear()
    forget("Encounter")


def _code(resource: dict, field: str) -> str | None:
    concept = resource.get(field)
    concept = concept[0] if isinstance(concept, list) and concept else concept
    return ((concept or {}).get("coding") or [{}])[0].get("code")


def display(patient: dict) -> str:
    name = patient["name"][0]
    return f"{name['family']}, {name['given'][0]}"


def test_abnormal_vitals_rank_above_calm_ones_with_reasons_and_diagnosis(
    users, test_network, bundles, arranged
):
    doctor = users["arzt.demo"]
    stays, names, conditions, _, patients = bundles
    truth = test_network.ground_truth["news2"]
    at = open_page("pages/home.py", doctor)
    clean(at)
    table = at.dataframe[0].value
    shown = list(zip(table[t("col.patient")], table[t("col.bed")], strict=True))
    generated = start_page_stays(stays, doctor, in_bed=False)
    assert len(table) == len(generated) + 2

    def at_row(name: str, bed: str | None = None) -> int:
        (row,) = [n for n, (who, where) in enumerate(shown) if who == name and bed in (None, where)]
        return row

    calm, sick = at_row(arranged["calm"]), at_row(arranged["sick"])
    assert sick < calm, "the patient with abnormal vitals ranks above the calm one"
    why = table[t("worklist.col.why")]
    assert why.iloc[sick].startswith("▲▲▲ NEWS2 14"), why.iloc[sick]
    assert t("news2.band.high") in why.iloc[sick]
    assert "NEWS2" not in why.iloc[calm]
    diagnosis = table[t("worklist.col.diagnosis")]
    assert diagnosis.iloc[calm] == t("word.not_recorded"), "the test's stay has no diagnosis"

    # As the generator drew them: every patient whose latest vitals are abnormal ranks above
    # the calm one, and each row names the stay's main diagnosis.
    for stay in start_page_stays(stays, doctor):
        row = at_row(display(patients[stay.patient]), names[stay.bed_now])
        if truth.get(stay.id, {}).get("band") in ABNORMAL:
            assert row < calm, (stay.id, truth[stay.id]["band"])
        main = main_diagnosis(conditions.get(stay.id, []))
        if main:
            code = main["code"]["coding"][0]["code"]
            assert diagnosis.iloc[row].startswith(code), (stay.id, diagnosis.iloc[row])
        else:
            assert diagnosis.iloc[row] == t("word.not_recorded")


def test_a_click_on_a_row_opens_the_record(users, arranged):
    doctor = users["arzt.demo"]
    at = open_page("pages/home.py", doctor)
    assert not at.exception
    assert t("worklist.click") in texts(at), "nothing opens before a click"
    row = list(at.dataframe[0].value[t("col.patient")]).index(arranged["sick"])
    at.session_state["home.worklist"] = {"selection": {"rows": [row], "columns": []}}
    at.run()
    assert not at.exception
    assert t("timeline.title", name=arranged["sick"]) in texts(at)


def test_the_diagnosis_the_stay_marks_heads_its_row(users, arranged, platform_admin):
    doctor = users["arzt.demo"]
    http = platform_admin.http()
    calm, sick = arranged["stays"]
    earlier = pd.Timestamp.now(tz="Europe/Berlin") - timedelta(days=2)
    later = earlier + timedelta(days=1)
    # The calm stay: a comorbidity recorded first, the Hauptdiagnose only the Encounter names.
    comorbidity = diagnosis("con-test-wl-0", calm, "E11.90", earlier, linked=True)
    main = diagnosis("con-test-wl-1", calm, "S72.01", later, linked=False)
    # The sick stay: the one ranked first, recorded after another.
    first_recorded = diagnosis("con-test-wl-2", sick, "I10.00", earlier, linked=True)
    ranked = diagnosis("con-test-wl-3", sick, "J18.9", later, linked=True)
    conditions = (comorbidity, main, first_recorded, ranked)
    marked = (
        {
            **calm,
            "diagnosis": [
                named(comorbidity, "CM", system=DIAGNOSIS_ROLE_AS_UKW),
                named(main, "AD", "CC", system=DIAGNOSIS_ROLE_AS_UKW),
            ],
        },
        {**sick, "diagnosis": [named(first_recorded), named(ranked, rank=1)]},
    )
    try:
        for res in (*conditions, *marked):
            http.send_json("PUT", f"{res['resourceType']}/{res['id']}", res)
        st.cache_data.clear()
        forget("Encounter")
        at = open_page("pages/home.py", doctor)
        clean(at)
        table = at.dataframe[0].value
        shown = dict(zip(table[t("col.patient")], table[t("worklist.col.diagnosis")], strict=True))
        assert shown[arranged["calm"]].startswith("S72.01"), shown[arranged["calm"]]
        assert shown[arranged["sick"]].startswith("J18.9"), shown[arranged["sick"]]
    finally:
        for res in (calm, sick):
            http.send_json("PUT", f"Encounter/{res['id']}", res)
        for res in conditions:
            delete_audited(http, f"Condition/{res['id']}")
        st.cache_data.clear()
        forget("Encounter")
