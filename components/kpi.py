"""A row of key figures."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

__all__ = ["kpi_row"]


def kpi_row(tiles: Sequence[tuple[str, str]], help_texts: Sequence[str | None] = ()) -> None:
    """One ``st.metric`` per (label, already formatted value)."""
    columns = st.columns(len(tiles))
    for n, (column, (label, value)) in enumerate(zip(columns, tiles, strict=True)):
        column.metric(label, value, help=help_texts[n] if n < len(help_texts) else None)
