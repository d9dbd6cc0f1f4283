"""A person of the test network with records at two hospitals, and record views of them that a
test writes to the audit trail and deletes again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from services.audit import AuditRecord, audit_event
from services.codes import KVNR
from services.platform import Platform
from services.search import query
from tests.support.keycloak import http_client


@dataclass(frozen=True)
class Person:
    kvnr: str
    name: str
    patient_ids: tuple[str, ...]


def person_at_two_hospitals(platform: Platform, truth: dict) -> Person:
    """The first person (by KVNR) whom two hospitals have treated, with both records."""
    kvnr = next(k for k, per in sorted(truth["patient_resources"].items()) if len(per) > 1)
    frame = platform.read(query("Patient").search(identifier=f"{KVNR}|{kvnr}"))["patient"]
    assert len(frame) > 1, kvnr
    first = frame.iloc[0]
    return Person(kvnr, f"{first['family']}, {first['given']}", tuple(sorted(frame["id"])))


@contextmanager
def views_recorded(base_url: str, records: list[AuditRecord]) -> Iterator[list[str]]:
    """``records`` as AuditEvents on the platform (their ``when`` kept), deleted after the block;
    yields their ids. Written as the admin client: the dashboard may only append."""
    with http_client(base_url, "admin") as http:
        for rec in records:
            http.put(f"AuditEvent/{rec.id}", json=audit_event(rec)).raise_for_status()
        try:
            yield [rec.id for rec in records]
        finally:
            for rec in records:
                http.delete(f"AuditEvent/{rec.id}")


def when(day: datetime, hour: int) -> datetime:
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)
