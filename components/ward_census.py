"""What a page that needs beds shows when the source reports wards only; stays left open."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from components.session import language, tr
from services.domain.disclosure import aggregate_only
from services.i18n import fmt_number
from services.views.common import ward_census

__all__ = ["census_without_beds", "stale_note", "wards_without_beds"]


def census_without_beds(census: pd.DataFrame) -> None:
    """Say that the source has no beds and show a view's ``ward_census`` instead."""
    st.info(tr("beds.none_reported"))
    if census.empty:
        st.info(tr("mgr.no_data"))
        return
    lang = language()
    table = pd.DataFrame(
        {
            tr("col.hospital"): census["hospital"],
            tr("col.ward"): census["ward"].fillna(tr("beds.no_ward")),
            tr("beds.ward_census"): census["patients"].map(lambda n: fmt_number(n, lang)),
        }
    )
    st.dataframe(aggregate_only(table.fillna("–")), hide_index=True, placeholder="–")


def wards_without_beds(
    placed: pd.DataFrame,
    locations: pd.DataFrame,
    hospital_names: Mapping[str, str] | None = None,
) -> None:
    """``census_without_beds`` of current placements."""
    census_without_beds(ward_census(placed, locations, dict(hospital_names or {})))


def stale_note(stale: pd.DataFrame) -> None:
    """One line on stays the source left open, which no count includes."""
    if stale.empty:
        return
    days = fmt_number(float(stale["limit_days"].min()), language())
    st.caption(tr("stays.stale", n=fmt_number(len(stale), language()), days=days))
