"""NEWS2 observation sets of the patients in hospital now, and the score each set must give.

Every patient lying in hospital at the as-of instant gets complete NEWS2 sets (respiration rate,
SpO2, inhaled oxygen flow, blood pressure, pulse, ACVPU, temperature) instead of the morning rounds
``demo_data.clinical`` draws, which lack oxygen and consciousness. The generator first decides the
points of each parameter (a risk profile: mostly stable, some raised, a single red value, medium
and high acuity), then draws each value inside the chart band that gives those points: the ground
truth is the points chosen, not a score recomputed from the values.

The latest set lies within the interval its band allows (RCP chart 3: 12 h at 0, 6 h at 1-4,
1 h from a single 3 on) for most patients and beyond it for some; a few latest sets lack a
parameter. At least one adult moved to another ward lately had the latest set taken on the ward
before (MII: it points at that ward's contact). A few adults have a physician's order to score
SpO2 on scale 2 (a Flag, docs/DATA_MODEL.md). Patients under 16 get sets drawn around children's
values and no score.

Drawn from a random stream of its own (``<seed>:acuity``), so adding it changed no other record.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date

from demo_data import codes
from demo_data.clinical import Clinical
from demo_data.records import EncounterRec, FlagRec, ObservationRec
from demo_data.timeutil import DAY, Instant, berlin_date, fhir_datetime

ADULT_AGE = 16
MINUTE = 60
PARAMETERS = ("respiration", "spo2", "oxygen", "systolic", "pulse", "consciousness", "temperature")
# (profile, share, lowest and highest total, a 3 in one parameter required)
PROFILES = (
    ("stable", 0.56, 0, 1, False),
    ("raised", 0.16, 2, 4, False),
    ("red", 0.1, 3, 4, True),
    ("medium", 0.09, 5, 6, False),
    ("high", 0.09, 7, 11, False),
)
# How often a parameter scores 0 in each profile's draw (the totals are then kept in range).
ZERO_CHANCE = {"stable": 0.85, "raised": 0.6, "red": 0.75, "medium": 0.45, "high": 0.3}
POINTS = {
    "respiration": (1, 2, 3),
    "spo2": (1, 2, 3),
    "oxygen": (2,),
    "systolic": (1, 2, 3),
    "pulse": (1, 2, 3),
    "consciousness": (3,),
    "temperature": (1, 2, 3),
}
# Value ranges (inclusive) that give each number of points, RCP chart 1.
RANGES: dict[str, dict[int, tuple[tuple[float, float], ...]]] = {
    "respiration": {0: ((12, 20),), 1: ((9, 11),), 2: ((21, 24),), 3: ((5, 8), (25, 32))},
    "spo2": {0: ((96, 100),), 1: ((94, 95),), 2: ((92, 93),), 3: ((84, 91),)},
    "systolic": {0: ((111, 175),), 1: ((101, 110),), 2: ((91, 100),), 3: ((72, 90), (220, 232))},
    "pulse": {
        0: ((52, 90),),
        1: ((41, 50), (91, 110)),
        2: ((111, 130),),
        3: ((33, 40), (131, 150)),
    },
    "temperature": {
        0: ((36.1, 38.0),),
        1: ((35.1, 36.0), (38.1, 39.0)),
        2: ((39.1, 40.2),),
        3: ((34.2, 35.0),),
    },
}
# Scale 2 (target 88-92 %): up to 92 % whatever the oxygen; above it 0 on air, 1-3 on oxygen.
SCALE_2_LOW = {0: (88, 92), 1: (86, 87), 2: (84, 85), 3: (79, 83)}
SCALE_2_ON_OXYGEN = {1: (93, 94), 2: (95, 96), 3: (97, 99)}
SCALE_2_SHARE = 0.1
OVERDUE_SHARE = 0.15
INCOMPLETE_SHARE = 0.1
# Parameters a set leaves out most often in practice: consciousness, temperature, oxygen.
OFTEN_MISSING = ("consciousness", "temperature", "oxygen")
# RCP chart 3 by band, in minutes: when the next set is due.
DUE_MINUTES = {"zero": 720, "low": 360, "low_medium": 60, "medium": 60, "high": 60}
EARLIER_SETS = 3
# A set is written over a few minutes, one value after the other.
SET_SPREAD_MINUTES = 6
CHILD_VALUES = {"respiration": (20, 30), "spo2": (95, 100), "systolic": (90, 115)}


@dataclass
class Acuity:
    """The NEWS2 sets' observations, the scale 2 flags and the ground truth per stay."""

    observations: list[ObservationRec] = field(default_factory=list)
    flags: list[FlagRec] = field(default_factory=list)
    truth: dict[str, dict] = field(default_factory=dict)


def band(total: int, red: bool) -> str:
    """RCP chart 2."""
    if total >= 7:
        return "high"
    if total >= 5:
        return "medium"
    if red:
        return "low_medium"
    return "low" if total else "zero"


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class _Sets:
    def __init__(self, as_of: Instant, rng: random.Random) -> None:
        self.as_of = as_of
        self.rng = rng
        self.out = Acuity()
        self.counters: dict[str, int] = {}
        # Adults still to score, and the bands complete sets have shown so far (``_forced``).
        self.adults_left = 0
        self.bands: set[str] = set()
        # Adults moved lately still to score, and whether one's latest set predates the move.
        self.moved_left = 0
        self.set_before_move = False

    def _id(self, encounter: EncounterRec) -> str:
        key = encounter.stay.hospital.key
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"vit-{key}-{self.counters[key]:07d}"

    def profile_points(self, profile: str) -> dict[str, int]:
        _, _, low, high, red = next(p for p in PROFILES if p[0] == profile)
        while True:
            drawn = {
                p: 0 if self.rng.random() < ZERO_CHANCE[profile] else self.rng.choice(POINTS[p])
                for p in PARAMETERS
            }
            total = sum(drawn.values())
            threes = sum(1 for v in drawn.values() if v == 3)
            if low <= total <= high and (not red or threes == 1):
                return drawn

    def _in(self, ranges: tuple[tuple[float, float], ...], decimals: int = 0) -> float:
        low, high = self.rng.choice(ranges)
        scale = 10**decimals
        return self.rng.randint(round(low * scale), round(high * scale)) / scale

    def values(self, scored: dict[str, int], scale: int) -> dict[str, object]:
        on_oxygen = scored["oxygen"] == 2
        if scale == 1:
            spo2 = self._in(RANGES["spo2"][scored["spo2"]])
        elif scored["spo2"] == 0 and not on_oxygen and self.rng.random() < 0.3:
            spo2 = self._in(((93, 97),))
        elif on_oxygen and scored["spo2"] and self.rng.random() < 0.5:
            spo2 = self._in((SCALE_2_ON_OXYGEN[scored["spo2"]],))
        else:
            spo2 = self._in((SCALE_2_LOW[scored["spo2"]],))
        level = "A"
        if scored["consciousness"]:
            level = self.rng.choices("CVPU", weights=(50, 30, 15, 5))[0]
        return {
            "respiration": self._in(RANGES["respiration"][scored["respiration"]]),
            "spo2": spo2,
            "oxygen": self.rng.randint(1, 6) if on_oxygen else 0,
            "systolic": self._in(RANGES["systolic"][scored["systolic"]]),
            "pulse": self._in(RANGES["pulse"][scored["pulse"]]),
            "consciousness": level,
            "temperature": self._in(RANGES["temperature"][scored["temperature"]], 1),
        }

    def child_values(self) -> dict[str, object]:
        rng = self.rng
        return {
            "respiration": rng.randint(*CHILD_VALUES["respiration"]),
            "spo2": rng.randint(*CHILD_VALUES["spo2"]),
            "oxygen": 0,
            "systolic": rng.randint(*CHILD_VALUES["systolic"]),
            "pulse": rng.randint(95, 130),
            "consciousness": "A",
            "temperature": rng.randint(365, 384) / 10,
        }

    def record(
        self, encounter: EncounterRec, moment: Instant, values: dict[str, object]
    ) -> Instant:
        """The set's observations from ``moment`` on; returns when its last value was taken."""
        order = [p for p in PARAMETERS if p in values]
        steps = sorted(self.rng.sample(range(SET_SPREAD_MINUTES + 1), len(order)))
        last = moment
        for parameter, step in zip(order, steps, strict=True):
            when = moment + step * MINUTE
            last = max(last, when)
            self.out.observations.append(self._observation(encounter, when, parameter, values))
        return last

    def _observation(
        self, encounter: EncounterRec, when: Instant, parameter: str, values: dict[str, object]
    ) -> ObservationRec:
        value = values[parameter]
        common = {"id": self._id(encounter), "encounter": encounter, "category": "vital-signs"}
        if parameter == "systolic":
            systolic = float(value)
            diastolic = round(min(systolic - 25, systolic * 0.62 + self.rng.gauss(0, 5)))
            return ObservationRec(
                **common,
                code=codes.BP_PANEL,
                unit="mm[Hg]",
                effective=when,
                components=[(codes.BP_SYSTOLIC, systolic), (codes.BP_DIASTOLIC, diastolic)],
            )
        if parameter == "consciousness":
            return ObservationRec(
                **common,
                code=codes.CONSCIOUSNESS,
                unit="",
                effective=when,
                value_code=codes.ACVPU[str(value)],
            )
        if parameter == "oxygen":
            return ObservationRec(
                **common, code=codes.INHALED_O2_FLOW, unit="L/min", effective=when, value=value
            )
        sign = next(s for s in codes.VITALS if s.loinc == _LOINC[parameter])
        return ObservationRec(
            **common,
            code=codes.Code(sign.loinc, sign.display),
            unit=sign.unit,
            effective=when,
            value=float(value),
        )


_LOINC = {"respiration": "9279-1", "spo2": "59408-5", "pulse": "8867-4", "temperature": "8310-5"}


def _profile(rng: random.Random) -> str:
    return rng.choices([p[0] for p in PROFILES], weights=[p[1] for p in PROFILES])[0]


def generate_acuity(
    encounters: list[EncounterRec],
    clinical: Clinical,
    as_of: Instant,
    rng: random.Random,
    *,
    with_flags: bool = True,
) -> Acuity:
    """NEWS2 sets of every current inpatient stay; replaces their vital signs in ``clinical``."""
    sets = _Sets(as_of, rng)
    today = berlin_date(as_of)
    current = [e for e in encounters if e.current and e.stay.cls == "IMP" and e.periods]
    ids = {e.id for e in current}
    clinical.observations = [
        o
        for o in clinical.observations
        if not (o.category == "vital-signs" and o.encounter.id in ids)
    ]
    ages = {e.id: age_on(e.stay.person.birth_date, today) for e in current}
    adults = [e for e in current if ages[e.id] >= ADULT_AGE and _has_set(e, as_of)]
    sets.adults_left = len(adults)
    sets.moved_left = sum(1 for e in adults if _arrived_lately(e, as_of) is not None)
    for encounter in current:
        _stay_sets(sets, encounter, ages[encounter.id], with_flags)
    clinical.observations.extend(sets.out.observations)
    return sets.out


def _stay_sets(sets: _Sets, encounter: EncounterRec, age: int, with_flags: bool) -> None:
    rng, as_of = sets.rng, sets.as_of
    first = _first_set(encounter)
    if not _has_set(encounter, as_of):
        sets.out.truth[encounter.id] = {"status": "none", "ward_id": _ward(encounter)}
        return
    adult = age >= ADULT_AGE
    # Drawn whether or not Flags are generated, so the rest of the stream stays the same.
    drawn = rng.random()
    scale = 2 if adult and with_flags and drawn < SCALE_2_SHARE else 1
    if scale == 2:
        key = encounter.stay.hospital.key
        number = encounter.id.rsplit("-", 1)[1]
        sets.out.flags.append(
            FlagRec(
                f"n2f-{key}-{number}",
                encounter,
                codes.SPO2_SCALE_2.code,
                encounter.stay.start,
                None,
                system=codes.SYS_NEWS2,
            )
        )
    profile = _profile(rng)
    scored = sets.profile_points(profile)
    forced = None
    if adult:
        sets.adults_left -= 1
        forced = _forced(sets)
    if forced:
        scored = _points_of(sets, forced)
    total = sum(scored.values())
    red = any(v == 3 for v in scored.values())
    due = DUE_MINUTES[band(total, red)]
    if rng.random() < OVERDUE_SHARE:
        elapsed = due + rng.randint(15, 6 * 60 if due > 60 else 3 * 60)
    else:
        elapsed = rng.randint(5, max(6, int(due * 0.85)))
    latest = max(first, as_of - elapsed * MINUTE - SET_SPREAD_MINUTES * MINUTE)
    if adult:
        latest = _before_move(sets, encounter, latest)
    # Earlier sets, oldest first, each a few hours before the next.
    moments = [latest]
    for _ in range(EARLIER_SETS):
        earlier = moments[0] - rng.randint(3 * 60, 8 * 60) * MINUTE
        if earlier < first:
            break
        moments.insert(0, earlier)
    previous = None
    for moment in moments[:-1]:
        if not adult:
            sets.record(encounter, moment, sets.child_values())
            continue
        earlier_points = sets.profile_points(rng.choice((profile, "stable", "raised")))
        sets.record(encounter, moment, sets.values(earlier_points, scale))
        previous = sum(earlier_points.values())
    if not adult:
        taken = sets.record(encounter, latest, sets.child_values())
        sets.out.truth[encounter.id] = {
            "status": "not_applicable",
            "ward_id": _ward(encounter),
            "taken": fhir_datetime(taken),
        }
        return
    values = sets.values(scored, scale)
    missing: list[str] = []
    # A set that must show its band is complete.
    if not forced and rng.random() < INCOMPLETE_SHARE and not _many_incomplete(sets):
        missing = sorted(rng.sample(OFTEN_MISSING, rng.choice((1, 1, 2))), key=PARAMETERS.index)
    elif not forced and not any(t["status"] == "incomplete" for t in sets.out.truth.values()):
        # At a tenth per set, a ward's few dozen adults can all be complete at some hours: the
        # first adult's set then lacks one value, so every network shows an incomplete score.
        # Chosen without drawing, so every other set stays as the hour's draw made it.
        missing = [OFTEN_MISSING[0]]
    values = {k: v for k, v in values.items() if k not in missing}
    taken = sets.record(encounter, latest, values)
    known = sum(v for k, v in scored.items() if k not in missing)
    known_red = any(v == 3 for k, v in scored.items() if k not in missing)
    entry_band = band(known, known_red)
    entry = {
        "status": "incomplete" if missing else "complete",
        "ward_id": _ward(encounter),
        "taken": fhir_datetime(taken),
        "scale": scale,
        "points": {k: v for k, v in scored.items() if k not in missing},
        "missing": missing,
        "score": None if missing else total,
        "partial": known,
        "band": entry_band,
        "previous": previous,
        "overdue_after_minutes": DUE_MINUTES[entry_band],
    }
    if not missing and previous is not None:
        entry["trend"] = "up" if total > previous else "down" if total < previous else "same"
    if not missing:
        sets.bands.add(entry_band)
    sets.out.truth[encounter.id] = entry


BANDS = ("zero", "low", "low_medium", "medium", "high")


def _first_set(encounter: EncounterRec) -> Instant:
    """When a stay's first NEWS2 set is taken: a stay admitted later than that has none yet."""
    return encounter.stay.start + 15 * MINUTE


def _has_set(encounter: EncounterRec, as_of: Instant) -> bool:
    """Whether the stay's first set is finished before ``as_of``: its values are taken over
    ``SET_SPREAD_MINUTES``, and a set still being taken then would be half in the future."""
    return _first_set(encounter) + SET_SPREAD_MINUTES * MINUTE < as_of


def _forced(sets: _Sets) -> str | None:
    """The band this adult's latest set must show, if any: chance leaves a band out of a
    ward's few dozen adults at about one hour in twenty, so once no more adults are left than
    bands not yet shown by a complete set, each of the last shows one of them. The rest of the
    network stays as the hour's draw made it."""
    wanted = [b for b in BANDS if b not in sets.bands]
    return wanted[0] if wanted and sets.adults_left < len(wanted) else None


def _points_of(sets: _Sets, wanted: str) -> dict[str, int]:
    """Points that give the band ``wanted``: none at all for zero, one for low, else the
    profile whose totals lie in that band."""
    if wanted in ("zero", "low"):
        return {p: int(wanted == "low" and p == "respiration") for p in PARAMETERS}
    profile = {"low_medium": "red", "medium": "medium", "high": "high"}[wanted]
    return sets.profile_points(profile)


def _arrived_lately(encounter: EncounterRec, as_of: Instant) -> Instant | None:
    """When the stay came to the ward it lies on now, if it came from another ward within the
    last two days (a set before stays inside the board's look-back) and half an hour after its
    first set or later; else None."""
    periods = encounter.periods
    moves = [b.start for a, b in itertools.pairwise(periods) if b.ward.id != a.ward.id]
    if not moves:
        return None
    arrived = moves[-1]
    fits = _first_set(encounter) + 30 * MINUTE <= arrived and as_of - 2 * DAY <= arrived < as_of
    return arrived if fits else None


def _before_move(sets: _Sets, encounter: EncounterRec, latest: Instant) -> Instant:
    """The latest set's time: as drawn, unless no adult moved lately has a latest set taken
    before the move and this is the last who could: then twenty minutes before the move. A ward
    gets patients whose latest vitals were written on the ward they came from, and chance gives
    none at some hours. Chosen without drawing, so every other set stays as the hour's draw."""
    arrived = _arrived_lately(encounter, sets.as_of)
    if arrived is None:
        return latest
    sets.moved_left -= 1
    if latest + SET_SPREAD_MINUTES * MINUTE < arrived:
        sets.set_before_move = True
    elif not sets.set_before_move and sets.moved_left == 0:
        latest = arrived - 20 * MINUTE
        sets.set_before_move = True
    return latest


def _many_incomplete(sets: _Sets) -> bool:
    """Whether a fifth of the adults scored so far lack a value: the board's full score must
    stay computable for most (chance gave more at about one hour in seventy)."""
    scored = [t for t in sets.out.truth.values() if t["status"] in ("complete", "incomplete")]
    incomplete = sum(1 for t in scored if t["status"] == "incomplete")
    return incomplete + 1 > 0.2 * (len(scored) + 1 + sets.adults_left)


def _ward(encounter: EncounterRec) -> str:
    return encounter.periods[-1].ward.id
