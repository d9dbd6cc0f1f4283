"""The MII shape of the generator: same network, contact levels, pseudonyms, medication."""

from __future__ import annotations

import copy
import re
from collections import Counter
from datetime import datetime

import orjson
import pytest

from demo_data import PRESETS, generate, resolve_kinds
from demo_data.__main__ import main
from demo_data.bundles import phase_of, read_manifest, write_network
from demo_data.timeutil import BERLIN, midnight

pytestmark = pytest.mark.unit

AS_OF = datetime(2025, 11, 28, 10, 0, tzinfo=BERLIN)
KONTAKTEBENE = "http://fhir.de/CodeSystem/Kontaktebene"
KVNR_SYSTEM = "http://fhir.de/sid/gkv/kvid-10"
PSEUDONYM_SYSTEM = "https://www.medizininformatik-initiative.de/fhir/sid/pseudonym"
OBSERVATION_VALUE = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
ATC = "http://fhir.de/CodeSystem/bfarm/atc"


@pytest.fixture(scope="module")
def flat():
    return generate(7, PRESETS["test"], AS_OF)


@pytest.fixture(scope="module")
def network():
    return generate(7, PRESETS["test"], AS_OF, shape="mii")


def _level(encounter: dict) -> str:
    return next(
        coding["code"]
        for concept in encounter["type"]
        for coding in concept["coding"]
        if coding["system"] == KONTAKTEBENE
    )


def _by_level(network) -> dict[str, list[dict]]:
    levels: dict[str, list[dict]] = {}
    for encounter in network.resources["Encounter"]:
        levels.setdefault(_level(encounter), []).append(encounter)
    return levels


def _code(concept: dict) -> str:
    return concept["coding"][0]["code"]


def _instant(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def _without_shape(truth: dict, resources: dict[str, list[dict]]) -> dict:
    """The figures both shapes share: resource counts, the MII section and the admission queue
    (written in the flat shape only) differ by design."""
    out = copy.deepcopy(truth)
    out.pop("mii", None)
    patients = {p["id"]: p for p in resources["Patient"]}
    stays = {e["id"]: e for e in resources["Encounter"]}
    for ward in out.pop("admission_queue", {}).values():
        for task in ward.values():
            patient = patients[task["patient"]]
            kvnr = next(i["value"] for i in patient["identifier"] if "kvid" in i["system"])
            hospital = stays[task["encounter"]]["serviceProvider"]["reference"].split("/")[1]
            counts = out["patient_resources"][kvnr][hospital]
            counts["Encounter"] -= 1
            counts["Task"] -= 1
    del out["totals"]["resources"], out["totals"]["resources_total"]
    for per_hospital in out["patient_resources"].values():
        for counts in per_hospital.values():
            given = counts.pop("MedicationRequest", None)
            given = counts.pop("MedicationAdministration", given)
            counts["medication"] = given
    return out


def test_same_seed_same_figures_in_both_shapes(flat, network):
    assert _without_shape(network.ground_truth, network.resources) == _without_shape(
        flat.ground_truth, flat.resources
    )
    assert network.manifest["shape"] == "mii"
    assert flat.manifest["shape"] == "flat"
    again = generate(7, PRESETS["test"], AS_OF, shape="mii")
    assert list(again.all_resources()) == list(network.all_resources())
    assert again.ground_truth == network.ground_truth
    counts = network.manifest["counts"]
    assert "MedicationRequest" not in counts
    assert counts["MedicationAdministration"] == flat.manifest["counts"]["MedicationRequest"]
    queued = sum(len(ward) for ward in flat.ground_truth["admission_queue"].values())
    assert counts["Task"] == flat.manifest["counts"]["Task"] - queued
    for kind in ("Organization", "Location", "Patient", "Condition", "Observation"):
        assert counts[kind] == flat.manifest["counts"][kind], kind


def test_contacts_per_level_match_ground_truth(network):
    levels = _by_level(network)
    truth = network.ground_truth["mii"]["contacts"]
    assert {level: len(items) for level, items in levels.items()} == truth
    stays = sum(network.ground_truth["totals"]["encounters_by_class"].values())
    assert truth["einrichtungskontakt"] == stays
    assert truth["abteilungskontakt"] > stays
    for encounter in levels["einrichtungskontakt"]:
        assert "partOf" not in encounter and "location" not in encounter
        assert _code(encounter["identifier"][0]["type"]) == "VN"
        assert "serviceProvider" in encounter and "admitSource" in encounter["hospitalization"]
    for encounter in levels["abteilungskontakt"] + levels["versorgungsstellenkontakt"]:
        assert encounter["serviceType"]["coding"][0]["system"].endswith("Fachabteilungsschluessel")
    in_progress = [e for e in levels["versorgungsstellenkontakt"] if e["status"] == "in-progress"]
    assert len(in_progress) == network.ground_truth["totals"]["inpatients_now"]


def test_every_ward_contact_reaches_its_stay(network):
    encounters = {e["id"]: e for e in network.resources["Encounter"]}
    by_case = {
        (e["identifier"][0]["system"], e["identifier"][0]["value"]): e
        for e in encounters.values()
        if _level(e) == "einrichtungskontakt"
    }

    def parent(encounter: dict) -> dict:
        part_of = encounter["partOf"]
        if "reference" in part_of:
            return encounters[part_of["reference"].removeprefix("Encounter/")]
        key = (part_of["identifier"]["system"], part_of["identifier"]["value"])
        return by_case[key]

    ward_contacts = [e for e in encounters.values() if _level(e) == "versorgungsstellenkontakt"]
    assert ward_contacts
    for encounter in ward_contacts:
        department = parent(encounter)
        stay = parent(department)
        assert [_level(department), _level(stay)] == ["abteilungskontakt", "einrichtungskontakt"]
        for child, above in ((encounter, department), (department, stay)):
            assert child["subject"] == above["subject"]
            assert child["period"]["start"] >= above["period"]["start"]
            if "end" in above["period"]:
                assert _instant(child["period"]["end"]) <= _instant(above["period"]["end"])
        codes = [_code(entry["physicalType"]) for entry in encounter["location"]]
        assert codes == ["wa", "ro", "bd"]


def test_literal_and_logical_part_of_both_present(network):
    departments = _by_level(network)["abteilungskontakt"]
    kinds = Counter("reference" if "reference" in e["partOf"] else "id" for e in departments)
    truth = network.ground_truth["mii"]["abteilungskontakt_part_of"]
    assert kinds == {"reference": truth["literal"], "id": truth["logical"]}
    assert 0.2 <= truth["logical"] / len(departments) <= 0.45
    for encounter in _by_level(network)["versorgungsstellenkontakt"]:
        assert encounter["partOf"]["reference"].startswith("Encounter/")


def test_pseudonymised_share(network):
    persons = network.ground_truth["totals"]["persons"]
    truth = network.ground_truth["mii"]
    unnamed = [p for p in network.resources["Patient"] if "name" not in p]
    assert len(unnamed) == truth["patients_pseudonymised"] == truth["patients_without_kvnr"]
    assert 0.12 <= truth["persons_without_name"] / persons <= 0.28
    pseudonyms = set()
    for patient in unnamed:
        systems = [i["system"] for i in patient["identifier"]]
        assert KVNR_SYSTEM not in systems
        pseudonym = next(i for i in patient["identifier"] if i["system"] == PSEUDONYM_SYSTEM)
        assert pseudonym["type"]["coding"][0] == {
            "system": OBSERVATION_VALUE,
            "code": "PSEUDED",
            "display": "pseudonymized",
        }
        pseudonyms.add(pseudonym["value"])
        assert sum(1 for i in patient["identifier"] if _code(i["type"]) == "MR") == 1
        assert re.fullmatch(r"\d{4}-\d{2}", patient["birthDate"])
        assert "line" not in patient["address"][0]
    assert len(pseudonyms) == len(unnamed)
    named = [p for p in network.resources["Patient"] if "name" in p]
    keys = {next(i["value"] for i in p["identifier"] if i["system"] == KVNR_SYSTEM) for p in named}
    keys |= {(p["managingOrganization"]["reference"], p["id"]) for p in unnamed}
    assert len(keys) == truth["persons_by_kvnr_or_patient"]


def test_medication_administration_references_medication(network):
    medications = {m["id"]: m for m in network.resources["Medication"]}
    assert len(medications) == network.ground_truth["mii"]["medications"]
    for medication in medications.values():
        assert medication["code"]["coding"][0]["system"] == ATC
    used = set()
    for administration in network.resources["MedicationAdministration"]:
        reference = administration["medicationReference"]["reference"]
        assert reference.removeprefix("Medication/") in medications
        used.add(reference)
        if administration["status"] == "completed":
            assert "end" in administration["effectivePeriod"]
        else:
            assert administration["status"] == "in-progress"
            assert "end" not in administration["effectivePeriod"]
    assert len(used) == len(medications)


def test_clinical_resources_reference_the_documented_level(network):
    encounters = {e["id"]: e for e in network.resources["Encounter"]}
    levels = network.ground_truth["mii"]["reference_levels"]
    for kind, field in (
        ("Condition", "encounter"),
        ("Procedure", "encounter"),
        ("MedicationAdministration", "context"),
        ("Observation", "encounter"),
        ("Task", "encounter"),
    ):
        seen = Counter()
        for resource in network.resources[kind]:
            if kind == "Task" and "encounter" not in resource:
                # A transfer request names the stay as its focus (docs/DATA_MODEL.md).
                assert resource["focus"]["reference"].removeprefix("Encounter/") in encounters
                continue
            if kind == "Condition" and _code(resource["category"][0]) == "problem-list-item":
                # A problem-list entry belongs to the person, not to a contact.
                assert field not in resource
                continue
            target = encounters[resource[field]["reference"].removeprefix("Encounter/")]
            seen[_level(target)] += 1
            assert target["subject"] == resource["for" if kind == "Task" else "subject"]
            if kind == "Task":
                ward = target["location"][0]["location"]
                assert ward == resource["location"]
        assert set(seen) == {levels[kind]}, kind


def test_census_and_bed_status_from_ward_contacts(network):
    truth = network.ground_truth
    dates = truth["census_dates"]
    midnights = {day: midnight(datetime.fromisoformat(day).date()) for day in dates}
    census = {ward: dict.fromkeys(dates, 0) for ward in truth["census"]}
    occupied = set()
    for encounter in _by_level(network)["versorgungsstellenkontakt"]:
        if encounter["class"]["code"] != "IMP":
            continue
        ward, _, bed = encounter["location"]
        start = _instant(ward["period"]["start"])
        end = _instant(ward["period"]["end"]) if "end" in ward["period"] else None
        for day, moment in midnights.items():
            if start <= moment and (end is None or moment < end):
                census[ward["location"]["reference"].removeprefix("Location/")][day] += 1
        if bed["status"] == "active":
            occupied.add(bed["location"]["reference"].removeprefix("Location/"))
    assert census == truth["census"]
    beds = [r for r in network.resources["Location"] if _code(r["physicalType"]) == "bd"]
    assert len(beds) == truth["totals"]["beds"]
    for bed in beds:
        assert (bed["operationalStatus"]["code"] == "O") == (bed["id"] in occupied)
        assert bed["meta"]["profile"][0].endswith("ISiKStandortBettenstellplatz")
        assert bed["partOf"]["reference"].startswith("Location/")
        assert bed["identifier"][0]["value"] in bed["name"]


def test_every_literal_reference_resolves_and_parses(network):
    from fhir.resources.R4B import get_fhir_model_class

    known = {f"{r['resourceType']}/{r['id']}" for r in network.all_resources()}
    for resource in network.all_resources():
        for reference in _references(resource):
            assert reference in known, (resource["id"], reference)
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _references(value):
    if isinstance(value, dict):
        if "reference" in value:
            yield value["reference"]
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def test_bundles_load_parents_in_earlier_phases(network, tmp_path):
    manifest = write_network(network, tmp_path)
    assert read_manifest(tmp_path)["shape"] == "mii"
    phase_of_resource = {}
    last_phase = -1
    for item in manifest["bundles"]:
        assert item["phase"] >= last_phase
        last_phase = item["phase"]
        bundle = orjson.loads((tmp_path / item["file"]).read_bytes())
        for entry in bundle["entry"]:
            resource = entry["resource"]
            assert phase_of(resource, "mii") == item["phase"]
            phase_of_resource[f"{resource['resourceType']}/{resource['id']}"] = item["phase"]
    assert len(phase_of_resource) == manifest["total"]
    for item in manifest["bundles"]:
        bundle = orjson.loads((tmp_path / item["file"]).read_bytes())
        for entry in bundle["entry"]:
            for reference in _references(entry["resource"]):
                assert phase_of_resource[reference] < item["phase"], reference


def test_kinds_and_command_line(tmp_path):
    assert resolve_kinds(["MedicationAdministration"], "mii") == [
        "Organization",
        "Location",
        "Practitioner",
        "Patient",
        "Encounter",
        "Medication",
        "MedicationAdministration",
    ]
    with pytest.raises(ValueError, match="unknown resource kind"):
        resolve_kinds(["MedicationRequest"], "mii")
    with pytest.raises(ValueError, match="unknown shape"):
        resolve_kinds(None, "hl7v2")
    out = tmp_path / "data"
    argv = ["generate", "--scale", "0.05", "--seed", "3", "--out", str(out), "--shape", "mii"]
    assert main([*argv, "--kinds", "Encounter", "--as-of", "2025-11-28T10:00:00+01:00"]) == 0
    assert read_manifest(out)["shape"] == "mii"
    assert main(["ensure", "--dir", str(out), "--base", "http://fhir.test/fhir"]) == 2
