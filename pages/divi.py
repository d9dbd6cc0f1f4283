"""Manager and admin: one hospital's daily report to the DIVI Intensivregister from live data,
the operating situation as the manager records it, the SANER MeasureReport, and 30 days of
stored reports."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from components.audit import audit
from components.capacity_charts import divi_history_chart
from components.charts import chart_config
from components.choose import choose_one
from components.data import load, load_fresh
from components.guard import require_page
from components.kpi import kpi_row
from components.manager_tables import manager_csv
from components.scope import now, places, window_stays
from components.session import language, platform, settings, tr
from components.status import error_banner, frame_banners
from services import queries
from services.audit import AuditRecord
from services.domain.census import midnight
from services.domain.divi import LIMITS, OPERATING_SITUATIONS
from services.domain.labels import label
from services.domain.staffing import duty_roster
from services.domain.workload import nurse_roles
from services.errors import DataError
from services.i18n import fmt_date, fmt_datetime, fmt_number
from services.report_writes import operating_response, save_response, store_report
from services.views.divi import (
    HISTORY_DAYS,
    devices,
    divi_view,
    operating_answers,
    stored_reports,
    ventilations,
)
from services.views.staffing import duty_day, staffing_view

PAGE = "divi"
ICU = ("icu-high-care", "icu-low-care")

user = require_page(__file__)
lang = language()
moment = now()
st.title(tr("page.divi"))
st.caption(tr("divi.intro"))

locations, location_read = places(user.facilities)
org_read = load(queries.organizations(), "Organizations")
names = dict(zip(org_read["organization"]["id"], org_read["organization"]["name"], strict=True))
icu_beds = locations[(locations["physical_type"] == "bd") & locations["bed_category"].isin(ICU)]
facilities = sorted(icu_beds["hospital_id"].dropna().unique())
if not facilities:
    frame_banners(location_read, org_read)
    st.info(tr("divi.no_icu"))
    st.stop()
hospital = choose_one(
    tr("divi.facility"),
    facilities,
    format_func=lambda h: names.get(h, h),
    key="divi_facility",
)
day = duty_day(moment)
stay_read = window_stays(midnight(day), (hospital,))
device_read = load(devices(), "Devices")
# Small reads past every cache: the register's figures are those of now (a ventilation begun a
# minute ago counts), and a saved answer or report shows at once.
procedure_read = load_fresh(ventilations(), "Procedures")
answer_read = load_fresh(operating_answers(hospital), "QuestionnaireResponses")
report_read = load_fresh(stored_reports(hospital, moment), "MeasureReports")
role_read = load(nurse_roles(), "PractitionerRoles")
duty_read = load(duty_roster(midnight(day), midnight(day) + pd.Timedelta(days=1)), "Appointments")
reads = (location_read, org_read, stay_read, procedure_read, device_read, answer_read, report_read)
frame_banners(*reads, role_read, duty_read)
st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))

mine = locations[locations["hospital_id"] == hospital]
staffing = staffing_view(
    mine,
    org_read["organization"],
    stay_read["encounter"],
    stay_read["encounter_location"],
    duty_read["duty"],
    role_read["practitioner_role"],
    moment,
    day,
    settings().staffing_floors,
    settings().stale_stays,
)
short_now = bool((staffing.today["status"] == "not_met").any()) if staffing.has_roster else None
view = divi_view(
    hospital,
    mine,
    org_read["organization"],
    stay_read["encounter"],
    stay_read["encounter_location"],
    procedure_read["procedure"],
    stay_read.tables.get("encounter_contact"),
    device_read["device"],
    answer_read["questionnaire_response"],
    answer_read["questionnaire_answer"],
    report_read["measure_report"],
    report_read["measure_population"],
    moment,
    short_now,
    settings().stale_stays,
)

capacity = view.register["kapazitaeten"]
kpi_row(
    [
        (tr("divi.kpi.beds"), fmt_number(capacity["intensivBetten"], lang)),
        (tr("divi.kpi.occupied"), fmt_number(capacity["intensivBettenBelegt"], lang)),
        (tr("divi.kpi.invasive"), fmt_number(capacity["patientenInvasivBeatmet"], lang)),
        (tr("divi.kpi.ecmo"), fmt_number(capacity["patientenEcmo"], lang)),
        (tr("divi.kpi.reserve"), fmt_number(capacity["intensivBettenNotfall7d"], lang)),
    ],
    help_texts=[None, None, None, None, tr("divi.kpi.reserve_help")],
)


def csv(frame: pd.DataFrame, name: str) -> None:
    manager_csv(frame, f"{name}-{hospital}", f"csv_{name}", user, PAGE)


st.subheader(tr("divi.beds"))
summary = view.summary
beds_table = pd.DataFrame(
    {
        tr("mgr.col.category"): summary["category"].map(lambda c: tr(f"mgr.divi.{c}")),
        tr("mgr.col.age_group"): label(summary["age_group"], "age_group", tr),
        tr("mgr.col.in_service"): summary["beds"],
        tr("col.occupied"): summary["occupied"],
        tr("col.free"): summary["free"],
        tr("col.blocked"): summary["blocked"],
        tr("mgr.divi.status"): summary["status"].map(lambda s: tr(f"mgr.divi.status.{s}")),
    }
)
st.dataframe(beds_table, hide_index=True, placeholder="–")
st.caption(tr("divi.beds_help"))
csv(beds_table, "divi-beds")

left, right = st.columns(2)
with left:
    st.subheader(tr("divi.ventilation"))
    ventilation = view.ventilation
    ventilation_table = pd.DataFrame(
        {
            tr("divi.col.mode"): ventilation["mode"].map(lambda m: tr(f"divi.mode.{m}")),
            tr("mgr.col.age_group"): label(ventilation["age_group"], "age_group", tr),
            tr("divi.col.patients"): ventilation["patients"],
        }
    )
    st.dataframe(ventilation_table, hide_index=True, placeholder="–")
    st.caption(tr("divi.ventilation_help"))
    csv(ventilation_table, "divi-ventilation")
with right:
    st.subheader(tr("divi.capacity"))
    capacity_table = pd.DataFrame(
        {
            tr("divi.col.figure"): [tr(f"divi.capacity.{k}") for k in view.capacity],
            tr("divi.col.value"): list(view.capacity.values()),
        }
    )
    st.dataframe(capacity_table, hide_index=True, placeholder="–")
    csv(capacity_table, "divi-capacity")

# The operating situation: what the manager says, stored on the platform and audited.
st.subheader(tr("divi.situation"))
situation = view.situation
if situation["authored"] is None:
    st.info(tr("divi.situation.none"))
else:
    limits = ", ".join(tr(f"divi.limit.{x}") for x in situation["limits"])
    st.markdown(
        tr(
            "divi.situation.current",
            situation=tr(f"divi.situation.{situation['situation']}"),
            time=fmt_datetime(situation["authored"], lang),
            author=situation.get("author") or "–",
            limits=tr("divi.situation.limits", limits=limits) if limits else "",
        )
    )
source = str(mine["source"].iloc[0])


def _write(kind: str, resource: str) -> None:
    audit(AuditRecord(user=user, action=kind, page=PAGE, source=source, resource=resource))


with st.form("divi_situation"):
    st.markdown(f"**{tr('divi.form.title')}**")
    chosen = st.radio(
        tr("divi.situation"),
        OPERATING_SITUATIONS,
        index=OPERATING_SITUATIONS.index(situation["situation"]),
        format_func=lambda s: tr(f"divi.situation.{s}"),
        key="divi_situation_choice",
        horizontal=True,
    )
    st.caption(tr("divi.form.limits"))
    ticked = {
        x: st.checkbox(tr(f"divi.limit.{x}"), value=x in situation["limits"], key=f"divi_{x}")
        for x in LIMITS
    }
    soon = st.checkbox(
        tr("divi.form.soon"), value=bool(situation["shortage_soon"]), key="divi_soon"
    )
    saved = st.form_submit_button(tr("divi.form.save"))
if saved:
    reasons = tuple(x for x, on in ticked.items() if on)
    limited = chosen in ("TEILWEISE_EINGESCHRAENKT", "EINGESCHRAENKT")
    if limited and not reasons:
        st.warning(tr("divi.form.need_limit"))
    else:
        answer = operating_response(hospital, chosen, reasons, soon, user.name, now())
        try:
            save_response(platform().http(source), answer)
        except DataError as exc:
            error_banner(exc)
        else:
            _write("create", f"QuestionnaireResponse/{answer['id']}")
            st.success(tr("divi.form.saved"))
            st.rerun()

st.subheader(tr("divi.downloads"))
left, right = st.columns(2)
with left:
    st.download_button(
        tr("divi.register_json"),
        json.dumps(view.register, ensure_ascii=False, indent=2).encode("utf-8"),
        file_name=f"divi-{hospital}-{moment.date().isoformat()}.json",
        mime="application/json",
        key="divi_json",
    )
    st.json(view.register, expanded=False)
with right:
    st.download_button(
        tr("divi.saner_json"),
        json.dumps(view.saner, ensure_ascii=False, indent=2).encode("utf-8"),
        file_name=f"{view.saner['id']}.json",
        mime="application/fhir+json",
        key="saner_json",
    )
    st.caption(tr("divi.saner_help"))
if st.button(tr("divi.store"), key="divi_store"):
    try:
        store_report(platform().http(source), view.measure_report)
    except DataError as exc:
        error_banner(exc)
    else:
        _write("update", f"MeasureReport/{view.measure_report['id']}")
        st.success(tr("divi.stored"))

st.subheader(tr("divi.history", days=HISTORY_DAYS))
history = view.history
st.plotly_chart(
    divi_history_chart(
        history,
        {
            "title": tr("divi.chart.title"),
            **{c: tr(f"divi.col.{c}") for c in ("icu_beds", "icu_occupied", "invasive", "ecmo")},
        },
    ),
    config=chart_config("divi-history"),
)
history_table = pd.DataFrame(
    {
        tr("divi.col.date"): history["date"].map(lambda d: fmt_date(d, lang)),
        **{
            tr(f"divi.col.{c}"): history[c]
            for c in (
                "icu_beds",
                "icu_occupied",
                "icu_free",
                "ecmo_beds",
                "invasive",
                "non_invasive",
                "ecmo",
                "free_iv",
                "free_ecmo",
                "reserve_7d",
            )
        },
        tr("divi.col.situation"): history["situation"].map(lambda s: tr(f"divi.situation.{s}")),
        tr("divi.col.status_high"): history["status_icu-high-care"].map(
            lambda s: tr(f"mgr.divi.status.{s}")
        ),
    }
)
st.dataframe(history_table, hide_index=True, placeholder="–")
st.caption(tr("divi.history_help"))
csv(history_table, "divi-history")
