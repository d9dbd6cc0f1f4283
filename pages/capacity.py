"""Manager: beds now per facility, ward and bed category, the network at one glance, the last
90 days of occupancy, and the bed capacity reports (SANER MeasureReport, DIVI ICU summary)."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import streamlit as st

from components.capacity_charts import census_chart, occupancy_chart, png_config, traffic_light
from components.data import load
from components.guard import require
from components.kpi import kpi_row
from components.scope import now, places
from components.session import language, tr
from components.status import frame_banners
from services import queries
from services.domain.beds import bed_status_now, occupancy
from services.domain.census import (
    census_dates,
    daily_flows,
    daily_totals,
    midnight,
    midnight_census,
    ward_periods,
    window_encounters,
)
from services.domain.disclosure import aggregate_only
from services.domain.labels import label
from services.domain.reports import divi_icu_summary, saner_measure_report
from services.domain.stays import current_placements
from services.i18n import fmt_date, fmt_datetime, fmt_number, fmt_percent
from services.platform import FrameSet
from services.roles import Capability

TREND_DAYS = 90


def fetched(*reads: FrameSet) -> tuple:
    """What identifies the data behind some reads: which source delivered what, and when."""
    return tuple(
        sorted(
            (s.source, s.resource_type, s.fetched_at.isoformat()) for r in reads for s in r.stats
        )
    )


# The figures are cached per minute and per read, so a rerun (a click on a widget) only draws.
@st.cache_data(ttl=120, show_spinner=False)
def beds_at(
    key: tuple, minute: pd.Timestamp, _locations: pd.DataFrame, _stays: FrameSet
) -> pd.DataFrame:
    placed = current_placements(_stays["encounter"], _stays["encounter_location"], minute)
    return bed_status_now(_locations, placed)


@st.cache_data(ttl=120, show_spinner=False)
def figures_of(
    key: tuple,
    minute: pd.Timestamp,
    first: pd.Timestamp,
    hospitals: tuple,
    _beds: pd.DataFrame,
    _stays: FrameSet,
) -> dict[str, pd.DataFrame | int]:
    in_scope = _beds[_beds["hospital_id"].isin(hospitals)]
    days = census_dates(first, minute)
    periods = ward_periods(_stays["encounter"], _stays["encounter_location"])
    periods = periods[periods["ward_id"].isin(set(in_scope["ward_id"].dropna()))]
    service = occupancy(in_scope, [])
    in_service = int(service["total"].iloc[0] - service["closed"].iloc[0]) if len(service) else 0
    return {
        "detail": occupancy(in_scope, ["hospital_id", "ward_id", "bed_category", "age_group"]),
        "by_category": occupancy(in_scope, ["bed_category", "age_group"]),
        "in_service": in_service,
        "totals": daily_totals(
            midnight_census(periods, days), daily_flows(periods, days), in_service
        ),
    }


user = require(Capability.CAPACITY)
lang = language()
moment = now()
st.title(tr("page.capacity"))

locations, location_read = places(user.facilities)
org_read = load(queries.organizations(), "Organizations")
start = midnight(moment.date() - timedelta(days=TREND_DAYS - 1))
stay_read = load(window_encounters(start, user.facilities), "Encounters")
frame_banners(location_read, org_read, stay_read)
st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))

minute = moment.floor("min")
data_key = fetched(location_read, org_read, stay_read)
beds = beds_at(data_key, minute, locations, stay_read)
if beds.empty:
    st.info(tr("mgr.no_beds"))
    st.stop()

hospital_names = dict(
    zip(org_read["organization"]["id"], org_read["organization"]["name"], strict=True)
)
ward_names = dict(zip(locations["id"], locations["name"], strict=True))


def occupancy_text(values: pd.Series) -> pd.Series:
    return values.map(lambda v: fmt_percent(v, lang))


def light_text(values: pd.Series) -> pd.Series:
    return values.map(lambda v: tr(f"mgr.light.{traffic_light(v) or 'none'}"))


def csv_button(frame: pd.DataFrame, name: str, key: str) -> None:
    st.download_button(
        tr("download.csv"),
        aggregate_only(frame).to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key,
    )


# Network at one glance
network = occupancy(beds, []).iloc[0]
kpi_row(
    [
        (tr("col.total"), fmt_number(network["total"], lang)),
        (tr("col.occupied"), fmt_number(network["occupied"], lang)),
        (tr("col.free"), fmt_number(network["free"], lang)),
        (tr("col.blocked"), fmt_number(network["blocked"], lang)),
        (tr("col.occupancy"), fmt_percent(network["occupancy"], lang)),
    ],
    help_texts=[None, None, None, tr("mgr.help.blocked"), tr("mgr.help.occupancy")],
)

st.subheader(tr("mgr.overview"))
per_hospital = occupancy(beds, ["hospital_id"])
per_hospital["hospital"] = (
    per_hospital["hospital_id"].map(hospital_names).fillna(per_hospital["hospital_id"])
)
overview = pd.concat(
    [
        per_hospital,
        pd.DataFrame([{**network.to_dict(), "hospital": tr("network.total")}]),
    ],
    ignore_index=True,
)
overview_table = pd.DataFrame(
    {
        tr("col.hospital"): overview["hospital"],
        tr("col.total"): overview["total"],
        tr("col.occupied"): overview["occupied"],
        tr("col.free"): overview["free"],
        tr("col.blocked"): overview["blocked"],
        tr("col.occupancy"): occupancy_text(overview["occupancy"]),
        tr("mgr.col.light"): light_text(overview["occupancy"]),
    }
)
left, right = st.columns([3, 2])
left.dataframe(aggregate_only(overview_table), hide_index=True)
with left:
    csv_button(overview_table, "capacity-overview", "csv_overview")
chart_labels = {
    "title": tr("mgr.chart.occupancy_by_hospital"),
    "occupancy": tr("col.occupancy"),
    "percent": "{:.0f} %",
}
right.plotly_chart(
    occupancy_chart(overview.rename(columns={"hospital": "name"}), "name", chart_labels),
    config=png_config("capacity-overview"),
)
st.caption(tr("mgr.png_hint"))

# Per facility and ward, by bed category and age group
st.subheader(tr("mgr.by_ward"))
facilities = sorted(beds["hospital_id"].dropna().unique())
chosen = st.multiselect(
    tr("col.hospital"),
    facilities,
    default=facilities,
    format_func=lambda h: hospital_names.get(h, h),
    key="capacity_facilities",
)
figures = figures_of(data_key, minute, start, tuple(chosen), beds, stay_read)
detail = figures["detail"]
detail_table = pd.DataFrame(
    {
        tr("col.hospital"): detail["hospital_id"].map(hospital_names).fillna(detail["hospital_id"]),
        tr("col.ward"): detail["ward_id"].map(ward_names).fillna(detail["ward_id"]),
        tr("mgr.col.category"): label(detail["bed_category"], "bed_category", tr),
        tr("mgr.col.age_group"): label(detail["age_group"], "age_group", tr),
        tr("col.total"): detail["total"],
        tr("col.occupied"): detail["occupied"],
        tr("col.free"): detail["free"],
        tr("col.blocked"): detail["blocked"],
        tr("col.occupancy"): occupancy_text(detail["occupancy"]),
        tr("mgr.col.light"): light_text(detail["occupancy"]),
    }
)
st.dataframe(aggregate_only(detail_table), hide_index=True)
csv_button(detail_table, "capacity-wards", "csv_wards")

by_category = figures["by_category"]
category_table = pd.DataFrame(
    {
        tr("mgr.col.category"): label(by_category["bed_category"], "bed_category", tr),
        tr("mgr.col.age_group"): label(by_category["age_group"], "age_group", tr),
        tr("col.total"): by_category["total"],
        tr("col.occupied"): by_category["occupied"],
        tr("col.free"): by_category["free"],
        tr("col.blocked"): by_category["blocked"],
        tr("col.occupancy"): occupancy_text(by_category["occupancy"]),
        tr("mgr.col.light"): light_text(by_category["occupancy"]),
    }
)
st.markdown(f"**{tr('mgr.by_category')}**")
st.dataframe(aggregate_only(category_table), hide_index=True)
csv_button(category_table, "capacity-categories", "csv_categories")

# The last 90 days
st.subheader(tr("mgr.last_days", days=TREND_DAYS))
in_service = figures["in_service"]
totals = figures["totals"]
trend_labels = {
    "title": tr("mgr.chart.census"),
    "census": tr("mgr.col.census"),
    "occupancy": tr("col.occupancy"),
}
st.plotly_chart(census_chart(totals, trend_labels), config=png_config("capacity-census"))
trend_table = pd.DataFrame(
    {
        tr("mgr.col.date"): totals["date"].map(lambda d: fmt_date(d, lang)),
        tr("mgr.col.census"): totals["census"],
        tr("col.occupancy"): occupancy_text(totals["occupancy"]),
    }
)
csv_button(trend_table, "capacity-census", "csv_census")
st.caption(tr("mgr.help.census_denominator", beds=fmt_number(in_service, lang)))

# Reports
st.subheader(tr("mgr.reports"))
report_hospital = st.selectbox(
    tr("mgr.report_facility"),
    facilities,
    format_func=lambda h: hospital_names.get(h, h),
    key="report_facility",
)
report = saner_measure_report(
    beds, report_hospital, hospital_names.get(report_hospital, report_hospital), moment, moment
)
left, right = st.columns(2)
with left:
    st.markdown(f"**{tr('mgr.saner.title')}**")
    st.caption(tr("mgr.saner.help", day=fmt_date(moment, lang)))
    st.json(report, expanded=False)
    st.download_button(
        tr("download.json"),
        json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8"),
        file_name=f"{report['id']}.json",
        mime="application/fhir+json",
        key="saner_json",
    )
with right:
    st.markdown(f"**{tr('mgr.divi.title')}**")
    divi = divi_icu_summary(beds[beds["hospital_id"] == report_hospital])
    divi_table = pd.DataFrame(
        {
            tr("mgr.col.category"): divi["category"].map(lambda c: tr(f"mgr.divi.{c}")),
            tr("mgr.col.age_group"): label(divi["age_group"], "age_group", tr),
            tr("mgr.col.in_service"): divi["beds"],
            tr("col.occupied"): divi["occupied"],
            tr("col.free"): divi["free"],
            tr("col.blocked"): divi["blocked"],
        }
    )
    st.dataframe(aggregate_only(divi_table), hide_index=True)
    st.caption(tr("mgr.divi.help"))
    csv_button(divi_table, f"divi-{report_hospital}", "csv_divi")
