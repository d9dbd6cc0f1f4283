"""Shift handover of one ward: per patient the open work, the last vitals, what happened this shift.

Shifts change at 06:00, 14:00 and 22:00 Berlin time (``frueh``, ``spaet``, ``nacht``, the codes of
the PractitionerRoles). "Since the shift began" means from the start of the shift ``now`` lies in,
less an overlap (chosen on the page, ``Settings.handover_overlap_minutes`` by default): at 22:05
the late shift's last half hour is still on the sheet the night shift is handed.

Each patient carries the NEWS2 of the latest set of vitals, scored by ``services.domain.news2``
exactly as the early warning board scores it. Vital signs carry no reference range in the data, so
a single vital is flagged when it scores 2 or more NEWS2 points on its own. NEWS2 is not validated
for children: for patients under 16 there is no score and vitals are shown without a flag. Lab
results keep the flag (H/L) the laboratory sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from services.catalogue import CATALOGUE
from services.codes import ACVPU
from services.domain.bed_board import isolation_of
from services.domain.isbar import ISBAR_COLUMNS, isbar_facts
from services.domain.labels import label
from services.domain.news2 import ADULT_AGE, elapsed_text, score_text, vital_flag, ward_scores
from services.domain.ordering import natural_sort
from services.domain.people import age_years, display_names
from services.domain.stays import with_place_names
from services.domain.tasks import by_urgency, order_text
from services.domain.timeline import stay_ids
from services.i18n import BERLIN, fmt_datetime, fmt_number, t
from services.lab_labels import analyte_label, display_unit
from services.markdown import plain
from services.search import query

__all__ = [
    "ADULT_AGE",
    "Handover",
    "Shift",
    "completed_tasks_since",
    "handover",
    "observations_of",
    "printable",
    "sheet",
    "shift_at",
    "vital_flags",
]

# The order in which a handover reads out vitals.
VITAL_ORDER = ("8480-6", "8462-4", "8867-4", "9279-1", "59408-5", "3151-8", "8310-5", "67775-7")
_SHIFT_STARTS = (("frueh", 6), ("spaet", 14), ("nacht", 22))


@dataclass(frozen=True)
class Shift:
    code: str
    start: pd.Timestamp
    end: pd.Timestamp


def _at(day: datetime, hour: int) -> pd.Timestamp:
    # Built from the calendar date: adding hours to midnight would be off on DST days.
    return pd.Timestamp(datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN))


def shift_at(moment: pd.Timestamp) -> Shift:
    """The shift ``moment`` lies in (start inclusive, end exclusive)."""
    local = moment.tz_convert(BERLIN)
    today = local.date()
    if local.hour < 6:
        yesterday = today - timedelta(days=1)
        return Shift("nacht", _at(yesterday, 22), _at(today, 6))
    code, hour = next((c, h) for c, h in reversed(_SHIFT_STARTS) if local.hour >= h)
    start = _at(today, hour)
    end = _at(today + timedelta(days=1), 6) if code == "nacht" else _at(today, hour + 8)
    return Shift(code, start, end)


def observations_of(encounter_ids: Iterable[str], since: pd.Timestamp):
    """Observations of these stays from ``since`` on (vitals and labs), as a search set."""
    refs = ",".join(f"Encounter/{i}" for i in sorted(set(encounter_ids)))
    return query("Observation").search(encounter=refs, date=f"ge{since.isoformat()}")


def completed_tasks_since(ward_ids: Iterable[str], since: pd.Timestamp):
    """Tasks of stays that touched these wards, completed and last changed from ``since`` on."""
    refs = ",".join(f"Location/{i}" for i in sorted(set(ward_ids)))
    return query("Task").search(
        status="completed",
        modified=f"ge{since.isoformat()}",
        **{"encounter.location": refs},
    )


def vital_flags(vitals: pd.DataFrame, ages: pd.Series, scores: pd.DataFrame) -> pd.Series:
    """'H', 'L' or None per vital sign row: a value scoring 2 or more NEWS2 points on its own
    (``news2.vital_flag``), SpO2 on the scale and with the oxygen of the stay's latest set
    (``scores``: ``news2.ward_scores``); ``ages`` aligned with the rows (None: unknown)."""
    adult = pd.to_numeric(ages, errors="coerce").ge(ADULT_AGE).fillna(False).astype(bool)
    latest = scores.set_index("encounter_id")
    scale = vitals["encounter_id"].map(latest["scale"]).fillna(1)
    oxygen = vitals["encounter_id"].map(latest["oxygen_value"])
    value = pd.to_numeric(vitals["value"], errors="coerce")
    flags = [
        vital_flag(
            code,
            number,
            scale=int(on_scale),
            on_oxygen=bool(given) if isinstance(given, bool | np.bool_) else None,
        )
        if grown
        else None
        for code, number, on_scale, given, grown in zip(
            vitals["code"], value, scale, oxygen, adult, strict=True
        )
    ]
    return pd.Series(flags, index=vitals.index, dtype="object")


@dataclass(frozen=True)
class Handover:
    """The handover of one ward for one shift; every table keyed by ``encounter_id``.

    ``since``: where the events begin (the shift's start less the overlap)."""

    shift: Shift
    since: pd.Timestamp
    patients: pd.DataFrame
    tasks: pd.DataFrame
    vitals: pd.DataFrame
    events: pd.DataFrame
    news2: pd.DataFrame
    at: pd.Timestamp


# ``text``: a place, a result's name, a task's order text or a note; ``notes``: a completed task's
# notes as "author: text" joined by "; ".
_EVENT_COLUMNS = [
    "encounter_id",
    "when",
    "kind",
    "code",
    "text",
    "value",
    "unit",
    "flag",
    "author",
    "notes",
]
_NOTE_COLUMNS = ["source", "task_id", "time", "author", "text"]


def _said(notes: pd.DataFrame) -> pd.Series:
    """ "author: text" per note (just the text where nobody is named)."""
    author = notes["author"].where(notes["author"].notna(), None)
    return pd.Series(
        [
            f"{who}: {what}" if isinstance(who, str) and who else what
            for who, what in zip(author, notes["text"], strict=True)
        ],
        index=notes.index,
        dtype="object",
    )


def _events(
    stays: pd.DataFrame,
    enc_locations: pd.DataFrame,
    locations: pd.DataFrame,
    tasks: pd.DataFrame,
    observations: pd.DataFrame,
    notes: pd.DataFrame,
    since: pd.Timestamp,
    now: pd.Timestamp,
) -> pd.DataFrame:
    ids = set(stays["encounter_id"])

    def in_shift(when: pd.Series) -> pd.Series:
        return when.notna() & (when >= since) & (when <= now)

    parts = []
    admitted = stays[in_shift(stays["admitted"])]
    parts.append(
        pd.DataFrame(
            {"encounter_id": admitted["encounter_id"], "when": admitted["admitted"]}
        ).assign(kind="admission")
    )
    moves = enc_locations[
        enc_locations["encounter_id"].isin(ids)
        & enc_locations["physical_type"].isin(["wa", "bd"])
        & in_shift(enc_locations["start"])
    ]
    moves = moves.merge(stays[["encounter_id", "admitted"]], on="encounter_id", how="inner")
    # Entries that start with the stay are the admission itself, not a transfer.
    moves = moves[moves["start"] > moves["admitted"]]
    if not moves.empty:
        names = locations.drop_duplicates("id").set_index("id")["name"]
        moves = moves.assign(place=moves["location_id"].map(names).fillna(moves["location_id"]))
        moves = moves.sort_values("physical_type", ascending=False)
        joined = moves.groupby(["encounter_id", "start"], as_index=False)["place"].agg(" / ".join)
        parts.append(
            pd.DataFrame({"encounter_id": joined["encounter_id"], "when": joined["start"]}).assign(
                kind="transfer", text=joined["place"]
            )
        )
    labs = observations[
        observations["encounter_id"].isin(ids)
        & (observations["category"] == "laboratory")
        & in_shift(observations["effective"])
    ]
    parts.append(
        pd.DataFrame(
            {
                "encounter_id": labs["encounter_id"],
                "when": labs["effective"],
                "code": labs["code"],
                "text": labs["display"],
                "value": labs["value"],
                "unit": labs["unit"],
                "flag": labs["interpretation"].where(labs["interpretation"].isin(["H", "L"])),
            }
        ).assign(kind="result")
    )
    done = tasks[(tasks["status"] == "completed") & tasks["encounter_id"].isin(ids)]
    finished = done["exec_end"].fillna(done["last_modified"])
    done = done.assign(when=finished)[in_shift(finished)]
    ours = tasks[tasks["encounter_id"].isin(ids)][["source", "id", "encounter_id", "code"]]
    noted = notes.merge(
        ours.rename(columns={"id": "task_id"}), on=["source", "task_id"], how="inner"
    ).sort_values("time", na_position="first")
    done_keys = set(zip(done["source"], done["id"], strict=True))
    on_done = pd.Series(
        [key in done_keys for key in zip(noted["source"], noted["task_id"], strict=True)],
        index=noted.index,
        dtype="bool",
    )
    # A completed task's notes go with it; a note on other work only when written in the window.
    with_done = noted[on_done & (noted["time"].isna() | (noted["time"] >= since))]
    said = with_done.assign(said=_said(with_done)).groupby(["source", "task_id"])["said"]
    joined = said.agg("; ".join).rename("notes").reset_index()
    done = done.merge(joined.rename(columns={"task_id": "id"}), on=["source", "id"], how="left")
    parts.append(
        pd.DataFrame(
            {
                "encounter_id": done["encounter_id"],
                "when": done["when"],
                "code": done["code"],
                "text": order_text(done),
                "notes": done["notes"],
            }
        ).assign(kind="task_done")
    )
    other = noted[~on_done & in_shift(noted["time"])]
    parts.append(
        pd.DataFrame(
            {
                "encounter_id": other["encounter_id"],
                "when": other["time"],
                "code": other["code"],
                "text": other["text"],
                "author": other["author"],
            }
        ).assign(kind="note")
    )
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in _EVENT_COLUMNS})
    events = pd.concat(parts, ignore_index=True).reindex(columns=_EVENT_COLUMNS)
    return events.sort_values(["encounter_id", "when"]).reset_index(drop=True)


def handover(
    placements: pd.DataFrame,
    enc_locations: pd.DataFrame,
    locations: pd.DataFrame,
    tasks: pd.DataFrame,
    observations: pd.DataFrame,
    ward_id: str,
    now: pd.Timestamp,
    *,
    patients: pd.DataFrame | None = None,
    notes: pd.DataFrame | None = None,
    overlap: timedelta = timedelta(0),
    flags: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    conditions: pd.DataFrame | None = None,
    procedures: pd.DataFrame | None = None,
    allergies: pd.DataFrame | None = None,
) -> Handover:
    """Everything the next shift needs to know about the patients lying in the ward now.

    ``tasks`` holds open tasks and those completed this shift; ``observations`` the vitals and
    labs of the ward's stays (at least since the last rounds); ``notes`` the notes on those tasks
    (``source``, ``task_id``, ``time``, ``author`` as a name, ``text``); ``flags`` the Flags of
    the patients, whose active isolation codes each patient row carries (``isolation``);
    ``contacts`` (table ``encounter_contact``) the stay of every contact level, for observations
    that point at a lower level (MII). Events count from the shift's start less ``overlap``.
    ``conditions``, ``procedures`` and ``allergies`` give each patient row its diagnosis, the
    day after the latest operation and the allergies; the flags its resuscitation status, the
    observations its mobility and pain (``isbar.isbar_facts``).
    """
    if not observations.empty:
        observations = observations.assign(encounter_id=stay_ids(observations, contacts))
    conditions, procedures = (
        None
        if frame is None or frame.empty
        else frame.assign(encounter_id=stay_ids(frame, contacts))
        for frame in (conditions, procedures)
    )
    shift = shift_at(now)
    since = shift.start - overlap
    if notes is None:
        notes = pd.DataFrame({c: pd.Series(dtype="object") for c in _NOTE_COLUMNS})
    here = placements[placements["ward_id"] == ward_id]
    stays = with_place_names(here, locations).rename(
        columns={"start": "admitted", "days_so_far": "days"}
    )
    if patients is not None and not patients.empty:
        people = patients.drop_duplicates(["source", "id"])
        stays = stays.merge(
            pd.DataFrame(
                {
                    "source": people["source"],
                    "patient_id": people["id"],
                    "patient": display_names(people),
                    "age": age_years(people["birth_date"], now.date()),
                }
            ),
            on=["source", "patient_id"],
            how="left",
        )
    else:
        stays = stays.assign(patient=None, age=pd.Series(pd.NA, index=stays.index, dtype="Float64"))
    stays["patient"] = stays["patient"].fillna(stays["patient_id"])
    stays["isolation"] = isolation_of(stays, flags, now)

    open_work = by_urgency(tasks[tasks["encounter_id"].isin(stays["encounter_id"])], now)
    per_stay = open_work.groupby("encounter_id")["overdue"].agg(open="size", overdue="sum")
    stays = stays.merge(per_stay.reset_index(), on="encounter_id", how="left")
    for column in ("open", "overdue"):
        stays[column] = stays[column].fillna(0).astype("int64")
    stays = natural_sort(stays, ["room", "bed", "patient"]).reset_index(drop=True)
    facts = isbar_facts(
        stays,
        now,
        conditions=conditions,
        procedures=procedures,
        allergies=allergies,
        flags=flags,
        observations=observations,
    )
    stays = stays.merge(facts, on="encounter_id", how="left")

    vitals = observations[
        observations["encounter_id"].isin(stays["encounter_id"])
        & (observations["category"] == "vital-signs")
        & (observations["effective"] <= now)
    ]
    scores = ward_scores(stays, observations, flags, now)
    vitals = vitals.sort_values("effective").drop_duplicates(["encounter_id", "code"], keep="last")
    ages = vitals["encounter_id"].map(stays.set_index("encounter_id")["age"])
    # ACVPU comes as a coded value: shown by its letter.
    level = vitals.reindex(columns=["value_code"])["value_code"].map(ACVPU)
    vitals = vitals.assign(flag=vital_flags(vitals, ages, scores), level=level)[
        ["encounter_id", "code", "display", "value", "unit", "effective", "flag", "level"]
    ].reset_index(drop=True)

    events = _events(stays, enc_locations, locations, tasks, observations, notes, since, now)
    return Handover(
        shift=shift,
        since=since,
        patients=stays[
            [
                "source",
                "encounter_id",
                "patient_id",
                "patient",
                "age",
                "isolation",
                "room",
                "bed",
                "admitted",
                "days",
                "open",
                "overdue",
                *ISBAR_COLUMNS[1:],
            ]
        ],
        tasks=open_work.assign(order=order_text(open_work))[
            [
                "encounter_id",
                "id",
                "code",
                "order",
                "priority",
                "status",
                "due",
                "overdue",
                "owner_id",
            ]
        ],
        vitals=vitals,
        events=events,
        news2=scores,
        at=now,
    )


def _arrow(flag: object) -> str:
    return {"H": " ↑", "L": " ↓"}.get(flag, "") if isinstance(flag, str) else ""


def _text(value: object, missing: str = "–") -> str:
    return value if isinstance(value, str) and value else missing


def _time(when: pd.Timestamp, lang: str) -> str:
    return fmt_datetime(when, lang)[-5:] if pd.notna(when) else "–"


def _value(value: object, unit: object, lang: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    number = float(value)
    shown = fmt_number(number, lang, 0 if number.is_integer() else 1)
    unit = display_unit(unit)
    if not unit:
        return shown
    return f"{shown}{unit}" if unit == "%" else f"{shown} {unit}"


def _isolation(codes: object, tr) -> str:
    """The patient's isolation flags in words, or that there is none."""
    if not isinstance(codes, tuple) or not codes:
        return tr("word.none")
    return ", ".join(label(pd.Series(list(codes)), "isolation", tr))


def _vital_name(code: str, display: object, lang: str) -> str:
    key = f"handover.vital.{code}"
    if key in CATALOGUE:
        return t(key, lang)
    return display if isinstance(display, str) else code


def _ago(when: object, now: pd.Timestamp, lang: str) -> str:
    """' (vor 2 h 05 min)' for a moment before ``now``."""
    if not isinstance(when, pd.Timestamp) or pd.isna(when):
        return ""
    return f" ({t('news2.ago', lang, time=elapsed_text(now - when, lang))})"


def _diagnosis(code: object, text: object, tr) -> str:
    if not isinstance(text, str) or not text:
        return tr("word.not_recorded")
    return f"{code} {text}" if isinstance(code, str) and code != text else text


def _stay_day(patient, tr, lang: str) -> str:
    """'Tag 5 · OP-Tag 2 (5-470.11 Appendektomie)': the day of stay (admission day 1) and the
    day after the latest operation, or that none is recorded."""
    days = patient.days
    stay = (
        tr("handover.stay_day").format(day=fmt_number(days + 1, lang))
        if pd.notna(days)
        else tr("word.not_recorded")
    )
    if pd.isna(patient.operation_day):
        return f"{stay} · {tr('handover.no_operation')}"
    what = " ".join(w for w in (patient.operation_code, patient.operation) if isinstance(w, str))
    op_day = tr("handover.op_day").format(day=fmt_number(patient.operation_day, lang))
    return f"{stay} · {op_day}" + (f" ({what})" if what else "")


def _allergy_text(state: object, names: object, tr) -> str:
    if state == "known" and isinstance(names, tuple) and names:
        return ", ".join(
            f"{name} ({tr('handover.allergy_high')})" if high else name for name, high in names
        )
    if state == "none_known":
        return tr("safety.allergies.none_known")
    return tr("word.not_recorded")


def _coded_text(code: object, text: object, prefix: str, tr) -> str | None:
    """A code in words by the catalogue, else the source's words; None without either."""
    if isinstance(code, str) and f"{prefix}.{code}" in CATALOGUE:
        return tr(f"{prefix}.{code}")
    if isinstance(text, str) and text:
        return text
    return code if isinstance(code, str) and code else None


def sheet(h: Handover, lang: str) -> pd.DataFrame:
    """The handover as one row per patient, columns headed and cells worded in ``lang``.

    The printable view and the CSV download are both made from this table.
    """

    def tr(key: str) -> str:
        return t(key, lang)

    rows = []
    for patient in h.patients.itertuples(index=False):
        enc = patient.encounter_id
        work = h.tasks[h.tasks["encounter_id"] == enc]
        work_text = "; ".join(
            label(pd.Series([w.code]), "task_code", tr).iloc[0]
            + (f": {w.order}" if isinstance(w.order, str) else "")
            + f" ({fmt_datetime(w.due, lang)}"
            + (f", {tr('handover.overdue')}" if w.overdue else "")
            + ")"
            for w in work.itertuples(index=False)
        )
        signs = h.vitals[h.vitals["encounter_id"] == enc].copy()
        signs["_order"] = signs["code"].map({c: n for n, c in enumerate(VITAL_ORDER)})
        signs = signs.sort_values("_order", na_position="last")
        vitals_text = "; ".join(
            _vital_name(s.code, s.display, lang)
            + " "
            + (s.level if isinstance(s.level, str) else _value(s.value, s.unit, lang))
            + _arrow(s.flag)
            for s in signs.itertuples(index=False)
        )
        last_round = signs["effective"].max() if not signs.empty else None
        score = h.news2[h.news2["encounter_id"] == enc]
        news2 = score_text(score.iloc[0], lang) if not score.empty else tr("word.not_recorded")
        happened = []
        for e in h.events[h.events["encounter_id"] == enc].itertuples(index=False):
            when = _time(e.when, lang)
            if e.kind == "admission":
                happened.append(f"{when} {tr('handover.event.admission')}")
            elif e.kind == "transfer":
                happened.append(f"{when} {tr('handover.event.transfer')}: {e.text}")
            elif e.kind == "result":
                name = analyte_label(e.code, e.text, lang)
                happened.append(f"{when} {name} {_value(e.value, e.unit, lang)}{_arrow(e.flag)}")
            elif e.kind == "note":
                name = label(pd.Series([e.code]), "task_code", tr).iloc[0]
                who = f" ({e.author})" if isinstance(e.author, str) and e.author else ""
                happened.append(f"{when} {tr('handover.event.note')} {name}{who}: {e.text}")
            else:
                name = label(pd.Series([e.code]), "task_code", tr).iloc[0]
                order = f" – {e.text}" if isinstance(e.text, str) and e.text else ""
                noted = (
                    f" ({tr('handover.event.noted')} {e.notes})"
                    if isinstance(e.notes, str) and e.notes
                    else ""
                )
                happened.append(f"{when} {tr('handover.event.task_done')}: {name}{order}{noted}")
        missing = tr("word.not_recorded")
        resuscitation = _coded_text(
            patient.resuscitation, patient.resuscitation_text, "handover.resuscitation", tr
        )
        mobility = _coded_text(patient.mobility, patient.mobility_text, "handover.mobility", tr)
        pain = (
            f"NRS {fmt_number(patient.pain, lang)}{_ago(patient.pain_at, h.at, lang)}"
            if pd.notna(patient.pain)
            else missing
        )
        rows.append(
            {
                tr("col.room"): _text(patient.room, missing),
                tr("col.bed"): _text(patient.bed, missing),
                tr("col.patient"): patient.patient,
                tr("col.age"): fmt_number(patient.age, lang) if pd.notna(patient.age) else missing,
                tr("handover.col.diagnosis"): _diagnosis(
                    patient.diagnosis_code, patient.diagnosis, tr
                ),
                tr("handover.col.stay_day"): _stay_day(patient, tr, lang),
                tr("handover.col.allergies"): _allergy_text(
                    patient.allergy_state, patient.allergies, tr
                ),
                tr("col.isolation"): _isolation(patient.isolation, tr),
                tr("handover.col.resuscitation"): resuscitation or missing,
                tr("handover.col.news2"): news2,
                tr("handover.col.vitals"): vitals_text or missing,
                tr("handover.col.vitals_at"): (
                    fmt_datetime(last_round, lang) + _ago(last_round, h.at, lang)
                    if last_round is not None and pd.notna(last_round)
                    else missing
                ),
                tr("handover.col.mobility"): (
                    mobility + _ago(patient.mobility_at, h.at, lang) if mobility else missing
                ),
                tr("handover.col.pain"): pain,
                tr("handover.col.open"): patient.open,
                tr("handover.col.overdue"): patient.overdue,
                tr("handover.col.tasks"): work_text or tr("word.none"),
                tr("handover.col.events"): "; ".join(happened) or tr("word.none"),
            }
        )
    # ISBAR: identify, situation, background, assessment, recommendation (the open work).
    columns = [
        tr(k)
        for k in (
            "col.room",
            "col.bed",
            "col.patient",
            "col.age",
            "handover.col.diagnosis",
            "handover.col.stay_day",
            "handover.col.allergies",
            "col.isolation",
            "handover.col.resuscitation",
            "handover.col.news2",
            "handover.col.vitals",
            "handover.col.vitals_at",
            "handover.col.mobility",
            "handover.col.pain",
            "handover.col.open",
            "handover.col.overdue",
            "handover.col.tasks",
            "handover.col.events",
        )
    ]
    return pd.DataFrame(rows, columns=columns)


# What the printed sheet reads out per patient, one line per ISBAR letter (identify: the head),
# so a ward's handover stays a few pages on paper.
_ISBAR_LINES = (
    ("S", ("handover.col.diagnosis", "handover.col.stay_day")),
    ("B", ("handover.col.allergies", "handover.col.resuscitation")),
    (
        "A",
        ("handover.col.news2", "handover.col.vitals", "handover.col.mobility", "handover.col.pain"),
    ),
    ("R", ("handover.col.tasks", "handover.col.events")),
)


def printable(table: pd.DataFrame, lang: str) -> list[str]:
    """The sheet as one markdown block per patient, for reading aloud and for printing."""

    def tr(key: str) -> str:
        return t(key, lang)

    blocks = []
    for _, row in table.iterrows():
        # Every cell is data (names, notes, free text from the sources): shown as text only.
        head = (
            f"#### {plain(row[tr('col.room')])} · {plain(row[tr('col.bed')])} — "
            f"{plain(row[tr('col.patient')])}"
        )
        facts = " · ".join(
            f"{tr(key)} {plain(row[tr(key)])}"
            for key in ("col.age", "handover.col.open", "handover.col.overdue")
        )
        isolated = row[tr("col.isolation")]
        if isolated != tr("word.none"):
            facts += (
                f"  \n:red-badge[:material/masks: {plain(tr('col.isolation'))}: {plain(isolated)}]"
            )

        lines = []
        for letter, keys in _ISBAR_LINES:
            said = []
            for key in keys:
                value = plain(row[tr(key)])
                if key == "handover.col.vitals":
                    value = f"{value} ({plain(row[tr('handover.col.vitals_at')])})"
                said.append(f"**{tr(key)}:** {value}")
            lines.append(f"- **{letter}** · " + " · ".join(said))
        blocks.append("\n".join([head, facts, "", *lines]))
    return blocks
