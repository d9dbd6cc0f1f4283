"""Opening a current inpatient's record from a list of stays (start page, my patients).

The row names one Patient record of the physician's hospital; the timeline wants the person,
with every record at every hospital. The person is found by KVNR where the record has one, else
the record stands alone.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.data import load
from components.scope import now
from components.session import language, tr
from components.status import frame_banners
from services.domain.people import identifier_texts
from services.patient_record import record_key, same_person_search
from services.search import query

__all__ = ["CHOSEN", "open_stay_patient"]

CHOSEN = "record_person"


def open_stay_patient(row: pd.Series) -> None:
    """Hand the person of ``row`` (``kvnr``, ``source``, ``patient_id``, ``name``,
    ``birth_date``) to the timeline and switch to it."""
    kvnr = row["kvnr"] if isinstance(row["kvnr"], str) else None
    same = load(
        same_person_search([kvnr]) if kvnr else query("Patient").search(_id=row["patient_id"]),
        tr("col.patient"),
    )
    frame_banners(same)
    everyone = same["patient"]
    st.session_state[CHOSEN] = {
        "person": kvnr or record_key(row["source"], row["patient_id"]),
        "kvnr": kvnr,
        "name": row["name"],
        "identifier": identifier_texts(everyone.head(1), language()).iloc[0]
        if len(everyone)
        else row["name"],
        "birth_date": row["birth_date"],
        "hospitals": tuple(sorted(set(everyone["hospital_id"].dropna()))),
        "records": tuple(
            zip(everyone["source"], everyone["id"], everyone["hospital_id"], strict=True)
        ),
        "opened_at": now().isoformat(),
        "reason": None,
    }
    st.switch_page("pages/timeline.py")
