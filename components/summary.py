"""The patient summary (IPS) of one Patient record, one rendering for a server's document and an
assembled one: where it comes from, then each section in words or as a table.

A section with nothing in it says so in words: "nicht erfasst" when no entry says anything,
"keine bekannt" when the source states that none is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import orjson
import pandas as pd
import streamlit as st

from services.domain.summary import SummarySection, SummaryView
from services.i18n import fmt_date, fmt_datetime
from services.markdown import plain
from services.summary import SummaryResult

__all__ = ["summary_file_name", "summary_panel", "summary_table"]

Translate = Callable[..., str]
_KNOWN_SECTIONS = ("48765-2", "11450-4", "10160-0", "30954-2")


def summary_file_name(result: SummaryResult) -> str:
    """The JSON download's name: hospital (or source) and Patient id."""
    where = result.hospital_id or result.source
    return f"ips-{where}-{result.patient_id}.json".replace("/", "_")


def _words(row, tr: Translate) -> str:
    parts = []
    if isinstance(row.criticality, str):
        parts.append(tr(f"safety.criticality.{row.criticality}"))
    if row.verification in ("unconfirmed", "presumed", "provisional"):
        parts.append(tr(f"summary.verification.{row.verification}"))
    if isinstance(row.detail, str):
        parts.append(row.detail)
    return ", ".join(parts) or "–"


def summary_table(section: SummarySection, tr: Translate, lang: str) -> pd.DataFrame:
    """The rows of one section as the page shows them (translated column names)."""
    rows = section.rows
    return pd.DataFrame(
        {
            tr("col.text"): rows["text"],
            tr("col.code"): rows["code"].fillna("–"),
            tr("summary.col.details"): [_words(r, tr) for r in rows.itertuples(index=False)],
            tr("col.status"): rows["status"].fillna("–"),
            tr("summary.col.date"): rows["date"].map(lambda d: fmt_date(d, lang)),
        }
    )


def _title(section: SummarySection, tr: Translate) -> str:
    return (
        tr(f"summary.section.{section.code}") if section.code in _KNOWN_SECTIONS else section.title
    )


def summary_panel(
    result: SummaryResult,
    view: SummaryView,
    names: Mapping[str, str],
    tr: Translate,
    lang: str,
    on_download: Callable[[], None],
) -> None:
    """One record's summary: hospital and origin, each section, the JSON download."""
    hospital = names.get(result.hospital_id or "", result.hospital_id or result.source)
    st.subheader(tr("summary.from", hospital=plain(hospital)))
    if result.origin == "server":
        origin = tr(
            "summary.origin.server",
            date=fmt_datetime(view.date, lang),
            authors=plain(", ".join(view.authors) or "–"),
        )
        st.caption(origin)
    else:
        reason = (
            tr(
                result.error_key or "error.generic",
                source=result.source,
                detail=result.detail or "–",
            )
            if result.why == "failed"
            else ""
        )
        st.caption(
            tr("summary.origin.assembled") + " " + tr(f"summary.why.{result.why}", reason=reason)
        )
    for section in view.sections:
        st.markdown(f"**{plain(_title(section, tr))}**")
        if section.state == "not_recorded" and section.rows.empty:
            st.info(tr("summary.not_recorded"), icon=":material/help:")
        elif section.state == "none_known":
            st.success(tr("summary.none_known"))
        if not section.rows.empty:
            table = summary_table(section, tr, lang)
            st.dataframe(table, hide_index=True, placeholder="–")
    st.download_button(
        tr("summary.download"),
        orjson.dumps(result.bundle, option=orjson.OPT_INDENT_2),
        file_name=summary_file_name(result),
        mime="application/fhir+json",
        key=f"summary_json_{result.source}_{result.patient_id}",
        on_click=on_download,
    )
