"""Manager and admin: the discharge flow (SAFER) per ward and week, and the long stays without
names, for the user's hospitals (all when none)."""

from __future__ import annotations

import streamlit as st

from components.data import load
from components.discharge import render_discharge
from components.guard import require_page
from components.scope import now, places, window_stays
from components.session import language, settings, tr
from components.status import frame_banners
from services import queries
from services.i18n import fmt_datetime
from services.views.discharge import discharge_view, read_from

PAGE = "discharge"

user = require_page(__file__)
lang = language()
moment = now()
st.title(tr("page.discharge"))
st.caption(tr("dis.intro"))

locations, location_read = places(user.facilities)
org_read = load(queries.organizations(), "Organizations")
stay_read = window_stays(read_from(moment), user.facilities)
frame_banners(location_read, org_read, stay_read)
st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))

view = discharge_view(
    locations,
    org_read["organization"],
    stay_read["encounter"],
    stay_read["encounter_location"],
    moment,
    rule=settings().stale_stays,
    lang=lang,
)
render_discharge(view, user, PAGE)
