"""The early warning board as a table: every cell worded, the risk carried by sign and word."""

from __future__ import annotations

import pandas as pd

from services.domain.news2 import (
    ADULT_AGE,
    BAND_SIGN,
    PARAMETERS,
    elapsed_text,
    missing_text,
)
from services.i18n import fmt_datetime, fmt_number, t

__all__ = ["acuity_table", "band_text", "values_text"]

# Short names of the parameters in the values cell (the handover's abbreviations).
_SHORT = {
    "respiration": "handover.vital.9279-1",
    "spo2": "handover.vital.59408-5",
    "systolic": "handover.vital.8480-6",
    "pulse": "handover.vital.8867-4",
    "temperature": "handover.vital.8310-5",
}


def band_text(band: object, lang: str) -> str:
    if not isinstance(band, str):
        return "–"
    return f"{BAND_SIGN[band]} {t(f'news2.band.{band}', lang)}"


def _value(parameter: str, row: pd.Series, lang: str) -> str | None:
    value = row[f"{parameter}_value"]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if parameter == "oxygen":
        shown = t("news2.oxygen.yes" if value else "news2.oxygen.no", lang)
    elif parameter == "consciousness":
        shown = f"{t('handover.vital.67775-7', lang)} {value}"
    else:
        decimals = 1 if parameter == "temperature" else 0
        number = fmt_number(float(value), lang, decimals)
        shown = f"{t(_SHORT[parameter], lang)} {number}"
        if parameter == "spo2":
            shown += " %"
            if row["scale"] == 2:
                shown += f" ({t('news2.scale_2', lang)})"
    scored = row[f"{parameter}_points"]
    points = "–" if scored is None or pd.isna(scored) else fmt_number(int(scored), lang)
    return f"{shown} [{points}]"


def values_text(row: pd.Series, lang: str) -> str:
    """The set's values with their points in brackets, in the chart's order."""
    parts = [_value(p, row, lang) for p in PARAMETERS]
    return " · ".join(p for p in parts if p) or "–"


def _score(row: pd.Series, lang: str) -> str:
    status = row["status"]
    if status == "complete":
        return fmt_number(int(row["score"]), lang)
    if status == "incomplete":
        return t("news2.incomplete.short", lang, partial=fmt_number(int(row["partial"]), lang))
    if status == "not_applicable":
        return t("news2.not_applicable", lang, age=ADULT_AGE)
    return t("news2.no_set", lang)


def _due(row: pd.Series, lang: str) -> str:
    if row["overdue"]:
        return t("news2.status.overdue", lang)
    age = row.get("age")
    child = age is not None and pd.notna(age) and float(age) < ADULT_AGE
    if row["status"] == "not_applicable" or child:
        return "–"
    return t("news2.status.on_time", lang)


def acuity_table(board: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per patient, headed and worded in ``lang``; missing data said in words."""

    def tr(key: str) -> str:
        return t(key, lang)

    rows = []
    for _, row in board.iterrows():
        trend = row["trend"]
        elapsed = row["elapsed"]
        rows.append(
            {
                tr("col.room"): row["room"] if isinstance(row["room"], str) else "–",
                tr("col.bed"): row["bed"] if isinstance(row["bed"], str) else "–",
                tr("col.patient"): row["patient"],
                tr("news2.col.score"): _score(row, lang),
                tr("news2.col.band"): band_text(row["band"], lang)
                if row["status"] in ("complete", "incomplete")
                else "–",
                tr("news2.col.trend"): tr(f"news2.trend.{trend}")
                if isinstance(trend, str)
                else "–",
                tr("news2.col.values"): values_text(row, lang),
                tr("news2.col.missing"): missing_text(row["missing"], lang) or tr("word.none"),
                tr("news2.col.taken"): fmt_datetime(row["taken"], lang)
                if pd.notna(row["taken"])
                else "–",
                tr("news2.col.elapsed"): elapsed_text(elapsed, lang)
                if isinstance(elapsed, pd.Timedelta) and pd.notna(elapsed)
                else "–",
                tr("news2.col.due"): _due(row, lang),
            }
        )
    columns = [
        tr(k)
        for k in (
            "col.room",
            "col.bed",
            "col.patient",
            "news2.col.score",
            "news2.col.band",
            "news2.col.trend",
            "news2.col.values",
            "news2.col.missing",
            "news2.col.taken",
            "news2.col.elapsed",
            "news2.col.due",
        )
    ]
    return pd.DataFrame(rows, columns=columns)
