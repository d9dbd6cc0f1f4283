"""The physician's start page as a worklist ranked by risk, against the test server: a patient
whose vitals are abnormal ranks above every patient whose vitals are not (the generator's NEWS2
ground truth, and one stay given an abnormal set for the test), each row says why in words and
names the stay's diagnosis, and a click on a row opens the patient's record."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from services.codes import LOINC, NEWS2_LOINC, OBSERVATION_CATEGORY, SNOMED
from services.domain.ordering import natural_sort
from services.i18n import t
from tests.support.apptest import clean, open_page, texts
from tests.support.reconcile import raw_stays, ref_id, resources

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]
ABNORMAL = ("high", "medium", "low_medium")
CALM = ("zero", "low")
# Respiration 30, SpO2 88 %, air, systolic 85, pulse 140, alert, 39.5 °C: NEWS2 14 on scale 1,
# still high on scale 2 (SpO2 then scores 0).
SET = (
    ("respiration", 30, "/min"),
    ("spo2", 88, "%"),
    ("oxygen_flow", 0, "L/min"),
    ("systolic", 85, "mm[Hg]"),
    ("pulse", 140, "/min"),
    ("temperature", 39.5, "Cel"),
)


@pytest.fixture(scope="module")
def bundles(test_network):
    items = list(resources(test_network.dir, test_network.manifest))
    names = {r["id"]: r["name"] for r in items if r["resourceType"] == "Location"}
    conditions: dict[str, list[dict]] = {}
    for r in items:
        if r["resourceType"] == "Condition" and "encounter" in r:
            conditions.setdefault(ref_id(r["encounter"]), []).append(r)
    return raw_stays(items), names, conditions


def start_page_stays(stays, doctor, *, in_bed: bool = True):
    """The stays the start page lists: current inpatients of the doctor's hospital admitted by
    one of their departments (those in a bed now unless ``in_bed`` is false)."""
    return [
        s
        for s in stays.values()
        if s.status == "in-progress"
        and s.cls == "IMP"
        and s.hospital == doctor.hospital_id
        and (not doctor.departments or s.department in doctor.departments)
        and (s.bed_now or not in_bed)
    ]


def observation(n: int, code: str, stay, moment: pd.Timestamp, value=None, unit=None) -> dict:
    res = {
        "resourceType": "Observation",
        "id": f"obs-test-worklist-{n}",
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs"}]}],
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": f"Patient/{stay.patient}"},
        "encounter": {"reference": f"Encounter/{stay.id}"},
        "effectiveDateTime": moment.isoformat(),
    }
    if value is not None:
        res["valueQuantity"] = {
            "value": value,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        }
    return res


@pytest.fixture
def worsened(platform_admin, bundles, users, test_network):
    """The calm stay in the last bed of the start page given a set of vitals that scores NEWS2
    high, taken five minutes ago; deleted afterwards."""
    stays, names, _ = bundles
    truth = test_network.ground_truth["news2"]
    calm = [
        s
        for s in start_page_stays(stays, users["arzt.demo"])
        if truth.get(s.id, {}).get("band") in CALM
    ]
    assert calm, "the demo physician has patients with calm vitals"
    by_bed = pd.DataFrame({"bed": [names[s.bed_now] for s in calm], "n": range(len(calm))})
    stay = calm[int(natural_sort(by_bed, ["bed"])["n"].iloc[-1])]
    moment = pd.Timestamp.now(tz="UTC") - timedelta(minutes=5)
    written = [
        observation(n, NEWS2_LOINC[name][0], stay, moment, value, unit)
        for n, (name, value, unit) in enumerate(SET)
    ]
    alert = observation(len(written), NEWS2_LOINC["consciousness"][0], stay, moment)
    alert["valueCodeableConcept"] = {"coding": [{"system": SNOMED, "code": "248234008"}]}
    written.append(alert)
    http = platform_admin.http()
    for res in written:
        http.send_json("PUT", f"Observation/{res['id']}", res)
    yield stay
    for res in written:
        http.send_json("DELETE", f"Observation/{res['id']}")


def test_abnormal_vitals_rank_above_calm_ones_with_reasons_and_diagnosis(
    users, test_network, bundles, worsened
):
    doctor = users["arzt.demo"]
    stays, names, conditions = bundles
    truth = test_network.ground_truth["news2"]
    at = open_page("pages/home.py", doctor)
    clean(at)
    table = at.dataframe[0].value
    place = list(zip(table[t("col.ward")], table[t("col.bed")], strict=True))
    position = {key: n for n, key in enumerate(place)}
    listed = start_page_stays(stays, doctor)
    assert len(table) == len(start_page_stays(stays, doctor, in_bed=False))

    def at_row(stay) -> int:
        return position[(names[stay.ward_now], names[stay.bed_now])]

    calm = [s for s in listed if truth.get(s.id, {}).get("band") in CALM and s is not worsened]
    abnormal = [s for s in listed if truth.get(s.id, {}).get("band") in ABNORMAL]
    assert calm, "patients with calm vitals remain to compare with"
    below = min(at_row(s) for s in calm)
    assert at_row(worsened) < below, "the worsened patient now ranks above every calm one"
    for stay in abnormal:
        assert at_row(stay) < below, (stay.id, truth[stay.id]["band"])

    why = table[t("worklist.col.why")]
    row = at_row(worsened)
    assert why.iloc[row].startswith("▲▲▲ NEWS2 14"), why.iloc[row]
    assert t("news2.band.high") in why.iloc[row]
    for stay in calm:
        assert "NEWS2" not in why.iloc[at_row(stay)]

    diagnosis = table[t("worklist.col.diagnosis")]
    for stay in listed:
        recorded = sorted(conditions.get(stay.id, []), key=lambda c: (c["recordedDate"], c["id"]))
        cell = diagnosis.iloc[at_row(stay)]
        if recorded:
            code = recorded[0]["code"]["coding"][0]["code"]
            assert cell.startswith(code), (stay.id, cell)
        else:
            assert cell == t("word.not_recorded")


def test_a_click_on_a_row_opens_the_record(users, bundles, worsened):
    doctor = users["arzt.demo"]
    at = open_page("pages/home.py", doctor)
    assert not at.exception
    assert t("worklist.click") in texts(at), "nothing opens before a click"
    name = at.dataframe[0].value[t("col.patient")].iloc[0]
    at.session_state["home.worklist"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert not at.exception
    assert t("timeline.title", name=name) in texts(at)
