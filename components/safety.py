"""The safety header (allergies, isolation flags), the problem list and the reconciled medication.

The header is drawn above everything else on a patient view: red when an allergy of high
criticality or an active isolation flag is recorded, and it says "not recorded" in words when no
source states anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from services.domain.problems import ProblemList
from services.domain.safety import SafetyHeader
from services.i18n import fmt_date
from services.markdown import plain

Translate = Callable[..., str]


def _where(hospitals: tuple, names: Mapping[str, str]) -> str:
    return ", ".join(names.get(h, h) for h in hospitals)


def _allergy_text(row, names: Mapping[str, str], tr: Translate) -> str:
    details = []
    if isinstance(row.criticality, str):
        details.append(tr(f"safety.criticality.{row.criticality}"))
    if isinstance(row.reaction, str):
        details.append(row.reaction)
    if row.verification in ("unconfirmed", "presumed"):
        details.append(tr(f"safety.verification.{row.verification}"))
    text = tr(
        "safety.allergy.item",
        substance=row.substance,
        details=(": " + ", ".join(details)) if details else "",
        where=_where(row.hospitals, names),
    )
    return f"**{plain(text)}**" if row.high else plain(text)


def safety_header(header: SafetyHeader, names: Mapping[str, str], tr: Translate, lang: str) -> None:
    """Allergies and flags as coloured boxes, the most dangerous first."""
    title = f"**{tr('safety.allergies')}:** "
    if header.allergy_state == "known":
        lines = [_allergy_text(row, names, tr) for row in header.allergies.itertuples()]
        box = st.error if header.allergies["high"].any() else st.warning
        box(title + "; ".join(lines), icon=":material/warning:")
    elif header.allergy_state == "none_known":
        first = header.statements.iloc[0]
        stated = tr(
            "safety.allergies.stated",
            where=names.get(first["hospital"], first["hospital"]),
            date=fmt_date(first["recorded"], lang),
        )
        st.success(title + f"{tr('safety.allergies.none_known')} ({plain(stated)})")
    else:
        st.info(title + tr("safety.allergies.not_recorded"), icon=":material/help:")
    if header.incomplete:
        st.caption(tr("safety.allergies.incomplete"))
    flags = header.flags
    active = flags[flags["active"].astype(bool)]
    flag_title = f"**{tr('safety.flags')}:** "
    if not active.empty:
        items = [
            tr(
                "safety.flag.item",
                text=row.text,
                date=fmt_date(row.start, lang),
                where=_where(row.hospitals, names),
            )
            for row in active.itertuples()
        ]
        st.error(flag_title + plain("; ".join(items)), icon=":material/coronavirus:")
    earlier = flags[~flags["active"].astype(bool)]
    words = tr("safety.flags.none") if active.empty else ""
    if not earlier.empty:
        listed = ", ".join(
            f"{row.text} ({fmt_date(row.end if pd.notna(row.end) else row.start, lang)})"
            for row in earlier.itertuples()
        )
        words = "; ".join(w for w in (words, tr("safety.flags.earlier", items=listed)) if w)
    if words:
        st.caption(flag_title + plain(words))


def _problem_table(rows: pd.DataFrame, names: Mapping[str, str], tr: Translate, lang: str):
    return pd.DataFrame(
        {
            tr("col.code"): rows["code"].fillna(""),
            tr("col.text"): rows["display"].fillna(tr("timeline.no_display")),
            tr("col.hospital"): rows["hospitals"].map(lambda hs: _where(hs, names)),
            tr("problems.col.since"): rows["onset"]
            .fillna(rows["recorded"])
            .map(lambda d: fmt_date(d, lang)),
            tr("problems.col.listed"): rows["problem_list"].map(
                lambda v: tr("word.yes") if v else ""
            ),
        }
    )


def problem_list(problems: ProblemList, names: Mapping[str, str], tr: Translate, lang: str) -> None:
    """Active problems by ICD-10-GM chapter; resolved ones folded."""
    if problems.active.empty:
        st.info(tr("problems.none"))
    for chapter, rows in problems.active.groupby(problems.active["chapter"].fillna(""), sort=False):
        heading = (
            tr("problems.chapter", chapter=chapter, name=tr(f"icd.chapter.{chapter}"))
            if chapter
            else tr("problems.chapter.none")
        )
        st.markdown(f"**{heading}**")
        st.dataframe(_problem_table(rows, names, tr, lang), hide_index=True)
    if not problems.resolved.empty:
        with st.expander(tr("problems.resolved", count=len(problems.resolved))):
            st.dataframe(_problem_table(problems.resolved, names, tr, lang), hide_index=True)


def medication_table(
    medication: pd.DataFrame, names: Mapping[str, str], tr: Translate, lang: str
) -> pd.DataFrame:
    """The reconciled medication as the page shows it (translated column names)."""
    return pd.DataFrame(
        {
            tr("col.code"): medication["code"].fillna(""),
            tr("col.text"): medication["display"].fillna(tr("timeline.no_display")),
            tr("medlist.col.dosage"): medication["dosage"].fillna(""),
            tr("col.start"): medication["start"].map(lambda d: fmt_date(d, lang)),
            tr("medlist.col.last_seen"): medication["last_seen"].map(lambda d: fmt_date(d, lang)),
            tr("col.hospital"): medication["hospitals"].map(lambda hs: _where(hs, names)),
            tr("medlist.col.ordered_at"): medication["ordered_at"].map(
                lambda hs: _where(hs, names)
            ),
            tr("medlist.col.duplicate"): medication["duplicate"].map(
                lambda v: tr("word.yes") if v else ""
            ),
            tr("medlist.col.group"): [
                ("⚠️ " if conflict else "") + tr(f"medlist.group.{group}")
                if isinstance(group, str)
                else ""
                for group, conflict in zip(
                    medication["group"], medication["group_conflict"], strict=True
                )
            ],
        }
    )


def medication_list(
    medication: pd.DataFrame, names: Mapping[str, str], tr: Translate, lang: str
) -> pd.DataFrame | None:
    """The reconciled list with its same-group warning; returns the shown table (for export)."""
    if medication.empty:
        st.info(tr("medlist.none"))
        return None
    conflicts = medication.loc[medication["group_conflict"].astype(bool), "group"].dropna()
    if not conflicts.empty:
        groups = ", ".join(tr(f"medlist.group.{g}") for g in dict.fromkeys(conflicts))
        st.warning(tr("medlist.conflict", groups=groups), icon=":material/warning:")
    table = medication_table(medication, names, tr, lang)
    st.dataframe(table, hide_index=True)
    st.caption(tr("medlist.help"))
    return table
