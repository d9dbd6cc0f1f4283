"""Vital signs under the timeline: one small panel per vital sign, all on the time axis of the
timeline figure above them, points coloured by hospital, abnormal values ringed and named in the
hover text."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.timeline_chart import SEVERAL, hospital_colours
from components.trend_chart import hospital_trace, local_times
from services.lab_labels import analyte_label, analyte_order, display_unit, shown_value

__all__ = ["vitals_figure"]

_ROW_HEIGHT = 110


def vitals_figure(
    points: pd.DataFrame,
    hospital_names: dict[str, str],
    translate: Callable[..., str],
    lang: str,
    colours: dict[str, str] | None = None,
    x_range: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> go.Figure:
    """Vital-sign points (``services.domain.trends.trend_points`` rows of category
    ``vital-signs``), one panel per code and unit, sharing ``x_range`` (the timeline's)."""
    series = (
        points[["code", "unit"]]
        .drop_duplicates()
        .assign(order=lambda f: f["code"].map(analyte_order))
        .sort_values(["order", "code", "unit"], kind="stable")
    )
    names = [
        f"{analyte_label(r.code, None, lang)} ({display_unit(r.unit) or translate('labs.no_unit')})"
        for r in series.itertuples(index=False)
    ]
    figure = make_subplots(
        rows=max(len(series), 1),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.35 / max(len(series), 1),
        subplot_titles=names,
    )
    hospitals = list(dict.fromkeys(points["hospital_id"]))
    colours = colours or hospital_colours(hospitals)
    shown_in_legend: set[str] = set()
    for row, (code, unit) in enumerate(zip(series["code"], series["unit"], strict=True), start=1):
        unit_text = display_unit(unit) or ""
        of_series = points[(points["code"] == code) & (points["unit"] == unit)]
        for hospital, rows in of_series.sort_values("effective").groupby("hospital_id", sort=False):
            figure.add_trace(
                hospital_trace(
                    rows,
                    hospital_names.get(hospital, hospital),
                    colours.get(hospital, SEVERAL),
                    lambda value, unit_text=unit_text: f"{shown_value(value, lang)} {unit_text}",
                    translate,
                    lang,
                    small=True,
                    legendgroup=hospital,
                    showlegend=hospital not in shown_in_legend,
                ),
                row=row,
                col=1,
            )
            shown_in_legend.add(hospital)
    figure.update_layout(
        height=60 + _ROW_HEIGHT * max(len(series), 1),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": -0.05, "yanchor": "top", "x": 0},
        hovermode="closest",
    )
    figure.update_annotations(font_size=12)
    figure.update_xaxes(type="date")
    if x_range is not None:
        figure.update_xaxes(range=[local_times(pd.Series(list(x_range)))[i] for i in (0, 1)])
    return figure
