"""Physician: one person's timeline across every hospital, the current stay, and trends.

The person comes from the patient search or "My patients" (``st.session_state``). Access is
checked again here, and every view of the record writes an AuditEvent (with the reason after
break-glass).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.audit import audit
from components.charts import chart_config
from components.choose import choose_many, choose_one
from components.data import load
from components.documents import document_body, document_choice, document_key, document_tables
from components.export import csv_button
from components.guard import require_page
from components.kpi import kpi_row
from components.safety import medication_list, problem_list, safety_header
from components.scope import now
from components.session import language, platform, settings, tr
from components.status import frame_banners
from components.style import print_header
from components.summary import summary_file_name, summary_panel
from components.timeline_chart import hospital_colours, timeline_figure
from components.trend_chart import trend_figure
from components.vitals_chart import vitals_figure
from services import queries
from services.audit import AuditRecord, outcome_of
from services.documents import open_document
from services.domain.access import Access, access_to, reason_ok, reason_words
from services.domain.consent import broad_consent
from services.domain.cumulative_labs import ROW_COLUMNS, cumulative_labs
from services.domain.documents import contents_of, document_list
from services.domain.labels import label
from services.domain.medication_list import current_medication
from services.domain.people import display_names
from services.domain.problems import problem_list as problems_of
from services.domain.safety import safety_header as header_of
from services.domain.summary import summary_view
from services.domain.timeline import (
    MARK_KINDS,
    build_timeline,
    current_stays,
    filter_timeline,
    status_words,
)
from services.domain.trends import trend_points
from services.errors import DataError
from services.i18n import fmt_date, fmt_datetime, fmt_number
from services.lab_labels import analyte_labels, display_unit
from services.markdown import plain
from services.patient_record import PatientRecord, read_record, record_patients
from services.summary import SummaryResult, record_summaries, summary_offered

CHOSEN = "record_person"
AUDITED = "record_audited"
OPENED = "record_document"
SUMMARIES = "record_summaries"
PAGE = "timeline"
# Sampling times side by side in the cumulative lab table; older ones are a choice away.
LAB_COLUMNS = 8


@st.cache_data(ttl=120, show_spinner=False)
def patient_record(records: tuple[tuple[str, str, str | None], ...]) -> PatientRecord:
    return read_record(platform(), record_patients(records))


@st.cache_data(ttl=600, show_spinner=False)
def offers_summary(source: str) -> bool:
    """Whether the source's CapabilityStatement lists ``$summary``."""
    try:
        return summary_offered(platform().http(source).get_json("metadata"))
    except DataError:
        # Unknown: asking for the summary itself then says in words what failed.
        return True


user = require_page(__file__)
lang = language()
chosen = st.session_state.get(CHOSEN)
if not chosen:
    st.title(tr("page.timeline"))
    st.info(tr("timeline.no_person"))
    st.page_link(
        "pages/patient_search.py", label=tr("timeline.to_search"), icon=":material/person_search:"
    )
    st.stop()

access = access_to(user, chosen["hospitals"])
if access == Access.DENIED or (access == Access.BREAK_GLASS and not reason_ok(chosen["reason"])):
    st.error(tr("search.denied"))
    st.page_link(
        "pages/patient_search.py", label=tr("timeline.to_search"), icon=":material/person_search:"
    )
    st.stop()

reason = chosen["reason"] if access == Access.BREAK_GLASS else None
with st.spinner(tr("status.loading", what=tr("page.timeline"))):
    record = patient_record(tuple(tuple(r) for r in chosen["records"]))
view = (PAGE, chosen["person"], chosen["opened_at"])
audited = st.session_state.setdefault(AUDITED, set())
if view not in audited:
    # After the read, with what it gave: one event per Patient record, at the source holding it.
    outcome = outcome_of(*record.reads)
    for source, patient_id, _ in chosen["records"]:
        audit(
            AuditRecord(
                user=user,
                action="read",
                page=PAGE,
                patient_id=patient_id,
                source=source,
                reason=reason,
                outcome=outcome,
            )
        )
    audited.add(view)
orgs = load(queries.organizations(), "Organizations")
frame_banners(*record.reads, orgs)
hospital_name = dict(zip(orgs["organization"]["id"], orgs["organization"]["name"], strict=True))
at = now()
timeline = build_timeline(record.tables, record.patients, at, lang)
colours = hospital_colours(timeline.hospitals)

print_header(f"{tr('page.timeline')} · {chosen['name']}")
st.title(tr("timeline.title", name=plain(chosen["name"])))
st.caption(
    tr(
        "timeline.person",
        birth_date=fmt_date(chosen["birth_date"], lang),
        identifier=plain(chosen.get("identifier") or tr("person.no_identifier")),
        hospitals=plain(", ".join(hospital_name.get(h, h) for h in chosen["hospitals"])),
    )
)
# What keeps the patient safe comes before anything else on the page.
incomplete = any(r.errors for r in record.reads)
safety_header(header_of(record.tables, record.patients, at, incomplete), hospital_name, tr, lang)
consent = broad_consent(record.tables.get("consent"), record.patients)


def consent_words(row) -> str:
    where = hospital_name.get(row.hospital_id, row.hospital_id)
    document = tr("consent.version", version=row.version)
    return (
        tr(f"consent.state.{row.state}", date=fmt_date(row.date, lang)) + f" ({document}, {where})"
    )


consent_lines = [consent_words(row) for row in consent.itertuples(index=False)]
st.caption(f"{tr('consent.label')}: {'; '.join(consent_lines) or tr('consent.none')}")
if reason:
    st.warning(tr("timeline.break_glass_note", reason=plain(reason_words(reason, tr))))

# Current stay
st.subheader(tr("stay.title"))
current = current_stays(record.tables, at, rule=settings().stale_stays)
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
    st.markdown(f"**{tr('stay.diagnoses')}:** {plain(stay.diagnoses or tr('word.none'))}")

observations = record.tables.get("observation")
points = (
    trend_points(observations, record.patients)
    if observations is not None
    else trend_points(pd.DataFrame(columns=["value", "code"]), record.patients)
)
whose = pd.DataFrame(
    [(source, patient_id) for source, patient_id, _ in chosen["records"]],
    columns=["source", "patient_id"],
)
(
    chart_tab,
    problem_tab,
    medication_tab,
    document_tab,
    summary_tab,
    lab_tab,
    trend_tab,
    table_tab,
) = st.tabs(
    [
        tr("timeline.tab.chart"),
        tr("timeline.tab.problems"),
        tr("timeline.tab.medication"),
        tr("timeline.tab.documents"),
        tr("timeline.tab.summary"),
        tr("timeline.tab.labs"),
        tr("timeline.tab.trends"),
        tr("timeline.tab.tables"),
    ]
)

with problem_tab:
    problem_list(problems_of(record.tables, record.patients, at), hospital_name, tr, lang)

with medication_tab:
    shown_medication = medication_list(
        current_medication(record.tables, record.patients, at), hospital_name, tr, lang
    )
    if shown_medication is not None:
        csv_button(
            shown_medication,
            "medikation.csv",
            key="csv_medication",
            user=user,
            page=PAGE,
            patients=pd.DataFrame(
                [(source, patient_id) for source, patient_id, _ in chosen["records"]],
                columns=["source", "patient_id"],
            ),
        )


def document_audit(row, action: str, outcome: str = "0", file_name: str | None = None) -> None:
    audit(
        AuditRecord(
            user=user,
            action=action,
            page=PAGE,
            patient_id=row.patient_id,
            source=row.source,
            resource=f"DocumentReference/{row.id}",
            reason=reason,
            what=file_name,
            outcome=outcome,
        )
    )


with document_tab:
    listing = document_list(record.tables, record.patients)
    unread = {s for r in record.reads if r.resource_type == "DocumentReference" for s in r.errors}
    if unread:
        st.warning(tr("documents.unavailable"))
    if listing.empty and not unread:
        st.info(tr("documents.none"))
    if not listing.empty:
        document_tables(listing, hospital_name, tr, lang)
        picked = document_choice(listing, hospital_name, tr, lang)
        if picked is not None:
            row = next(
                r for r in listing.itertuples(index=False) if document_key(r.source, r.id) == picked
            )
            # The Binary is fetched once per opening and kept for this view only.
            opened = (view, picked)
            kept = st.session_state.get(OPENED)
            if kept is not None and kept[0] == opened:
                body = kept[1]
            else:
                contents = contents_of(record.tables, row.source, row.id)
                body = open_document(platform(), row.source, contents)
                outcome = {"failed": "8", "invalid": "4"}.get(body.kind, "0")
                document_audit(row, "read", outcome)
                if body.kind != "failed":
                    st.session_state[OPENED] = (opened, body)
            document_body(
                body,
                title=row.title if isinstance(row.title, str) else row.id,
                file_name=f"{row.id}.pdf",
                source=row.source,
                tr=tr,
                on_download=lambda: document_audit(row, "export", file_name=f"{row.id}.pdf"),
            )


def summary_audit(
    result: SummaryResult, action: str, outcome: str = "0", file_name: str | None = None
) -> None:
    audit(
        AuditRecord(
            user=user,
            action=action,
            page=PAGE,
            patient_id=result.patient_id,
            source=result.source,
            reason=reason,
            # What was shown: the server's $summary or the assembled document, or the file.
            what=file_name or f"IPS ({result.origin})",
            outcome=outcome,
        )
    )


with summary_tab:
    st.caption(tr("summary.help"))
    # Fetched on request and kept for this view: a summary is a second read of the whole record.
    kept = st.session_state.get(SUMMARIES)
    if (kept is None or kept[0] != view) and st.button(tr("summary.load"), key="summary_load"):
        with st.spinner(tr("status.loading", what=tr("timeline.tab.summary"))):
            results = record_summaries(
                platform(), record, chosen["records"], chosen, at, offers_summary
            )
        for result in results:
            summary_audit(result, "read", "4" if result.why == "failed" else "0")
        kept = st.session_state[SUMMARIES] = (view, results)
    if kept is not None and kept[0] == view:
        for result in kept[1]:
            summary_panel(
                result,
                summary_view(result.bundle),
                hospital_name,
                tr,
                lang,
                on_download=lambda r=result: summary_audit(
                    r, "export", file_name=summary_file_name(r)
                ),
            )

with chart_tab:
    kinds_all = ["stay", *MARK_KINDS]
    kind_col, hospital_col, window_col = st.columns([2, 2, 2])
    kinds = choose_many(
        tr("timeline.filter.kinds"),
        kinds_all,
        default=kinds_all,
        format_func=lambda k: tr(f"timeline.kind.{k}"),
        key="timeline_kinds",
        where=kind_col,
    )
    hospitals = choose_many(
        tr("timeline.filter.hospitals"),
        timeline.hospitals,
        default=timeline.hospitals,
        format_func=lambda h: hospital_name.get(h, h),
        key="timeline_hospitals",
        where=hospital_col,
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
    span = (begin, end) if begin is not None else None
    if shown.stays.empty and shown.marks.empty:
        st.info(tr("timeline.empty"))
    else:
        st.plotly_chart(
            timeline_figure(shown, hospital_name, tr, lang, colours, x_range=span),
            config=chart_config("verlauf"),
            key=f"timeline_chart_{lang}",
        )
    st.caption(tr("timeline.help"))
    # Vital signs under the timeline, on its time axis, for the chosen hospitals and window.
    vitals = points[points["category"].eq("vital-signs") & points["hospital_id"].isin(hospitals)]
    if span is not None:
        vitals = vitals[vitals["effective"].between(*span)]
    if not vitals.empty:
        st.markdown(f"**{tr('timeline.vitals')}**")
        st.plotly_chart(
            vitals_figure(vitals, hospital_name, tr, lang, colours, x_range=span),
            config=chart_config("vitalwerte"),
            key=f"vitals_chart_{lang}",
        )

with lab_tab:
    labs = cumulative_labs(
        record.tables.get("observation"),
        record.patients,
        lang,
        columns=LAB_COLUMNS,
        page=st.session_state.get("labs_page", 0),
    )
    if labs.table.empty:
        st.info(tr("labs.none"))
    else:
        if labs.pages > 1:
            choose_one(
                tr("labs.window"),
                list(range(labs.pages)),
                format_func=lambda n: tr(
                    "labs.window.item",
                    newest=fmt_datetime(labs.times[n * LAB_COLUMNS], lang),
                    oldest=fmt_datetime(
                        labs.times[min((n + 1) * LAB_COLUMNS, len(labs.times)) - 1], lang
                    ),
                ),
                key="labs_page",
            )
            st.caption(tr("labs.columns", shown=len(labs.shown), total=len(labs.times)))
        times = [c for c in labs.table.columns if c not in ROW_COLUMNS]
        lab_table = pd.DataFrame(
            {
                tr("labs.col.analyte"): labs.table["analyte"],
                tr("labs.col.unit"): labs.table["unit"],
                tr("labs.col.reference"): labs.table["reference"],
                tr("col.hospital"): labs.table["hospital_id"].map(
                    lambda h: hospital_name.get(h, h)
                ),
                **{c: labs.table[c] for c in times},
                tr("labs.col.ucum"): labs.table["ucum"].fillna(tr("labs.no_unit")),
            }
        )
        st.dataframe(
            lab_table,
            hide_index=True,
            column_config={
                tr("labs.col.ucum"): st.column_config.TextColumn(help=tr("labs.col.ucum_help"))
            },
        )
        st.caption(tr("labs.help"))
        csv_button(
            lab_table, "kumulativbefund.csv", key="csv_labs", user=user, page=PAGE, patients=whose
        )

with trend_tab:
    if points.empty:
        st.info(tr("trend.none"))
    else:
        points = points.assign(display=analyte_labels(points["code"], points["display"], lang))
        series = points.drop_duplicates(["code", "unit"])
        names = {
            (r.code, r.unit): f"{r.display} ({display_unit(r.unit) or tr('labs.no_unit')})"
            for r in series.itertuples(index=False)
        }
        chosen_series = choose_many(
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
                config=chart_config(),
                key=f"trend_{code}_{unit}_{lang}",
            )

with table_tab:
    stays_table = pd.DataFrame(
        {
            tr("col.hospital"): shown.stays["hospital_id"].map(lambda h: hospital_name.get(h, h)),
            tr("col.case_number"): shown.stays["case_number"].fillna("–"),
            tr("col.class"): label(shown.stays["class"], "timeline.class", tr),
            tr("col.department"): label(shown.stays["department"], "physician.department", tr),
            tr("col.status"): status_words(shown.stays["status"], "encounter", lang).fillna("–"),
            tr("col.start"): shown.stays["start"].map(lambda d: fmt_datetime(d, lang)),
            tr("col.end"): shown.stays["end"].map(lambda d: fmt_datetime(d, lang)),
        }
    )
    marks_table = pd.DataFrame(
        {
            tr("col.kind"): shown.marks["kind"].map(lambda k: tr(f"timeline.kind.{k}")),
            tr("col.code"): shown.marks["code"].fillna(""),
            tr("col.text"): shown.marks["display"].fillna(tr("timeline.no_display")),
            tr("col.detail"): shown.marks["detail"].fillna(""),
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
    st.dataframe(stays_table, hide_index=True, placeholder="–")
    csv_button(
        stays_table, "aufenthalte.csv", key="csv_stays", user=user, page=PAGE, patients=whose
    )
    st.markdown(f"**{tr('timeline.table.marks')}**")
    st.dataframe(marks_table, hide_index=True, placeholder="–")
    csv_button(marks_table, "eintraege.csv", key="csv_marks", user=user, page=PAGE, patients=whose)
