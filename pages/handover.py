"""Shift handover (ISBAR): per patient of the ward the diagnosis and day after surgery, allergies,
isolation and resuscitation status, NEWS2, last vitals, mobility and pain, the open work, and what
happened since the shift began (less an overlap)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.audit import audit_list
from components.data import load_kept
from components.export import csv_button
from components.guard import require_page
from components.scope import flags_of, now, stays, with_named_diagnoses
from components.session import language, settings, tr
from components.status import frame_banners
from components.style import print_header
from components.task_table import own_notes, own_writes, ward_tasks
from components.ward_choice import choose_ward
from services import queries
from services.domain.handover import (
    completed_tasks_since,
    observations_of,
    printable,
    sheet,
    shift_at,
)
from services.i18n import fmt_datetime
from services.markdown import plain
from services.search import query
from services.views.acuity import contacts_of
from services.views.ward import handover_view

# How far back the last vitals are looked for: the rounds of the last days.
VITALS_LOOKBACK = timedelta(days=3)
# The longest overlap a nurse may choose: two hours reach back over any handover meeting.
MAX_OVERLAP_MINUTES = 120

# The handover is the ward nursing team's; only they hold write access to ward tasks.
user = require_page(__file__)
st.title(tr("page.handover"))

ward_id, wards, locations, location_read = choose_ward(user)
# The chosen ward only, not all of the user's: colleagues on this ward share the cached reads.
scope = (ward_id,)
lang = language()
moment = now()
shift = shift_at(moment)
# The nurse widens or narrows the overlap for this handover; the setting is the ward's default.
default_overlap = min(max(round(settings().handover_overlap_minutes), 0), MAX_OVERLAP_MINUTES)
overlap_column, _ = st.columns([1, 3])
overlap_minutes = overlap_column.number_input(
    tr("handover.overlap"),
    min_value=0,
    max_value=MAX_OVERLAP_MINUTES,
    value=default_overlap,
    step=15,
    key="nurse.handover.overlap",
    help=tr("handover.overlap.help"),
)
overlap = timedelta(minutes=overlap_minutes)
since = shift.start - overlap

placed, stay_read = stays(ward_ids=scope, with_patients=True)
here = placed[placed["ward_id"] == ward_id]
open_tasks, task_read = ward_tasks(scope)
done_read = load_kept(completed_tasks_since(scope, since), "Tasks")
staff_read = load_kept(queries.practitioner_roles(), "Staff")
flag_read = flags_of(here)
reads = [location_read, stay_read, task_read, done_read, staff_read]
if flag_read is not None:
    reads.append(flag_read)
isbar: dict[str, pd.DataFrame] = {}
if here.empty:
    observations = pd.DataFrame(
        columns=["encounter_id", "category", "effective", "code", "display", "value", "unit"]
    )
else:
    contacts = contacts_of(here["encounter_id"], stay_read.tables.get("encounter_contact"))
    obs_read = load_kept(observations_of(contacts, since - VITALS_LOOKBACK), "Observations")
    stay_refs = queries.refs("Encounter", contacts)
    conditions, condition_reads = with_named_diagnoses(
        [load_kept(query("Condition").search(encounter=stay_refs), tr("handover.col.diagnosis"))],
        stay_read,
        contacts,
        tr("handover.col.diagnosis"),
    )
    procedure_read = load_kept(
        query("Procedure").search(encounter=stay_refs), tr("handover.col.stay_day")
    )
    allergy_read = load_kept(
        query("AllergyIntolerance").search(patient=queries.refs("Patient", here["patient_id"])),
        tr("handover.col.allergies"),
    )
    reads += [obs_read, *condition_reads, procedure_read, allergy_read]
    observations = obs_read["observation"]
    isbar = {
        "conditions": conditions,
        "diagnosis_roles": stay_read.tables.get("encounter_diagnosis"),
        "procedures": procedure_read["procedure"],
        "allergies": allergy_read["allergy_intolerance"],
    }
frame_banners(*reads)

note_tables = [r.tables["task_note"] for r in (task_read, done_read) if "task_note" in r.tables]
result = handover_view(
    placed,
    stay_read["encounter_location"],
    locations,
    open_tasks,
    done_read["task"],
    own_writes(),
    observations,
    ward_id,
    moment,
    patients=stay_read.tables.get("patient"),
    notes=pd.concat(note_tables, ignore_index=True) if note_tables else None,
    own_notes=own_notes(),
    practitioners=staff_read.tables.get("practitioner"),
    overlap=overlap,
    flags=flag_read["flag"] if flag_read is not None else None,
    contacts=stay_read.tables.get("encounter_contact"),
    **isbar,
)
table = sheet(result, lang)

ward_name = wards.set_index("id").at[ward_id, "name"]
print_header(f"{tr('page.handover')} · {ward_name}")
st.subheader(plain(ward_name))
st.markdown(
    tr(
        "handover.shift",
        shift=tr(f"handover.shift.{shift.code}"),
        start=fmt_datetime(shift.start, lang),
        end=fmt_datetime(shift.end, lang),
    )
)
if overlap:
    st.caption(
        tr(
            "handover.window",
            since=fmt_datetime(result.since, lang),
            minutes=round(overlap.total_seconds() / 60),
        )
    )
left, right = st.columns([1, 3], vertical_alignment="center")
csv_button(
    table,
    f"uebergabe-{ward_id}-{shift.start:%Y%m%d-%H%M}.csv",
    key="nurse.handover.csv",
    user=user,
    page="handover",
    patients=result.patients,
    container=left,
)
right.caption(tr("print.hint"))
st.caption(tr("handover.flags"))

if table.empty:
    st.info(tr("handover.none"))
for block in printable(table, lang):
    st.markdown(block)
audit_list(user, "handover", f"Location/{ward_id}", result.patients, reads)
