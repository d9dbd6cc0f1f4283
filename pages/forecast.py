"""Manager: free beds and occupancy expected for the next 7 days from planned discharges,
expected admissions and length of stay, with a likely range checked against the last 30 days."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.capacity_charts import forecast_chart
from components.charts import chart_config
from components.choose import choose_one
from components.data import load
from components.guard import require_page
from components.manager_tables import manager_csv, number_texts, percent_texts
from components.scope import now, places, window_stays
from components.session import language, settings, tr
from components.status import frame_banners
from components.ward_census import census_without_beds
from services import queries
from services.domain.census import midnight
from services.domain.forecast import MIN_RESIDUALS
from services.i18n import fmt_date, fmt_datetime, fmt_number, fmt_percent
from services.views.capacity import capacity_now
from services.views.forecast import BACKTEST_DAYS, HISTORY_DAYS, forecast_view, replay_backtest

NETWORK = ""
PAGE = "forecast"


@st.cache_data(ttl=120, show_spinner=False)
def replay(
    stays: pd.DataFrame, origin: pd.Timestamp, since: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    return replay_backtest(stays, origin, since)


user = require_page(__file__)
lang = language()
moment = now()
st.title(tr("page.forecast"))

# The same window as the capacity page, so both read the same cache entry.
start = midnight(moment.date() - timedelta(days=HISTORY_DAYS - 1))
locations, location_read = places(user.facilities)
org_read = load(queries.organizations(), "Organizations")
stay_read = window_stays(start, user.facilities)
frame_banners(location_read, org_read, stay_read)
st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))

encounters, entries = stay_read["encounter"], stay_read["encounter_location"]
beds = capacity_now(
    locations, org_read["organization"], encounters, entries, moment, settings().stale_stays
)
if not beds.has_beds:
    # Occupancy needs beds in service; the forecast of a bed-less source is left out.
    census_without_beds(beds.ward_census)
    st.stop()
chosen = choose_one(
    tr("mgr.forecast.scope"),
    [NETWORK, *beds.facilities],
    format_func=lambda h: beds.hospital_name(h) if h else tr("network.total"),
    key="forecast_scope",
)
view = forecast_view(beds, encounters, chosen, moment, start, replay, settings().stale_stays)
if view is None:
    st.info(tr("mgr.no_data"))
    st.stop()

coming = view.coming
free = view.free_beds
tomorrow = free[free["date"] == moment.date() + timedelta(days=1)]
if not tomorrow.empty:
    row = tomorrow.iloc[0]
    st.markdown(
        tr(
            "mgr.forecast.tomorrow",
            low=fmt_number(row["free_low"], lang),
            high=fmt_number(row["free_high"], lang),
            expected=fmt_number(row["free_expected"], lang),
            beds=fmt_number(view.in_service, lang),
        )
    )
    st.caption(tr("mgr.forecast.range_help"))
labels = {"title": tr("mgr.chart.forecast"), "occupancy": tr("col.occupancy")}
labels |= {k: tr(f"mgr.forecast.{k}") for k in ("history", "expected", "band")}
st.plotly_chart(forecast_chart(view.history, coming, labels), config=chart_config("forecast"))


def spans(low: pd.Series, high: pd.Series, fmt) -> list[str]:
    return [f"{fmt(lo, lang)}–{fmt(hi, lang)}" for lo, hi in zip(low, high, strict=True)]


forecast_table = pd.DataFrame(
    {
        tr("mgr.col.date"): coming["date"].map(lambda d: fmt_date(d, lang)),
        tr("mgr.forecast.free_range"): spans(free["free_low"], free["free_high"], fmt_number),
        tr("mgr.forecast.expected_census"): number_texts(coming["expected"]),
        tr("mgr.forecast.range"): spans(coming["low"], coming["high"], fmt_number),
        tr("mgr.forecast.expected"): percent_texts(coming["occupancy_expected"]),
        tr("mgr.forecast.band"): spans(
            coming["occupancy_low"], coming["occupancy_high"], fmt_percent
        ),
        tr("mgr.forecast.planned"): coming["planned_stays"],
        tr("mgr.forecast.admissions"): number_texts(coming["admissions"], 1),
    }
)
st.dataframe(forecast_table, hide_index=True, placeholder="–")
manager_csv(forecast_table, "forecast", "csv_forecast", user, PAGE)
band_notes = []
if coming["calibrated"].any():
    model = fmt_percent(view.overall["coverage"].iloc[0], lang)
    band_notes.append(tr("mgr.forecast.band_calibrated", model=model))
    if not view.checked_overall.empty:
        checked = view.checked_overall.iloc[0]
        coverage = fmt_percent(checked["coverage"], lang)
        forecasts = fmt_number(checked["forecasts"], lang)
        band_notes.append(tr("mgr.forecast.band_checked", coverage=coverage, forecasts=forecasts))
if not coming["calibrated"].all():
    short = ", ".join(map(str, coming.loc[~coming["calibrated"], "horizon"]))
    band_notes.append(tr("mgr.forecast.band_model", days=short, minimum=MIN_RESIDUALS))
method = tr("mgr.forecast.method", beds=fmt_number(view.in_service, lang))
st.caption(" ".join([method, *band_notes]))

st.subheader(tr("mgr.backtest.title", days=BACKTEST_DAYS))
if view.overall.empty:
    st.info(tr("mgr.no_data"))
else:
    row = view.overall.iloc[0]
    summary = {
        "mae": fmt_number(row["mae"], lang, 1),
        "mape": fmt_percent(row["mape"], lang, 1),
        "coverage": fmt_percent(row["coverage"], lang),
        "forecasts": fmt_number(row["forecasts"], lang),
    }
    st.markdown(tr("mgr.backtest.summary", **summary))
    errors = view.by_horizon
    error_table = pd.DataFrame(
        {
            tr("mgr.backtest.horizon"): errors["horizon"],
            tr("mgr.backtest.forecasts"): errors["forecasts"],
            tr("mgr.backtest.mae"): number_texts(errors["mae"], 1),
            tr("mgr.backtest.mape"): errors["mape"].map(lambda v: fmt_percent(v, lang, 1)),
            tr("mgr.backtest.coverage"): percent_texts(errors["coverage"]),
            tr("mgr.backtest.calibrated"): errors["forecasts_calibrated"],
            tr("mgr.backtest.coverage_calibrated"): percent_texts(errors["coverage_calibrated"]),
        }
    )
    st.dataframe(error_table, hide_index=True, placeholder="–")
    manager_csv(error_table, "forecast-backtest", "csv_backtest", user, PAGE)
    st.caption(tr("mgr.backtest.method", minimum=MIN_RESIDUALS))
st.caption(tr("mgr.png_hint"))
