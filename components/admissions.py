"""The ward admission queue on screen: one card per waiting patient, and the bed swap.

Buttons write through ``services.admissions`` (one transaction with If-Match, audited there)
in their callbacks; what came of it shows on the next run (``components.transfers.show_flash``),
a bed taken by a colleague in words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from components.bed_choice import bed_choice, bed_names
from components.choose import choose_one
from components.data import forget
from components.session import language, platform, settings, tr
from components.transfers import flash, request_words
from services import admissions
from services.errors import BedTaken, Conflict, DataError
from services.i18n import fmt_datetime, fmt_number, t
from services.markdown import plain
from services.platform import Platform
from services.roles import User

__all__ = ["admission_card", "swap_section"]


def _write(done: str, step: Callable[[Platform, Path], object]) -> None:
    try:
        step(platform(), settings().audit_log)
    except BedTaken as exc:
        flash("error", exc)
        return
    except Conflict:
        flash("lost", tr("admission.lost"))
        return
    except ValueError:
        flash("lost", tr("admission.need_reason"))
        return
    except DataError as exc:
        flash("error", exc)
        return
    forget("Encounter", "Location", "Task")
    flash("done", done)


def _assign(user: User, row: dict) -> None:
    key = row["task_id"]
    bed_id = st.session_state.get(f"admission.bed.{key}")
    _write(
        tr("admission.done.assign", name=row["name"], bed=row["bed_names"].get(bed_id, bed_id)),
        lambda p, log: admissions.assign_bed(
            p, user, log, key, row["version"], bed_id, source=row["source"]
        ),
    )


def _cancel(user: User, row: dict) -> None:
    key = row["task_id"]
    words = st.session_state.get(f"admission.reason.{key}", "")
    _write(
        tr("admission.done.cancel"),
        lambda p, log: admissions.cancel_admission(
            p, user, log, key, row["version"], words, source=row["source"]
        ),
    )


def origin_words(origin: object, lang: str) -> str:
    known = origin if origin in ("notfall", "verlegung") else "unknown"
    return t(f"admission.origin.{known}", lang)


def admission_card(user: User, row: pd.Series, offered: pd.DataFrame) -> None:
    """One waiting patient: who, from where, what bed they need; assign a bed or cancel."""
    lang = language()
    key = row["task_id"]
    with st.container(border=True):
        st.markdown(
            f"**{plain(row['name'])}** · {plain(origin_words(row['origin'], lang))}  \n"
            f"{plain(request_words(row, lang))}"
        )
        if isinstance(row["reason"], str):
            st.caption(plain(row["reason"]))
        hours = fmt_number(round(float(row["waiting_hours"]), 1), lang)
        st.caption(
            t("admission.since", lang, time=fmt_datetime(row["authored_on"], lang), hours=hours)
        )
        names = bed_names(offered)
        payload = {
            "task_id": key,
            "version": row["version"],
            "source": row["source"],
            "name": row["name"],
            "bed_names": names,
        }
        assign, cancel = st.columns(2)
        with assign:
            if not bed_choice(names, "admission", "assign", key, _assign, (user, payload)):
                st.warning(tr("admission.no_bed"))
        with cancel:
            st.text_input(tr("admission.cancel_reason"), key=f"admission.reason.{key}")
            st.button(
                tr("admission.cancel"),
                key=f"admission.cancel.{key}",
                on_click=_cancel,
                args=(user, payload),
            )


def _move(user: User, source: str) -> None:
    encounter_id = st.session_state.get("admission.swap.patient")
    bed_id = st.session_state.get("admission.swap.bed")
    _write(
        tr("admission.done.move"),
        lambda p, log: admissions.move_patient(p, user, log, encounter_id, bed_id, source=source),
    )


def swap_section(user: User, beds: pd.DataFrame) -> None:
    """Move a patient of the ward to a free bed, or exchange two patients' beds."""
    st.subheader(tr("admission.swap"))
    st.caption(tr("admission.swap_intro"))
    lying = beds.dropna(subset=["encounter_id"])
    if lying.empty:
        st.info(tr("admission.swap_none"))
        return
    patients = {
        row.encounter_id: f"{row.patient_name if isinstance(row.patient_name, str) else '–'}"
        f" · {row.name}"
        for row in lying.itertuples(index=False)
    }
    chosen = choose_one(
        tr("admission.swap_patient"),
        list(patients),
        format_func=patients.get,
        key="admission.swap.patient",
    )
    targets: dict[str, str] = {}
    for row in beds.itertuples(index=False):
        if row.encounter_id == chosen:
            continue
        if isinstance(row.encounter_id, str):
            name = row.patient_name if isinstance(row.patient_name, str) else "–"
            targets[row.bed_id] = tr("admission.swap_with", bed=row.name, name=name)
        elif row.status == "U":
            targets[row.bed_id] = tr("admission.swap_free", bed=row.name)
    if not targets:
        st.info(tr("admission.no_bed"))
        return
    choose_one(
        tr("admission.swap_target"),
        list(targets),
        format_func=targets.get,
        key="admission.swap.bed",
    )
    st.button(
        tr("admission.swap_go"),
        key="admission.swap.go",
        on_click=_move,
        args=(user, str(lying["source"].iloc[0])),
    )
