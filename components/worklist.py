"""The physician's worklist as a table: rank, why, who, what, where.

Built by a plain function over the view's rows, so the words can be checked without Streamlit.
Every empty cell says so in words ("nicht erfasst"); a missing datum never reads as ``None``.
"""

from __future__ import annotations

import pandas as pd

from services.domain.news2 import score_text
from services.domain.worklist import reason_text
from services.i18n import fmt_date, fmt_number, t

__all__ = ["worklist_table"]


def _or_missing(values: pd.Series, lang: str) -> list[str]:
    missing = t("word.not_recorded", lang)
    return [v if isinstance(v, str) and v else missing for v in values]


def _news2(scores: pd.DataFrame, encounters: pd.Series, lang: str) -> list[str]:
    by_stay = {row["encounter_id"]: row for _, row in scores.iterrows()}
    return [
        score_text(by_stay[e], lang) if e in by_stay else t("worklist.news2.none", lang)
        for e in encounters
    ]


def worklist_table(rows: pd.DataFrame, scores: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ranked rows (``views.inpatients.Worklist.rows``) with headings in ``lang``."""

    def tr(key: str) -> str:
        return t(key, lang)

    missing = tr("word.not_recorded")
    texts = _or_missing(rows["diagnosis"], lang)
    diagnosis = [
        f"{code} {text}" if isinstance(code, str) and text not in (code, missing) else text
        for code, text in zip(rows["diagnosis_code"], texts, strict=True)
    ]
    planned = [
        fmt_date(d, lang) if isinstance(d, pd.Timestamp) and pd.notna(d) else missing
        for d in rows["planned_end"]
    ]
    return pd.DataFrame(
        {
            tr("worklist.col.rank"): rows["rank"].map(lambda n: fmt_number(n, lang)),
            tr("worklist.col.why"): [reason_text(r, lang) for r in rows["reasons"]],
            tr("col.patient"): _or_missing(rows["name"], lang),
            tr("worklist.col.diagnosis"): diagnosis,
            tr("worklist.col.news2"): _news2(scores, rows["encounter_id"], lang),
            tr("col.ward"): _or_missing(rows["ward"], lang),
            tr("col.bed"): _or_missing(rows["bed"], lang),
            tr("col.admitted"): [
                fmt_date(d, lang) if pd.notna(d) else missing for d in rows["start"]
            ],
            tr("col.days"): rows["days_so_far"].map(lambda n: fmt_number(n, lang)),
            tr("col.planned_discharge"): planned,
        }
    )
