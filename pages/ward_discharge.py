"""Ward nurse and physician: the discharge flow (SAFER) of the nurse's wards or the physician's
departments, with the long stays named. Viewing that list is audited."""

from __future__ import annotations

import streamlit as st

from components.audit import audit_list
from components.data import load
from components.discharge import render_discharge
from components.guard import require_page
from components.scope import now, places, stays, window_stays
from components.session import language, settings, tr
from components.status import frame_banners
from components.ward_choice import no_ward_note
from services import queries
from services.i18n import fmt_datetime
from services.roles import Role
from services.views.discharge import discharge_view, read_from

PAGE = "ward_discharge"

user = require_page(__file__)
lang = language()
moment = now()
st.title(tr("page.ward_discharge"))
nurse = user.role == Role.NURSE
if nurse and not user.wards:
    no_ward_note(user)
    st.stop()
if not user.hospital_id:
    st.info(tr("dis.no_scope"))
    st.stop()
st.caption(tr("dis.ward_intro", scope=tr("dis.scope.wards" if nurse else "dis.scope.departments")))

hospitals = (user.hospital_id,)
locations, location_read = places(hospitals)
org_read = load(queries.organizations(), "Organizations")
stay_read = window_stays(read_from(moment), hospitals)
# The current stays again, with their Patients: only these people are named.
if nurse:
    placed, current_read = stays(ward_ids=user.wards, with_patients=True)
else:
    placed, current_read = stays(hospital_ids=hospitals, with_patients=True)
reads = (location_read, org_read, stay_read, current_read)
frame_banners(*reads)
st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))

view = discharge_view(
    locations,
    org_read["organization"],
    stay_read["encounter"],
    stay_read["encounter_location"],
    moment,
    placed=placed,
    patients=current_read.tables.get("patient"),
    ward_ids=user.wards if nurse else (),
    departments=() if nurse else user.departments,
    identified=True,
    rule=settings().stale_stays,
    lang=lang,
)
render_discharge(view, user, PAGE)
audit_list(user, PAGE, "long_stays", view.stays, reads)
