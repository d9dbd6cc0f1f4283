"""Ward admission queue: patients waiting for a bed on my ward; assign a bed, swap beds,
cancel. The queue and the beds are read past every cache: a bed a colleague gave a minute ago
must not be offered again."""

from __future__ import annotations

import streamlit as st

from components.admissions import admission_card, swap_section
from components.auth import live_fragment
from components.data import load_fresh
from components.guard import require_page
from components.kpi import kpi_row
from components.scope import now, stays
from components.session import language, tr
from components.status import frame_banners
from components.transfers import show_flash
from components.ward_choice import choose_ward
from services.admissions import admission_tasks
from services.i18n import fmt_datetime, fmt_number
from services.views.admissions import admission_view

REFRESH_SECONDS = 20

user = require_page(__file__)
st.title(tr("page.admissions"))
ward_id, wards, locations, location_read = choose_ward(user)
ward_name = wards.set_index("id").at[ward_id, "name"]
st.caption(tr("admission.intro", ward=ward_name))
hospitals = tuple(locations.loc[locations["id"] == ward_id, "hospital_id"].dropna())


@live_fragment(REFRESH_SECONDS)
def queue_view() -> None:
    moment = now()
    lang = language()
    read = load_fresh(admission_tasks(hospitals), tr("admission.tasks"))
    placed, stay_read = stays(ward_ids=(ward_id,), with_patients=True)
    frame_banners(location_read, read, stay_read)
    show_flash()
    view = admission_view(
        read["task"],
        read["bed_request"],
        read.tables.get("patient"),
        locations,
        placed,
        stay_read.tables.get("patient"),
        ward_id,
        moment,
        lang,
    )
    kpi_row([(tr("admission.waiting"), fmt_number(len(view.queue), lang))])
    st.caption(tr("transfer.as_of", time=fmt_datetime(moment, lang), seconds=REFRESH_SECONDS))
    if view.queue.empty:
        st.success(tr("admission.none"))
    for _, row in view.queue.iterrows():
        admission_card(user, row, view.offered[row["task_id"]])
    swap_section(user, view.beds)


queue_view()
