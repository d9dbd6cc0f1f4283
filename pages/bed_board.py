"""Bed board of a ward: every bed with its status, who lies in it, and the work waiting there."""

from __future__ import annotations

import streamlit as st

from components.audit import audit_list
from components.auth import live_fragment
from components.bed_board import board_columns, board_table, render_board, status_summary
from components.data import TTL
from components.guard import require_page
from components.scope import flags_of, now, stays
from components.session import language, tr
from components.status import frame_banners
from components.style import print_header
from components.task_table import ward_tasks
from components.ward_census import census_without_beds
from components.ward_choice import choose_ward
from services.i18n import fmt_datetime, fmt_number
from services.views.ward import bed_board_view

REFRESH_SECONDS = TTL["Task"]

# Managers hold bed counts only (on their capacity pages); this board names patients.
user = require_page(__file__)
st.title(tr("page.bed_board"))

ward_id, wards, locations, location_read = choose_ward(user)
print_header(f"{tr('page.bed_board')} · {wards.set_index('id').at[ward_id, 'name']}")
as_table = st.toggle(tr("beds.table"), key="nurse.beds.as_table")
# The chosen ward only, not all of the user's: colleagues on this ward share the cached reads.
scope = (ward_id,)


@live_fragment(REFRESH_SECONDS)
def board_view() -> None:
    moment = now()
    placed, stay_read = stays(ward_ids=scope, with_patients=True)
    tasks, task_read = ward_tasks(scope)
    flag_read = flags_of(placed["patient_id"])
    frame_banners(location_read, stay_read, task_read, *([flag_read] if flag_read else []))
    view = bed_board_view(
        locations,
        placed,
        tasks,
        ward_id,
        moment,
        stay_read.tables.get("patient"),
        flag_read["flag"] if flag_read else None,
    )
    if not view.has_beds:
        census_without_beds(view.ward_census)
        return
    if view.board.empty:
        st.info(tr("beds.empty_ward"))
        return
    lang = language()
    fetched = min(task_read.fetched_at.values(), default=moment)
    st.caption(
        status_summary(view.counts, lang)
        + " · "
        + tr("nurse.as_of", time=fmt_datetime(fetched, lang), seconds=REFRESH_SECONDS)
    )
    if view.unreported:
        st.info(tr("beds.unreported", n=fmt_number(view.unreported, lang)))
    if as_table:
        st.dataframe(
            board_table(view.board, lang),
            hide_index=True,
            placeholder="–",
            column_config=board_columns(lang),
        )
    else:
        render_board(view.board, view.free)
    audit_list(user, "bed_board", f"Location/{ward_id}", view.board, [stay_read, task_read])


board_view()
