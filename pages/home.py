"""Start page: what matters now, for each role."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.data import load
from components.guard import signed_in
from components.kpi import kpi_row
from components.scope import now, places, stays, this_minute
from components.session import language, settings, tr
from components.status import frame_banners
from services import queries
from services.audit import local_log_frame
from services.domain.beds import bed_status_now, occupancy
from services.domain.labels import label
from services.domain.people import display_names
from services.domain.stays import with_place_names
from services.domain.tasks import by_urgency
from services.i18n import fmt_date, fmt_datetime, fmt_number, fmt_percent
from services.roles import Role, User
from services.search import query


def nurse_start(user: User) -> None:
    st.subheader(tr("home.nurse.title"))
    if not user.wards:
        st.info(tr("home.nurse.no_wards"))
        return
    locations, location_read = places((user.hospital_id,) if user.hospital_id else ())
    placed, stay_read = stays(ward_ids=user.wards, with_patients=True)
    task_read = load(queries.open_tasks_of_wards(user.wards).include("Task", "patient"), "Tasks")
    frame_banners(location_read, stay_read, task_read)
    tasks = task_read["task"]
    tasks = by_urgency(tasks[tasks["ward_id"].isin(user.wards)], now())
    kpi_row(
        [
            (tr("home.nurse.open"), fmt_number(len(tasks), language())),
            (tr("home.nurse.overdue"), fmt_number(int(tasks["overdue"].sum()), language())),
            (tr("home.nurse.patients"), fmt_number(placed["bed_id"].notna().sum(), language())),
        ]
    )
    st.markdown(f"**{tr('home.nurse.overdue_list')}**")
    overdue = tasks[tasks["overdue"]]
    if overdue.empty:
        st.success(tr("home.nurse.none_overdue"))
        return
    patients = task_read.tables.get("patient", pd.DataFrame(columns=["source", "id"]))
    rows = overdue.merge(
        placed[["source", "encounter_id", "room_id", "bed_id"]],
        on=["source", "encounter_id"],
        how="left",
    )
    rows = with_place_names(rows, locations)
    if not patients.empty:
        names = patients.assign(name=display_names(patients))[["source", "id", "name"]]
        rows = rows.merge(
            names,
            left_on=["source", "patient_id"],
            right_on=["source", "id"],
            how="left",
            suffixes=("", "_patient"),
        )
    else:
        rows["name"] = None
    lang = language()
    st.dataframe(
        pd.DataFrame(
            {
                tr("col.patient"): rows["name"],
                tr("col.room"): rows["room"],
                tr("col.bed"): rows["bed"],
                tr("col.task"): label(rows["code"], "task_code", tr),
                tr("col.priority"): label(rows["priority"], "priority", tr),
                tr("col.due"): rows["due"].map(lambda d: fmt_datetime(d, lang)),
            }
        ),
        hide_index=True,
    )


def physician_start(user: User) -> None:
    st.subheader(tr("home.physician.title"))
    hospitals = (user.hospital_id,) if user.hospital_id else ()
    locations, location_read = places(hospitals)
    placed, stay_read = stays(hospital_ids=hospitals, with_patients=True)
    frame_banners(location_read, stay_read)
    if user.departments:
        placed = placed[placed["department"].isin(user.departments)]
    kpi_row([(tr("home.physician.count"), fmt_number(len(placed), language()))])
    if placed.empty:
        st.info(tr("home.physician.none"))
        return
    patients = stay_read.tables.get("patient")
    rows = with_place_names(placed, locations)
    names = patients.assign(name=display_names(patients))[["source", "id", "name", "birth_date"]]
    rows = rows.merge(
        names, left_on=["source", "patient_id"], right_on=["source", "id"], how="left"
    )
    lang = language()
    rows = rows.sort_values(["ward", "room", "bed"])
    st.dataframe(
        pd.DataFrame(
            {
                tr("col.patient"): rows["name"],
                tr("col.birth_date"): rows["birth_date"].map(lambda d: fmt_date(d, lang)),
                tr("col.ward"): rows["ward"],
                tr("col.bed"): rows["bed"],
                tr("col.admitted"): rows["start"].map(lambda d: fmt_date(d, lang)),
                tr("col.days"): rows["days_so_far"],
                tr("col.planned_discharge"): rows["planned_end"].map(lambda d: fmt_date(d, lang)),
            }
        ),
        hide_index=True,
    )


def manager_start(user: User) -> None:
    st.subheader(tr("home.manager.title"))
    locations, location_read = places(user.facilities)
    placed, stay_read = stays(hospital_ids=user.facilities)
    org_read = load(queries.organizations(), "Organizations")
    frame_banners(location_read, stay_read, org_read)
    beds = bed_status_now(locations, placed)
    lang = language()
    total = occupancy(beds, [])
    row = total.iloc[0] if not total.empty else None
    kpi_row(
        [
            (tr("col.total"), fmt_number(row["total"] if row is not None else 0, lang)),
            (tr("col.occupied"), fmt_number(row["occupied"] if row is not None else 0, lang)),
            (tr("col.free"), fmt_number(row["free"] if row is not None else 0, lang)),
            (tr("col.occupancy"), fmt_percent(row["occupancy"] if row is not None else None, lang)),
        ]
    )
    per_hospital = occupancy(beds, ["hospital_id"])
    orgs = org_read["organization"][["id", "name"]]
    per_hospital = per_hospital.merge(orgs, left_on="hospital_id", right_on="id", how="left")
    st.dataframe(
        pd.DataFrame(
            {
                tr("col.hospital"): per_hospital["name"].fillna(per_hospital["hospital_id"]),
                tr("col.total"): per_hospital["total"],
                tr("col.occupied"): per_hospital["occupied"],
                tr("col.free"): per_hospital["free"],
                tr("col.blocked"): per_hospital["blocked"],
                tr("col.occupancy"): per_hospital["occupancy"].map(lambda v: fmt_percent(v, lang)),
            }
        ),
        hide_index=True,
    )


def admin_start(user: User) -> None:
    st.subheader(tr("home.admin.title"))
    since = this_minute() - timedelta(hours=24)
    read = load(query("AuditEvent").search(date=f"ge{since.isoformat()}"), "AuditEvents")
    frame_banners(read)
    events = read["audit_event"]
    local = local_log_frame(settings().audit_log)
    local = local[local["recorded"] >= since]
    lang = language()
    kpi_row(
        [
            (tr("home.admin.events"), fmt_number(len(events) + len(local), lang)),
            (
                tr("home.admin.break_glass"),
                fmt_number(int((events["purpose"] == "ETREAT").sum()), lang),
            ),
            (tr("home.admin.local"), fmt_number(len(local), lang)),
        ]
    )
    both = pd.concat([events, local], ignore_index=True)
    if not both.empty:
        counts = both.groupby(["role", "action"]).size().rename("n").reset_index()
        counts["action"] = label(counts["action"], "audit_action", tr)
        st.dataframe(
            counts.rename(columns={"role": tr("col.role"), "action": tr("col.action"), "n": "#"}),
            hide_index=True,
        )


user = signed_in()
st.title(tr("page.home"))
{
    Role.NURSE: nurse_start,
    Role.PHYSICIAN: physician_start,
    Role.MANAGER: manager_start,
    Role.ADMIN: admin_start,
}[user.role](user)
