"""Admin: the audit trail of record views and writes, from the platform and the local log."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from components.data import load
from components.guard import require
from components.scope import this_minute
from components.session import language, settings, tr
from components.status import frame_banners
from services.audit import local_log_frame
from services.domain.audit_trail import filter_trail
from services.domain.labels import label
from services.i18n import fmt_datetime
from services.roles import Capability
from services.search import query

require(Capability.AUDIT_LOG)
st.title(tr("audit.title"))

days = st.slider(tr("audit.window"), 1, 90, 7)
since = this_minute() - timedelta(days=days)
read = load(query("AuditEvent").search(date=f"ge{since.isoformat()}"), "AuditEvents")
frame_banners(read)
local = local_log_frame(settings().audit_log)
local = local[local["recorded"] >= since]
if not local.empty:
    st.warning(tr("audit.local_note", count=len(local)))
trail = pd.concat([read["audit_event"], local], ignore_index=True)

left, middle, right = st.columns(3)
users = left.multiselect(tr("audit.filter_user"), sorted(trail["user"].dropna().unique()))
actions = middle.multiselect(
    tr("audit.filter_action"),
    ["R", "U", "C", "E"],
    format_func=lambda code: tr(f"audit_action.{code}"),
)
patient = right.text_input(tr("audit.filter_patient"))
break_glass = st.checkbox(tr("audit.only_break_glass"))

shown = filter_trail(
    trail, users=users, actions=actions, patient=patient, break_glass_only=break_glass
)
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
                tr("col.reason"): shown["reason"],
                tr("col.source"): shown["source"],
            }
        ),
        hide_index=True,
    )
