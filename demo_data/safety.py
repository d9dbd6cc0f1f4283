"""What a physician needs before treating: allergies, isolation flags, the problem list and home
medication, per person across the hospitals that treated them.

Drawn from a random stream of its own (``<seed>:safety``), so adding it changed no other record.
A person is in one of three allergy states: allergies recorded (about 30 %: at the first hospital
always, at each further hospital with a chance), "no known allergy" stated (about 25 %), or
nothing recorded anywhere. Adults may have chronic problems, each with the drug taken for it at
home; every hospital that treated the person records both, so the same problem and the same drug
appear at several hospitals. Inpatient stays in isolation carry an MRSA flag; a few others a
3MRGN, 4MRGN, Norovirus or COVID-19 flag.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from demo_data import codes
from demo_data.records import (
    AllergyRec,
    EncounterRec,
    FlagRec,
    PatientRec,
    ProblemRec,
    StatementRec,
)
from demo_data.timeutil import DAY, HOUR, Instant

ALLERGY_SHARE = 0.30
NO_KNOWN_ALLERGY_SHARE = 0.25
# Chance that a further hospital records an allergy or statement the first one recorded.
RECORDED_AGAIN = 0.6
CHRONIC_SHARE = 0.45
PAST_PROBLEM_SHARE = 0.3
OTHER_FLAG_SHARE = 0.03
# The other isolation flags, as often as they are listed: 3MRGN most, 4MRGN rarely.
OTHER_FLAGS = ("3mrgn", "3mrgn", "3mrgn", "4mrgn", "norovirus", "norovirus", "covid-19")


@dataclass
class Safety:
    """The safety records of the network."""

    allergies: list[AllergyRec] = field(default_factory=list)
    flags: list[FlagRec] = field(default_factory=list)
    problems: list[ProblemRec] = field(default_factory=list)
    statements: list[StatementRec] = field(default_factory=list)


def _first_contacts(encounters: list[EncounterRec]) -> dict[str, EncounterRec]:
    """The first contact of each Patient record."""
    first: dict[str, EncounterRec] = {}
    for encounter in encounters:
        known = first.get(encounter.patient.id)
        if known is None or encounter.stay.start < known.stay.start:
            first[encounter.patient.id] = encounter
    return first


def generate_safety(
    patients: list[PatientRec], encounters: list[EncounterRec], as_of: Instant, rng: random.Random
) -> Safety:
    """Allergies, flags, problems and home medication of every person."""
    out = Safety()
    first = _first_contacts(encounters)
    counters: dict[str, int] = {}

    def next_id(prefix: str, patient: PatientRec) -> str:
        key = f"{prefix}-{patient.hospital.key}"
        counters[key] = counters.get(key, 0) + 1
        return f"{key}-{counters[key]:07d}"

    records: dict[int, list[PatientRec]] = {}
    for patient in patients:
        if patient.id in first:
            records.setdefault(patient.person.index, []).append(patient)
    for person_records in records.values():
        ordered = sorted(person_records, key=lambda p: first[p.id].stay.start)
        _allergies(out, ordered, first, as_of, rng, next_id)
        if not ordered[0].person.child:
            _problems(out, ordered, first, as_of, rng, next_id)
    for encounter in encounters:
        _flags(out, encounter, rng)
    return out


def _recorded(contact: EncounterRec, rng: random.Random, as_of: Instant) -> Instant:
    """A few hours into the first contact, never after it ended nor after as-of."""
    return min(contact.stay.start + rng.randrange(HOUR, 6 * HOUR), contact.stay.end, as_of)


def _allergies(out, ordered, first, as_of, rng, next_id) -> None:
    draw = rng.random()
    if draw < ALLERGY_SHARE:
        chosen: list[codes.Allergen] = []
        for allergen in rng.sample(codes.ALLERGENS, rng.choice((1, 1, 2))):
            if allergen.code not in [a.code for a in chosen]:
                chosen.append(allergen)
        for n, patient in enumerate(ordered):
            contact = first[patient.id]
            for allergen in chosen:
                if n and rng.random() >= RECORDED_AGAIN:
                    continue
                severe = allergen.reaction.code in codes.SEVERE_REACTIONS
                out.allergies.append(
                    AllergyRec(
                        id=next_id("alg", patient),
                        patient=patient,
                        encounter=contact,
                        substance=allergen.code,
                        recorded=_recorded(contact, rng, as_of),
                        category=allergen.category,
                        criticality="high" if severe else "low",
                        verification="confirmed" if rng.random() < 0.8 else "unconfirmed",
                        reaction=allergen.reaction,
                    )
                )
    elif draw < ALLERGY_SHARE + NO_KNOWN_ALLERGY_SHARE:
        for n, patient in enumerate(ordered):
            if n and rng.random() >= RECORDED_AGAIN:
                continue
            contact = first[patient.id]
            out.allergies.append(
                AllergyRec(
                    id=next_id("alg", patient),
                    patient=patient,
                    encounter=contact,
                    substance=codes.NO_KNOWN_ALLERGY,
                    recorded=_recorded(contact, rng, as_of),
                )
            )


def _problems(out, ordered, first, as_of, rng, next_id) -> None:
    chronic = []
    if rng.random() < CHRONIC_SHARE:
        chronic = rng.sample(codes.CHRONIC_PROBLEMS, rng.choice((1, 1, 2, 3)))
    past = rng.choice(codes.PAST_PROBLEMS) if rng.random() < PAST_PROBLEM_SHARE else None
    onset = {code.code: as_of - rng.randrange(365, 15 * 365) * DAY for code, _, _ in chronic}
    past_onset = as_of - rng.randrange(2 * 365, 30 * 365) * DAY
    for n, patient in enumerate(ordered):
        contact = first[patient.id]
        recorded = _recorded(contact, rng, as_of)
        for problem, drug, dosage in chronic:
            out.problems.append(
                ProblemRec(
                    next_id("prb", patient),
                    patient,
                    problem,
                    onset[problem.code],
                    recorded,
                    "active",
                )
            )
            out.statements.append(
                StatementRec(
                    next_id("mst", patient), patient, drug, dosage, onset[problem.code], recorded
                )
            )
        if past is not None and n == 0:
            out.problems.append(
                ProblemRec(next_id("prb", patient), patient, past, past_onset, recorded, "resolved")
            )


def _flags(out: Safety, encounter: EncounterRec, rng: random.Random) -> None:
    if encounter.stay.cls != "IMP":
        return
    code = None
    # The stay's isolation is the MRSA its diagnoses name (U80.0); the others come on top.
    if encounter.stay.isolation:
        code = "mrsa"
    elif rng.random() < OTHER_FLAG_SHARE:
        code = rng.choice(OTHER_FLAGS)
    if code is None:
        return
    key = encounter.stay.hospital.key
    number = encounter.id.rsplit("-", 1)[1]
    out.flags.append(
        FlagRec(f"flg-{key}-{number}", encounter, code, encounter.stay.start, encounter.end)
    )
