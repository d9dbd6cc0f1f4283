"""Where a patient can go now: free beds per hospital and kind of care, the beds that cannot take
anyone and why, and the beds expected to free up today.

Bed categories are grouped as a bed manager asks for them: ICU (high and low care), IMC, normal
ward; a category the dashboard does not know keeps its own group, so no bed disappears.
A discharge expected today is a current stay whose planned discharge date (Berlin) is today or
already past: a bed that should free up before midnight. Like the census it counts beds, not
events, and stays exact.
"""

from __future__ import annotations

import pandas as pd

from services.domain.beds import NOT_FREE, can_take_patient

__all__ = ["CARE_GROUPS", "blocked_reasons", "care_group", "discharges_today", "free_by_care"]

BERLIN = "Europe/Berlin"
# Bed category -> the kind of care a bed manager places by, in the order the table shows them.
_GROUP_OF = {"icu-high-care": "icu", "icu-low-care": "icu", "imc": "imc", "general": "general"}
CARE_GROUPS = ("icu", "imc", "general")
# A bed without a category is a normal bed: the MEDI:CUS category is an optional extension.
_UNCATEGORISED = "general"


def care_group(categories: pd.Series) -> pd.Series:
    """The kind of care of each bed category; unknown categories stay as they are."""
    known = categories.map(_GROUP_OF)
    return known.fillna(categories).fillna(_UNCATEGORISED).astype("str")


def discharges_today(placements: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Current stays whose planned discharge falls on today's Berlin date or before it, with the
    bed they lie in: ``source``, ``hospital_id``, ``bed_id`` (``current_placements`` rows)."""
    planned = placements["planned_end"]
    today = now.tz_convert(BERLIN).date()
    due = planned.notna() & (planned.dt.tz_convert(BERLIN).dt.date <= today)
    return placements.loc[due, ["source", "hospital_id", "bed_id"]].reset_index(drop=True)


def free_by_care(beds: pd.DataFrame, leaving: pd.DataFrame) -> pd.DataFrame:
    """Per hospital and kind of care: ``total``, ``free``, ``occupied``, ``blocked`` beds and
    ``leaving_today`` (occupied beds of ``discharges_today``), one row each for every group a
    hospital has beds of.

    ``beds``: ``bed_status_now`` rows. A stay without a bed on record (sources with wards
    only) frees nothing anyone could plan with, so it is not counted.
    """
    frame = beds.assign(group=care_group(beds["bed_category"]))
    key = ["source", "bed_id"]
    going = pd.MultiIndex.from_frame(leaving.dropna(subset=["bed_id"])[key].astype("str"))
    frame = frame.assign(
        _free=can_take_patient(frame["status"]),
        _occupied=frame["status"].eq("O"),
        _blocked=frame["status"].isin(NOT_FREE),
        _leaving=frame["status"].eq("O")
        & pd.MultiIndex.from_frame(frame[key].astype("str")).isin(going),
    )
    grouped = frame.groupby(["hospital_id", "group"])
    out = pd.DataFrame(
        {
            "total": grouped.size(),
            "free": grouped["_free"].sum(),
            "occupied": grouped["_occupied"].sum(),
            "blocked": grouped["_blocked"].sum(),
            "leaving_today": grouped["_leaving"].sum(),
        }
    ).astype("int64")
    out = out.reset_index()
    order = {g: n for n, g in enumerate(CARE_GROUPS)}
    out["_order"] = out["group"].map(order).fillna(len(order))
    return (
        out.sort_values(["hospital_id", "_order", "group"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def blocked_reasons(beds: pd.DataFrame) -> pd.DataFrame:
    """Beds that nobody lies in and that cannot take a patient, counted per hospital, ward, kind
    of care, status and reason: ``hospital_id``, ``ward_id``, ``group``, ``status``,
    ``block_reason`` (missing where the source gives none), ``beds``; most beds first."""
    blocked = beds[beds["status"].isin(NOT_FREE)]
    frame = pd.DataFrame(
        {
            "hospital_id": blocked["hospital_id"],
            "ward_id": blocked["ward_id"],
            "group": care_group(blocked["bed_category"]),
            "status": blocked["status"],
            "block_reason": blocked["block_reason"],
        }
    )
    keys = list(frame.columns)
    out = frame.groupby(keys, dropna=False).size().rename("beds").reset_index()
    return out.sort_values(
        ["hospital_id", "beds", "ward_id"], ascending=[True, False, True]
    ).reset_index(drop=True)
