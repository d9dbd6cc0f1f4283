"""The generator: determinism, formats, consistency of beds, census and tasks, validity."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import datetime

import orjson
import pytest

from demo_data import PRESETS, generate, resolve_kinds
from demo_data.bundles import phase_of, read_ground_truth, read_manifest, write_network
from demo_data.ground_truth import census_dates
from demo_data.hospitals import iknr_for
from demo_data.names import kvnr_is_valid
from demo_data.timeutil import BERLIN, berlin_date, midnight

pytestmark = pytest.mark.unit

AS_OF = datetime(2025, 11, 28, 10, 0, tzinfo=BERLIN)
KVNR_SYSTEM = "http://fhir.de/sid/gkv/kvid-10"
IKNR_SYSTEM = "http://fhir.de/sid/arge-ik/iknr"


@pytest.fixture(scope="module")
def network():
    return generate(7, PRESETS["test"], AS_OF)


def _instant(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def test_same_seed_same_network(network):
    again = generate(7, PRESETS["test"], AS_OF)
    assert list(again.all_resources()) == list(network.all_resources())
    assert again.ground_truth == network.ground_truth
    other = generate(8, PRESETS["test"], AS_OF)
    assert list(other.all_resources()) != list(network.all_resources())


def test_ids_unique_and_fhir_shaped(network):
    ids = [(r["resourceType"], r["id"]) for r in network.all_resources()]
    assert len(ids) == len(set(ids))
    for _, resource_id in ids:
        assert re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", resource_id)


def test_iknr_format(network):
    organizations = network.resources["Organization"]
    assert len(organizations) >= 4
    for org in organizations:
        iknr = next(i["value"] for i in org["identifier"] if i["system"] == IKNR_SYSTEM)
        assert re.fullmatch(r"26\d{7}", iknr)
        assert iknr_for(int(iknr[2:8])) == iknr
        assert org["address"][0]["country"] == "DE"


def test_kvnr_format_and_silos(network):
    per_kvnr: dict[str, list[dict]] = {}
    for patient in network.resources["Patient"]:
        kvnr = next(i["value"] for i in patient["identifier"] if i["system"] == KVNR_SYSTEM)
        assert re.fullmatch(r"[A-Z]\d{9}", kvnr)
        assert kvnr_is_valid(kvnr)
        mr = [i for i in patient["identifier"] if i["type"]["coding"][0]["code"] == "MR"]
        assert len(mr) == 1
        per_kvnr.setdefault(kvnr, []).append(patient)
    for patients in per_kvnr.values():
        organizations = [p["managingOrganization"]["reference"] for p in patients]
        assert len(organizations) == len(set(organizations)), "one Patient per hospital"
    several = sum(1 for patients in per_kvnr.values() if len(patients) > 1)
    assert 0.12 <= several / len(per_kvnr) <= 0.25


def test_umlauts_present(network):
    text = orjson.dumps(network.resources["Patient"]).decode()
    for letter in "äöüß":
        assert letter in text


def test_bed_status_matches_current_stays(network):
    active_beds = Counter()
    for encounter in network.resources["Encounter"]:
        if encounter["status"] != "in-progress":
            continue
        for entry in encounter.get("location", []):
            if entry["physicalType"]["coding"][0]["code"] == "bd" and entry["status"] == "active":
                active_beds[entry["location"]["reference"]] += 1
    assert all(count == 1 for count in active_beds.values())
    beds = [
        r for r in network.resources["Location"] if r["physicalType"]["coding"][0]["code"] == "bd"
    ]
    for bed in beds:
        code = bed["operationalStatus"]["code"]
        assert (code == "O") == (f"Location/{bed['id']}" in active_beds)
        assert code in ("O", "U", "C", "H", "K")
    by_hospital = Counter()
    for bed in beds:
        by_hospital[
            (bed["managingOrganization"]["reference"][13:], bed["operationalStatus"]["code"])
        ] += 1
    truth = network.ground_truth["bed_status"]
    for (hospital, code), count in by_hospital.items():
        assert truth[hospital][code] == count


def _census_from_encounters(network) -> dict[str, dict[str, int]]:
    """Patients per ward at each midnight, from the Encounter resources alone."""
    truth = network.ground_truth
    dates = truth["census_dates"]
    midnights = {day: midnight(datetime.fromisoformat(day).date()) for day in dates}
    census = {ward: dict.fromkeys(dates, 0) for ward in truth["census"]}
    for encounter in network.resources["Encounter"]:
        for entry in encounter.get("location", []):
            if entry["physicalType"]["coding"][0]["code"] != "wa":
                continue
            ward = entry["location"]["reference"].removeprefix("Location/")
            start = _instant(entry["period"]["start"])
            end = _instant(entry["period"]["end"]) if "end" in entry["period"] else None
            for day, moment in midnights.items():
                if start <= moment and (end is None or moment < end):
                    census[ward][day] += 1
    return census


def test_census_recomputed_from_encounters_equals_ground_truth(network):
    assert _census_from_encounters(network) == network.ground_truth["census"]


def test_census_dates_cover_window(network):
    dates = network.ground_truth["census_dates"]
    assert len(dates) == 90 or len(dates) == 91
    assert dates[-1] == AS_OF.date().isoformat()
    as_of = int(AS_OF.timestamp())
    assert census_dates(as_of - 90 * 86400, as_of) == dates


def test_occupancy_over_window(network):
    truth = network.ground_truth
    beds = {w["id"]: w["beds"] for h in network.manifest["hospitals"] for w in h["wards"]}
    for ward, census in truth["census"].items():
        occupancy = statistics.mean(census.values()) / beds[ward]
        assert 0.70 <= occupancy <= 0.95, (ward, occupancy)


def test_occupancy_demo_wards():
    demo = generate(3, PRESETS["demo"], AS_OF, kinds=["Encounter"])
    beds = {w["id"]: w["beds"] for h in demo.manifest["hospitals"] for w in h["wards"]}
    for ward, census in demo.ground_truth["census"].items():
        occupancy = statistics.mean(census.values()) / beds[ward]
        assert 0.70 <= occupancy <= 0.95, (ward, occupancy)
    assert demo.manifest["counts"]["Encounter"] > 3000


def test_length_of_stay_right_skewed(network):
    days = []
    for encounter in network.resources["Encounter"]:
        if encounter["class"]["code"] == "IMP" and encounter["status"] == "finished":
            period = encounter["period"]
            days.append((_instant(period["end"]) - _instant(period["start"])) / 86400)
    median = statistics.median(days)
    assert statistics.mean(days) > median
    assert 3.5 <= median <= 7


def test_weekday_rhythm(network):
    admissions = Counter()
    discharge_hours = Counter()
    for encounter in network.resources["Encounter"]:
        if encounter["class"]["code"] != "IMP":
            continue
        admissions[datetime.fromisoformat(encounter["period"]["start"]).weekday()] += 1
        if "end" in encounter["period"]:
            discharge_hours[datetime.fromisoformat(encounter["period"]["end"]).hour] += 1
    weekday = statistics.mean(admissions[d] for d in range(5))
    weekend = statistics.mean(admissions[d] for d in (5, 6))
    assert weekend < 0.75 * weekday
    late_morning = sum(discharge_hours[h] for h in range(9, 14))
    assert late_morning > 0.6 * sum(discharge_hours.values())


def test_current_stays_have_planned_end_and_one_active_ward(network):
    for encounter in network.resources["Encounter"]:
        if encounter["class"]["code"] != "IMP":
            continue
        active = [e for e in encounter["location"] if e["status"] == "active"]
        if encounter["status"] == "in-progress":
            assert "end" not in encounter["period"]
            assert len(active) == 3
            assert {e["physicalType"]["coding"][0]["code"] for e in active} == {"wa", "ro", "bd"}
            assert encounter["extension"][0]["valueDateTime"] > encounter["period"]["start"]
        else:
            assert not active
            assert "dischargeDisposition" in encounter["hospitalization"]


def test_tasks_open_and_overdue(network):
    as_of = int(AS_OF.timestamp())
    open_count = Counter()
    overdue = Counter()
    for task in network.resources["Task"]:
        due = _instant(task["restriction"]["period"]["end"])
        ward = task["location"]["reference"].removeprefix("Location/")
        if task["status"] in ("requested", "ready", "in-progress"):
            open_count[ward] += 1
            if due < as_of:
                overdue[ward] += 1
        if task["status"] == "completed":
            assert "end" in task["executionPeriod"]
            assert "owner" in task
        assert task["lastModified"] >= task["authoredOn"]
    truth = network.ground_truth
    assert {w: n for w, n in truth["tasks_open"].items() if n} == dict(open_count)
    assert {w: n for w, n in truth["tasks_overdue"].items() if n} == dict(overdue)
    assert sum(overdue.values()) > 0
    assert sum(open_count.values()) > sum(overdue.values())


def test_every_reference_resolves(network):
    known = {f"{r['resourceType']}/{r['id']}" for r in network.all_resources()}

    def walk(value):
        if isinstance(value, dict):
            if "reference" in value:
                yield value["reference"]
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    for resource in network.all_resources():
        for reference in walk(resource):
            assert reference in known, (resource["id"], reference)


def test_patient_resources_counts(network):
    kvnr_of = {}
    for patient in network.resources["Patient"]:
        kvnr = next(i["value"] for i in patient["identifier"] if i["system"] == KVNR_SYSTEM)
        kvnr_of[f"Patient/{patient['id']}"] = (kvnr, patient["managingOrganization"]["reference"])
    counted: dict = {}
    for kind in ("Encounter", "Condition", "Observation", "Task"):
        for resource in network.resources[kind]:
            subject = resource["for" if kind == "Task" else "subject"]["reference"]
            kvnr, org = kvnr_of[subject]
            key = (kvnr, org.removeprefix("Organization/"), kind)
            counted[key] = counted.get(key, 0) + 1
    truth = network.ground_truth["patient_resources"]
    for (kvnr, hospital, kind), count in counted.items():
        assert truth[kvnr][hospital][kind] == count


def test_structure_categories_and_wards(network):
    locations = network.resources["Location"]
    categories = set()
    age_groups = set()
    for location in locations:
        if location["physicalType"]["coding"][0]["code"] == "bd":
            categories.add(location["type"][0]["coding"][0]["code"])
            age_groups.add(location["type"][1]["coding"][0]["code"])
            assert location["partOf"]["reference"].startswith("Location/")
    assert categories == {"icu-high-care", "icu-low-care", "imc", "general"}
    assert age_groups == {"adult", "paediatric"}
    nurses = [r for r in network.resources["PractitionerRole"] if "location" in r]
    shifts = {r["code"][1]["coding"][0]["code"] for r in nurses}
    assert shifts == {"frueh", "spaet", "nacht"}


def test_all_timestamps_have_offsets(network):
    pattern = re.compile(r'"(\d{4}-\d{2}-\d{2}T[^"]*)"')
    text = orjson.dumps(list(network.all_resources())).decode()
    for stamp in pattern.findall(text):
        assert re.search(r"[+-]\d{2}:\d{2}$", stamp), stamp


def test_resources_parse_as_fhir(network):
    # fhir.resources has no plain R4 package; R4B is identical for the types used here.
    from fhir.resources.R4B import get_fhir_model_class

    for resource in network.all_resources():
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def test_kinds_bring_their_references():
    assert resolve_kinds(["Encounter"]) == [
        "Organization",
        "Location",
        "Practitioner",
        "Patient",
        "Encounter",
    ]
    with pytest.raises(ValueError, match="unknown"):
        resolve_kinds(["Spaceship"])


def test_write_network(network, tmp_path):
    manifest = write_network(network, tmp_path)
    assert read_manifest(tmp_path) == manifest
    assert read_ground_truth(tmp_path) == network.ground_truth
    total = 0
    last_phase = -1
    for item in manifest["bundles"]:
        bundle = orjson.loads((tmp_path / item["file"]).read_bytes())
        assert bundle["type"] == "transaction"
        assert 0 < len(bundle["entry"]) <= 500
        phases = {phase_of(e["resource"]) for e in bundle["entry"]}
        assert phases == {item["phase"]}
        assert item["phase"] >= last_phase
        last_phase = item["phase"]
        for entry in bundle["entry"]:
            resource = entry["resource"]
            assert entry["request"] == {
                "method": "PUT",
                "url": f"{resource['resourceType']}/{resource['id']}",
            }
        total += len(bundle["entry"])
    assert total == manifest["total"] == sum(manifest["counts"].values())
    assert berlin_date(_instant(manifest["as_of"])) == AS_OF.date()
