"""Bed board of a ward: every bed with its status, who lies in it, and the work waiting there."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.audit import audit_list
from components.auth import live_fragment
from components.bed_board import (
    board_columns,
    board_table,
    category_tiles,
    render_board,
    status_summary,
)
from components.bed_grid import render_grid
from components.data import KEPT_SECONDS, load_kept
from components.guard import require_page
from components.open_patient import open_stay_patient
from components.scope import flags_of, now, stays, this_minute
from components.session import language, tr
from components.status import frame_banners
from components.style import print_header
from components.task_table import ward_tasks
from components.ward_census import census_without_beds
from components.ward_choice import choose_ward
from services import queries
from services.domain.news2 import LOOKBACK
from services.i18n import fmt_datetime, fmt_number
from services.roles import Role
from services.views.acuity import contacts_of
from services.views.ward import bed_board_view

REFRESH_SECONDS = KEPT_SECONDS
GRID_HELP = {Role.NURSE: "grid.help", Role.PHYSICIAN: "grid.help_physician"}

# Managers hold bed counts only (on their capacity pages); this board names patients.
user = require_page(__file__)
st.title(tr("page.bed_board"))

ward_id, wards, locations, location_read = choose_ward(user)
print_header(f"{tr('page.bed_board')} · {wards.set_index('id').at[ward_id, 'name']}")
left, right = st.columns(2)
as_table = left.toggle(tr("beds.table"), key="nurse.beds.as_table")
as_tiles = right.toggle(tr("beds.tiles"), key="nurse.beds.tiles")
# The chosen ward only, not all of the user's: colleagues on this ward share the cached reads.
scope = (ward_id,)


def open_bed(bed: pd.Series) -> None:
    """A nurse goes to the patient's open work, a physician to the patient's record."""
    if user.role == Role.NURSE:
        st.session_state[f"nurse.filter.bed.{ward_id}"] = [bed["bed_id"]]
        st.switch_page("pages/tasks.py")
    open_stay_patient(bed.rename({"patient": "name"}))


@live_fragment(REFRESH_SECONDS)
def board_view() -> None:
    moment = now()
    placed, stay_read = stays(ward_ids=scope, with_patients=True)
    tasks, task_read = ward_tasks(scope)
    flag_read = flags_of(placed)
    reads = [location_read, stay_read, task_read, *([flag_read] if flag_read else [])]
    here = placed[placed["ward_id"] == ward_id]
    contact_table = stay_read.tables.get("encounter_contact")
    vitals = None
    if not here.empty:
        contacts = contacts_of(here["encounter_id"], contact_table)
        # From the start of the day before the lookback: one search the whole day (kept and
        # re-read only when an Observation changed); the score cuts the lookback itself.
        vital_read = load_kept(
            queries.vital_signs_of(contacts, this_minute().floor("D") - LOOKBACK),
            tr("page.acuity"),
        )
        reads.append(vital_read)
        vitals = vital_read["observation"]
    frame_banners(*reads)
    view = bed_board_view(
        locations,
        placed,
        tasks,
        ward_id,
        moment,
        stay_read.tables.get("patient"),
        flag_read["flag"] if flag_read else None,
        observations=vitals,
        contacts=contact_table,
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
    elif as_tiles:
        render_board(view.board, view.free)
    else:
        free = " · ".join(f"{name} {n}" for name, n in category_tiles(view.free, lang))
        st.caption(f"{tr('beds.free_by_category')}: {free or tr('word.none')}")
        render_grid(view.grid, lang, open_bed, "beds.grid", help_key=GRID_HELP[user.role])
    audit_list(user, "bed_board", f"Location/{ward_id}", view.board, [stay_read, task_read])


board_view()
