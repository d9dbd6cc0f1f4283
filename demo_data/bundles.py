"""The data directory: transaction bundles, ``manifest.json`` and ``ground_truth.json``.

Bundles are grouped in phases so that every reference points at a resource of an earlier phase:
a loader may send the bundles of one phase in parallel but must finish a phase before the next.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from demo_data.generator import Network

BUNDLE_SIZE = 500
BUNDLE_DIR = "bundles"
MANIFEST = "manifest.json"
GROUND_TRUTH = "ground_truth.json"
LOCATION_PHASE = {"wa": 1, "ro": 2, "bd": 3}
TYPE_PHASE = {
    "Organization": 0,
    "Practitioner": 4,
    "PractitionerRole": 5,
    "Patient": 6,
    "Medication": 6,
    "Encounter": 7,
}
# MII contact levels below the stay point at the level above, so each level is a phase of its own;
# the flat shape has stays only and keeps its phase numbers.
CONTACT_LEVEL_PHASE = {"abteilungskontakt": 8, "versorgungsstellenkontakt": 9}
LAST_PHASE = {"flat": 8, "mii": 10}


def phase_of(resource: dict[str, Any], shape: str = "flat") -> int:
    """Load phase: organizations, wards, rooms, beds, staff, roles, patients and medications,
    stays (then department and ward contacts in the MII shape), everything else, tasks."""
    kind = resource["resourceType"]
    if kind == "Location":
        return LOCATION_PHASE[resource["physicalType"]["coding"][0]["code"]]
    if kind == "Encounter" and "partOf" in resource:
        return CONTACT_LEVEL_PHASE[resource["type"][0]["coding"][0]["code"]]
    if kind == "Task":
        # A task points at the medication order or the operation it is about.
        return LAST_PHASE[shape] + 1
    return TYPE_PHASE.get(kind, LAST_PHASE[shape])


def transaction(resources: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A transaction bundle of PUT entries with client-assigned ids (loading twice is a no-op)."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"urn:medicus:{r['resourceType']}/{r['id']}",
                "resource": r,
                "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
            }
            for r in resources
        ],
    }


def _chunks(
    resources: Iterable[dict[str, Any]], size: int, shape: str
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Consecutive runs of at most ``size`` resources that share one phase, in phase order."""
    ordered = sorted(resources, key=lambda resource: phase_of(resource, shape))
    current: list[dict[str, Any]] = []
    current_phase = -1
    for resource in ordered:
        phase = phase_of(resource, shape)
        if current and (phase != current_phase or len(current) >= size):
            yield current_phase, current
            current = []
        current_phase = phase
        current.append(resource)
    if current:
        yield current_phase, current


def _dump(path: Path, data: Any, pretty: bool = False) -> None:
    option = orjson.OPT_INDENT_2 if pretty else 0
    path.write_bytes(orjson.dumps(data, option=option))


def write_network(
    network: Network, out_dir: Path, bundle_size: int = BUNDLE_SIZE
) -> dict[str, Any]:
    """Write bundles, manifest and ground truth into ``out_dir``; returns the manifest.

    Old bundles in the directory are removed first so a smaller network leaves no leftovers.
    The manifest is written last: a directory with a manifest is complete.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).unlink(missing_ok=True)
    bundle_dir = out_dir / BUNDLE_DIR
    if bundle_dir.exists():
        shutil.rmtree(bundle_dir)
    bundle_dir.mkdir()
    listing = []
    chunks = _chunks(network.all_resources(), bundle_size, network.shape)
    for number, (phase, chunk) in enumerate(chunks, 1):
        name = f"{BUNDLE_DIR}/{number:04d}.json"
        _dump(out_dir / name, transaction(chunk))
        listing.append({"file": name, "phase": phase, "entries": len(chunk)})
    _dump(out_dir / GROUND_TRUTH, network.ground_truth, pretty=True)
    manifest = {**network.manifest, "bundles": listing}
    _dump(out_dir / MANIFEST, manifest, pretty=True)
    return manifest


def read_json(path: Path) -> Any:
    """Parse a JSON file."""
    return orjson.loads(path.read_bytes())


def read_manifest(data_dir: Path) -> dict[str, Any] | None:
    """The manifest of a data directory, None when there is none (not generated yet)."""
    path = data_dir / MANIFEST
    return read_json(path) if path.exists() else None


def read_ground_truth(data_dir: Path) -> dict[str, Any]:
    """The ground truth of a data directory."""
    return read_json(data_dir / GROUND_TRUTH)
