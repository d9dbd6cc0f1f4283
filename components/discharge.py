"""The discharge flow of a ``DischargeView`` on screen: key figures, the wards, the weekly trend
and the long stays, each table with its CSV; the same for managers and for ward staff.

Managers' tables leave through ``manager_csv`` (aggregates only); the named list of ward staff
through ``csv_button`` with the patients it holds, so the download is audited as theirs.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.charts import chart_config
from components.export import csv_button
from components.kpi import kpi_row
from components.manager_tables import count_texts, manager_csv, percent_texts
from components.session import language, tr
from services.domain.labels import label
from services.i18n import fmt_date
from services.roles import User
from services.views.discharge import DischargeView

__all__ = ["discharge_figure", "render_discharge"]

# SAFER: a third of the discharges before noon.
NOON_TARGET = 1 / 3


def discharge_figure(weeks: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Both shares per week as lines, the before-noon target as a dashed line."""
    fig = go.Figure()
    for column, colour in (("planned_share", "#1565c0"), ("noon_share", "#2e7d32")):
        fig.add_scatter(
            x=weeks["week"],
            y=pd.to_numeric(weeks[column], errors="coerce").astype("float"),
            name=labels[column],
            mode="lines+markers",
            line={"color": colour},
        )
    fig.add_hline(
        y=NOON_TARGET,
        line_dash="dash",
        line_color="#9e9e9e",
        annotation_text=labels["target"],
    )
    fig.update_layout(
        title=labels["title"],
        yaxis={"title": labels["share"], "tickformat": ".0%", "range": [0, 1.05]},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h"},
    )
    return fig


def _export(frame: pd.DataFrame, name: str, user: User, page: str, view: DischargeView) -> None:
    if view.identified:
        csv_button(frame, f"{name}.csv", key=f"csv_{name}", user=user, page=page)
    else:
        manager_csv(frame, name, f"csv_{name}", user, page)


def _kpis(view: DischargeView) -> None:
    totals = view.totals.iloc[0]
    kpi_row(
        [
            (tr("dis.kpi.planned"), percent_texts(pd.Series([totals["planned_share"]])).iloc[0]),
            (tr("dis.kpi.noon"), percent_texts(pd.Series([totals["noon_share"]])).iloc[0]),
            (tr("dis.kpi.over_7"), count_texts(pd.Series([totals["over_7"]])).iloc[0]),
            (tr("dis.kpi.over_21"), count_texts(pd.Series([totals["over_21"]])).iloc[0]),
        ]
    )


def _ward_table(view: DischargeView) -> pd.DataFrame:
    wards = view.wards
    return pd.DataFrame(
        {
            tr("col.hospital"): wards["hospital"],
            tr("col.ward"): wards["ward"],
            tr("dis.col.admitted"): count_texts(wards["admitted"]),
            tr("dis.col.planned_share"): percent_texts(wards["planned_share"]),
            tr("dis.col.discharges"): count_texts(wards["discharges"]),
            tr("dis.col.noon_share"): percent_texts(wards["noon_share"]),
            tr("dis.col.inpatients"): count_texts(wards["inpatients"]),
            tr("dis.col.over_7"): count_texts(wards["over_7"]),
            tr("dis.col.over_21"): count_texts(wards["over_21"]),
        }
    )


def _week_table(view: DischargeView, lang: str) -> pd.DataFrame:
    weeks = view.weeks
    return pd.DataFrame(
        {
            tr("dis.col.week"): weeks["week"].map(lambda d: fmt_date(d, lang)),
            tr("dis.col.admitted"): count_texts(weeks["admitted"]),
            tr("dis.col.planned_share"): percent_texts(weeks["planned_share"]),
            tr("dis.col.discharges"): count_texts(weeks["discharges"]),
            tr("dis.col.noon_share"): percent_texts(weeks["noon_share"]),
        }
    )


def _stay_table(view: DischargeView, lang: str) -> pd.DataFrame:
    stays = view.stays
    leading = {}
    if view.identified:
        leading = {
            tr("col.patient"): stays["name"].fillna("–"),
            tr("col.birth_date"): stays["birth_date"].map(lambda d: fmt_date(d, lang)),
        }
    columns = {
        **leading,
        tr("col.hospital"): stays["hospital"],
        tr("col.ward"): stays["ward"],
        tr("col.department"): label(stays["department"], "physician.department", tr),
        tr("col.days"): stays["days"],
        tr("dis.col.over_21"): stays["over_21"].map(
            lambda v: tr("word.yes") if v else tr("word.no")
        ),
    }
    if view.identified:
        columns[tr("col.bed")] = stays["bed"].fillna("–")
        columns[tr("col.admitted")] = stays["start"].map(lambda d: fmt_date(d, lang))
        columns[tr("col.planned_discharge")] = stays["planned_end"].map(lambda d: fmt_date(d, lang))
    return pd.DataFrame(columns)


def render_discharge(view: DischargeView, user: User, page: str) -> None:
    """Everything the view holds, top to bottom."""
    lang = language()
    if view.wards.empty:
        st.info(tr("dis.no_wards"))
        return
    _kpis(view)
    admitted_from, admitted_to = view.admissions
    discharged_from, discharged_to = view.discharges
    st.caption(
        tr(
            "dis.periods",
            admitted_from=fmt_date(admitted_from, lang),
            admitted_to=fmt_date(admitted_to, lang),
            discharged_from=fmt_date(discharged_from, lang),
            discharged_to=fmt_date(discharged_to, lang),
        )
    )

    st.subheader(tr("dis.wards"))
    wards = _ward_table(view)
    st.dataframe(wards, hide_index=True, placeholder="–")
    _export(wards, "discharge-wards", user, page, view)
    undated = view.totals.iloc[0]["undated"]
    if not isinstance(undated, str) and undated > 0:
        st.caption(tr("dis.undated", count=undated))

    st.subheader(tr("dis.trend"))
    st.caption(tr("dis.trend_help"))
    labels = {
        "planned_share": tr("dis.kpi.planned"),
        "noon_share": tr("dis.kpi.noon"),
        "target": tr("dis.chart.target"),
        "title": tr("dis.chart.title"),
        "share": tr("dis.chart.share"),
    }
    st.plotly_chart(discharge_figure(view.weeks, labels), config=chart_config("discharge-weeks"))
    weeks = _week_table(view, lang)
    st.dataframe(weeks, hide_index=True, placeholder="–")
    _export(weeks, "discharge-weeks", user, page, view)

    st.subheader(tr("dis.stays"))
    st.caption(tr("dis.stays_named_help" if view.identified else "dis.stays_help"))
    if view.stays.empty:
        st.info(tr("dis.stays_none"))
        return
    stays = _stay_table(view, lang)
    st.dataframe(stays, hide_index=True, placeholder="–")
    if view.identified:
        csv_button(
            stays,
            "long-stays.csv",
            key="csv_long-stays",
            user=user,
            page=page,
            patients=view.stays[["source", "patient_id"]],
        )
    else:
        manager_csv(stays, "long-stays", "csv_long-stays", user, page)
