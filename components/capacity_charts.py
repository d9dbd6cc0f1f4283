"""Plotly figures of the manager pages, and the occupancy traffic light.

Every builder takes DataFrames and already translated labels and returns a ``go.Figure``, so the
figures can be tested without Streamlit. The PNG of each figure comes from plotly's toolbar
(camera icon), configured by ``components.charts.chart_config``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from services.domain.disclosure import mask_small

__all__ = [
    "AMBER_FROM",
    "COLOURS",
    "RED_ABOVE",
    "census_chart",
    "completion_trend_chart",
    "divi_history_chart",
    "flows_chart",
    "forecast_chart",
    "length_of_stay_chart",
    "occupancy_chart",
    "traffic_light",
    "weekday_chart",
    "workload_chart",
]

# The one place of the occupancy thresholds: green below 85 %, amber 85-95 %, red above 95 %.
AMBER_FROM = 0.85
RED_ABOVE = 0.95
COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", None: "#9e9e9e"}
_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 50, "b": 10}, "legend": {"orientation": "h"}}


def traffic_light(occupancy: float | None) -> str | None:
    """'green', 'amber' or 'red' for an occupancy share; None when unknown."""
    if occupancy is None or pd.isna(occupancy):
        return None
    if occupancy > RED_ABOVE:
        return "red"
    if occupancy >= AMBER_FROM:
        return "amber"
    return "green"


def _thresholds(fig: go.Figure, horizontal: bool = False) -> None:
    for value, colour in ((AMBER_FROM, COLOURS["amber"]), (RED_ABOVE, COLOURS["red"])):
        line = {"color": colour, "dash": "dot", "width": 1}
        if horizontal:
            fig.add_vline(x=value, line=line)
        else:
            fig.add_hline(y=value, line=line)


def _bar_text(value: float | None, labels: Mapping[str, str]) -> str:
    """'97 %', and the traffic light's word when ``labels`` has ``light.<colour>`` entries: the
    bar's colour is never the only sign of how full a hospital is."""
    if value is None or pd.isna(value):
        return "–"
    text = labels["percent"].format(value * 100)
    word = labels.get(f"light.{traffic_light(value)}")
    return f"{text} · {word}" if word else text


def occupancy_chart(table: pd.DataFrame, name: str, labels: Mapping[str, str]) -> go.Figure:
    """Occupancy per row of ``table`` (columns ``name`` and ``occupancy``) as traffic-light bars."""
    values = table["occupancy"].astype("Float64")
    colours = [COLOURS[traffic_light(v)] for v in values]
    fig = go.Figure(
        go.Bar(
            x=values.fillna(0).to_numpy(dtype=float),
            y=table[name].astype("str"),
            orientation="h",
            marker_color=colours,
            text=[_bar_text(v, labels) for v in values],
            textposition="auto",
            name=labels["occupancy"],
        )
    )
    _thresholds(fig, horizontal=True)
    fig.update_layout(
        title=labels["title"],
        xaxis={"tickformat": ".0%", "range": [0, 1.05], "title": labels["occupancy"]},
        yaxis={"autorange": "reversed"},
        height=max(250, 40 * len(table) + 100),
        **_LAYOUT,
    )
    return fig


def census_chart(totals: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Midnight census per day (bars) and occupancy (line, right axis) with the thresholds."""
    fig = go.Figure()
    fig.add_bar(x=totals["date"], y=totals["census"], name=labels["census"], marker_color="#90a4ae")
    if totals["occupancy"].notna().any():
        fig.add_scatter(
            x=totals["date"],
            y=totals["occupancy"].astype("float"),
            name=labels["occupancy"],
            yaxis="y2",
            mode="lines",
            line={"color": "#1565c0"},
        )
        for value, colour in ((AMBER_FROM, COLOURS["amber"]), (RED_ABOVE, COLOURS["red"])):
            fig.add_hline(y=value, yref="y2", line={"color": colour, "dash": "dot", "width": 1})
    fig.update_layout(
        title=labels["title"],
        yaxis={"title": labels["census"]},
        yaxis2={
            "title": labels["occupancy"],
            "overlaying": "y",
            "side": "right",
            "tickformat": ".0%",
            "rangemode": "tozero",
        },
        **_LAYOUT,
    )
    return fig


def divi_history_chart(history: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """The DIVI report per day: operable and occupied ICU beds (bars), ventilated invasively and
    on ECMO (lines)."""
    fig = go.Figure()
    for column, colour in (("icu_beds", "#cfd8dc"), ("icu_occupied", "#90a4ae")):
        fig.add_bar(x=history["date"], y=history[column], name=labels[column], marker_color=colour)
    for column, colour in (("invasive", "#1565c0"), ("ecmo", "#c62828")):
        fig.add_scatter(
            x=history["date"],
            y=history[column],
            name=labels[column],
            mode="lines+markers",
            line={"color": colour},
        )
    fig.update_layout(title=labels["title"], barmode="overlay", **_LAYOUT)
    return fig


def flows_chart(totals: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Admissions, discharges and transfers per day; counts below 5 are left out (gaps)."""
    fig = go.Figure()
    for column, colour in (
        ("admissions", "#2e7d32"),
        ("discharges", "#6a1b9a"),
        ("transfers_in", "#ef6c00"),
        ("hospital_transfers", "#00838f"),
    ):
        if column in totals:
            fig.add_scatter(
                x=totals["date"],
                y=mask_small(totals[column]).astype("float"),
                name=labels[column],
                mode="lines+markers",
                line={"color": colour},
                marker={"size": 4},
            )
    fig.update_layout(title=labels["title"], yaxis={"title": labels["count"]}, **_LAYOUT)
    return fig


def length_of_stay_chart(los: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Median (bar) and mean (marker) length of stay per group in column ``label``."""
    fig = go.Figure()
    fig.add_bar(
        x=los["label"],
        y=los["median_days"].astype("float"),
        name=labels["median"],
        marker_color="#5c6bc0",
    )
    fig.add_scatter(
        x=los["label"],
        y=los["mean_days"].astype("float"),
        name=labels["mean"],
        mode="markers",
        marker={"color": "#ef6c00", "size": 10, "symbol": "diamond"},
    )
    fig.update_layout(title=labels["title"], yaxis={"title": labels["days"]}, **_LAYOUT)
    return fig


def weekday_chart(pattern: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Mean admissions and discharges per weekday (``label`` holds the weekday names)."""
    fig = go.Figure()
    fig.add_bar(x=pattern["label"], y=pattern["admissions"], name=labels["admissions"])
    fig.add_bar(x=pattern["label"], y=pattern["discharges"], name=labels["discharges"])
    fig.update_layout(
        title=labels["title"], barmode="group", yaxis={"title": labels["per_day"]}, **_LAYOUT
    )
    return fig


def workload_chart(frame: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Open and overdue tasks per ward (``ward``) stacked by shift (``shift_label``)."""
    fig = go.Figure()
    for shift, part in frame.groupby("shift_label", sort=False):
        fig.add_bar(x=part["ward"], y=part["open"], name=f"{labels['open']} · {shift}")
    overdue = frame.groupby("ward", sort=False)["overdue"].sum().reset_index()
    fig.add_scatter(
        x=overdue["ward"],
        y=overdue["overdue"],
        name=labels["overdue"],
        mode="markers",
        marker={"color": COLOURS["red"], "size": 12, "symbol": "x"},
    )
    fig.update_layout(
        title=labels["title"], barmode="stack", yaxis={"title": labels["count"]}, **_LAYOUT
    )
    return fig


def completion_trend_chart(trend: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Median minutes to complete per day (line) and tasks completed (bars, right axis)."""
    fig = go.Figure()
    fig.add_bar(
        x=trend["date"],
        y=trend["completed"],
        name=labels["completed"],
        yaxis="y2",
        marker_color="#cfd8dc",
    )
    fig.add_scatter(
        x=trend["date"],
        y=trend["median_minutes"].astype("float"),
        name=labels["median"],
        mode="lines+markers",
        line={"color": "#1565c0"},
    )
    fig.update_layout(
        title=labels["title"],
        yaxis={"title": labels["minutes"], "rangemode": "tozero"},
        yaxis2={"title": labels["completed"], "overlaying": "y", "side": "right"},
        **_LAYOUT,
    )
    return fig


def forecast_chart(
    history: pd.DataFrame, forecast: pd.DataFrame, labels: Mapping[str, str]
) -> go.Figure:
    """Past occupancy, the expected occupancy of the next days and its band."""
    fig = go.Figure()
    fig.add_scatter(
        x=history["date"],
        y=history["occupancy"].astype("float"),
        name=labels["history"],
        mode="lines",
        line={"color": "#455a64"},
    )
    fig.add_scatter(
        x=list(forecast["date"]) + list(forecast["date"])[::-1],
        y=list(forecast["occupancy_high"].astype("float"))
        + list(forecast["occupancy_low"].astype("float"))[::-1],
        fill="toself",
        fillcolor="rgba(21,101,192,0.2)",
        line={"width": 0},
        name=labels["band"],
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=forecast["date"],
        y=forecast["occupancy_expected"].astype("float"),
        name=labels["expected"],
        mode="lines+markers",
        line={"color": "#1565c0", "dash": "dash"},
    )
    _thresholds(fig)
    fig.update_layout(
        title=labels["title"], yaxis={"title": labels["occupancy"], "tickformat": ".0%"}, **_LAYOUT
    )
    return fig
