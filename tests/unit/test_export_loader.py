"""Load order of an export: no reference points at a later batch, cycles stay in one batch."""

from __future__ import annotations

import json

import pytest

from demo_data.export_loader import plan, read_export, references
from tests.support.realdata import realdata_dir

pytestmark = pytest.mark.unit


def _res(resource_type: str, resource_id: str, *targets: str) -> dict:
    return {
        "resourceType": resource_type,
        "id": resource_id,
        "ref": [{"reference": t} for t in targets],
    }


def _batch_of(batches: list[list[dict]]) -> dict[tuple[str, str], int]:
    return {(r["resourceType"], r["id"]): n for n, batch in enumerate(batches) for r in batch}


def test_targets_come_in_earlier_batches_and_cycles_share_one():
    resources = [
        _res("Observation", "o1", "Encounter/e1", "Patient/p1"),
        _res("Encounter", "e1", "Patient/p1", "Condition/c1"),
        _res("Condition", "c1", "Patient/p1", "Encounter/e1"),
        _res("Patient", "p1", "Organization/missing"),
    ]
    batches = plan(resources, batch=1)
    where = _batch_of(batches)
    assert where[("Patient", "p1")] < where[("Encounter", "e1")] < where[("Observation", "o1")]
    assert where[("Encounter", "e1")] == where[("Condition", "c1")]
    assert sum(len(b) for b in batches) == len(resources)


def test_references_read_relative_absolute_and_versioned_forms():
    resource = {
        "resourceType": "Observation",
        "id": "o",
        "subject": {"reference": "https://host/fhir/Patient/p/_history/2"},
        "encounter": {"reference": "Encounter/e"},
        "hasMember": [{"reference": "urn:uuid:x"}, {"reference": "#contained"}],
    }
    assert sorted(references(resource)) == [
        ("encounter", ("Encounter", "e")),
        ("subject", ("Patient", "p")),
    ]


def test_real_exports_are_ordered():
    for folder in ("ukhd", "ukw"):
        resources, _, _ = read_export([realdata_dir() / folder])
        where = _batch_of(plan(resources))
        for resource in resources:
            own = where[(resource["resourceType"], resource["id"])]
            for _, target in references(resource):
                if target in where:
                    assert where[target] <= own, json.dumps(target)
