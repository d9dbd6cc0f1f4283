"""What keeps a patient safe, across every hospital: allergies and intolerances, isolation flags.

Absence of data is not absence of allergy. The allergy state is ``known`` when some source
records an allergy or intolerance, ``none_known`` only when a source states that none is known
(an AllergyIntolerance coded as one of ``NO_KNOWN_ALLERGY``), and ``not_recorded`` when no source
says anything. Entries refuted or entered in error count for nothing; an inactive or resolved one
is not shown.

The same substance recorded at two hospitals is one row listing both.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from services.codes import NO_KNOWN_ALLERGY
from services.domain.timeline import hospital_of

__all__ = [
    "ALLERGY_STATES",
    "SafetyHeader",
    "active_flags",
    "allergy_list",
    "allergy_state",
    "safety_header",
]

ALLERGY_STATES = ("known", "none_known", "not_recorded")
# Verification states under which an entry says nothing about the patient.
_VOID = ("refuted", "entered-in-error")
# Clinical states under which an allergy no longer holds.
_OVER = ("inactive", "resolved")
_ALLERGY_COLUMNS = [
    "code",
    "substance",
    "criticality",
    "high",
    "reaction",
    "category",
    "verification",
    "hospitals",
    "recorded",
]
_FLAG_COLUMNS = ["code", "text", "start", "end", "active", "hospitals"]


def _usable(allergies: pd.DataFrame | None) -> pd.DataFrame:
    if allergies is None or allergies.empty:
        return pd.DataFrame(columns=["code", "verification_status", "clinical_status"])
    keep = ~allergies["verification_status"].isin(_VOID)
    return allergies[keep]


def _is_statement(allergies: pd.DataFrame) -> pd.Series:
    return allergies["code"].isin(NO_KNOWN_ALLERGY)


def allergy_state(allergies: pd.DataFrame | None) -> str:
    """``known``, ``none_known`` or ``not_recorded`` (see the module docstring)."""
    usable = _usable(allergies)
    if usable.empty:
        return "not_recorded"
    statements = _is_statement(usable)
    holding = usable[~statements & ~usable["clinical_status"].isin(_OVER)]
    if not holding.empty:
        return "known"
    return "none_known" if statements.any() else "not_recorded"


def allergy_list(allergies: pd.DataFrame | None, patients: pd.DataFrame) -> pd.DataFrame:
    """One row per substance that holds: its highest criticality, reactions, hospitals.

    ``high``: some hospital records it with criticality ``high``. Sorted high first, then by name.
    """
    usable = _usable(allergies)
    if usable.empty:
        return pd.DataFrame(columns=_ALLERGY_COLUMNS)
    rows = usable[~_is_statement(usable) & ~usable["clinical_status"].isin(_OVER)]
    if rows.empty:
        return pd.DataFrame(columns=_ALLERGY_COLUMNS)
    rows = rows.assign(
        hospital=hospital_of(rows, patients),
        substance=rows["display"].fillna(rows["text"]).fillna(rows["code"]),
    )
    rows = rows.assign(key=rows["code"].fillna(rows["substance"].str.casefold()))
    grouped = rows.groupby("key", sort=False).agg(
        code=("code", "first"),
        substance=("substance", "first"),
        criticality=("criticality", _highest_criticality),
        reaction=("reaction", _joined),
        category=("category", _joined),
        verification=("verification_status", _best_verification),
        hospitals=("hospital", lambda s: tuple(dict.fromkeys(s.dropna()))),
        recorded=("recorded", "min"),
    )
    grouped["high"] = grouped["criticality"].eq("high")
    ordered = grouped.sort_values(["high", "substance"], ascending=[False, True], kind="stable")
    return ordered.reset_index(drop=True)[_ALLERGY_COLUMNS]


def _highest_criticality(values: pd.Series) -> str | None:
    found = set(values.dropna())
    for level in ("high", "unable-to-assess", "low"):
        if level in found:
            return level
    return None


def _best_verification(values: pd.Series) -> str | None:
    found = set(values.dropna())
    for level in ("confirmed", "unconfirmed", "presumed"):
        if level in found:
            return level
    return next(iter(sorted(found)), None)


def _joined(values: pd.Series) -> str | None:
    parts = [p for v in values.dropna() for p in str(v).split("; ")]
    return "; ".join(dict.fromkeys(parts)) or None


def active_flags(
    flags: pd.DataFrame | None, patients: pd.DataFrame, now: pd.Timestamp
) -> pd.DataFrame:
    """Flags by code: ``active`` when some hospital's flag is active and its period has not ended
    by ``now``. Active ones first, then the latest first."""
    if flags is None or flags.empty:
        return pd.DataFrame(columns=_FLAG_COLUMNS)
    rows = flags[~flags["status"].isin(["entered-in-error"])]
    if rows.empty:
        return pd.DataFrame(columns=_FLAG_COLUMNS)
    running = rows["status"].eq("active") & (rows["end"].isna() | (rows["end"] > now))
    rows = rows.assign(
        hospital=hospital_of(rows, patients),
        active=running,
        text=rows["display"].fillna(rows["text"]).fillna(rows["code"]),
        key=rows["code"].fillna(rows["text"]),
    )
    grouped = rows.groupby("key", sort=False).agg(
        code=("code", "first"),
        text=("text", "first"),
        start=("start", "min"),
        end=("end", "max"),
        active=("active", "any"),
        hospitals=("hospital", lambda s: tuple(dict.fromkeys(s.dropna()))),
    )
    ordered = grouped.sort_values(["active", "start"], ascending=[False, False], kind="stable")
    return ordered.reset_index(drop=True)[_FLAG_COLUMNS]


@dataclass(frozen=True)
class SafetyHeader:
    """What the header of every patient view shows."""

    allergy_state: str
    allergies: pd.DataFrame
    statements: pd.DataFrame
    flags: pd.DataFrame
    incomplete: bool

    @property
    def high_risk(self) -> bool:
        return bool(self.allergies["high"].any()) or bool(self.flags["active"].any())


def safety_header(
    tables: dict[str, pd.DataFrame],
    patients: pd.DataFrame,
    now: pd.Timestamp,
    incomplete: bool = False,
) -> SafetyHeader:
    """Allergy state, allergies, the "none known" statements (hospital, date) and flags.

    ``incomplete``: some source could not be read, so "not recorded" may be wrong.
    """
    allergies = tables.get("allergy_intolerance")
    usable = _usable(allergies)
    statements = usable[_is_statement(usable)] if not usable.empty else usable
    if not statements.empty:
        statements = statements.assign(hospital=hospital_of(statements, patients))[
            ["hospital", "recorded", "display", "code"]
        ].sort_values("recorded", ascending=False, kind="stable")
    else:
        statements = pd.DataFrame(columns=["hospital", "recorded", "display", "code"])
    return SafetyHeader(
        allergy_state=allergy_state(allergies),
        allergies=allergy_list(allergies, patients),
        statements=statements.reset_index(drop=True),
        flags=active_flags(tables.get("flag"), patients, now),
        incomplete=incomplete,
    )
