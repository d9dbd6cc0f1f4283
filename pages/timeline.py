"""Physician: one person's timeline across every hospital, the current stay, and trends.

The person comes from the patient search or "My patients" (``st.session_state``). Access is
checked again here, and every view of the record writes an AuditEvent (with the reason after
break-glass).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.audit import audit
from components.data import load
from components.guard import require
from components.kpi import kpi_row
from components.scope import now, stays
from components.session import language, platform, tr
from components.status import frame_banners
from components.timeline_chart import hospital_colours, timeline_figure
from components.trend_chart import trend_figure
from services import queries
from services.audit import AuditRecord
from services.domain.access import Access, access_to, reason_ok
from services.domain.labels import label
from services.domain.people import display_names
from services.domain.timeline import MARK_KINDS, build_timeline, current_stays, filter_timeline
from services.domain.trends import trend_points
from services.i18n import fmt_date, fmt_datetime, fmt_number
from services.patient_record import PatientRecord, read_record, record_patients
from services.roles import Capability, Role

CHOSEN = "record_person"
AUDITED = "record_audited"
PAGE = "timeline"


@st.cache_data(ttl=120, show_spinner=False)
def patient_record(records: tuple[tuple[str, str, str | None], ...]) -> PatientRecord:
    return read_record(platform(), record_patients(records))


def csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8-sig")


user = require(Capability.PATIENT_RECORD)
lang = language()
chosen = st.session_state.get(CHOSEN)
if not chosen:
    st.title(tr("page.timeline"))
    st.info(tr("timeline.no_person"))
    st.page_link("pages/patient_search.py", label=tr("timeline.to_search"), icon="🔎")
    st.stop()

on_wards = False
if user.role == Role.NURSE and user.wards:
    placed_now, _ = stays(ward_ids=user.wards)
    mine = set(zip(placed_now["source"], placed_now["patient_id"], strict=True))
    on_wards = bool(mine.intersection((s, i) for s, i, _ in chosen["records"]))
access = access_to(user, chosen["hospitals"], on_wards)
if access == Access.DENIED or (access == Access.BREAK_GLASS and not reason_ok(chosen["reason"])):
    st.error(tr("search.denied"))
    st.page_link("pages/patient_search.py", label=tr("timeline.to_search"), icon="🔎")
    st.stop()

reason = chosen["reason"] if access == Access.BREAK_GLASS else None
view = (PAGE, chosen["person"], chosen["opened_at"])
audited = st.session_state.setdefault(AUDITED, set())
if view not in audited:
    # One event per Patient record viewed, at the source that holds it.
    for source, patient_id, _ in chosen["records"]:
        audit(
            AuditRecord(
                user=user,
                action="read",
                page=PAGE,
                patient_id=patient_id,
                source=source,
                reason=reason,
            )
        )
    audited.add(view)

with st.spinner(tr("status.loading", what=tr("page.timeline"))):
    record = patient_record(tuple(tuple(r) for r in chosen["records"]))
orgs = load(queries.organizations(), "Organizations")
frame_banners(*record.reads, orgs)
hospital_name = dict(zip(orgs["organization"]["id"], orgs["organization"]["name"], strict=True))
at = now()
timeline = build_timeline(record.tables, record.patients, at)
colours = hospital_colours(timeline.hospitals)

st.title(tr("timeline.title", name=chosen["name"]))
st.caption(
    tr(
        "timeline.person",
        birth_date=fmt_date(chosen["birth_date"], lang),
        kvnr=chosen["kvnr"] or "–",
        hospitals=", ".join(hospital_name.get(h, h) for h in chosen["hospitals"]),
    )
)
if reason:
    st.warning(tr("timeline.break_glass_note", reason=reason))

# Current stay
st.subheader(tr("stay.title"))
current = current_stays(record.tables, at)
if current.empty:
    st.info(tr("stay.none"))
practitioners = record.tables.get("practitioner", pd.DataFrame(columns=["id", "family", "given"]))
doctor = dict(
    zip(
        practitioners["id"], display_names(practitioners) if len(practitioners) else [], strict=True
    )
)
for stay in current.itertuples(index=False):
    department = label(pd.Series([stay.department]), "physician.department", tr).iloc[0]
    kpi_row(
        [
            (tr("col.hospital"), hospital_name.get(stay.hospital_id, stay.hospital_id)),
            (tr("col.ward"), stay.ward or "–"),
            (tr("col.room"), stay.room or "–"),
            (tr("col.bed"), stay.bed or "–"),
            (tr("col.department"), department or "–"),
        ]
    )
    kpi_row(
        [
            (tr("col.admitted"), fmt_date(stay.start, lang)),
            (tr("col.days"), fmt_number(stay.days_so_far, lang)),
            (tr("col.planned_discharge"), fmt_date(stay.planned_end, lang)),
            (tr("stay.attending"), doctor.get(stay.attending_id, "–")),
        ]
    )
    st.markdown(f"**{tr('stay.diagnoses')}:** {stay.diagnoses or tr('word.none')}")

chart_tab, trend_tab, table_tab = st.tabs(
    [tr("timeline.tab.chart"), tr("timeline.tab.trends"), tr("timeline.tab.tables")]
)

with chart_tab:
    kinds_all = ["stay", *MARK_KINDS]
    kind_col, hospital_col, window_col = st.columns([2, 2, 2])
    kinds = kind_col.multiselect(
        tr("timeline.filter.kinds"),
        kinds_all,
        default=kinds_all,
        format_func=lambda k: tr(f"timeline.kind.{k}"),
        key="timeline_kinds",
    )
    hospitals = hospital_col.multiselect(
        tr("timeline.filter.hospitals"),
        timeline.hospitals,
        default=timeline.hospitals,
        format_func=lambda h: hospital_name.get(h, h),
        key="timeline_hospitals",
    )
    starts = pd.concat([timeline.stays["start"], timeline.marks["start"]]).dropna()
    first_day = (starts.min() if not starts.empty else at).date()
    window = window_col.date_input(
        tr("timeline.filter.window"),
        value=(first_day, at.date()),
        format="DD.MM.YYYY" if lang == "de" else "YYYY-MM-DD",
        key="timeline_window",
    )
    begin = end = None
    if isinstance(window, tuple | list) and len(window) == 2:
        begin = pd.Timestamp(window[0], tz="Europe/Berlin")
        end = pd.Timestamp(window[1], tz="Europe/Berlin") + pd.Timedelta(days=1)
    shown = filter_timeline(timeline, kinds=kinds, hospitals=hospitals, start=begin, end=end)
    records = sum(len(r) for r in shown.marks["records"]) + len(shown.stays)
    st.caption(
        tr(
            "timeline.counts",
            marks=fmt_number(len(shown.marks) + len(shown.stays), lang),
            records=fmt_number(records, lang),
            hospitals=len(hospitals),
        )
    )
    if shown.stays.empty and shown.marks.empty:
        st.info(tr("timeline.empty"))
    else:
        st.plotly_chart(
            timeline_figure(shown, hospital_name, tr, lang, colours),
            config={"displaylogo": False, "toImageButtonOptions": {"filename": "verlauf"}},
            key="timeline_chart",
        )
    st.caption(tr("timeline.help"))

with trend_tab:
    observations = record.tables.get("observation")
    points = trend_points(observations, record.patients) if observations is not None else None
    if points is None or points.empty:
        st.info(tr("trend.none"))
    else:
        series = points.drop_duplicates(["code", "unit"])
        names = {
            (r.code, r.unit): f"{r.display} ({r.unit})" for r in series.itertuples(index=False)
        }
        chosen_series = st.multiselect(
            tr("trend.codes"),
            list(names),
            default=list(names)[:4],
            format_func=lambda key: names[key],
            key="trend_codes",
        )
        for code, unit in chosen_series:
            rows = points[(points["code"] == code) & (points["unit"] == unit)]
            st.plotly_chart(
                trend_figure(rows, hospital_name, tr, lang, colours),
                config={"displaylogo": False},
                key=f"trend_{code}_{unit}",
            )

with table_tab:
    stays_table = pd.DataFrame(
        {
            tr("col.hospital"): shown.stays["hospital_id"].map(lambda h: hospital_name.get(h, h)),
            tr("col.case_number"): shown.stays["case_number"],
            tr("col.class"): label(shown.stays["class"], "timeline.class", tr),
            tr("col.department"): label(shown.stays["department"], "physician.department", tr),
            tr("col.start"): shown.stays["start"].map(lambda d: fmt_datetime(d, lang)),
            tr("col.end"): shown.stays["end"].map(lambda d: fmt_datetime(d, lang)),
        }
    )
    marks_table = pd.DataFrame(
        {
            tr("col.kind"): shown.marks["kind"].map(lambda k: tr(f"timeline.kind.{k}")),
            tr("col.code"): shown.marks["code"],
            tr("col.text"): shown.marks["display"],
            tr("col.detail"): shown.marks["detail"],
            tr("col.start"): shown.marks["start"].map(lambda d: fmt_datetime(d, lang)),
            tr("col.end"): shown.marks["end"].map(lambda d: fmt_datetime(d, lang)),
            tr("col.abnormal"): shown.marks["abnormal"].map(lambda a: tr("word.yes") if a else ""),
            tr("col.hospital"): shown.marks["hospitals"].map(
                lambda hs: ", ".join(hospital_name.get(h, h) for h in hs)
            ),
            tr("col.records"): shown.marks["records"].map(", ".join),
        }
    )
    st.markdown(f"**{tr('timeline.table.stays')}**")
    st.dataframe(stays_table, hide_index=True)
    st.download_button(
        tr("download.csv"), csv(stays_table), "aufenthalte.csv", "text/csv", key="csv_stays"
    )
    st.markdown(f"**{tr('timeline.table.marks')}**")
    st.dataframe(marks_table, hide_index=True)
    st.download_button(
        tr("download.csv"), csv(marks_table), "eintraege.csv", "text/csv", key="csv_marks"
    )
