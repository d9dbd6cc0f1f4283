"""The bed board on screen: free beds by category on top, then one tile per bed, room by room.

The words of a tile and the table view are built by plain functions over the board's rows, so
they can be checked without Streamlit.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.kpi import kpi_row
from components.session import language
from services.domain.labels import label
from services.i18n import fmt_date, fmt_number, t

__all__ = [
    "STATUS_COLOURS",
    "board_table",
    "category_tiles",
    "render_board",
    "status_summary",
    "tile_markdown",
]

# Streamlit's badge colours per bed status (v2-0116 code).
STATUS_COLOURS = {
    "O": "blue",
    "U": "green",
    "H": "orange",
    "C": "gray",
    "I": "violet",
    "K": "red",
}


def _word(code: object, prefix: str, lang: str) -> str:
    return str(label(pd.Series([code]), prefix, lambda key: t(key, lang)).iloc[0])


def tile_markdown(bed: pd.Series, lang: str) -> str:
    """One bed as markdown: name and status; for an occupied bed the patient and the work."""
    status = bed["status"]
    colour = STATUS_COLOURS.get(status, "gray")
    lines = [f"**{bed['bed']}** :{colour}-badge[{_word(status, 'bed_status', lang)}]"]
    if status == "O":
        lines.append(f"**{bed['patient'] if isinstance(bed['patient'], str) else '–'}**")
        lines.append(
            t("beds.age_days", lang, age=fmt_number(bed["age"], lang), days=_days(bed, lang))
        )
        if bed["open"]:
            work = t("beds.tasks", lang, open=bed["open"], overdue=bed["overdue"])
            lines.append(f":red[{work}]" if bed["overdue"] else work)
        else:
            lines.append(t("beds.tasks_none", lang))
    else:
        lines.append(_word(bed["bed_category"], "bed_category", lang))
    return "  \n".join(lines)


def _days(bed: pd.Series, lang: str) -> str:
    days = bed["days"]
    return fmt_number(days, lang) if pd.notna(days) else "–"


def status_summary(counts: dict[str, int], lang: str) -> str:
    """'Beds by status: occupied 7 · free 1 · …' for the statuses the ward has."""
    shown = [
        f"{_word(code, 'bed_status', lang)} {fmt_number(n, lang)}"
        for code, n in counts.items()
        if n
    ]
    return t("beds.status_line", lang) + ": " + " · ".join(shown)


def category_tiles(free: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """(label, number) per bed category and age group for the row of key figures."""
    return [
        (
            f"{_word(row.bed_category, 'bed_category', lang)} · "
            f"{_word(row.age_group, 'age_group', lang)}",
            fmt_number(row.free, lang),
        )
        for row in free.itertuples(index=False)
    ]


def board_table(board: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The board as a table with headings in ``lang``."""

    def tr(key: str) -> str:
        return t(key, lang)

    occupied = board["status"] == "O"
    return pd.DataFrame(
        {
            tr("col.room"): board["room"],
            tr("col.bed"): board["bed"],
            tr("col.status"): label(board["status"], "bed_status", tr),
            tr("col.patient"): board["patient"].where(occupied),
            tr("col.age"): board["age"].where(occupied),
            tr("col.admitted"): board["admitted"].map(lambda d: fmt_date(d, lang)),
            tr("col.days"): board["days"],
            tr("tasks.open"): board["open"],
            tr("tasks.overdue"): board["overdue"],
        }
    )


def render_board(board: pd.DataFrame, free: pd.DataFrame, per_row: int = 4) -> None:
    """Free beds by category, then the rooms with their beds as tiles."""
    lang = language()
    st.markdown(f"**{t('beds.free_by_category', lang)}**")
    tiles = category_tiles(free, lang)
    if tiles:
        kpi_row(tiles)
    for room, beds in board.groupby("room_id", sort=True):
        st.markdown(f"**{beds['room'].iloc[0] or room}**")
        columns = st.columns(per_row)
        for n, (_, bed) in enumerate(beds.iterrows()):
            with columns[n % per_row].container(border=True, key=f"nurse.bed.{bed['bed_id']}"):
                st.markdown(tile_markdown(bed, lang))
