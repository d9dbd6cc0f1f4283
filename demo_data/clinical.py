"""Diagnoses, procedures, medication, vital signs, lab values and nursing tasks per contact.

Detail is concentrated where the dashboard looks: patients in hospital now get daily vital signs,
repeated labs and a handful of nursing tasks around the as-of instant; recently discharged
patients keep their admission values; older stays keep diagnoses, procedures and a few labs. This
keeps the network small enough to load in minutes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import timedelta

from demo_data import codes
from demo_data.codes import Code
from demo_data.records import (
    ConditionRec,
    EncounterRec,
    MedicationRec,
    ObservationRec,
    ProcedureRec,
    TaskRec,
    WardPeriod,
)
from demo_data.staff import Staff
from demo_data.timeutil import DAY, HOUR, Instant, at_local, berlin_date, local

RECENT_DAYS = 10
OLD_LAB_SHARE = 0.1
OLD_TASK_SHARE = 0.15
# Older stays keep haemoglobin, CRP and creatinine from admission.
OLD_LABS = tuple(codes.LABS[i] for i in (0, 2, 3))
SURGICAL = ("1500", "1600", "2300")
OPEN_STATUSES = ("requested", "requested", "ready", "in-progress")
PRIORITIES = ("routine",) * 7 + ("urgent", "urgent", "asap", "stat")
# The order text of a task that is not about one medication or one wound.
ORDERS = {
    "vitalzeichen": "Vitalzeichen inkl. Schmerzskala erheben",
    "medikation": "Medikation laut Plan verabreichen",
    "wundversorgung": "Verbandswechsel, Wunde beurteilen",
    "mobilisation": "Mobilisation an die Bettkante / in den Stuhl",
    "entlassvorbereitung": "Entlassbrief, Medikationsplan und Überleitung vorbereiten",
}
# What a nurse notes on completing a task; None: nothing noted.
DONE_NOTES = {
    "vitalzeichen": ("Schmerz NRS 2", "Schmerz NRS 4, Bedarfsmedikation angeboten", None),
    "medikation": ("verabreicht, gut vertragen", "Patient lehnt ab, Arzt informiert", None),
    "wundversorgung": ("Wunde reizlos, trocken", "Wundrand gerötet, Arzt informiert", None),
    "mobilisation": ("bis in den Stuhl mobilisiert", "an die Bettkante, Kreislauf stabil", None),
    "entlassvorbereitung": ("Überleitungsbogen fertig, Angehörige informiert", None),
}


@dataclass
class Clinical:
    """All clinical records of the network."""

    conditions: list[ConditionRec] = field(default_factory=list)
    procedures: list[ProcedureRec] = field(default_factory=list)
    medications: list[MedicationRec] = field(default_factory=list)
    observations: list[ObservationRec] = field(default_factory=list)
    tasks: list[TaskRec] = field(default_factory=list)
    # Cleaning tasks of beds patients left (``demo_data.cleaning``), apart from the nursing
    # tasks: drawn from a random generator of their own.
    cleaning: list[TaskRec] = field(default_factory=list)

    @property
    def all_tasks(self) -> list[TaskRec]:
        return [*self.tasks, *self.cleaning]


class _Ids:
    """Sequential ids per resource prefix and hospital."""

    def __init__(self) -> None:
        self.counters: dict[tuple[str, str], int] = {}

    def next(self, prefix: str, hospital_key: str) -> str:
        key = (prefix, hospital_key)
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{prefix}-{hospital_key}-{self.counters[key]:07d}"


class ClinicalGenerator:
    """Builds the clinical records of each contact; deterministic for its random generator."""

    def __init__(self, staff: Staff, as_of: Instant, rng: random.Random) -> None:
        self.staff = staff
        self.as_of = as_of
        self.rng = rng
        self.ids = _Ids()
        self.out = Clinical()

    def run(self, encounters: list[EncounterRec]) -> Clinical:
        """Records for every encounter in order."""
        for encounter in encounters:
            if encounter.stay.cls == "IMP":
                self._inpatient(encounter)
            else:
                self._short_contact(encounter)
        self._anticoagulated_twice(encounters)
        self._labs_at_two_hospitals(encounters)
        return self.out

    def _id(self, prefix: str, encounter: EncounterRec) -> str:
        return self.ids.next(prefix, encounter.stay.hospital.key)

    def _last_moment(self, encounter: EncounterRec) -> Instant:
        """Until when the contact has produced data: its end, or now."""
        return min(encounter.stay.end, self.as_of)

    def _between(self, start: Instant, end: Instant) -> Instant:
        return start + self.rng.randrange(max(1, end - start))

    # Diagnoses and procedures

    def _condition(self, encounter: EncounterRec, code: Code, main: bool) -> None:
        start = encounter.stay.start
        recorded = min(start + self.rng.randrange(HOUR, 4 * HOUR), self._last_moment(encounter))
        onset = start - self.rng.randrange(0, 4 * DAY) if main else start - 400 * DAY
        status = "active" if encounter.current or not main else "resolved"
        self.out.conditions.append(
            ConditionRec(self._id("con", encounter), encounter, code, recorded, onset, status)
        )

    def _short_contact(self, encounter: EncounterRec) -> None:
        catalogue = (
            codes.EMERGENCY_DIAGNOSES
            if encounter.stay.cls == "EMER"
            else codes.OUTPATIENT_DIAGNOSES
        )
        self._condition(encounter, self.rng.choice(catalogue), True)

    def _inpatient(self, encounter: EncounterRec) -> None:
        rng = self.rng
        stay = encounter.stay
        child = stay.person.child
        self._condition(encounter, rng.choice(codes.MAIN_DIAGNOSES[stay.department]), True)
        pool = codes.PAEDIATRIC_SECONDARY if child else codes.SECONDARY_DIAGNOSES[:-1]
        for code in rng.sample(pool, rng.choice((0, 1) if child else (0, 0, 1, 2))):
            self._condition(encounter, code, False)
        if stay.isolation:
            self._condition(encounter, codes.SECONDARY_DIAGNOSES[-1], False)
        self._procedures(encounter)
        self._medications(encounter)
        self._observations(encounter)
        self._tasks(encounter)

    def _procedures(self, encounter: EncounterRec) -> None:
        rng = self.rng
        last = self._last_moment(encounter)
        departments = []
        for period in encounter.periods:
            if period.ward.department not in departments:
                departments.append(period.ward.department)
        for department in departments:
            if rng.random() < (0.9 if department == "3600" else 0.45):
                code = rng.choice(codes.PROCEDURES[department])
                performed = self._between(encounter.stay.start + HOUR, last)
                self.out.procedures.append(
                    ProcedureRec(self._id("pro", encounter), encounter, code, performed)
                )

    # Medication

    def _medications(self, encounter: EncounterRec) -> None:
        rng = self.rng
        stay = encounter.stay
        age = (self.as_of - self._last_moment(encounter)) / DAY
        if encounter.current:
            count = rng.randint(2, 4)
        elif age <= RECENT_DAYS:
            count = rng.randint(1, 3)
        else:
            count = 1 if rng.random() < 0.15 else 0
        groups = codes.MEDICATION_GROUPS_BY_DEPARTMENT[stay.department]
        pool = [item for group in groups for item in codes.MEDICATIONS[group]]
        last = self._last_moment(encounter)
        for code, dosage in rng.sample(pool, min(count, len(pool))):
            start = self._between(stay.start, min(stay.start + DAY, last))
            end = stay.end
            status = "completed"
            if encounter.current:
                status = "active"
                if rng.random() < 0.2:
                    end = self._between(start, self.as_of)
                    status = "completed"
            self._prescribe(encounter, code, dosage, start, end, status)

    def _prescribe(
        self,
        encounter: EncounterRec,
        code: Code,
        dosage: str,
        start: Instant,
        end: Instant,
        status: str,
    ) -> None:
        """A medication order of the stay's attending physician, authored when it starts."""
        self.out.medications.append(
            MedicationRec(
                id=self._id("med", encounter),
                encounter=encounter,
                code=code,
                dosage=dosage,
                authored=start,
                start=start,
                end=end,
                status=status,
                requester=encounter.attending,
            )
        )

    def _anticoagulated_twice(self, encounters: list[EncounterRec]) -> None:
        """One current stay at least runs prophylactic enoxaparin beside apixaban: the double
        anticoagulation a medication list must point out, there at every as-of rather than only
        when the draw gives it. Drawn from nothing, so no other record changes."""
        pair = [
            (code, dosage)
            for code, dosage in codes.MEDICATIONS["common"] + codes.MEDICATIONS["cardio"]
            if code.code in codes.DOUBLE_ANTICOAGULATION
        ]
        running: dict[str, set[str]] = {}
        for order in self.out.medications:
            if order.status == "active":
                running.setdefault(order.encounter.id, set()).add(order.code.code)
        if any(drugs >= codes.DOUBLE_ANTICOAGULATION for drugs in running.values()):
            return
        adults = [
            e
            for e in encounters
            if e.current
            and e.stay.cls == "IMP"
            and "common" in codes.MEDICATION_GROUPS_BY_DEPARTMENT[e.stay.department]
        ]
        if not adults:
            return
        encounter = next(
            (e for e in adults if running.get(e.id, set()) & codes.DOUBLE_ANTICOAGULATION),
            adults[0],
        )
        start = min(encounter.stay.start + HOUR, self.as_of)
        for code, dosage in pair:
            if code.code not in running.get(encounter.id, set()):
                self._prescribe(encounter, code, dosage, start, encounter.stay.end, "active")

    def _labs_at_two_hospitals(self, encounters: list[EncounterRec]) -> None:
        """For every hospital, a person it never treated with lab results at two others: whom
        its physician opens by break-glass, each hospital's results in rows of their own, at
        every as-of rather than only when the draw gives it. Older stays keep labs by chance
        (``OLD_LAB_SHARE``); where no such person is drawn, the person of other hospitals with
        the most hospitals gets the old stays' admission labs at the hospitals that have none.
        Drawn last, so no other record changes."""
        treated: dict[int, set[str]] = {}
        stays_of: dict[int, dict[str, list[EncounterRec]]] = {}
        for encounter in encounters:
            person, there = encounter.stay.person.index, encounter.stay.hospital.id
            treated.setdefault(person, set()).add(there)
            if encounter.stay.cls == "IMP":
                stays_of.setdefault(person, {}).setdefault(there, []).append(encounter)
        tested: dict[int, set[str]] = {}
        for observation in self.out.observations:
            if observation.category == "laboratory":
                stay = observation.encounter.stay
                tested.setdefault(stay.person.index, set()).add(stay.hospital.id)
        for hospital in sorted({h for per in treated.values() for h in per}):
            others = {
                p: per for p, per in stays_of.items() if hospital not in treated[p] and len(per) > 1
            }
            if not others or any(len(tested.get(p, ())) > 1 for p in others):
                continue
            person = max(others, key=lambda p: (len(others[p]), len(tested.get(p, ())), -p))
            for there, stays in sorted(others[person].items()):
                if there in tested.get(person, ()):
                    continue
                encounter = stays[-1]
                moment = min(encounter.stay.start + 2 * HOUR, self._last_moment(encounter))
                self._labs(encounter, moment, self._severity(encounter), OLD_LABS)
                tested.setdefault(person, set()).add(there)

    # Observations

    def _severity(self, encounter: EncounterRec) -> float:
        critical = any(p.ward.kind in ("icu", "imc") for p in encounter.periods)
        return min(1.0, self.rng.random() * 0.6 + (0.4 if critical else 0.0))

    def _observations(self, encounter: EncounterRec) -> None:
        stay = encounter.stay
        severity = self._severity(encounter)
        admitted = stay.start + self.rng.randrange(HOUR, 3 * HOUR)
        last = self._last_moment(encounter)
        age = (self.as_of - last) / DAY
        if encounter.current:
            self._labs(encounter, admitted, severity, codes.LABS)
            moment = admitted + 4 * DAY
            while moment < self.as_of - DAY:
                self._labs(encounter, moment, severity * 0.7, codes.LABS)
                moment += 4 * DAY
            # Morning rounds of the last three days: the trend a ward sees.
            today = berlin_date(self.as_of)
            for days_back, hour in ((2, 8), (1, 8), (0, 8)):
                moment = at_local(today - timedelta(days=days_back), hour, self.rng.randrange(30))
                if admitted <= moment < self.as_of:
                    self._vitals(encounter, moment, severity)
        elif age <= RECENT_DAYS:
            self._labs(encounter, admitted, severity, codes.LABS)
            if age <= RECENT_DAYS / 2:
                self._vitals(encounter, min(admitted, last), severity)
        elif self.rng.random() < OLD_LAB_SHARE:
            self._labs(encounter, min(admitted, last), severity, OLD_LABS)

    def _labs(
        self,
        encounter: EncounterRec,
        moment: Instant,
        severity: float,
        tests: tuple[codes.LabTest, ...],
    ) -> None:
        rng = self.rng
        for test in tests:
            middle = (test.low + test.high) / 2
            half = (test.high - test.low) / 2
            if test.loinc == "1988-5":
                value = math.exp(rng.gauss(math.log(2.5) + 3.5 * severity, 0.8))
            elif test.loinc == "6690-2":
                value = rng.gauss(7.5 + 6 * severity, 2.5)
            elif test.loinc == "718-7":
                value = rng.gauss(13.5 - 2.5 * severity, 1.5)
            else:
                value = rng.gauss(middle, half * (0.7 + severity))
            value = round(max(value, test.low * 0.3, 0.1), test.decimals)
            flag = "H" if value > test.high else "L" if value < test.low else "N"
            self.out.observations.append(
                ObservationRec(
                    id=self._id("obs", encounter),
                    encounter=encounter,
                    category="laboratory",
                    code=Code(test.loinc, test.display),
                    unit=test.unit,
                    effective=moment,
                    value=value,
                    low=test.low,
                    high=test.high,
                    interpretation=flag,
                )
            )

    def _vitals(self, encounter: EncounterRec, moment: Instant, severity: float) -> None:
        rng = self.rng
        child = encounter.stay.person.child
        for sign in codes.VITALS:
            mean, sd = sign.mean, sign.sd
            if sign.loinc == "8867-4":
                mean += 30 if child else 20 * severity
            elif sign.loinc == "8310-5":
                mean += 0.9 * severity
            elif sign.loinc == "59408-5":
                mean -= 4 * severity
            elif sign.loinc == "9279-1":
                mean += 8 if child else 6 * severity
            value = round(rng.gauss(mean, sd), sign.decimals)
            if sign.loinc == "59408-5":
                value = min(100.0, value)
            self.out.observations.append(
                ObservationRec(
                    id=self._id("obs", encounter),
                    encounter=encounter,
                    category="vital-signs",
                    code=Code(sign.loinc, sign.display),
                    unit=sign.unit,
                    effective=moment,
                    value=value,
                )
            )
        systolic = round(rng.gauss(100 if child else 132 - 12 * severity, 15))
        diastolic = round(min(systolic - 25, rng.gauss(60 if child else 78, 9)))
        self.out.observations.append(
            ObservationRec(
                id=self._id("obs", encounter),
                encounter=encounter,
                category="vital-signs",
                code=codes.BP_PANEL,
                unit="mm[Hg]",
                effective=moment,
                components=[(codes.BP_SYSTOLIC, systolic), (codes.BP_DIASTOLIC, diastolic)],
            )
        )

    # Nursing tasks

    def _period_at(self, encounter: EncounterRec, moment: Instant) -> WardPeriod:
        for period in encounter.periods:
            if period.start <= moment and (period.end is None or moment < period.end):
                return period
        return encounter.periods[-1]

    def _completed_task(self, encounter: EncounterRec, code: str, due: Instant) -> None:
        """A task done around its due time by the nurse on duty then."""
        rng = self.rng
        start = max(encounter.stay.start + 600, due - rng.randrange(0, HOUR))
        finish = start + rng.randrange(10 * 60, 45 * 60)
        last = self._last_moment(encounter)
        if finish > last:
            finish = last
            start = min(start, finish - 600)
        period = self._period_at(encounter, start)
        nurse = self.staff.nurse_on_duty(rng, period.ward.id, local(start).hour)
        authored = max(encounter.stay.start, due - rng.randrange(2 * HOUR, 12 * HOUR))
        task = TaskRec(
            id=self._id("tsk", encounter),
            encounter=encounter,
            ward=period.ward,
            code=code,
            status="completed",
            priority=rng.choice(PRIORITIES),
            authored=min(authored, start),
            due=due,
            last_modified=finish,
            started=start,
            finished=finish,
            owner=nurse,
        )
        self._order(task)
        task.note = _own_rng(task).choice(DONE_NOTES[code])
        self.out.tasks.append(task)

    def _order(self, task: TaskRec) -> None:
        """What the task is about: a medication order of the stay, the wound of its operation.

        Drawn from a generator of its own, so the rest of the network stays as it was.
        """
        rng = _own_rng(task)
        encounter = task.encounter
        if task.code == "medikation":
            given = [m for m in self._medications_of(encounter) if m.start <= task.due < m.end]
            if given:
                task.medication = rng.choice(given)
                medication = task.medication
                task.description = f"{medication.code.display} {medication.dosage}"
                return
        if task.code == "wundversorgung":
            operations = [
                p
                for p in self._procedures_of(encounter)
                if p.code.code in codes.WOUND_SITES and p.performed <= task.due
            ]
            if operations:
                task.procedure = operations[-1]
                site = codes.WOUND_SITES[task.procedure.code.code]
            else:
                site = codes.WOUND_SITE_OTHERWISE
            task.description = f"Verbandswechsel {site}, Wunde beurteilen"
            return
        task.description = ORDERS[task.code]

    def _medications_of(self, encounter: EncounterRec) -> list[MedicationRec]:
        # Tasks are made right after the stay's medication and procedures: they end the lists.
        found = []
        for medication in reversed(self.out.medications):
            if medication.encounter is not encounter:
                break
            found.append(medication)
        return found[::-1]

    def _procedures_of(self, encounter: EncounterRec) -> list[ProcedureRec]:
        found = []
        for procedure in reversed(self.out.procedures):
            if procedure.encounter is not encounter:
                break
            found.append(procedure)
        return found[::-1]

    def _task_codes(self, encounter: EncounterRec) -> list[str]:
        department = encounter.stay.department
        chosen = ["vitalzeichen", "medikation"]
        if department in SURGICAL:
            chosen.append("wundversorgung")
        if department in ("0200", "1600", "2300", "2800", "3600"):
            chosen.append("mobilisation")
        return chosen

    def _tasks(self, encounter: EncounterRec) -> None:
        rng = self.rng
        stay = encounter.stay
        last = self._last_moment(encounter)
        age = (self.as_of - last) / DAY
        if not encounter.current:
            if age <= RECENT_DAYS:
                self._completed_task(encounter, "vitalzeichen", stay.start + HOUR)
                self._completed_task(encounter, "entlassvorbereitung", stay.end - 2 * HOUR)
            elif rng.random() < OLD_TASK_SHARE:
                self._completed_task(encounter, "entlassvorbereitung", stay.end - 2 * HOUR)
            return
        period = encounter.periods[-1]
        earliest = max(period.start, self.as_of - DAY)
        for code in self._task_codes(encounter)[:2]:
            due = self._between(earliest, self.as_of)
            if due > period.start + HOUR:
                self._completed_task(encounter, code, due)
        open_codes = self._task_codes(encounter)
        if stay.end - self.as_of < 2 * DAY:
            open_codes.append("entlassvorbereitung")
        for code in rng.sample(open_codes, rng.randint(1, min(3, len(open_codes)))):
            self._open_task(encounter, period, code)

    def _open_task(self, encounter: EncounterRec, period: WardPeriod, code: str) -> None:
        """A task still waiting at as-of; due from six hours ago to twelve hours ahead."""
        rng = self.rng
        earliest = max(period.start + HOUR, self.as_of - 6 * HOUR)
        due = self._between(earliest, self.as_of + 12 * HOUR)
        authored = self._between(max(period.start, due - 12 * HOUR), min(due, self.as_of))
        status = rng.choice(OPEN_STATUSES)
        if rng.random() < 0.05:
            status = "cancelled"
        started = owner = None
        last_modified = authored
        if status == "in-progress":
            started = self._between(authored, self.as_of)
            owner = self.staff.nurse_on_duty(rng, period.ward.id, local(started).hour)
            last_modified = started
        task = TaskRec(
            id=self._id("tsk", encounter),
            encounter=encounter,
            ward=period.ward,
            code=code,
            status=status,
            priority=rng.choice(PRIORITIES),
            authored=authored,
            due=due,
            last_modified=last_modified,
            started=started,
            owner=owner,
        )
        self._order(task)
        self.out.tasks.append(task)


def _own_rng(task: TaskRec) -> random.Random:
    return random.Random(task.id)


def generate_clinical(
    encounters: list[EncounterRec], staff: Staff, as_of: Instant, rng: random.Random
) -> Clinical:
    """Clinical records for the given encounters."""
    return ClinicalGenerator(staff, as_of, rng).run(encounters)
