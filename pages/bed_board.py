"""Bed board of a ward: every bed with its status, who lies in it, and the work waiting there."""

from __future__ import annotations

import streamlit as st

from components.bed_board import board_table, render_board, status_summary
from components.data import TTL
from components.guard import require
from components.scope import now, stays
from components.session import language, tr
from components.status import frame_banners
from components.task_table import ward_tasks
from components.ward_choice import choose_ward
from services.domain.bed_board import free_by_category, status_counts, ward_beds
from services.i18n import fmt_datetime
from services.roles import Capability

REFRESH_SECONDS = TTL["Task"]

# Managers hold bed counts only (on their capacity pages); this board names patients.
user = require(Capability.BED_BOARD)
st.title(tr("page.bed_board"))

ward_id, wards, locations, location_read = choose_ward(user)
as_table = st.toggle(tr("beds.table"), key="nurse.beds.as_table")
scope = tuple(wards["id"])


@st.fragment(run_every=REFRESH_SECONDS)
def board_view() -> None:
    moment = now()
    placed, stay_read = stays(ward_ids=scope, with_patients=True)
    tasks, task_read = ward_tasks(scope)
    frame_banners(location_read, stay_read, task_read)
    board = ward_beds(
        locations, placed, tasks, ward_id, moment, patients=stay_read.tables.get("patient")
    )
    if board.empty:
        st.info(tr("beds.empty_ward"))
        return
    lang = language()
    fetched = min(task_read.fetched_at.values(), default=moment)
    st.caption(
        status_summary(status_counts(board), lang)
        + " · "
        + tr("nurse.as_of", time=fmt_datetime(fetched, lang), seconds=REFRESH_SECONDS)
    )
    if as_table:
        st.dataframe(board_table(board, lang), hide_index=True)
    else:
        render_board(board, free_by_category(board))


board_view()
