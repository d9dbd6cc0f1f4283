"""The generator: determinism, formats, consistency of beds, census and tasks, validity."""

from __future__ import annotations

import itertools
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
from demo_data.timeutil import BERLIN, berlin_date, midnight, to_instant
from services.admissions import WAITING
from services.codes import NURSING_TASK as NURSING

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
        assert code in ("O", "U", "C", "H", "I", "K")
    by_hospital = Counter()
    for bed in beds:
        by_hospital[
            (bed["managingOrganization"]["reference"][13:], bed["operationalStatus"]["code"])
        ] += 1
    truth = network.ground_truth["bed_status"]
    for (hospital, code), count in by_hospital.items():
        assert truth[hospital][code] == count


def _reason(bed: dict) -> str | None:
    for extension in bed.get("extension", []):
        if extension["url"] == "https://fhir.medicus-bw.de/StructureDefinition/bettensperrgrund":
            return extension["valueCodeableConcept"]["coding"][0]["code"]
    return None


def test_blocked_beds_say_why(network):
    beds = [
        r for r in network.resources["Location"] if r["physicalType"]["coding"][0]["code"] == "bd"
    ]
    reasons = {bed["id"]: _reason(bed) for bed in beds}
    for bed in beds:
        code, reason = bed["operationalStatus"]["code"], reasons[bed["id"]]
        if code == "C":
            assert reason in ("personal", "wartung"), bed["id"]
        elif code == "I":
            assert reason == "isolation", bed["id"]
        else:
            assert reason is None, bed["id"]
    given = {bed: reason for bed, reason in reasons.items() if reason is not None}
    assert given == network.ground_truth["bed_block_reasons"]


def test_isolated_rooms_hold_an_isolated_patient():
    """At the demo scale in the early afternoon every v2-0116 state occurs, and an isolated
    bed's room holds a patient with an active MRSA flag."""
    demo = generate(3, PRESETS["demo"], AS_OF.replace(hour=14), kinds=["Location", "Flag"])
    truth = demo.ground_truth
    assert all(truth["totals"]["bed_status"][code] > 0 for code in "OUCHIK")
    room = {
        r["id"]: r["partOf"]["reference"][9:]
        for r in demo.resources["Location"]
        if r["physicalType"]["coding"][0]["code"] == "bd"
    }
    isolated_rooms = {room[bed] for bed, codes in truth["bed_flags"].items() if "mrsa" in codes}
    for bed, reason in truth["bed_block_reasons"].items():
        if reason == "isolation":
            assert room[bed] in isolated_rooms, bed
    flags = {r["code"]["coding"][0]["code"] for r in demo.resources["Flag"]}
    assert flags == {"mrsa", "3mrgn", "4mrgn", "norovirus", "covid-19"}
    assert all("–" in r["code"]["coding"][0]["display"] for r in demo.resources["Flag"])


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


def begun_stays(network) -> list[dict]:
    """Inpatient stays that have begun; the admissions still waiting for a bed have no place
    yet (tested in test_admissions)."""
    return [
        e
        for e in network.resources["Encounter"]
        if e["class"]["code"] == "IMP" and e["status"] not in WAITING
    ]


def test_weekday_rhythm(network):
    admissions = Counter()
    discharge_hours = Counter()
    for encounter in begun_stays(network):
        admissions[datetime.fromisoformat(encounter["period"]["start"]).weekday()] += 1
        if "end" in encounter["period"]:
            discharge_hours[datetime.fromisoformat(encounter["period"]["end"]).hour] += 1
    weekday = statistics.mean(admissions[d] for d in range(5))
    weekend = statistics.mean(admissions[d] for d in (5, 6))
    assert weekend < 0.75 * weekday
    late_morning = sum(discharge_hours[h] for h in range(9, 14))
    assert late_morning > 0.6 * sum(discharge_hours.values())


def test_current_stays_have_one_active_ward_and_most_a_planned_end(network):
    planned = current = 0
    for encounter in begun_stays(network):
        active = [e for e in encounter["location"] if e["status"] == "active"]
        if "extension" in encounter:
            end, recorded = (
                datetime.fromisoformat(e["valueDateTime"]) for e in encounter["extension"]
            )
            assert end > recorded > datetime.fromisoformat(encounter["period"]["start"])
        if encounter["status"] == "in-progress":
            current += 1
            planned += "extension" in encounter
            assert "end" not in encounter["period"]
            assert len(active) == 3
            assert {e["physicalType"]["coding"][0]["code"] for e in active} == {"wa", "ro", "bd"}
        else:
            assert not active
            assert "dischargeDisposition" in encounter["hospitalization"]
    # Some current stays have no planned discharge (not yet, or never documented).
    assert 0.5 * current < planned < current


def nursing_tasks(network) -> list[dict]:
    """The ward's work among the Tasks; transfer requests between hospitals are Tasks too
    (tested in test_transfers)."""
    return [t for t in network.resources["Task"] if t["code"]["coding"][0]["system"] == NURSING]


def test_tasks_open_and_overdue(network):
    as_of = int(AS_OF.timestamp())
    open_count = Counter()
    overdue = Counter()
    for task in nursing_tasks(network):
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


def test_tasks_carry_their_order_and_the_notes_of_who_did_them(network):
    requests = {r["id"]: r for r in network.resources["MedicationRequest"]}
    procedures = {r["id"]: r for r in network.resources["Procedure"]}
    practitioners = {r["id"] for r in network.resources["Practitioner"]}
    about_a_drug = noted = 0
    for task in nursing_tasks(network):
        code = task["code"]["coding"][0]["code"]
        assert task["description"].strip(), task["id"]
        if "basedOn" in task:
            order = requests[task["basedOn"][0]["reference"].removeprefix("MedicationRequest/")]
            assert task["focus"] == task["basedOn"][0] and code == "medikation"
            drug = order["medicationCodeableConcept"]["coding"][0]["display"]
            dosage = order["dosageInstruction"][0]["text"]
            assert task["description"] == f"{drug} {dosage}"
            assert order["encounter"] == task["encounter"]
            about_a_drug += 1
        elif task.get("focus", {}).get("reference", "").startswith("Location/"):
            assert code == "bettenreinigung"
        elif "focus" in task:
            operation = procedures[task["focus"]["reference"].removeprefix("Procedure/")]
            assert code == "wundversorgung" and operation["encounter"] == task["encounter"]
        if code == "wundversorgung":
            assert task["description"].startswith("Verbandswechsel ")
        for note in task.get("note", []):
            assert task["status"] == "completed"
            assert note["authorReference"] == task["owner"]
            author = note["authorReference"]["reference"].removeprefix("Practitioner/")
            assert author in practitioners
            assert note["time"] == task["executionPeriod"]["end"] and note["text"]
            noted += 1
    assert about_a_drug and noted


def test_every_bed_left_in_the_last_two_weeks_has_its_cleaning_task(network):
    """A discharge or transfer out makes a cleaning task for the bed: made when the patient
    left, done when the bed book has it ready again; open exactly while the bed is cleaned."""
    as_of = int(AS_OF.timestamp())
    encounters = {e["id"]: e for e in network.resources["Encounter"]}
    locations = {r["id"]: r for r in network.resources["Location"]}
    cleanings = [
        t for t in network.resources["Task"] if t["code"]["coding"][0]["code"] == "bettenreinigung"
    ]
    left = {
        (enc_id, entry["location"]["reference"], entry["period"]["end"])
        for enc_id, encounter in encounters.items()
        for entry in encounter.get("location", [])
        if entry["physicalType"]["coding"][0]["code"] == "bd"
        and "end" in entry["period"]
        and _instant(entry["period"]["end"]) >= as_of - 14 * 86400
        and encounter["class"]["code"] == "IMP"
    }
    made = {
        (
            t["encounter"]["reference"].removeprefix("Encounter/"),
            t["focus"]["reference"],
            t["authoredOn"],
        )
        for t in cleanings
    }
    assert made == left and cleanings
    truth = network.ground_truth["bed_turnaround"]
    minutes: dict[str, list[float]] = {}
    for task in cleanings:
        bed = locations[task["focus"]["reference"].removeprefix("Location/")]
        room = locations[bed["partOf"]["reference"].removeprefix("Location/")]
        assert task["location"] == room["partOf"]
        if task["status"] == "completed":
            done = _instant(task["executionPeriod"]["end"]) - _instant(task["authoredOn"])
            assert done >= 2 * 3600
            ward = task["location"]["reference"].removeprefix("Location/")
            minutes.setdefault(ward, []).append(done / 60)
        else:
            # Still being cleaned: the bed says so unless something weightier holds it.
            assert bed["operationalStatus"]["code"] in ("H", "K", "I"), bed["id"]
    assert {w: v["cleaned"] for w, v in truth.items() if v["cleaned"]} == {
        w: len(v) for w, v in minutes.items()
    }
    for ward, values in minutes.items():
        assert truth[ward]["median_minutes"] == statistics.median(values)


@pytest.mark.parametrize(
    "hour",
    # Hours at which chance alone left a band out (19:00, 14:00) or made more than a quarter of
    # the adults' sets incomplete (09:00), and one at which it did neither.
    ["2026-12-03T19:00:00+01:00", "2026-12-01T14:00:00+01:00", "2026-12-01T09:00:00+01:00",
     "2026-12-03T12:00:00+01:00"],
)  # fmt: skip
def test_every_hour_shows_every_news2_band_and_mostly_full_scores(hour):
    truth = generate(7, PRESETS["test"], datetime.fromisoformat(hour)).ground_truth["news2"]
    adults = [t for t in truth.values() if t["status"] in ("complete", "incomplete")]
    complete = [t for t in adults if t["status"] == "complete"]
    assert {t["band"] for t in complete} == {"zero", "low", "low_medium", "medium", "high"}
    assert len(adults) > len(complete) >= 0.75 * len(adults)


@pytest.mark.parametrize(
    "hour",
    # Hours at which chance alone gave no current person two drugs of one group (14:00, 16:00,
    # 05:00), and one at which it gave two of other groups but never this pair.
    ["2026-12-03T14:00:00+01:00", "2026-12-03T16:00:00+01:00", "2026-12-04T05:00:00+01:00",
     "2026-12-03T11:00:00+01:00"],
)  # fmt: skip
def test_every_hour_has_a_current_stay_anticoagulated_twice(hour):
    network = generate(7, PRESETS["test"], datetime.fromisoformat(hour))
    running: dict[str, set[str]] = {}
    for order in network.clinical.medications:
        if order.status == "active" and order.encounter.current:
            running.setdefault(order.encounter.id, set()).add(order.code.code)
    doubled = [drugs for drugs in running.values() if {"B01AB05", "B01AF02"} <= drugs]
    assert doubled
    conflicts = [
        kvnr
        for kvnr, person in network.ground_truth["safety"].items()
        if {"B01AB05", "B01AF02"} <= set(person["medication_current"])
    ]
    assert conflicts


@pytest.mark.parametrize(
    "hour",
    # Hours at which chance alone gave no adult a latest set taken before the move to the ward
    # they lie on now, and one at which it gave one.
    ["2026-12-03T04:00:00+01:00", "2026-12-03T15:00:00+01:00", "2026-12-03T23:00:00+01:00",
     "2026-12-03T14:00:00+01:00"],
)  # fmt: skip
def test_every_hour_has_an_adult_whose_latest_set_was_taken_on_the_ward_before(hour):
    network = generate(7, PRESETS["test"], datetime.fromisoformat(hour))
    stays = {e.id: e for e in network.encounters}
    moved = []
    for stay_id, entry in network.ground_truth["news2"].items():
        if entry["status"] not in ("complete", "incomplete"):
            continue
        periods = stays[stay_id].periods
        arrived = [b.start for a, b in itertools.pairwise(periods) if a.ward != b.ward]
        taken = datetime.fromisoformat(entry["taken"]).timestamp()
        if arrived and taken < arrived[-1]:
            assert entry["ward_id"] == periods[-1].ward.id
            moved.append(stay_id)
    assert moved


@pytest.mark.parametrize(
    "hour",
    # Hours at which chance alone left a hospital without a person it never treated who has
    # lab results at two others (11:00: Donau-Iller-Klinik and Fächerstadt; 14:00 and 17:00:
    # Fächerstadt), and one at which chance gave every hospital one.
    ["2026-12-04T11:00:00+01:00", "2026-12-04T14:00:00+01:00", "2026-12-04T17:00:00+01:00",
     "2026-12-04T06:00:00+01:00"],
)  # fmt: skip
def test_every_hospital_has_a_stranger_with_labs_at_two_other_hospitals(hour):
    network = generate(7, PRESETS["test"], datetime.fromisoformat(hour))
    treated: dict[int, set[str]] = {}
    for encounter in network.encounters:
        treated.setdefault(encounter.stay.person.index, set()).add(encounter.stay.hospital.id)
    tested: dict[int, set[str]] = {}
    for observation in network.clinical.observations:
        if observation.category == "laboratory":
            stay = observation.encounter.stay
            tested.setdefault(stay.person.index, set()).add(stay.hospital.id)
    for hospital in {h for hospitals in treated.values() for h in hospitals}:
        strangers = [p for p in tested if hospital not in treated[p] and len(tested[p]) > 1]
        assert strangers, hospital


@pytest.mark.parametrize(
    "hour",
    # An hour at which a stay admitted 18 minutes before had its first set half taken after
    # the hour (the board then read it incomplete, the truth complete), and one without.
    ["2026-12-04T11:00:00+01:00", "2026-12-04T06:00:00+01:00"],
)  # fmt: skip
def test_no_vital_sign_is_taken_after_the_hour_the_network_is_seen_at(hour):
    network = generate(7, PRESETS["test"], datetime.fromisoformat(hour))
    as_of = to_instant(datetime.fromisoformat(hour))
    late = [
        o.id
        for o in network.clinical.observations
        if o.category == "vital-signs" and o.encounter.current and o.effective > as_of
    ]
    assert not late
