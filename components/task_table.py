"""The ward's task list on screen: counts, filters, one row per task with its actions.

Writes go through ``services.task_writes.change_task`` with the version the nurse saw. What the
nurse typed lives in ``st.session_state`` under keys of its own, so neither the refresh every
minute nor a lost race nor a filter that hides the row loses it. A write that lost a race is kept
in a conflict panel above the list until the nurse dismisses it. Taking over a colleague's task
asks first; a completion can be taken back for ``Settings.undo_seconds`` (a second write, audited
like the first). After every button the keyboard focus goes where the work goes on (``keep_focus``):
the button a nurse pressed is often gone or disabled in the next run.
"""

from __future__ import annotations

import json
import math
import re
import time

import pandas as pd
import streamlit as st

from components.audit import audit
from components.bed_board import ISOLATION_ICON, isolation_words
from components.choose import choose_many
from components.data import load_changes
from components.kpi import kpi_row
from components.session import language, platform, settings, tr
from components.status import error_banner
from services import queries
from services.audit import AuditRecord
from services.bed_writes import BedChange, free_after_cleaning, set_bed_status
from services.codes import BED_CLEANING, CLEANING_BED_STATES, FREE_BED_STATE, OPEN_TASK_STATES
from services.domain.labels import label
from services.domain.tasks import order_text
from services.domain.ward_tasks import (
    OWNER_CHOICES,
    TaskCounts,
    TaskFilter,
    only_open,
    task_frame,
    task_tables,
    with_own_notes,
    with_own_writes,
)
from services.errors import Conflict, DataError
from services.i18n import fmt_datetime, fmt_number, t
from services.markdown import plain
from services.platform import FrameSet
from services.roles import User
from services.task_writes import Action, change_task, undo_change

__all__ = [
    "NOTES",
    "OWN_WRITES",
    "conflict_ids",
    "conflict_panel",
    "keep_focus",
    "note_key",
    "notes_of",
    "own_notes",
    "own_writes",
    "row_texts",
    "show_flash",
    "task_counts_row",
    "task_filters",
    "task_rows",
    "undo_offer",
    "ward_tasks",
]

OWN_WRITES = "nurse.own_writes"
NOTES = "nurse.notes"
CONFLICTS = "nurse.conflicts"
FLASH = "nurse.flash"
CONFIRM = "nurse.confirm"
UNDO = "nurse.undo"
FOCUS = "nurse.focus"
UNDONE = "nurse.undone"
TASK_CODES = (
    "vitalzeichen",
    "medikation",
    "wundversorgung",
    "mobilisation",
    "entlassvorbereitung",
    BED_CLEANING,
)
# Relative widths: patient and place, task, due, status and owner, note, three buttons. At the
# 1400-pixel screen of a ward PC the task column holds "Entlassvorbereitung" in bold and the
# buttons their labels unbroken; the stylesheet keeps words whole on narrower screens.
_WIDTHS = [2.2, 2.8, 1.6, 1.6, 1.6, 2, 1.6, 1.6]


def note_key(task_id: str) -> str:
    return f"nurse.note.{task_id}"


def ward_tasks(ward_ids: tuple[str, ...]) -> tuple[pd.DataFrame, FrameSet]:
    """Open tasks of the wards (with their patients), this session's own writes laid over."""
    read = load_changes(
        queries.open_tasks_of_wards(ward_ids).include("Task", "patient"),
        queries.tasks_of_wards(ward_ids).include("Task", "patient"),
        only_open,
        "Tasks",
    )
    return with_own_writes(read["task"], own_writes()), read


def own_writes() -> pd.DataFrame:
    """The tasks this session wrote, as the server stored them."""
    stored = st.session_state.get(OWN_WRITES, {})
    frames = [task_frame([resource], source) for (source, _), resource in stored.items()]
    return pd.concat(frames, ignore_index=True) if frames else task_frame([], "")


def notes_of(read: FrameSet) -> pd.DataFrame:
    """The notes on the tasks of ``read`` (a search of Tasks), this session's own writes laid
    over as ``ward_tasks`` lays them over the tasks."""
    return with_own_notes(read["task_note"], read["task"], own_writes(), own_notes())


def own_notes() -> pd.DataFrame:
    """The notes on the tasks this session wrote (the ``task_note`` table)."""
    stored = st.session_state.get(OWN_WRITES, {})
    frames = [task_tables([res], source)["task_note"] for (source, _), res in stored.items()]
    return pd.concat(frames, ignore_index=True) if frames else task_tables([], "")["task_note"]


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
    statuses = choose_many(
        tr("tasks.filter.status"),
        OPEN_TASK_STATES,
        format_func=lambda code: t(f"task_status.{code}", lang),
        key="nurse.filter.status",
        where=status_col,
    )
    kinds = choose_many(
        tr("tasks.filter.kind"),
        TASK_CODES,
        format_func=lambda code: t(f"task_code.{code}", lang),
        key="nurse.filter.kind",
        where=kind_col,
    )
    bed_names = dict(zip(beds["id"], beds["name"], strict=True))
    chosen_beds = choose_many(
        tr("tasks.filter.bed"),
        list(bed_names),
        format_func=lambda bed: bed_names.get(bed, bed),
        # Per ward: the beds of one ward are no choice on another.
        key=f"nurse.filter.bed.{ward_id}",
        where=bed_col,
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

    place = " · ".join(plain(v) for v in (row.get("room"), row.get("bed")) if isinstance(v, str))
    due = fmt_datetime(row["due"], lang) if pd.notna(row["due"]) else tr_("tasks.no_due")
    if row.get("overdue"):
        due = f":red[**{due}**]  \n:red-badge[{tr_('tasks.overdue_badge')}]"
    owner = row.get("owner")
    order = order_text(pd.DataFrame([row])).iloc[0]
    if row.get("code") == BED_CLEANING:
        # The bed is what the work is about; the patient has left it.
        who = tr_("tasks.cleaning.after", patient=plain(row.get("patient") or None))
        patient = f"**{place or tr_('tasks.no_bed')}**  \n{who}"
    else:
        patient = f"**{plain(row.get('patient') or None)}**  \n{place or tr_('tasks.no_bed')}"
    isolation = isolation_words(row.get("isolation"), lang)
    if isolation:
        flags = plain(t("beds.isolation", lang, flags=isolation))
        patient += f"  \n:red-badge[{ISOLATION_ICON} {flags}]"
    return {
        "patient": patient,
        "what": f"**{label(pd.Series([row['code']]), 'task_code', tr_).iloc[0]}**"
        + (f"  \n{plain(order)}" if isinstance(order, str) else "")
        + "  \n"
        + label(pd.Series([row["priority"]]), "priority", tr_).iloc[0],
        "due": due,
        "status": label(pd.Series([row["status"]]), "task_status", tr_).iloc[0]
        + "  \n"
        + (plain(owner) if isinstance(owner, str) else tr_("tasks.nobody")),
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
    # The version this session wrote last is held already: no need to read it back.
    known = st.session_state.get(OWN_WRITES, {}).get((row["source"], task_id))
    try:
        stored = change_task(
            platform().http(row["source"]),
            task_id,
            version,
            action,
            practitioner_id=user.practitioner_id,
            note=note,
            known=known,
        )
    except Conflict as exc:
        st.session_state.setdefault(CONFLICTS, {})[task_id] = {
            **row,
            "action": action,
            "current": exc.current,
        }
        st.session_state.setdefault(NOTES, {})[task_id] = note
        _focus_next(note_key(task_id), "textarea")
        return
    except DataError as exc:
        flash.append(("error", exc))
        return
    _write_audit(user, row["source"], f"Task/{task_id}", row.get("patient_id"))
    st.session_state.setdefault(OWN_WRITES, {})[(row["source"], task_id)] = stored
    st.session_state.get(CONFLICTS, {}).pop(task_id, None)
    st.session_state.get(NOTES, {}).pop(task_id, None)
    st.session_state.pop(CONFIRM, None)
    st.session_state[note_key(task_id)] = ""
    if action == "complete":
        _focus_next("nurse.undo.button", "button")
        freed = _free_bed(user, row) if row.get("bed_id") else None
        # The undo offer stands in for the toast.
        st.session_state[UNDO] = {
            **_plain(row),
            "before": version,
            "done": stored["meta"]["versionId"],
            # Both versions as far as this session wrote them: the undo reads only the others.
            "known": (stored, known),
            "until": time.monotonic() + settings().undo_seconds,
            "bed_before": freed.before if freed else None,
        }
    else:
        _focus_next(note_key(task_id), "input")
        flash.append(("done", (action, row.get("what"), row.get("patient"))))


def _write_audit(user: User, source: str, resource: str, patient_id: str | None = None) -> None:
    """The AuditEvent of one write from the task list (a task, or the bed a cleaning freed)."""
    audit(
        AuditRecord(
            user=user,
            action="update",
            page="tasks",
            patient_id=patient_id,
            source=source,
            resource=resource,
        )
    )


def _free_bed(user: User, row: dict) -> BedChange | None:
    """After a cleaning task's completion: free its bed (audited), and say what became of it."""
    flash = st.session_state.setdefault(FLASH, [])
    bed = row.get("bed") or row["bed_id"]
    try:
        freed = free_after_cleaning(platform().http(row["source"]), row["bed_id"])
    except DataError as exc:
        flash.append(("error", exc))
        return None
    if freed is None:
        flash.append(("bed", ("tasks.bed_not_freed", bed)))
        return None
    _write_audit(user, row["source"], f"Location/{row['bed_id']}")
    flash.append(("bed", ("tasks.bed_freed", bed)))
    return freed


def _undo(user: User) -> None:
    """Button callback: write the task back to the version before the completion, audited."""
    offer = st.session_state.pop(UNDO, None)
    if not offer:
        return
    st.session_state[UNDONE] = True
    flash = st.session_state.setdefault(FLASH, [])
    if time.monotonic() > offer["until"]:
        return
    task_id = offer["id"]
    try:
        stored = undo_change(
            platform().http(offer["source"]),
            task_id,
            offer["done"],
            offer["before"],
            known=offer.get("known", ()),
        )
    except DataError as exc:
        flash.append(("error", exc))
        return
    _write_audit(user, offer["source"], f"Task/{task_id}", offer.get("patient_id"))
    st.session_state.setdefault(OWN_WRITES, {})[(offer["source"], task_id)] = stored
    _focus_next(f"nurse.complete.{task_id}", "button")
    flash.append(("done", ("undo", offer.get("what"), offer.get("patient"))))
    if offer.get("bed_before") in CLEANING_BED_STATES:
        # The cleaning is open again, so is the bed: back to the state the cleaning ended.
        try:
            back = set_bed_status(
                platform().http(offer["source"]),
                offer["bed_id"],
                offer["bed_before"],
                only_from=(FREE_BED_STATE,),
            )
        except DataError as exc:
            flash.append(("error", exc))
            return
        if back is not None:
            _write_audit(user, offer["source"], f"Location/{offer['bed_id']}")
            flash.append(("bed", ("tasks.bed_back", offer.get("bed") or offer["bed_id"])))


def undo_offer(user: User) -> None:
    """The last completion, with a button to take it back while ``Settings.undo_seconds`` last."""
    if st.session_state.get(UNDO):
        _undo_countdown(user)


@st.fragment(run_every=1)
def _undo_countdown(user: User) -> None:
    if st.session_state.pop(UNDONE, False):
        # The button reruns this fragment only: the list outside it shows the task open again,
        # and the outcome of the undo, in a run of the whole page.
        st.rerun(scope="app")
    offer = st.session_state.get(UNDO)
    left = offer["until"] - time.monotonic() if offer else 0
    if left <= 0:
        st.session_state.pop(UNDO, None)
        return
    with st.container(border=True, key="nurse.undo"):
        text, button = st.columns([5, 1], vertical_alignment="center")
        text.success(
            tr(
                "tasks.undo.offer",
                what=offer.get("what") or "–",
                patient=plain(offer.get("patient")),
                seconds=math.ceil(left),
            ),
            icon=":material/check_circle:",
        )
        button.button(tr("tasks.undo"), key="nurse.undo.button", on_click=_undo, args=(user,))


def _ask(row: dict, version: str, action: Action) -> None:
    """Button callback for a colleague's task: ask before writing."""
    st.session_state[CONFIRM] = {"id": row["id"], "action": action, "version": version}
    # The question appears below the row; a keyboard or screen reader user is taken to it.
    _focus_next(f"nurse.confirm.{row['id']}", "button")


def _cancel() -> None:
    asked = st.session_state.pop(CONFIRM, None)
    if asked:
        _focus_next(f"nurse.{asked['action']}.{asked['id']}", "button")


def _focus_next(key: str, element: str) -> None:
    """After this button the keyboard focus goes to ``element`` (a tag) of the widget ``key``;
    ``keep_focus`` moves it there."""
    # The class Streamlit gives a keyed widget's container.
    selector = f".st-key-{re.sub(r'[^a-zA-Z0-9_-]', '-', key.strip())} {element}"
    number = st.session_state.get(FOCUS, (0, None))[0] + 1
    st.session_state[FOCUS] = (number, selector)


def keep_focus() -> None:
    """Move the keyboard focus to where the last button asked it to go.

    Streamlit offers no focus call, and a pressed button that is gone or disabled in the next run
    leaves the focus on the page itself: a keyboard user would start again at the top, a screen
    reader user would not hear what became of the task. The target may be drawn a moment later
    (the undo offer is a fragment of its own), so the script looks for it for a few seconds.
    """
    request = st.session_state.get(FOCUS)
    if not request or request[1] is None:
        return
    number, selector = request
    st.session_state[FOCUS] = (number, None)
    # A container of its own per request: Streamlit runs a script when its element is drawn,
    # not when the text of an element already drawn changes.
    st.container(key=f"nurse.focus.{number}").html(
        f"<script>/* focus request {number} */(() => {{"
        f"const selector = {json.dumps(selector)}; const until = Date.now() + 5000;"
        "const move = () => { const target = document.querySelector(selector);"
        " if (target && !target.disabled) { target.focus(); return; }"
        " if (Date.now() < until) setTimeout(move, 100); };"
        "move(); })();</script>",
        unsafe_allow_javascript=True,
    )


def _dismiss(task_id: str) -> None:
    st.session_state.get(CONFLICTS, {}).pop(task_id, None)


def show_flash() -> None:
    """What the last button did: a toast for a success, a banner for a failure."""
    for kind, payload in st.session_state.pop(FLASH, []):
        if kind == "error":
            error_banner(payload)
        elif kind == "bed":
            key, bed = payload
            if key == "tasks.bed_not_freed":
                st.info(tr(key, bed=plain(bed)))
            else:
                st.toast(tr(key, bed=plain(bed)), icon=":material/bed:")
        else:
            action, what, patient = payload
            st.toast(
                tr(f"tasks.done.{action}", what=what or "–", patient=patient or "–"),
                icon=":material/check_circle:",
            )


def _row_payload(row: pd.Series, lang: str) -> dict:
    what = label(pd.Series([row["code"]]), "task_code", lambda k: t(k, lang)).iloc[0]
    focus = row.get("focus")
    cleaned = row.get("code") == BED_CLEANING and isinstance(focus, str)
    return {
        "source": row["source"],
        "id": row["id"],
        "patient_id": row.get("patient_id"),
        "patient": row.get("patient"),
        "what": what,
        "bed_id": focus.removeprefix("Location/") if cleaned else None,
        "bed": row.get("bed") if isinstance(row.get("bed"), str) else None,
    }


def _history(row: pd.Series, notes: pd.DataFrame, lang: str) -> None:
    """When the task was made and begun, and every note on it, oldest first."""
    mine = notes[(notes["source"] == row["source"]) & (notes["task_id"] == row["id"])]
    with st.expander(tr("tasks.history", count=len(mine))):
        lines = []
        if pd.notna(row.get("authored_on")):
            lines.append(tr("tasks.history.authored", when=fmt_datetime(row["authored_on"], lang)))
        if pd.notna(row.get("exec_start")):
            lines.append(tr("tasks.history.started", when=fmt_datetime(row["exec_start"], lang)))
        for note in mine.itertuples(index=False):
            author = note.author if isinstance(note.author, str) else tr("tasks.history.someone")
            when = fmt_datetime(note.time, lang) if pd.notna(note.time) else "–"
            lines.append(
                tr("tasks.history.note", when=when, author=plain(author), text=plain(note.text))
            )
        st.markdown("\n".join(f"- {line}" for line in lines) or tr("word.none"))


def _confirm_box(user: User, row: pd.Series, payload: dict) -> None:
    asked = st.session_state[CONFIRM]
    action = asked["action"]
    owner = row.get("owner")
    st.warning(
        tr(
            f"tasks.confirm.{'complete' if action == 'complete' else 'claim'}",
            owner=plain(owner) if isinstance(owner, str) else tr("tasks.nobody"),
        )
    )
    yes, no = st.columns(2)
    yes.button(
        tr("tasks.confirm.yes", action=tr(f"tasks.{action}")),
        key=f"nurse.confirm.{row['id']}",
        type="primary",
        on_click=_act,
        args=(user, payload, asked["version"], action),
    )
    no.button(tr("tasks.confirm.no"), key=f"nurse.cancel.{row['id']}", on_click=_cancel)


def conflict_ids() -> set[str]:
    return set(st.session_state.get(CONFLICTS, {}))


def conflict_panel(user: User, owner_names: dict[str, str]) -> None:
    """Every write that lost a race: the message, the task as it is now, the nurse's note."""
    lang = language()
    for task_id, entry in list(st.session_state.get(CONFLICTS, {}).items()):
        with st.container(border=True):
            st.warning(tr("error.conflict"))
            st.markdown(
                tr(
                    "tasks.conflict.title",
                    what=entry.get("what"),
                    patient=plain(entry.get("patient")),
                )
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
                        owner=plain(owner) if isinstance(owner, str) else tr("tasks.nobody"),
                        when=fmt_datetime(row["last_modified"], lang),
                    )
                )
                if isinstance(row["note"], str):
                    st.caption(tr("tasks.conflict.note", note=plain(row["note"])))
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
    keys = ("source", "id", "patient_id", "patient", "what", "bed_id", "bed")
    return {k: entry.get(k) for k in keys}


def task_rows(rows: pd.DataFrame, user: User | None, notes: pd.DataFrame) -> None:
    """One bordered line per task with its history (``notes``: ``named_notes``); with buttons
    when ``user`` may write (else pass None)."""
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
            if user is not None:
                _row_actions(user, row, cells, lang)
            _history(row, notes, lang)


def _row_actions(user: User, row: pd.Series, cells: list, lang: str) -> None:
    task_id = row["id"]
    with cells[4]:
        _note_input(task_id)
    payload = _row_payload(row, lang)
    version = row["version"]
    owner = row["owner_id"]
    mine = owner == user.practitioner_id
    # Every action makes the writer the owner: on a colleague's task, ask first.
    theirs = isinstance(owner, str) and not mine
    handler = _ask if theirs else _act
    args = (payload, version) if theirs else (user, payload, version)
    cells[5].button(
        tr("tasks.claim"),
        key=f"nurse.claim.{task_id}",
        disabled=bool(mine),
        on_click=handler,
        args=(*args, "claim"),
        width="stretch",
    )
    cells[6].button(
        tr("tasks.start"),
        key=f"nurse.start.{task_id}",
        disabled=row["status"] == "in-progress",
        on_click=handler,
        args=(*args, "start"),
        width="stretch",
    )
    cells[7].button(
        tr("tasks.complete"),
        key=f"nurse.complete.{task_id}",
        type="primary",
        on_click=handler,
        args=(*args, "complete"),
        width="stretch",
    )
    if (st.session_state.get(CONFIRM) or {}).get("id") == task_id:
        _confirm_box(user, row, payload)
