"""The ward's task list on screen: counts, filters, one row per task with its actions.

Writes go through ``services.task_writes.change_task`` with the version the nurse saw. What the
nurse typed lives in ``st.session_state`` under keys of its own, so neither the refresh every
minute nor a lost race nor a filter that hides the row loses it. A write that lost a race is kept
in a conflict panel above the list until the nurse dismisses it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.audit import audit
from components.data import load
from components.kpi import kpi_row
from components.session import language, platform, tr
from components.status import error_banner
from services import queries
from services.audit import AuditRecord
from services.codes import OPEN_TASK_STATES
from services.domain.labels import label
from services.domain.ward_tasks import (
    OWNER_CHOICES,
    TaskCounts,
    TaskFilter,
    task_frame,
    with_own_writes,
)
from services.errors import Conflict, DataError
from services.i18n import fmt_datetime, fmt_number, t
from services.platform import FrameSet
from services.roles import User
from services.task_writes import Action, change_task

__all__ = [
    "NOTES",
    "OWN_WRITES",
    "conflict_ids",
    "conflict_panel",
    "note_key",
    "own_writes",
    "row_texts",
    "show_flash",
    "task_counts_row",
    "task_filters",
    "task_rows",
    "ward_tasks",
]

OWN_WRITES = "nurse.own_writes"
NOTES = "nurse.notes"
CONFLICTS = "nurse.conflicts"
FLASH = "nurse.flash"
TASK_CODES = ("vitalzeichen", "medikation", "wundversorgung", "mobilisation", "entlassvorbereitung")
# Relative widths: patient and place, task, due, status and owner, note, three buttons.
_WIDTHS = [2.4, 2, 1.6, 1.6, 2.2, 1.9, 1.6, 1.6]


def note_key(task_id: str) -> str:
    return f"nurse.note.{task_id}"


def ward_tasks(ward_ids: tuple[str, ...]) -> tuple[pd.DataFrame, FrameSet]:
    """Open tasks of the wards (with their patients), this session's own writes laid over."""
    read = load(queries.open_tasks_of_wards(ward_ids).include("Task", "patient"), "Tasks")
    return with_own_writes(read["task"], own_writes()), read


def own_writes() -> pd.DataFrame:
    """The tasks this session wrote, as the server stored them."""
    stored = st.session_state.get(OWN_WRITES, {})
    frames = [task_frame([resource], source) for (source, _), resource in stored.items()]
    return pd.concat(frames, ignore_index=True) if frames else task_frame([], "")


def task_counts_row(counts: TaskCounts) -> None:
    lang = language()
    kpi_row(
        [
            (tr("tasks.open"), fmt_number(counts.open, lang)),
            (tr("tasks.overdue"), fmt_number(counts.overdue, lang)),
            (tr("tasks.in_progress"), fmt_number(counts.in_progress, lang)),
            (tr("tasks.mine"), fmt_number(counts.mine, lang)),
            (tr("tasks.unassigned"), fmt_number(counts.unassigned, lang)),
        ]
    )


def task_filters(ward_id: str, beds: pd.DataFrame, can_write: bool) -> TaskFilter:
    """The filter widgets; their state is kept under keys, so refreshes keep the choice."""
    # Labels are bound to this run's language: the formatters are called again outside it.
    lang = language()
    status_col, kind_col, bed_col, owner_col = st.columns([2, 3, 2, 3])
    statuses = status_col.multiselect(
        tr("tasks.filter.status"),
        OPEN_TASK_STATES,
        format_func=lambda code: t(f"task_status.{code}", lang),
        key="nurse.filter.status",
    )
    kinds = kind_col.multiselect(
        tr("tasks.filter.kind"),
        TASK_CODES,
        format_func=lambda code: t(f"task_code.{code}", lang),
        key="nurse.filter.kind",
    )
    bed_names = dict(zip(beds["id"], beds["name"], strict=True))
    chosen_beds = bed_col.multiselect(
        tr("tasks.filter.bed"),
        list(bed_names),
        format_func=lambda bed: bed_names.get(bed, bed),
        # Per ward: the beds of one ward are no choice on another.
        key=f"nurse.filter.bed.{ward_id}",
    )
    choices = OWNER_CHOICES if can_write else ("all", "unassigned")
    owner = owner_col.radio(
        tr("tasks.filter.owner"),
        choices,
        format_func=lambda choice: t(f"tasks.owner.{choice}", lang),
        horizontal=True,
        key="nurse.filter.owner",
    )
    return TaskFilter(tuple(statuses), tuple(kinds), tuple(chosen_beds), owner)


def row_texts(row: pd.Series, lang: str) -> dict[str, str]:
    """The words of one task row in ``lang`` (markdown), without Streamlit."""

    def tr_(key: str, **values: object) -> str:
        return t(key, lang, **values)

    place = " · ".join(v for v in (row.get("room"), row.get("bed")) if isinstance(v, str))
    due = fmt_datetime(row["due"], lang) if pd.notna(row["due"]) else tr_("tasks.no_due")
    if row.get("overdue"):
        due = f":red[**{due}**]  \n:red-badge[{tr_('tasks.overdue_badge')}]"
    owner = row.get("owner")
    return {
        "patient": f"**{row.get('patient') or '–'}**  \n{place or tr_('tasks.no_bed')}",
        "what": label(pd.Series([row["code"]]), "task_code", tr_).iloc[0]
        + "  \n"
        + label(pd.Series([row["priority"]]), "priority", tr_).iloc[0],
        "due": due,
        "status": label(pd.Series([row["status"]]), "task_status", tr_).iloc[0]
        + "  \n"
        + (owner if isinstance(owner, str) else tr_("tasks.nobody")),
    }


def _keep_note(task_id: str) -> None:
    st.session_state.setdefault(NOTES, {})[task_id] = st.session_state.get(note_key(task_id), "")


def _note_input(task_id: str, area: bool = False) -> None:
    key = note_key(task_id)
    kept = st.session_state.get(NOTES, {}).get(task_id)
    # A widget that was not drawn in the last run, or is drawn as another kind of field (the
    # conflict panel), starts empty: give it back what the nurse typed.
    if kept:
        st.session_state[key] = kept
    widget = st.text_area if area else st.text_input
    widget(
        tr("tasks.note"),
        key=key,
        placeholder=tr("tasks.note_placeholder"),
        label_visibility="visible" if area else "collapsed",
        on_change=_keep_note,
        args=(task_id,),
    )


def _act(user: User, row: dict, version: str, action: Action) -> None:
    """Button callback: write, audit, remember the result; on a lost race keep it for the panel."""
    task_id = row["id"]
    note = st.session_state.get(note_key(task_id)) or st.session_state.get(NOTES, {}).get(
        task_id, ""
    )
    flash = st.session_state.setdefault(FLASH, [])
    try:
        stored = change_task(
            platform().http(row["source"]),
            task_id,
            version,
            action,
            practitioner_id=user.practitioner_id,
            note=note,
        )
    except Conflict as exc:
        st.session_state.setdefault(CONFLICTS, {})[task_id] = {
            **row,
            "action": action,
            "current": exc.current,
        }
        st.session_state.setdefault(NOTES, {})[task_id] = note
        return
    except DataError as exc:
        flash.append(("error", exc))
        return
    audit(
        AuditRecord(
            user=user,
            action="update",
            page="tasks",
            patient_id=row.get("patient_id"),
            source=row["source"],
            resource=f"Task/{task_id}",
        )
    )
    st.session_state.setdefault(OWN_WRITES, {})[(row["source"], task_id)] = stored
    st.session_state.get(CONFLICTS, {}).pop(task_id, None)
    st.session_state.get(NOTES, {}).pop(task_id, None)
    st.session_state[note_key(task_id)] = ""
    flash.append(("done", (action, row.get("what"), row.get("patient"))))


def _dismiss(task_id: str) -> None:
    st.session_state.get(CONFLICTS, {}).pop(task_id, None)


def show_flash() -> None:
    """What the last button did: a toast for a success, a banner for a failure."""
    for kind, payload in st.session_state.pop(FLASH, []):
        if kind == "error":
            error_banner(payload)
        else:
            action, what, patient = payload
            st.toast(
                tr(f"tasks.done.{action}", what=what or "–", patient=patient or "–"), icon="✅"
            )


def _row_payload(row: pd.Series, lang: str) -> dict:
    what = label(pd.Series([row["code"]]), "task_code", lambda k: t(k, lang)).iloc[0]
    return {
        "source": row["source"],
        "id": row["id"],
        "patient_id": row.get("patient_id"),
        "patient": row.get("patient"),
        "what": what,
    }


def conflict_ids() -> set[str]:
    return set(st.session_state.get(CONFLICTS, {}))


def conflict_panel(user: User, owner_names: dict[str, str]) -> None:
    """Every write that lost a race: the message, the task as it is now, the nurse's note."""
    lang = language()
    for task_id, entry in list(st.session_state.get(CONFLICTS, {}).items()):
        with st.container(border=True):
            st.warning(tr("error.conflict"))
            st.markdown(
                tr("tasks.conflict.title", what=entry.get("what"), patient=entry.get("patient"))
            )
            current = entry.get("current")
            now_open = False
            if current:
                row = task_frame([current], entry["source"]).iloc[0]
                owner = owner_names.get(row["owner_id"], row["owner_id"])
                st.markdown(
                    tr(
                        "tasks.conflict.current",
                        status=tr(f"task_status.{row['status']}"),
                        owner=owner if isinstance(owner, str) else tr("tasks.nobody"),
                        when=fmt_datetime(row["last_modified"], lang),
                    )
                )
                if isinstance(row["note"], str):
                    st.caption(tr("tasks.conflict.note", note=row["note"]))
                now_open = row["status"] in OPEN_TASK_STATES
            else:
                st.markdown(tr("tasks.conflict.gone"))
            _note_input(task_id, area=True)
            retry, dismiss = st.columns(2)
            if now_open and user.practitioner_id:
                retry.button(
                    tr("tasks.retry", action=tr(f"tasks.{entry['action']}")),
                    key=f"nurse.retry.{task_id}",
                    on_click=_act,
                    args=(user, _plain(entry), current["meta"]["versionId"], entry["action"]),
                )
            dismiss.button(
                tr("tasks.dismiss"),
                key=f"nurse.dismiss.{task_id}",
                on_click=_dismiss,
                args=(task_id,),
            )


def _plain(entry: dict) -> dict:
    return {k: entry.get(k) for k in ("source", "id", "patient_id", "patient", "what")}


def task_rows(rows: pd.DataFrame, user: User | None) -> None:
    """One bordered line per task; with buttons when ``user`` may write (else pass None)."""
    lang = language()
    head = st.columns(_WIDTHS)
    for column, key in zip(
        head,
        ("col.patient", "col.task", "col.due", "col.status", "tasks.note"),
        strict=False,
    ):
        column.caption(tr(key))
    for _, row in rows.iterrows():
        words = row_texts(row, lang)
        task_id = row["id"]
        with st.container(border=True, key=f"nurse.task.{task_id}"):
            cells = st.columns(_WIDTHS, vertical_alignment="center")
            cells[0].markdown(words["patient"])
            cells[1].markdown(words["what"])
            cells[2].markdown(words["due"])
            cells[3].markdown(words["status"])
            if user is None:
                continue
            with cells[4]:
                _note_input(task_id)
            payload = _row_payload(row, lang)
            version = row["version"]
            mine = row["owner_id"] == user.practitioner_id
            cells[5].button(
                tr("tasks.claim"),
                key=f"nurse.claim.{task_id}",
                disabled=bool(mine),
                on_click=_act,
                args=(user, payload, version, "claim"),
                width="stretch",
            )
            cells[6].button(
                tr("tasks.start"),
                key=f"nurse.start.{task_id}",
                disabled=row["status"] == "in-progress",
                on_click=_act,
                args=(user, payload, version, "start"),
                width="stretch",
            )
            cells[7].button(
                tr("tasks.complete"),
                key=f"nurse.complete.{task_id}",
                type="primary",
                on_click=_act,
                args=(user, payload, version, "complete"),
                width="stretch",
            )
