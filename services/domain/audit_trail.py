"""The audit trail for the admin page: who opened which record when, resolved to the person.

An event names the Patient records it touched (a list view names every person it showed). One
person has a record at each hospital that treated them; the trail groups those records by the
KVNR where the records carry one, else each record stands for itself (``person_keys``). That
grouping is what an access request under Art. 15 DSGVO asks for: every view of the person's
data, whichever hospital's record it was (``access_report``).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from services.domain.people import display_names

__all__ = [
    "REPORT_COLUMNS",
    "access_report",
    "day_bounds",
    "filter_trail",
    "per_patient",
    "person_keys",
    "with_persons",
]

BERLIN = "Europe/Berlin"
# What a person is told about each access to their data, oldest first.
REPORT_COLUMNS = [
    "recorded",
    "person",
    "kvnr",
    "user_name",
    "user",
    "role",
    "action",
    "page",
    "hospital_id",
    "record_source",
    "patient_id",
    "purpose",
    "reason",
]


def day_bounds(first: date, last: date) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, end) of the Berlin days ``first`` to ``last``, both included."""
    start = pd.Timestamp(first).tz_localize(BERLIN)
    end = (pd.Timestamp(last) + pd.Timedelta(days=1)).tz_localize(BERLIN)
    return start, end


def per_patient(trail: pd.DataFrame) -> pd.DataFrame:
    """One row per event and person it names (``patient_id``); an event without a patient stays
    one row with none. ``patient_ids`` is dropped."""
    ids = trail["patient_ids"].fillna(trail["patient_id"])
    split = ids.map(lambda v: v.split() if isinstance(v, str) and v else [None])
    out = trail.drop(columns=["patient_id", "patient_ids"]).assign(patient_id=split)
    return out.explode("patient_id", ignore_index=True)


def person_keys(patients: pd.DataFrame, lang: str = "de") -> pd.DataFrame:
    """Per Patient record (``patient_id``): ``person_key`` (``kvnr:<KVNR>``, else
    ``record:<source>/<id>``), ``person`` (the name as screens show it), ``kvnr``, the
    record's ``hospital_id`` and ``record_source`` (the source that holds it)."""
    kvnr = patients["kvnr"].astype("string").str.strip()
    has_kvnr = kvnr.notna() & kvnr.ne("")
    record = "record:" + patients["source"].astype("string") + "/" + patients["id"]
    key = ("kvnr:" + kvnr).where(has_kvnr, record)
    out = pd.DataFrame(
        {
            "patient_id": patients["id"],
            "person_key": key.astype("object"),
            "person": display_names(patients, lang),
            "kvnr": kvnr.where(has_kvnr).astype("object"),
            "hospital_id": patients["hospital_id"],
            "record_source": patients["source"],
        }
    )
    return out.drop_duplicates(["record_source", "patient_id"]).reset_index(drop=True)


def with_persons(rows: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """``per_patient`` rows with ``person_key``, ``person``, ``kvnr``, ``hospital_id`` and
    ``record_source`` of their record: the record of that id at ``patient_source``, since ids
    are each server's own and two hospitals may hold different people under one id (a row of
    no known source takes the first record of its id). A record no longer found keeps its
    source and id as key and no name."""
    first = persons.drop_duplicates("patient_id").set_index("patient_id")["record_source"]
    at = rows["patient_source"].fillna(rows["patient_id"].map(first))
    out = rows.assign(_at=at).merge(
        persons,
        left_on=["_at", "patient_id"],
        right_on=["record_source", "patient_id"],
        how="left",
    )
    out = out.drop(columns="_at")
    unknown = out["person_key"].isna() & out["patient_id"].notna()
    where = out.loc[unknown, "patient_source"].fillna("?")
    out.loc[unknown, "person_key"] = "record:" + where + "/" + out.loc[unknown, "patient_id"]
    return out


def filter_trail(
    trail: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    users: list[str] | None = None,
    actions: list[str] | None = None,
    patient: str = "",
    break_glass_only: bool = False,
) -> pd.DataFrame:
    """Newest first, narrowed by the admin's choices; an empty choice keeps everything.

    ``patient`` matches a record id, a name or a KVNR (case-insensitive, any part of it) when
    the rows carry persons (``with_persons``), else a record id.
    """
    keep = pd.Series(True, index=trail.index)
    if start is not None:
        keep &= trail["recorded"] >= start
    if end is not None:
        keep &= trail["recorded"] < end
    if users:
        keep &= trail["user"].isin(users)
    if actions:
        keep &= trail["action"].isin(actions)
    wanted = patient.strip().casefold()
    if wanted:
        columns = [c for c in ("patient_id", "person", "kvnr") if c in trail.columns]
        found = pd.Series(False, index=trail.index)
        for column in columns:
            text = trail[column].astype("string").str.casefold()
            found |= text.str.contains(wanted, regex=False).fillna(False).astype(bool)
        keep &= found
    if break_glass_only:
        keep &= trail["purpose"] == "ETREAT"
    return trail[keep].sort_values("recorded", ascending=False).reset_index(drop=True)


def access_report(rows: pd.DataFrame, person_key: str) -> pd.DataFrame:
    """Every access to one person's records among ``with_persons`` rows, oldest first: who
    (``user_name``, ``user``, ``role``), what (``action``, ``page``), which record
    (``person``, ``kvnr``, ``hospital_id``, ``patient_id``) and why (``purpose``, ``reason``)."""
    mine = rows[rows["person_key"] == person_key]
    return mine.sort_values("recorded")[REPORT_COLUMNS].reset_index(drop=True)
