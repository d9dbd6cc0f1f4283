"""The hospitals of the network and their wards, rooms and beds.

The catalogue lists fictional hospitals in real Baden-Württemberg cities. Each hospital has its
wards in priority order: small networks take the first few, large ones cycle through the list
again, so every size still has ICU, IMC, general and paediatric beds somewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from demo_data.codes import DEPARTMENTS


@dataclass
class Bed:
    """One bed; ``category`` is the bed category, ``age_group`` adult or paediatric."""

    id: str
    name: str
    room_id: str
    ward_id: str
    hospital_key: str
    category: str
    age_group: str


@dataclass
class Room:
    """A room of a ward with its beds."""

    id: str
    name: str
    ward_id: str
    beds: list[Bed] = field(default_factory=list)


@dataclass
class Ward:
    """A ward (Station): its department, kind (general, icu, imc, paediatric) and rooms."""

    id: str
    alias: str
    name: str
    hospital_key: str
    department: str
    kind: str
    rooms: list[Room] = field(default_factory=list)

    @property
    def beds(self) -> list[Bed]:
        """All beds of the ward in room order."""
        return [bed for room in self.rooms for bed in room.beds]

    @property
    def age_group(self) -> str:
        """Whether the ward treats adults or children."""
        return "paediatric" if self.kind == "paediatric" else "adult"


@dataclass
class Hospital:
    """A hospital (one Organization) and its wards."""

    key: str
    name: str
    short_name: str
    city: str
    postal_code: str
    street: str
    iknr: str
    wards: list[Ward] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The Organization id."""
        return f"org-{self.key}"


@dataclass(frozen=True)
class HospitalSpec:
    """A catalogue entry: who the hospital is and which wards it has, most important first."""

    key: str
    name: str
    short_name: str
    city: str
    postal_code: str
    street: str
    serial: int
    wards: tuple[tuple[str, str], ...]


# (kind, department) in priority order; the first two form the smallest network.
CATALOGUE: tuple[HospitalSpec, ...] = (
    HospitalSpec(
        "kns",
        "Klinikum Neckarsteig Stuttgart",
        "KNS",
        "Stuttgart",
        "70174",
        "Neckarsteig 1",
        101,
        (
            ("general", "0100"),
            ("icu", "3600"),
            ("general", "0300"),
            ("general", "1500"),
            ("imc", "3600"),
            ("general", "2800"),
        ),
    ),
    HospitalSpec(
        "fdu",
        "Kliniken am Dreisamufer Freiburg",
        "KDU",
        "Freiburg im Breisgau",
        "79106",
        "Dreisamufer 12",
        202,
        (
            ("general", "1500"),
            ("paediatric", "1000"),
            ("icu", "3600"),
            ("general", "0100"),
            ("general", "0700"),
        ),
    ),
    HospitalSpec(
        "kfk",
        "Städtisches Klinikum Fächerstadt Karlsruhe",
        "SKF",
        "Karlsruhe",
        "76133",
        "Fächerallee 5",
        303,
        (
            ("general", "0100"),
            ("imc", "3600"),
            ("general", "1600"),
            ("icu", "3600"),
            ("paediatric", "1000"),
            ("general", "0300"),
        ),
    ),
    HospitalSpec(
        "dim",
        "Donau-Iller-Klinik Ulm",
        "DIK",
        "Ulm",
        "89081",
        "Am Blaukanal 3",
        404,
        (("general", "1600"), ("icu", "3600"), ("general", "0200"), ("general", "0100")),
    ),
    HospitalSpec(
        "kph",
        "Klinikum am Philosophenweg Heidelberg",
        "KPH",
        "Heidelberg",
        "69120",
        "Philosophenweg 40",
        505,
        (
            ("general", "2800"),
            ("general", "0100"),
            ("icu", "3600"),
            ("general", "2300"),
            ("paediatric", "1000"),
        ),
    ),
    HospitalSpec(
        "qkm",
        "Quadrate-Klinikum Mannheim",
        "QKM",
        "Mannheim",
        "68167",
        "Quadrat U 7",
        606,
        (("general", "0100"), ("icu", "3600"), ("general", "1500"), ("imc", "3600")),
    ),
    HospitalSpec(
        "kuh",
        "Kreisklinik Unterland Heilbronn",
        "KUH",
        "Heilbronn",
        "74078",
        "Unterlandweg 9",
        707,
        (("general", "0100"), ("general", "1600"), ("icu", "3600")),
    ),
    HospitalSpec(
        "srk",
        "Seerhein-Klinikum Konstanz",
        "SRK",
        "Konstanz",
        "78464",
        "Seerheinpromenade 2",
        808,
        (("general", "0100"), ("icu", "3600"), ("general", "2300")),
    ),
    HospitalSpec(
        "ksr",
        "Klinikum Schönbuchrand Tübingen",
        "KST",
        "Tübingen",
        "72076",
        "Schönbuchrand 21",
        909,
        (("general", "2800"), ("icu", "3600"), ("paediatric", "1000"), ("general", "0300")),
    ),
    HospitalSpec(
        "osk",
        "Oberschwaben-Klinik Ravensburg",
        "OSK",
        "Ravensburg",
        "88212",
        "Schussenstraße 77",
        111,
        (("general", "0100"), ("general", "1500"), ("imc", "3600")),
    ),
    HospitalSpec(
        "gkp",
        "Goldstadt-Klinikum Pforzheim",
        "GKP",
        "Pforzheim",
        "75175",
        "Goldschmiedeweg 4",
        222,
        (("general", "0100"), ("icu", "3600"), ("general", "0200")),
    ),
    HospitalSpec(
        "ork",
        "Ortenau-Rebland-Klinik Offenburg",
        "ORK",
        "Offenburg",
        "77654",
        "Reblandstraße 8",
        333,
        (("general", "1500"), ("general", "0100"), ("icu", "3600")),
    ),
)

BASE_BEDS = {"general": 22, "icu": 10, "imc": 8, "paediatric": 14}
# Paediatric wards keep a few general beds besides their two IMC beds even in tiny networks.
MIN_BEDS = {"general": 4, "icu": 4, "imc": 4, "paediatric": 6}
WARD_TITLE = {"icu": "Intensivstation", "imc": "IMC"}


def iknr_for(serial: int) -> str:
    """A 9-digit IKNR: class 26 (hospital in Baden-Württemberg), serial, check digit.

    The check digit weights the six serial digits 2,1,2,1,2,1, adds the digit sums, mod 10.
    """
    body = f"{serial:06d}"
    total = 0
    for index, char in enumerate(body):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return f"26{body}{total % 10}"


def layout_for_scale(scale: float) -> tuple[int, int, float]:
    """(hospitals, wards per hospital, bed factor) for a scale; scale 1 is the demo network."""
    hospitals = min(len(CATALOGUE), max(4, round(5 * math.sqrt(scale))))
    wards = max(2, round(15 * scale / hospitals))
    bed_factor = min(1.0, max(0.25, 2 * scale))
    return hospitals, wards, bed_factor


def _room_sizes(kind: str, beds: int) -> list[int]:
    """Room sizes for a ward: ICU/IMC single and double rooms, general wards mostly doubles."""
    pattern = [1, 2] if kind in ("icu", "imc") else [2, 2, 3, 2, 1, 2]
    sizes: list[int] = []
    index = 0
    while sum(sizes) < beds:
        sizes.append(min(pattern[index % len(pattern)], beds - sum(sizes)))
        index += 1
    return sizes


def _bed_category(kind: str, position: int, beds: int) -> str:
    """ICU wards are half high care, half low care; paediatric wards keep two IMC beds."""
    if kind == "icu":
        return "icu-high-care" if position < beds // 2 else "icu-low-care"
    if kind == "imc":
        return "imc"
    if kind == "paediatric" and position >= beds - 2:
        return "imc"
    return "general"


def build_ward(
    hospital_key: str, index: int, kind: str, department: str, bed_factor: float
) -> Ward:
    """One ward with rooms and beds; ids and names follow docs/DATA_MODEL.md."""
    alias = f"{index // 2 + 1}{'AB'[index % 2]}"
    title = WARD_TITLE.get(kind, DEPARTMENTS[department])
    ward_id = f"loc-{hospital_key}-w{index + 1:02d}"
    ward = Ward(ward_id, alias, f"Station {alias} {title}", hospital_key, department, kind)
    beds = max(MIN_BEDS[kind], round(BASE_BEDS[kind] * bed_factor))
    position = 0
    age_group = ward.age_group
    for room_index, size in enumerate(_room_sizes(kind, beds)):
        room_id = f"{ward_id}-r{room_index + 1:02d}"
        room = Room(room_id, f"Zimmer {alias}-{room_index + 1}", ward_id)
        for bed_index in range(size):
            room.beds.append(
                Bed(
                    id=f"{room_id}-b{bed_index + 1}",
                    name=f"{alias}-{room_index + 1}-{bed_index + 1}",
                    room_id=room_id,
                    ward_id=ward_id,
                    hospital_key=hospital_key,
                    category=_bed_category(kind, position, beds),
                    age_group=age_group,
                )
            )
            position += 1
        ward.rooms.append(room)
    return ward


def build_hospitals(scale: float) -> list[Hospital]:
    """The hospitals, wards, rooms and beds of a network of the given scale."""
    count, wards_per_hospital, bed_factor = layout_for_scale(scale)
    hospitals = []
    for spec in CATALOGUE[:count]:
        hospital = Hospital(
            key=spec.key,
            name=spec.name,
            short_name=spec.short_name,
            city=spec.city,
            postal_code=spec.postal_code,
            street=spec.street,
            iknr=iknr_for(spec.serial),
        )
        for index in range(wards_per_hospital):
            kind, department = spec.wards[index % len(spec.wards)]
            hospital.wards.append(build_ward(spec.key, index, kind, department, bed_factor))
        hospitals.append(hospital)
    return hospitals
