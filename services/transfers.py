"""Transfer requests between hospitals: ask another hospital for a bed, and answer such requests.

The request is a ``ServiceRequest`` (the physician's order: the patient's stay, the bed wanted,
the urgency, the reason) and a ``Task`` that carries it from the requesting hospital
(``requester``) to the target hospital (``owner``). The target hospital's bed managers read the
Task only: its ``input`` holds what they may know before accepting (bed category, age group,
sex, isolation, reason) and never a name. Every answer is a new version of the Task written
with ``If-Match`` on the version the manager saw; of two managers answering the same version
one wins and the other gets ``Conflict`` with the Task as it is now.

Accepting reserves a bed: the Task is accepted first (that decides the race), then one
transaction gives the bed Location the reservation extension (``auftrag`` the Task, ``bis`` its
end), written with ``If-Match`` too, and announces the patient in the admission queue of the
bed's ward (``arrival_resources``; ``services.admissions`` takes it from there and ends the stay
the patient leaves). A bed taken in between gives the request back as it was and raises
``BedTaken``; nothing else is written. The bed keeps reporting U: it is empty and clean;
readers see it as reserved (R) until ``bis`` (``domain.beds.bed_status_now``), so an ended
reservation frees it without a write. Docs: docs/DATA_MODEL.md, "Transfer requests".

Each write is audited here (``AuditEvent`` with the Task or the bed as entity), so a page and a
test go through the same record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from services.audit import AuditRecord, record
from services.codes import (
    ACT_CODE,
    ADMISSION,
    ADMIT_SOURCE,
    AGE_GROUP,
    BED_CATEGORY,
    BED_REQUEST,
    BED_RESERVATION_EXT,
    BED_STATUS,
    FREE_BED_STATE,
    ISOLATION,
    KONTAKTEBENE,
    OPEN_TASK_STATES,
    REQUEST_DETAIL,
    TRANSFER,
)
from services.domain.beds import can_take_patient
from services.errors import BedTaken, Conflict, DataError, NotFound, NotPermitted
from services.fhir_http import FhirHttp
from services.i18n import t
from services.platform import Platform
from services.roles import Capability, User
from services.search import query
from services.task_writes import put_task

__all__ = [
    "ASKED_BACK",
    "OPEN_STATES",
    "QUEUE_COLUMNS",
    "RESERVATION",
    "URGENCIES",
    "TransferAsk",
    "accept",
    "admission_resources",
    "answer",
    "arrival_ids",
    "arrival_resources",
    "ask_back",
    "cancel",
    "concept",
    "decides_for",
    "decline",
    "free_beds_matching",
    "inbound_requests",
    "outbound_requests",
    "queue_figures",
    "release_bed",
    "request_input",
    "request_resources",
    "reserve_bed",
    "send_request",
    "stamp",
    "suitable_beds",
    "transfer_queue",
    "utc_now",
]

# How long an accepted request holds its bed: long enough to arrange transport the same shift.
RESERVATION = timedelta(hours=4)
# Task states of a request still waiting for a decision or for the patient to arrive.
OPEN_STATES = ("requested", "received", "accepted")
# businessStatus of a request the target hospital has asked a question about.
ASKED_BACK = "rueckfrage"
URGENCIES = ("routine", "urgent", "asap", "stat")
_URGENCY_RANK = {code: n for n, code in enumerate(reversed(URGENCIES))}
AUDIT_PAGE = "transfers"

# Task states a bed manager may answer.
_UNDECIDED = ("requested", "received")

Decision = Literal["accept", "decline", "ask_back", "answer", "cancel"]


@dataclass(frozen=True)
class TransferAsk:
    """What a physician asks for: a bed of ``bed_category`` at ``target_org`` for the stay
    ``encounter_id`` of ``patient_id`` at ``requester_org``."""

    patient_id: str
    encounter_id: str
    requester_org: str
    target_org: str
    bed_category: str
    age_group: str
    sex: str | None
    isolation: tuple[str, ...]
    urgency: str
    reason: str
    practitioner_id: str | None = None
    id: str = ""

    def with_id(self) -> TransferAsk:
        if self.id:
            return self
        return TransferAsk(**{**self.__dict__, "id": uuid.uuid4().hex[:16]})


def utc_now() -> datetime:
    """Now, in UTC: the time the bed-request resources are written at."""
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A FHIR instant to the second."""
    return moment.isoformat(timespec="seconds")


def concept(system: str, code: str) -> dict:
    """A CodeableConcept of one coding."""
    return {"coding": [{"system": system, "code": code}]}


def request_input(detail: str, **value: object) -> dict:
    """One ``Task.input`` of a bed request, typed by its anfrageangabe ``detail``."""
    return {"type": concept(REQUEST_DETAIL, detail), **value}


def request_resources(ask: TransferAsk, authored: datetime) -> tuple[dict, dict]:
    """The ServiceRequest and the Task of a transfer request (ids ``srq-``/``tsk-`` + ``id``).

    The generator writes its requests with this function too, so demo and app agree."""
    ask = ask.with_id()
    when = stamp(authored)
    service_request: dict = {
        "resourceType": "ServiceRequest",
        "id": f"srq-{ask.id}",
        "status": "active",
        "intent": "order",
        "category": [concept(BED_REQUEST, TRANSFER)],
        "code": {
            **concept(BED_CATEGORY, ask.bed_category),
            "text": "Verlegungsanfrage: " + t(f"bed_category.{ask.bed_category}", "de"),
        },
        "orderDetail": [concept(AGE_GROUP, ask.age_group)]
        + [concept(ISOLATION, code) for code in ask.isolation],
        "priority": ask.urgency,
        "subject": {"reference": f"Patient/{ask.patient_id}"},
        "encounter": {"reference": f"Encounter/{ask.encounter_id}"},
        "authoredOn": when,
        "requester": {
            "reference": f"Practitioner/{ask.practitioner_id}"
            if ask.practitioner_id
            else f"Organization/{ask.requester_org}"
        },
        "performer": [{"reference": f"Organization/{ask.target_org}"}],
        "reasonCode": [{"text": ask.reason}],
    }
    inputs = [
        request_input(
            "bettenkategorie", valueCodeableConcept=concept(BED_CATEGORY, ask.bed_category)
        ),
        request_input("altersgruppe", valueCodeableConcept=concept(AGE_GROUP, ask.age_group)),
        *(
            request_input("isolation", valueCodeableConcept=concept(ISOLATION, code))
            for code in ask.isolation
        ),
        request_input("grund", valueString=ask.reason),
    ]
    if ask.sex:
        inputs.insert(2, request_input("geschlecht", valueCode=ask.sex))
    task: dict = {
        "resourceType": "Task",
        "id": f"tsk-{ask.id}",
        "status": "requested",
        "intent": "order",
        "priority": ask.urgency,
        "code": concept(BED_REQUEST, TRANSFER),
        "basedOn": [{"reference": f"ServiceRequest/srq-{ask.id}"}],
        # The stay to be moved; not ``encounter``: the request is no nursing work of that stay.
        "focus": {"reference": f"Encounter/{ask.encounter_id}"},
        "for": {"reference": f"Patient/{ask.patient_id}"},
        "requester": {"reference": f"Organization/{ask.requester_org}"},
        "owner": {"reference": f"Organization/{ask.target_org}"},
        "authoredOn": when,
        "lastModified": when,
        "input": inputs,
    }
    return service_request, task


def admission_resources(
    *,
    task_id: str,
    encounter: dict,
    ward_id: str,
    hospital_id: str,
    bed_category: str,
    age_group: str,
    sex: str | None,
    isolation: tuple[str, ...],
    urgency: str,
    reason: str,
    origin: str,
    authored: datetime,
    based_on: str | None = None,
) -> dict:
    """The Task that puts ``encounter`` (a waiting stay) into ``ward_id``'s queue
    (docs/DATA_MODEL.md, "Ward admission queue").

    ``origin`` is the Encounter's admitSource (``notfall``, ``verlegung``); ``based_on`` the
    accepted transfer request (``Task/…``) the patient comes with. The generator writes its
    queue with this function too, so demo, app and an accepted transfer agree."""
    when = stamp(authored)
    inputs = [
        request_input("bettenkategorie", valueCodeableConcept=concept(BED_CATEGORY, bed_category)),
        request_input("altersgruppe", valueCodeableConcept=concept(AGE_GROUP, age_group)),
        *([request_input("geschlecht", valueCode=sex)] if sex else []),
        *(
            request_input("isolation", valueCodeableConcept=concept(ISOLATION, c))
            for c in isolation
        ),
        request_input("grund", valueString=reason),
    ]
    task: dict = {
        "resourceType": "Task",
        "id": task_id,
        "status": "requested",
        "intent": "order",
        "priority": urgency,
        "code": concept(BED_REQUEST, ADMISSION),
        "businessStatus": {**concept(BED_REQUEST, origin), "text": origin},
        # The stay to be admitted; not ``encounter``: no nursing task list may show the request.
        "focus": {"reference": f"Encounter/{encounter['id']}"},
        "for": encounter["subject"],
        "requester": {"reference": f"Organization/{hospital_id}"},
        "owner": {"reference": f"Organization/{hospital_id}"},
        "location": {"reference": f"Location/{ward_id}"},
        "authoredOn": when,
        "lastModified": when,
        "input": inputs,
    }
    if based_on:
        task["basedOn"] = [{"reference": based_on}]
    return task


def arrival_ids(task_id: str) -> tuple[str, str]:
    """The ids of the waiting stay and of its admission Task that accepting the transfer request
    ``task_id`` writes at the target hospital: derived from the request, so a repeated
    acceptance stores them once and a withdrawal finds them."""
    stem = task_id.removeprefix("tsk-")
    return f"enc-{stem}-a", f"tsk-{stem}-a"


def _code(concept_: object) -> str | None:
    codings = (concept_ or {}).get("coding") if isinstance(concept_, dict) else None
    return (codings or [{}])[0].get("code") if codings else None


def _asked(task: dict) -> dict:
    """What a bed request asks for, read back from its inputs."""
    asked: dict = {"bed_category": "", "age_group": "", "sex": None, "isolation": [], "reason": ""}
    for entry in task.get("input") or []:
        detail = _code(entry.get("type"))
        if detail == "bettenkategorie":
            asked["bed_category"] = _code(entry.get("valueCodeableConcept")) or ""
        elif detail == "altersgruppe":
            asked["age_group"] = _code(entry.get("valueCodeableConcept")) or ""
        elif detail == "geschlecht":
            asked["sex"] = entry.get("valueCode")
        elif detail == "isolation" and _code(entry.get("valueCodeableConcept")):
            asked["isolation"].append(_code(entry.get("valueCodeableConcept")))
        elif detail == "grund":
            asked["reason"] = entry.get("valueString") or ""
    return {**asked, "isolation": tuple(asked["isolation"])}


def arrival_resources(task: dict, ward_id: str, moment: datetime) -> tuple[dict, dict]:
    """The waiting stay (``planned``, admitSource ``verlegung``) and the admission Task on the
    ward of the reserved bed that an accepted transfer request announces at its target
    hospital, as the target's KIS would register an announced patient. The stay is the
    Patient's the request names: the platform holds one record per person and hospital, and the
    request is all the target knows of the patient before arrival."""
    encounter_id, queue_id = arrival_ids(task["id"])
    target = (task.get("owner") or {}).get("reference", "").removeprefix("Organization/")
    encounter: dict = {
        "resourceType": "Encounter",
        "id": encounter_id,
        "status": "planned",
        "class": {"system": ACT_CODE, "code": "IMP", "display": "inpatient encounter"},
        "type": [concept(KONTAKTEBENE, "einrichtungskontakt")],
        "subject": task["for"],
        "basedOn": list(task.get("basedOn") or [])[:1],
        "hospitalization": {"admitSource": concept(ADMIT_SOURCE, TRANSFER)},
        "serviceProvider": {"reference": f"Organization/{target}"},
        # When the transfer was announced; a bed given sets it to the admission.
        "period": {"start": stamp(moment)},
    }
    if not encounter["basedOn"]:
        encounter.pop("basedOn")
    asked = _asked(task)
    queue = admission_resources(
        task_id=queue_id,
        encounter=encounter,
        ward_id=ward_id,
        hospital_id=target,
        bed_category=asked["bed_category"],
        age_group=asked["age_group"],
        sex=asked["sex"],
        isolation=asked["isolation"],
        urgency=task.get("priority") or "routine",
        reason=asked["reason"],
        origin=TRANSFER,
        authored=moment,
        based_on=f"Task/{task['id']}",
    )
    return encounter, queue


# ---- searches ---------------------------------------------------------------------------------


def inbound_requests(hospital_ids: tuple[str, ...]) -> AbstractSearchSet:
    """Transfer requests addressed to these hospitals that still wait for something."""
    return query("Task").search(
        code=f"{BED_REQUEST}|{TRANSFER}",
        owner=",".join(f"Organization/{h}" for h in sorted(hospital_ids)),
        status=",".join(OPEN_STATES),
    )


def outbound_requests(hospital_id: str, since: pd.Timestamp) -> AbstractSearchSet:
    """Transfer requests the hospital sent, answered or not, changed from ``since`` on."""
    return query("Task").search(
        code=f"{BED_REQUEST}|{TRANSFER}",
        requester=f"Organization/{hospital_id}",
        modified=f"ge{since.isoformat()}",
    )


# ---- who may answer ---------------------------------------------------------------------------


def decides_for(user: User) -> tuple[str, ...]:
    """The hospitals whose inbound requests the user answers: a bed manager's own facilities.
    A network manager (no facility) answers for none: a bed is given by its hospital."""
    if not user.can(Capability.TRANSFER_DECIDE):
        return ()
    return tuple(sorted(user.facilities))


# ---- pure figures -----------------------------------------------------------------------------

QUEUE_COLUMNS = (
    "source",
    "task_id",
    "version",
    "status",
    "business_status",
    "urgency",
    "requester_org",
    "target_org",
    "bed_category",
    "age_group",
    "sex",
    "isolation",
    "reason",
    "status_reason",
    "bed_id",
    "authored_on",
    "last_modified",
    "reserved_until",
    "waiting_hours",
    "state",
)


def transfer_queue(tasks: pd.DataFrame, requests: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """One row per transfer request (``QUEUE_COLUMNS``), most urgent and oldest first.

    ``tasks`` and ``requests`` are the ``task`` and ``bed_request`` tables of a read. ``state``
    says it in one word: ``open``, ``asked_back``, ``reserved``, ``expired`` (accepted, but the
    bed's reservation has ended), ``declined``, ``withdrawn``, ``done``. ``waiting_hours`` runs
    from the request to now while no decision is made, else to the last change."""
    transfers = requests[requests["kind"] == TRANSFER]
    rows = transfers.merge(
        tasks.rename(columns={"id": "task_id", "priority": "urgency", "due": "reserved_until"}),
        on=["source", "task_id"],
        how="inner",
        suffixes=("", "_task"),
    )
    waiting = rows["status"].isin(("requested", "received"))
    end = rows["last_modified"].where(~waiting, now).fillna(now)
    rows["waiting_hours"] = ((end - rows["authored_on"]).dt.total_seconds() / 3600).astype(
        "Float64"
    )
    rows["state"] = _state(rows, now)
    rank = rows["urgency"].map(_URGENCY_RANK).fillna(len(URGENCIES))
    rows = rows.assign(_open=~waiting, _rank=rank).sort_values(
        ["_open", "_rank", "authored_on"], kind="stable"
    )
    return rows.reset_index(drop=True)[list(QUEUE_COLUMNS)]


def _state(rows: pd.DataFrame, now: pd.Timestamp) -> pd.Series:
    state = rows["status"].map(
        {
            "requested": "open",
            "received": "open",
            "accepted": "reserved",
            "rejected": "declined",
            "cancelled": "withdrawn",
            "completed": "done",
        }
    )
    state = state.where(~rows["business_status"].eq(ASKED_BACK).fillna(False), "asked_back")
    ended = rows["status"].eq("accepted") & ~rows["reserved_until"].gt(now).fillna(False)
    return state.where(~ended, "expired").fillna("open").astype("str")


def suitable_beds(
    beds: pd.DataFrame, hospital_id: str, bed_category: str, age_group: str, isolation: bool
) -> pd.DataFrame:
    """Beds of the hospital that can take this patient now (rows of ``bed_status_now``, with
    ``room_id``): free by the one definition, of the category and age group asked for; for a
    patient in isolation only beds in a room nobody else lies in or is reserved for."""
    mine = beds[beds["hospital_id"] == hospital_id]
    fits = (
        can_take_patient(mine["status"])
        & mine["bed_category"].eq(bed_category).fillna(False)
        & mine["age_group"].eq(age_group).fillna(False)
    )
    chosen = mine[fits]
    if isolation:
        taken = mine.loc[~can_take_patient(mine["status"]) & mine["status"].ne("C"), "room_id"]
        chosen = chosen[~chosen["room_id"].isin(set(taken.dropna()))]
    return chosen


def free_beds_matching(queue: pd.DataFrame, beds: pd.DataFrame) -> pd.Series:
    """Per request of ``queue``: how many beds of its target hospital could take it now."""
    if queue.empty:
        return pd.Series(dtype="int64", index=queue.index)
    counts = [
        len(
            suitable_beds(
                beds,
                row.target_org,
                row.bed_category,
                row.age_group,
                isinstance(row.isolation, str) and bool(row.isolation),
            )
        )
        for row in queue.itertuples(index=False)
    ]
    return pd.Series(counts, index=queue.index, dtype="int64")


def queue_figures(queue: pd.DataFrame) -> dict[str, float | int | None]:
    """Key figures of a queue: requests waiting for a decision, of them urgent (urgent, asap,
    stat), asked back, beds reserved now, and the longest wait in hours (None without any)."""
    waiting = queue[queue["state"].isin(("open", "asked_back"))]
    urgent = waiting["urgency"].isin(URGENCIES[1:])
    longest = waiting["waiting_hours"].max() if not waiting.empty else None
    return {
        "waiting": len(waiting),
        "urgent": int(urgent.sum()),
        "asked_back": int((waiting["state"] == "asked_back").sum()),
        "reserved": int((queue["state"] == "reserved").sum()),
        "longest_hours": None if longest is None or pd.isna(longest) else float(longest),
    }


# ---- writes -----------------------------------------------------------------------------------


def _audit(
    platform: Platform,
    user: User,
    local_log: Path,
    source: str | None,
    resource: str,
    patient_id: str | None,
    action: Literal["create", "update"] = "update",
) -> None:
    record(
        platform,
        AuditRecord(
            user=user,
            action=action,
            page=AUDIT_PAGE,
            patient_id=patient_id,
            source=source,
            resource=resource,
        ),
        local_log,
    )


def _patient_of(task: dict) -> str | None:
    reference = (task.get("for") or {}).get("reference") or ""
    return reference.split("/", 1)[1] if reference.startswith("Patient/") else None


def send_request(
    platform: Platform, user: User, local_log: Path, ask: TransferAsk, source: str | None = None
) -> dict:
    """Write the ServiceRequest and the Task of ``ask`` (client-chosen ids, so a repeated send
    stores them once); both audited. Returns the stored Task."""
    if not user.can(Capability.TRANSFER_REQUEST) or user.hospital_id != ask.requester_org:
        raise NotPermitted("transfer requests are sent by physicians of the patient's hospital")
    if ask.requester_org == ask.target_org:
        raise ValueError("a transfer goes to another hospital")
    http = platform.http(source)
    service_request, task = request_resources(ask.with_id(), utc_now())
    http.send_json("PUT", f"ServiceRequest/{service_request['id']}", service_request)
    _audit(
        platform,
        user,
        local_log,
        source,
        f"ServiceRequest/{service_request['id']}",
        ask.patient_id,
        "create",
    )
    stored = http.send_json("PUT", f"Task/{task['id']}", task)
    _audit(platform, user, local_log, source, f"Task/{task['id']}", ask.patient_id, "create")
    return stored


def _seen(http: FhirHttp, task_id: str, version: str, allowed: tuple[str, ...]) -> dict:
    """The version the user saw; ``Conflict`` with the Task as it is now when that version is
    no longer one this step may follow (somebody decided, or the request changed since)."""
    seen = http.get_json(f"Task/{task_id}/_history/{version}")
    if seen.get("status") not in allowed:
        raise Conflict("request already answered", current=seen)
    return {k: v for k, v in seen.items() if k != "meta"}


def _note(user: User, words: str, moment: datetime) -> dict:
    note: dict = {"text": words.strip(), "time": stamp(moment)}
    if user.practitioner_id:
        note["authorReference"] = {"reference": f"Practitioner/{user.practitioner_id}"}
    else:
        note["authorString"] = user.name
    return note


def _check_target(user: User, task: dict) -> None:
    owner = (task.get("owner") or {}).get("reference", "").removeprefix("Organization/")
    if owner not in decides_for(user):
        raise NotPermitted("requests are answered by a bed manager of the target hospital")


def _check_requester(user: User, task: dict) -> None:
    requester = (task.get("requester") or {}).get("reference", "").removeprefix("Organization/")
    if not user.can(Capability.TRANSFER_REQUEST) or requester != user.hospital_id:
        raise NotPermitted("a request is answered back by its own hospital")


# Per answer: the Task states it may follow, and who may give it.
_ANSWERED_FROM: dict[Decision, tuple[tuple[str, ...], Callable[[User, dict], None]]] = {
    "decline": (_UNDECIDED, _check_target),
    "ask_back": (_UNDECIDED, _check_target),
    "answer": (("received",), _check_requester),
    "cancel": ((*OPEN_TASK_STATES, "received", "accepted"), _check_requester),
}


def accept(
    platform: Platform,
    user: User,
    local_log: Path,
    task_id: str,
    seen_version: str,
    bed_id: str,
    *,
    source: str | None = None,
    hold: timedelta = RESERVATION,
) -> dict:
    """Accept the request as seen and reserve ``bed_id`` until now + ``hold``; returns the
    stored Task. ``Conflict`` (with ``current``) when another manager answered first;
    ``BedTaken`` when the bed cannot be reserved (the request is then open again)."""
    http = platform.http(source)
    seen = _seen(http, task_id, seen_version, _UNDECIDED)
    _check_target(user, seen)
    moment = utc_now()
    until = moment + hold
    changed = {
        **seen,
        "status": "accepted",
        "restriction": {**(seen.get("restriction") or {}), "period": {"end": stamp(until)}},
        "output": [
            {
                "type": concept(REQUEST_DETAIL, "bett"),
                "valueReference": {"reference": f"Location/{bed_id}"},
            }
        ],
        "lastModified": stamp(moment),
    }
    changed.pop("businessStatus", None)
    stored = put_task(http, task_id, changed, seen_version)
    patient = _patient_of(seen)
    _audit(platform, user, local_log, source, f"Task/{task_id}", patient)
    try:
        encounter_id, queue_id = _reserve_and_announce(http, seen, bed_id, until, moment)
    except DataError:
        _give_back(http, task_id, seen, stored)
        _audit(platform, user, local_log, source, f"Task/{task_id}", patient)
        raise
    _audit(platform, user, local_log, source, f"Location/{bed_id}", None)
    _audit(platform, user, local_log, source, f"Encounter/{encounter_id}", patient, "create")
    _audit(platform, user, local_log, source, f"Task/{queue_id}", patient, "create")
    return stored


def _reserve_and_announce(
    http: FhirHttp, task: dict, bed_id: str, until: datetime, now: datetime
) -> tuple[str, str]:
    """One transaction: the bed held for ``task`` (``If-Match`` on the version read) and the
    patient announced on the bed's ward (``arrival_resources``), so the target hospital never
    holds a reservation without the patient in its admission queue, nor the reverse. Returns
    the ids of the waiting stay and its admission Task; ``BedTaken`` when the bed cannot be
    held, ``NotPermitted`` when it is not the target hospital's."""
    location = http.get_json(f"Location/{bed_id}")
    held = _holding(location, task["id"], until, now)
    target = (task.get("owner") or {}).get("reference")
    managed = (location.get("managingOrganization") or {}).get("reference")
    if managed is not None and managed != target:
        raise NotPermitted("the bed is not one of the target hospital's")
    ward_id = _ward_of(http, location)
    encounter, queue = arrival_resources(task, ward_id, now)
    entries = [
        _put_seen({**held, "meta": location.get("meta") or {}}),
        *(
            {"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
            for r in (encounter, queue)
        ),
    ]
    try:
        _transaction(http, entries)
    except Conflict as exc:
        raise BedTaken(f"bed {bed_id} changed", current=exc.current) from exc
    return encounter["id"], queue["id"]


def _put_seen(resource: dict) -> dict:
    """A transaction entry writing ``resource`` over the version it was read at."""
    body = {k: v for k, v in resource.items() if k != "meta"}
    request = {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}
    version = (resource.get("meta") or {}).get("versionId")
    if version:
        request["ifMatch"] = f'W/"{version}"'
    return {"resource": body, "request": request}


def _transaction(http: FhirHttp, entries: list[dict]) -> dict:
    """All of ``entries`` or none: the server refuses the whole Bundle on one failed entry."""
    return http.send_json(
        "POST", "", {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    )


def _ward_of(http: FhirHttp, location: dict) -> str:
    """The ward (physical type ``wa``) a bed lies in, up its ``partOf`` chain."""
    current = location
    for _ in range(3):
        parent = (current.get("partOf") or {}).get("reference", "")
        if not parent.startswith("Location/"):
            break
        current = http.get_json(parent)
        if _code(current.get("physicalType")) == "wa":
            return current["id"]
    raise NotPermitted(f"bed {location.get('id')} lies on no ward")


def _give_back(http: FhirHttp, task_id: str, seen: dict, stored: dict) -> None:
    """The request as it was before this acceptance, unless somebody changed it since."""
    restored = {**seen, "lastModified": stamp(utc_now())}
    try:
        put_task(http, task_id, restored, stored["meta"]["versionId"])
    except Conflict:
        return


def _reservation(location: dict) -> tuple[str | None, datetime | None]:
    for ext in location.get("extension") or []:
        if ext.get("url") != BED_RESERVATION_EXT:
            continue
        task = until = None
        for part in ext.get("extension") or []:
            if part.get("url") == "auftrag":
                task = (part.get("valueReference") or {}).get("reference")
            elif part.get("url") == "bis" and part.get("valueDateTime"):
                until = datetime.fromisoformat(part["valueDateTime"])
        return task, until
    return None, None


def reserve_bed(http: FhirHttp, bed_id: str, task_id: str, until: datetime, now: datetime) -> dict:
    """Hold the bed for the Task until ``until``: only a bed that reports U and is not held for
    another request now; written with ``If-Match``. Raises ``BedTaken`` otherwise."""
    location = http.get_json(f"Location/{bed_id}")
    changed = _holding(location, task_id, until, now)
    version = (location.get("meta") or {}).get("versionId")
    try:
        return http.send_json(
            "PUT",
            f"Location/{bed_id}",
            changed,
            if_match=f'W/"{version}"' if version else None,
        )
    except Conflict as exc:
        raise BedTaken(f"bed {bed_id} changed", current=exc.current) from exc


def _holding(location: dict, task_id: str, until: datetime, now: datetime) -> dict:
    """The bed Location held for the Task until ``until``; ``BedTaken`` unless it reports U and
    is held for no other request now."""
    bed_id = location.get("id")
    status = (location.get("operationalStatus") or {}).get("code")
    held_for, held_until = _reservation(location)
    if status != FREE_BED_STATE or (
        held_until is not None and held_until > now and held_for != f"Task/{task_id}"
    ):
        raise BedTaken(f"bed {bed_id} is {status}", current=location)
    changed = {k: v for k, v in location.items() if k != "meta"}
    changed["operationalStatus"] = {
        "system": BED_STATUS,
        "code": FREE_BED_STATE,
        "display": "Unoccupied",
    }
    kept = [e for e in changed.get("extension") or [] if e.get("url") != BED_RESERVATION_EXT]
    changed["extension"] = [
        *kept,
        {
            "url": BED_RESERVATION_EXT,
            "extension": [
                {"url": "auftrag", "valueReference": {"reference": f"Task/{task_id}"}},
                {"url": "bis", "valueDateTime": stamp(until)},
            ],
        },
    ]
    return changed


def release_bed(http: FhirHttp, bed_id: str, task_id: str) -> bool:
    """Take the Task's reservation off the bed; False when the bed holds none for it (or
    changed meanwhile: what the hospital set stands)."""
    location = http.get_json(f"Location/{bed_id}")
    held_for, _ = _reservation(location)
    if held_for != f"Task/{task_id}":
        return False
    changed = {k: v for k, v in location.items() if k != "meta"}
    kept = [e for e in changed.get("extension") or [] if e.get("url") != BED_RESERVATION_EXT]
    if kept:
        changed["extension"] = kept
    else:
        changed.pop("extension", None)
    version = (location.get("meta") or {}).get("versionId")
    try:
        http.send_json(
            "PUT", f"Location/{bed_id}", changed, if_match=f'W/"{version}"' if version else None
        )
    except Conflict:
        return False
    return True


def _write_answer(
    platform: Platform,
    user: User,
    local_log: Path,
    source: str | None,
    task_id: str,
    seen_version: str,
    decision: Decision,
    change: Callable[[dict, datetime], dict],
) -> tuple[dict, dict]:
    """Write one answer to the request as seen: ``change`` (the Task as seen, now) gives the
    fields it sets, ``None`` for a field it drops; sent with ``If-Match`` on the version seen and
    audited. Returns the Task as seen and as stored; ``Conflict`` when somebody answered first,
    ``NotPermitted`` when the user may not give this answer."""
    allowed, check = _ANSWERED_FROM[decision]
    http = platform.http(source)
    seen = _seen(http, task_id, seen_version, allowed)
    check(user, seen)
    moment = utc_now()
    fields = change(seen, moment)
    dropped = {k for k, v in fields.items() if v is None}
    changed = {**seen, **fields, "lastModified": stamp(moment)}
    changed = {k: v for k, v in changed.items() if k not in dropped}
    stored = put_task(http, task_id, changed, seen_version)
    _audit(platform, user, local_log, source, f"Task/{task_id}", _patient_of(seen))
    return seen, stored


def decline(
    platform: Platform,
    user: User,
    local_log: Path,
    task_id: str,
    seen_version: str,
    reason: str,
    *,
    source: str | None = None,
) -> dict:
    """Decline the request as seen, with ``reason`` (required); ``Conflict`` when another
    manager answered first."""
    if not reason.strip():
        raise ValueError("a declined request says why")

    def declined(seen: dict, moment: datetime) -> dict:
        return {
            "status": "rejected",
            "statusReason": {"text": reason.strip()},
            "businessStatus": None,
        }

    _, stored = _write_answer(
        platform, user, local_log, source, task_id, seen_version, "decline", declined
    )
    return stored


def ask_back(
    platform: Platform,
    user: User,
    local_log: Path,
    task_id: str,
    seen_version: str,
    question: str,
    *,
    source: str | None = None,
) -> dict:
    """Ask the requesting hospital a question: the Task is ``received`` with businessStatus
    ``rueckfrage`` and the question as a note, until the requester answers."""
    if not question.strip():
        raise ValueError("a question has words")

    def asked(seen: dict, moment: datetime) -> dict:
        return {
            "status": "received",
            "businessStatus": {**concept(BED_REQUEST, ASKED_BACK), "text": "Rückfrage"},
            "note": [*(seen.get("note") or []), _note(user, question, moment)],
        }

    _, stored = _write_answer(
        platform, user, local_log, source, task_id, seen_version, "ask_back", asked
    )
    return stored


def answer(
    platform: Platform,
    user: User,
    local_log: Path,
    task_id: str,
    seen_version: str,
    words: str,
    *,
    source: str | None = None,
) -> dict:
    """The requester's answer to a question: a note, and the request waits for a decision
    again (``requested``)."""
    if not words.strip():
        raise ValueError("an answer has words")

    def answered(seen: dict, moment: datetime) -> dict:
        return {
            "status": "requested",
            "note": [*(seen.get("note") or []), _note(user, words, moment)],
            "businessStatus": None,
        }

    _, stored = _write_answer(
        platform, user, local_log, source, task_id, seen_version, "answer", answered
    )
    return stored


def cancel(
    platform: Platform,
    user: User,
    local_log: Path,
    task_id: str,
    seen_version: str,
    *,
    source: str | None = None,
) -> dict:
    """Withdraw the request (the requesting hospital): the Task is ``cancelled``, a bed
    reserved for it is released and the patient it announced leaves the target ward's queue."""

    def cancelled(seen: dict, moment: datetime) -> dict:
        return {"status": "cancelled"}

    seen, stored = _write_answer(
        platform, user, local_log, source, task_id, seen_version, "cancel", cancelled
    )
    http = platform.http(source)
    patient = _patient_of(seen)
    for output in seen.get("output") or []:
        bed = (output.get("valueReference") or {}).get("reference", "")
        if bed.startswith("Location/") and release_bed(http, bed.split("/", 1)[1], task_id):
            _audit(platform, user, local_log, source, bed, None)
    for written in _withdraw_arrival(http, task_id):
        _audit(platform, user, local_log, source, written, patient)
    return stored


def _withdraw_arrival(http: FhirHttp, task_id: str) -> list[str]:
    """Take an announced patient who has not arrived off the target ward's queue: the
    admission Task and its waiting stay ``cancelled`` in one transaction. Nothing when there is
    none, or a nurse gave the bed meanwhile (the patient is there: what the ward did stands)."""
    encounter_id, queue_id = arrival_ids(task_id)
    try:
        queue = http.get_json(f"Task/{queue_id}")
        encounter = http.get_json(f"Encounter/{encounter_id}")
    except NotFound:
        return []
    if queue.get("status") != "requested" or encounter.get("status") != "planned":
        return []
    withdrawn = {
        **queue,
        "status": "cancelled",
        "statusReason": {"text": "Verlegung zurückgezogen"},
        "lastModified": stamp(utc_now()),
    }
    entries = [_put_seen(withdrawn), _put_seen({**encounter, "status": "cancelled"})]
    try:
        _transaction(http, entries)
    except Conflict:
        return []
    return [f"Task/{queue_id}", f"Encounter/{encounter_id}"]
