"""The one CSV writer of the app, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading a formula) is taken as a formula by Excel and LibreOffice: a
patient named ``=HYPERLINK("http://…")`` or a task note would run on the reader's machine. Such
cells get a leading apostrophe, which the spreadsheet shows as text and does not print.

The file is what German Excel opens by double-click: cells separated by ``;`` (the list
separator of a German Windows, where ``,`` is the decimal sign), UTF-8 with a byte order mark
so that umlauts survive.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FORMULA_START", "SEPARATOR", "escape_cell", "to_csv"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SEPARATOR = ";"


def escape_cell(value: object) -> object:
    """``value`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV bytes: ``;``-separated, UTF-8 with BOM, formula cells escaped."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(escape_cell)
    safe.columns = [escape_cell(str(c)) for c in safe.columns]
    return safe.to_csv(index=False, sep=SEPARATOR).encode("utf-8-sig")
