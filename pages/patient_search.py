"""Physician: find a person across every connected hospital and open their timeline.

A person known at the physician's own hospital opens directly; a person known only at other
hospitals opens after a stated reason (break-glass), which the timeline's audit event carries.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.data import load
from components.guard import require
from components.scope import now, stays
from components.session import language, tr
from components.status import frame_banners
from services import queries
from services.domain.access import MIN_REASON_LENGTH, Access, access_to, reason_ok
from services.domain.patient_search import SearchInputError, parse_criteria
from services.domain.people import display_names
from services.i18n import fmt_date
from services.patient_record import find_persons
from services.roles import Capability, Role, User

CHOSEN = "record_person"


def on_users_wards(user: User) -> set[tuple[str, str]]:
    """``(source, patient id)`` of everyone lying on the nurse's wards now."""
    if user.role != Role.NURSE or not user.wards:
        return set()
    placed, read = stays(ward_ids=user.wards)
    frame_banners(read)
    return set(zip(placed["source"], placed["patient_id"], strict=True))


def open_person(person: pd.Series, reason: str | None) -> None:
    st.session_state[CHOSEN] = {
        "person": person["person"],
        "kvnr": person["kvnr"],
        "name": person["name"],
        "birth_date": person["birth_date"],
        "hospitals": tuple(person["hospitals"]),
        "records": tuple(person["records"]),
        "reason": reason,
        "opened_at": now().isoformat(),
    }
    st.switch_page("pages/timeline.py")


user = require(Capability.PATIENT_RECORD)
lang = language()
st.title(tr("search.title"))
st.caption(tr("search.help"))

with st.form("patient_search"):
    name_col, born_col, ident_col = st.columns([2, 1, 1])
    name = name_col.text_input(tr("search.name"), key="search_name")
    born = born_col.text_input(tr("search.birth_date"), key="search_birth_date")
    ident = ident_col.text_input(tr("search.identifier"), key="search_identifier")
    if st.form_submit_button(tr("search.submit"), type="primary"):
        st.session_state["search_fields"] = (name, born, ident)

fields = st.session_state.get("search_fields")
if not fields:
    st.info(tr("search.prompt"))
    st.stop()
try:
    criteria = parse_criteria(*fields, today=now().date())
except SearchInputError as error:
    st.warning(tr(error.message_key))
    st.stop()

result = find_persons(lambda search: load(search, tr("search.title")), criteria)
orgs = load(queries.organizations(), "Organizations")
frame_banners(*result.reads, orgs)
found = result.persons
if found.empty:
    st.info(tr("search.none"))
    st.stop()

hospital_name = dict(zip(orgs["organization"]["id"], orgs["organization"]["name"], strict=True))
nearby = on_users_wards(user)
found = found.assign(
    name=display_names(found),
    access=[
        access_to(user, hospitals, bool(nearby.intersection((s, i) for s, i, _ in records)))
        for hospitals, records in zip(found["hospitals"], found["records"], strict=True)
    ],
)
st.caption(tr("search.found", count=len(found)))
st.dataframe(
    pd.DataFrame(
        {
            tr("col.patient"): found["name"],
            tr("col.birth_date"): found["birth_date"].map(lambda d: fmt_date(d, lang)),
            tr("col.kvnr"): found["kvnr"],
            tr("search.hospitals"): found["hospitals"].map(
                lambda hs: ", ".join(hospital_name.get(h, h) for h in hs)
            ),
            tr("search.access"): found["access"].map(lambda a: tr(f"access.{a}")),
        }
    ),
    hide_index=True,
)

choice = st.selectbox(
    tr("search.choose"),
    range(len(found)),
    format_func=lambda n: (
        f"{found.iloc[n]['name']} · {fmt_date(found.iloc[n]['birth_date'], lang)}"
        f" · {found.iloc[n]['kvnr'] or '–'}"
    ),
    key="search_choice",
)
person = found.iloc[choice]
access = person["access"]
if access == Access.DENIED:
    st.error(tr("search.denied"))
    st.stop()
reason = None
if access == Access.BREAK_GLASS:
    st.warning(tr("search.reason_help"))
    reason = st.text_area(tr("search.reason"), key="search_reason")
if st.button(tr("search.open"), type="primary", key="search_open"):
    if access == Access.BREAK_GLASS and not reason_ok(reason):
        st.error(tr("search.reason_short", count=MIN_REASON_LENGTH))
    else:
        open_person(person, reason.strip() if reason else None)
