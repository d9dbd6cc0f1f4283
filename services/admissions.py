"""The ward admission queue: patients waiting on a ward for a bed, and the nurse's three steps.

A waiting admission is an inpatient ``Encounter`` that has not begun (``arrived`` from the
emergency department, ``planned`` for a transfer in) and names no place yet, so no census,
bed or admission figure counts it, plus a ``Task`` (code bettenanfrage ``aufnahme``) on the
target ward whose ``focus`` is that Encounter and whose ``input`` says what bed it needs, as a
transfer request does (``services.transfers``). The Task has no ``encounter``: ward task
lists, which search tasks through their encounter, never show it.

Every step is one FHIR transaction whose entries carry ``If-Match`` on the versions the nurse
saw, so the server takes all of it or nothing: no half-done admission is ever visible.

- assign a bed: the bed Location becomes O, the Encounter ``in-progress`` with ward, room and
  bed entries from now, the Task ``completed`` with the bed as ``output``. Of two nurses giving
  the same bed, the server takes one transaction; the other gets 412 and ``BedTaken``. A
  patient arriving with an accepted transfer request (``Task.basedOn``) may take the bed held
  for it, and the same transaction ends what they leave: the request ``completed``, the stay
  at the other hospital ``finished`` as a transfer, its bed into housekeeping with a cleaning
  Task on its ward.
- swap within the ward: two patients exchange beds (both Encounters get new room and bed
  entries), or one patient moves to a free bed, which becomes O while the old one goes to
  housekeeping (H) with a cleaning Task, as after a discharge (docs/DATA_MODEL.md, "Bed
  turnaround").
- cancel: the Task ``cancelled`` with the reason, the Encounter ``cancelled``.

Each write is audited (``AuditEvent`` site ``admissions``, entity each resource written).
Docs: docs/DATA_MODEL.md, "Ward admission queue".
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from services.audit import AuditRecord, record
from services.codes import (
    ADMISSION,
    BED_CLEANING,
    BED_REQUEST,
    BED_RESERVATION_EXT,
    BED_STATUS,
    DISCHARGE_KIND,
    FREE_BED_STATE,
    NURSING_TASK,
    REQUEST_DETAIL,
    RESERVED_BED_STATE,
    TRANSFER,
)
from services.errors import BedTaken, Conflict, NotFound, NotPermitted
from services.fhir_http import FhirHttp
from services.platform import Platform
from services.roles import Capability, User
from services.search import query
from services.transfers import (
    URGENCIES,
    admission_resources,
    concept,
    stamp,
    suitable_beds,
    utc_now,
)

__all__ = [
    "AUDIT_PAGE",
    "QUEUE_COLUMNS",
    "WAITING",
    "admission_queue",
    "admission_resources",
    "admission_tasks",
    "assign_bed",
    "beds_for",
    "cancel_admission",
    "move_patient",
]

AUDIT_PAGE = "admissions"
# Encounter states of a patient who is expected on the ward but lies in no bed yet.
WAITING = ("arrived", "planned")
# How long cleaning a bed takes when a patient moves out of it (as the simulation plans it).
CLEANING = timedelta(hours=2)
_URGENCY_RANK = {code: n for n, code in enumerate(reversed(URGENCIES))}
# Ids of the cleaning Tasks this module creates end so; ids are client-chosen (PUT) so that a
# repeated transaction stores one Task.
_CREATED = "-r"
_DISPLAY = {"O": "Occupied", "U": "Unoccupied", "H": "Housekeeping", "K": "Contaminated"}

QUEUE_COLUMNS = (
    "source",
    "task_id",
    "version",
    "ward_id",
    "patient_id",
    "encounter_id",
    "urgency",
    "bed_category",
    "age_group",
    "sex",
    "isolation",
    "reason",
    "origin",
    "transfer_id",
    "authored_on",
    "waiting_hours",
)


# ---- read -------------------------------------------------------------------------------------


def admission_tasks(hospital_ids: tuple[str, ...]) -> AbstractSearchSet:
    """Waiting admissions of these hospitals with their Patients; the caller keeps its wards
    (R4 Task has no ``location`` search parameter)."""
    return (
        query("Task")
        .search(
            code=f"{BED_REQUEST}|{ADMISSION}",
            owner=",".join(f"Organization/{h}" for h in sorted(hospital_ids)),
            status="requested",
        )
        .include("Task", "patient")
    )


def admission_queue(
    tasks: pd.DataFrame, requests: pd.DataFrame, ward_ids: tuple[str, ...], now: pd.Timestamp
) -> pd.DataFrame:
    """One row per waiting admission of ``ward_ids`` (``QUEUE_COLUMNS``), most urgent and
    longest waiting first. ``tasks`` and ``requests``: the ``task`` and ``bed_request`` tables."""
    wanted = requests[requests["kind"] == ADMISSION]
    rows = wanted.merge(
        tasks.rename(columns={"id": "task_id", "priority": "urgency"}),
        on=["source", "task_id"],
        how="inner",
        suffixes=("", "_task"),
    )
    rows = rows[rows["status"].eq("requested") & rows["ward_id"].isin(ward_ids)]
    based_on = rows["based_on"].astype("str")
    rows = rows.assign(
        origin=rows["business_status"],
        transfer_id=based_on.str.removeprefix("Task/").where(
            based_on.str.startswith("Task/").fillna(False)
        ),
        encounter_id=rows["encounter_id"],
        waiting_hours=((now - rows["authored_on"]).dt.total_seconds() / 3600).astype("Float64"),
        _rank=rows["urgency"].map(_URGENCY_RANK).fillna(len(URGENCIES)),
    )
    rows = rows.sort_values(["_rank", "authored_on"], kind="stable")
    return rows.reset_index(drop=True)[list(QUEUE_COLUMNS)]


def beds_for(
    beds: pd.DataFrame, admission: pd.Series, hospital_id: str, sexes: pd.Series | None = None
) -> pd.DataFrame:
    """The free beds of the admission's ward that fit it (``suitable_beds``: category, age
    group, isolation); when the patient's sex and the sex of those lying in a room are known
    (``sexes``: Patient id -> gender), no bed in a room of the other sex. A patient coming with
    an accepted transfer (``transfer_id``) is offered the bed reserved for it first."""
    ward = beds[beds["ward_id"] == admission["ward_id"]]
    isolation = isinstance(admission["isolation"], str) and bool(admission["isolation"])
    chosen = suitable_beds(
        ward, hospital_id, admission["bed_category"], admission["age_group"], isolation
    )
    sex = admission["sex"]
    if sexes is not None and isinstance(sex, str) and not chosen.empty:
        lying = ward.dropna(subset=["patient_id"])
        lying = lying.assign(sex=lying["patient_id"].map(sexes))
        other = lying.loc[lying["sex"].isin(("male", "female")) & lying["sex"].ne(sex), "room_id"]
        chosen = chosen[~chosen["room_id"].isin(set(other.dropna()))]
    # The bed a bed manager reserved when accepting the transfer this patient comes with is
    # theirs, and offered first.
    transfer = admission.get("transfer_id")
    if not isinstance(transfer, str) or "reserved_for" not in ward.columns:
        return chosen
    held = ward[ward["status"].eq(RESERVED_BED_STATE) & ward["reserved_for"].eq(transfer)]
    return pd.concat([held, chosen]) if not held.empty else chosen


# ---- writes -----------------------------------------------------------------------------------


def _check_ward(user: User, ward_id: str | None) -> None:
    if not user.can(Capability.ADMISSIONS) or ward_id not in user.wards:
        raise NotPermitted("admissions are made by the nurses of the ward")


def _ref_id(reference: object, kind: str) -> str | None:
    text = (reference or {}).get("reference", "") if isinstance(reference, dict) else ""
    return text.split("/", 1)[1] if text.startswith(f"{kind}/") else None


def _body(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if k != "meta"}


def _version(resource: dict) -> str | None:
    return (resource.get("meta") or {}).get("versionId")


def _put(resource: dict, version: str | None) -> dict:
    request: dict = {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}
    if version:
        request["ifMatch"] = f'W/"{version}"'
    return {"resource": _body(resource), "request": request}


def _transaction(http: FhirHttp, entries: list[dict]) -> dict:
    return http.send_json(
        "POST", "", {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    )


def _with_bed_status(location: dict, code: str) -> dict:
    out = _body(location)
    out["operationalStatus"] = {"system": BED_STATUS, "code": code, "display": _DISPLAY[code]}
    # A bed taken or left holds no reservation any more.
    kept = [e for e in out.get("extension") or [] if e.get("url") != BED_RESERVATION_EXT]
    if kept:
        out["extension"] = kept
    else:
        out.pop("extension", None)
    return out


def _free_bed(
    http: FhirHttp, bed_id: str, ward_id: str, now: datetime, held_for: str | None = None
) -> dict:
    """The bed as it is now, if it is a free bed of the ward (or held for the transfer request
    ``held_for``, a Task id); ``BedTaken`` otherwise."""
    bed = http.get_json(f"Location/{bed_id}")
    status = (bed.get("operationalStatus") or {}).get("code")
    reserved = False
    for ext in bed.get("extension") or []:
        if ext.get("url") == BED_RESERVATION_EXT:
            until = holder = None
            for part in ext.get("extension") or []:
                if part.get("url") == "bis" and part.get("valueDateTime"):
                    until = datetime.fromisoformat(part["valueDateTime"])
                elif part.get("url") == "auftrag":
                    holder = (part.get("valueReference") or {}).get("reference")
            mine = held_for is not None and holder == f"Task/{held_for}"
            reserved = until is not None and until > now and not mine
    if status != FREE_BED_STATE or reserved:
        raise BedTaken(f"bed {bed_id} is {status}", current=bed)
    room_id = _ref_id(bed.get("partOf"), "Location")
    room = http.get_json(f"Location/{room_id}") if room_id else {}
    if _ref_id(room.get("partOf"), "Location") != ward_id:
        raise NotPermitted("the bed is not on the admission's ward")
    return {**bed, "_room": room_id}


def _entries_to(encounter: dict, places: list[tuple[str, str]], moment: datetime) -> list[dict]:
    """The Encounter's location entries with its current entries of the kinds in ``places``
    ended at ``moment`` and the new places (physical type, Location id) active from then."""
    kinds = {kind for kind, _ in places}
    out = []
    for entry in encounter.get("location") or []:
        kind = ((entry.get("physicalType") or {}).get("coding") or [{}])[0].get("code")
        out.append(_ended(entry, moment) if kind in kinds else entry)
    for kind, location_id in places:
        out.append(
            {
                "location": {"reference": f"Location/{location_id}"},
                "status": "active",
                "physicalType": concept(
                    "http://terminology.hl7.org/CodeSystem/location-physical-type", kind
                ),
                "period": {"start": stamp(moment)},
            }
        )
    return out


def _ended(entry: dict, moment: datetime) -> dict:
    """A location entry of a stay ended at ``moment`` if it is the active one."""
    if entry.get("status") != "active":
        return entry
    return {
        **entry,
        "status": "completed",
        "period": {**(entry.get("period") or {}), "end": stamp(moment)},
    }


def _audit(platform: Platform, user: User, log: Path, source: str | None, written: list) -> None:
    for resource, patient_id in written:
        created = resource.startswith("Task/") and resource.endswith(_CREATED)
        record(
            platform,
            AuditRecord(
                user=user,
                action="create" if created else "update",
                page=AUDIT_PAGE,
                patient_id=patient_id,
                source=source,
                resource=resource,
            ),
            log,
        )


def _lost(
    http: FhirHttp,
    exc: Conflict,
    bed_id: str | None,
    now: datetime,
    ward: str,
    held_for: str | None = None,
) -> None:
    """After a 412: the bed taken since says so in words (``BedTaken``); else the admission
    itself changed (another nurse was quicker, or the transfer was withdrawn): the
    ``Conflict`` stands."""
    if bed_id is not None:
        try:
            _free_bed(http, bed_id, ward, now, held_for)
        except BedTaken as taken:
            raise taken from exc
    raise exc


def assign_bed(
    platform: Platform,
    user: User,
    local_log: Path,
    task_id: str,
    seen_version: str,
    bed_id: str,
    *,
    source: str | None = None,
) -> dict:
    """Give the waiting admission ``task_id`` (as seen: ``seen_version``) the bed ``bed_id``:
    one transaction of bed, Encounter and Task, and for a patient arriving with a transfer
    request what they leave (``_departure``). Returns the stored Encounter. ``BedTaken`` when
    the bed is not free any more; ``Conflict`` when the admission or the request changed."""
    http = platform.http(source)
    task = http.get_json(f"Task/{task_id}/_history/{seen_version}")
    ward_id = _ref_id(task.get("location"), "Location")
    _check_ward(user, ward_id)
    if task.get("status") != "requested":
        raise Conflict("admission already handled", current=task)
    moment = utc_now()
    transfer_id = _ref_id((task.get("basedOn") or [None])[0], "Task")
    bed = _free_bed(http, bed_id, ward_id, moment, transfer_id)
    room_id = bed.pop("_room")
    encounter_id = _ref_id(task.get("focus"), "Encounter")
    encounter = http.get_json(f"Encounter/{encounter_id}")
    patient_id = _ref_id(task.get("for"), "Patient")
    admitted = {
        **_body(encounter),
        "status": "in-progress",
        "period": {**(encounter.get("period") or {}), "start": stamp(moment)},
        "location": _entries_to(
            encounter, [("wa", ward_id), ("ro", room_id), ("bd", bed_id)], moment
        ),
    }
    if encounter.get("status") not in WAITING:
        raise Conflict("the stay is not waiting for a bed", current=task)
    done = {
        **_body(task),
        "status": "completed",
        # No ``executionPeriod``: the workload figures count completed nursing work by it.
        "lastModified": stamp(moment),
        "output": [
            {
                "type": concept(REQUEST_DETAIL, "bett"),
                "valueReference": {"reference": f"Location/{bed_id}"},
            }
        ],
    }
    if user.practitioner_id:
        done["owner"] = {"reference": f"Practitioner/{user.practitioner_id}"}
    entries = [
        _put(_with_bed_status(bed, "O"), _version(bed)),
        _put(admitted, _version(encounter)),
        _put(done, seen_version),
    ]
    written: list[tuple[str, str | None]] = [
        (f"Location/{bed_id}", None),
        (f"Encounter/{encounter_id}", patient_id),
        (f"Task/{task_id}", patient_id),
    ]
    if transfer_id is not None:
        left, left_written = _departure(http, transfer_id, moment)
        entries += left
        written += left_written
    try:
        _transaction(http, entries)
    except Conflict as exc:
        _lost(http, exc, bed_id, moment, ward_id, transfer_id)
    _audit(platform, user, local_log, source, written)
    return http.get_json(f"Encounter/{encounter_id}")


def _departure(
    http: FhirHttp, transfer_id: str, moment: datetime
) -> tuple[list[dict], list[tuple[str, str | None]]]:
    """What the arrival of a transferred patient ends at the hospital they came from, as
    entries of the admission's transaction: the transfer request ``completed``; the stay it
    moves ``finished`` (dischargeDisposition ``verlegung``, every place ended now); its bed into
    housekeeping (H, or K after a patient in isolation) with a cleaning Task on its ward, as
    after a discharge. A stay the requesting hospital has ended already keeps its record.
    ``Conflict`` when the request is no longer accepted (withdrawn meanwhile)."""
    transfer = http.get_json(f"Task/{transfer_id}")
    if transfer.get("status") != "accepted":
        raise Conflict("the transfer request is not accepted", current=transfer)
    patient_id = _ref_id(transfer.get("for"), "Patient")
    completed = {**_body(transfer), "status": "completed", "lastModified": stamp(moment)}
    entries = [_put(completed, _version(transfer))]
    written: list[tuple[str, str | None]] = [(f"Task/{transfer_id}", patient_id)]
    origin_id = _ref_id(transfer.get("focus"), "Encounter")
    try:
        origin, ward_id, _, bed_id = _placement(http, origin_id or "")
    except (Conflict, NotFound):
        return entries, written
    isolated = any(
        ((entry.get("type") or {}).get("coding") or [{}])[0].get("code") == "isolation"
        for entry in transfer.get("input") or []
    )
    finished = {
        **_body(origin),
        "status": "finished",
        "period": {**(origin.get("period") or {}), "end": stamp(moment)},
        "hospitalization": {
            **(origin.get("hospitalization") or {}),
            "dischargeDisposition": concept(DISCHARGE_KIND, TRANSFER),
        },
        "location": [_ended(entry, moment) for entry in origin.get("location") or []],
    }
    left = http.get_json(f"Location/{bed_id}")
    cleaning = _cleaning(left, ward_id, origin["id"], patient_id, moment, isolated)
    entries += [
        _put(finished, _version(origin)),
        _put(_with_bed_status(left, "K" if isolated else "H"), _version(left)),
        _put(cleaning, None),
    ]
    written += [
        (f"Encounter/{origin['id']}", patient_id),
        (f"Location/{bed_id}", None),
        (f"Task/{cleaning['id']}", patient_id),
    ]
    return entries, written


def cancel_admission(
    platform: Platform,
    user: User,
    local_log: Path,
    task_id: str,
    seen_version: str,
    reason: str,
    *,
    source: str | None = None,
) -> None:
    """Cancel the waiting admission with ``reason``: Task and Encounter ``cancelled`` in one
    transaction; ``Conflict`` when another nurse handled it first."""
    if not reason.strip():
        raise ValueError("a cancelled admission says why")
    http = platform.http(source)
    task = http.get_json(f"Task/{task_id}/_history/{seen_version}")
    _check_ward(user, _ref_id(task.get("location"), "Location"))
    if task.get("status") != "requested":
        raise Conflict("admission already handled", current=task)
    encounter_id = _ref_id(task.get("focus"), "Encounter")
    encounter = http.get_json(f"Encounter/{encounter_id}")
    moment = utc_now()
    entries = [
        _put({**_body(encounter), "status": "cancelled"}, _version(encounter)),
        _put(
            {
                **_body(task),
                "status": "cancelled",
                "statusReason": {"text": reason.strip()},
                "lastModified": stamp(moment),
            },
            seen_version,
        ),
    ]
    _transaction(http, entries)
    patient_id = _ref_id(task.get("for"), "Patient")
    _audit(
        platform,
        user,
        local_log,
        source,
        [(f"Encounter/{encounter_id}", patient_id), (f"Task/{task_id}", patient_id)],
    )


def _placement(http: FhirHttp, encounter_id: str) -> tuple[dict, str, str, str]:
    """The stay, its ward, room and bed now (its active entries)."""
    encounter = http.get_json(f"Encounter/{encounter_id}")
    places: dict[str, str] = {}
    for entry in encounter.get("location") or []:
        kind = ((entry.get("physicalType") or {}).get("coding") or [{}])[0].get("code")
        if entry.get("status") == "active" and kind:
            places[kind] = _ref_id(entry.get("location"), "Location") or ""
    if encounter.get("status") != "in-progress" or not all(places.get(k) for k in ("wa", "bd")):
        raise Conflict("the stay lies in no bed now", current=encounter)
    room = places.get("ro") or ""
    return encounter, places["wa"], room, places["bd"]


def _room_of(http: FhirHttp, bed_id: str) -> str:
    return _ref_id(http.get_json(f"Location/{bed_id}").get("partOf"), "Location") or ""


def move_patient(
    platform: Platform,
    user: User,
    local_log: Path,
    encounter_id: str,
    bed_id: str,
    *,
    source: str | None = None,
) -> None:
    """Move the patient of ``encounter_id`` to ``bed_id`` on the same ward: if another patient
    lies there, the two exchange beds; if it is free, it becomes O and the old bed goes to
    housekeeping (H) with a cleaning Task. One transaction; ``BedTaken`` or ``Conflict`` when
    a bed or a stay changed since it was read."""
    http = platform.http(source)
    encounter, ward_id, room_id, old_bed = _placement(http, encounter_id)
    _check_ward(user, ward_id)
    if old_bed == bed_id:
        raise ValueError("the patient lies in that bed already")
    moment = utc_now()
    patient_id = _ref_id(encounter.get("subject"), "Patient")
    other = _occupant(http, bed_id, ward_id)
    if other is not None:
        partner, _, partner_room, _ = _placement(http, other)
        entries = [
            _put(
                {
                    **_body(encounter),
                    "location": _entries_to(
                        encounter, [("ro", partner_room), ("bd", bed_id)], moment
                    ),
                },
                _version(encounter),
            ),
            _put(
                {
                    **_body(partner),
                    "location": _entries_to(partner, [("ro", room_id), ("bd", old_bed)], moment),
                },
                _version(partner),
            ),
        ]
        written = [
            (f"Encounter/{encounter_id}", patient_id),
            (f"Encounter/{other}", _ref_id(partner.get("subject"), "Patient")),
        ]
        target = None
    else:
        bed = _free_bed(http, bed_id, ward_id, moment)
        new_room = bed.pop("_room")
        left = http.get_json(f"Location/{old_bed}")
        cleaning = _cleaning(left, ward_id, encounter_id, patient_id, moment)
        entries = [
            _put(_with_bed_status(bed, "O"), _version(bed)),
            _put(_with_bed_status(left, "H"), _version(left)),
            _put(
                {
                    **_body(encounter),
                    "location": _entries_to(encounter, [("ro", new_room), ("bd", bed_id)], moment),
                },
                _version(encounter),
            ),
            _put(cleaning, None),
        ]
        written = [
            (f"Location/{bed_id}", None),
            (f"Location/{old_bed}", None),
            (f"Encounter/{encounter_id}", patient_id),
            (f"Task/{cleaning['id']}", patient_id),
        ]
        target = bed_id
    try:
        _transaction(http, entries)
    except Conflict as exc:
        _lost(http, exc, target, moment, ward_id)
    _audit(platform, user, local_log, source, written)


def _occupant(http: FhirHttp, bed_id: str, ward_id: str) -> str | None:
    """The stay lying in ``bed_id`` now, if any."""
    found = http.get_json(
        "Encounter",
        params={"status": "in-progress", "location": f"Location/{bed_id}", "_count": "10"},
    )
    for entry in found.get("entry") or []:
        resource = entry.get("resource") or {}
        for place in resource.get("location") or []:
            if place.get("status") == "active" and _ref_id(place.get("location"), "Location") == (
                bed_id
            ):
                return resource["id"]
    return None


def _cleaning(
    bed: dict,
    ward_id: str,
    encounter_id: str,
    patient_id: str | None,
    moment: datetime,
    isolated: bool = False,
) -> dict:
    """The cleaning Task of a bed a patient moved out of, as the KIS writes one on discharge
    (after a patient in isolation: the final disinfection)."""
    name = bed.get("name", bed["id"])
    task: dict = {
        "resourceType": "Task",
        "id": f"tsk-{uuid.uuid4().hex[:16]}{_CREATED}",
        "status": "requested",
        "intent": "order",
        "priority": "routine",
        "code": {
            "coding": [{"system": NURSING_TASK, "code": BED_CLEANING, "display": "Bettenreinigung"}]
        },
        "focus": {"reference": f"Location/{bed['id']}"},
        "encounter": {"reference": f"Encounter/{encounter_id}"},
        "location": {"reference": f"Location/{ward_id}"},
        "authoredOn": stamp(moment),
        "lastModified": stamp(moment),
        "restriction": {"period": {"end": stamp(moment + CLEANING)}},
        "description": f"Schlussdesinfektion Bettplatz {name} (Isolierung aufgehoben)"
        if isolated
        else f"Bettplatz {name} reinigen und aufbereiten",
    }
    if patient_id:
        task["for"] = {"reference": f"Patient/{patient_id}"}
    return task
