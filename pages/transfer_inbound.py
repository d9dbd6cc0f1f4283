"""Bed manager: the transfer requests of other hospitals to mine, with the free beds that fit.

Accept (a bed is reserved), decline with a reason, or ask back. The queue and the beds are read
past every cache on each refresh: another manager's answer or a bed taken a minute ago must show
before this manager decides. No Patient is read here.
"""

from __future__ import annotations

import streamlit as st

from components.auth import live_fragment
from components.data import load, load_fresh
from components.guard import require_page
from components.kpi import kpi_row
from components.scope import now, stays
from components.session import language, tr
from components.status import frame_banners
from components.transfers import inbound_card, show_flash
from services import queries
from services.domain.stays import locations_in
from services.frames import with_hierarchy
from services.i18n import fmt_datetime, fmt_number
from services.transfers import decides_for, inbound_requests, suitable_beds
from services.views.common import names_by_id
from services.views.transfers import inbound_view

REFRESH_SECONDS = 20

user = require_page(__file__)
st.title(tr("page.transfer_inbound"))
hospitals = decides_for(user)
if not hospitals:
    st.info(tr("transfer.no_hospital"))
    st.stop()
organizations = load(queries.organizations(), "Organizations")
names = names_by_id(organizations["organization"])
st.caption(tr("transfer.intro_inbound", hospitals=", ".join(names.get(h, h) for h in hospitals)))


@live_fragment(REFRESH_SECONDS)
def inbound() -> None:
    moment = now()
    lang = language()
    requests = load_fresh(inbound_requests(hospitals), tr("transfer.requests"))
    location_read = load_fresh(queries.locations(), "Locations")
    locations = locations_in(with_hierarchy(location_read["location"]), hospitals)
    placed, stay_read = stays(hospital_ids=hospitals)
    frame_banners(organizations, requests, location_read, stay_read)
    show_flash()
    view = inbound_view(
        requests["task"], requests["bed_request"], locations, placed, hospitals, moment
    )
    figures = view.figures
    longest = figures["longest_hours"]
    kpi_row(
        [
            (tr("transfer.waiting"), fmt_number(figures["waiting"], lang)),
            (tr("transfer.urgent"), fmt_number(figures["urgent"], lang)),
            (tr("transfer.asked_back_n"), fmt_number(figures["asked_back"], lang)),
            (tr("transfer.reserved_n"), fmt_number(figures["reserved"], lang)),
            (
                tr("transfer.longest"),
                tr("transfer.hours", hours=fmt_number(round(longest, 1), lang))
                if longest is not None
                else "–",
            ),
        ]
    )
    st.caption(tr("transfer.as_of", time=fmt_datetime(moment, lang), seconds=REFRESH_SECONDS))
    if view.queue.empty:
        st.success(tr("transfer.inbound_none"))
        return
    for _, row in view.queue.iterrows():
        offered = suitable_beds(
            view.beds,
            row["target_org"],
            row["bed_category"],
            row["age_group"],
            isinstance(row["isolation"], str),
        )
        inbound_card(user, row, offered, names, requests["task_note"])


inbound()
