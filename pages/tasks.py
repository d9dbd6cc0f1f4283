"""Ward nurse: the open tasks of a ward, most urgent first; claim, start and complete them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.data import TTL, load
from components.guard import require
from components.scope import now, stays
from components.session import language, tr
from components.status import frame_banners
from components.task_table import (
    conflict_ids,
    conflict_panel,
    show_flash,
    task_counts_row,
    task_filters,
    task_rows,
    ward_tasks,
)
from components.ward_choice import choose_ward
from services import queries
from services.domain.people import display_names
from services.domain.ward_tasks import filter_tasks, task_summary, ward_task_list
from services.i18n import fmt_datetime
from services.roles import Capability

REFRESH_SECONDS = TTL["Task"]

user = require(Capability.TASKS_READ)
can_write = user.can(Capability.TASKS_WRITE)
st.title(tr("page.tasks"))

ward_id, wards, locations, location_read = choose_ward(user)
ward_beds = locations[(locations["physical_type"] == "bd") & (locations["ward_id"] == ward_id)]
chosen = task_filters(ward_id, ward_beds.sort_values("id"), can_write)
scope = tuple(wards["id"])


@st.fragment(run_every=REFRESH_SECONDS)
def task_list() -> None:
    moment = now()
    placed, stay_read = stays(ward_ids=scope, with_patients=True)
    tasks, task_read = ward_tasks(scope)
    staff_read = load(queries.practitioner_roles(), "Staff")
    frame_banners(location_read, stay_read, task_read, staff_read)
    show_flash()
    found = (task_read.tables.get("patient"), stay_read.tables.get("patient"))
    people = [table for table in found if table is not None]
    patients = pd.concat(people, ignore_index=True) if people else None
    practitioners = staff_read.tables.get("practitioner")
    me = user.practitioner_id if can_write else None
    task_counts_row(task_summary(tasks, ward_id, moment, me))
    if practitioners is not None and not practitioners.empty:
        owner_names = dict(zip(practitioners["id"], display_names(practitioners), strict=True))
    else:
        owner_names = {}
    if can_write:
        conflict_panel(user, owner_names)
    else:
        st.caption(tr("tasks.read_only"))
    rows = ward_task_list(
        tasks,
        placed,
        locations,
        ward_id,
        moment,
        patients=patients,
        practitioners=practitioners,
    )
    shown = filter_tasks(rows, chosen, me)
    # A task whose write lost a race is worked on in the conflict panel, not twice.
    shown = shown[~shown["id"].isin(conflict_ids())]
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
        task_rows(shown, user if can_write else None)


task_list()
