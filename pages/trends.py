"""Manager: patient flow over a chosen window: midnight census and occupancy, admissions,
discharges, transfers between wards and hospitals, length of stay, the weekday pattern."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.capacity_charts import (
    census_chart,
    flows_chart,
    length_of_stay_chart,
    png_config,
    weekday_chart,
)
from components.data import load
from components.guard import require
from components.scope import now, places
from components.session import language, tr
from components.status import frame_banners
from services import queries
from services.domain.beds import bed_status_now, occupancy
from services.domain.census import (
    census_dates,
    daily_flows,
    daily_totals,
    hospital_transfers,
    length_of_stay,
    midnight,
    midnight_census,
    ward_periods,
    ward_transfers,
    weekday_pattern,
    window_encounters,
)
from services.domain.disclosure import aggregate_only, hide_small_groups, small_counts
from services.domain.labels import label
from services.domain.stays import current_placements
from services.i18n import fmt_date, fmt_number, fmt_percent
from services.roles import Capability

user = require(Capability.CAPACITY)
lang = language()
moment = now()
st.title(tr("page.trends"))

window = st.slider(tr("mgr.window"), 14, 180, 90, step=1, key="trend_window")
start = midnight(moment.date() - timedelta(days=window - 1))
locations, location_read = places(user.facilities)
org_read = load(queries.organizations(), "Organizations")
stay_read = load(window_encounters(start, user.facilities), "Encounters")
frame_banners(location_read, org_read, stay_read)

encounters, enc_locations = stay_read["encounter"], stay_read["encounter_location"]
hospital_names = dict(
    zip(org_read["organization"]["id"], org_read["organization"]["name"], strict=True)
)
ward_names = dict(zip(locations["id"], locations["name"], strict=True))
wards = locations[locations["physical_type"] == "wa"]
facilities = sorted(wards["hospital_id"].dropna().unique())
left, right = st.columns(2)
chosen = left.multiselect(
    tr("col.hospital"),
    facilities,
    default=facilities,
    format_func=lambda h: hospital_names.get(h, h),
    key="trend_facilities",
)
ward_options = sorted(wards[wards["hospital_id"].isin(chosen)]["id"])
chosen_wards = right.multiselect(
    tr("col.ward"),
    ward_options,
    format_func=lambda w: ward_names.get(w, w),
    placeholder=tr("mgr.all_wards"),
    key="trend_wards",
)
ward_set = set(chosen_wards or ward_options)

days = census_dates(start, moment)
periods = ward_periods(encounters, enc_locations)
periods = periods[periods["ward_id"].isin(ward_set)]
census = midnight_census(periods, days)
flows = daily_flows(periods, days)
beds = bed_status_now(locations, current_placements(encounters, enc_locations, moment))
service = occupancy(beds[beds["ward_id"].isin(ward_set)], [])
in_service = int(service["total"].iloc[0] - service["closed"].iloc[0]) if not service.empty else 0
totals = daily_totals(census, flows, in_service)
between = hospital_transfers(encounters[encounters["hospital_id"].isin(chosen)], days)
per_day = between.groupby("date")[["transfers_in", "transfers_out"]].sum()
totals["hospital_transfers"] = (
    totals["date"].map(per_day["transfers_in"] + per_day["transfers_out"]).fillna(0).astype("int64")
)

if totals.empty:
    st.info(tr("mgr.no_data"))
    st.stop()


def csv_button(frame: pd.DataFrame, name: str) -> None:
    st.download_button(
        tr("download.csv"),
        aggregate_only(frame).to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv_{name}",
    )


def count_text(value: object) -> str:
    return fmt_number(value, lang)


# Census and occupancy
st.plotly_chart(
    census_chart(
        totals,
        {
            "title": tr("mgr.chart.census"),
            "census": tr("mgr.col.census"),
            "occupancy": tr("col.occupancy"),
        },
    ),
    config=png_config("trend-census"),
)
st.caption(tr("mgr.help.census_denominator", beds=fmt_number(in_service, lang)))

# Flows
flow_columns = ["admissions", "discharges", "transfers_in", "hospital_transfers"]
st.plotly_chart(
    flows_chart(
        totals,
        {
            "title": tr("mgr.chart.flows"),
            "count": tr("mgr.col.count"),
            "admissions": tr("mgr.col.admissions"),
            "discharges": tr("mgr.col.discharges"),
            "transfers_in": tr("mgr.col.ward_transfers"),
            "hospital_transfers": tr("mgr.col.hospital_transfers"),
        },
    ),
    config=png_config("trend-flows"),
)
st.caption(tr("mgr.help.small_counts"))
daily_table = small_counts(
    pd.DataFrame(
        {
            tr("mgr.col.date"): totals["date"].map(lambda d: fmt_date(d, lang)),
            tr("mgr.col.census"): totals["census"],
            tr("col.occupancy"): totals["occupancy"].map(lambda v: fmt_percent(v, lang)),
            tr("mgr.col.admissions"): totals["admissions"],
            tr("mgr.col.discharges"): totals["discharges"],
            tr("mgr.col.ward_transfers"): totals["transfers_in"],
            tr("mgr.col.hospital_transfers"): totals["hospital_transfers"],
        }
    ),
    [tr(f"mgr.col.{c}") for c in ("admissions", "discharges", "ward_transfers")]
    + [tr("mgr.col.hospital_transfers")],
    count_text,
)
with st.expander(tr("mgr.table_per_day")):
    st.dataframe(aggregate_only(daily_table), hide_index=True)
csv_button(daily_table, "trend-days")

per_ward = flows.groupby("ward_id")[
    ["admissions", "discharges", "transfers_in", "transfers_out"]
].sum()
per_ward = per_ward.join(census.groupby("ward_id")["census"].mean().rename("mean_census"))
per_ward = per_ward.reset_index()
ward_table = small_counts(
    pd.DataFrame(
        {
            tr("col.ward"): per_ward["ward_id"].map(ward_names).fillna(per_ward["ward_id"]),
            tr("mgr.col.mean_census"): per_ward["mean_census"].map(
                lambda v: fmt_number(v, lang, 1)
            ),
            tr("mgr.col.admissions"): per_ward["admissions"],
            tr("mgr.col.discharges"): per_ward["discharges"],
            tr("mgr.col.transfers_in"): per_ward["transfers_in"],
            tr("mgr.col.transfers_out"): per_ward["transfers_out"],
        }
    ),
    [tr(f"mgr.col.{c}") for c in ("admissions", "discharges", "transfers_in", "transfers_out")],
    count_text,
)
st.markdown(f"**{tr('mgr.per_ward', days=len(days))}**")
st.dataframe(aggregate_only(ward_table), hide_index=True)
csv_button(ward_table, "trend-wards")

moves = ward_transfers(periods, days)
moves = moves[moves["to_ward"].isin(ward_set) | moves["from_ward"].isin(ward_set)]
routes = moves.groupby(["from_ward", "to_ward"])["transfers"].sum().reset_index()
if not routes.empty:
    route_table = small_counts(
        pd.DataFrame(
            {
                tr("mgr.col.from_ward"): routes["from_ward"]
                .map(ward_names)
                .fillna(routes["from_ward"]),
                tr("mgr.col.to_ward"): routes["to_ward"].map(ward_names).fillna(routes["to_ward"]),
                tr("mgr.col.count"): routes["transfers"],
            }
        ).sort_values(tr("mgr.col.count"), ascending=False),
        [tr("mgr.col.count")],
        count_text,
    )
    st.markdown(f"**{tr('mgr.routes')}**")
    st.dataframe(aggregate_only(route_table), hide_index=True)
    csv_button(route_table, "trend-ward-transfers")

# Length of stay by department
st.subheader(tr("mgr.los"))
in_wards = set(periods["encounter_id"])
stays = encounters[encounters["id"].isin(in_wards)]
los = length_of_stay(stays, start, moment)
los["label"] = label(los["department"], "mgr.department", tr)
shown_los = hide_small_groups(los, "stays", ["mean_days", "median_days", "p90_days"])
st.plotly_chart(
    length_of_stay_chart(
        shown_los,
        {
            "title": tr("mgr.chart.los"),
            "median": tr("mgr.col.median_days"),
            "mean": tr("mgr.col.mean_days"),
            "days": tr("col.days"),
        },
    ),
    config=png_config("trend-length-of-stay"),
)
los_table = pd.DataFrame(
    {
        tr("col.department"): shown_los["label"],
        tr("mgr.col.stays"): shown_los["stays"],
        tr("mgr.col.mean_days"): shown_los["mean_days"].map(lambda v: fmt_number(v, lang, 1)),
        tr("mgr.col.median_days"): shown_los["median_days"].map(lambda v: fmt_number(v, lang, 1)),
        tr("mgr.col.p90_days"): shown_los["p90_days"].map(lambda v: fmt_number(v, lang, 1)),
    }
)
st.dataframe(aggregate_only(los_table), hide_index=True)
csv_button(los_table, "trend-length-of-stay")

# Weekday pattern
st.subheader(tr("mgr.weekdays"))
pattern = weekday_pattern(totals)
pattern["label"] = [tr(f"mgr.weekday.{n}") for n in pattern["weekday"]]
st.plotly_chart(
    weekday_chart(
        pattern,
        {
            "title": tr("mgr.chart.weekdays"),
            "admissions": tr("mgr.col.admissions"),
            "discharges": tr("mgr.col.discharges"),
            "per_day": tr("mgr.col.per_day"),
        },
    ),
    config=png_config("trend-weekdays"),
)
weekday_table = pd.DataFrame(
    {
        tr("mgr.col.weekday"): pattern["label"],
        tr("mgr.col.admissions"): pattern["admissions"].map(lambda v: fmt_number(v, lang, 1)),
        tr("mgr.col.discharges"): pattern["discharges"].map(lambda v: fmt_number(v, lang, 1)),
        tr("mgr.col.census"): pattern["census"].map(lambda v: fmt_number(v, lang, 1)),
        tr("mgr.col.days_counted"): pattern["days"],
    }
)
st.dataframe(aggregate_only(weekday_table), hide_index=True)
csv_button(weekday_table, "trend-weekdays")
st.caption(tr("mgr.png_hint"))
