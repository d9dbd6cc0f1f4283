"""Aggregates only: what the manager pages may show and export.

Two rules, applied to every table, chart and download of those pages:
- no row-level identity: a frame with a column that names or identifies a person or a stay
  (ids, names, birth dates, insurance or case numbers) is refused, never shown;
- small counts: a count of patient events (admissions, discharges, transfers, stays behind a
  length-of-stay figure) between 1 and 4 could point at one person when combined with a date
  and a ward, so it is shown as "<5", and figures computed from fewer than 5 stays are hidden.
Bed counts (total, occupied, free, blocked) and the midnight census describe beds, not people,
and stay exact: a manager placing patients needs the exact number of free beds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

__all__ = [
    "IDENTIFYING",
    "SMALL",
    "SMALL_TEXT",
    "DisclosureError",
    "aggregate_only",
    "hide_small_groups",
    "mask_small",
    "small_counts",
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
        "case_number",
        "practitioner_id",
        "owner_id",
        "attending_id",
    }
)


class DisclosureError(ValueError):
    """A frame about to be shown on an aggregate page carries identifying columns."""


def aggregate_only(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` unchanged when none of its columns identifies a person; raises otherwise."""
    found = sorted(IDENTIFYING & {str(c).lower() for c in frame.columns})
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
