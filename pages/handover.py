"""Shift handover: per patient of the ward the open work, the last vitals, and what happened."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.data import load
from components.guard import require
from components.scope import now, stays
from components.session import language, tr
from components.status import frame_banners
from components.task_table import own_writes, ward_tasks
from components.ward_choice import choose_ward
from services.domain.handover import (
    completed_tasks_since,
    handover,
    observations_of,
    printable,
    sheet,
    shift_at,
)
from services.domain.ward_tasks import with_own_writes
from services.i18n import fmt_datetime
from services.roles import Capability

# How far back the last vitals are looked for: the rounds of the last days.
VITALS_LOOKBACK = timedelta(days=3)

# The handover is the ward nursing team's; only they hold write access to ward tasks.
user = require(Capability.TASKS_WRITE)
st.title(tr("page.handover"))

ward_id, wards, locations, location_read = choose_ward(user)
scope = tuple(wards["id"])
lang = language()
moment = now()
shift = shift_at(moment)

placed, stay_read = stays(ward_ids=scope, with_patients=True)
here = placed[placed["ward_id"] == ward_id]
open_tasks, task_read = ward_tasks(scope)
done_read = load(completed_tasks_since(scope, shift.start), "Tasks")
tasks = with_own_writes(with_own_writes(open_tasks, done_read["task"]), own_writes())
reads = [location_read, stay_read, task_read, done_read]
if here.empty:
    observations = pd.DataFrame(
        columns=["encounter_id", "category", "effective", "code", "display", "value", "unit"]
    )
else:
    obs_read = load(
        observations_of(here["encounter_id"], shift.start - VITALS_LOOKBACK), "Observations"
    )
    reads.append(obs_read)
    observations = obs_read["observation"]
frame_banners(*reads)

result = handover(
    placed,
    stay_read["encounter_location"],
    locations,
    tasks,
    observations,
    ward_id,
    moment,
    patients=stay_read.tables.get("patient"),
)
table = sheet(result, lang)

st.subheader(wards.set_index("id").at[ward_id, "name"])
st.markdown(
    tr(
        "handover.shift",
        shift=tr(f"handover.shift.{shift.code}"),
        start=fmt_datetime(shift.start, lang),
        end=fmt_datetime(shift.end, lang),
    )
)
left, right = st.columns([1, 3], vertical_alignment="center")
left.download_button(
    tr("download.csv"),
    table.to_csv(index=False).encode("utf-8-sig"),
    file_name=f"uebergabe-{ward_id}-{shift.start:%Y%m%d-%H%M}.csv",
    mime="text/csv",
    key="nurse.handover.csv",
)
right.caption(tr("print.hint"))
st.caption(tr("handover.flags"))

if table.empty:
    st.info(tr("handover.none"))
for block in printable(table, lang):
    st.markdown(block)
