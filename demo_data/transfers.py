"""Transfer requests between hospitals that are waiting at as-of.

A few inpatients of every hospital need a bed elsewhere (intensive care the hospital lacks, a
bed nearer home, a full ICU): each gets a ServiceRequest and a Task to another hospital that
has beds of the category asked for, written by ``services.transfers.request_resources`` (the
same builder the dashboard uses). Most wait for a decision; some were asked back with a
question, some declined with a reason. None is accepted: a reservation would hold a bed for
hours after generation, and the free-bed figures of the ground truth are those of as-of.

Drawn from a random generator of its own (``<seed>:transfers``), so every other resource and
figure is what it was without them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from demo_data.hospitals import Hospital
from demo_data.records import EncounterRec, FlagRec
from demo_data.timeutil import Instant, fhir_datetime, local
from services.codes import BED_REQUEST
from services.transfers import ASKED_BACK, TransferAsk, request_resources

# Requests per hospital: enough that every bed manager's queue has something to decide.
PER_HOSPITAL = 2
ESCALATION = {
    "general": "imc",
    "imc": "icu-low-care",
    "icu-low-care": "icu-high-care",
    "icu-high-care": "icu-high-care",
}
REASONS = {
    "general": ("Heimatnahe Weiterbehandlung", "Weiterbehandlung in der Fachabteilung"),
    "imc": ("Überwachungspflichtig, eigene IMC voll", "Postoperative Überwachung"),
    "icu-low-care": ("Intensivpflichtig, eigene Intensivstation voll", "Katecholaminpflichtig"),
    "icu-high-care": ("Beatmungspflichtig, ECMO-Evaluation", "Invasive Beatmung erforderlich"),
}
URGENCY = (("routine", 3), ("urgent", 4), ("asap", 2), ("stat", 1))
# The state each request is left in, in turn: most wait, some asked back, some declined.
STATES = ("requested", "requested", "received", "requested", "rejected")
QUESTION = "Ist der Patient aktuell beatmet? Bitte letzte Blutgasanalyse mitteilen."
DECLINED = "Keine Kapazität in der angefragten Kategorie, bitte andere Klinik anfragen."
BED_MANAGEMENT = "Belegungsmanagement {hospital}"


@dataclass
class TransferRec:
    """One generated request: what was asked and the FHIR resources written for it."""

    ask: TransferAsk
    encounter: EncounterRec
    status: str
    resources: tuple[dict[str, Any], dict[str, Any]]


@dataclass
class Transfers:
    requests: list[TransferRec] = field(default_factory=list)


def _categories(hospital: Hospital) -> set[tuple[str, str]]:
    return {(bed.category, bed.age_group) for ward in hospital.wards for bed in ward.beds}


def generate_transfers(
    hospitals: list[Hospital],
    encounters: list[EncounterRec],
    flags: list[FlagRec],
    as_of: Instant,
    rng: random.Random,
) -> Transfers:
    """``PER_HOSPITAL`` requests from each hospital, for inpatients lying in a bed at as-of."""
    isolation: dict[str, list[str]] = {}
    for flag in flags:
        if flag.active:
            isolation.setdefault(flag.encounter.id, []).append(flag.code)
    out = Transfers()
    turn = 0
    for hospital in hospitals:
        lying = [
            e
            for e in encounters
            if e.current
            and e.stay.cls == "IMP"
            and e.stay.hospital.key == hospital.key
            and e.periods
            and e.periods[-1].end is None
        ]
        for number, encounter in enumerate(rng.sample(lying, min(PER_HOSPITAL, len(lying))), 1):
            bed = encounter.periods[-1].bed
            category = bed.category if rng.random() < 0.5 else ESCALATION[bed.category]
            targets = [
                h
                for h in hospitals
                if h.key != hospital.key and (category, bed.age_group) in _categories(h)
            ]
            if not targets:
                continue
            target = rng.choice(targets)
            status = STATES[turn % len(STATES)]
            turn += 1
            ask = TransferAsk(
                id=f"{hospital.key}-v{number:04d}",
                patient_id=encounter.patient.id,
                encounter_id=encounter.id,
                requester_org=hospital.id,
                target_org=target.id,
                bed_category=category,
                age_group=bed.age_group,
                sex=encounter.patient.person.gender,
                isolation=tuple(sorted(isolation.get(encounter.id, ()))),
                urgency=rng.choices([u for u, _ in URGENCY], [w for _, w in URGENCY])[0],
                reason=rng.choice(REASONS[category]),
                practitioner_id=encounter.attending.id,
            )
            authored = as_of - 60 * rng.randint(15, 600)
            service_request, task = request_resources(ask, local(authored))
            if status != "requested":
                answered = authored + int((as_of - authored) * rng.uniform(0.2, 0.8))
                task["status"] = status
                task["lastModified"] = fhir_datetime(answered)
                if status == "received":
                    task["businessStatus"] = {
                        "coding": [{"system": BED_REQUEST, "code": ASKED_BACK}],
                        "text": "Rückfrage",
                    }
                    task["note"] = [
                        {
                            "authorString": BED_MANAGEMENT.format(hospital=target.short_name),
                            "time": fhir_datetime(answered),
                            "text": QUESTION,
                        }
                    ]
                else:
                    task["statusReason"] = {"text": DECLINED}
            out.requests.append(TransferRec(ask, encounter, status, (service_request, task)))
    return out


def transfer_truth(transfers: Transfers) -> dict[str, Any]:
    """``transfers``: every request by Task id; ``transfers_inbound``: per target hospital the
    requests waiting for a decision, of them urgent and asked back (``queue_figures``)."""
    requests: dict[str, Any] = {}
    inbound: dict[str, dict[str, int]] = {}
    for rec in transfers.requests:
        ask = rec.ask
        state = {"requested": "open", "received": "asked_back", "rejected": "declined"}[rec.status]
        requests[rec.resources[1]["id"]] = {
            "requester": ask.requester_org,
            "target": ask.target_org,
            "patient": ask.patient_id,
            "encounter": ask.encounter_id,
            "bed_category": ask.bed_category,
            "age_group": ask.age_group,
            "sex": ask.sex,
            "isolation": list(ask.isolation),
            "urgency": ask.urgency,
            "status": rec.status,
            "state": state,
        }
        figures = inbound.setdefault(ask.target_org, {"waiting": 0, "urgent": 0, "asked_back": 0})
        if state in ("open", "asked_back"):
            figures["waiting"] += 1
            figures["urgent"] += int(ask.urgency != "routine")
            figures["asked_back"] += int(state == "asked_back")
    return {"transfers": requests, "transfers_inbound": inbound}
