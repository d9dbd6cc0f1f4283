"""Letters and reports of past contacts: discharge letters, outpatient letters, findings reports
and operation notes, written from what the contact recorded.

Drawn from a random stream of its own (``<seed>:documents``), so adding documents changed no
other record. Only finished contacts get documents (a letter is written at the end): an inpatient
stay a discharge letter (``DISCHARGE_LETTER_SHARE``), an operation note for its first procedure
in a surgical department, now and then a findings report of its lab values; an emergency or
outpatient contact now and then an outpatient letter. The text names the diagnoses, procedures and
the medication at discharge (orders running at the end and home medication). Half the documents
carry their text inline, a fifth as a text Binary and the rest as a PDF Binary.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from demo_data import codes
from demo_data.clinical import SURGICAL, Clinical
from demo_data.records import (
    ConditionRec,
    DocumentRec,
    EncounterRec,
    MedicationRec,
    ObservationRec,
    ProcedureRec,
    StatementRec,
)
from demo_data.safety import Safety
from demo_data.timeutil import DAY, HOUR, Instant, local

DISCHARGE_LETTER_SHARE = 0.5
OPERATION_NOTE_SHARE = 0.8
FINDINGS_SHARE = 0.25
OUTPATIENT_LETTER_SHARE = 0.4
# Where the content is kept: inline text, a text Binary, a PDF Binary.
STORAGE = (("inline", 0.5), ("binary-text", 0.2), ("binary-pdf", 0.3))
SALUTATION = {"female": "Frau", "male": "Herrn"}
# German names of the lab tests (demo_data.codes.LABS) as a findings report writes them.
LAB_NAMES = {
    "718-7": "Hämoglobin",
    "6690-2": "Leukozyten",
    "1988-5": "CRP",
    "2160-0": "Kreatinin",
    "2823-3": "Kalium",
    "2951-2": "Natrium",
}


@dataclass
class _Facts:
    """What the clinical records say about each contact, by contact id."""

    conditions: dict[str, list[ConditionRec]] = field(default_factory=lambda: defaultdict(list))
    procedures: dict[str, list[ProcedureRec]] = field(default_factory=lambda: defaultdict(list))
    medications: dict[str, list[MedicationRec]] = field(default_factory=lambda: defaultdict(list))
    labs: dict[str, list[ObservationRec]] = field(default_factory=lambda: defaultdict(list))
    home: dict[str, list[StatementRec]] = field(default_factory=lambda: defaultdict(list))


def _facts(clinical: Clinical, safety: Safety) -> _Facts:
    out = _Facts()
    for condition in clinical.conditions:
        out.conditions[condition.encounter.id].append(condition)
    for procedure in clinical.procedures:
        out.procedures[procedure.encounter.id].append(procedure)
    for medication in clinical.medications:
        out.medications[medication.encounter.id].append(medication)
    for observation in clinical.observations:
        if observation.category == "laboratory" and observation.value is not None:
            out.labs[observation.encounter.id].append(observation)
    for statement in safety.statements:
        out.home[statement.patient.id].append(statement)
    return out


def _day(instant: Instant) -> str:
    return local(instant).strftime("%d.%m.%Y")


def _storage(rng: random.Random) -> str:
    draw = rng.random()
    for name, share in STORAGE:
        if draw < share:
            return name
        draw -= share
    return STORAGE[-1][0]


def generate_documents(
    encounters: list[EncounterRec],
    clinical: Clinical,
    safety: Safety,
    as_of: Instant,
    rng: random.Random,
) -> list[DocumentRec]:
    """The documents of every finished contact, in the order of the contacts."""
    facts = _facts(clinical, safety)
    out: list[DocumentRec] = []
    counters: dict[str, int] = {}

    def add(encounter: EncounterRec, kind: str, date: Instant, text: str) -> None:
        key = encounter.stay.hospital.key
        counters[key] = counters.get(key, 0) + 1
        out.append(
            DocumentRec(
                id=f"doc-{key}-{counters[key]:07d}",
                encounter=encounter,
                kind=kind,
                title=f"{codes.DOCUMENT_TYPES[kind].title} vom {_day(date)}",
                author=encounter.attending,
                date=date,
                text=text,
                storage=_storage(rng),
            )
        )

    for encounter in encounters:
        if encounter.current:
            continue
        stay = encounter.stay
        written = min(stay.end + rng.randrange(2 * HOUR, 2 * DAY), as_of)
        if stay.cls != "IMP":
            if rng.random() < OUTPATIENT_LETTER_SHARE:
                add(encounter, "arztbrief", written, _letter(encounter, facts, "arztbrief"))
            continue
        procedures = sorted(facts.procedures[encounter.id], key=lambda p: p.performed)
        if procedures and stay.department in SURGICAL and rng.random() < OPERATION_NOTE_SHARE:
            first = procedures[0]
            date = min(first.performed + rng.randrange(HOUR, 6 * HOUR), as_of)
            add(encounter, "op_bericht", date, _operation_note(encounter, first))
        labs = facts.labs[encounter.id]
        if labs and rng.random() < FINDINGS_SHARE:
            last = max(lab.effective for lab in labs)
            date = min(last + rng.randrange(HOUR, 12 * HOUR), as_of)
            add(encounter, "befundbericht", date, _findings(encounter, labs))
        if rng.random() < DISCHARGE_LETTER_SHARE:
            add(encounter, "entlassbrief", written, _letter(encounter, facts, "entlassbrief"))
    return out


def _header(encounter: EncounterRec, title: str) -> list[str]:
    stay = encounter.stay
    person = stay.person
    return [
        stay.hospital.name,
        f"Klinik für {codes.DEPARTMENTS.get(stay.department, stay.department)}",
        "",
        title,
        "",
        f"Patient: {person.family}, {person.given}, geb. {person.birth_date:%d.%m.%Y}",
        f"Fallnummer: {encounter.case_number}",
        "",
    ]


def _signature(encounter: EncounterRec) -> list[str]:
    doctor = encounter.attending
    return ["", "Mit freundlichen kollegialen Grüßen", f"Dr. med. {doctor.given} {doctor.family}"]


def _letter(encounter: EncounterRec, facts: _Facts, kind: str) -> str:
    stay = encounter.stay
    person = stay.person
    salutation = SALUTATION.get(person.gender, "")
    who = f"{salutation} {person.given} {person.family}".strip()
    if kind == "entlassbrief":
        when = f"vom {_day(stay.start)} bis {_day(stay.end)} in unserer stationären Behandlung"
    else:
        when = f"am {_day(stay.start)} in unserer Ambulanz"
    lines = _header(encounter, codes.DOCUMENT_TYPES[kind].title)
    lines += [
        "Sehr geehrte Kolleginnen und Kollegen,",
        "",
        f"wir berichten über {who}, geb. {person.birth_date:%d.%m.%Y}, {when}.",
        "",
        "Diagnosen:",
    ]
    lines += [f"- {c.code.code} {c.code.display}" for c in facts.conditions[encounter.id]] or [
        "- keine"
    ]
    procedures = sorted(facts.procedures[encounter.id], key=lambda p: p.performed)
    if procedures:
        lines += ["", "Durchgeführte Maßnahmen:"]
        lines += [f"- {p.code.code} {p.code.display} ({_day(p.performed)})" for p in procedures]
    if kind == "entlassbrief":
        running = [m for m in facts.medications[encounter.id] if m.end >= stay.end - DAY]
        home = facts.home[encounter.patient.id]
        lines += ["", "Medikation bei Entlassung:"]
        lines += [f"- {m.code.display} ({m.code.code}) {m.dosage}" for m in running]
        lines += [f"- {s.code.display} ({s.code.code}) {s.dosage}" for s in home]
        if not running and not home:
            lines.append("- keine")
        lines += ["", f"Entlassung: {codes.DISCHARGE.get(stay.discharge, stay.discharge)}."]
    return "\n".join(lines + _signature(encounter))


def _operation_note(encounter: EncounterRec, procedure: ProcedureRec) -> str:
    lines = _header(encounter, codes.DOCUMENT_TYPES["op_bericht"].title)
    lines += [
        f"OP-Datum: {_day(procedure.performed)}",
        f"Eingriff: {procedure.code.code} {procedure.code.display}",
        f"Operateur: Dr. med. {encounter.attending.given} {encounter.attending.family}",
        "",
        "Verlauf: Komplikationsloser Eingriff. Blutstillung, schichtweiser Wundverschluss,",
        "steriler Verband. Postoperative Überwachung auf Station.",
    ]
    return "\n".join(lines + _signature(encounter))


def _findings(encounter: EncounterRec, labs: list[ObservationRec]) -> str:
    lines = _header(encounter, codes.DOCUMENT_TYPES["befundbericht"].title)
    lines += ["Laborbefunde:"]
    for lab in sorted(labs, key=lambda o: (o.effective, o.code.code)):
        flag = f" ({lab.interpretation})" if lab.interpretation in ("H", "L") else ""
        lines.append(
            f"- {_day(lab.effective)} {LAB_NAMES.get(lab.code.code, lab.code.display)}: "
            f"{lab.value:g} {lab.unit}{flag}"
        )
    return "\n".join(lines + _signature(encounter))
