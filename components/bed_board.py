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
from services.markdown import plain

__all__ = [
    "STATUS_COLOURS",
    "STATUS_ICONS",
    "board_columns",
    "board_table",
    "category_tiles",
    "isolation_words",
    "reason_words",
    "render_board",
    "status_summary",
    "status_words",
    "tile_markdown",
]

# Streamlit's badge colours per bed status (v2-0116 code; R reserved for a transfer).
STATUS_COLOURS = {
    "O": "blue",
    "U": "green",
    "H": "orange",
    "C": "gray",
    "I": "violet",
    "K": "red",
    "R": "yellow",
}


# An icon beside the word of each status, so that the status never rests on colour alone.
STATUS_ICONS = {
    "O": ":material/hotel:",
    "U": ":material/check_circle:",
    "H": ":material/cleaning_services:",
    "C": ":material/block:",
    "I": ":material/shield:",
    "K": ":material/coronavirus:",
    "R": ":material/event_available:",
}
UNKNOWN_ICON = ":material/help:"
ISOLATION_ICON = ":material/masks:"


def _word(code: object, prefix: str, lang: str) -> str:
    return str(label(pd.Series([code]), prefix, lambda key: t(key, lang)).iloc[0])


def status_words(bed: pd.Series, lang: str) -> str:
    """The status of a bed in words; a free bed whose source reports no status says so."""
    if bed["status"] == "U" and not bed.get("status_known", True):
        return t("beds.free_unreported", lang)
    return _word(bed["status"], "bed_status", lang)


def reason_words(reason: object, lang: str) -> str | None:
    """Why a bed is blocked, in words; None without a reason."""
    if not isinstance(reason, str):
        return None
    return _word(reason, "block_reason", lang)


def isolation_words(codes: object, lang: str) -> str | None:
    """The patient's isolation flags in words ("MRSA, COVID-19"); None without any."""
    if not isinstance(codes, tuple) or not codes:
        return None
    return ", ".join(_word(code, "isolation", lang) for code in codes)


def tile_markdown(bed: pd.Series, lang: str) -> str:
    """One bed as markdown: name and status (icon and word); for an occupied bed the patient,
    their isolation and the work; for a blocked bed the reason."""
    status = bed["status"]
    colour = STATUS_COLOURS.get(status, "gray")
    known = status in STATUS_ICONS and (status != "U" or bool(bed.get("status_known", True)))
    icon = STATUS_ICONS[status] if known else UNKNOWN_ICON
    words = plain(status_words(bed, lang))
    lines = [f"**{plain(bed['bed'])}** :{colour}-badge[{icon} {words}]"]
    if status == "O":
        lines.append(f"**{plain(bed['patient'] if isinstance(bed['patient'], str) else None)}**")
        isolation = isolation_words(bed.get("isolation"), lang)
        if isolation:
            flags = plain(t("beds.isolation", lang, flags=isolation))
            lines.append(f":red-badge[{ISOLATION_ICON} {flags}]")
        lines.append(
            t("beds.age_days", lang, age=fmt_number(bed["age"], lang), days=_days(bed, lang))
        )
        if bed["open"]:
            work = t("beds.tasks", lang, open=bed["open"], overdue=bed["overdue"])
            lines.append(f":red[{work}]" if bed["overdue"] else work)
        else:
            lines.append(t("beds.tasks_none", lang))
    else:
        reason = reason_words(bed.get("block_reason"), lang)
        if reason:
            lines.append(plain(t("beds.reason", lang, reason=reason)))
        lines.append(_word(bed["bed_category"], "bed_category", lang))
    return "  \n".join(lines)


def _days(bed: pd.Series, lang: str) -> str:
    days = bed["days"]
    return fmt_number(days, lang) if pd.notna(days) else "–"


def status_summary(counts: dict[str, int], lang: str) -> str:
    """'Beds by status: occupied 7 · free 0 · …': occupied and free always (a full ward must
    say so), the other statuses when the ward has them."""
    always = {"O": 0, "U": 0}
    shown = [
        f"{_word(code, 'bed_status', lang)} {fmt_number(n, lang)}"
        for code, n in {**always, **counts}.items()
        if n or code in always
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
            tr("col.status"): [status_words(bed, lang) for _, bed in board.iterrows()],
            tr("col.block_reason"): [reason_words(r, lang) for r in board["block_reason"]],
            tr("col.patient"): board["patient"].where(occupied),
            tr("col.isolation"): [isolation_words(c, lang) for c in board["isolation"]],
            tr("col.age"): board["age"].where(occupied),
            tr("col.admitted"): board["admitted"].map(lambda d: fmt_date(d, lang)),
            tr("col.days"): board["days"],
            tr("tasks.open"): board["open"],
            tr("tasks.overdue"): board["overdue"],
        }
    )


# Fixed widths for the board as a table: Streamlit sizes a table's columns to what they hold, so
# they would jump with every refresh that admits or discharges a patient.
_TABLE_WIDTHS = {
    "col.room": "small",
    "col.bed": "small",
    "col.status": "medium",
    "col.block_reason": "medium",
    "col.patient": "medium",
    "col.isolation": "medium",
    "col.age": 60,
    "col.admitted": 100,
    "col.days": 60,
    "tasks.open": 70,
    "tasks.overdue": 90,
}


def board_columns(lang: str) -> dict:
    """The ``column_config`` of ``board_table``: a fixed width per column."""
    return {t(key, lang): st.column_config.Column(width=w) for key, w in _TABLE_WIDTHS.items()}


def render_board(board: pd.DataFrame, free: pd.DataFrame, per_row: int = 4) -> None:
    """Free beds by category, then the rooms with their beds as tiles."""
    lang = language()
    st.markdown(f"**{t('beds.free_by_category', lang)}**")
    tiles = category_tiles(free, lang)
    if tiles:
        kpi_row(tiles)
    # The board comes in room and bed order (``ward_beds``): keep it.
    for room, beds in board.groupby("room_id", sort=False):
        st.markdown(f"**{plain(beds['room'].iloc[0] or room)}**")
        columns = st.columns(per_row)
        for n, (_, bed) in enumerate(beds.iterrows()):
            with columns[n % per_row].container(border=True, key=f"nurse.bed.{bed['bed_id']}"):
                st.markdown(tile_markdown(bed, lang))
