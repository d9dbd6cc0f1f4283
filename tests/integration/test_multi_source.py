"""Two FHIR sources for real: two URL tenants of a second server instance, each holding the
records of other hospitals. Patients of both are merged into one person by KVNR, and a source
that is down leaves the others visible, and the audit trail tells apart two people who carry
one id at two servers. Each source carries its own token settings, as a ``[[sources]]`` entry
does; the tenants are filled as the platform's admin client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest
import streamlit as st

from services.audit import AuditRecord, record
from services.config import Settings
from services.errors import SourceUnavailable
from services.i18n import t
from services.patient_record import persons, same_person_search
from services.platform import Platform
from tests.support import keycloak as idp
from tests.support.apptest import app_environment, open_page, sources_json

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "fhir-server.sh"
TENANTS = {"NORD": 1, "SUED": 2}


def _script(command: str, port: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **idp.fhir_env(),
        "FHIR_PORT": port,
        "FHIR_DB_PATH": str(db / "h2"),
        "FHIR_TENANTS": "true",
    }
    return subprocess.run(  # noqa: S603 - our own script with a fixed argument
        [str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def _resources(data_dir: Path) -> list[dict]:
    out = []
    for path in sorted((data_dir / "bundles").glob("*.json")):
        out += [e["resource"] for e in json.loads(path.read_text())["entry"]]
    return out


@pytest.fixture(scope="module")
def tenant_server(keycloak, test_network, tmp_path_factory):
    """A second server with URL tenants; the test network's cross-facility persons split so that
    each tenant holds the records of its own hospitals."""
    port = os.environ.get("FHIR_TENANT_TEST_PORT", "8098")
    db = tmp_path_factory.mktemp("tenant-db")
    started = _script("start", port, db)
    if started.returncode != 0:
        # A start that timed out leaves its process running: end it with the run.
        _script("stop", port, db)
        pytest.fail(f"tenant server did not start:\n{started.stderr}")
    base = f"http://localhost:{port}/fhir"
    try:
        keycloak.ready()
        idp.guarded(f"{base}/DEFAULT")
        with idp.http_client(base, timeout=120) as client:
            for name, number in TENANTS.items():
                client.post(
                    "DEFAULT/$partition-management-create-partition",
                    json={
                        "resourceType": "Parameters",
                        "parameter": [
                            {"name": "id", "valueInteger": number},
                            {"name": "name", "valueCode": name},
                        ],
                    },
                ).raise_for_status()
            hospitals = [h["id"] for h in test_network.manifest["hospitals"]]
            tenant_of = {h: ("NORD" if n % 2 == 0 else "SUED") for n, h in enumerate(hospitals)}
            truth = test_network.ground_truth["patient_resources"]
            split = [k for k, per in truth.items() if len({tenant_of[h] for h in per}) == 2][:5]
            resources = _resources(test_network.dir)
            patients = [
                r
                for r in resources
                if r["resourceType"] == "Patient"
                and any(i.get("value") in split for i in r.get("identifier", []))
            ]
            for tenant in TENANTS:
                mine = [
                    p
                    for p in patients
                    if tenant_of[p["managingOrganization"]["reference"].split("/")[1]] == tenant
                ]
                orgs = [
                    r
                    for r in resources
                    if r["resourceType"] == "Organization" and tenant_of[r["id"]] == tenant
                ]
                entries = [
                    {
                        "resource": r,
                        "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
                    }
                    for r in orgs + mine
                ]
                bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
                client.post(tenant, json=bundle).raise_for_status()
        yield base, split, patients
    finally:
        _script("stop", port, db)


def test_one_person_per_kvnr_across_two_sources(tenant_server):
    base, kvnrs, loaded = tenant_server
    sources = tuple(idp.source(t, f"{base}/{t}") for t in TENANTS)
    with Platform(Settings(sources=sources)) as platform:
        read = platform.read(same_person_search(kvnrs), no_cache=True)
    assert not read.errors
    assert set(read["patient"]["source"]) == set(TENANTS)
    assert len(read["patient"]) == len(loaded)
    merged = persons(read["patient"])
    assert sorted(merged["kvnr"]) == sorted(kvnrs)
    for _, person in merged.iterrows():
        assert {source for source, _, _ in person["records"]} == set(TENANTS)


def test_a_source_that_is_down_leaves_the_others(tenant_server):
    base, kvnrs, _ = tenant_server
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    sources = (
        idp.source("NORD", f"{base}/NORD"),
        idp.source("Ausgefallen", f"http://127.0.0.1:{dead_port}/fhir"),
    )
    with Platform(Settings(sources=sources, retries=1, backoff_base=0.01)) as platform:
        read = platform.read(same_person_search(kvnrs))
    assert isinstance(read.errors["Ausgefallen"], SourceUnavailable)
    assert set(read["patient"]["source"]) == {"NORD"}
    assert len(read["patient"]) > 0


# Ids are each server's own (HAPI numbers what it creates 1, 2, 3 ... on every server), so two
# hospitals of the platform may hold different people under one id.
def test_one_id_at_two_sources_is_two_people_in_the_audit_trail(
    tenant_server, fhir_base_url, test_network, users, demo_users_file, tmp_path
):
    base, _, loaded = tenant_server
    in_tenants = {p["id"] for p in loaded}
    elsewhere = next(
        r
        for r in _resources(test_network.dir)
        if r["resourceType"] == "Patient" and r["id"] not in in_tenants and r.get("name")
    )
    same_id = elsewhere["id"]
    stranger = {"resourceType": "Patient", "id": same_id, "name": [{"family": "Nordmann"}]}
    with idp.http_client(base, timeout=120) as client:
        client.put(f"NORD/Patient/{same_id}", json=stranger).raise_for_status()
    network = idp.source("MEDI:CUS Plattform", fhir_base_url)
    settings = Settings(sources=(network, idp.source("NORD", f"{base}/NORD")))
    physician = users["arzt.demo"]
    with Platform(settings) as platform:
        for where in ("MEDI:CUS Plattform", "NORD"):
            view = AuditRecord(physician, "read", "timeline", patient_id=same_id, source=where)
            assert record(platform, view, tmp_path / "audit.log") == "platform"
    with app_environment({"MEDICUS_SOURCES": sources_json(settings)}, demo_users_file, tmp_path):
        st.cache_data.clear()
        at = open_page("pages/audit.py", users["admin.demo"])
        assert not at.exception, at.exception
        table = at.dataframe[0].value
        choices = at.selectbox(key="audit_person").options
    views = table[(table[t("col.user")] == physician.name) & (table[t("col.record")] == same_id)]
    named = set(views[t("col.patient")])
    family = elsewhere["name"][0]["family"]
    assert len(named) == 2 and "Nordmann" in named, named
    assert any(family in person for person in named), (family, named)
    # Each is a person of their own for an access request.
    assert sum(c.startswith("Nordmann") for c in choices) == 1
    assert any(family in c for c in choices)
