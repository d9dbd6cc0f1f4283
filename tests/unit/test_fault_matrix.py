"""Faults the real server will not produce, injected at the HTTP layer."""

from __future__ import annotations

import socket

import httpx
import orjson
import pytest

from services.config import Settings, SourceConfig
from services.errors import (
    Conflict,
    InvalidData,
    ServerError,
    SourceTimeout,
    SourceUnavailable,
    Unauthorised,
)
from services.fhir_http import FhirHttp
from services.platform import Platform
from services.search import fetch_resources, query

pytestmark = pytest.mark.unit

BASE = "http://fhir.test/fhir"


def settings(**overrides) -> Settings:
    values = {"retries": 3, "backoff_base": 0.001, "max_retry_after": 0.05}
    values.update(overrides)
    return Settings(sources=(SourceConfig(name="Test", url=BASE, timeout=2.0),), **values)


def bundle(resources: list[dict], next_url: str | None = None, total: int | None = None) -> dict:
    body: dict = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
        "link": [{"relation": "next", "url": next_url}] if next_url else [],
    }
    if total is not None:
        body["total"] = total
    return body


def client(handler, **overrides) -> FhirHttp:
    return FhirHttp(
        settings(**overrides).sources[0], settings(**overrides), httpx.MockTransport(handler)
    )


def json_response(status: int, body: dict, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps(body), headers=headers)


def test_server_down_is_unavailable_after_retries():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = SourceConfig(name="Down", url=f"http://127.0.0.1:{port}/fhir", timeout=2.0)
    cfg = Settings(sources=(source,), retries=1, backoff_base=0.001)
    with FhirHttp(source, cfg) as http, pytest.raises(SourceUnavailable) as caught:
        http.get_json("metadata")
    assert caught.value.source == "Down"
    assert http.requests == 2


def test_timeout_becomes_source_timeout():
    def handler(request):
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(SourceTimeout):
        client(handler).get_json("Patient")


def test_429_with_retry_after_is_retried_then_succeeds():
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) < 3:
            return json_response(429, {}, {"Retry-After": "0"})
        return json_response(200, bundle([{"resourceType": "Patient", "id": "p1"}]))

    http = client(handler)
    assert http.get_json("Patient")["entry"][0]["resource"]["id"] == "p1"
    assert http.requests == 3


def test_503_exhausting_retries_is_unavailable():
    http = client(lambda request: json_response(503, {}), retries=2)
    with pytest.raises(SourceUnavailable):
        http.get_json("Patient")
    assert http.requests == 3


def test_500_carries_operation_outcome_text():
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "exception", "diagnostics": "HAPI-0389: kaputt"}],
    }
    with pytest.raises(ServerError) as caught:
        client(lambda request: json_response(500, outcome)).get_json("Patient")
    assert "HAPI-0389: kaputt" in caught.value.detail
    assert caught.value.status == 500


def test_401_is_unauthorised_without_retry():
    http = client(lambda request: json_response(401, {}))
    with pytest.raises(Unauthorised):
        http.get_json("Patient")
    assert http.requests == 1


def test_412_is_a_conflict():
    with pytest.raises(Conflict):
        client(lambda request: json_response(412, {})).send_json(
            "PUT", "Task/t1", {"resourceType": "Task"}, if_match='W/"1"'
        )


def test_broken_json_is_invalid_data():
    handler = lambda request: httpx.Response(200, content=b'{"resourceType": "Bundle", "entr')  # noqa: E731
    with pytest.raises(InvalidData):
        client(handler).get_json("Patient")


def test_json_that_is_not_fhir_is_invalid_data():
    with pytest.raises(InvalidData):
        client(lambda request: json_response(200, {"hello": "world"})).get_json("Patient")


def test_next_link_that_loops_stops_and_says_truncated():
    loop = f"{BASE}?_getpages=abc&page=2"
    pages = {"first": bundle([{"resourceType": "Patient", "id": "p1"}], loop)}

    def handler(request):
        if "_getpages" in str(request.url):
            return json_response(200, bundle([{"resourceType": "Patient", "id": "p2"}], loop))
        return json_response(200, pages["first"])

    seen = []
    stats = fetch_resources(client(handler), query("Patient"), seen.extend)
    assert stats.looped and stats.truncated
    assert [r["id"] for r in seen] == ["p1", "p2"]


def test_result_cap_truncates_explicitly():
    resources = [{"resourceType": "Patient", "id": f"p{n}"} for n in range(10)]
    http = client(lambda request: json_response(200, bundle(resources, total=10)))
    seen = []
    stats = fetch_resources(http, query("Patient"), seen.extend, cap=4)
    assert len(seen) == 4
    assert stats.truncated


def test_resource_missing_required_fields_becomes_nulls_and_warnings():
    broken = [
        {"resourceType": "Encounter", "id": "e1"},
        {
            "resourceType": "Encounter",
            "id": "e2",
            "period": {"start": 12345},
            "subject": "Patient/x",
        },
        {"resourceType": "Encounter"},
        {"resourceType": "Encounter", "id": "e3", "location": "not-a-list"},
    ]
    platform = Platform(
        settings(), {"Test": httpx.MockTransport(lambda r: json_response(200, bundle(broken)))}
    )
    result = platform.read(query("Encounter"))
    frame = result["encounter"]
    assert list(frame["id"]) == ["e1", "e2", "e3"]
    assert frame["start"].isna().all()
    assert result.warnings["missing_id"] == 1
    assert result.warnings["encounter_without_start"] == 3
    assert not result.errors


def test_one_failing_source_leaves_the_others():
    good = SourceConfig(name="Gut", url="http://good.test/fhir")
    bad = SourceConfig(name="Kaputt", url="http://bad.test/fhir")
    cfg = Settings(sources=(good, bad), retries=0)
    patients = bundle([{"resourceType": "Patient", "id": "p1"}])
    platform = Platform(
        cfg,
        {
            "Gut": httpx.MockTransport(lambda r: json_response(200, patients)),
            "Kaputt": httpx.MockTransport(lambda r: json_response(503, {})),
        },
    )
    result = platform.read(query("Patient"))
    assert list(result["patient"]["source"]) == ["Gut"]
    assert isinstance(result.errors["Kaputt"], SourceUnavailable)


def test_oauth2_client_credentials_fetches_refreshes_and_retries_once_on_401():
    tokens = iter(["erstes", "zweites"])
    seen: list[tuple[str, str]] = []

    def handler(request):
        if request.url.path == "/token":
            assert request.headers["Authorization"].startswith("Basic ")
            return json_response(200, {"access_token": next(tokens), "expires_in": 3600})
        seen.append((request.url.path, request.headers["Authorization"]))
        if request.headers["Authorization"] == "Bearer erstes" and len(seen) > 1:
            return json_response(401, {})
        return json_response(200, bundle([]))

    source = SourceConfig(
        name="OAuth",
        url=BASE,
        auth="oauth2",
        token_url="http://fhir.test/token",
        client_id="dashboard",
        client_secret="geheim",
    )
    cfg = Settings(sources=(source,))
    http = FhirHttp(source, cfg, httpx.MockTransport(handler))
    http.get_json("Patient")
    http.get_json("Patient")
    assert [auth for _, auth in seen] == ["Bearer erstes", "Bearer erstes", "Bearer zweites"]
