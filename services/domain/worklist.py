"""The physician's worklist: the current inpatients, whoever needs a look first on top.

Four reasons raise a stay, strongest first:

1. abnormal vitals: the NEWS2 band of the stay's latest set (``news2.ward_scores``) is high
   (7 or more), medium (5-6) or low-medium (a 3 in a single parameter). An incomplete set counts
   by the band its known points already reach: what is missing can only add to it;
2. new abnormal results: results flagged abnormal (``trends.new_results``) since the moment the
   caller chose (the last 24 hours on the start page);
3. discharge planned for today or tomorrow (Berlin calendar days): the letter, the medication
   plan and the talk with the family are due now;
4. a new admission: admitted within ``NEW_ADMISSION``; the admission examination and orders
   may still be open.

The rank is lexicographic over the four (a high NEWS2 outranks any number of results); within
one rank beds follow their natural order (1A-2 before 1A-10). Every row carries its reasons as
codes with their figures (``reasons``), so the page says in words why it stands where it does.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from services.domain.news2 import BAND_SIGN, elapsed_text
from services.domain.ordering import natural_key
from services.i18n import BERLIN, fmt_number, t

__all__ = [
    "MAIN_ROLES",
    "NEW_ADMISSION",
    "VITALS_LEVEL",
    "WORKLIST_COLUMNS",
    "main_diagnoses",
    "ranked_worklist",
    "reason_text",
    "with_diagnosis_roles",
]

NEW_ADMISSION = timedelta(hours=24)
# The NEWS2 bands that count as abnormal vitals, by how strongly they raise a stay.
VITALS_LEVEL = {"high": 3, "medium": 2, "low_medium": 1}
# The roles by which a source marks the diagnosis that brought the patient in, strongest
# first: the Hauptdiagnose (diagnosis-role CC, KontaktDiagnoseProzedur's hospital main
# diagnosis), the department's main diagnosis, the Aufnahmediagnose. Codes are matched
# whatever the system: real exports write the diagnosis-role codes under other URLs too.
MAIN_ROLES = {"CC": 0, "hospital-main-diagnosis": 0, "department-main-diagnosis": 1, "AD": 2}
# Ranked first among the contact's diagnoses, without one of the roles above.
_RANKED_FIRST = 3
# Discharge: planned for today ranks above tomorrow.
_DISCHARGE_LEVEL = {"today": 2, "tomorrow": 1}

WORKLIST_COLUMNS = [
    "vitals_level",
    "news2_band",
    "news2_score",
    "new_abnormal",
    "discharge",
    "new_admission",
    "reasons",
    "rank",
]


def with_diagnosis_roles(
    conditions: pd.DataFrame | None, roles: pd.DataFrame | None
) -> pd.DataFrame | None:
    """``conditions`` with the role their stays give them (``main_role``, 0 strongest, null
    for none; ``MAIN_ROLES``).

    ``roles`` is the table ``encounter_diagnosis``. A diagnosis named by a contact counts for
    that contact, also where the Condition does not name the Encounter itself, as some
    exports write it; one named by several contacts gives a row for each.
    """
    if conditions is None or conditions.empty:
        return conditions
    unmarked = conditions.assign(
        main_role=pd.Series(pd.NA, index=conditions.index, dtype="Float64")
    )
    if roles is None or roles.empty:
        return unmarked
    strength = roles["use"].map(MAIN_ROLES).astype("Float64")
    ranked_first = roles["rank"].eq(1).fillna(False).astype(bool)
    strength = strength.fillna(pd.Series(_RANKED_FIRST, index=roles.index).where(ranked_first))
    named = pd.DataFrame(
        {
            "source": roles["source"],
            "id": roles["condition_id"],
            "named_by": roles["encounter_id"],
            "main_role": strength,
        }
    ).dropna(subset=["main_role"])
    marked = conditions.merge(named, on=["source", "id"])
    marked = marked.assign(encounter_id=marked.pop("named_by"))
    return pd.concat([marked, unmarked], ignore_index=True)


def main_diagnoses(conditions: pd.DataFrame | None) -> pd.DataFrame:
    """Per stay (``source``, ``encounter_id``) its main diagnosis, ``diagnosis_code`` and
    ``diagnosis`` (its display, else the code). Problem-list entries and diagnoses entered
    in error or refuted are no stay's diagnosis.

    The one the source marks (``main_role`` from ``with_diagnosis_roles``, strongest role
    first) is the main diagnosis. Where none is marked, it is the encounter diagnosis of the
    stay recorded first (the admitting diagnosis; later ones are secondary). Diagnoses
    recorded at one moment (coded together, or a source that records the day only) are told
    apart by onset: the one that began latest is the reason for the stay, the long-standing
    ones came along with the patient.
    """
    columns = ["source", "encounter_id", "diagnosis_code", "diagnosis"]
    if conditions is None or conditions.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    if "main_role" not in conditions:
        conditions = conditions.assign(main_role=pd.NA)
    rows = conditions[
        conditions["encounter_id"].notna()
        & ~conditions["category"].fillna("").str.contains("problem-list-item")
        & ~conditions["verification_status"].isin(["entered-in-error", "refuted"])
    ]
    rows = rows.sort_values(
        ["main_role", "recorded", "onset", "id"],
        ascending=[True, True, False, True],
        na_position="last",
        kind="stable",
    )
    first = rows.drop_duplicates(["source", "encounter_id"], keep="first")
    return pd.DataFrame(
        {
            "source": first["source"],
            "encounter_id": first["encounter_id"],
            "diagnosis_code": first["code"],
            "diagnosis": first["display"].where(first["display"].notna(), first["code"]),
        }
    ).reset_index(drop=True)


def _discharge(planned: pd.Series, now: pd.Timestamp) -> pd.Series:
    today = now.tz_convert(BERLIN).date()
    tomorrow = today + timedelta(days=1)

    def which(when: object) -> str | None:
        if not isinstance(when, pd.Timestamp) or pd.isna(when):
            return None
        day = when.tz_convert(BERLIN).date() if when.tzinfo else when.date()
        return "today" if day == today else "tomorrow" if day == tomorrow else None

    return pd.Series([which(w) for w in planned], index=planned.index, dtype="object")


def ranked_worklist(
    stays: pd.DataFrame,
    scores: pd.DataFrame,
    fresh: pd.DataFrame,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """``stays`` (one row per current stay: ``source``, ``patient_id``, ``encounter_id``,
    ``start``, ``planned_end``, ``ward``, ``room``, ``bed``) ranked by risk, with
    ``WORKLIST_COLUMNS`` added.

    ``scores``: ``news2.ward_scores`` of the stays (``encounter_id``, ``band``, ``score``,
    ``partial``, ``status``); ``fresh``: ``trends.new_results`` (``source``, ``patient_id``,
    ``new_abnormal``). ``reasons``: a tuple of ``(code, figures)`` per reason, strongest first,
    codes ``vitals``, ``results``, ``discharge``, ``admission``; ``rank``: 1 for the top row.
    """
    rows = stays.reset_index(drop=True)
    by_stay = scores.drop_duplicates("encounter_id").set_index("encounter_id")
    band = rows["encounter_id"].map(by_stay["band"]) if not by_stay.empty else None
    if band is None:
        band = pd.Series(None, index=rows.index, dtype="object")
    status = rows["encounter_id"].map(by_stay["status"]) if not by_stay.empty else band
    # An incomplete set's band is a lower bound; its score is the points it has so far.
    score = (
        rows["encounter_id"].map(by_stay["score"].fillna(by_stay["partial"]))
        if not by_stay.empty
        else band
    )
    level = band.map(VITALS_LEVEL).fillna(0).astype("int64")
    # A child's set has no score (NEWS2 is not validated under 16): no vitals reason.
    level = level.where(status.isin(["complete", "incomplete"]), 0)
    abnormal = pd.Series(0, index=rows.index, dtype="int64")
    if not fresh.empty:
        counts = fresh.set_index(["source", "patient_id"])["new_abnormal"]
        keys = pd.MultiIndex.from_frame(rows[["source", "patient_id"]])
        abnormal = pd.Series(counts.reindex(keys).to_numpy(), index=rows.index)
        abnormal = abnormal.fillna(0).astype("int64")
    discharge = _discharge(rows["planned_end"], now)
    admitted = rows["start"]
    new = (admitted.notna() & (admitted > now - NEW_ADMISSION) & (admitted <= now)).astype(bool)

    reasons = []
    for n in rows.index:
        found: list[tuple[str, dict]] = []
        if level[n]:
            found.append(("vitals", {"band": band[n], "score": score[n], "status": status[n]}))
        if abnormal[n]:
            found.append(("results", {"count": int(abnormal[n])}))
        if isinstance(discharge[n], str):
            found.append(("discharge", {"day": discharge[n]}))
        if new[n]:
            found.append(("admission", {"ago": now - admitted[n]}))
        reasons.append(tuple(found))
    rows = rows.assign(
        vitals_level=level,
        news2_band=band,
        news2_score=score,
        new_abnormal=abnormal,
        discharge=discharge,
        new_admission=new,
        reasons=reasons,
    )
    order = pd.DataFrame(
        {
            "vitals": -level,
            "results": -abnormal.clip(upper=1),
            "discharge": -discharge.map(_DISCHARGE_LEVEL).fillna(0).astype("int64"),
            "admission": -new.astype("int64"),
            "ward": natural_key(rows["ward"]) if "ward" in rows else None,
            "room": natural_key(rows["room"]) if "room" in rows else None,
            "bed": natural_key(rows["bed"]) if "bed" in rows else None,
        },
        index=rows.index,
    )
    ranked = sorted(rows.index, key=lambda n: tuple(order.loc[n]))
    rows = rows.loc[ranked].reset_index(drop=True)
    rows["rank"] = range(1, len(rows) + 1)
    return rows


def reason_text(reasons: tuple, lang: str) -> str:
    """Why a row ranks where it does, in words, strongest reason first; that nothing stands out
    when there is no reason."""
    if not reasons:
        return t("worklist.reason.none", lang)
    parts = []
    for code, figures in reasons:
        if code == "vitals":
            band = figures["band"]
            text = t(
                "worklist.reason.vitals",
                lang,
                score=fmt_number(figures["score"], lang),
                band=t(f"news2.band.{band}", lang),
                sign=BAND_SIGN[band],
            )
            if figures.get("status") == "incomplete":
                text += " " + t("worklist.reason.vitals_incomplete", lang)
            parts.append(text)
        elif code == "results":
            parts.append(
                t("worklist.reason.results", lang, count=fmt_number(figures["count"], lang))
            )
        elif code == "discharge":
            parts.append(t(f"worklist.reason.discharge_{figures['day']}", lang))
        else:
            parts.append(
                t("worklist.reason.admission", lang, ago=elapsed_text(figures["ago"], lang))
            )
    return " · ".join(parts)
