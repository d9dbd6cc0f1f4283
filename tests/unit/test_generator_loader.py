"""Loader and command line without a server: tallies, error messages, exit codes."""

from __future__ import annotations

from datetime import datetime

import httpx
import orjson
import pytest
import respx

from demo_data import PRESETS, generate
from demo_data.__main__ import main
from demo_data.bundles import write_network
from demo_data.loader import LoadError, ServerUnavailable, _culprit, load, server_is_empty
from demo_data.timeutil import BERLIN

pytestmark = pytest.mark.unit

BASE = "http://fhir.test/fhir"
AS_OF = datetime(2025, 11, 28, 10, 0, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("network")
    write_network(generate(5, PRESETS["test"], AS_OF, kinds=["Patient"]), directory)
    return directory


def _answer(request: httpx.Request) -> httpx.Response:
    bundle = orjson.loads(request.content)
    entries = [{"response": {"status": "201 Created", "etag": 'W/"1"'}} for _ in bundle["entry"]]
    return httpx.Response(200, json={"resourceType": "Bundle", "entry": entries})


@respx.mock
def test_load_sends_every_bundle_and_tallies(data_dir):
    respx.get(f"{BASE}/metadata").respond(json={"fhirVersion": "4.0.1"})
    route = respx.post(f"{BASE}/").mock(side_effect=_answer)
    report = load(data_dir, BASE)
    manifest = orjson.loads((data_dir / "manifest.json").read_bytes())
    assert route.call_count == len(manifest["bundles"])
    assert report.resources == report.created == manifest["total"]
    assert report.versions_above_one == 0
    assert report.resources_per_second > 0


@respx.mock
def test_refused_bundle_names_entry_and_diagnostics(data_dir):
    respx.get(f"{BASE}/metadata").respond(json={"fhirVersion": "4.0.1"})
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "processing",
                "diagnostics": "HAPI-1094: Resource Organization/org-xyz not found, "
                "specified in path: Patient.managingOrganization",
            }
        ],
    }
    respx.post(f"{BASE}/").respond(400, json=outcome)
    with pytest.raises(LoadError) as caught:
        load(data_dir, BASE)
    assert caught.value.status == 400
    assert "HAPI-1094" in caught.value.diagnostics
    assert "Organization/org-xyz" in str(caught.value)


def test_culprit_by_index_reference_or_range():
    entries = [
        {"request": {"url": f"Patient/p{i}"}, "resource": {"id": f"p{i}", "x": {"reference": r}}}
        for i, r in enumerate(["Organization/a", "Organization/b"])
    ]
    assert _culprit(entries, "Bundle.entry[1].resource failed") == "Patient/p1"
    assert _culprit(entries, "Patient/p0 is bad") == "Patient/p0"
    assert _culprit(entries, "Resource Organization/b not found").startswith("Patient/p1")
    assert _culprit(entries, "something else") == "one of Patient/p0 .. Patient/p1"


@respx.mock
def test_server_down_is_reported():
    respx.get(f"{BASE}/metadata").mock(side_effect=httpx.ConnectError("refused"))
    respx.get(f"{BASE}/Organization").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(ServerUnavailable, match=r"fhir\.test.*fhir-server\.sh start"):
        server_is_empty(BASE)


@respx.mock
def test_cli_exit_codes(tmp_path, capsys):
    respx.get(f"{BASE}/Organization").mock(side_effect=httpx.ConnectError("refused"))
    out = tmp_path / "data"
    argv = ["generate", "--preset", "test", "--seed", "3", "--out", str(out)]
    assert main([*argv, "--as-of", "2025-11-28T10:00:00+01:00"]) == 0
    assert (out / "manifest.json").exists()
    code = main(["ensure", "--dir", str(out), "--base", BASE])
    assert code == 3
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert message.startswith("error: no FHIR server at http://fhir.test/fhir")
    assert main(["load", "--dir", str(tmp_path / "missing"), "--base", BASE]) == 2
    assert main(["generate", "--scale", "1", "--out", str(out), "--kinds", "Nope"]) == 2
