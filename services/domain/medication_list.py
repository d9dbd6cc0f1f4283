"""Medication across hospitals: one reconciled list of what the patient takes now.

Orders (MedicationRequest), administrations (MedicationAdministration) and statements
(MedicationStatement, e.g. home medication) of every hospital, by ATC code (from the entry, else
from the Medication it names). An entry counts as current when its status says it still runs
(``CURRENT_STATUS``) and its period has not ended by now; a completed administration is a moment
in the past and does not.

Per ATC code: the first start, when it was last seen (the latest start, order or end that lies
before now), every hospital recording it and the hospitals that ordered or gave it. The same
code at two hospitals is marked as a duplicate across hospitals; different codes of one group of
``ATC_GROUPS`` (two anticoagulants, say) are flagged: a rule table, not a drug database.
"""

from __future__ import annotations

import pandas as pd

from services.domain.timeline import hospital_of, with_medication

__all__ = ["ATC_GROUPS", "CURRENT_STATUS", "atc_group", "current_medication"]

CURRENT_STATUS = {
    "medication_request": ("active", "on-hold", "draft"),
    "medication_administration": ("in-progress", "on-hold"),
    "medication_statement": ("active", "intended", "on-hold"),
}
_RESOURCE = {
    "medication_request": "MedicationRequest",
    "medication_administration": "MedicationAdministration",
    "medication_statement": "MedicationStatement",
}
# ATC prefixes whose drugs should not run twice side by side: the first matching prefix wins.
ATC_GROUPS = (
    ("B01AA", "anticoagulant"),
    ("B01AB", "anticoagulant"),
    ("B01AE", "anticoagulant"),
    ("B01AF", "anticoagulant"),
    ("B01AC", "platelet_inhibitor"),
    ("M01A", "nsaid"),
    ("A02BC", "ppi"),
    ("C09", "raas"),
    ("C07", "beta_blocker"),
    ("C10AA", "statin"),
    ("N02A", "opioid"),
    ("N05BA", "benzodiazepine"),
    ("N05CD", "benzodiazepine"),
    ("N06AB", "ssri"),
    ("C03C", "loop_diuretic"),
    ("A10BB", "sulfonylurea"),
    ("J01", "antibiotic"),
)
_COLUMNS = [
    "code",
    "display",
    "dosage",
    "start",
    "last_seen",
    "hospitals",
    "ordered_at",
    "kinds",
    "duplicate",
    "group",
    "group_conflict",
    "records",
]


def atc_group(code: object) -> str | None:
    """The rule-table group of an ATC code; None when it is in none."""
    if not isinstance(code, str):
        return None
    for prefix, group in ATC_GROUPS:
        if code.upper().startswith(prefix):
            return group
    return None


def _rows(tables: dict[str, pd.DataFrame], patients: pd.DataFrame, now: pd.Timestamp):
    for table, statuses in CURRENT_STATUS.items():
        frame = tables.get(table)
        if frame is None or frame.empty:
            continue
        frame = with_medication(frame, tables.get("medication"))
        running = frame["status"].isin(statuses) & (frame["end"].isna() | (frame["end"] > now))
        frame = frame[running]
        if frame.empty:
            continue
        seen = [frame["start"]]
        if table == "medication_request":
            seen.append(frame["authored_on"])
        yield pd.DataFrame(
            {
                "key": frame["code"].fillna(frame["display"]),
                "code": frame["code"],
                "display": frame["display"],
                "dosage": frame["dosage"],
                "start": frame["start"].fillna(frame.get("authored_on", frame["start"])),
                "last_seen": pd.concat(seen, axis=1).where(lambda x: x <= now).max(axis=1),
                "hospital": hospital_of(frame, patients),
                "orders": table != "medication_statement",
                "kind": _RESOURCE[table],
                "record": _RESOURCE[table] + "/" + frame["id"],
            }
        )


def current_medication(
    tables: dict[str, pd.DataFrame], patients: pd.DataFrame, now: pd.Timestamp
) -> pd.DataFrame:
    """One row per ATC code taken now (columns in ``_COLUMNS``), sorted by group and name.

    ``hospitals``: every hospital recording it; ``ordered_at``: those that ordered or gave it
    (not only noted it as taken); ``duplicate``: recorded at more than one hospital;
    ``group_conflict``: another current code of the same ``ATC_GROUPS`` group is on the list.
    """
    parts = [p for p in _rows(tables, patients, now) if not p.empty]
    if not parts:
        return pd.DataFrame(columns=_COLUMNS)
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[rows["key"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=_COLUMNS)
    grouped = rows.groupby("key", sort=False).agg(
        code=("code", "first"),
        display=("display", lambda s: s.dropna().iloc[0] if s.notna().any() else None),
        dosage=("dosage", lambda s: "; ".join(dict.fromkeys(s.dropna())) or None),
        start=("start", "min"),
        last_seen=("last_seen", "max"),
        hospitals=("hospital", lambda s: tuple(dict.fromkeys(s.dropna()))),
        kinds=("kind", lambda s: tuple(dict.fromkeys(s))),
        records=("record", tuple),
    )
    ordered_at = (
        rows[rows["orders"]]
        .groupby("key")["hospital"]
        .agg(lambda s: tuple(dict.fromkeys(s.dropna())))
    )
    grouped["ordered_at"] = [ordered_at.get(k, ()) for k in grouped.index]
    grouped["duplicate"] = grouped["hospitals"].map(len) > 1
    grouped["group"] = grouped["code"].map(atc_group)
    per_group = grouped.groupby("group")["code"].nunique()
    grouped["group_conflict"] = grouped["group"].map(per_group).fillna(0) > 1
    ordered = grouped.sort_values(
        ["group_conflict", "group", "display"], ascending=[False, True, True], kind="stable"
    )
    return ordered.reset_index(drop=True)[_COLUMNS]
