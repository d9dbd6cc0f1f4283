"""Physician: the current inpatients of my departments, with results new in the last 24 hours.

One search for the stays of the physician's hospital (shared with the start page), one for the
ward and bed names, and one Observation search per hundred patients (an OR list of Patient ids
with a date bound), never a request per patient.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.audit import audit_list
from components.choose import choose_one
from components.data import load
from components.guard import require_page
from components.kpi import kpi_row
from components.open_patient import open_stay_patient
from components.scope import places, stays, this_minute
from components.session import language, tr
from components.status import frame_banners
from services.domain.labels import label
from services.i18n import fmt_date, fmt_datetime, fmt_number
from services.patient_record import chunks
from services.queries import refs
from services.search import query
from services.views.inpatients import my_patients, of_departments

user = require_page(__file__)
lang = language()
st.title(tr("mine.title"))
if not user.hospital_id:
    st.info(tr("mine.no_scope"))
    st.stop()

hospitals = (user.hospital_id,)
locations, location_read = places(hospitals)
placed, stay_read = stays(hospital_ids=hospitals, with_patients=True)
placed = of_departments(placed, locations, user.departments)
since = this_minute() - timedelta(hours=24)
departments = ", ".join(label(pd.Series(user.departments), "physician.department", tr))
st.caption(tr("mine.caption", departments=departments or "–", since=fmt_datetime(since, lang)))

reads = [location_read, stay_read]
results = []
for batch in chunks(placed["patient_id"].dropna()):
    read = load(
        query("Observation").search(patient=refs("Patient", batch), date=f"ge{since.isoformat()}"),
        tr("mine.new"),
    )
    reads.append(read)
    results.append(read["observation"])
frame_banners(*reads)
if placed.empty:
    st.info(tr("mine.none"))
    st.stop()

observations = pd.concat(results, ignore_index=True) if results else None
view = my_patients(placed, locations, stay_read.tables.get("patient"), observations, since, lang)
rows = view.rows.fillna({"ward": "–", "bed": "–"})
kpi_row(
    [
        (tr("mine.patients"), fmt_number(len(rows), lang)),
        (tr("mine.with_new"), fmt_number(view.with_new, lang)),
        (tr("mine.new_abnormal"), fmt_number(view.new_abnormal, lang)),
    ]
)
st.dataframe(
    pd.DataFrame(
        {
            tr("col.patient"): rows["name"],
            tr("col.birth_date"): rows["birth_date"].map(lambda d: fmt_date(d, lang)),
            tr("col.ward"): rows["ward"],
            tr("col.bed"): rows["bed"],
            tr("col.department"): label(rows["department"], "physician.department", tr),
            tr("col.admitted"): rows["start"].map(lambda d: fmt_date(d, lang)),
            tr("col.days"): rows["days_so_far"],
            tr("col.planned_discharge"): rows["planned_end"].map(lambda d: fmt_date(d, lang)),
            tr("mine.new"): rows["new"],
            tr("mine.new_abnormal"): rows["new_abnormal"],
        }
    ),
    hide_index=True,
    placeholder="–",
)
audit_list(user, "my_patients", "inpatients", rows, reads)

choice = choose_one(
    tr("search.choose"),
    range(len(rows)),
    format_func=lambda n: f"{rows.iloc[n]['name']} · {rows.iloc[n]['bed'] or '–'}",
    key="mine_choice",
)
if st.button(tr("search.open"), type="primary", key="mine_open"):
    open_stay_patient(rows.iloc[choice])
