"""The cross-facility timeline as a plotly figure (no Streamlit here, so it can be tested alone).

Lanes from top to bottom: one per hospital with its stays as wide bars and the ward and bed periods
as narrower bars inside them; then one lane per kind of fact (diagnoses, procedures, medication
periods and administrations, orders, lab reports with their results, observations) with marks
coloured by hospital. A fact recorded at several hospitals is one diamond whose hover names all of
them. Items carry their names where space allows: bars inside, hidden where the name does not fit;
marks above them when the lane leaves room on both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from services.domain.timeline import MARK_KINDS, RESULT_SEPARATOR, Timeline
from services.i18n import fmt_datetime

__all__ = ["hospital_colours", "lane_rows", "roomy", "short_label", "timeline_figure"]

Translate = Callable[..., str]
SEVERAL = "#333333"
ABNORMAL = "#d62728"
_PALETTE = qualitative.Set2 + qualitative.Dark2
_MEDICATION_ROWS = 6
# Bar heights inside a hospital lane: the stay, its ward periods, its bed periods.
_WIDTH = {"stay": 0.8, "wa": 0.5, "ro": 0.35, "bd": 0.2}
# A mark is labelled when its lane leaves it this share of the shown time span to either side:
# about 100 px of a laptop-wide chart, room for a short label without touching the next one.
_LABEL_ROOM = 1 / 12
_LABEL_CHARS = 18
# Bar labels below this size are hidden (plotly's uniformtext): a name shows where it fits.
_LABEL_FONT = 10


def hospital_colours(hospitals: Sequence[str]) -> dict[str, str]:
    """A stable colour per hospital id, in the given order."""
    return {h: _PALETTE[n % len(_PALETTE)] for n, h in enumerate(hospitals)}


def lane_rows(starts: pd.Series, ends: pd.Series, rows: int = _MEDICATION_ROWS) -> list[int]:
    """Greedy packing of periods into rows so that overlapping periods sit side by side."""
    order = sorted(range(len(starts)), key=lambda i: starts.iloc[i])
    last_end: list[pd.Timestamp] = []
    assigned = [0] * len(starts)
    for i in order:
        start, end = starts.iloc[i], ends.iloc[i]
        row = next((r for r, busy in enumerate(last_end) if busy <= start), None)
        if row is None:
            if len(last_end) < rows:
                row = len(last_end)
                last_end.append(end)
            else:
                # More parallel periods than rows: share the row that frees up first.
                row = min(range(rows), key=lambda r: last_end[r])
        last_end[row] = max(last_end[row], end)
        assigned[i] = row
    return assigned


def short_label(text: str, chars: int = _LABEL_CHARS) -> str:
    """``text`` cut to ``chars`` characters, an ellipsis marking the cut."""
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def roomy(starts: pd.Series, span: pd.Timedelta) -> pd.Series:
    """Per mark of one lane: whether its neighbours are at least ``_LABEL_ROOM`` of ``span``
    away on both sides, so that a label beside it touches nothing."""
    if span <= pd.Timedelta(0):
        return pd.Series(len(starts) == 1, index=starts.index)
    ordered = starts.sort_values()
    room = span * _LABEL_ROOM
    before = ordered.diff().fillna(span) >= room
    after = (-ordered.diff(-1)).fillna(span) >= room
    return (before & after).reindex(starts.index)


def _local(times: pd.Series) -> list:
    """Berlin wall-clock times without offset: plotly.js draws dates without time zones."""
    return pd.to_datetime(times).dt.tz_convert("Europe/Berlin").dt.tz_localize(None).to_numpy()


def _duration_ms(start: pd.Series, end: pd.Series) -> list[float]:
    seconds = (end - start).dt.total_seconds().fillna(0).clip(lower=0)
    return (seconds * 1000).tolist()


def timeline_figure(
    timeline: Timeline,
    hospital_names: dict[str, str],
    translate: Translate,
    lang: str,
    colours: dict[str, str] | None = None,
    x_range: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> go.Figure:
    """The timeline figure; ``hospital_names`` maps hospital ids to what the lanes are called.
    ``x_range`` fixes the time axis (so that the vitals below share it); else it fits the data."""
    hospitals = timeline.hospitals
    colours = colours or hospital_colours(hospitals)
    name = {h: hospital_names.get(h, h) for h in hospitals}
    stay_lanes = [h for h in hospitals if h in set(timeline.stays["hospital_id"])]
    kinds = [k for k in MARK_KINDS if (timeline.marks["kind"] == k).any()]
    lanes = [name[h] for h in stay_lanes] + [translate(f"timeline.kind.{k}") for k in kinds]
    y_of_hospital = {h: n for n, h in enumerate(stay_lanes)}
    y_of_kind = {k: len(stay_lanes) + n for n, k in enumerate(kinds)}
    figure = go.Figure()
    shown_in_legend: set[str] = set()

    def legend_once(key: str) -> bool:
        first = key not in shown_in_legend
        shown_in_legend.add(key)
        return first

    _add_stays(figure, timeline, y_of_hospital, name, colours, translate, lang, legend_once)
    span = _span(timeline, x_range)
    for kind in kinds:
        marks = timeline.marks[timeline.marks["kind"] == kind]
        if kind == "medication":
            _add_medication(figure, marks, y_of_kind[kind], name, colours, translate, lang)
        else:
            labels = marks.apply(_mark_label, axis=1).where(roomy(marks["start"], span), "")
            _add_marks(
                figure, marks, labels, y_of_kind[kind], name, colours, translate, lang, legend_once
            )
    figure.update_layout(
        barmode="overlay",
        uniformtext={"minsize": _LABEL_FONT, "mode": "hide"},
        height=140 + 60 * max(1, len(lanes)),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.08, "yanchor": "top", "x": 0},
        hovermode="closest",
        dragmode="zoom",
    )
    figure.update_yaxes(
        tickmode="array",
        tickvals=list(range(len(lanes))),
        ticktext=lanes,
        autorange="reversed",
        range=[len(lanes) - 0.5, -0.5],
        fixedrange=True,
    )
    figure.update_xaxes(
        type="date",
        rangeselector={
            "buttons": [
                {"count": 7, "label": translate("timeline.zoom.week"), "step": "day"},
                {"count": 1, "label": translate("timeline.zoom.month"), "step": "month"},
                {"count": 3, "label": translate("timeline.zoom.quarter"), "step": "month"},
                {"label": translate("timeline.zoom.all"), "step": "all"},
            ]
        },
    )
    if x_range is not None:
        figure.update_xaxes(range=list(_local(pd.Series(list(x_range)))))
    return figure


def _span(timeline: Timeline, x_range: tuple[pd.Timestamp, pd.Timestamp] | None) -> pd.Timedelta:
    """The time span the chart shows: ``x_range``, else from the first to the last item."""
    if x_range is not None:
        return pd.Timestamp(x_range[1]) - pd.Timestamp(x_range[0])
    times = pd.concat(
        [timeline.stays["start"], timeline.stays["shown_end"], timeline.marks["start"]]
    ).dropna()
    return times.max() - times.min() if len(times) else pd.Timedelta(0)


def _add_stays(figure, timeline, y_of_hospital, name, colours, translate, lang, legend_once):
    stays = timeline.stays
    for hospital, rows in stays.groupby("hospital_id", sort=False):
        hover = [
            "<br>".join(
                [
                    f"<b>{translate('timeline.stay')}</b> · "
                    + translate(f"timeline.class.{r.klass}"),
                    f"{translate('col.hospital')}: {name.get(hospital, hospital)}",
                    f"{translate('timeline.case')}: {r.case_number}",
                    f"{fmt_datetime(r.start, lang)} – "
                    + (
                        fmt_datetime(r.end, lang) if pd.notna(r.end) else translate("timeline.open")
                    ),
                ]
            )
            for r in rows.rename(columns={"class": "klass"}).itertuples(index=False)
        ]
        figure.add_trace(
            go.Bar(
                orientation="h",
                base=_local(rows["start"]),
                x=_duration_ms(rows["start"], rows["shown_end"]),
                y=[y_of_hospital[hospital]] * len(rows),
                width=_WIDTH["stay"],
                marker={"color": colours.get(hospital, SEVERAL), "opacity": 0.35},
                name=name.get(hospital, hospital),
                legendgroup=hospital,
                showlegend=legend_once(hospital),
                hovertext=hover,
                hoverinfo="text",
            )
        )
    places = timeline.places[timeline.places["level"].isin(["wa", "bd"])]
    for (hospital, level), rows in places.groupby(["hospital_id", "level"], sort=False):
        hover = [
            f"<b>{translate(f'timeline.level.{level}')}</b>: {r.name}<br>"
            f"{fmt_datetime(r.start, lang)} – "
            + (fmt_datetime(r.end, lang) if pd.notna(r.end) else translate("timeline.open"))
            for r in rows.itertuples(index=False)
        ]
        figure.add_trace(
            go.Bar(
                orientation="h",
                base=_local(rows["start"]),
                x=_duration_ms(rows["start"], rows["shown_end"]),
                y=[y_of_hospital[hospital]] * len(rows),
                width=_WIDTH[level],
                marker={
                    "color": colours.get(hospital, SEVERAL),
                    "opacity": 0.65 if level == "wa" else 0.95,
                    "line": {"width": 0.5, "color": "white"},
                },
                name=translate(f"timeline.level.{level}"),
                legendgroup=hospital,
                showlegend=False,
                hovertext=hover,
                hoverinfo="text",
                # The ward's or bed's name inside its bar, hidden where it does not fit.
                text=rows["name"].map(lambda n: short_label(_words(n))).tolist(),
                textposition="inside",
                insidetextanchor="start",
                textfont={"size": _LABEL_FONT},
            )
        )


def _words(value: object) -> str:
    return value if isinstance(value, str) else ""


def _mark_label(row) -> str:
    """What a mark is called beside it: its display name, else its code; short."""
    return short_label(_words(row.display) or _words(row.code))


def _mark_hover(row, kind: str, name: dict[str, str], translate: Translate, lang: str) -> str:
    where = ", ".join(name.get(h, h) for h in row.hospitals)
    what = f"{_words(row.code)} {_words(row.display)}".strip() or translate("timeline.no_display")
    lines = [f"<b>{translate(f'timeline.kind.{kind}')}</b>: {what}"]
    if isinstance(row.detail, str) and row.detail:
        # A report lists its results, one per line.
        lines.append(
            row.detail.replace(RESULT_SEPARATOR, "<br>") if kind == "report" else row.detail
        )
    when = fmt_datetime(row.start, lang)
    if kind == "medication":
        end = fmt_datetime(row.end, lang) if pd.notna(row.end) else translate("timeline.open")
        when = f"{when} – {end}"
    lines.append(when)
    lines.append(f"{translate('col.hospital')}: {where}")
    if row.merged > 1:
        lines.append(translate("timeline.merged", count=row.merged))
    if row.abnormal:
        lines.append(translate("trend.abnormal"))
    return "<br>".join(lines)


def _add_marks(figure, marks, labels, y, name, colours, translate, lang, legend_once):
    several = marks["hospitals"].map(len) > 1
    groups = [
        (h, marks[~several & (marks["hospitals"].map(lambda hs, h=h: hs[0] == h))])
        for h in dict.fromkeys(h for hs in marks["hospitals"] for h in hs[:1])
    ]
    groups.append((None, marks[several]))
    for hospital, group in groups:
        colour = colours.get(hospital, SEVERAL) if hospital else SEVERAL
        key = hospital or "several"
        # Abnormal values get their own trace: one outline per trace validates far faster in
        # plotly than a colour per point.
        for abnormal in (False, True):
            rows = group[group["abnormal"] == abnormal]
            if rows.empty:
                continue
            figure.add_trace(
                go.Scatter(
                    x=_local(rows["start"]),
                    y=[y] * len(rows),
                    mode="markers+text",
                    text=labels.loc[rows.index].tolist(),
                    textposition="top center",
                    textfont={"size": _LABEL_FONT},
                    marker={
                        "color": colour,
                        "size": 11 if hospital is None else 9,
                        "symbol": "diamond" if hospital is None else "circle",
                        "line": {
                            "width": 2 if abnormal else 0.5,
                            "color": ABNORMAL if abnormal else "white",
                        },
                    },
                    name=name.get(hospital, hospital)
                    if hospital
                    else translate("timeline.several"),
                    legendgroup=key,
                    showlegend=legend_once(key),
                    hovertext=[
                        _mark_hover(r, r.kind, name, translate, lang)
                        for r in rows.itertuples(index=False)
                    ],
                    hoverinfo="text",
                )
            )


def _add_medication(figure, marks, y, name, colours, translate, lang):
    ends = marks["end"].where(marks["end"].notna(), marks["start"] + pd.Timedelta(days=1))
    rows = lane_rows(marks["start"].reset_index(drop=True), ends.reset_index(drop=True))
    count = max(rows, default=0) + 1
    height = 0.8 / count
    offsets = [y - 0.4 + height * (r + 0.5) for r in rows]
    colour = [
        SEVERAL if len(hs) > 1 else colours.get(hs[0], SEVERAL) if hs else SEVERAL
        for hs in marks["hospitals"]
    ]
    figure.add_trace(
        go.Bar(
            orientation="h",
            base=_local(marks["start"]),
            x=_duration_ms(marks["start"], ends),
            y=offsets,
            width=height * 0.85,
            marker={"color": colour, "opacity": 0.85},
            name=translate("timeline.kind.medication"),
            showlegend=False,
            # The drug inside its bar, hidden where it does not fit.
            text=marks.apply(_mark_label, axis=1).tolist(),
            textposition="inside",
            insidetextanchor="start",
            textfont={"size": _LABEL_FONT},
            hovertext=[
                _mark_hover(r, "medication", name, translate, lang)
                for r in marks.itertuples(index=False)
            ],
            hoverinfo="text",
        )
    )
