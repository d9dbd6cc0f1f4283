"""Admin: the audit trail of record views and writes, from the platform and the local log."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.data import load
from components.guard import require_page
from components.scope import this_minute
from components.session import language, settings, tr
from components.status import frame_banners
from services.audit import local_log_frame, verify_chain
from services.domain.access import reason_words
from services.domain.labels import label
from services.i18n import fmt_datetime
from services.search import query
from services.views.audit import audit_trail

require_page(__file__)
st.title(tr("audit.title"))

days = st.slider(tr("audit.window"), 1, 90, 7)
since = this_minute() - timedelta(days=days)
read = load(query("AuditEvent").search(date=f"ge{since.isoformat()}"), "AuditEvents")
frame_banners(read)
chain = verify_chain(settings().audit_log)
if not chain.ok:
    st.error(tr("audit.chain_broken", line=chain.broken_at))
view = audit_trail(read["audit_event"], local_log_frame(settings().audit_log), since)
if view.local:
    st.warning(tr("audit.local_note", count=view.local))

left, middle, right = st.columns(3)
users = left.multiselect(
    tr("audit.filter_user"), view.users, placeholder=tr("widget.choose_many"), select_all=False
)
actions = middle.multiselect(
    tr("audit.filter_action"),
    ["R", "U", "C", "E"],
    format_func=lambda code: tr(f"audit_action.{code}"),
    placeholder=tr("widget.choose_many"),
    select_all=False,
)
patient = right.text_input(tr("audit.filter_patient"))
break_glass = st.checkbox(tr("audit.only_break_glass"))

shown = view.narrowed(users=users, actions=actions, patient=patient, break_glass_only=break_glass)
if shown.empty:
    st.info(tr("audit.empty"))
else:
    lang = language()
    st.dataframe(
        pd.DataFrame(
            {
                tr("col.when"): shown["recorded"].map(lambda d: fmt_datetime(d, lang)),
                tr("col.user"): shown["user_name"].fillna(shown["user"]),
                tr("col.role"): label(shown["role"], "role", tr),
                tr("col.action"): label(shown["action"], "audit_action", tr),
                tr("col.patient"): shown["patient_id"],
                tr("col.page"): shown["page"],
                tr("col.reason"): shown["reason"].map(lambda r: reason_words(r, tr)),
                tr("col.source"): shown["source"],
            }
        ).fillna("–"),
        hide_index=True,
        placeholder="–",
    )
