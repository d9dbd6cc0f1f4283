"""Admin: who opened which record when, from the platform and the local log, resolved to the
person; and the list of one person's accesses for an access request (Art. 15 DSGVO)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.audit import audit_list
from components.choose import choose_many, choose_one
from components.data import load
from components.export import csv_button
from components.guard import require_page
from components.scope import now, patients_by_id
from components.session import language, settings, tr
from components.status import frame_banners
from services.audit import local_log_frame, verify_chain
from services.domain.access import reason_words
from services.domain.audit_trail import day_bounds
from services.domain.labels import label
from services.i18n import fmt_date, fmt_datetime
from services.markdown import plain
from services.search import query
from services.views.audit import audit_trail, person_trail, trail_patients

PAGE = "audit"

user = require_page(__file__)
lang = language()
st.title(tr("audit.title"))

today = now().date()
chosen = st.date_input(
    tr("audit.days"),
    value=(today - timedelta(days=1), today),
    max_value=today,
    format="DD.MM.YYYY",
    key="audit_days",
)
# A range half picked (first day clicked, last not yet) reads that one day.
first, last = (chosen[0], chosen[-1]) if isinstance(chosen, tuple) and chosen else (today, today)
start, end = day_bounds(first, last)
read = load(
    query("AuditEvent").search(date__ge=start.isoformat(), date__lt=end.isoformat()),
    "AuditEvents",
)
chain = verify_chain(settings().audit_log)
if not chain.ok:
    st.error(tr("audit.chain_broken", line=chain.broken_at))
view = audit_trail(read["audit_event"], local_log_frame(settings().audit_log), start, end)
patients, patient_read = patients_by_id(trail_patients(view.trail))
reads = [read] + ([patient_read] if patient_read is not None else [])
frame_banners(*reads)
people = person_trail(view.trail, patients, lang)
if view.local:
    st.warning(tr("audit.local_note", count=view.local))

left, middle, right = st.columns(3)
users = choose_many(tr("audit.filter_user"), view.users, where=left)
actions = choose_many(
    tr("audit.filter_action"),
    ["R", "U", "C", "E"],
    format_func=lambda code: tr(f"audit_action.{code}"),
    where=middle,
)
patient = right.text_input(tr("audit.filter_patient"), placeholder=tr("audit.filter_patient_hint"))
break_glass = st.checkbox(tr("audit.only_break_glass"))

shown = people.narrowed(users=users, actions=actions, patient=patient, break_glass_only=break_glass)
st.caption(tr("audit.span", first=fmt_date(first, lang), last=fmt_date(last, lang)))
if shown.empty:
    st.info(tr("audit.empty"))
    st.stop()


def words(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows as the admin reads them: roles, actions and pages in words, the full reason."""
    return pd.DataFrame(
        {
            tr("col.when"): rows["recorded"].map(lambda d: fmt_datetime(d, lang)),
            tr("col.user"): rows["user_name"].fillna(rows["user"]),
            tr("col.role"): label(rows["role"], "role", tr),
            tr("col.action"): label(rows["action"], "audit_action", tr),
            tr("col.page"): label(rows["page"], "page", tr),
            tr("col.patient"): rows["person"].fillna(rows["patient_id"]),
            tr("col.kvnr"): rows["kvnr"],
            tr("col.record"): rows["patient_id"],
            tr("col.reason"): rows["reason"].map(lambda r: reason_words(r, tr)),
        }
    ).fillna("–")


st.dataframe(words(shown), hide_index=True, placeholder="–")


def records(rows: pd.DataFrame) -> pd.DataFrame:
    """Whose data ``rows`` show (``source``, ``patient_id``), for the audit trail itself."""
    seen = rows.dropna(subset=["patient_id"])
    return pd.DataFrame({"source": seen["record_source"], "patient_id": seen["patient_id"]})


audit_list(user, PAGE, "trail", records(shown), reads)

emergencies = shown[shown["purpose"] == "ETREAT"]
if not emergencies.empty:
    st.subheader(tr("audit.break_glass_reasons"))
    for row in emergencies.itertuples():
        who = row.user_name if isinstance(row.user_name, str) else row.user
        whose = row.person if isinstance(row.person, str) else row.patient_id
        line = tr(
            "audit.break_glass_line",
            when=fmt_datetime(row.recorded, lang),
            user=plain(who),
            patient=plain(whose),
            reason=plain(reason_words(row.reason, tr)),
        )
        st.markdown(line)

st.subheader(tr("audit.request_title"))
st.caption(tr("audit.request_help"))
listed = {k: v for k, v in people.people.items() if k in set(shown["person_key"].dropna())}
if not listed:
    st.info(tr("audit.request_none"))
    st.stop()
person = choose_one(
    tr("audit.request_person"),
    list(listed),
    format_func=listed.get,
    key="audit_person",
)
report = people.report(person)
answer = words(report)
st.dataframe(answer, hide_index=True, placeholder="–")
csv_button(
    answer,
    f"auskunft-art15-{first.isoformat()}-{last.isoformat()}.csv",
    key="audit_request_csv",
    user=user,
    page=PAGE,
    patients=records(report),
)
