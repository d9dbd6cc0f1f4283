"""Manager and admin: data quality per source: stale open stays, stays without ward, patients
without identifier, unresolved references, unknown code systems, partial dates, repairs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.data import load
from components.guard import require_page
from components.scope import now
from components.session import language, settings, tr
from components.status import frame_banners
from services.domain.data_quality import QUALITY_KINDS, quality_view
from services.i18n import fmt_datetime, fmt_number
from services.roles import Role
from services.search import query

user = require_page(__file__)
lang = language()
moment = now()
rule = settings().stale_stays
st.title(tr("page.data_quality"))
st.caption(tr("dq.intro", days=fmt_number(rule.days or rule.max_days, lang)))

reads = [load(query(kind), kind) for kind in QUALITY_KINDS]
frame_banners(*reads)
st.caption(tr("mgr.as_of", time=fmt_datetime(moment, lang)))
report = quality_view(reads, moment, rule, user.role)
examples_rule = "admin" if user.role == Role.ADMIN else "manager"
st.caption(tr(f"dq.examples_rule.{examples_rule}"))


def detail(check: str, text: str) -> str:
    if check == "open_stays_too_old":
        return tr("dq.limit_days", days=fmt_number(int(text), lang))
    return text or tr("dq.none_shown")


for source in [s.name for s in settings().sources]:
    st.subheader(source)
    rows = report[(report["source"] == source) & (report["count"] > 0)]
    if rows.empty:
        st.success(tr("dq.clean"))
        continue
    st.dataframe(
        pd.DataFrame(
            {
                tr("dq.col.check"): [tr(f"dq.check.{c}") for c in rows["check"]],
                tr("dq.col.detail"): [
                    detail(c, d) for c, d in zip(rows["check"], rows["detail"], strict=True)
                ],
                tr("dq.col.count"): [fmt_number(n, lang) for n in rows["count"]],
                tr("dq.col.examples"): [
                    ", ".join(e) if e else tr("dq.none_shown") for e in rows["examples"]
                ],
            }
        ),
        hide_index=True,
        placeholder="–",
    )
