"""The order people expect for names with numbers in them: beds, rooms, wards.

Sorted as text, "1A-10" comes before "1A-2" and "Zimmer 10" before "Zimmer 9". ``natural_key``
compares the digit runs of a name as numbers and the rest without regard to case, so every page
that lists places uses this one key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

__all__ = ["natural_key", "natural_sort"]

_DIGITS = re.compile(r"(\d+)")


def _key(value: object) -> tuple:
    if not isinstance(value, str) or not value:
        # Missing names last.
        return (1,)
    # Text and numbers alternate from a text part (maybe empty): like parts always meet.
    parts = _DIGITS.split(value.casefold())
    return (0, *(int(p) if n % 2 else p for n, p in enumerate(parts)))


def natural_key(values: pd.Series) -> pd.Series:
    """A sort key for ``sort_values(key=...)``: "1A-2" before "1A-10", missing names last."""
    return pd.Series([_key(v) for v in values], index=values.index, dtype="object")


def natural_sort(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` ordered by the names in ``columns``, naturally (``natural_key``), stably."""
    if frame.empty:
        return frame
    return frame.sort_values(list(columns), key=natural_key, kind="stable")
