"""Start page: what matters now, for each role."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.audit import audit_list
from components.data import load
from components.guard import require_page
from components.kpi import kpi_row
from components.manager_tables import placing_table
from components.open_patient import open_stay_patient
from components.scope import (
    flags_of,
    left_open,
    now,
    places,
    stays,
    this_minute,
    with_named_diagnoses,
)
from components.session import language, settings, tr
from components.status import frame_banners
from components.ward_census import census_without_beds, stale_note
from components.ward_choice import no_ward_note
from components.worklist import worklist_table
from services import queries
from services.audit import local_log_frame
from services.domain.labels import label
from services.domain.news2 import LOOKBACK
from services.i18n import fmt_datetime, fmt_number
from services.patient_record import chunks
from services.roles import Role, User
from services.search import query
from services.views.acuity import contacts_of
from services.views.audit import audit_trail
from services.views.capacity import capacity_now, placing_now
from services.views.inpatients import physician_worklist
from services.views.ward import nurse_start as nurse_view

PAGE = "home"
# Height of one table row in pixels (Streamlit's dataframe default).
ROW_PX = 35


def nurse_start(user: User) -> None:
    st.subheader(tr("home.nurse.title"))
    if not user.wards:
        no_ward_note(user, key="home.nurse.no_wards")
        return
    locations, location_read = places((user.hospital_id,) if user.hospital_id else ())
    placed, stay_read = stays(ward_ids=user.wards, with_patients=True)
    task_read = load(queries.open_tasks_of_wards(user.wards).include("Task", "patient"), "Tasks")
    frame_banners(location_read, stay_read, task_read)
    patients = task_read.tables.get("patient")
    view = nurse_view(task_read["task"], placed, locations, patients, user.wards, now())
    lang = language()
    kpi_row(
        [
            (tr("home.nurse.open"), fmt_number(view.open, lang)),
            (tr("home.nurse.overdue"), fmt_number(view.overdue, lang)),
            (tr("home.nurse.patients"), fmt_number(view.in_beds, lang)),
        ]
    )
    st.markdown(f"**{tr('home.nurse.overdue_list')}**")
    rows = view.overdue_rows
    if rows.empty:
        st.success(tr("home.nurse.none_overdue"))
        return
    table = {tr("col.patient"): rows["name"], tr("col.room"): rows["room"]}
    table |= {tr("col.bed"): rows["bed"], tr("col.task"): label(rows["code"], "task_code", tr)}
    table[tr("col.priority")] = label(rows["priority"], "priority", tr)
    table[tr("col.due")] = rows["due"].map(lambda d: fmt_datetime(d, lang))
    st.dataframe(pd.DataFrame(table), hide_index=True, placeholder="–")
    audit_list(user, PAGE, "overdue", rows, [location_read, stay_read, task_read])


def _joined(reads: list, table: str) -> pd.DataFrame | None:
    frames = [r[table] for r in reads if table in r.tables]
    return pd.concat(frames, ignore_index=True) if frames else None


def physician_start(user: User) -> None:
    st.subheader(tr("worklist.title"))
    if not user.hospital_id:
        st.info(tr("mine.no_scope"))
        return
    lang = language()
    hospitals = (user.hospital_id,)
    locations, location_read = places(hospitals)
    placed, stay_read = stays(hospital_ids=hospitals, with_patients=True)
    if user.departments:
        placed = placed[placed["department"].isin(user.departments)]
    # From the start of the minute: equal reads within a minute share the cache.
    minute = this_minute()
    since = minute - timedelta(hours=24)
    contact_table = stay_read.tables.get("encounter_contact")
    contacts = contacts_of(placed["encounter_id"], contact_table)
    vital_reads = [
        load(queries.vital_signs_of(batch, minute - LOOKBACK), tr("worklist.col.news2"))
        for batch in chunks(contacts)
    ]
    result_reads = [
        load(
            query("Observation").search(
                patient=queries.refs("Patient", batch), date=f"ge{since.isoformat()}"
            ),
            tr("mine.new"),
        )
        for batch in chunks(placed["patient_id"].dropna())
    ]
    condition_reads = [
        load(
            query("Condition").search(encounter=queries.refs("Encounter", batch)),
            tr("worklist.col.diagnosis"),
        )
        for batch in chunks(contacts)
    ]
    conditions, condition_reads = with_named_diagnoses(
        condition_reads, stay_read, contacts, tr("worklist.col.diagnosis")
    )
    flag_read = flags_of(placed)
    reads = [location_read, stay_read, *vital_reads, *result_reads, *condition_reads]
    reads += [flag_read] if flag_read is not None else []
    frame_banners(*reads)
    view = physician_worklist(
        placed,
        locations,
        stay_read.tables.get("patient"),
        now(),
        since,
        vitals=_joined(vital_reads, "observation"),
        results=_joined(result_reads, "observation"),
        conditions=conditions,
        diagnosis_roles=stay_read.tables.get("encounter_diagnosis"),
        flags=flag_read["flag"] if flag_read is not None else None,
        contacts=contact_table,
        lang=lang,
    )
    rows = view.rows
    kpi_row(
        [
            (tr("home.physician.count"), fmt_number(len(rows), lang)),
            (tr("worklist.abnormal_vitals"), fmt_number(view.abnormal_vitals, lang)),
            (tr("worklist.abnormal_results"), fmt_number(view.abnormal_results, lang)),
            (tr("worklist.discharges"), fmt_number(view.discharges, lang)),
            (tr("worklist.admissions"), fmt_number(view.admissions, lang)),
        ]
    )
    stale_note(left_open(stay_read))
    if rows.empty:
        st.info(tr("home.physician.none"))
        return
    st.caption(tr("worklist.caption", since=fmt_datetime(since, lang)))
    event = st.dataframe(
        worklist_table(rows, view.scores, lang),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="home.worklist",
        placeholder=tr("word.not_recorded"),
    )
    audit_list(user, PAGE, "inpatients", rows, reads)
    chosen = event.selection.rows
    if not chosen:
        st.caption(tr("worklist.click"))
        return
    open_stay_patient(rows.iloc[chosen[0]])


def manager_start(user: User) -> None:
    st.subheader(tr("home.manager.title"))
    locations, location_read = places(user.facilities)
    _, stay_read = stays(hospital_ids=user.facilities, network=True)
    org_read = load(queries.organizations(), "Organizations")
    frame_banners(location_read, stay_read, org_read)
    encounters, entries = stay_read["encounter"], stay_read["encounter_location"]
    moment, stale = now(), settings().stale_stays
    view = capacity_now(locations, org_read["organization"], encounters, entries, moment, stale)
    if not view.has_beds:
        census_without_beds(view.ward_census)
        return
    lang = language()
    st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))
    placing = placing_now(view, encounters, entries, moment, stale)
    network = placing.by_care[placing.by_care["hospital_id"].isna()].set_index("group")
    care = dict(zip(placing.groups, label(pd.Series(placing.groups), "mgr.care", tr), strict=True))
    kpi_row(
        [
            (tr("mgr.placing.free", care=care[g]), fmt_number(network.loc[g, "free"], lang))
            for g in placing.groups
        ]
        + [(tr("mgr.placing.leaving_all"), fmt_number(network["leaving_today"].sum(), lang))],
    )
    table = placing_table(placing.by_care, placing.groups)
    # Every hospital on one screen: the table is as tall as its rows, no inner scrolling.
    st.dataframe(table, hide_index=True, placeholder="–", height=ROW_PX * (len(table) + 1) + 3)
    st.caption(tr("mgr.placing.help"))
    blocked = placing.blocked
    st.markdown(f"**{tr('mgr.placing.blocked')}**")
    if blocked.empty:
        st.success(tr("mgr.placing.none_blocked"))
        return
    reasons = pd.DataFrame(
        {
            tr("col.hospital"): blocked["hospital"],
            tr("col.ward"): blocked["ward"],
            tr("mgr.col.category"): label(blocked["group"], "mgr.care", tr),
            tr("col.status"): label(blocked["status"], "bed_status", tr),
            tr("col.block_reason"): label(blocked["block_reason"], "block_reason", tr),
            tr("mgr.col.beds"): blocked["beds"],
        }
    )
    st.dataframe(reasons, hide_index=True, placeholder="–")


def admin_start(user: User) -> None:
    st.subheader(tr("home.admin.title"))
    since = this_minute() - timedelta(hours=24)
    read = load(query("AuditEvent").search(date=f"ge{since.isoformat()}"), "AuditEvents")
    frame_banners(read)
    view = audit_trail(read["audit_event"], local_log_frame(settings().audit_log), since)
    lang = language()
    kpi_row(
        [
            (tr("home.admin.events"), fmt_number(len(view.trail), lang)),
            (tr("home.admin.break_glass"), fmt_number(view.break_glass, lang)),
            (tr("home.admin.local"), fmt_number(view.local, lang)),
        ]
    )
    if not view.trail.empty:
        counts = view.per_role_action.assign(
            role=lambda f: label(f["role"], "role", tr),
            action=lambda f: label(f["action"], "audit_action", tr),
        )
        headers = {"role": tr("col.role"), "action": tr("col.action"), "n": "#"}
        st.dataframe(counts.rename(columns=headers), hide_index=True, placeholder="–")


user = require_page(__file__)
st.title(tr("page.home"))
{
    Role.NURSE: nurse_start,
    Role.PHYSICIAN: physician_start,
    Role.MANAGER: manager_start,
    Role.ADMIN: admin_start,
}[user.role](user)
