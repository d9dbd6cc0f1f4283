"""The embedded platform with tokens on: Keycloak issues them, HAPI checks them.

Uses the suite's Keycloak (fixture ``keycloak``, ``KC_TEST_PORT``, default 8181) and a HAPI of its
own (``FHIR_AUTH_TEST_PORT``, default 8096, database ``var/auth-test-db``), started beside it and
reused when it already answers: this server allows no clock skew, so a test can wait for a token
to expire, and it holds the few resources these tests write, away from the test network. Every
other server of the suite checks tokens as well; the tests here are about the checks themselves.
"""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import pytest

from services.codes import (
    ALLERGY_CLINICAL,
    BED_BLOCK_REASON,
    BED_BLOCK_REASON_EXT,
    BED_RESERVATION_EXT,
    BED_STATUS,
    PHYSICAL_TYPE,
    SNOMED,
)
from services.config import Settings, SourceConfig
from services.domain.summary import ALLERGIES, summary_view
from services.errors import SourceUnavailable, Unauthorised
from services.fhir_http import FhirHttp
from services.platform import Platform as DataPlatform
from services.roles import Role, User
from services.sync import sync_source
from services.transfers import (
    TransferAsk,
    accept,
    arrival_ids,
    request_resources,
    send_request,
)
from tests.support import keycloak as idp
from tests.support.keycloak import TOKEN_URL, Keycloak

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
FHIR = REPO / "scripts" / "fhir-server.sh"
FHIR_PORT = os.environ.get("FHIR_AUTH_TEST_PORT", "8096")
BASE = f"http://127.0.0.1:{FHIR_PORT}/fhir"
FHIR_LOG = REPO / "fhir-server" / "target" / f"server-{FHIR_PORT}.log"


def _fhir_env() -> dict[str, str]:
    return {
        **os.environ,
        **idp.fhir_env(),
        "FHIR_PORT": FHIR_PORT,
        "FHIR_DB_PATH": str(REPO / "var" / "auth-test-db" / "h2"),
        # No grace: the expiry test waits for a ten-second token to run out.
        "FHIR_AUTH_CLOCK_SKEW_S": "0",
    }


@dataclass(frozen=True)
class Platform:
    secrets: dict[str, str]

    def source(self, client: str) -> SourceConfig:
        return idp.source("Plattform", BASE, client)

    def http(self, client: str) -> FhirHttp:
        source = self.source(client)
        return FhirHttp(source, Settings(sources=(source,)))

    def token(self, client: str, host: str | None = None) -> str:
        headers = {"Host": host} if host else {}
        response = httpx.post(
            TOKEN_URL,
            data={"grant_type": "client_credentials"},
            auth=(f"medicus-{client}", self.secrets[client]),
            headers=headers,
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["access_token"]


@pytest.fixture(scope="module")
def platform(keycloak: Keycloak) -> Iterator[Platform]:
    fhir_started = (
        subprocess.run(  # noqa: S603 - our own script
            [str(FHIR), "status"], env=_fhir_env(), capture_output=True, check=False
        ).returncode
        != 0
    )
    fhir = subprocess.run(  # noqa: S603 - our own script
        [str(FHIR), "start"],
        env=_fhir_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    try:
        keycloak.ready()
        if fhir.returncode != 0:
            pytest.fail(f"the FHIR server with tokens did not start on {FHIR_PORT}:\n{fhir.stderr}")
        idp.guarded(BASE)
        secrets = {name: idp.secret(name) for name in ("dashboard", "readonly", "admin", "test")}
        instance = Platform(secrets)
        with instance.http("admin") as admin:
            admin.send_json(
                "PUT", "Patient/auth-pat", {"resourceType": "Patient", "id": "auth-pat"}
            )
            admin.send_json("PUT", "Task/auth-task", _task("requested"))
        yield instance
    finally:
        if fhir_started:
            subprocess.run([str(FHIR), "stop"], env=_fhir_env(), check=False)  # noqa: S603


def _task(status: str, task_id: str = "auth-task") -> dict:
    return {
        "resourceType": "Task",
        "id": task_id,
        "status": status,
        "intent": "order",
        "for": {"reference": "Patient/auth-pat"},
    }


def _audit_event(event_id: str) -> dict:
    return {
        "resourceType": "AuditEvent",
        "id": event_id,
        "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110"},
        "recorded": "2026-01-01T00:00:00Z",
        "agent": [{"requestor": True, "who": {"display": "test"}}],
        "source": {"observer": {"display": "test"}},
    }


def _challenge(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    assert response.json()["resourceType"] == "OperationOutcome"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="medicus-platform"')
    return challenge


def _get(path: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{BASE}/{path}", headers=headers, timeout=60)


def _key_id(token: str) -> str:
    return orjson.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_metadata_is_open_and_everything_else_needs_a_token(platform: Platform):
    assert _get("metadata").status_code == 200
    challenge = _challenge(_get("Patient"))
    assert "error=" not in challenge  # no token at all: no error code (RFC 6750, 3.1)
    assert _get("Patient", platform.token("dashboard")).status_code == 200


def test_a_token_from_another_issuer_is_refused(platform: Platform):
    # Keycloak names itself after the host a client asked for: same keys, another issuer.
    token = platform.token("dashboard", host=f"keycloak.invalid:{idp.PORT}")
    assert "another issuer" in _challenge(_get("Patient", token))


def test_a_token_for_another_audience_is_refused(platform: Platform):
    assert "audience" in _challenge(_get("Patient", platform.token("test")))


def test_an_expired_token_is_refused(platform: Platform):
    token = platform.token("test")
    claims = orjson.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    time.sleep(max(0.0, claims["exp"] - time.time()) + 1.5)
    assert "expired" in _challenge(_get("Patient", token))


def test_unsigned_and_tampered_tokens_are_refused(platform: Platform):
    header, payload, signature = platform.token("dashboard").split(".")
    unsigned = _b64(b'{"alg":"none","typ":"JWT"}') + "." + payload + "."
    assert "signature" in _challenge(_get("Patient", unsigned))
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
    assert "signature" in _challenge(_get("Patient", f"{header}.{payload}.{flipped}"))
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["realm_access"] = {"roles": ["platform-admin"]}
    forged = f"{header}.{_b64(orjson.dumps(claims))}.{signature}"
    assert "signature" in _challenge(_get("Patient", forged))


def test_the_read_only_client_reads_but_cannot_write_a_task(platform: Platform):
    with platform.http("readonly") as http:
        assert http.get_json("Task/auth-task")["id"] == "auth-task"
        with pytest.raises(Unauthorised) as refused:
            http.send_json("PUT", "Task/auth-task", _task("cancelled"))
    assert refused.value.status == 403
    with platform.http("admin") as admin:
        assert admin.get_json("Task/auth-task")["status"] == "requested"


def test_the_read_only_client_may_fetch_a_patient_summary_and_no_other_operation(
    platform: Platform,
):
    allergy = {
        "resourceType": "AllergyIntolerance",
        "id": "auth-allergy",
        "patient": {"reference": "Patient/auth-pat"},
        "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
        "code": {"coding": [{"system": SNOMED, "code": "764146007", "display": "Penicillin"}]},
    }
    with platform.http("admin") as admin:
        admin.send_json("PUT", "AllergyIntolerance/auth-allergy", allergy)
    with platform.http("readonly") as http:
        bundle = http.get_json("Patient/auth-pat/$summary")
        assert bundle["type"] == "document"
        assert summary_view(bundle).section(ALLERGIES).rows["code"].tolist() == ["764146007"]
        # The summary is the one operation reading allows; $everything is not.
        with pytest.raises(Unauthorised) as refused:
            http.get_json("Patient/auth-pat/$everything")
    assert refused.value.status == 403


def test_the_dashboard_reads_and_writes_tasks_and_audit_events_but_deletes_nothing(
    platform: Platform,
):
    with platform.http("dashboard") as http:
        assert http.get_json("Patient/auth-pat")["id"] == "auth-pat"
        http.send_json("PUT", "Task/auth-task", _task("accepted"))
        assert http.get_json("Task/auth-task")["status"] == "accepted"
        http.send_json("PUT", "AuditEvent/auth-audit-1", _audit_event("auth-audit-1"))
        assert http.get_json("AuditEvent/auth-audit-1")["id"] == "auth-audit-1"
        with pytest.raises(Unauthorised) as refused:
            http.send_json("PUT", "Patient/auth-pat", {"resourceType": "Patient", "id": "auth-pat"})
        assert refused.value.status == 403
        with pytest.raises(Unauthorised) as refused:
            http.send_json("DELETE", "AuditEvent/auth-audit-1")
        assert refused.value.status == 403
    with platform.http("admin") as admin:
        admin.send_json("DELETE", "AuditEvent/auth-audit-1")
        admin.send_json("PUT", "Task/auth-task", _task("requested"))
    with platform.http("dashboard") as http, pytest.raises(Exception) as gone:
        http.get_json("AuditEvent/auth-audit-1")
    assert getattr(gone.value, "status", None) == 410


def _location(location_id: str, kind: str, status: str | None = None, **more) -> dict:
    resource = {
        "resourceType": "Location",
        "id": location_id,
        "name": location_id,
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": kind}]},
        **more,
    }
    if status:
        resource["operationalStatus"] = {"system": BED_STATUS, "code": status}
    return resource


def test_the_dashboard_changes_a_beds_status_and_nothing_else_of_a_location(platform: Platform):
    reason = {
        "url": BED_BLOCK_REASON_EXT,
        "valueCodeableConcept": {"coding": [{"system": BED_BLOCK_REASON, "code": "wartung"}]},
    }
    ward = _location("auth-ward", "wa")
    bed = _location("auth-bed", "bd", "H", extension=[reason])
    with platform.http("admin") as admin:
        admin.send_json("PUT", "Location/auth-ward", ward)
        admin.send_json("PUT", "Location/auth-bed", bed)
    with platform.http("dashboard") as http:
        freed = {k: v for k, v in bed.items() if k != "extension"}
        freed["operationalStatus"] = {"system": BED_STATUS, "code": "U"}
        http.send_json("PUT", "Location/auth-bed", freed)
        assert http.get_json("Location/auth-bed")["operationalStatus"]["code"] == "U"
        refused_writes = [
            ("Location/auth-bed", {**freed, "name": "renamed"}),
            ("Location/auth-ward", {**ward, "name": "renamed"}),
            ("Location/auth-new-bed", _location("auth-new-bed", "bd", "U")),
            ("Location/auth-ward", {**ward, "operationalStatus": freed["operationalStatus"]}),
        ]
        for path, body in refused_writes:
            with pytest.raises(Unauthorised) as refused:
                http.send_json("PUT", path, body)
            assert refused.value.status == 403, path
        # The reservation of a transfer request is the one other change of a bed it may make.
        held = {
            "url": BED_RESERVATION_EXT,
            "extension": [{"url": "bis", "valueDateTime": "2030-01-01T12:00:00+01:00"}],
        }
        with pytest.raises(Unauthorised) as refused:
            http.send_json("PUT", "Location/auth-bed", {**freed, "extension": [held], "name": "x"})
        assert refused.value.status == 403
        with pytest.raises(Unauthorised) as refused:
            http.send_json("POST", "Location", _location("ignored", "bd", "U"))
        assert refused.value.status == 403
    with platform.http("readonly") as http, pytest.raises(Unauthorised) as refused:
        http.send_json(
            "PUT", "Location/auth-bed", {**freed, "operationalStatus": bed["operationalStatus"]}
        )
    assert refused.value.status == 403
    with platform.http("admin") as admin:
        stored = admin.get_json("Location/auth-bed")
        assert stored["name"] == "auth-bed" and stored["operationalStatus"]["code"] == "U"
        assert admin.get_json("Location/auth-ward")["name"] == "auth-ward"
        # The admin client stays unbound by the bed rule.
        admin.send_json("PUT", "Location/auth-ward", {**ward, "name": "Station A"})


def _transfer_parties(platform: Platform) -> None:
    """The two hospitals and the stay a transfer request of these tests names."""
    with platform.http("admin") as admin:
        for org in ("auth-org-a", "auth-org-b"):
            admin.send_json(
                "PUT", f"Organization/{org}", {"resourceType": "Organization", "id": org}
            )
        admin.send_json(
            "PUT",
            "Encounter/auth-enc",
            {
                "resourceType": "Encounter",
                "id": "auth-enc",
                "status": "in-progress",
                "class": {"code": "IMP"},
                "subject": {"reference": "Patient/auth-pat"},
            },
        )


def test_the_dashboard_sends_and_accepts_a_transfer_request_and_reserves_the_bed(
    platform: Platform, tmp_path: Path
):
    _transfer_parties(platform)
    with platform.http("admin") as admin:
        admin.send_json("PUT", "Location/auth-ward", _location("auth-ward", "wa"))
        bed = _location("auth-free-bed", "bd", "U", partOf={"reference": "Location/auth-ward"})
        admin.send_json("PUT", "Location/auth-free-bed", bed)
    doctor = User("auth.arzt", "Ärztin", Role.PHYSICIAN, hospital_id="auth-org-a")
    manager = User("auth.betten", "Bettenmanager", Role.MANAGER, facilities=("auth-org-b",))
    ask = TransferAsk(
        patient_id="auth-pat",
        encounter_id="auth-enc",
        requester_org="auth-org-a",
        target_org="auth-org-b",
        bed_category="general",
        age_group="adult",
        sex=None,
        isolation=(),
        urgency="urgent",
        reason="Weiterbehandlung",
        id="auth-transfer",
    )
    local_log = tmp_path / "audit.jsonl"
    dashboard = DataPlatform(Settings(sources=(platform.source("dashboard"),)))
    try:
        sent = send_request(dashboard, doctor, local_log, ask)
        accepted = accept(
            dashboard, manager, local_log, sent["id"], sent["meta"]["versionId"], "auth-free-bed"
        )
    finally:
        dashboard.close()
    assert accepted["status"] == "accepted"
    # Every write audited on the platform: nothing kept in the local fallback log.
    assert not local_log.exists()
    with platform.http("admin") as admin:
        bed = admin.get_json("Location/auth-free-bed")
        reservation = [e for e in bed.get("extension") or [] if e["url"] == BED_RESERVATION_EXT]
        assert reservation and bed["operationalStatus"]["code"] == "U"
        assert admin.get_json("ServiceRequest/srq-auth-transfer")["status"] == "active"
        # The patient announced on the bed's ward: the dashboard's roles suffice for that too.
        encounter_id, queue_id = arrival_ids("tsk-auth-transfer")
        assert admin.get_json(f"Encounter/{encounter_id}")["status"] == "planned"
        queue = admin.get_json(f"Task/{queue_id}")
        assert queue["location"]["reference"] == "Location/auth-ward"


def test_only_transfer_orders_are_written_and_not_by_the_read_only_client(platform: Platform):
    order, _ = request_resources(
        TransferAsk(
            "auth-pat",
            "auth-enc",
            "auth-org-a",
            "auth-org-b",
            "general",
            "adult",
            None,
            (),
            "routine",
            "Grund",
            id="auth-other",
        ),
        datetime.now(UTC),
    )
    _transfer_parties(platform)
    with platform.http("readonly") as http, pytest.raises(Unauthorised) as refused:
        http.send_json("PUT", f"ServiceRequest/{order['id']}", order)
    assert refused.value.status == 403
    lab_order = {**order, "id": "auth-lab", "category": [{"text": "Labor"}]}
    with platform.http("dashboard") as http:
        with pytest.raises(Unauthorised) as refused:
            http.send_json("PUT", "ServiceRequest/auth-lab", lab_order)
        assert refused.value.status == 403
        http.send_json("PUT", f"ServiceRequest/{order['id']}", order)
        with pytest.raises(Unauthorised) as refused:
            http.send_json("PUT", f"ServiceRequest/{order['id']}", {**lab_order, "id": order["id"]})
        assert refused.value.status == 403
        with pytest.raises(Unauthorised) as refused:
            http.send_json("DELETE", f"ServiceRequest/{order['id']}")
        assert refused.value.status == 403


def test_the_dashboard_may_export_in_bulk_and_the_read_only_client_may_not(
    platform: Platform, tmp_path: Path
):
    def sync(client: str):
        source = platform.source(client)
        settings = Settings(sources=(source,), store_dir=tmp_path / client, export_poll_seconds=2.0)
        with FhirHttp(source, settings) as http:
            return sync_source(http, settings, full=True)

    # The store's types (Settings.export_types); the fixture's Task is among them.
    assert sync("dashboard").resources["Task"] >= 1
    with pytest.raises(Unauthorised) as refused:
        sync("readonly")
    assert refused.value.status == 403


def test_tokens_survive_a_keycloak_restart_and_its_absence_is_named(
    platform: Platform, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    http = platform.http("dashboard")
    seen = [platform.token("dashboard")]
    assert http.get_json("Task/auth-task")["id"] == "auth-task"
    assert idp.script("stop").returncode == 0
    try:
        with platform.http("readonly") as cold, pytest.raises(SourceUnavailable) as down:
            cold.get_json("Task/auth-task")
        assert "identity provider unreachable" in str(down.value)
        assert down.value.source == "Plattform"
    finally:
        started = idp.script("start")
    assert started.returncode == 0, started.stderr
    # A new start brings new signing keys; the server fetches them when a token names a key it
    # has not seen, and a token signed before the restart stays good until it expires.
    seen.append(platform.token("dashboard"))
    assert _key_id(seen[1]) != _key_id(seen[0])
    assert _get("Task/auth-task", seen[1]).status_code == 200
    assert http.get_json("Task/auth-task")["id"] == "auth-task"
    with platform.http("dashboard") as fresh:
        assert fresh.get_json("Task/auth-task")["id"] == "auth-task"
    http.close()
    logged = caplog.text
    server_logs = FHIR_LOG.read_text(errors="replace") + idp.LOG.read_text(errors="replace")
    for secret in [*platform.secrets.values(), *seen]:
        assert secret not in logged
        assert secret not in server_logs
    assert "refused a token" in server_logs


def test_the_dashboard_may_change_a_stay_for_the_admission_queue_and_the_read_only_client_not(
    platform: Platform,
):
    """Giving a waiting patient a bed changes the stay (status, period, location history);
    the dashboard's role for the admission queue allows that, the read-only client may not."""
    _transfer_parties(platform)
    with platform.http("admin") as admin:
        stay = admin.get_json("Encounter/auth-enc")
    changed = {k: v for k, v in stay.items() if k != "meta"} | {"status": "finished"}
    with platform.http("readonly") as http, pytest.raises(Unauthorised) as refused:
        http.send_json("PUT", "Encounter/auth-enc", changed)
    assert refused.value.status == 403
    with platform.http("dashboard") as http:
        http.send_json("PUT", "Encounter/auth-enc", changed)
        assert http.get_json("Encounter/auth-enc")["status"] == "finished"
