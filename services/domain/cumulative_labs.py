"""The cumulative lab table (Kumulativbefund): analytes as rows, sampling times as columns.

One row per analyte, unit and hospital: hospitals measure with their own methods and reference
ranges, so their values are not put in one row. Columns are the sampling times (to the minute,
Berlin time), newest first, ``columns`` at a time; older times are further pages. A cell holds the
value as the physician reads it, with ``H↑``/``L↓`` (``HH``/``LL`` critical, ``A`` abnormal) so
that an abnormal value is marked in text, not by colour only. The flag is the sender's
interpretation where there is one, else the value measured against the row's reference range.
The row shows the reference range of its newest value.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from services.domain.timeline import hospital_of
from services.i18n import fmt_datetime, t
from services.lab_labels import analyte_labels, analyte_order, display_unit, shown_value

__all__ = ["FLAG_TEXT", "ROW_COLUMNS", "CumulativeLabs", "cumulative_labs", "lab_results"]

BERLIN = "Europe/Berlin"
# v3 ObservationInterpretation codes as a lab sheet prints them.
FLAG_TEXT = {
    "H": "H↑",
    "HU": "HH↑↑",
    "HH": "HH↑↑",
    "L": "L↓",
    "LU": "LL↓↓",
    "LL": "LL↓↓",
    "A": "A",
    "AA": "AA",
}
# The columns before the sampling times.
ROW_COLUMNS = ["analyte", "unit", "reference", "hospital_id", "code", "ucum"]
# Categories that are not lab results even when a source leaves the category out.
_NOT_LAB = frozenset({"vital-signs", "survey", "social-history", "activity", "exam"})


@dataclass(frozen=True)
class CumulativeLabs:
    """``table``: ``ROW_COLUMNS`` then one column per shown sampling time (its label);
    ``times``: every sampling time, newest first; ``shown``: the times of this page;
    ``pages``: how many pages of ``columns`` times there are."""

    table: pd.DataFrame
    times: list[pd.Timestamp]
    shown: list[pd.Timestamp]
    pages: int


def lab_results(observations: pd.DataFrame | None) -> pd.DataFrame:
    """The lab results among ``observations``: category laboratory, or no category and a code
    that is no vital sign. A result without a value stays (its cell says so)."""
    if observations is None or observations.empty:
        return pd.DataFrame(columns=[] if observations is None else observations.columns)
    category = observations["category"]
    lab = category.eq("laboratory") | (category.isna() & observations["code"].notna())
    lab &= ~category.isin(_NOT_LAB)
    kept = observations[lab & observations["effective"].notna()]
    return kept[~kept["status"].isin(["cancelled", "entered-in-error"])]


def _flag(row) -> str | None:
    if isinstance(row.interpretation, str) and row.interpretation:
        return FLAG_TEXT.get(row.interpretation)
    if pd.isna(row.value):
        return None
    if pd.notna(row.ref_high) and row.value > row.ref_high:
        return FLAG_TEXT["H"]
    if pd.notna(row.ref_low) and row.value < row.ref_low:
        return FLAG_TEXT["L"]
    return None


def _cell(row, lang: str) -> str:
    if pd.notna(row.value):
        shown = shown_value(row.value, lang)
    elif isinstance(row.value_text, str) and row.value_text:
        shown = row.value_text
    else:
        shown = t("labs.no_value", lang)
    flag = _flag(row)
    if flag:
        shown = f"{shown} {flag}"
    if row.status == "preliminary":
        shown = f"{shown} ({t('status.observation.preliminary', lang)})"
    return shown


def _reference(low: object, high: object, lang: str) -> str:
    if pd.notna(low) and pd.notna(high):
        return f"{shown_value(low, lang)}–{shown_value(high, lang)}"
    if pd.notna(high):
        return t("labs.reference.below", lang, high=shown_value(high, lang))
    if pd.notna(low):
        return t("labs.reference.above", lang, low=shown_value(low, lang))
    return t("labs.no_reference", lang)


def cumulative_labs(
    observations: pd.DataFrame | None,
    patients: pd.DataFrame,
    lang: str,
    *,
    columns: int = 8,
    page: int = 0,
) -> CumulativeLabs:
    """The cumulative table of the lab results in ``observations`` (the record's observation
    table, any number of sources); page ``page`` of the sampling times, ``columns`` per page."""
    labs = lab_results(observations)
    if labs.empty:
        return CumulativeLabs(pd.DataFrame(columns=ROW_COLUMNS), [], [], 0)
    labs = labs.assign(
        hospital_id=hospital_of(labs, patients),
        taken=labs["effective"].dt.tz_convert(BERLIN).dt.floor("min"),
        ucum=labs["unit"].where(labs["unit"].notna() & labs["unit"].ne(""), None),
    )
    times = sorted(labs["taken"].unique(), reverse=True)
    pages = -(-len(times) // columns)
    page = min(max(page, 0), pages - 1)
    shown = times[page * columns : (page + 1) * columns]
    labels = {when: fmt_datetime(when, lang) for when in shown}
    labs = labs.assign(
        analyte=analyte_labels(labs["code"], labs["display"], lang).fillna(
            t("timeline.no_display", lang)
        ),
        row_key=labs["code"].fillna(labs["display"]).astype(str),
    )
    keys = ["row_key", "ucum", "hospital_id"]
    rows = []
    for (_, ucum, hospital), group in labs.groupby(keys, sort=False, dropna=False):
        group = group.sort_values("effective", kind="stable")
        newest = group.iloc[-1]
        unit = display_unit(ucum)
        row = {
            "analyte": newest["analyte"],
            "unit": unit if unit else t("labs.no_unit", lang),
            "reference": _reference(newest["ref_low"], newest["ref_high"], lang),
            "hospital_id": hospital,
            "code": newest["code"] if isinstance(newest["code"], str) else None,
            "ucum": ucum if isinstance(ucum, str) else None,
        }
        on_page = group[group["taken"].isin(shown)]
        cells: dict[str, list[str]] = {}
        for result in on_page.itertuples(index=False):
            cells.setdefault(labels[result.taken], []).append(_cell(result, lang))
        row.update({label: " / ".join(values) for label, values in cells.items()})
        row["_order"] = analyte_order(row["code"])
        rows.append(row)
    table = (
        pd.DataFrame(rows)
        .sort_values(["_order", "analyte", "hospital_id", "unit"], kind="stable")
        .drop(columns="_order")
        .reindex(columns=[*ROW_COLUMNS, *labels.values()])
        .fillna(dict.fromkeys(labels.values(), ""))
        .reset_index(drop=True)
    )
    return CumulativeLabs(table, [pd.Timestamp(w) for w in times], shown, pages)
