"""The audit trail (admin page) and the administrator's start: the platform's AuditEvents and the
local log's records since a moment, as one trail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from services.domain.audit_trail import filter_trail

__all__ = ["AuditTrail", "audit_trail"]


@dataclass(frozen=True)
class AuditTrail:
    """- ``trail``: every event since the moment, platform first, then the local log;
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

    def narrowed(
        self,
        *,
        users: Iterable[str] = (),
        actions: Iterable[str] = (),
        patient: str = "",
        break_glass_only: bool = False,
    ) -> pd.DataFrame:
        """The events the admin's filter keeps, newest first."""
        return filter_trail(
            self.trail,
            users=list(users),
            actions=list(actions),
            patient=patient,
            break_glass_only=break_glass_only,
        )


def audit_trail(events: pd.DataFrame, local_log: pd.DataFrame, since: pd.Timestamp) -> AuditTrail:
    """The trail since ``since`` from the platform's ``events`` and the ``local_log`` frame
    (``services.audit.local_log_frame``)."""
    local = local_log[local_log["recorded"] >= since]
    trail = pd.concat([events, local], ignore_index=True)
    if trail.empty:
        counts = pd.DataFrame(columns=["role", "action", "n"])
    else:
        counts = trail.groupby(["role", "action"], dropna=False).size().rename("n").reset_index()
    return AuditTrail(
        trail=trail,
        local=len(local),
        break_glass=int((events["purpose"] == "ETREAT").sum()),
        per_role_action=counts,
        users=sorted(trail["user"].dropna().unique()),
    )
