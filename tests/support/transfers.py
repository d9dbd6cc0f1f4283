"""Putting the test server back after a test sent transfer requests or reserved beds."""

from __future__ import annotations

from services import queries
from services.platform import Platform


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
