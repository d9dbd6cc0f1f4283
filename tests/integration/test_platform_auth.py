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
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
import pytest

from services.codes import (
    ACT_CODE,
    ADMIT_SOURCE,
    ALLERGY_CLINICAL,
    BED_BLOCK_REASON,
    BED_BLOCK_REASON_EXT,
    BED_RESERVATION_EXT,
    BED_STATUS,
    DISCHARGE_KIND,
    PHYSICAL_TYPE,
    SNOMED,
)
from services.config import Settings, SourceConfig
from services.domain.summary import ALLERGIES, summary_view
from services.errors import NotFound, SourceUnavailable, Unauthorised
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


def _now(shift: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + shift).isoformat(timespec="seconds")


def _place(kind: str, location_id: str, start: str, end: str | None = None) -> dict:
    return {
        "location": {"reference": f"Location/{location_id}"},
        "status": "completed" if end else "active",
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": kind}]},
        "period": {"start": start, **({"end": end} if end else {})},
    }


def _stay_parties(platform: Platform) -> None:
    """The places and the persons the stays of these tests name, or a forged write names."""
    _transfer_parties(platform)
    with platform.http("admin") as admin:
        admin.send_json("PUT", "Location/auth-stay-ward", _location("auth-stay-ward", "wa"))
        for n in (1, 2):
            admin.send_json("PUT", f"Location/auth-room-{n}", _location(f"auth-room-{n}", "ro"))
            admin.send_json("PUT", f"Location/auth-bed-{n}", _location(f"auth-bed-{n}", "bd", "O"))
        admin.send_json(
            "PUT", "Patient/auth-other", {"resourceType": "Patient", "id": "auth-other"}
        )
        admin.send_json(
            "PUT", "Practitioner/auth-doc", {"resourceType": "Practitioner", "id": "auth-doc"}
        )
        admin.send_json(
            "PUT",
            "Condition/auth-dx",
            {
                "resourceType": "Condition",
                "id": "auth-dx",
                "subject": {"reference": "Patient/auth-pat"},
                "code": {"text": "Diagnose"},
            },
        )


def _lying(stay_id: str = "auth-stay") -> dict:
    """An inpatient stay of auth-pat at auth-org-b in ward, room and bed since yesterday."""
    since = _now(-timedelta(days=1))
    return {
        "resourceType": "Encounter",
        "id": stay_id,
        "status": "in-progress",
        "class": {"system": ACT_CODE, "code": "IMP"},
        "subject": {"reference": "Patient/auth-pat"},
        "serviceProvider": {"reference": "Organization/auth-org-b"},
        "hospitalization": {
            "admitSource": {"coding": [{"system": ADMIT_SOURCE, "code": "notfall"}]}
        },
        "period": {"start": since},
        "location": [
            _place("wa", "auth-stay-ward", since),
            _place("ro", "auth-room-1", since),
            _place("bd", "auth-bed-1", since),
        ],
    }


def _ended(stay: dict, moment: str) -> list[dict]:
    return [
        {**p, "status": "completed", "period": {**p["period"], "end": moment}}
        if p["status"] == "active"
        else p
        for p in stay["location"]
    ]


def _refused(http: FhirHttp, method: str, path: str, body: dict | None, why: str) -> None:
    with pytest.raises(Unauthorised) as refused:
        http.send_json(method, path, body)
    assert refused.value.status == 403, (method, path, body)
    assert why in refused.value.detail, refused.value.detail


def test_the_dashboard_moves_and_finishes_a_stay_as_the_admission_queue_does(platform: Platform):
    """The steps of the queue and of a transfer's arrival pass the guard: a move within the ward
    (active places ended now, new ones from now), the stay left finished as a transfer."""
    _stay_parties(platform)
    stay = _lying()
    with platform.http("admin") as admin:
        admin.send_json("PUT", "Encounter/auth-stay", stay)
    with platform.http("readonly") as http:
        _refused(
            http, "PUT", "Encounter/auth-stay", {**stay, "status": "finished"}, "not permitted"
        )
    moment = _now()
    kept = [p for p in stay["location"] if p["physicalType"]["coding"][0]["code"] == "wa"]
    moved = {
        **stay,
        "location": [
            *kept,
            *_ended({"location": stay["location"][1:]}, moment),
            _place("ro", "auth-room-2", moment),
            _place("bd", "auth-bed-2", moment),
        ],
    }
    finished = {
        **moved,
        "status": "finished",
        "period": {**stay["period"], "end": _now()},
        "hospitalization": {
            **stay["hospitalization"],
            "dischargeDisposition": {"coding": [{"system": DISCHARGE_KIND, "code": "verlegung"}]},
        },
        "location": _ended(moved, _now()),
    }
    with platform.http("dashboard") as http:
        http.send_json("PUT", "Encounter/auth-stay", moved)
        assert http.get_json("Encounter/auth-stay")["location"][-1]["location"] == {
            "reference": "Location/auth-bed-2"
        }
        http.send_json("PUT", "Encounter/auth-stay", finished)
        stored = http.get_json("Encounter/auth-stay")
    assert stored["status"] == "finished"
    assert all(p["status"] == "completed" for p in stored["location"])


def test_the_dashboard_changes_nothing_else_of_a_stay(platform: Platform):
    """What an attacker holding the dashboard's token would try on a stay is refused with 403
    and the reason; the stay stays as it was."""
    _stay_parties(platform)
    stay = _lying()
    week_ago = _now(-timedelta(days=7))
    transfer = {"coding": [{"system": DISCHARGE_KIND, "code": "verlegung"}]}
    forged = [
        ({**stay, "subject": {"reference": "Patient/auth-other"}}, "status, period, location"),
        ({**stay, "class": {"system": ACT_CODE, "code": "AMB"}}, "status, period, location"),
        (
            {**stay, "diagnosis": [{"condition": {"reference": "Condition/auth-dx"}}]},
            "status, period, location",
        ),
        (
            {**stay, "participant": [{"individual": {"reference": "Practitioner/auth-doc"}}]},
            "status, period, location",
        ),
        (
            {**stay, "serviceProvider": {"reference": "Organization/auth-org-a"}},
            "status, period, location",
        ),
        (
            {
                **stay,
                "text": {
                    "status": "additional",
                    "div": '<div xmlns="http://www.w3.org/1999/xhtml">Diagnose: Sepsis</div>',
                },
            },
            "status, period, location",
        ),
        ({**stay, "location": stay["location"][:1]}, "remove a location entry"),
        (
            {**stay, "location": [*stay["location"][:2], _place("bd", "auth-bed-2", _now())]},
            "only end an active location entry",
        ),
        ({**stay, "period": {"start": week_ago}}, "start of a waiting stay"),
        (
            {
                **stay,
                "status": "finished",
                "period": {**stay["period"], "end": week_ago},
                "hospitalization": {**stay["hospitalization"], "dischargeDisposition": transfer},
                "location": _ended(stay, week_ago),
            },
            "as now only",
        ),
        (
            {
                **stay,
                "status": "finished",
                "period": {**stay["period"], "end": _now()},
                "location": _ended(stay, _now()),
            },
            "discharge disposition",
        ),
        ({**stay, "status": "cancelled"}, "from in-progress to cancelled"),
        ({**stay, "status": "entered-in-error"}, "from in-progress to entered-in-error"),
    ]
    with platform.http("admin") as admin:
        admin.send_json("PUT", "Encounter/auth-stay", stay)
    with platform.http("dashboard") as http:
        for body, why in forged:
            _refused(http, "PUT", "Encounter/auth-stay", body, why)
        _refused(http, "DELETE", "Encounter/auth-stay", None, "not permitted")
        # Neither a PATCH nor an entry of a transaction gets around it.
        patch = httpx.patch(
            f"{BASE}/Encounter/auth-stay",
            content=orjson.dumps(
                [{"op": "replace", "path": "/subject/reference", "value": "Patient/auth-other"}]
            ),
            headers={
                "Authorization": f"Bearer {platform.token('dashboard')}",
                "Content-Type": "application/json-patch+json",
            },
            timeout=60,
        )
        assert patch.status_code == 403, patch.text
        assert patch.json()["resourceType"] == "OperationOutcome"
        bundle = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "resource": {**stay, "subject": {"reference": "Patient/auth-other"}},
                    "request": {"method": "PUT", "url": "Encounter/auth-stay"},
                }
            ],
        }
        _refused(http, "POST", "", bundle, "platform-write-admission")
        assert http.get_json("Encounter/auth-stay")["subject"] == stay["subject"]
    # A stay that ended is history: not reopened, not changed.
    with platform.http("admin") as admin:
        admin.send_json(
            "PUT",
            "Encounter/auth-stay",
            {
                **stay,
                "status": "finished",
                "period": {**stay["period"], "end": week_ago},
                "location": _ended(stay, week_ago),
            },
        )
    with platform.http("dashboard") as http:
        _refused(http, "PUT", "Encounter/auth-stay", stay, "may not change a finished stay")
    with platform.http("admin") as admin:
        stored = admin.get_json("Encounter/auth-stay")
        assert stored["status"] == "finished" and stored["subject"] == stay["subject"]
        # The admin client stays unbound by the admission rule.
        admin.send_json("PUT", "Encounter/auth-stay", {**stay, "class": {"code": "AMB"}})
        admin.send_json("DELETE", "Encounter/auth-stay")


def test_the_dashboard_creates_waiting_stays_only(platform: Platform):
    """A new stay is a waiting one as an accepted transfer announces it; a stay created
    finished and back-dated, in a bed, or with clinical content is refused."""
    _stay_parties(platform)
    # A new id each run: a PUT over a deleted stay would be an update, not a create.
    stay_id = f"auth-new-{uuid.uuid4().hex[:12]}"
    waiting = {
        "resourceType": "Encounter",
        "id": stay_id,
        "status": "planned",
        "class": {"system": ACT_CODE, "code": "IMP"},
        "subject": {"reference": "Patient/auth-pat"},
        "serviceProvider": {"reference": "Organization/auth-org-b"},
        "hospitalization": {
            "admitSource": {"coding": [{"system": ADMIT_SOURCE, "code": "verlegung"}]}
        },
        "period": {"start": _now()},
    }
    month_ago = _now(-timedelta(days=30))
    forged = [
        (
            {
                **waiting,
                "status": "finished",
                "period": {"start": month_ago, "end": _now(-timedelta(days=20))},
            },
            "waiting stay only",
        ),
        ({**waiting, "period": {"start": month_ago}}, "as now only"),
        (
            {**waiting, "status": "in-progress", "location": [_place("bd", "auth-bed-1", _now())]},
            "waiting stay only",
        ),
        ({**waiting, "location": [_place("bd", "auth-bed-1", _now())]}, "start only"),
        ({k: v for k, v in waiting.items() if k != "status"}, "not no status"),
        ({**waiting, "class": {"system": ACT_CODE, "code": "AMB"}}, "class IMP"),
        (
            {**waiting, "diagnosis": [{"condition": {"reference": "Condition/auth-dx"}}]},
            "start only",
        ),
        ({**waiting, "serviceProvider": {"display": "Klinik"}}, "of a Patient at an Organization"),
    ]
    path = f"Encounter/{stay_id}"
    with platform.http("dashboard") as http:
        for body, why in forged:
            _refused(http, "PUT", path, body, why)
        posted = {k: v for k, v in forged[0][0].items() if k != "id"}
        _refused(http, "POST", "Encounter", posted, "waiting stay only")
        with pytest.raises(NotFound):
            http.get_json(path)
        http.send_json("PUT", path, waiting)
        # Cancelled before it began, as a withdrawn transfer cancels it; then it stays so.
        http.send_json("PUT", path, {**waiting, "status": "cancelled"})
        _refused(http, "PUT", path, waiting, "may not change a cancelled stay")
        assert http.get_json(path)["status"] == "cancelled"
    with platform.http("admin") as admin:
        admin.send_json("DELETE", path)
