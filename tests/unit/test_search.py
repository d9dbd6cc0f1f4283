"""Paging logic: parallel offset pages arrive complete and in order; query building via fhirpy."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest

from services import queries
from services.config import Settings, SourceConfig
from services.fhir_http import FhirHttp
from services.search import fetch_resources, query

pytestmark = pytest.mark.unit

BASE = "http://fhir.test/fhir"


def offset_server(total: int):
    """A fake server with HAPI-style offset paging, for checking our order and completeness."""

    def handler(request: httpx.Request) -> httpx.Response:
        params = parse_qs(urlsplit(str(request.url)).query)
        count = int(params["_count"][0])
        offset = int(params.get("_getpagesoffset", ["0"])[0])
        ids = range(offset, min(offset + count, total))
        body = {
            "resourceType": "Bundle",
            "total": total,
            "entry": [{"resource": {"resourceType": "Patient", "id": f"p{i}"}} for i in ids],
            "link": [],
        }
        if offset + count < total:
            nxt = f"{BASE}?_getpages=x&_getpagesoffset={offset + count}&_count={count}"
            body["link"].append({"relation": "next", "url": nxt})
        return httpx.Response(200, content=orjson.dumps(body))

    return handler


@pytest.mark.parametrize("total", [0, 1, 10, 11, 95])
def test_parallel_offset_pages_are_complete_and_ordered(total):
    cfg = Settings(sources=(SourceConfig(name="T", url=BASE),), page_size=10, parallel_pages=3)
    http = FhirHttp(cfg.sources[0], cfg, httpx.MockTransport(offset_server(total)))
    seen: list[dict] = []
    stats = fetch_resources(http, query("Patient"), seen.extend)
    assert [r["id"] for r in seen] == [f"p{i}" for i in range(total)]
    assert stats.requests == max(1, -(-total // 10))
    assert not stats.truncated


def test_first_request_asks_for_large_pages_compact_json_and_a_total():
    requests: list[httpx.Request] = []

    def handler(request):
        requests.append(request)
        return httpx.Response(200, content=b'{"resourceType":"Bundle","total":0}')

    cfg = Settings(sources=(SourceConfig(name="T", url=BASE),))
    http = FhirHttp(cfg.sources[0], cfg, httpx.MockTransport(handler))
    fetch_resources(http, query("Encounter").search(status="in-progress"), lambda page: None)
    params = parse_qs(urlsplit(str(requests[0].url)).query)
    assert params["_count"] == ["1000"]
    assert params["_pretty"] == ["false"]
    assert params["_total"] == ["accurate"]
    assert params["status"] == ["in-progress"]
    assert "gzip" in requests[0].headers["Accept-Encoding"]


def test_shared_queries_use_standard_search_parameters():
    tasks = queries.open_tasks_of_wards(["w2", "w1"])
    assert tasks.params["encounter.location"] == ["Location/w1,Location/w2"]
    assert tasks.params["status"] == ["requested,ready,in-progress"]
    stays = queries.current_stays(ward_ids=["w2", "w1"])
    assert stays.params["location"] == ["Location/w1,Location/w2"]
    assert stays.params["class"] == ["IMP"]
    # Hospitals and patients are narrowed after reading (services.domain.stays.in_hospitals).
    assert "service-provider" not in stays.params and "_include" not in stays.params


def test_included_resources_do_not_shift_the_page_offsets():
    """A page of 10 matches plus their included patients still asks for offset 10 next."""

    def handler(request: httpx.Request) -> httpx.Response:
        params = parse_qs(urlsplit(str(request.url)).query)
        offset = int(params.get("_getpagesoffset", ["0"])[0])
        ids = range(offset, min(offset + 10, 25))
        entries = []
        for i in ids:
            entries.append(
                {
                    "resource": {"resourceType": "Encounter", "id": f"e{i}"},
                    "search": {"mode": "match"},
                }
            )
            entries.append(
                {
                    "resource": {"resourceType": "Patient", "id": f"p{i}"},
                    "search": {"mode": "include"},
                }
            )
        body = {"resourceType": "Bundle", "total": 25, "entry": entries, "link": []}
        if offset + 10 < 25:
            nxt = f"{BASE}?_getpages=x&_getpagesoffset={offset + 10}&_count=10"
            body["link"].append({"relation": "next", "url": nxt})
        return httpx.Response(200, content=orjson.dumps(body))

    cfg = Settings(sources=(SourceConfig(name="T", url=BASE),), page_size=10, parallel_pages=2)
    http = FhirHttp(cfg.sources[0], cfg, httpx.MockTransport(handler))
    seen: list[dict] = []
    stats = fetch_resources(http, query("Encounter").include("Encounter", "subject"), seen.extend)
    encounters = [r["id"] for r in seen if r["resourceType"] == "Encounter"]
    assert encounters == [f"e{i}" for i in range(25)]
    assert len(seen) == 50
    assert stats.fetched == 25
