"""The bed board on one screen: the ward's rooms side by side, each room a column headed by its
name and the sex of the patients in it, each bed a cell with its status, the patient, isolation,
planned discharge and a vitals alert (or why the bed is blocked). A click on an occupied bed
opens the patient.

The words of a cell and the layout are built by plain functions over the grid's rows
(``views.ward.BedBoard.grid``), so they can be checked without Streamlit. Every datum a source
does not record says so ("nicht erfasst"); nothing rests on colour alone.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from services.domain.labels import label
from services.domain.worklist import VITALS_LEVEL
from services.i18n import fmt_date, fmt_number, t

__all__ = ["GRID_ROW_HEIGHT", "ROOMS_PER_GRID", "cell_text", "grid_tables", "render_grid"]

# Rooms side by side in one table: eight columns of about 180 px fill a 1920 px screen.
ROOMS_PER_GRID = 8
# Above 4rem a cell wraps its text (Streamlit's grid): four short lines per bed.
GRID_ROW_HEIGHT = 88


def _word(code: object, prefix: str, lang: str) -> str:
    return str(label(pd.Series([code]), prefix, lambda key: t(key, lang)).iloc[0])


def _vitals(cell: pd.Series, lang: str) -> str:
    status = cell.get("news2_status")
    if status not in ("complete", "incomplete"):
        if status == "not_applicable":
            return t("grid.news2_child", lang)
        return t("grid.news2_none", lang)
    band = cell["news2_band"]
    score = fmt_number(cell["news2_score"], lang)
    if band in VITALS_LEVEL:
        return t("grid.news2_alert", lang, score=score, band=t(f"news2.band.{band}", lang))
    return t("grid.news2", lang, score=score)


def _discharge(cell: pd.Series, lang: str) -> str:
    day = cell.get("discharge")
    if day in ("today", "tomorrow"):
        return t(f"grid.discharge_{day}", lang)
    if day == "later":
        return t("grid.discharge_on", lang, date=fmt_date(cell["planned_end"], lang))
    return t("grid.discharge_none", lang)


def cell_text(cell: pd.Series, lang: str) -> str:
    """One bed in a few words: name and status; the patient, a vitals alert, the planned
    discharge and isolation of an occupied bed; why a blocked bed is blocked."""
    status = cell["status"]
    if status == "U" and not bool(cell.get("status_known", True)):
        words = t("beds.free_unreported", lang)
    else:
        words = _word(status, "bed_status", lang)
    parts = [f"{cell['bed']} · {words}"]
    if isinstance(cell.get("encounter_id"), str):
        name = cell["patient"] if isinstance(cell["patient"], str) else None
        parts.append(name or t("word.not_recorded", lang))
        parts.append(_vitals(cell, lang))
        parts.append(_discharge(cell, lang))
        codes = cell.get("isolation")
        if isinstance(codes, tuple) and codes:
            flags = ", ".join(_word(c, "isolation", lang) for c in codes)
            parts.append(t("beds.isolation", lang, flags=flags))
    elif status != "U":
        reason = cell.get("block_reason")
        parts.append(
            t("beds.reason", lang, reason=_word(reason, "block_reason", lang))
            if isinstance(reason, str)
            else t("grid.reason_none", lang)
        )
    return " · ".join(parts)


def _room_header(room: object, sex: str, lang: str) -> str:
    name = room if isinstance(room, str) and room else t("word.not_recorded", lang)
    return f"{name} · {t(f'grid.room_sex.{sex}', lang)}"


def grid_tables(
    cells: pd.DataFrame, lang: str, per_grid: int = ROOMS_PER_GRID
) -> list[tuple[pd.DataFrame, dict[tuple[int, str], int]]]:
    """The grid as tables of at most ``per_grid`` rooms each: one column per room (headed by
    its name and room sex), one row per bed place; with each table the position of every
    bed's row in ``cells`` by (row, column)."""
    rooms = list(dict.fromkeys(cells["room_id"]))
    out = []
    for start in range(0, len(rooms), per_grid):
        columns: dict[str, list[str]] = {}
        where: dict[tuple[int, str], int] = {}
        for room in rooms[start : start + per_grid]:
            beds = cells[cells["room_id"] == room]
            first = beds.iloc[0]
            header = _room_header(first["room"], first["room_sex"], lang)
            while header in columns:
                header += " "
            columns[header] = [cell_text(bed, lang) for _, bed in beds.iterrows()]
            for n, index in enumerate(beds.index):
                where[(n, header)] = int(index)
        height = max(len(v) for v in columns.values())
        table = pd.DataFrame({k: v + [""] * (height - len(v)) for k, v in columns.items()})
        out.append((table, where))
    return out


def render_grid(
    cells: pd.DataFrame,
    lang: str,
    on_open: Callable[[pd.Series], None],
    key: str,
    help_key: str = "grid.help",
) -> None:
    """The grid tables; a click on an occupied bed calls ``on_open`` with its row."""
    st.caption(t(help_key, lang))
    for n, (table, where) in enumerate(grid_tables(cells, lang)):
        event = st.dataframe(
            table,
            hide_index=True,
            on_select="rerun",
            selection_mode="single-cell",
            row_height=GRID_ROW_HEIGHT,
            key=f"{key}.{n}",
            placeholder="",
        )
        for row, column in event.selection.cells:
            index = where.get((row, column))
            if index is not None and isinstance(cells.at[index, "encounter_id"], str):
                on_open(cells.loc[index])
