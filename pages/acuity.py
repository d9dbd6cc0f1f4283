"""Early warning board of a ward: NEWS2 of every patient from the latest set of vitals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.acuity import acuity_table
from components.audit import audit_list
from components.data import load
from components.guard import require_page
from components.scope import flags_of, now, stays, this_minute
from components.session import language, tr
from components.status import frame_banners
from components.style import print_header
from components.ward_choice import choose_ward
from services import queries
from services.domain.news2 import LOOKBACK
from services.i18n import fmt_number
from services.markdown import plain
from services.views.acuity import SORTS, acuity_view, contacts_of

# Nurses see their own wards, physicians the wards of their departments (``choose_ward``).
user = require_page(__file__)
st.title(tr("page.acuity"))

ward_id, wards, locations, location_read = choose_ward(user)
ward_name = wards.set_index("id").at[ward_id, "name"]
print_header(f"{tr('page.acuity')} · {ward_name}")
st.subheader(plain(ward_name))
# A radio, not a segmented control: Streamlit draws the chosen segment's text below 4.5:1.
sort = st.radio(
    tr("news2.sort"),
    SORTS,
    format_func=lambda key: tr(f"news2.sort.{key}"),
    index=list(SORTS).index("risk"),
    horizontal=True,
    key="acuity.sort",
)
lang = language()
moment = now()
scope = (ward_id,)

placed, stay_read = stays(ward_ids=scope, with_patients=True)
here = placed[placed["ward_id"] == ward_id]
flag_read = flags_of(here)
reads = [location_read, stay_read, *([flag_read] if flag_read is not None else [])]
if here.empty:
    observations = pd.DataFrame(columns=["encounter_id", "effective", "code", "value"])
else:
    # From the start of the minute: equal reads within a minute share the cache.
    since = this_minute() - LOOKBACK
    contacts = contacts_of(here["encounter_id"], stay_read.tables.get("encounter_contact"))
    obs_read = load(queries.vital_signs_of(contacts, since), "Observations")
    reads.append(obs_read)
    observations = obs_read["observation"]
frame_banners(*reads)

view = acuity_view(
    placed,
    locations,
    observations,
    ward_id,
    moment,
    stay_read.tables.get("patient"),
    flag_read["flag"] if flag_read is not None else None,
    contacts=stay_read.tables.get("encounter_contact"),
    sort=sort or "risk",
)
if view.board.empty:
    st.info(tr("news2.empty"))
    st.stop()
counts = {key: fmt_number(value, lang) for key, value in view.counts.items()}
st.markdown(tr("news2.summary", **counts))
st.caption(tr("news2.legend"))
st.dataframe(acuity_table(view.board, lang), hide_index=True, placeholder="–")
audit_list(user, "acuity", f"Location/{ward_id}", view.board, reads)
