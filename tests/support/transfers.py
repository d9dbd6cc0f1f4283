"""Beds as the pages see them, putting the test server back after a test sent transfer
requests, reserved beds or admitted patients, and a free bed where the generated hour left
none."""

from __future__ import annotations

import pandas as pd

from services import queries
from services.codes import BED_STATUS, FREE_BED_STATE
from services.domain.beds import bed_status_now
from services.domain.stays import current_placements
from services.errors import Conflict
from services.frames import with_hierarchy
from services.platform import Platform
from services.roles import User
from services.transfers import TransferAsk, arrival_ids
from tests.support.cleanup import delete_audited


def berlin_now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="Europe/Berlin")


def locations_now(platform: Platform) -> pd.DataFrame:
    return with_hierarchy(platform.read(queries.locations(), no_cache=True)["location"])


def placements_now(platform: Platform) -> pd.DataFrame:
    stays = platform.read(queries.current_stays(), no_cache=True)
    assert not stays.errors
    return current_placements(stays["encounter"], stays["encounter_location"], berlin_now())


def board_now(platform: Platform) -> pd.DataFrame:
    """Every bed as the bed board and the capacity pages see it now, by bed id."""
    beds = bed_status_now(locations_now(platform), placements_now(platform), berlin_now())
    return beds.set_index("bed_id")


def empty_beds(board: pd.DataFrame, where: pd.Series) -> pd.DataFrame:
    """Beds nobody lies in and nothing is held for, among ``where``, in a stable order."""
    nobody = board["encounter_id"].isna() & ~board["status"].isin(["O", "R"])
    return board[where & nobody].sort_index()


def ask_for(
    doctor: User,
    stay: pd.Series,
    target: str,
    category: str,
    age_group: str,
    urgency: str,
    reason: str,
    sex: str | None = None,
    isolation: tuple[str, ...] = (),
) -> TransferAsk:
    """The physician's request for a bed of ``category`` and ``age_group`` at ``target`` for
    ``stay`` (a ``current_placements`` row of her hospital)."""
    return TransferAsk(
        patient_id=stay["patient_id"],
        encounter_id=stay["encounter_id"],
        requester_org=doctor.hospital_id,
        target_org=target,
        bed_category=category,
        age_group=age_group,
        sex=sex,
        isolation=isolation,
        urgency=urgency,
        reason=reason,
        practitioner_id=doctor.practitioner_id,
    )


# Beds nobody lies in that the hospital has not given free: closed, in cleaning, contaminated.
EMPTY_NOT_FREE = ("C", "H", "K")


def remove_requests(platform: Platform, admin: Platform, tasks: list[dict]) -> None:
    """The requests' audit events, the arrivals they announced, Tasks and ServiceRequests
    deleted (in that order: the server's referential integrity refuses deleting a resource that
    is still referenced), so other tests find the network as its ground truth describes it; the
    beds they reserved are put back before (``PutBack.undo``).
    Written as ``admin`` (the dashboard deletes nothing); ``platform`` then reads the beds
    afresh, so its cache holds them as they are again."""
    http = admin.http()
    for task in tasks:
        encounter_id, queue_id = arrival_ids(task["id"])
        # An accepted request announced its patient at the target hospital: that goes first,
        # then the request, then its order.
        for path in (
            f"Task/{queue_id}",
            f"Encounter/{encounter_id}",
            f"Task/{task['id']}",
            task["basedOn"][0]["reference"],
        ):
            delete_audited(http, path)
    platform.read(queries.locations(), no_cache=True)


class PutBack:
    """What a test changes (``keep``: the resource as it was) and creates (``made``), put back as
    the admin client afterwards (``undo``): the changed ones written over as they were, then the
    created ones deleted with the audit events that name them. Deletes run in passes: the
    server refuses deleting a resource another still references (an admission Task its
    Encounter, a request its ServiceRequest), so a refused one waits for the next pass."""

    def __init__(self, admin: Platform) -> None:
        self.http = admin.http()
        self.kept: dict[str, dict] = {}
        self.created: list[str] = []

    def keep(self, path: str) -> None:
        self.kept.setdefault(path, self.http.get_json(path, no_cache=True))

    def free(self, bed_id: str) -> None:
        """Arrange that the bed can take a patient: kept as it was, then written U without a
        block reason or reservation (as the admin client: a precondition, no step of a flow)."""
        self.keep(f"Location/{bed_id}")
        bed = self.http.get_json(f"Location/{bed_id}", no_cache=True)
        bed = {k: v for k, v in bed.items() if k not in ("meta", "extension")}
        bed["operationalStatus"] = {"system": BED_STATUS, "code": FREE_BED_STATE}
        self.http.send_json("PUT", f"Location/{bed_id}", bed)

    def made(self, path: str) -> None:
        if path not in self.created:
            self.created.append(path)

    def undo(self) -> None:
        for path, resource in self.kept.items():
            self.http.send_json("PUT", path, {k: v for k, v in resource.items() if k != "meta"})
        left = list(self.created)
        for _ in range(len(left) + 1):
            refused = []
            for path in left:
                try:
                    delete_audited(self.http, path)
                except Conflict:
                    refused.append(path)
            if not refused:
                return
            left = refused
        raise AssertionError(f"could not delete {left}")


def free_beds_made(
    platform: Platform,
    put_back: PutBack,
    beds: pd.DataFrame,
    wanted: pd.Series,
    count: int = 1,
) -> list[str]:
    """Whether a hospital, ward or bed category has a free bed at the hour the network was
    generated for is chance: the first ``count`` beds of ``beds`` (``bed_status_now`` rows)
    where ``wanted`` holds that nobody lies in but are not free (``EMPTY_NOT_FREE``) are set
    free (``PutBack.free``: the test's cleanup puts them back); their ids. ``platform`` then
    reads the beds afresh."""
    chosen = beds[wanted & beds["status"].isin(EMPTY_NOT_FREE)].sort_values("bed_id")
    ids = list(chosen["bed_id"].head(count))
    for bed_id in ids:
        put_back.free(bed_id)
    if ids:
        platform.read(queries.locations(), no_cache=True)
    return ids
