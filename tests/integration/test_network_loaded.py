"""The generated test network as the HAPI server holds it: counts, KVNR search, beds, validity."""

from __future__ import annotations

import random
import shutil

import httpx
import orjson
import pytest

from demo_data.bundles import read_json
from demo_data.loader import LoadError, load
from tests.support.keycloak import acting_as, http_client

pytestmark = pytest.mark.integration

KVNR_SYSTEM = "http://fhir.de/sid/gkv/kvid-10"
NO_CACHE = {"Cache-Control": "no-cache"}
PLANNED_END = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedEndDate"
# Other integration tests write Tasks (and may write bed status); reloading those would undo them.
STABLE_KINDS = (
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "Patient",
    "Encounter",
    "Condition",
    "Procedure",
    "MedicationRequest",
    "Observation",
)


@pytest.fixture(scope="module")
def client(fhir_base_url):
    with http_client(fhir_base_url, timeout=120, headers=NO_CACHE) as session:
        yield session


def _count(client: httpx.Client, path: str, **params: str) -> int:
    response = client.get(path, params={**params, "_summary": "count"})
    response.raise_for_status()
    return response.json()["total"]


def _search_all(client: httpx.Client, path: str, **params: str) -> list[dict]:
    resources = []
    response = client.get(path, params={**params, "_count": "500"})
    while True:
        response.raise_for_status()
        bundle = response.json()
        resources += [entry["resource"] for entry in bundle.get("entry", [])]
        following = [link["url"] for link in bundle.get("link", []) if link["relation"] == "next"]
        if not following:
            return resources
        response = client.get(following[0])


def test_metadata_is_r4(client):
    response = client.get("metadata")
    assert response.json()["fhirVersion"] == "4.0.1"


def test_counts_equal_manifest(client, test_network):
    for kind, expected in test_network.manifest["counts"].items():
        assert _count(client, kind) == expected, kind


def test_kvnr_search_finds_one_patient_per_hospital(client, test_network):
    truth = test_network.ground_truth["patient_resources"]
    several = sorted(k for k, v in truth.items() if len(v) > 1)
    single = sorted(k for k, v in truth.items() if len(v) == 1)
    assert several, "the test network must have persons treated at several hospitals"
    rng = random.Random(1)
    for kvnr in rng.sample(several, min(6, len(several))) + rng.sample(single, 2):
        patients = _search_all(client, "Patient", identifier=f"{KVNR_SYSTEM}|{kvnr}")
        hospitals = [p["managingOrganization"]["reference"].split("/")[1] for p in patients]
        assert sorted(hospitals) == sorted(truth[kvnr]), kvnr
        for patient in patients:
            expected = truth[kvnr][patient["managingOrganization"]["reference"].split("/")[1]]
            subject = f"Patient/{patient['id']}"
            for kind in ("Encounter", "Condition", "Observation"):
                assert _count(client, kind, subject=subject) == expected[kind], (kvnr, kind)


def test_bed_status_agrees_with_current_encounters(client, test_network):
    locations = _search_all(client, "Location")
    beds = [loc for loc in locations if loc["physicalType"]["coding"][0]["code"] == "bd"]
    occupied = {f"Location/{bed['id']}" for bed in beds if bed["operationalStatus"]["code"] == "O"}
    in_bed_now = []
    for encounter in _search_all(client, "Encounter", status="in-progress"):
        for entry in encounter.get("location", []):
            if entry["physicalType"]["coding"][0]["code"] == "bd" and entry["status"] == "active":
                in_bed_now.append(entry["location"]["reference"])
    assert len(in_bed_now) == len(set(in_bed_now)), "two patients in one bed"
    assert set(in_bed_now) == occupied
    truth = test_network.ground_truth["bed_status"]
    for hospital, per_code in truth.items():
        mine = [
            b for b in beds if b["managingOrganization"]["reference"] == f"Organization/{hospital}"
        ]
        for code, count in per_code.items():
            assert sum(1 for b in mine if b["operationalStatus"]["code"] == code) == count


def test_second_load_creates_nothing(client, test_network, tmp_path):
    manifest = test_network.manifest
    stable = []
    for item in manifest["bundles"]:
        bundle = read_json(test_network.dir / item["file"])
        first = bundle["entry"][0]["resource"]
        if first["resourceType"] in STABLE_KINDS or (
            first["resourceType"] == "Location" and item["phase"] < 3
        ):
            (tmp_path / "bundles").mkdir(exist_ok=True)
            shutil.copy(test_network.dir / item["file"], tmp_path / item["file"])
            stable.append(item)
    subset = {
        **manifest,
        "bundles": stable,
        "total": sum(item["entries"] for item in stable),
    }
    (tmp_path / "manifest.json").write_bytes(orjson.dumps(subset))
    # Other tests may have edited and restored resources (new versions): compare before/after.
    history = {kind: _count(client, f"{kind}/_history") for kind in STABLE_KINDS}
    with acting_as("admin"):
        report = load(tmp_path, str(client.base_url).rstrip("/"))
    assert report.resources == subset["total"] > 0
    assert report.created == 0
    assert report.versions_above_one == 0
    for kind in STABLE_KINDS:
        assert _count(client, kind) == manifest["counts"][kind], kind
        assert _count(client, f"{kind}/_history") == history[kind], kind


def _known_validator_gap(text: str) -> bool:
    """HAPI's validator rejects the version part of R5 cross-version extension URLs ("invalid
    Version '5.0'"), although docs/DATA_MODEL.md prescribes exactly that URL for the planned
    discharge; every other error counts."""
    return PLANNED_END in text and "invalid Version '5.0'" in text


def test_samples_pass_validate(client, test_network):
    samples: dict[str, list[dict]] = {}
    for item in test_network.manifest["bundles"]:
        for entry in read_json(test_network.dir / item["file"])["entry"]:
            samples.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    rng = random.Random(3)
    problems = []
    for kind, resources in samples.items():
        for resource in rng.sample(resources, min(3, len(resources))):
            response = client.post(
                f"{kind}/$validate",
                content=orjson.dumps(resource),
                headers={"Content-Type": "application/fhir+json"},
            )
            outcome = response.json()
            for issue in outcome.get("issue", []):
                text = issue.get("diagnostics", "")
                if issue["severity"] in ("error", "fatal") and not _known_validator_gap(text):
                    problems.append(f"{kind}/{resource['id']}: {issue.get('diagnostics')}")
    assert not problems, "\n".join(problems)


def test_refused_bundle_names_the_resource(client, tmp_path):
    broken = {
        "resourceType": "Encounter",
        "id": "enc-broken-0001",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
        "subject": {"reference": "Patient/pat-does-not-exist"},
    }
    (tmp_path / "bundles").mkdir()
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": broken,
                "request": {"method": "PUT", "url": "Encounter/enc-broken-0001"},
            }
        ],
    }
    (tmp_path / "bundles" / "0001.json").write_bytes(orjson.dumps(bundle))
    manifest = {
        "counts": {"Encounter": 1},
        "total": 1,
        "bundles": [{"file": "bundles/0001.json", "phase": 7, "entries": 1}],
    }
    (tmp_path / "manifest.json").write_bytes(orjson.dumps(manifest))
    with acting_as("admin"), pytest.raises(LoadError) as caught:
        load(tmp_path, str(client.base_url).rstrip("/"))
    assert "Encounter/enc-broken-0001" in caught.value.request_url
    assert caught.value.diagnostics
    assert client.get("Encounter/enc-broken-0001").status_code == 404
