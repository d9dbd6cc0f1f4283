"""Patient flow through the network: arrivals, bed assignment, transfers, discharges.

The simulation walks day by day from a warm-up period before the 90-day window up to the as-of
instant. Every inpatient stay needs a free bed of its ward for each ward period, so occupancy,
census and bed status come out of one consistent bed book. Elective admissions are planned each
weekday morning to fill each ward towards its target occupancy (as bed managers do); emergencies
arrive around the clock and are diverted when the ward is full.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from demo_data import names
from demo_data.hospitals import Bed, Hospital, Ward
from demo_data.timeutil import (
    DAY,
    HOUR,
    Instant,
    at_local,
    berlin_date,
    date_range,
    local,
    midnight,
)

WINDOW_DAYS = 90
WARM_UP_DAYS = 60
CLEANING = 2 * HOUR
DISINFECTION = 6 * HOUR
# Housekeeping works 06:00-20:00: a bed freed in the evening or at night waits for the morning.
HOUSEKEEPING_HOURS = (6, 20)
FOREVER = 2**62

# Median length of stay in days per department for general wards (log-normal, sigma below).
GENERAL_LOS_MEDIAN = {
    "0100": 4.8,
    "0200": 11.0,
    "0300": 3.5,
    "0700": 4.3,
    "1000": 2.5,
    "1500": 3.8,
    "1600": 5.2,
    "2300": 6.0,
    "2800": 4.3,
}
# Share of a ward's admissions that arrive as emergencies (the rest are planned).
EMERGENCY_SHARE = {
    "0100": 0.6,
    "0200": 0.4,
    "0300": 0.55,
    "0700": 0.5,
    "1000": 0.8,
    "1500": 0.4,
    "1600": 0.55,
    "2300": 0.15,
    "2800": 0.6,
    "3600": 0.7,
}
LOS_SIGMA = 0.7
ICU_MEDIAN, ICU_SIGMA = 3.0, 0.9
IMC_MEDIAN, IMC_SIGMA = 2.0, 0.8
STEP_DOWN_MEDIAN = 4.0
# Fewer arrivals at weekends (Monday first).
WEEKDAY_FACTOR = (1.1, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8)
# Emergency arrivals by hour of day: quiet at night, busiest late morning to evening.
EMERGENCY_HOURS = (1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 5, 5, 5, 4, 3, 2, 2, 1)
DISCHARGE_HOURS = {9: 1, 10: 3, 11: 5, 12: 5, 13: 3, 14: 2, 15: 1}
RETURN_PROBABILITY = 0.33
OTHER_HOSPITAL_PROBABILITY = 0.85
# No stay lasts longer: the dashboard's open-stay limit is never below 30 days
# (services.config.StaleStays), so every stay the ground truth counts as current is counted.
MAX_STAY_DAYS = 30
INTER_HOSPITAL_TRANSFER = 0.03
DETERIORATION = 0.02
# Stays isolated for MRSA from admission (German inpatient MRSA prevalence is about 1-3 %).
ISOLATION = 0.03
CLOSED_BED_SHARE = 0.03
# Why a bed is closed: too few nurses for the ward's beds, or the bed or room under repair.
CLOSURE_REASONS = {"personal": 0.6, "wartung": 0.4}


@dataclass
class Person:
    """A person with a KVNR; at each hospital they visit they get a separate Patient record."""

    index: int
    kvnr: str
    gender: str
    given: str
    family: str
    birth_date: date
    street: str
    postal_code: str
    city: str
    child: bool
    geriatric: bool
    busy: list[tuple[Instant, Instant]] = field(default_factory=list)

    def is_free(self, start: Instant, end: Instant) -> bool:
        """Whether the person has no other contact overlapping [start, end)."""
        return all(end <= s or start >= e for s, e in self.busy)


@dataclass
class Segment:
    """One ward period of a stay in one bed; ``end`` is planned when after the as-of instant."""

    ward: Ward
    bed: Bed
    start: Instant
    end: Instant


@dataclass
class Stay:
    """A contact: inpatient stay (IMP), emergency (EMER) or outpatient (AMB) visit."""

    index: int
    hospital: Hospital
    person: Person
    cls: str
    department: str
    start: Instant
    end: Instant
    admit_source: str
    discharge: str = "entlassung"
    isolation: bool = False
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Simulation:
    """Result of the simulation: every contact, every person and the bed book."""

    as_of: Instant
    window_start: Instant
    hospitals: list[Hospital]
    persons: list[Person]
    stays: list[Stay]
    closed_since: dict[str, Instant]
    bed_status: dict[str, str]
    # Why a bed that cannot take a patient is blocked (closed C or isolated I): bed id -> reason.
    block_reason: dict[str, str] = field(default_factory=dict)


class BedBook:
    """Per bed the sorted, non-overlapping blocked intervals (stays plus cleaning, closures)."""

    def __init__(self) -> None:
        self.starts: dict[str, list[Instant]] = {}
        self.ends: dict[str, list[Instant]] = {}

    def is_free(self, bed_id: str, start: Instant, end: Instant) -> bool:
        """Whether nothing blocks the bed in [start, end)."""
        starts = self.starts.setdefault(bed_id, [])
        ends = self.ends.setdefault(bed_id, [])
        pos = bisect.bisect_right(starts, start)
        if pos > 0 and ends[pos - 1] > start:
            return False
        return not (pos < len(starts) and starts[pos] < end)

    def block(self, bed_id: str, start: Instant, end: Instant) -> None:
        """Reserve [start, end) for the bed (caller checked it was free)."""
        starts = self.starts.setdefault(bed_id, [])
        pos = bisect.bisect_right(starts, start)
        starts.insert(pos, start)
        self.ends.setdefault(bed_id, []).insert(pos, end)

    def busy_at(self, bed_id: str, moment: Instant) -> bool:
        """Whether a block covers ``moment``."""
        starts = self.starts.get(bed_id, [])
        pos = bisect.bisect_right(starts, moment)
        return pos > 0 and self.ends[bed_id][pos - 1] > moment


def _poisson(rng: random.Random, lam: float) -> int:
    """Poisson sample (Knuth); the rates here are small."""
    if lam <= 0:
        return 0
    limit = math.exp(-lam)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _days(rng: random.Random, median: float, sigma: float) -> float:
    """A right-skewed (log-normal) duration in days."""
    return rng.lognormvariate(math.log(median), sigma)


def _weighted_hour(rng: random.Random, weights: dict[int, int] | tuple[int, ...]) -> int:
    items = list(weights.items()) if isinstance(weights, dict) else list(enumerate(weights))
    return rng.choices([hour for hour, _ in items], [w for _, w in items])[0]


class Simulator:
    """Runs the patient flow for one network; deterministic for its random generator."""

    def __init__(self, hospitals: list[Hospital], as_of: Instant, rng: random.Random) -> None:
        self.hospitals = hospitals
        self.as_of = as_of
        self.rng = rng
        self.window_start = as_of - WINDOW_DAYS * DAY
        self.book = BedBook()
        self.persons: list[Person] = []
        self.kvnrs: set[str] = set()
        self.stays: list[Stay] = []
        self.person_hospitals: dict[int, list[str]] = {}
        self.closed_since: dict[str, Instant] = {}
        self.closure_reason: dict[str, str] = {}
        self.target: dict[str, float] = {}
        self.by_key = {hospital.key: hospital for hospital in hospitals}
        self.rooms = {
            room.id: room.beds
            for hospital in hospitals
            for ward in hospital.wards
            for room in ward.rooms
        }

    def run(self) -> Simulation:
        """Simulate from the warm-up start to the as-of instant."""
        first_day = berlin_date(self.window_start) - timedelta(days=WARM_UP_DAYS)
        self._close_some_beds()
        for hospital in self.hospitals:
            for ward in hospital.wards:
                critical = ward.kind in ("icu", "imc")
                self.target[ward.id] = self.rng.uniform(
                    *((0.84, 0.92) if critical else (0.78, 0.86))
                )
        for day in date_range(first_day, berlin_date(self.as_of)):
            self._simulate_day(day)
        status, reasons = self._bed_status_now()
        return Simulation(
            as_of=self.as_of,
            window_start=self.window_start,
            hospitals=self.hospitals,
            persons=self.persons,
            stays=self.stays,
            closed_since=self.closed_since,
            bed_status=status,
            block_reason=reasons,
        )

    def _close_some_beds(self) -> None:
        """Take a few beds out of service (staff shortage, repairs) some days before as-of."""
        for hospital in self.hospitals:
            for ward in hospital.wards:
                for bed in ward.beds:
                    if self.rng.random() < CLOSED_BED_SHARE:
                        since = self.as_of - int(self.rng.uniform(1, 20) * DAY)
                        self.closed_since[bed.id] = since
                        self.closure_reason[bed.id] = self.rng.choices(
                            list(CLOSURE_REASONS), list(CLOSURE_REASONS.values())
                        )[0]
                        self.book.block(bed.id, since, FOREVER)

    # Arrivals of one day

    def _simulate_day(self, day: date) -> None:
        weekday = day.weekday()
        factor = WEEKDAY_FACTOR[weekday]
        arrivals: list[tuple[Instant, int, str, object]] = []
        order = 0
        for hospital in self.hospitals:
            for ward in hospital.wards:
                rate = self._emergency_rate(ward)
                for _ in range(_poisson(self.rng, rate * factor)):
                    moment = at_local(day, _weighted_hour(self.rng, EMERGENCY_HOURS))
                    moment += self.rng.randrange(3600)
                    arrivals.append((moment, order, "emergency", ward))
                    order += 1
                if weekday < 5:
                    for _ in range(self._electives(ward, day, rate)):
                        moment = at_local(day, 8) + self.rng.randrange(5 * HOUR)
                        arrivals.append((moment, order, "elective", ward))
                        order += 1
            beds = sum(len(ward.beds) for ward in hospital.wards)
            for _ in range(_poisson(self.rng, 0.015 * beds * factor)):
                moment = at_local(day, _weighted_hour(self.rng, EMERGENCY_HOURS))
                arrivals.append((moment + self.rng.randrange(3600), order, "EMER", hospital))
                order += 1
            if weekday < 5:
                for _ in range(_poisson(self.rng, 0.016 * beds)):
                    moment = at_local(day, 8) + self.rng.randrange(7 * 3600)
                    arrivals.append((moment, order, "AMB", hospital))
                    order += 1
        arrivals.sort(key=lambda item: (item[0], item[1]))
        for moment, _, kind, where in arrivals:
            if moment >= self.as_of:
                continue
            if isinstance(where, Ward):
                self._admit(where, moment, kind == "elective")
            elif isinstance(where, Hospital):
                self._contact(where, moment, kind)

    def _ward_los_median(self, ward: Ward) -> float:
        if ward.kind == "icu":
            return ICU_MEDIAN
        if ward.kind == "imc":
            return IMC_MEDIAN
        return GENERAL_LOS_MEDIAN[ward.department]

    def _emergency_rate(self, ward: Ward) -> float:
        """Emergency admissions per day so that they make up the ward's emergency share."""
        sigma = LOS_SIGMA if ward.kind in ("general", "paediatric") else ICU_SIGMA
        mean_los = self._ward_los_median(ward) * math.exp(sigma * sigma / 2)
        share = EMERGENCY_SHARE[ward.department]
        return share * self.target[ward.id] * len(ward.beds) / mean_los

    def _electives(self, ward: Ward, day: date, emergency_rate: float) -> int:
        """Planned admissions so that tonight's census reaches the ward's target."""
        tonight = midnight(day + timedelta(days=1)) - 1
        open_beds = 0
        occupied = 0
        for bed in ward.beds:
            closed = bed.id in self.closed_since and self.closed_since[bed.id] <= tonight
            if closed:
                continue
            open_beds += 1
            occupied += self.book.busy_at(bed.id, tonight)
        # Not all of the expected emergencies will find a bed or still be there at midnight.
        wanted = self.target[ward.id] * open_beds - occupied - 0.6 * emergency_rate
        return max(0, round(wanted + self.rng.uniform(-0.5, 0.5)))

    # People

    def _new_person(self, hospital: Hospital, child: bool, geriatric: bool) -> Person:
        rng = self.rng
        gender = "female" if rng.random() < 0.5 else "male"
        if child:
            age_days = int(rng.triangular(0, 18 * 365 - 1, 2 * 365))
        elif geriatric:
            age_days = int(min(101, max(70, rng.gauss(82, 6))) * 365.25)
        else:
            age_days = int(min(99, max(18, rng.gauss(66, 17))) * 365.25)
        birth = berlin_date(self.as_of) - timedelta(days=age_days)
        kvnr = names.make_kvnr(rng)
        while kvnr in self.kvnrs:
            kvnr = names.make_kvnr(rng)
        self.kvnrs.add(kvnr)
        person = Person(
            index=len(self.persons),
            kvnr=kvnr,
            gender=gender,
            given=names.pick_given(rng, gender),
            family=names.pick_family(rng),
            birth_date=birth,
            street=names.pick_street(rng),
            postal_code=hospital.postal_code,
            city=hospital.city,
            child=child,
            geriatric=geriatric or age_days >= 70 * 365,
        )
        self.persons.append(person)
        self.person_hospitals[person.index] = []
        return person

    def _person_for(
        self,
        hospital: Hospital,
        start: Instant,
        end: Instant,
        returning: float,
        child: bool = False,
        geriatric: bool = False,
    ) -> Person:
        """A returning person free for [start, end) (often one known elsewhere) or a new one."""
        rng = self.rng
        if self.persons and rng.random() < returning:
            elsewhere = rng.random() < OTHER_HOSPITAL_PROBABILITY
            for _ in range(12):
                person = self.persons[rng.randrange(len(self.persons))]
                if person.child != child or (geriatric and not person.geriatric):
                    continue
                if not person.is_free(start - DAY, end):
                    continue
                seen_here = hospital.key in self.person_hospitals[person.index]
                if elsewhere == seen_here:
                    continue
                return person
        return self._new_person(hospital, child, geriatric)

    def _record(self, stay: Stay) -> None:
        stay.index = len(self.stays)
        self.stays.append(stay)
        stay.person.busy.append((stay.start, stay.end))
        visited = self.person_hospitals[stay.person.index]
        if stay.hospital.key not in visited:
            visited.append(stay.hospital.key)

    # Inpatient stays

    def _end_after(self, start: Instant, days: float, discharge: bool) -> Instant:
        """The end of a ward period about ``days`` after ``start``, at least one night later.

        Discharges happen late in the morning and are often moved away from the weekend;
        transfers between wards happen during the day (09-19 h).
        """
        rng = self.rng
        day = max(berlin_date(start + int(days * DAY)), berlin_date(start) + timedelta(days=1))
        if discharge:
            if (
                day.weekday() == 5
                and rng.random() < 0.4
                and day - timedelta(days=1) > berlin_date(start)
            ):
                day -= timedelta(days=1)
            elif day.weekday() >= 5 and rng.random() < 0.4:
                day += timedelta(days=7 - day.weekday())
            return at_local(day, _weighted_hour(rng, DISCHARGE_HOURS), rng.randrange(60))
        return at_local(day, rng.randint(9, 18), rng.randrange(60))

    def _general_wards(self, hospital: Hospital) -> list[Ward]:
        return [ward for ward in hospital.wards if ward.kind == "general"]

    def _plan(self, ward: Ward, start: Instant) -> list[tuple[Ward, Instant, Instant]]:
        """The ward periods of a stay admitted to ``ward`` at ``start``, at most
        ``MAX_STAY_DAYS`` long."""
        path = self._path(ward, start)
        if path[-1][2] - start < (MAX_STAY_DAYS - 3) * DAY:
            return path
        limit = self._end_after(start, MAX_STAY_DAYS - 3, True)
        return [(w, s, min(e, limit)) for w, s, e in path if s < limit]

    def _path(self, ward: Ward, start: Instant) -> list[tuple[Ward, Instant, Instant]]:
        """The ward periods of a stay admitted to ``ward`` at ``start``."""
        rng = self.rng
        hospital = self.by_key[ward.hospital_key]
        general = self._general_wards(hospital)
        if ward.kind in ("icu", "imc"):
            median, sigma = (
                (ICU_MEDIAN, ICU_SIGMA) if ward.kind == "icu" else (IMC_MEDIAN, IMC_SIGMA)
            )
            step_down = general and rng.random() < (0.75 if ward.kind == "icu" else 0.85)
            first_end = self._end_after(start, _days(rng, median, sigma), not step_down)
            if not step_down:
                return [(ward, start, first_end)]
            after = rng.choice(general)
            end = self._end_after(first_end, _days(rng, STEP_DOWN_MEDIAN, LOS_SIGMA), True)
            return [(ward, start, first_end), (after, first_end, end)]
        days = _days(rng, self._ward_los_median(ward), LOS_SIGMA)
        end = self._end_after(start, days, True)
        critical = [w for w in hospital.wards if w.kind == "icu"]
        if ward.kind == "general" and critical and rng.random() < DETERIORATION and days > 2:
            worse = start + int(days * rng.uniform(0.2, 0.6) * DAY)
            icu = rng.choice(critical)
            back = self._end_after(worse, _days(rng, 2.5, ICU_SIGMA), False)
            end = max(end, self._end_after(back, 2.0, True))
            return [(ward, start, worse), (icu, worse, back), (ward, back, end)]
        return [(ward, start, end)]

    def _free_bed(
        self, ward: Ward, start: Instant, end: Instant, isolation: bool = False
    ) -> Bed | None:
        """A free bed of the ward; for a patient in isolation one in a room of their own if
        the ward has one free (else any free bed: the patient is then cohorted)."""
        free = [bed for bed in ward.beds if self.book.is_free(bed.id, start, end)]
        if isolation:
            alone = [
                bed
                for room in ward.rooms
                if all(self.book.is_free(b.id, start, end) for b in room.beds)
                for bed in room.beds
            ]
            free = alone or free
        return self.rng.choice(free) if free else None

    def _place(self, path: list[tuple[Ward, Instant, Instant]], isolation: bool) -> list[Segment]:
        """Beds for each ward period; a later period without a bed keeps the patient where
        they are if possible, else the stay ends there. Empty when the first ward is full."""
        segments: list[Segment] = []
        final_end = path[-1][2]
        for ward, start, end in path:
            bed = self._free_bed(ward, start, end, isolation)
            if bed is None:
                if segments:
                    last = segments[-1]
                    if self.book.is_free(last.bed.id, last.end, final_end):
                        last.end = final_end
                break
            segments.append(Segment(ward, bed, start, end))
        return segments

    def _block(self, stay: Stay) -> None:
        """Book the stay's beds up to their cleaning; an isolated patient's room-mates' beds are
        blocked for as long (room isolation) where nobody has them."""
        for segment in stay.segments:
            ready = ready_again(segment.end, stay.isolation)
            self.book.block(segment.bed.id, segment.start, ready)
            if not stay.isolation:
                continue
            for mate in self.rooms[segment.bed.room_id]:
                if mate.id != segment.bed.id and self.book.is_free(mate.id, segment.start, ready):
                    self.book.block(mate.id, segment.start, ready)

    def _admit(self, ward: Ward, start: Instant, elective: bool) -> None:
        path = self._plan(ward, start)
        isolation = self.rng.random() < ISOLATION
        segments = self._place(path, isolation)
        if not segments:
            return
        hospital = self.by_key[ward.hospital_key]
        end = segments[-1].end
        child = ward.kind == "paediatric"
        geriatric = ward.department == "0200"
        person = self._person_for(hospital, start, end, RETURN_PROBABILITY, child, geriatric)
        stay = Stay(
            index=-1,
            hospital=hospital,
            person=person,
            cls="IMP",
            department=ward.department,
            start=start,
            end=end,
            admit_source="einweisung" if elective else "notfall",
            isolation=isolation,
            segments=segments,
        )
        transfer_share = INTER_HOSPITAL_TRANSFER * (2 if ward.kind == "icu" else 1)
        moved = None
        if not child and self.rng.random() < transfer_share:
            moved = self._transfer_out(stay)
        self._block(stay)
        self._record(stay)
        if moved is not None:
            self._record(moved)

    def _transfer_out(self, stay: Stay) -> Stay | None:
        """End the stay after its first ward period and continue it at another hospital."""
        first = stay.segments[0]
        others = [h for h in self.hospitals if h.key != stay.hospital.key]
        target = self.rng.choice(others)
        same_kind = [w for w in target.wards if w.kind == first.ward.kind]
        wards = same_kind or self._general_wards(target)
        if not wards:
            return None
        ward = self.rng.choice(wards)
        start = first.end + int(self.rng.uniform(1, 3) * HOUR)
        median = self._ward_los_median(ward)
        days = min(_days(self.rng, median, LOS_SIGMA), MAX_STAY_DAYS - 3)
        end = self._end_after(start, days, True)
        bed = self._free_bed(ward, start, end, stay.isolation)
        if bed is None or not stay.person.is_free(start, end):
            return None
        stay.segments = [first]
        stay.end = first.end
        stay.discharge = "verlegung"
        moved = Stay(
            index=-1,
            hospital=target,
            person=stay.person,
            cls="IMP",
            department=ward.department,
            start=start,
            end=end,
            admit_source="verlegung",
            isolation=stay.isolation,
            segments=[Segment(ward, bed, start, end)],
        )
        self._block(moved)
        return moved

    # Emergency and outpatient contacts

    def _contact(self, hospital: Hospital, start: Instant, kind: str) -> None:
        rng = self.rng
        duration = rng.uniform(2, 6) * HOUR if kind == "EMER" else rng.uniform(0.5, 1.5) * HOUR
        end = start + int(duration)
        child = rng.random() < 0.15 and any(w.kind == "paediatric" for w in hospital.wards)
        returning = 0.25 if kind == "EMER" else 0.6
        person = self._person_for(hospital, start, end, returning, child)
        if child:
            department = "1000"
        else:
            adult = [w.department for w in hospital.wards if w.kind == "general"]
            department = rng.choice(adult or ["0100"])
        self._record(
            Stay(
                index=-1,
                hospital=hospital,
                person=person,
                cls=kind,
                department=department,
                start=start,
                end=end,
                admit_source="notfall" if kind == "EMER" else "einweisung",
            )
        )

    # Bed status at the as-of instant

    def _bed_status_now(self) -> tuple[dict[str, str], dict[str, str]]:
        """O for a bed someone lies in now. A free bed is C (closed, with its reason), K (being
        disinfected after an isolated patient), I (in a room where an isolated patient lies:
        reason ``isolation``), H (waiting for or being cleaned after a patient left) or U (ready).
        """
        status: dict[str, str] = {}
        reasons: dict[str, str] = {}
        last_free: dict[str, tuple[Instant, bool]] = {}
        isolated_rooms: set[str] = set()
        for stay in self.stays:
            for segment in stay.segments:
                if segment.start <= self.as_of < segment.end:
                    status[segment.bed.id] = "O"
                    if stay.isolation:
                        isolated_rooms.add(segment.bed.room_id)
                elif segment.end <= self.as_of:
                    previous = last_free.get(segment.bed.id)
                    if previous is None or previous[0] < segment.end:
                        last_free[segment.bed.id] = (segment.end, stay.isolation)
        for hospital in self.hospitals:
            for ward in hospital.wards:
                for bed in ward.beds:
                    if bed.id in status:
                        continue
                    since = self.closed_since.get(bed.id)
                    freed, isolated = last_free.get(bed.id, (-FOREVER, False))
                    cleaning = self.as_of < ready_again(freed, isolated)
                    if since is not None and since <= self.as_of:
                        status[bed.id] = "C"
                        reasons[bed.id] = self.closure_reason[bed.id]
                    elif isolated and cleaning:
                        status[bed.id] = "K"
                    elif bed.room_id in isolated_rooms:
                        status[bed.id] = "I"
                        reasons[bed.id] = "isolation"
                    elif cleaning:
                        status[bed.id] = "H"
                    else:
                        status[bed.id] = "U"
        return status, reasons


def ready_again(freed: Instant, isolation: bool) -> Instant:
    """When a bed freed at ``freed`` is clean again: cleaning (disinfection after an isolated
    patient) starts at once within housekeeping hours, else at the next morning's start."""
    if freed <= -FOREVER:
        return freed
    start = freed
    opens, closes = HOUSEKEEPING_HOURS
    hour = local(freed).hour
    if hour >= closes:
        start = at_local(berlin_date(freed) + timedelta(days=1), opens)
    elif hour < opens:
        start = at_local(berlin_date(freed), opens)
    return start + (DISINFECTION if isolation else CLEANING)


def simulate(hospitals: list[Hospital], as_of: Instant, rng: random.Random) -> Simulation:
    """Run the patient flow of ``hospitals`` up to ``as_of``."""
    return Simulator(hospitals, as_of, rng).run()
