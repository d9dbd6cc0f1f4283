"""Physician: find a person across every connected hospital and open their timeline.

Only physicians search the network. A search must name a person specifically enough, shows a
bounded number of persons (``MAX_PERSONS``), and writes one AuditEvent after it ran (what was
asked, how many were shown, the outcome). The result is kept for the session, so clicking a
row neither searches nor audits again. Nothing is preselected: a click on a row opens that
person; a person known only at other hospitals shows no KVNR and no birth date and opens after
a stated reason (break-glass), which the timeline's audit event carries.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from fhirpy.base.searchset import AbstractSearchSet

from components.audit import audit
from components.data import load
from components.guard import require_page
from components.scope import now
from components.session import language, platform, tr
from components.status import error_banner, frame_banners
from services import queries
from services.domain.access import MIN_REASON_LENGTH, Access, BreakGlassReason, compose_reason
from services.domain.patient_search import (
    SearchInputError,
    may_search,
    parse_criteria,
    result_rows,
)
from services.domain.people import display_names, identifier_texts
from services.i18n import fmt_date
from services.patient_record import find_persons, search_audit
from services.platform import FrameSet

CHOSEN = "record_person"
RESULT = "search_result"
SEARCHES = "search_count"
PAGE = "patient_search"


def read(searchset: AbstractSearchSet, *, cap: int | None = None) -> FrameSet:
    # Not cached: every search is an audited act of its own and must reach the sources.
    return platform().read(searchset, cap=cap)


def open_person(found: pd.DataFrame, row: int, reason: str | None) -> None:
    """Hand the person in ``row`` of the search result to the timeline, undisclosed fields too."""
    person = found.iloc[row]
    st.session_state[CHOSEN] = {
        "person": person["person"],
        "kvnr": person["kvnr"] if isinstance(person["kvnr"], str) else None,
        "name": display_names(found.iloc[[row]], lang).iloc[0],
        "identifier": identifier_texts(found.iloc[[row]], lang).iloc[0],
        "birth_date": person["birth_date"],
        "hospitals": tuple(person["hospitals"]),
        "records": tuple(person["records"]),
        "reason": reason,
        "opened_at": now().isoformat(),
    }
    st.switch_page("pages/timeline.py")


user = require_page(__file__)
if not may_search(user):
    st.error(tr("guard.not_permitted"))
    st.stop()
lang = language()
st.title(tr("search.title"))
st.caption(tr("search.help"))

with st.form("patient_search"):
    name_col, born_col, ident_col = st.columns([2, 1, 1])
    name = name_col.text_input(tr("search.name"), key="search_name")
    born = born_col.text_input(tr("search.birth_date"), key="search_birth_date")
    ident = ident_col.text_input(tr("search.identifier"), key="search_identifier")
    submitted = st.form_submit_button(tr("search.submit"), type="primary")

if submitted:
    st.session_state.pop(RESULT, None)
    try:
        criteria = parse_criteria(name, born, ident, today=now().date())
    except SearchInputError as error:
        st.warning(tr(error.message_key))
        st.stop()
    with st.spinner(tr("status.loading", what=tr("search.title"))):
        found = find_persons(read, criteria)
    audit(search_audit(user, criteria, found, PAGE))
    st.session_state[RESULT] = found
    st.session_state[SEARCHES] = st.session_state.get(SEARCHES, 0) + 1

result = st.session_state.get(RESULT)
if result is None:
    st.info(tr("search.prompt"))
    st.stop()
if result.capped:
    for source_error in {s: e for r in result.reads for s, e in r.errors.items()}.values():
        error_banner(source_error)
    st.warning(tr("search.capped", cap=result.cap))
    st.stop()
orgs = load(queries.organizations(), "Organizations")
frame_banners(*result.reads, orgs)
if result.persons.empty:
    st.info(tr("search.none"))
    st.stop()

hospital_name = dict(zip(orgs["organization"]["id"], orgs["organization"]["name"], strict=True))
rows = result_rows(result.persons, user, lang)
hidden = tr("search.hidden")
st.caption(tr("search.found", count=len(rows)))
event = st.dataframe(
    pd.DataFrame(
        {
            tr("col.patient"): rows["name"],
            tr("col.birth_date"): [
                fmt_date(d, lang) if shown else hidden
                for d, shown in zip(rows["birth_date"], rows["disclosed"], strict=True)
            ],
            tr("col.kvnr"): [
                (k if isinstance(k, str) else tr("word.none")) if shown else hidden
                for k, shown in zip(rows["kvnr"], rows["disclosed"], strict=True)
            ],
            tr("search.hospitals"): rows["hospitals"].map(
                lambda hs: ", ".join(hospital_name.get(h, h) for h in hs) or tr("word.none")
            ),
            tr("search.access"): rows["access"].map(lambda a: tr(f"access.{a}")),
        }
    ),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    # A new search gets a new table: a row chosen in the last result is not chosen in this one.
    key=f"search_rows_{st.session_state.get(SEARCHES, 0)}",
    placeholder="–",
)
chosen_rows = event.selection.rows
if not chosen_rows:
    st.caption(tr("search.click"))
    st.stop()
row = chosen_rows[0]
access = rows.iloc[row]["access"]
if access == Access.DIRECT:
    open_person(result.persons, row, None)
if access == Access.DENIED:
    st.error(tr("search.denied"))
    st.stop()
st.warning(tr("search.reason_help"))
occasion = st.selectbox(
    tr("break_glass.reason_kind"),
    list(BreakGlassReason),
    index=None,
    format_func=lambda kind: tr(f"break_glass.{kind.value}"),
    placeholder=tr("break_glass.choose"),
    key="search_reason_kind",
)
text = st.text_area(tr("search.reason"), key="search_reason")
if st.button(tr("search.open"), type="primary", key="search_open"):
    reason = compose_reason(occasion, text)
    if reason is None:
        st.error(tr("break_glass.too_short", count=MIN_REASON_LENGTH))
    else:
        open_person(result.persons, row, reason)
