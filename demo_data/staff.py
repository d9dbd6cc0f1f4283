"""Physicians per department and nurses per ward, with their usual shifts."""

from __future__ import annotations

import random
from dataclasses import dataclass

from demo_data import names
from demo_data.hospitals import Hospital, Ward

# Nurses per ward by shift: the early shift is the largest, the night the smallest.
SHIFT_SHARE = (("frueh", 0.4), ("spaet", 0.35), ("nacht", 0.25))


@dataclass
class StaffMember:
    """A physician (department) or nurse (ward and shift) of one hospital."""

    id: str
    role_id: str
    hospital_key: str
    role: str
    gender: str
    given: str
    family: str
    employee_number: str
    department: str
    ward_id: str | None = None
    shift: str | None = None


@dataclass
class Staff:
    """All staff of the network with look-ups the clinical generator needs."""

    members: list[StaffMember]
    physicians: dict[tuple[str, str], list[StaffMember]]
    nurses: dict[str, list[StaffMember]]

    def physician(self, rng: random.Random, hospital_key: str, department: str) -> StaffMember:
        """A physician of the department (falls back to any physician of the hospital)."""
        pool = self.physicians.get((hospital_key, department))
        if not pool:
            here = [docs for (key, _), docs in self.physicians.items() if key == hospital_key]
            pool = [doc for docs in here for doc in docs]
        return rng.choice(pool)

    def nurse_on_duty(self, rng: random.Random, ward_id: str, hour: int) -> StaffMember:
        """A nurse of the ward whose shift covers the given Berlin hour."""
        shift = "frueh" if 6 <= hour < 14 else "spaet" if 14 <= hour < 22 else "nacht"
        pool = [m for m in self.nurses[ward_id] if m.shift == shift] or self.nurses[ward_id]
        return rng.choice(pool)


def _nurse_count(ward: Ward) -> int:
    return max(6, round(len(ward.beds) * (1.0 if ward.kind in ("icu", "imc") else 0.5)))


def build_staff(hospitals: list[Hospital], rng: random.Random) -> Staff:
    """Physicians for every department and nurses for every ward of every hospital."""
    members: list[StaffMember] = []
    physicians: dict[tuple[str, str], list[StaffMember]] = {}
    nurses: dict[str, list[StaffMember]] = {}
    for hospital in hospitals:
        counter = 0

        def member(role: str, department: str, hospital: Hospital = hospital) -> StaffMember:
            nonlocal counter
            counter += 1
            gender = "female" if rng.random() < 0.55 else "male"
            return StaffMember(
                id=f"pra-{hospital.key}-{counter:04d}",
                role_id=f"prr-{hospital.key}-{counter:04d}",
                hospital_key=hospital.key,
                role=role,
                gender=gender,
                given=names.pick_given(rng, gender),
                family=names.pick_family(rng),
                employee_number=f"{rng.randrange(10**8, 10**9)}",
                department=department,
            )

        beds_per_department: dict[str, int] = {}
        for ward in hospital.wards:
            beds_per_department[ward.department] = beds_per_department.get(
                ward.department, 0
            ) + len(ward.beds)
        for department, beds in beds_per_department.items():
            for _ in range(2 + beds // 10):
                doctor = member("physician", department)
                members.append(doctor)
                physicians.setdefault((hospital.key, department), []).append(doctor)
        for ward in hospital.wards:
            count = _nurse_count(ward)
            for index in range(count):
                nurse = member("nurse", ward.department)
                nurse.ward_id = ward.id
                cumulative = 0.0
                for shift, share in SHIFT_SHARE:
                    cumulative += share
                    if index < cumulative * count:
                        nurse.shift = shift
                        break
                members.append(nurse)
                nurses.setdefault(ward.id, []).append(nurse)
    return Staff(members, physicians, nurses)
