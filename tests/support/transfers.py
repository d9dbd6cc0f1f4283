"""Putting the test server back after a test sent transfer requests or reserved beds, and a
free bed where the generated hour left none."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from services import queries
from services.codes import BED_BLOCK_REASON_EXT
from services.platform import Platform

# Beds nobody lies in that the hospital has not given free: closed, in cleaning, contaminated.
EMPTY_NOT_FREE = ("C", "H", "K")


def remove_requests(
    platform: Platform, admin: Platform, tasks: list[dict], beds: dict[str, dict]
) -> None:
    """Beds back as they were, then the requests' audit events, Tasks and ServiceRequests
    deleted (in that order: the server's referential integrity refuses deleting a resource that
    is still referenced), so other tests find the network as its ground truth describes it.
    Written as ``admin`` (the dashboard deletes nothing); ``platform`` then reads the beds
    afresh, so its cache holds them as they are again."""
    http = admin.http()
    for bed_id, original in beds.items():
        current = http.get_json(f"Location/{bed_id}")
        http.send_json(
            "PUT",
            f"Location/{bed_id}",
            {k: v for k, v in original.items() if k != "meta"},
            if_match=f'W/"{current["meta"]["versionId"]}"',
        )
    for task in tasks:
        for path in (f"Task/{task['id']}", task["basedOn"][0]["reference"]):
            bundle = http.get_json(
                "AuditEvent", params={"entity": path, "_count": "200"}, no_cache=True
            )
            for entry in bundle.get("entry") or []:
                http.send_json("DELETE", f"AuditEvent/{entry['resource']['id']}")
        http.send_json("DELETE", f"Task/{task['id']}")
        http.send_json("DELETE", task["basedOn"][0]["reference"])
    platform.read(queries.locations(), no_cache=True)


def free_beds_made(
    platform: Platform,
    admin: Platform,
    keep: Callable[[str], object],
    beds: pd.DataFrame,
    wanted: pd.Series,
    count: int = 1,
) -> list[str]:
    """Whether a hospital, ward or bed category has a free bed at the hour the network was
    generated for is chance: the first ``count`` beds of ``beds`` (``bed_status_now`` rows)
    where ``wanted`` holds that nobody lies in but are not free (``EMPTY_NOT_FREE``) are set
    free as the hospital's own system would, after ``keep`` took each (the test's cleanup puts
    them back); their ids. Written as ``admin`` (the dashboard frees no closed bed); ``platform``
    then reads the beds afresh."""
    chosen = beds[wanted & beds["status"].isin(EMPTY_NOT_FREE)].sort_values("bed_id")
    ids = list(chosen["bed_id"].head(count))
    http = admin.http()
    for bed_id in ids:
        keep(bed_id)
        bed = {k: v for k, v in http.get_json(f"Location/{bed_id}").items() if k != "meta"}
        free = {"code": "U", "display": "Unoccupied"}
        bed["operationalStatus"] = {**bed["operationalStatus"], **free}
        extensions = [e for e in bed.get("extension", []) if e.get("url") != BED_BLOCK_REASON_EXT]
        bed.pop("extension", None)
        if extensions:
            bed["extension"] = extensions
        http.send_json("PUT", f"Location/{bed_id}", bed)
    if ids:
        platform.read(queries.locations(), no_cache=True)
    return ids
