"""What the handover reads out beyond tasks and vitals, for every patient in hospital now: the
resuscitation status, mobility and pain.

- Resuscitation status: a Flag (category clinical) coded in the platform's system
  ``reanimationsstatus`` (``rea``, ``keine-rea``, ``keine-rea-keine-intubation``) with the SNOMED
  CT finding beside it, active from the day the physician decided it. Most stays have one; for
  some nobody has decided yet, which the handover must say rather than assume either way.
- Mobility: the latest of one or two Observations (category survey) coded ``mobilitaet`` in the
  platform's system ``pflegebefund``, its value a grade of the system ``mobilitaet``.
- Pain: one to three scores on the 0-10 numeric rating scale (LOINC 72514-3) over the last hours;
  a few stays have none.

Drawn from a random stream of its own (``<seed>:nursing``) after every other kind, so adding it
changed no other record.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from demo_data import codes
from demo_data.records import EncounterRec, FlagRec, ObservationRec
from demo_data.timeutil import DAY, HOUR, Instant, fhir_datetime

# (code, share); the rest of the stays have no decision recorded.
RESUSCITATION_SHARES = (("rea", 0.7), ("keine-rea", 0.12), ("keine-rea-keine-intubation", 0.06))
MOBILITY_SHARES = (
    ("selbststaendig", 0.45),
    ("hilfsmittel", 0.2),
    ("unterstuetzung", 0.2),
    ("bettlaegerig", 0.1),
)
PAIN_RECORDED = 0.85
MINUTE = 60


@dataclass
class Nursing:
    """The nursing records of the stays in hospital now and what the handover must show."""

    flags: list[FlagRec] = field(default_factory=list)
    observations: list[ObservationRec] = field(default_factory=list)
    truth: dict[str, dict[str, Any]] = field(default_factory=dict)


def _pick(rng: random.Random, shares: tuple[tuple[str, float], ...]) -> str | None:
    drawn = rng.random()
    for code, share in shares:
        if drawn < share:
            return code
        drawn -= share
    return None


def _moment(rng: random.Random, encounter: EncounterRec, as_of: Instant, within: int) -> Instant:
    """A moment within ``within`` seconds before ``as_of``, never before the stay began."""
    start = encounter.stay.start + 10 * MINUTE
    earliest = max(start, as_of - within)
    return earliest + rng.randrange(max(1, as_of - earliest))


def _in_order(moments: list[Instant]) -> list[Instant]:
    """Sorted and a minute apart at least: no two records of one kind tie for the latest."""
    out: list[Instant] = []
    for moment in sorted(moments):
        out.append(moment if not out or moment > out[-1] else out[-1] + MINUTE)
    return out


def generate_nursing(encounters: list[EncounterRec], as_of: Instant, rng: random.Random) -> Nursing:
    """Resuscitation status, mobility and pain of every current inpatient stay."""
    out = Nursing()
    for encounter in encounters:
        if not encounter.current or encounter.stay.cls != "IMP" or encounter.stay.start >= as_of:
            continue
        key = encounter.stay.hospital.key
        number = encounter.id.rsplit("-", 1)[1]
        entry: dict[str, Any] = {"resuscitation": None, "mobility": None, "pain": None}
        status = _pick(rng, RESUSCITATION_SHARES)
        if status is not None:
            decided = _moment(rng, encounter, as_of, 2 * DAY)
            out.flags.append(
                FlagRec(
                    f"rea-{key}-{number}",
                    encounter,
                    status,
                    decided,
                    None,
                    system=codes.SYS_RESUSCITATION,
                )
            )
            entry["resuscitation"] = status
        grades = [_pick(rng, MOBILITY_SHARES) or "selbststaendig" for _ in range(rng.randint(1, 2))]
        moments = _in_order([_moment(rng, encounter, as_of, DAY) for _ in grades])
        for n, (grade, moment) in enumerate(zip(grades, moments, strict=True)):
            out.observations.append(
                ObservationRec(
                    f"mob-{key}-{number}-{n + 1}",
                    encounter,
                    "survey",
                    codes.MOBILITY,
                    "",
                    moment,
                    value_code=codes.Code(grade, codes.MOBILITY_GRADES[grade]),
                    code_system=codes.SYS_NURSING_FINDING,
                    value_system=codes.SYS_MOBILITY,
                )
            )
        entry["mobility"] = grades[-1]
        if rng.random() < PAIN_RECORDED:
            scores = [
                rng.choice((0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8)) for _ in range(rng.randint(1, 3))
            ]
            taken = _in_order([_moment(rng, encounter, as_of, 12 * HOUR) for _ in scores])
            for n, (score, moment) in enumerate(zip(scores, taken, strict=True)):
                out.observations.append(
                    ObservationRec(
                        f"nrs-{key}-{number}-{n + 1}",
                        encounter,
                        "survey",
                        codes.PAIN_NRS,
                        "{score}",
                        moment,
                        value=float(score),
                    )
                )
            entry["pain"] = {"score": scores[-1], "taken": fhir_datetime(taken[-1])}
        out.truth[encounter.id] = entry
    return out
