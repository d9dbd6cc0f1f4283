"""Shift handover of one ward: per patient the open work, the last vitals, what happened this shift.

Shifts change at 06:00, 14:00 and 22:00 Berlin time (``frueh``, ``spaet``, ``nacht``, the codes of
the PractitionerRoles). "Since the shift began" means from the start of the shift ``now`` lies in.

Vital signs carry no reference range in the data, so they are flagged here with the adult NEWS2
bands that score 2 or more on their own (Royal College of Physicians, 2017). NEWS2 is not validated
for children: for patients under 16 vitals are shown without a flag. Lab results keep the flag
(H/L) the laboratory sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from services.catalogue import CATALOGUE
from services.domain.labels import label
from services.domain.people import age_years, display_names
from services.domain.stays import with_place_names
from services.domain.tasks import by_urgency
from services.i18n import BERLIN, fmt_datetime, fmt_number, t
from services.search import query

__all__ = [
    "ADULT_AGE",
    "VITAL_LIMITS",
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

# (flag at or below, flag at or above): NEWS2 single-parameter score >= 2.
VITAL_LIMITS: dict[str, tuple[float | None, float | None]] = {
    "8867-4": (40, 111),  # heart rate /min
    "9279-1": (8, 21),  # respiratory rate /min
    "59408-5": (93, None),  # SpO2 % (scale 1)
    "8310-5": (35.0, 39.1),  # body temperature Cel
    "8480-6": (100, 220),  # systolic blood pressure mm[Hg]
}
# The order in which a handover reads out vitals.
VITAL_ORDER = ("8480-6", "8462-4", "8867-4", "9279-1", "59408-5", "8310-5")
ADULT_AGE = 16
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


def vital_flags(vitals: pd.DataFrame, ages: pd.Series) -> pd.Series:
    """'H', 'L' or None per vital sign row; ``ages`` aligned with the rows (None: unknown)."""
    limits = vitals["code"].map(VITAL_LIMITS)
    low = limits.map(lambda pair: pair[0] if isinstance(pair, tuple) else None)
    high = limits.map(lambda pair: pair[1] if isinstance(pair, tuple) else None)
    value = pd.to_numeric(vitals["value"], errors="coerce")
    adult = pd.to_numeric(ages, errors="coerce").ge(ADULT_AGE).fillna(False).astype(bool)
    is_low = adult & low.notna() & (value <= pd.to_numeric(low)).fillna(False).astype(bool)
    is_high = adult & high.notna() & (value >= pd.to_numeric(high)).fillna(False).astype(bool)
    out = pd.Series(None, index=vitals.index, dtype="object")
    out[is_low] = "L"
    out[is_high] = "H"
    return out


@dataclass(frozen=True)
class Handover:
    """The handover of one ward for one shift; every table keyed by ``encounter_id``."""

    shift: Shift
    patients: pd.DataFrame
    tasks: pd.DataFrame
    vitals: pd.DataFrame
    events: pd.DataFrame


_EVENT_COLUMNS = ["encounter_id", "when", "kind", "code", "text", "value", "unit", "flag"]


def _events(
    stays: pd.DataFrame,
    enc_locations: pd.DataFrame,
    locations: pd.DataFrame,
    tasks: pd.DataFrame,
    observations: pd.DataFrame,
    shift: Shift,
    now: pd.Timestamp,
) -> pd.DataFrame:
    ids = set(stays["encounter_id"])

    def in_shift(when: pd.Series) -> pd.Series:
        return when.notna() & (when >= shift.start) & (when <= now)

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
    parts.append(
        pd.DataFrame(
            {"encounter_id": done["encounter_id"], "when": done["when"], "code": done["code"]}
        ).assign(kind="task_done")
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
) -> Handover:
    """Everything the next shift needs to know about the patients lying in the ward now.

    ``tasks`` holds open tasks and those completed this shift; ``observations`` the vitals and
    labs of the ward's stays (at least since the last rounds).
    """
    shift = shift_at(now)
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

    open_work = by_urgency(tasks[tasks["encounter_id"].isin(stays["encounter_id"])], now)
    per_stay = open_work.groupby("encounter_id")["overdue"].agg(open="size", overdue="sum")
    stays = stays.merge(per_stay.reset_index(), on="encounter_id", how="left")
    for column in ("open", "overdue"):
        stays[column] = stays[column].fillna(0).astype("int64")
    stays = stays.sort_values(["room_id", "bed_id", "patient"], na_position="last").reset_index(
        drop=True
    )

    vitals = observations[
        observations["encounter_id"].isin(stays["encounter_id"])
        & (observations["category"] == "vital-signs")
        & (observations["effective"] <= now)
    ]
    vitals = vitals.sort_values("effective").drop_duplicates(["encounter_id", "code"], keep="last")
    ages = vitals["encounter_id"].map(stays.set_index("encounter_id")["age"])
    vitals = vitals.assign(flag=vital_flags(vitals, ages))[
        ["encounter_id", "code", "display", "value", "unit", "effective", "flag"]
    ].reset_index(drop=True)

    events = _events(stays, enc_locations, locations, tasks, observations, shift, now)
    return Handover(
        shift=shift,
        patients=stays[
            [
                "source",
                "encounter_id",
                "patient_id",
                "patient",
                "age",
                "room",
                "bed",
                "admitted",
                "days",
                "open",
                "overdue",
            ]
        ],
        tasks=open_work[
            ["encounter_id", "id", "code", "priority", "status", "due", "overdue", "owner_id"]
        ],
        vitals=vitals,
        events=events,
    )


def _arrow(flag: object) -> str:
    return {"H": " ↑", "L": " ↓"}.get(flag, "") if isinstance(flag, str) else ""


def _text(value: object) -> str:
    return value if isinstance(value, str) and value else "–"


def _time(when: pd.Timestamp, lang: str) -> str:
    return fmt_datetime(when, lang)[-5:] if pd.notna(when) else "–"


# UCUM codes as people write them.
_UNITS = {"Cel": "°C", "mm[Hg]": "mmHg", "%": "%"}


def _value(value: object, unit: object, lang: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    number = float(value)
    shown = fmt_number(number, lang, 0 if number.is_integer() else 1)
    if not isinstance(unit, str) or not unit:
        return shown
    unit = _UNITS.get(unit, unit)
    return f"{shown}{unit}" if unit == "%" else f"{shown} {unit}"


def _vital_name(code: str, display: object, lang: str) -> str:
    key = f"handover.vital.{code}"
    if key in CATALOGUE:
        return t(key, lang)
    return display if isinstance(display, str) else code


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
            + _value(s.value, s.unit, lang)
            + _arrow(s.flag)
            for s in signs.itertuples(index=False)
        )
        last_round = signs["effective"].max() if not signs.empty else None
        happened = []
        for e in h.events[h.events["encounter_id"] == enc].itertuples(index=False):
            when = _time(e.when, lang)
            if e.kind == "admission":
                happened.append(f"{when} {tr('handover.event.admission')}")
            elif e.kind == "transfer":
                happened.append(f"{when} {tr('handover.event.transfer')}: {e.text}")
            elif e.kind == "result":
                happened.append(f"{when} {e.text} {_value(e.value, e.unit, lang)}{_arrow(e.flag)}")
            else:
                name = label(pd.Series([e.code]), "task_code", tr).iloc[0]
                happened.append(f"{when} {tr('handover.event.task_done')}: {name}")
        rows.append(
            {
                tr("col.room"): _text(patient.room),
                tr("col.bed"): _text(patient.bed),
                tr("col.patient"): patient.patient,
                tr("col.age"): fmt_number(patient.age, lang),
                tr("col.days"): patient.days,
                tr("handover.col.open"): patient.open,
                tr("handover.col.overdue"): patient.overdue,
                tr("handover.col.tasks"): work_text or tr("word.none"),
                tr("handover.col.vitals"): vitals_text or "–",
                tr("handover.col.vitals_at"): fmt_datetime(last_round, lang),
                tr("handover.col.events"): "; ".join(happened) or tr("word.none"),
            }
        )
    columns = [
        tr(k)
        for k in (
            "col.room",
            "col.bed",
            "col.patient",
            "col.age",
            "col.days",
            "handover.col.open",
            "handover.col.overdue",
            "handover.col.tasks",
            "handover.col.vitals",
            "handover.col.vitals_at",
            "handover.col.events",
        )
    ]
    return pd.DataFrame(rows, columns=columns)


def printable(table: pd.DataFrame, lang: str) -> list[str]:
    """The sheet as one markdown block per patient, for reading aloud and for printing."""

    def tr(key: str) -> str:
        return t(key, lang)

    blocks = []
    for _, row in table.iterrows():
        head = f"#### {row[tr('col.room')]} · {row[tr('col.bed')]} — {row[tr('col.patient')]}"
        facts = " · ".join(
            f"{tr(key)} {row[tr(key)]}"
            for key in ("col.age", "col.days", "handover.col.open", "handover.col.overdue")
        )
        vitals = row[tr("handover.col.vitals")]
        taken = row[tr("handover.col.vitals_at")]
        lines = [
            f"- **{tr('handover.col.tasks')}:** {row[tr('handover.col.tasks')]}",
            f"- **{tr('handover.col.vitals')}** ({taken}): {vitals}",
            f"- **{tr('handover.col.events')}:** {row[tr('handover.col.events')]}",
        ]
        blocks.append("\n".join([head, facts, "", *lines]))
    return blocks
