"""The audit trail (admin page) and the administrator's start: the platform's AuditEvents and the
local log's records of a span of time, as one trail, and the same trail resolved to persons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from services.domain.audit_trail import (
    access_report,
    filter_trail,
    per_patient,
    person_keys,
    with_persons,
)

__all__ = ["AuditTrail", "PersonTrail", "audit_trail", "person_trail", "trail_patients"]


@dataclass(frozen=True)
class AuditTrail:
    """- ``trail``: every event of the span, platform first, then the local log;
    - ``local``: how many events only the local log holds (not yet on the platform);
    - ``break_glass``: platform events of access for emergency treatment (``ETREAT``);
    - ``per_role_action``: events (``n``) per ``role`` and ``action``, an event without either
      counted too (another client of the platform may write no role);
    - ``users``: everyone in the trail, sorted, for the filter.
    """

    trail: pd.DataFrame
    local: int
    break_glass: int
    per_role_action: pd.DataFrame
    users: list[str]


@dataclass(frozen=True)
class PersonTrail:
    """The trail with one row per event and person it touched (``with_persons``): who saw
    whose data. ``people``: ``person_key`` -> the person as a choice reads ("Name · KVNR")."""

    rows: pd.DataFrame
    people: dict[str, str]

    def narrowed(
        self,
        *,
        users: Iterable[str] = (),
        actions: Iterable[str] = (),
        patient: str = "",
        break_glass_only: bool = False,
    ) -> pd.DataFrame:
        """The rows the admin's filter keeps, newest first."""
        return filter_trail(
            self.rows,
            users=list(users),
            actions=list(actions),
            patient=patient,
            break_glass_only=break_glass_only,
        )

    def report(self, person_key: str) -> pd.DataFrame:
        """Every access to one person's records in the span, for an access request."""
        return access_report(self.rows, person_key)


def audit_trail(
    events: pd.DataFrame,
    local_log: pd.DataFrame,
    since: pd.Timestamp,
    until: pd.Timestamp | None = None,
) -> AuditTrail:
    """The trail of [since, until) from the platform's ``events`` and the ``local_log`` frame
    (``services.audit.local_log_frame``). ``patient_source`` of a platform event is the source
    that keeps it: its references to Patients are that server's own ids."""
    local = filter_trail(local_log, start=since, end=until)
    kept = filter_trail(events, start=since, end=until)
    kept = kept.assign(patient_source=kept["source"])
    trail = pd.concat([kept, local], ignore_index=True)
    if trail.empty:
        counts = pd.DataFrame(columns=["role", "action", "n"])
    else:
        counts = trail.groupby(["role", "action"], dropna=False).size().rename("n").reset_index()
    return AuditTrail(
        trail=trail,
        local=len(local),
        break_glass=int((trail["purpose"] == "ETREAT").sum()),
        per_role_action=counts,
        users=sorted(trail["user"].dropna().unique()),
    )


def trail_patients(trail: pd.DataFrame) -> pd.DataFrame:
    """Every Patient record the trail names (``source``, ``patient_id``), for reading who they
    are from the source that holds each; the source is missing where an event names none."""
    rows = per_patient(trail).dropna(subset=["patient_id"])
    records = pd.DataFrame({"source": rows["patient_source"], "patient_id": rows["patient_id"]})
    return records.drop_duplicates().reset_index(drop=True)


def person_trail(trail: pd.DataFrame, patients: pd.DataFrame, lang: str = "de") -> PersonTrail:
    """``trail`` (``AuditTrail.trail``) per person, with the ``patients`` read by id."""
    persons = person_keys(patients, lang)
    rows = with_persons(per_patient(trail), persons)
    named = rows.dropna(subset=["person_key"]).drop_duplicates("person_key")
    people = {
        key: " · ".join(p for p in (person, f"KVNR {kvnr}" if isinstance(kvnr, str) else None) if p)
        if isinstance(person, str)
        else key.partition(":")[2]
        for key, person, kvnr in zip(
            named["person_key"], named["person"], named["kvnr"], strict=True
        )
    }
    return PersonTrail(rows=rows, people=dict(sorted(people.items(), key=lambda kv: kv[1])))
