"""The realdata server: a HAPI instance with URL tenants holding real exports, one tenant each.

It runs on ``FHIR_REALDATA_PORT`` (default 8092) with its database in ``var/realdata-db``, with
tenants on, referential integrity on write off (real exports point at resources they do not
hold; see fhir-server/README.md) and tokens checked against the suite's Keycloak.
``ensure_tenant`` creates a tenant when it is missing, so other suites can load their own data
(e.g. the MII-shaped generated network as tenant ``MII``) into the same server.

The exports live in ``shared/realdata`` next to the repository (CI clones the repository beside a
copy of ``shared/``); ``MEDICUS_REALDATA_DIR`` points elsewhere.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx

from tests.support import keycloak

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "fhir-server.sh"
REALDATA_DB = REPO / "var" / "realdata-db"
# Partition ids are the server's; names are what URLs carry. Fixed ids keep a reused database
# and a new one alike.
TENANTS = {"UKHD": 1, "UKW": 2, "MII": 3}
EXPORTS = {"UKHD": "ukhd", "UKW": "ukw"}


def realdata_dir() -> Path:
    """The folder of the exports; AssertionError naming where it was looked for when missing."""
    configured = os.environ.get("MEDICUS_REALDATA_DIR")
    # The shared folder sits beside the checkout; a worktree one level further down finds it too.
    candidates = [REPO.parent / "shared" / "realdata", REPO.parents[1] / "shared" / "realdata"]
    path = Path(configured) if configured else next((p for p in candidates if p.is_dir()), None)
    path = path or candidates[0]
    missing = [name for name in EXPORTS.values() if not (path / name).is_dir()]
    assert not missing, (
        f"the real exports are missing: no {', '.join(missing)} in {path}; put a copy of "
        "shared/realdata next to the repository or set MEDICUS_REALDATA_DIR"
    )
    return path


def export_resources(source: str) -> list[dict]:
    """Every resource of the export ``source`` (``ukhd``, ``ukw``), bundle by bundle."""
    resources = []
    for path in sorted((realdata_dir() / source).glob("*.json")):
        bundle = json.loads(path.read_text(encoding="utf-8"))
        resources += [entry["resource"] for entry in bundle.get("entry", [])]
    assert resources, f"no resources in the {source} export"
    return resources


def of_kind(resources: list[dict], kind: str) -> list[dict]:
    return [r for r in resources if r.get("resourceType") == kind]


def port() -> str:
    return os.environ.get("FHIR_REALDATA_PORT", "8092")


def base_url() -> str:
    return f"http://localhost:{port()}/fhir"


def is_up(url: str) -> bool:
    try:
        # Slow is not down: a busy server taken for down would be started a second time.
        response = httpx.get(f"{url}/metadata", timeout=60)
    except httpx.TransportError:
        return False
    return response.status_code == 200 and response.json().get("fhirVersion") == "4.0.1"


def script(command: str) -> subprocess.CompletedProcess[str]:
    """Run scripts/fhir-server.sh for the realdata instance."""
    env = {
        **os.environ,
        **keycloak.fhir_env(),
        "FHIR_PORT": port(),
        "FHIR_DB_PATH": str(REALDATA_DB / "h2"),
        "FHIR_TENANTS": "true",
        "FHIR_REFERENTIAL_INTEGRITY": "false",
    }
    REALDATA_DB.mkdir(parents=True, exist_ok=True)
    return subprocess.run(  # noqa: S603 - our own script with a fixed argument
        [str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def ensure_tenant(base: str, name: str) -> str:
    """The base URL of tenant ``name`` (one of ``TENANTS``), created when the server lacks it
    (partitions are managed by the platform's admin client)."""
    number = TENANTS[name]
    with keycloak.http_client(f"{base}/DEFAULT", timeout=120) as client:
        known = client.post(
            "$partition-management-read-partition",
            json={
                "resourceType": "Parameters",
                "parameter": [{"name": "id", "valueInteger": number}],
            },
        )
        if known.status_code == 200:
            names = [p.get("valueCode") for p in known.json()["parameter"] if p["name"] == "name"]
            assert names == [name], f"partition {number} of {base} is {names}, expected {name}"
        else:
            client.post(
                "$partition-management-create-partition",
                json={
                    "resourceType": "Parameters",
                    "parameter": [
                        {"name": "id", "valueInteger": number},
                        {"name": "name", "valueCode": name},
                    ],
                },
            ).raise_for_status()
    return f"{base}/{name}"
