"""One vital sign or lab value over time as a plotly figure: points coloured by hospital, the
reference range as a band, abnormal values ringed in red."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from components.timeline_chart import ABNORMAL, SEVERAL, hospital_colours
from services.i18n import fmt_datetime, fmt_number
from services.lab_labels import display_unit

__all__ = ["hospital_trace", "local_times", "trend_figure"]

_BAND = "rgba(44, 160, 44, 0.12)"


def local_times(times: pd.Series) -> list:
    """Times as Berlin wall-clock time, the axis every chart of a record shares."""
    return pd.to_datetime(times).dt.tz_convert("Europe/Berlin").dt.tz_localize(None).to_numpy()


def _decimals(values: pd.Series) -> int:
    """As many decimals as the values carry, at most two."""
    for decimals in range(3):
        if ((values * 10**decimals).round() == values * 10**decimals).all():
            return decimals
    return 2


def trend_figure(
    points: pd.DataFrame,
    hospital_names: dict[str, str],
    translate: Callable[..., str],
    lang: str,
    colours: dict[str, str] | None = None,
) -> go.Figure:
    """The trend of one code in one unit (``services.domain.trends.trend_points`` rows)."""
    points = points.sort_values("effective")
    hospitals = list(dict.fromkeys(points["hospital_id"]))
    colours = colours or hospital_colours(hospitals)
    unit = (display_unit(points["unit"].iloc[0]) if not points.empty else None) or ""
    decimals = _decimals(points["value"].dropna().astype(float)) if not points.empty else 0
    figure = go.Figure()
    # Converted limits differ in the last digits (53.05 µmol/L is 0.59998 mg/dL): compare rounded.
    lows = points["ref_low"].dropna().astype(float).round(3).unique()
    highs = points["ref_high"].dropna().astype(float).round(3).unique()
    if len(lows) <= 1 and len(highs) <= 1 and (len(lows) or len(highs)):
        low = float(lows[0]) if len(lows) else float(points["value"].min())
        high = float(highs[0]) if len(highs) else float(points["value"].max())
        figure.add_hrect(y0=low, y1=high, fillcolor=_BAND, line_width=0, layer="below")
    elif len(lows) or len(highs):
        # Ranges differ between hospitals or over time: a band that follows each value's range.
        ranged = points[points["ref_low"].notna() | points["ref_high"].notna()]
        x = local_times(ranged["effective"])
        figure.add_trace(
            go.Scatter(
                x=x,
                y=ranged["ref_low"].astype(float),
                mode="lines",
                line_shape="hv",
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=ranged["ref_high"].astype(float),
                mode="lines",
                line_shape="hv",
                line={"width": 0},
                fill="tonexty",
                fillcolor=_BAND,
                hoverinfo="skip",
                name=translate("trend.reference"),
            )
        )
    for hospital in hospitals:
        figure.add_trace(
            hospital_trace(
                points[points["hospital_id"] == hospital],
                hospital_names.get(hospital, hospital),
                colours.get(hospital, SEVERAL),
                lambda value: f"{fmt_number(value, lang, decimals)} {unit}",
                translate,
                lang,
            )
        )
    title = points["display"].iloc[0] if not points.empty else ""
    figure.update_layout(
        title={"text": f"{title} ({unit})" if unit else title, "font": {"size": 14}},
        height=300,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.2},
        yaxis_title=unit,
        hovermode="closest",
    )
    figure.update_xaxes(type="date")
    return figure


def hospital_trace(
    rows: pd.DataFrame,
    name: str,
    colour: str,
    value_text: Callable[[float], str],
    translate: Callable[..., str],
    lang: str,
    small: bool = False,
    **trace: object,
) -> go.Scatter:
    """One hospital's points of one series: a line in the hospital's colour, abnormal values
    ringed in red and named in the hover text with time and hospital."""
    rows = rows.sort_values("effective")
    size, ring = (5, 2) if small else (7, 2.5)
    hover = [
        value_text(r.value).strip()
        + (f" ({translate('trend.abnormal')})" if r.abnormal else "")
        + f"<br>{fmt_datetime(r.effective, lang)}<br>{translate('col.hospital')}: {name}"
        for r in rows.itertuples(index=False)
    ]
    return go.Scatter(
        x=local_times(rows["effective"]),
        y=rows["value"].astype(float),
        mode="lines+markers",
        line={"color": colour, "width": 1},
        marker={
            "color": colour,
            "size": [size + 4 if a else size for a in rows["abnormal"]],
            "line": {"width": [ring if a else 0 for a in rows["abnormal"]], "color": ABNORMAL},
        },
        name=name,
        hovertext=hover,
        hoverinfo="text",
        **trace,
    )
