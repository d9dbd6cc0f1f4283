"""Manager: occupancy for the next 7 days from planned discharges, expected admissions and
length of stay, with an uncertainty band calibrated on a 30-day backtest and that backtest's
error."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.capacity_charts import forecast_chart, png_config
from components.data import load
from components.guard import require
from components.scope import now, places
from components.session import language, tr
from components.status import frame_banners
from services import queries
from services.domain.beds import bed_status_now, occupancy
from services.domain.census import midnight, window_encounters
from services.domain.disclosure import aggregate_only
from services.domain.forecast import (
    MIN_RESIDUALS,
    backtest,
    backtest_error,
    calibrated_replay,
    forecast_census,
    inpatient_stays,
    stays_at,
)
from services.domain.stays import current_placements
from services.i18n import fmt_date, fmt_datetime, fmt_number, fmt_percent
from services.roles import Capability

HISTORY_DAYS = 90
HORIZON = 7
BACKTEST_DAYS = 30
NETWORK = ""


@st.cache_data(ttl=120, show_spinner=False)
def replay(
    stays: pd.DataFrame, moment: pd.Timestamp, since: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The backtest, and its forecasts with the band calibrated as it could have been then."""
    replayed = backtest(
        stays,
        moment,
        days=BACKTEST_DAYS,
        horizon=HORIZON,
        history_days=HISTORY_DAYS,
        complete_since=since,
    )
    return replayed, calibrated_replay(replayed)


user = require(Capability.CAPACITY)
lang = language()
moment = now()
st.title(tr("page.forecast"))

# The same window as the capacity page, so both read the same cache entry.
start = midnight(moment.date() - timedelta(days=HISTORY_DAYS - 1))
locations, location_read = places(user.facilities)
org_read = load(queries.organizations(), "Organizations")
stay_read = load(window_encounters(start, user.facilities), "Encounters")
frame_banners(location_read, org_read, stay_read)
st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))

hospital_names = dict(
    zip(org_read["organization"]["id"], org_read["organization"]["name"], strict=True)
)
encounters = stay_read["encounter"]
beds = bed_status_now(
    locations, current_placements(encounters, stay_read["encounter_location"], moment)
)
facilities = sorted(beds["hospital_id"].dropna().unique())
chosen = st.selectbox(
    tr("mgr.forecast.scope"),
    [NETWORK, *facilities],
    format_func=lambda h: hospital_names.get(h, h) if h else tr("network.total"),
    key="forecast_scope",
)
if chosen:
    encounters = encounters[encounters["hospital_id"] == chosen]
    beds = beds[beds["hospital_id"] == chosen]
stays = inpatient_stays(encounters)
if stays.empty or beds.empty:
    st.info(tr("mgr.no_data"))
    st.stop()
service = occupancy(beds, []).iloc[0]
in_service = int(service["total"] - service["closed"])

replayed, checked = replay(stays, moment.floor("h"), start)
coming = forecast_census(
    stays, moment, in_service, horizon=HORIZON, history_days=HISTORY_DAYS, replay=replayed
)
past_days = [moment.date() - timedelta(days=n) for n in range(BACKTEST_DAYS, -1, -1)]
history = pd.DataFrame({"date": past_days})
history["census"] = [int(stays_at(stays, midnight(d)).sum()) for d in past_days]
history["occupancy"] = history["census"] / in_service if in_service else pd.NA
st.plotly_chart(
    forecast_chart(
        history,
        coming,
        {
            "title": tr("mgr.chart.forecast"),
            "history": tr("mgr.forecast.history"),
            "expected": tr("mgr.forecast.expected"),
            "band": tr("mgr.forecast.band"),
            "occupancy": tr("col.occupancy"),
        },
    ),
    config=png_config("forecast"),
)
forecast_table = pd.DataFrame(
    {
        tr("mgr.col.date"): coming["date"].map(lambda d: fmt_date(d, lang)),
        tr("mgr.forecast.expected_census"): coming["expected"].map(
            lambda v: fmt_number(v, lang, 0)
        ),
        tr("mgr.forecast.range"): [
            f"{fmt_number(lo, lang)}–{fmt_number(hi, lang)}"
            for lo, hi in zip(coming["low"], coming["high"], strict=True)
        ],
        tr("mgr.forecast.expected"): coming["occupancy_expected"].map(
            lambda v: fmt_percent(v, lang)
        ),
        tr("mgr.forecast.band"): [
            f"{fmt_percent(lo, lang)}–{fmt_percent(hi, lang)}"
            for lo, hi in zip(coming["occupancy_low"], coming["occupancy_high"], strict=True)
        ],
        tr("mgr.forecast.planned"): coming["planned_stays"],
        tr("mgr.forecast.admissions"): coming["admissions"].map(lambda v: fmt_number(v, lang, 1)),
    }
)
st.dataframe(aggregate_only(forecast_table), hide_index=True)
st.download_button(
    tr("download.csv"),
    aggregate_only(forecast_table).to_csv(index=False).encode("utf-8"),
    file_name="forecast.csv",
    mime="text/csv",
    key="csv_forecast",
)
errors = backtest_error(replayed)
checked_errors = backtest_error(checked)
overall = errors[errors["horizon"] == 0]
band_notes = []
if coming["calibrated"].any():
    band_notes.append(
        tr("mgr.forecast.band_calibrated", model=fmt_percent(overall["coverage"].iloc[0], lang))
    )
    if not checked.empty:
        checked_overall = checked_errors[checked_errors["horizon"] == 0].iloc[0]
        band_notes.append(
            tr(
                "mgr.forecast.band_checked",
                coverage=fmt_percent(checked_overall["coverage"], lang),
                forecasts=fmt_number(checked_overall["forecasts"], lang),
            )
        )
if not coming["calibrated"].all():
    short = coming.loc[~coming["calibrated"], "horizon"]
    band_notes.append(
        tr("mgr.forecast.band_model", days=", ".join(map(str, short)), minimum=MIN_RESIDUALS)
    )
st.caption(" ".join([tr("mgr.forecast.method", beds=fmt_number(in_service, lang)), *band_notes]))

st.subheader(tr("mgr.backtest.title", days=BACKTEST_DAYS))
if overall.empty:
    st.info(tr("mgr.no_data"))
else:
    row = overall.iloc[0]
    st.markdown(
        tr(
            "mgr.backtest.summary",
            mae=fmt_number(row["mae"], lang, 1),
            mape=fmt_percent(row["mape"], lang, 1),
            coverage=fmt_percent(row["coverage"], lang),
            forecasts=fmt_number(row["forecasts"], lang),
        )
    )
    by_horizon = errors[errors["horizon"] > 0].merge(
        checked_errors[["horizon", "forecasts", "coverage"]],
        on="horizon",
        how="left",
        suffixes=("", "_calibrated"),
    )
    error_table = pd.DataFrame(
        {
            tr("mgr.backtest.horizon"): by_horizon["horizon"],
            tr("mgr.backtest.forecasts"): by_horizon["forecasts"],
            tr("mgr.backtest.mae"): by_horizon["mae"].map(lambda v: fmt_number(v, lang, 1)),
            tr("mgr.backtest.mape"): by_horizon["mape"].map(lambda v: fmt_percent(v, lang, 1)),
            tr("mgr.backtest.coverage"): by_horizon["coverage"].map(lambda v: fmt_percent(v, lang)),
            tr("mgr.backtest.calibrated"): by_horizon["forecasts_calibrated"].fillna(0).astype(int),
            tr("mgr.backtest.coverage_calibrated"): by_horizon["coverage_calibrated"].map(
                lambda v: fmt_percent(v, lang)
            ),
        }
    )
    st.dataframe(aggregate_only(error_table), hide_index=True)
    st.download_button(
        tr("download.csv"),
        aggregate_only(error_table).to_csv(index=False).encode("utf-8"),
        file_name="forecast-backtest.csv",
        mime="text/csv",
        key="csv_backtest",
    )
    st.caption(tr("mgr.backtest.method", minimum=MIN_RESIDUALS))
st.caption(tr("mgr.png_hint"))
