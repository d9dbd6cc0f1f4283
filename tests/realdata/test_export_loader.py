"""The export loader on the real UKHD and UKW exports: ids kept, nothing changed by a second load,
dangling references counted as the raw files say, repeated ids resolved to the later version."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from demo_data.export_loader import load_export
from tests.support.keycloak import acting_as, auth

pytestmark = pytest.mark.realdata


def _ids_on_server(url: str, resource_type: str) -> set[str]:
    ids: set[str] = set()
    next_url: str | None = f"{url}/{resource_type}?_elements=id&_count=1000"
    with httpx.Client(timeout=120, headers={"Cache-Control": "no-cache"}, auth=auth()) as client:
        while next_url:
            bundle = client.get(next_url).raise_for_status().json()
            ids |= {entry["resource"]["id"] for entry in bundle.get("entry", [])}
            links = {x["relation"]: x["url"] for x in bundle.get("link", [])}
            next_url = links.get("next")
    return ids


def _history_total(url: str) -> int:
    response = httpx.get(
        f"{url}/_history",
        params={"_summary": "count"},
        headers={"Cache-Control": "no-cache"},
        auth=auth(),
    )
    return response.raise_for_status().json()["total"]


def _raw_references(node: Any, path: str, out: list[tuple[str, str]]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            out.append((path, node["reference"]))
        for key, value in node.items():
            _raw_references(value, f"{path}.{key}" if path else key, out)
    elif isinstance(node, list):
        for item in node:
            _raw_references(item, path, out)


@pytest.mark.parametrize("source", ["UKHD", "UKW"])
def test_every_exported_id_is_on_the_server(realdata, source):
    exported: dict[str, set[str]] = {}
    for resource in realdata.raw(source):
        exported.setdefault(resource["resourceType"], set()).add(resource["id"])
    for resource_type, ids in exported.items():
        assert _ids_on_server(realdata.urls[source], resource_type) == ids, resource_type


def test_the_numeric_patient_id_is_stored_as_written(realdata):
    patient = (
        httpx.get(f"{realdata.urls['UKHD']}/Patient/0001310848", auth=auth())
        .raise_for_status()
        .json()
    )
    assert patient["id"] == "0001310848"
    assert patient["identifier"][0]["value"] == "0001310848"


@pytest.mark.parametrize("source", ["UKHD", "UKW"])
def test_loading_again_changes_nothing(realdata, source):
    before = _history_total(realdata.urls[source])
    with acting_as("admin"):
        report = load_export([realdata.dirs[source]], realdata.urls[source])
    assert report.resources == len({(r["resourceType"], r["id"]) for r in realdata.raw(source)})
    assert (report.created, report.updated, report.changed) == (0, 0, 0)
    assert report.unchanged == report.resources
    assert _history_total(realdata.urls[source]) == before


@pytest.mark.parametrize("source", ["UKHD", "UKW"])
def test_dangling_references_are_counted_per_type_and_element(realdata, source):
    raw = realdata.raw(source)
    present = {f"{r['resourceType']}/{r['id']}" for r in raw}
    expected: Counter = Counter()
    seen = set()
    for resource in raw:
        key = (resource["resourceType"], resource["id"])
        if key in seen:
            # A repeated id is stored once; its references count once.
            continue
        seen.add(key)
        found: list[tuple[str, str]] = []
        _raw_references(resource, "", found)
        for path, reference in found:
            if "/".join(reference.split("/")[-2:]) not in present:
                expected[(resource["resourceType"], path)] += 1
    report = realdata.reports[source]
    assert report.dangling == expected
    assert sum(report.dangling.values()) > 0
    if source == "UKHD":
        assert report.dangling[("MedicationRequest", "encounter")] == 26


def test_a_repeated_id_keeps_the_later_version(realdata):
    raw = realdata.raw("UKW")
    counts = Counter((r["resourceType"], r["id"]) for r in raw)
    repeated = [key for key, n in counts.items() if n > 1]
    assert realdata.reports["UKW"].duplicates == len(repeated) == 2
    for resource_type, resource_id in repeated:
        versions = [r for r in raw if (r["resourceType"], r["id"]) == (resource_type, resource_id)]
        latest = max(versions, key=lambda r: r["meta"]["lastUpdated"])
        stored = (
            httpx.get(f"{realdata.urls['UKW']}/{resource_type}/{resource_id}", auth=auth())
            .raise_for_status()
            .json()
        )
        assert stored["code"] == latest["code"]
