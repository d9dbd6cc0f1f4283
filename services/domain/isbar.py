"""What a nursing handover (ISBAR) says of each patient beyond work and vitals, per stay.

- Situation: the stay's main diagnosis (``worklist.main_diagnoses``) and, after an operation
  (OPS chapter 5), the day after the latest one: the day of the operation is OP day 0.
- Background: allergies (``safety.allergy_state``: known ones by name, "none known" only when a
  source says so), the resuscitation status: the latest active Flag of the system
  ``RESUSCITATION`` (a physician's decision; docs/DATA_MODEL.md).
- Assessment: mobility (the latest Observation coded ``mobilitaet``) and pain (the latest 0-10
  numeric rating, LOINC 72514-3), each with when it was taken.

A datum no source records is ``None`` here; the sheet says "nicht erfasst", never that the
patient has none.
"""

from __future__ import annotations

import pandas as pd

from services.codes import (
    MOBILITY_FINDING,
    OPS_OPERATION_PREFIX,
    PAIN_NRS,
    RESUSCITATION,
)
from services.domain.safety import allergy_list, allergy_state
from services.domain.worklist import main_diagnoses
from services.i18n import BERLIN

__all__ = ["ISBAR_COLUMNS", "isbar_facts"]

ISBAR_COLUMNS = [
    "encounter_id",
    "diagnosis_code",
    "diagnosis",
    "operation_code",
    "operation",
    "operation_day",
    "allergy_state",
    "allergies",
    "resuscitation",
    "resuscitation_text",
    "mobility",
    "mobility_text",
    "mobility_at",
    "pain",
    "pain_at",
]
_NOT_A_RESULT = ("entered-in-error", "cancelled")


def _latest_operation(
    procedures: pd.DataFrame | None, ids: set[str], now: pd.Timestamp
) -> dict[str, pd.Series]:
    if procedures is None or procedures.empty:
        return {}
    done = procedures[
        procedures["encounter_id"].isin(ids)
        & procedures["code"].fillna("").str.startswith(OPS_OPERATION_PREFIX)
        & procedures["performed"].notna()
        & (procedures["performed"] <= now)
        & ~procedures["status"].isin(["entered-in-error", "not-done"])
    ]
    latest = done.sort_values("performed").drop_duplicates("encounter_id", keep="last")
    return {row["encounter_id"]: row for _, row in latest.iterrows()}


def _latest_of(observations: pd.DataFrame | None, code: str, now: pd.Timestamp) -> dict:
    if observations is None or observations.empty:
        return {}
    rows = observations[
        observations["code"].eq(code)
        & observations["effective"].notna()
        & (observations["effective"] <= now)
        & ~observations["status"].isin(_NOT_A_RESULT)
    ]
    latest = rows.sort_values("effective", kind="stable").drop_duplicates(
        "encounter_id", keep="last"
    )
    return {row["encounter_id"]: row for _, row in latest.iterrows()}


def _resuscitation(flags: pd.DataFrame | None, now: pd.Timestamp) -> dict:
    if flags is None or flags.empty:
        return {}
    active = flags[
        flags["system"].eq(RESUSCITATION)
        & flags["status"].eq("active")
        & (flags["start"].isna() | (flags["start"] <= now))
        & (flags["end"].isna() | (flags["end"] > now))
    ]
    # A new decision replaces the one before; the patient's, whichever stay recorded it.
    latest = active.sort_values("start", na_position="first", kind="stable")
    latest = latest.drop_duplicates(["source", "patient_id"], keep="last")
    return {(r["source"], r["patient_id"]): r for _, r in latest.iterrows()}


def _allergies(allergies: pd.DataFrame | None, stays: pd.DataFrame) -> dict:
    out = {}
    for source, patient in zip(stays["source"], stays["patient_id"], strict=True):
        mine = None
        if allergies is not None and not allergies.empty:
            mine = allergies[allergies["source"].eq(source) & allergies["patient_id"].eq(patient)]
        state = allergy_state(mine)
        names: tuple[tuple[str, bool], ...] = ()
        if state == "known":
            listed = allergy_list(mine, pd.DataFrame(columns=["source", "id", "hospital_id"]))
            names = tuple(zip(listed["substance"], listed["high"].astype(bool), strict=True))
        out[(source, patient)] = (state, names)
    return out


def _operation_day(performed: pd.Timestamp, now: pd.Timestamp) -> int:
    # Calendar days in Berlin: an operation at 23:00 is OP day 1 the next morning.
    return (now.tz_convert(BERLIN).date() - performed.tz_convert(BERLIN).date()).days


def isbar_facts(
    stays: pd.DataFrame,
    now: pd.Timestamp,
    *,
    conditions: pd.DataFrame | None = None,
    procedures: pd.DataFrame | None = None,
    allergies: pd.DataFrame | None = None,
    flags: pd.DataFrame | None = None,
    observations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per stay of ``stays`` (``source``, ``encounter_id``, ``patient_id``) with
    ``ISBAR_COLUMNS``; ``conditions``, ``procedures`` and ``observations`` keyed by the stay's
    ``encounter_id`` (lower contact levels already mapped to the stay), ``allergies`` and
    ``flags`` by patient. ``allergies``: a tuple of (substance, high criticality)."""
    ids = set(stays["encounter_id"])
    diagnoses = main_diagnoses(conditions).drop_duplicates("encounter_id").set_index("encounter_id")
    operations = _latest_operation(procedures, ids, now)
    mobility = _latest_of(observations, MOBILITY_FINDING, now)
    pain = _latest_of(observations, PAIN_NRS, now)
    decided = _resuscitation(flags, now)
    known = _allergies(allergies, stays)
    rows = []
    for source, encounter, patient in zip(
        stays["source"], stays["encounter_id"], stays["patient_id"], strict=True
    ):
        row: dict[str, object] = {"encounter_id": encounter}
        if encounter in diagnoses.index:
            row["diagnosis_code"] = diagnoses.at[encounter, "diagnosis_code"]
            row["diagnosis"] = diagnoses.at[encounter, "diagnosis"]
        operation = operations.get(encounter)
        if operation is not None:
            row["operation_code"] = operation["code"]
            row["operation"] = operation["display"]
            row["operation_day"] = _operation_day(operation["performed"], now)
        row["allergy_state"], row["allergies"] = known[(source, patient)]
        flag = decided.get((source, patient))
        if flag is not None:
            row["resuscitation"] = flag["code"]
            row["resuscitation_text"] = flag["display"]
        found = mobility.get(encounter)
        if found is not None:
            row["mobility"] = found["value_code"]
            row["mobility_text"] = found["value_text"]
            row["mobility_at"] = found["effective"]
        score = pain.get(encounter)
        if score is not None and pd.notna(score["value"]):
            row["pain"] = float(score["value"])
            row["pain_at"] = score["effective"]
        rows.append(row)
    out = pd.DataFrame(rows, columns=ISBAR_COLUMNS)
    out["operation_day"] = out["operation_day"].astype("Int64")
    return out
