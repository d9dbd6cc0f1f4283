"""Ward nurse: the open tasks of a ward, most urgent first; claim, start and complete them."""

from __future__ import annotations

import streamlit as st

from components.audit import audit_list
from components.auth import live_fragment
from components.data import KEPT_SECONDS, load
from components.guard import require_page
from components.scope import flags_of, now, stays
from components.session import language, tr
from components.shift_ratio import shift_ratio
from components.status import frame_banners
from components.task_table import (
    conflict_ids,
    conflict_panel,
    keep_focus,
    notes_of,
    show_flash,
    task_counts_row,
    task_filters,
    task_rows,
    undo_offer,
    ward_tasks,
)
from components.ward_choice import choose_ward
from services import queries
from services.domain.ordering import natural_sort
from services.i18n import fmt_datetime
from services.roles import Capability
from services.views.ward import ward_tasks_view

REFRESH_SECONDS = KEPT_SECONDS

user = require_page(__file__)
can_write = user.can(Capability.TASKS_WRITE)
st.title(tr("page.tasks"))

ward_id, wards, locations, location_read = choose_ward(user)
shift_ratio(ward_id, locations, now())
ward_beds = locations[(locations["physical_type"] == "bd") & (locations["ward_id"] == ward_id)]
chosen = task_filters(ward_id, natural_sort(ward_beds, ["name"]), can_write)
# The chosen ward only, not all of the user's: colleagues on this ward share the cached reads.
scope = (ward_id,)


@live_fragment(REFRESH_SECONDS)
def task_list() -> None:
    moment = now()
    placed, stay_read = stays(ward_ids=scope, with_patients=True)
    tasks, task_read = ward_tasks(scope)
    staff_read = load(queries.practitioner_roles(), "Staff")
    flag_read = flags_of(placed)
    frame_banners(
        location_read, stay_read, task_read, staff_read, *([flag_read] if flag_read else [])
    )
    show_flash()
    me = user.practitioner_id if can_write else None
    view = ward_tasks_view(
        tasks,
        placed,
        locations,
        ward_id,
        moment,
        patient_tables=(task_read.tables.get("patient"), stay_read.tables.get("patient")),
        practitioners=staff_read.tables.get("practitioner"),
        chosen=chosen,
        me=me,
        # A task whose write lost a race is worked on in the conflict panel, not twice.
        held_back=conflict_ids(),
        notes=notes_of(task_read),
        flags=flag_read["flag"] if flag_read else None,
    )
    task_counts_row(view.counts)
    if can_write:
        undo_offer(user)
        conflict_panel(user, view.owner_names)
    else:
        st.caption(tr("tasks.read_only"))
    rows, shown = view.rows, view.shown
    fetched = min(task_read.fetched_at.values(), default=moment)
    st.caption(
        tr("tasks.shown", shown=len(shown), total=len(rows))
        + " · "
        + tr("nurse.as_of", time=fmt_datetime(fetched, language()), seconds=REFRESH_SECONDS)
    )
    if rows.empty:
        st.success(tr("tasks.none"))
    elif shown.empty:
        st.info(tr("tasks.none_filtered"))
    else:
        task_rows(shown, user if can_write else None, view.notes)
        audit_list(user, "tasks", f"Location/{ward_id}", shown, [task_read, stay_read])
    if can_write:
        keep_focus()


task_list()
