"""Aggregates only: what the manager pages may show and export.

Two rules, applied to every table, chart and download of those pages:
- no row-level identity: a frame with a column that names or identifies a person or a stay
  (ids, names, birth dates, insurance or case numbers) is refused, never shown;
- small counts: a count of patient events (admissions, discharges, transfers, stays behind a
  length-of-stay figure) between 1 and 4 could point at one person when combined with a date
  and a ward, so it is shown as "<5", and figures computed from fewer than 5 stays are hidden;
  a mean over days (``small_means``) is hidden when the events behind it number 1 to 4, since
  the mean times the days counted gives the count back.

Both rules work on the internal column names of a view's frame, before anything is translated.
``aggregate_only`` also knows the translated headers of identifying columns in every language,
so a frame that was translated first ("Patient/in", "Geburtsdatum") is refused all the same.
Bed counts (total, occupied, free, blocked) and the midnight census describe beds, not people,
and stay exact: a manager placing patients needs the exact number of free beds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from services.i18n import LANGUAGES, fmt_number, t

__all__ = [
    "IDENTIFYING",
    "SMALL",
    "SMALL_TEXT",
    "DisclosureError",
    "aggregate_only",
    "fmt_count",
    "hide_small_groups",
    "mark_small",
    "mask_small",
    "small_counts",
    "small_means",
]

SMALL = 5
SMALL_TEXT = "<5"
IDENTIFYING = frozenset(
    {
        "id",
        "patient_id",
        "encounter_id",
        "subject",
        "name",
        "patient",
        "family",
        "given",
        "birth_date",
        "kvnr",
        "mrn",
        "mrn_system",
        "pseudonym",
        "case_number",
        "practitioner_id",
        "owner_id",
        "attending_id",
    }
)


# The catalogue keys of the headers those columns get on screen.
_IDENTIFYING_HEADERS = (
    "col.patient",
    "col.birth_date",
    "col.kvnr",
    "col.case_number",
    "col.records",
    "col.user",
    "col.owner",
)
_HEADER_WORDS = frozenset(
    t(key, lang).strip().lower() for key in _IDENTIFYING_HEADERS for lang in LANGUAGES
)


class DisclosureError(ValueError):
    """A frame about to be shown on an aggregate page carries identifying columns."""


def aggregate_only(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` unchanged when none of its columns identifies a person; raises otherwise.

    Checked against the internal names and against their headers in every language.
    """
    found = sorted((IDENTIFYING | _HEADER_WORDS) & {str(c).strip().lower() for c in frame.columns})
    if found:
        raise DisclosureError(f"identifying columns on an aggregate page: {', '.join(found)}")
    return frame


def _is_small(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return (numbers > 0) & (numbers < SMALL)


def small_counts(
    frame: pd.DataFrame,
    columns: Iterable[str],
    fmt: Callable[[object], str] = str,
) -> pd.DataFrame:
    """``columns`` as text: counts 1-4 as "<5", others through ``fmt``."""
    out = frame.copy()
    for column in columns:
        small = _is_small(out[column]).fillna(False)
        shown = out[column].map(fmt).astype("str")
        out[column] = shown.where(~small, SMALL_TEXT)
    return out


def mark_small(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``columns`` with counts 1-4 replaced by "<5" and the others kept as numbers.

    What a view hands over: disclosed before the page formats the numbers (``fmt_count``).
    """
    out = frame.copy()
    for column in columns:
        small = _is_small(out[column]).fillna(False)
        out[column] = out[column].astype("object").where(~small, SMALL_TEXT)
    return out


def fmt_count(value: object, lang: str = "de") -> str:
    """A count from ``mark_small`` as text: "<5" as it is, numbers formatted for ``lang``."""
    return value if isinstance(value, str) else fmt_number(value, lang)


def mask_small(values: pd.Series) -> pd.Series:
    """Counts for a chart: 1-4 become missing (a gap), the rest stay as numbers."""
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    return numbers.mask(_is_small(numbers).fillna(False))


def hide_small_groups(frame: pd.DataFrame, size: str, figures: Iterable[str]) -> pd.DataFrame:
    """Hide ``figures`` of rows computed from fewer than 5 (``size`` column shown as "<5")."""
    out = frame.copy()
    few = pd.to_numeric(out[size], errors="coerce") < SMALL
    for column in figures:
        out[column] = out[column].astype("Float64").mask(few)
    return small_counts(out, [size])


def small_means(frame: pd.DataFrame, totals: dict[str, str]) -> pd.DataFrame:
    """Means hidden (missing) where the count they average is 1-4; the count columns dropped.

    ``totals`` maps each mean column to the column of the events it averages: 2 admissions over
    2 Mondays show as a mean of 1.0 next to "2 days counted", which gives the 2 back.
    """
    out = frame.copy()
    for mean, total in totals.items():
        few = _is_small(out[total]).fillna(False)
        out[mean] = pd.to_numeric(out[mean], errors="coerce").astype("float").where(~few)
    return out.drop(columns=list(totals.values()))
