"""Physician: ask another hospital for a bed for one of my inpatients, and follow the answers.

The form says what the hospital asked will see (no name). The requests of my hospital refresh on
their own, so an acceptance, a question or a decline shows without reloading.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.audit import audit_list
from components.auth import live_fragment
from components.choose import choose_one
from components.data import load, load_fresh
from components.guard import require_page
from components.scope import flags_of, now, places, stays
from components.session import language, platform, settings, tr
from components.status import error_banner, frame_banners
from components.transfers import outbound_card, request_words, show_flash
from services import queries
from services.codes import BED_CATEGORIES
from services.domain.labels import label
from services.errors import DataError
from services.transfers import URGENCIES, TransferAsk, outbound_requests, send_request
from services.views.common import names_by_id
from services.views.inpatients import my_patients, of_departments
from services.views.transfers import outbound_view, patient_details

REFRESH_SECONDS = 20
# How far back the requests of my hospital are listed.
LISTED_DAYS = 7

user = require_page(__file__)
lang = language()
st.title(tr("page.transfer_request"))
if not user.hospital_id:
    st.info(tr("transfer.no_own_hospital"))
    st.stop()
hospital = user.hospital_id
organizations = load(queries.organizations(), "Organizations")
names = names_by_id(organizations["organization"])
locations, location_read = places((hospital,))
placed, stay_read = stays(hospital_ids=(hospital,), with_patients=True)
placed = of_departments(placed, locations, user.departments)
patients = stay_read.tables.get("patient")
flag_read = flags_of(placed)
frame_banners(organizations, location_read, stay_read, *([flag_read] if flag_read else []))
rows = my_patients(placed, locations, patients, None, now(), lang).rows
# A source without Organization resources names no hospital to ask.
others = [h for h in sorted(names) if h != hospital]

st.subheader(tr("transfer.new"))
if rows.empty:
    st.info(tr("transfer.no_inpatients"))
elif not others:
    st.info(tr("transfer.no_targets"))
else:
    audit_list(user, "transfer_request", "inpatients", rows, [stay_read])
    choice = choose_one(
        tr("transfer.patient"),
        range(len(rows)),
        format_func=lambda n: f"{rows.iloc[n]['name']} · {rows.iloc[n]['bed'] or '–'}",
        key="transfer.patient",
    )
    row = rows.iloc[choice]
    details = patient_details(
        row, patients, flag_read["flag"] if flag_read else None, locations, now()
    )
    target = choose_one(
        tr("transfer.target"),
        others,
        format_func=names.get,
        key="transfer.target",
    )
    category = choose_one(
        tr("transfer.category"),
        BED_CATEGORIES,
        index=BED_CATEGORIES.index(details["bed_category"])
        if details["bed_category"] in BED_CATEGORIES
        else len(BED_CATEGORIES) - 1,
        format_func=lambda c: label(pd.Series([c]), "bed_category", tr).iloc[0],
        key="transfer.category",
    )
    urgency = st.radio(
        tr("transfer.urgency"),
        URGENCIES,
        format_func=lambda u: label(pd.Series([u]), "priority", tr).iloc[0],
        horizontal=True,
        key="transfer.urgency",
    )
    reason = st.text_input(tr("transfer.reason_input"), key="transfer.reason")
    ask = TransferAsk(
        patient_id=row["patient_id"],
        encounter_id=row["encounter_id"],
        requester_org=hospital,
        target_org=target,
        bed_category=category,
        age_group=details["age_group"],
        sex=details["sex"],
        isolation=details["isolation"],
        urgency=urgency,
        reason=reason.strip(),
        practitioner_id=user.practitioner_id,
    )
    preview = pd.Series(
        {**ask.__dict__, "isolation": ",".join(ask.isolation) or None, "sex": ask.sex}
    )
    st.caption(tr("transfer.sends", details=request_words(preview, lang)))
    if st.button(tr("transfer.send"), type="primary", key="transfer.send"):
        if not ask.reason:
            st.warning(tr("transfer.need_reason"))
        else:
            try:
                send_request(platform(), user, settings().audit_log, ask, row["source"])
            except DataError as exc:
                error_banner(exc)
            else:
                st.toast(tr("transfer.done.send", hospital=names.get(target, target)))

st.subheader(tr("transfer.sent_list"))


@live_fragment(REFRESH_SECONDS)
def sent() -> None:
    moment = now()
    read = load_fresh(
        outbound_requests(hospital, moment - pd.Timedelta(days=LISTED_DAYS)),
        tr("transfer.requests"),
    )
    frame_banners(read)
    show_flash()
    all_places, _ = places()
    view = outbound_view(read["task"], read["bed_request"], all_places, hospital, moment)
    if view.queue.empty:
        st.info(tr("transfer.outbound_none", days=LISTED_DAYS))
        return
    for _, request in view.queue.iterrows():
        outbound_card(user, request, names, read["task_note"])


sent()
