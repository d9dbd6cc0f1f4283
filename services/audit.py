"""The audit trail: every view of identified patient data, every search and every write, as a
FHIR AuditEvent.

A search is recorded the way the IHE Basic Audit Log Patterns record a query: an entity of role
Query whose ``query`` holds what was asked (base64), with the number of results as a detail; the
results themselves are not recorded.

- Written after the read it records, with the read's real outcome (``outcome_of``): a view that
  failed or showed only part of the data says so.
- Idempotent: every event carries an id chosen here and is sent as ``PUT AuditEvent/<id>``, so a
  retry (by the HTTP layer or by forwarding) can never store one view twice.
- When the platform refuses the event or cannot be reached, it goes to a local append-only log
  whose lines form a hash chain (each line's hash covers the line and the hash before it): an
  edited, removed or reordered line breaks ``verify_chain``. When the platform answers again, the
  next successful write forwards the kept events (``forward_local``) and marks each as forwarded
  in the same chain; the admin page reads the platform and the events not yet forwarded.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from services.codes import PRACTITIONER_ID
from services.errors import DataError, SourceUnavailable, Unauthorised
from services.frames import KINDS, Collector
from services.platform import FrameSet, Platform
from services.roles import User

__all__ = [
    "GENESIS",
    "AuditRecord",
    "ChainCheck",
    "Outcome",
    "SignInRecord",
    "audit_event",
    "forward_local",
    "local_log_frame",
    "outcome_of",
    "query_of",
    "read_local_log",
    "record",
    "sign_in_event",
    "verify_chain",
]

log = logging.getLogger(__name__)
_lock = threading.Lock()

Action = Literal["read", "update", "create", "search", "list", "export"]
# AuditEvent.action: a list view and an export are reads of the data they show.
_ACTION_CODE = {
    "read": "R",
    "update": "U",
    "create": "C",
    "search": "E",
    "list": "R",
    "export": "R",
}
_SUBTYPE = {"list": "search-type", "export": "search-type"}
# AuditEvent.outcome (R4): 0 success, 4 minor failure, 8 serious failure.
Outcome = Literal["0", "4", "8"]
_INTERACTION = "http://hl7.org/fhir/restful-interaction"
_ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
_ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
_OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
_DCM = "http://dicom.nema.org/resources/ontology/DCM"
OBSERVER = "MEDI:CUS Klinik-Dashboard"
LOCAL_SOURCE = "local"
GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    """One auditable act of one user.

    ``patient_ids``: every person a list or an export showed (``patient_id`` for one record);
    ``what``: what was listed or exported (a ward, a file name), never the data itself;
    ``rows``: how many rows (or, for a search, persons) it showed; ``reason`` is set for
    break-glass access. A search sets ``query``, the criteria as asked, never the results.
    """

    user: User
    action: Action
    page: str
    patient_id: str | None = None
    source: str | None = None
    resource: str | None = None
    reason: str | None = None
    patient_ids: tuple[str, ...] = ()
    what: str | None = None
    rows: int | None = None
    outcome: Outcome = "0"
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    when: datetime = field(default_factory=lambda: datetime.now(UTC))
    query: str | None = None
    outcome_text: str | None = None


@dataclass(frozen=True)
class SignInRecord:
    """One single sign-on: let in (outcome "0") or refused ("4", ``outcome_text`` says why).

    Apart from ``AuditRecord`` because a refused person may have no dashboard role at all;
    ``role`` is the role the identity provider gave, if any.
    """

    username: str
    name: str
    role: str | None
    outcome: Outcome = "0"
    outcome_text: str | None = None
    practitioner_id: str | None = None
    page: str = "login"
    source: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    when: datetime = field(default_factory=lambda: datetime.now(UTC))


def outcome_of(*reads: FrameSet) -> Outcome:
    """Success when every source answered every read; serious failure when a read got nothing."""
    if not any(r.errors for r in reads):
        return "0"
    return "8" if any(r.errors and not r.stats for r in reads) else "4"


def _practitioner(practitioner_id: str, name: str) -> dict:
    # By identifier, not as a literal reference: the event is kept at the source that holds the
    # patient, and the user's Practitioner record is at their own hospital's source. A server
    # that checks references (HAPI's default) refuses a Practitioner it does not hold, and the
    # view of another hospital's record would never reach the platform's trail.
    return {
        "type": "Practitioner",
        "identifier": {"system": PRACTITIONER_ID, "value": practitioner_id},
        "display": name,
    }


def audit_event(rec: AuditRecord) -> dict:
    """The FHIR R4 AuditEvent for ``rec``, with its client-chosen id."""
    agent: dict = {
        "altId": rec.user.username,
        "name": rec.user.name,
        "role": [{"text": rec.user.role.value}],
        "requestor": True,
    }
    if rec.user.practitioner_id:
        agent["who"] = _practitioner(rec.user.practitioner_id, rec.user.name)
    event: dict = {
        "resourceType": "AuditEvent",
        "id": rec.id,
        "type": {
            "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
            "code": "rest",
            "display": "RESTful Operation",
        },
        "subtype": [{"system": _INTERACTION, "code": _SUBTYPE.get(rec.action, rec.action)}],
        "action": _ACTION_CODE[rec.action],
        "recorded": rec.when.isoformat(),
        "outcome": rec.outcome,
        "agent": [agent],
        "source": {"site": rec.page, "observer": {"display": OBSERVER}},
        "entity": [],
    }
    if rec.reason:
        # Break-glass: access outside the user's own facility, justified in free text.
        event["purposeOfEvent"] = [
            {"coding": [{"system": _ACT_REASON, "code": "ETREAT"}], "text": rec.reason}
        ]
    else:
        event["purposeOfEvent"] = [{"coding": [{"system": _ACT_REASON, "code": "TREAT"}]}]
    patients = ([rec.patient_id] if rec.patient_id else []) + [
        p for p in dict.fromkeys(rec.patient_ids) if p != rec.patient_id
    ]
    for patient_id in patients:
        event["entity"].append(
            {
                "what": {"reference": f"Patient/{patient_id}"},
                "type": {"system": _ENTITY_TYPE, "code": "1"},
            }
        )
    if rec.resource:
        event["entity"].append({"what": {"reference": rec.resource}})
    if rec.what is not None or rec.rows is not None or rec.query is not None:
        query: dict = {"type": {"system": _ENTITY_TYPE, "code": "2"}, "name": rec.what or rec.page}
        if rec.query is not None:
            query["role"] = {"system": _OBJECT_ROLE, "code": "24", "display": "Query"}
            query["query"] = base64.b64encode(rec.query.encode("utf-8")).decode("ascii")
        if rec.rows is not None:
            query["detail"] = [{"type": "rows", "valueString": str(rec.rows)}]
        event["entity"].append(query)
    if rec.outcome_text:
        event["outcomeDesc"] = rec.outcome_text
    if not event["entity"]:
        del event["entity"]
    return event


def sign_in_event(rec: SignInRecord) -> dict:
    """The FHIR R4 AuditEvent of a sign-in (DICOM "User Authentication" / "Login")."""
    agent: dict = {"altId": rec.username, "name": rec.name, "requestor": True}
    if rec.role:
        agent["role"] = [{"text": rec.role}]
    if rec.practitioner_id:
        agent["who"] = _practitioner(rec.practitioner_id, rec.name)
    event: dict = {
        "resourceType": "AuditEvent",
        "id": rec.id,
        "type": {"system": _DCM, "code": "110114", "display": "User Authentication"},
        "subtype": [{"system": _DCM, "code": "110122", "display": "Login"}],
        "action": "E",
        "recorded": rec.when.isoformat(),
        "outcome": rec.outcome,
        "agent": [agent],
        "source": {"site": rec.page, "observer": {"display": OBSERVER}},
    }
    if rec.outcome_text:
        event["outcomeDesc"] = rec.outcome_text
    return event


def _put(platform: Platform, source: str | None, event: dict) -> None:
    platform.http(source).send_json("PUT", f"AuditEvent/{event['id']}", event)


def query_of(event: dict) -> str | None:
    """What a search event says was asked (its Query entity), as text; None for other events."""
    for entity in event.get("entity") or ():
        query = entity.get("query") if isinstance(entity, dict) else None
        if isinstance(query, str):
            try:
                return base64.b64decode(query, validate=True).decode("utf-8")
            except ValueError:
                return None
    return None


def record(
    platform: Platform, rec: AuditRecord | SignInRecord, local_log: Path
) -> Literal["platform", "local"]:
    """Send the event to the platform; fall back to the local hash-chained log.

    After a successful write, events kept locally while the platform refused them are forwarded.
    """
    event = audit_event(rec) if isinstance(rec, AuditRecord) else sign_in_event(rec)
    try:
        _put(platform, rec.source, event)
    except DataError as exc:
        log.warning("audit event kept locally: %s", exc.__class__.__name__)
        _append(local_log, {**event, "_refused": exc.__class__.__name__, "_source": rec.source})
        return "local"
    if _may_have_pending(local_log):
        forward_local(platform, local_log)
    return "platform"


# Per log file: its size when it last held nothing to forward, so a write does not re-read it.
_settled: dict[Path, int] = {}


def _may_have_pending(path: Path) -> bool:
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return _settled.get(path) != size


def _canonical(entry: dict) -> bytes:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _chain_hash(previous: str, entry: dict) -> str:
    body = {k: v for k, v in entry.items() if k != "_hash"}
    return hashlib.sha256(previous.encode() + _canonical(body)).hexdigest()


def _last_line(fd: int) -> bytes:
    """The last complete line of the open file, read backwards in blocks."""
    end = os.lseek(fd, 0, os.SEEK_END)
    tail = b""
    position = end
    while position > 0:
        step = min(65536, position)
        position -= step
        os.lseek(fd, position, os.SEEK_SET)
        tail = os.read(fd, step) + tail
        lines = tail.rstrip(b"\n").split(b"\n")
        if len(lines) > 1 or position == 0:
            return lines[-1]
    return b""


def _append(path: Path, entry: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        # O_APPEND: every write lands at the end; the file lock orders writers of other processes,
        # so each line chains to the one really before it.
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            last = _last_line(fd)
            try:
                previous = json.loads(last)["_hash"] if last else GENESIS
            except (json.JSONDecodeError, KeyError, TypeError):
                # A log from before the chain, or a damaged last line: chain to its bytes.
                previous = hashlib.sha256(last).hexdigest()
            chained = {**entry, "_prev": previous}
            chained["_hash"] = _chain_hash(previous, chained)
            os.write(fd, json.dumps(chained, ensure_ascii=False).encode("utf-8") + b"\n")
        finally:
            os.close(fd)


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking the local log: ``broken_at`` is the first bad line (1-based)."""

    lines: int
    broken_at: int | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _read(path: Path) -> bytes:
    """The whole log, never with half a line: the shared lock waits while a writer of any
    process appends (``_append`` holds the exclusive one)."""
    with open(path, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        return handle.read()


def verify_chain(path: Path) -> ChainCheck:
    """Recompute the hash chain of the local log; the first line that does not match breaks it."""
    if not path.is_file():
        return ChainCheck(0)
    previous = GENESIS
    lines = _read(path).splitlines()
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            return ChainCheck(len(lines), number)
        if (
            not isinstance(entry, dict)
            or entry.get("_prev") != previous
            or entry.get("_hash") != _chain_hash(previous, entry)
        ):
            return ChainCheck(len(lines), number)
        previous = entry["_hash"]
    return ChainCheck(len(lines))


def _entries(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    entries = []
    for line in _read(path).decode("utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def _pending(entries: Iterable[dict]) -> list[dict]:
    entries = list(entries)
    forwarded = {e["_forwarded"] for e in entries if "_forwarded" in e}
    events = []
    for entry in entries:
        if entry.get("resourceType") != "AuditEvent":
            continue
        if not entry.get("id"):
            # Kept before events carried their own id: one derived from the line stays stable.
            entry = {**entry, "id": hashlib.sha256(_canonical(entry)).hexdigest()[:32]}
        if entry["id"] not in forwarded:
            events.append(entry)
    return events


def read_local_log(path: Path) -> list[dict]:
    """Events kept locally and not yet forwarded to the platform, oldest first."""
    return _pending(_entries(path))


def forward_local(platform: Platform, path: Path) -> int:
    """Send the events kept locally to the platform; returns how many went.

    Each is sent with its own id (``PUT``), so an event sent before a crash, but not yet marked,
    is stored once. Stops when the platform is away again; an event it answers with a client
    error (4xx other than 401/403) stays local and the events after it go on. A broken chain is
    not forwarded: those events wait for an administrator. One forwarder at a time among all
    processes sharing the log: another one that is at it already sends these events too.
    """
    with _forwarder(path) as alone:
        return _forward(platform, path) if alone else 0


@contextmanager
def _forwarder(path: Path) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".forward.lock"), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def _forward(platform: Platform, path: Path) -> int:
    check = verify_chain(path)
    if not check.ok:
        log.error("local audit log fails its chain check at line %s", check.broken_at)
        _settle(path)
        return 0
    pending = read_local_log(path)
    sent = 0
    for entry in pending:
        event = {k: v for k, v in entry.items() if not k.startswith("_")}
        try:
            _put(platform, entry.get("_source"), event)
        except DataError as exc:
            if _refused_for_good(exc):
                # The platform answers but will not take this event: the events after it still
                # go, and it stays in the local log, which the audit page shows as not forwarded.
                log.error("audit event %s refused: %s", event["id"], exc.__class__.__name__)
                continue
            log.warning("audit forwarding stopped: %s", exc.__class__.__name__)
            return sent
        _append(path, {"_forwarded": event["id"], "_at": datetime.now(UTC).isoformat()})
        sent += 1
    _settle(path)
    return sent


def _refused_for_good(exc: DataError) -> bool:
    """A client error on an answering platform: sending the same event again changes nothing."""
    if isinstance(exc, (SourceUnavailable, Unauthorised)) or exc.status is None:
        return False
    return 400 <= exc.status < 500


def _settle(path: Path) -> None:
    # Nothing left to do with the log as it is now: later writes need not re-read it until a
    # refusal makes it grow.
    if path.is_file():
        _settled[path] = path.stat().st_size


def local_log_frame(path: Path) -> pd.DataFrame:
    """The events kept locally (not yet on the platform) as the table AuditEvents give, with
    ``patient_source``: the source each event is meant for, which holds the persons it names
    (none for an event meant for the first source)."""
    entries = read_local_log(path)
    collector = Collector(KINDS, "AuditEvent", source=LOCAL_SOURCE)
    collector.feed([{k: v for k, v in e.items() if not k.startswith("_")} for e in entries])
    frame = collector.frames()["audit_event"]
    meant = {e["id"]: e.get("_source") for e in entries}
    return frame.assign(patient_source=frame["id"].map(meant).astype("object"))
