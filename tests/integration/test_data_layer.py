"""The data layer against the real server: frames reconcile with the generator's ground truth."""

from __future__ import annotations

import pandas as pd
import pytest

from services import queries
from services.audit import AuditRecord, audit_event
from services.config import Settings
from services.domain.beds import bed_status_now
from services.domain.stays import current_placements
from services.domain.tasks import task_counts
from services.errors import Conflict
from services.frames import with_hierarchy
from services.platform import Platform
from services.roles import Role, User
from services.search import query
from services.task_writes import change_task
from tests.support.keycloak import source

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("resource_type", "table"),
    [
        ("Organization", "organization"),
        ("Location", "location"),
        ("Patient", "patient"),
        ("Encounter", "encounter"),
        ("Observation", None),
        ("Task", "task"),
        ("PractitionerRole", None),
    ],
)
def test_every_resource_arrives_once(platform, test_network, resource_type, table):
    read = platform.read(query(resource_type), no_cache=True)
    frame = read.frame
    assert not read.errors
    assert frame["id"].nunique() == test_network.manifest["counts"][resource_type]
    assert sum(read.warnings.values()) == 0
    if table:
        assert len(frame) == frame["id"].nunique()


def test_parallel_pages_equal_sequential_next_links(fhir_base_url, test_network):
    def ids(parallel: int) -> tuple[list[str], int]:
        settings = Settings(
            sources=(source("T", fhir_base_url),),
            page_size=250,
            parallel_pages=parallel,
        )
        with Platform(settings) as p:
            read = p.read(query("Observation"), no_cache=True)
        return sorted(read.frame["id"].unique()), read.requests

    parallel_ids, parallel_requests = ids(4)
    sequential_ids, sequential_requests = ids(1)
    assert parallel_ids == sequential_ids
    assert len(parallel_ids) == test_network.manifest["counts"]["Observation"]
    pages = -(-test_network.manifest["counts"]["Observation"] // 250)
    assert parallel_requests == sequential_requests == pages


def test_elements_narrow_the_payload_not_the_rows(platform, test_network):
    full = platform.read(query("Encounter"))
    narrow = platform.read(query("Encounter").elements("status", "period", "subject"))
    assert sorted(narrow.frame["id"]) == sorted(full.frame["id"])
    assert narrow.frame["case_number"].isna().all()
    assert narrow.frame["start"].notna().all()


def test_cap_sets_the_truncated_flag(platform, test_network):
    read = platform.read(query("Observation"), cap=300)
    assert read.truncated
    assert read.frame["id"].nunique() == 300


def test_open_and_overdue_tasks_per_ward_match_ground_truth(platform, test_network):
    truth = test_network.ground_truth
    tasks = platform.read(queries.open_tasks_of_wards(truth["tasks_open"])).frame
    counts = task_counts(tasks, pd.Timestamp(test_network.as_of), ["ward_id"]).set_index("ward_id")
    assert counts["open"].to_dict() == truth["tasks_open"]
    assert counts["overdue"].astype(int).to_dict() == truth["tasks_overdue"]


def test_bed_status_per_hospital_matches_ground_truth(platform, test_network):
    locations = with_hierarchy(platform.read(queries.locations()).frame)
    stays = platform.read(queries.current_stays())
    placed = current_placements(
        stays["encounter"], stays["encounter_location"], pd.Timestamp(test_network.as_of)
    )
    beds = bed_status_now(locations, placed)
    counts = pd.crosstab(beds["hospital_id"], beds["status"])
    for hospital, expected in test_network.ground_truth["bed_status"].items():
        got = {code: int(counts.loc[hospital].get(code, 0)) for code in expected}
        assert got == expected, hospital


def test_refresh_brings_only_changes(platform, test_network):
    # AuditEvents are not part of the generated network, so adding one disturbs no other test.
    search = query("AuditEvent")
    first = platform.read(search, no_cache=True)
    http = platform.http()
    user = User("refresh.test", "Refresh (Test)", Role.ADMIN)
    http.send_json("POST", "AuditEvent", audit_event(AuditRecord(user, "search", "refresh")))
    refreshed = platform.refresh(first, search)
    assert refreshed.requests == 1
    assert len(refreshed.frame) == len(first.frame) + 1
    assert "refresh.test" in set(refreshed.frame["user"])
    assert set(first.frame["id"]) < set(refreshed.frame["id"])


def test_task_write_with_a_stale_version_is_a_conflict_carrying_the_current_task(
    platform, platform_admin
):
    http = platform.http()
    created = http.send_json(
        "POST",
        "Task",
        {"resourceType": "Task", "status": "requested", "intent": "order", "priority": "routine"},
    )
    task_id, version = created["id"], created["meta"]["versionId"]
    try:
        first = change_task(http, task_id, version, "start", practitioner_id=None, note="erste")
        assert first["status"] == "in-progress"
        with pytest.raises(Conflict) as caught:
            change_task(http, task_id, version, "complete", practitioner_id=None, note="zweite")
        assert caught.value.current["status"] == "in-progress"
        assert caught.value.current["meta"]["versionId"] == first["meta"]["versionId"]
        assert http.get_json(f"Task/{task_id}")["note"][-1]["text"] == "erste"
    finally:
        # The test network's task counts are ground truth for other tests: leave nothing behind
        # (a delete the dashboard may not make).
        platform_admin.http().send_json("DELETE", f"Task/{task_id}")
