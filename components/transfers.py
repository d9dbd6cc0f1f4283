"""Transfer requests on screen: one card per request, with the answers the user may give.

The words of a card are built by plain functions over a queue row (``request_words``,
``state_words``), so they can be checked without Streamlit. Buttons write through
``services.transfers`` (If-Match, audited there) in their callbacks; what happened is kept for
the next run as a flash, and a lost race says in words who was first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from components.bed_choice import bed_choice, bed_names
from components.session import language, platform, settings, tr
from components.status import error_banner
from services import transfers
from services.domain.labels import label
from services.errors import BedTaken, Conflict, DataError
from services.i18n import fmt_datetime, fmt_number, t
from services.markdown import plain
from services.platform import Platform
from services.roles import User

__all__ = [
    "flash",
    "inbound_card",
    "outbound_card",
    "request_words",
    "show_flash",
    "state_words",
]

FLASH = "transfer_flash"
# The state a request is in after a write of somebody else (``transfers.transfer_queue``).
_STATE_OF_STATUS = {
    "accepted": "reserved",
    "rejected": "declined",
    "cancelled": "withdrawn",
    "completed": "done",
    "received": "asked_back",
}
STATE_COLOURS = {
    "open": "blue",
    "asked_back": "orange",
    "reserved": "green",
    "expired": "gray",
    "declined": "red",
    "withdrawn": "gray",
    "done": "green",
}


def _word(code: object, prefix: str, lang: str) -> str:
    return str(label(pd.Series([code]), prefix, lambda key: t(key, lang)).iloc[0])


def request_words(row: pd.Series, lang: str) -> str:
    """'dringend · Intensiv (Low Care) · Erwachsene · weiblich · Isolierung: MRSA': all that a
    target hospital learns of the patient before accepting."""
    sex = row["sex"] if isinstance(row["sex"], str) else "unknown"
    codes = row["isolation"].split(",") if isinstance(row["isolation"], str) else []
    isolation = (
        t("transfer.isolation", lang, flags=", ".join(_word(c, "isolation", lang) for c in codes))
        if codes
        else t("transfer.no_isolation", lang)
    )
    return " · ".join(
        (
            _word(row["urgency"], "priority", lang),
            _word(row["bed_category"], "bed_category", lang),
            _word(row["age_group"], "age_group", lang),
            t(f"sex.{sex}", lang),
            isolation,
        )
    )


def state_words(row: pd.Series, lang: str) -> str:
    """The state of a request in words; an accepted one with its bed and the reservation's end,
    a declined one with its reason."""
    state = row["state"]
    words = t(f"transfer.state.{state}", lang)
    if state == "reserved" and isinstance(row["bed_name"], str):
        words += " · " + t(
            "transfer.reserved_until",
            lang,
            bed=row["bed_name"],
            time=fmt_datetime(row["reserved_until"], lang),
        )
    if state == "declined" and isinstance(row["status_reason"], str):
        words += " · " + t("transfer.declined_because", lang, reason=row["status_reason"])
    return words


def flash(kind: str, payload: object) -> None:
    """Keep what a write came to for ``show_flash`` on the next run: ``done`` (the words),
    ``lost`` (the words), ``words`` (an answer without words) or ``error`` (a ``DataError``)."""
    st.session_state.setdefault(FLASH, []).append((kind, payload))


def show_flash() -> None:
    """What the last button did: a toast when it worked, a banner when it did not."""
    for kind, payload in st.session_state.pop(FLASH, []):
        if kind == "done":
            st.toast(payload, icon=":material/check_circle:")
        elif kind == "lost":
            st.warning(payload)
        elif kind == "words":
            st.warning(tr("transfer.need_words"))
        else:
            error_banner(payload)


def _write(done: str, step: Callable[[Platform, Path], object]) -> None:
    """Run one write of ``services.transfers``; remember what came of it for the next run."""
    lang = language()
    try:
        step(platform(), settings().audit_log)
    except BedTaken as exc:
        flash("error", exc)
        return
    except Conflict as exc:
        current = exc.current or {}
        state = _STATE_OF_STATUS.get(current.get("status"), "open")
        flash("lost", tr("transfer.lost_race", state=t(f"transfer.state.{state}", lang)))
        return
    except ValueError:
        flash("words", None)
        return
    except DataError as exc:
        flash("error", exc)
        return
    flash("done", done)


def _decide(user: User, row: dict, action: str) -> None:
    key, version, source = row["task_id"], row["version"], row["source"]
    if action == "accept":
        bed_id = st.session_state.get(f"transfer.bed.{key}")
        _write(
            tr("transfer.done.accept", bed=row["bed_names"].get(bed_id, bed_id)),
            lambda p, log: transfers.accept(p, user, log, key, version, bed_id, source=source),
        )
    elif action == "decline":
        words = st.session_state.get(f"transfer.reason.{key}", "")
        _write(
            tr("transfer.done.decline"),
            lambda p, log: transfers.decline(p, user, log, key, version, words, source=source),
        )
    else:
        words = st.session_state.get(f"transfer.question.{key}", "")
        _write(
            tr("transfer.done.ask_back"),
            lambda p, log: transfers.ask_back(p, user, log, key, version, words, source=source),
        )


def _notes(row: pd.Series, notes: pd.DataFrame, lang: str) -> None:
    mine = notes[(notes["source"] == row["source"]) & (notes["task_id"] == row["task_id"])]
    for note in mine.sort_values("time").itertuples(index=False):
        author = note.author if isinstance(note.author, str) else "–"
        st.caption(
            plain(
                t(
                    "transfer.note",
                    lang,
                    time=fmt_datetime(note.time, lang),
                    author=author,
                    text=note.text,
                )
            )
        )


def _header(row: pd.Series, names: dict[str, str], lang: str, direction: str) -> None:
    other = row["requester_org"] if direction == "from" else row["target_org"]
    colour = STATE_COLOURS.get(row["state"], "gray")
    st.markdown(
        f"**{plain(request_words(row, lang))}** · "
        f"{plain(t(f'transfer.{direction}', lang, hospital=names.get(other, other)))}  \n"
        f":{colour}-badge[{plain(state_words(row, lang))}]"
    )
    if isinstance(row["reason"], str):
        st.caption(plain(t("transfer.reason", lang, reason=row["reason"])))
    if row["state"] in ("open", "asked_back"):
        hours = fmt_number(round(float(row["waiting_hours"]), 1), lang)
        when = fmt_datetime(row["authored_on"], lang)
        st.caption(t("transfer.since", lang, time=when, hours=hours))
    else:
        st.caption(t("transfer.asked", lang, time=fmt_datetime(row["authored_on"], lang)))


def inbound_card(
    user: User,
    row: pd.Series,
    offered: pd.DataFrame,
    names: dict[str, str],
    notes: pd.DataFrame,
) -> None:
    """One inbound request: what it asks, the free beds that fit, accept / decline / ask back."""
    lang = language()
    key = row["task_id"]
    with st.container(border=True):
        _header(row, names, lang, "from")
        _notes(row, notes, lang)
        if row["state"] not in ("open", "asked_back"):
            return
        if offered.empty:
            st.warning(tr("transfer.free_none"))
        else:
            st.caption(tr("transfer.free_matching", n=fmt_number(len(offered), lang)))
        names = bed_names(offered)
        payload = {
            "task_id": key,
            "version": row["version"],
            "source": row["source"],
            "bed_names": names,
        }
        accept, decline, ask = st.columns(3)
        with accept:
            bed_choice(names, "transfer", "accept", key, _decide, (user, payload, "accept"))
        with decline:
            st.text_input(tr("transfer.decline_reason"), key=f"transfer.reason.{key}")
            st.button(
                tr("transfer.decline"),
                key=f"transfer.decline.{key}",
                on_click=_decide,
                args=(user, payload, "decline"),
            )
        with ask:
            st.text_input(tr("transfer.question"), key=f"transfer.question.{key}")
            st.button(
                tr("transfer.ask_back"),
                key=f"transfer.ask.{key}",
                on_click=_decide,
                args=(user, payload, "ask_back"),
            )


def _respond(user: User, row: dict, action: str) -> None:
    key, version, source = row["task_id"], row["version"], row["source"]
    if action == "answer":
        words = st.session_state.get(f"transfer.answer.{key}", "")
        _write(
            tr("transfer.done.answer"),
            lambda p, log: transfers.answer(p, user, log, key, version, words, source=source),
        )
    else:
        _write(
            tr("transfer.done.cancel"),
            lambda p, log: transfers.cancel(p, user, log, key, version, source=source),
        )


def outbound_card(user: User, row: pd.Series, names: dict[str, str], notes: pd.DataFrame) -> None:
    """One request the user's hospital sent: its state now, answer a question, withdraw it."""
    lang = language()
    key = row["task_id"]
    with st.container(border=True):
        _header(row, names, lang, "to")
        _notes(row, notes, lang)
        payload = {"task_id": key, "version": row["version"], "source": row["source"]}
        if row["state"] == "asked_back":
            st.text_input(tr("transfer.answer_text"), key=f"transfer.answer.{key}")
            st.button(
                tr("transfer.answer"),
                key=f"transfer.answer_send.{key}",
                type="primary",
                on_click=_respond,
                args=(user, payload, "answer"),
            )
        if row["state"] in ("open", "asked_back", "reserved"):
            st.button(
                tr("transfer.cancel"),
                key=f"transfer.cancel.{key}",
                on_click=_respond,
                args=(user, payload, "cancel"),
            )
