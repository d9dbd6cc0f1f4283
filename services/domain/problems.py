"""The problem list: active conditions across hospitals, grouped by ICD-10-GM chapter.

A condition is on the list when its clinical status is ``active`` and it is an entry of a
hospital's problem list (category ``problem-list-item``) or a diagnosis of a stay open now
(category ``encounter-diagnosis``, or no category, as real exports write it; a stay the source
left open for longer than its stays last is not open). The same code at two hospitals is one row
listing both. Problem-list entries whose status is ``resolved``, ``inactive`` or ``remission``
form the folded part, unless the same code is active somewhere. Entered-in-error and refuted
conditions count for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from services.domain.stays import stale_stays
from services.domain.timeline import hospital_of, stay_ids

__all__ = ["ICD_CHAPTERS", "ProblemList", "icd_chapter", "problem_list"]

# Chapter number and first / last three-character category of ICD-10-GM 2025.
ICD_CHAPTERS = (
    ("I", "A00", "B99"),
    ("II", "C00", "D48"),
    ("III", "D50", "D90"),
    ("IV", "E00", "E90"),
    ("V", "F00", "F99"),
    ("VI", "G00", "G99"),
    ("VII", "H00", "H59"),
    ("VIII", "H60", "H95"),
    ("IX", "I00", "I99"),
    ("X", "J00", "J99"),
    ("XI", "K00", "K93"),
    ("XII", "L00", "L99"),
    ("XIII", "M00", "M99"),
    ("XIV", "N00", "N99"),
    ("XV", "O00", "O99"),
    ("XVI", "P00", "P96"),
    ("XVII", "Q00", "Q99"),
    ("XVIII", "R00", "R99"),
    ("XIX", "S00", "T98"),
    ("XX", "V01", "Y84"),
    ("XXI", "Z00", "Z99"),
    ("XXII", "U00", "U99"),
)
_CHAPTER_ORDER = {chapter: n for n, (chapter, _, _) in enumerate(ICD_CHAPTERS)}
_RESOLVED = ("resolved", "inactive", "remission")
_VOID = ("entered-in-error", "refuted")
_COLUMNS = [
    "chapter",
    "code",
    "display",
    "hospitals",
    "onset",
    "recorded",
    "problem_list",
    "records",
]


def icd_chapter(code: object) -> str | None:
    """The chapter (Roman numeral) of an ICD-10-GM code such as ``I48.1``; None when the code has
    no ICD-10 shape or lies in no chapter."""
    if not isinstance(code, str) or len(code) < 3:
        return None
    category = code[:3].upper()
    if not (category[0].isalpha() and category[1:].isdigit()):
        return None
    for chapter, first, last in ICD_CHAPTERS:
        if first <= category <= last:
            return chapter
    return None


@dataclass(frozen=True)
class ProblemList:
    active: pd.DataFrame
    resolved: pd.DataFrame


def _open_stays(tables: dict[str, pd.DataFrame], now: pd.Timestamp) -> set[tuple[str, str]]:
    """Stays in progress now, without those the source left open (``stale_stays``)."""
    encounters = tables.get("encounter")
    if encounters is None or encounters.empty:
        return set()
    still = encounters[encounters["status"].eq("in-progress") & encounters["end"].isna()]
    stale = stale_stays(encounters, now)
    left_open = set(zip(stale["source"], stale["id"], strict=True))
    return set(zip(still["source"], still["id"], strict=True)) - left_open


def _grouped(rows: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=_COLUMNS)
    rows = rows.assign(
        hospital=hospital_of(rows, patients),
        key=rows["code"].fillna(rows["display"]),
        listed=rows["category"].eq("problem-list-item"),
        record="Condition/" + rows["id"],
    )
    grouped = rows.groupby("key", sort=False).agg(
        code=("code", "first"),
        display=("display", lambda s: s.dropna().iloc[0] if s.notna().any() else None),
        hospitals=("hospital", lambda s: tuple(dict.fromkeys(s.dropna()))),
        onset=("onset", "min"),
        recorded=("recorded", "min"),
        problem_list=("listed", "any"),
        records=("record", tuple),
    )
    grouped["chapter"] = grouped["code"].map(icd_chapter)
    order = grouped["chapter"].map(_CHAPTER_ORDER).fillna(len(ICD_CHAPTERS))
    grouped = grouped.assign(order=order).sort_values(["order", "code"], kind="stable")
    return grouped.reset_index(drop=True)[_COLUMNS]


def problem_list(
    tables: dict[str, pd.DataFrame], patients: pd.DataFrame, now: pd.Timestamp
) -> ProblemList:
    """Active problems (one row per code, in chapter order) and the resolved ones.

    Columns: chapter (None when the code fits no ICD-10 chapter), code, display, hospitals,
    onset, recorded (earliest), problem_list (some hospital lists it as a problem), records.
    """
    conditions = tables.get("condition")
    if conditions is None or conditions.empty:
        empty = pd.DataFrame(columns=_COLUMNS)
        return ProblemList(empty, empty)
    conditions = conditions[~conditions["verification_status"].isin(_VOID)]
    if "category" not in conditions:
        conditions = conditions.assign(category=None)
    listed = conditions["category"].eq("problem-list-item")
    stays = stay_ids(conditions, tables.get("encounter_contact"))
    open_stays = _open_stays(tables, now)
    in_open_stay = pd.Series(
        [pair in open_stays for pair in zip(conditions["source"], stays, strict=True)],
        index=conditions.index,
        dtype=bool,
    )
    active = conditions["clinical_status"].eq("active") & (listed | in_open_stay)
    resolved = conditions["clinical_status"].isin(_RESOLVED) & listed
    active_rows = _grouped(conditions[active], patients)
    resolved_rows = _grouped(conditions[resolved], patients)
    resolved_rows = resolved_rows[~resolved_rows["code"].isin(set(active_rows["code"].dropna()))]
    return ProblemList(active_rows, resolved_rows.reset_index(drop=True))
