"""The daily report to the DIVI Intensivregister, as the register's API (version V2) asks for it,
and its history as one FHIR MeasureReport per hospital and day.

What comes from where (docs/DATA_MODEL.md, "DIVI Intensivregister"):
- operable, occupied and free ICU beds per category and age group: the bed status now
  (``divi_summary``); the ECMO category is the beds in service
  that carry an active ECMO unit (``Device``);
- patients ventilated invasively, non-invasively and on ECMO: Procedures ``in-progress`` coded
  in SNOMED CT (``VENTILATION_CODES``; OPS 8-852 for ECMO and 8-706 for a ventilation mask as
  well), counted once per stay and mode, by the age group of the bed the patient lies in;
  a patient on ECMO who is also ventilated counts in both;
- free ventilation capacity (``freieIvKapazitaet``): high-care beds free now that carry an
  active ventilator; free ECMO capacity: free beds with an active ECMO unit;
- emergency reserve within 7 days (``intensivBettenNotfall7d``): ICU beds closed now (staff or
  maintenance), the beds a hospital can open again within a week;
- the operating situation and its limiting reasons: the manager's latest answer
  (QuestionnaireResponse, ``OPERATING_QUESTIONNAIRE``), ``KEINE_ANGABE`` without one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import pandas as pd

from services.codes import MEDICUS, OPS, SNOMED
from services.domain.reports import (
    DIVI_CATEGORIES,
    MEASURE_GROUPS,
    MEASURE_POPULATION,
    bed_counts,
    divi_status,
)
from services.frames.contacts import stay_of

__all__ = [
    "DEVICE_TYPE",
    "DIVI_MEASURE",
    "ECMO_UNIT",
    "LIMITS",
    "OPERATING_QUESTIONNAIRE",
    "OPERATING_SITUATIONS",
    "REGISTER_LIMIT",
    "SANER_STAFFING",
    "VENTILATION_CODES",
    "VENTILATION_MODES",
    "VENTILATOR",
    "divi_measure_report",
    "divi_summary",
    "emergency_reserve",
    "free_capacity",
    "history_frame",
    "latest_situation",
    "register_report",
    "saner_staffing_group",
    "ventilated_now",
    "ventilation_mode",
]

ICU = ("icu-high-care", "icu-low-care")
AGE_GROUPS = ("adult", "paediatric")
VENTILATION_MODES = ("invasive", "non_invasive", "ecmo")
# SNOMED CT concepts of a running ventilation or ECMO; German sources add the OPS code where
# one exists (a ventilation mask 8-706, ECMO 8-852.*), so either identifies the mode.
VENTILATION_CODES: dict[str, tuple[str, str]] = {
    "invasive": ("1258985005", "Invasive mechanical ventilation"),
    "non_invasive": ("428311008", "Noninvasive ventilation"),
    "ecmo": ("233573008", "Extracorporeal membrane oxygenation"),
}
_OPS_PREFIX = {"8-706": "non_invasive", "8-852": "ecmo"}
DEVICE_TYPE = f"{MEDICUS}/CodeSystem/geraetetyp"
VENTILATOR = "beatmungsgeraet"
ECMO_UNIT = "ecmo"
DIVI_MEASURE = f"{MEDICUS}/Measure/divi-intensivregister"
DIVI_GROUP = f"{MEDICUS}/CodeSystem/divi-gruppe"
DIVI_VALUE = f"{MEDICUS}/CodeSystem/divi-kennzahl"
OPERATING_QUESTIONNAIRE = f"{MEDICUS}/Questionnaire/divi-betriebssituation"
SITUATION_EXT = f"{MEDICUS}/StructureDefinition/divi-betriebssituation"
LIMIT_EXT = f"{MEDICUS}/StructureDefinition/divi-betriebseinschraenkung"
SITUATION_SYSTEM = f"{MEDICUS}/CodeSystem/divi-betriebssituation"
LIMIT_SYSTEM = f"{MEDICUS}/CodeSystem/divi-betriebseinschraenkung"
OPERATING_SITUATIONS = (
    "REGULAERER_BETRIEB",
    "TEILWEISE_EINGESCHRAENKT",
    "EINGESCHRAENKT",
    "KEINE_ANGABE",
)
# The register's four limiting reasons, by the field that carries each in its V2 report.
LIMITS = ("personal", "raum", "beatmungsgeraet", "verbrauchsmaterial")
REGISTER_LIMIT = {
    "personal": "betriebseinschraenkungPersonal",
    "raum": "betriebseinschraenkungRaum",
    "beatmungsgeraet": "betriebseinschraenkungBeatmungsgeraet",
    "verbrauchsmaterial": "betriebseinschraenkungVerbrauchsmaterial",
}
SANER_STAFFING = "http://hl7.org/fhir/uv/saner/Measure/CDCHealthcareWorkerStaffingPathway"
SANER_VALUES = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues"
_REGISTER_CATEGORY = {"icu-low-care": "Lowcare", "icu-high-care": "Highcare", "ecmo": "Ecmo"}
_REGISTER_AGE = {"adult": "ERWACHSENE", "paediatric": "KINDER"}
# What one MeasureReport of the history holds, by (group, population) and the figure's name.
_COUNTS = ("beds", "occupied", "free", "blocked")
_CAPACITY = ("free_iv", "free_ecmo", "reserve_7d")
# Fixed namespace: the register's report id is a UUID, the same for a hospital and moment.
_REPORT_NS = uuid.UUID("6f1c0d52-2b1e-4d1f-9c35-6a1f0e8d2c41")


def ventilation_mode(system: object, code: object) -> str | None:
    """``invasive``, ``non_invasive`` or ``ecmo`` for a coded procedure; None for any other."""
    if not isinstance(code, str):
        return None
    if system == SNOMED:
        return next((m for m, (c, _) in VENTILATION_CODES.items() if c == code), None)
    if system == OPS:
        return next((m for p, m in _OPS_PREFIX.items() if code.startswith(p)), None)
    return None


def ventilated_now(
    procedures: pd.DataFrame, beds: pd.DataFrame, contacts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Patients per ventilation mode and age group: of ``procedures`` (``procedure`` table)
    those ``in-progress`` with a ventilation code, of stays lying in one of ``beds`` (rows of
    ``bed_status_now`` with ``source``, ``encounter_id``, ``age_group``). A procedure that names
    a contact level below the stay (MII) is taken to its stay through ``contacts`` (the
    ``encounter_contact`` table). Every mode and age group has a row (``mode``, ``age_group``,
    ``patients``): a stay is one patient."""
    running = procedures[procedures["status"] == "in-progress"]
    modes = [
        ventilation_mode(s, c) for s, c in zip(running["system"], running["code"], strict=True)
    ]
    running = running.assign(mode=modes).dropna(subset=["mode", "encounter_id"])
    if contacts is not None and not running.empty:
        running = running.assign(encounter_id=stay_of(running, contacts))
    lying = beds.dropna(subset=["encounter_id"])[["source", "encounter_id", "age_group"]]
    lying = lying.drop_duplicates(["source", "encounter_id"])
    joined = running[["source", "encounter_id", "mode"]].merge(lying, on=["source", "encounter_id"])
    joined = joined.drop_duplicates(["source", "encounter_id", "mode"])
    counts = joined.groupby(["mode", "age_group"]).size()
    rows = [
        {"mode": m, "age_group": a, "patients": int(counts.get((m, a), 0))}
        for m in VENTILATION_MODES
        for a in AGE_GROUPS
    ]
    return pd.DataFrame(rows).astype({"patients": "int64"})


def _equipped(beds: pd.DataFrame, devices: pd.DataFrame | None, device_type: str) -> pd.Series:
    """Whether each bed carries an active device of ``device_type`` (none without devices)."""
    if devices is None:
        return pd.Series(False, index=beds.index, dtype="bool")
    active = devices[(devices["type"] == device_type) & (devices["status"] == "active")]
    keys = set(zip(active["source"], active["location_id"], strict=True))
    return pd.Series(
        [(s, b) in keys for s, b in zip(beds["source"], beds["bed_id"], strict=True)],
        index=beds.index,
        dtype="bool",
    )


def divi_summary(beds: pd.DataFrame, devices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per DIVI category and age group: beds in service, occupied, free and blocked.

    Low and high care are the bed categories; ECMO the beds that carry an active ECMO unit
    (a subset of high care: the register asks for them as a category of their own); without
    ``devices`` a hospital has none. Closed beds are out of service; blocked are the others that
    cannot take a patient now (cleaning, isolation, reserved).
    """
    ecmo = _equipped(beds, devices, ECMO_UNIT)
    rows = []
    for category in DIVI_CATEGORIES:
        chosen = ecmo if category == "ecmo" else beds["bed_category"] == category
        for age_group in AGE_GROUPS:
            part = beds[chosen & (beds["age_group"] == age_group)]
            counts = bed_counts(part)
            blocked = int(part["status"].isin(("H", "I", "K", "R")).sum())
            rows.append(
                {
                    "category": category,
                    "age_group": age_group,
                    "beds": counts["beds"],
                    "occupied": counts["occupied"],
                    "free": counts["available"],
                    "blocked": blocked,
                }
            )
    out = pd.DataFrame(rows)
    return out.astype(dict.fromkeys(_COUNTS, "int64"))


def free_capacity(beds: pd.DataFrame, devices: pd.DataFrame) -> dict[str, int]:
    """Free invasive ventilation capacity (free high-care beds with an active ventilator) and
    free ECMO capacity (free beds with an active ECMO unit)."""
    free = beds["status"] == "U"
    high = beds["bed_category"] == "icu-high-care"
    ventilator = _equipped(beds, devices, VENTILATOR)
    ecmo = _equipped(beds, devices, ECMO_UNIT)
    return {
        "free_iv": int((free & high & ventilator).sum()),
        "free_ecmo": int((free & ecmo).sum()),
    }


def emergency_reserve(beds: pd.DataFrame) -> int:
    """ICU beds closed now: what can be opened within 7 days (staff called in, repair done)."""
    return int(((beds["status"] == "C") & beds["bed_category"].isin(ICU)).sum())


def latest_situation(
    answers: pd.DataFrame, responses: pd.DataFrame, hospital_id: str
) -> dict[str, Any]:
    """The manager's latest operating situation for ``hospital_id`` from the QuestionnaireResponse
    tables: ``situation`` (``KEINE_ANGABE`` without an answer), ``limits`` (the reasons
    answered true; none while operation is regular), ``authored``, ``author`` and the answer's
    ``id`` (None without one)."""
    mine = responses[
        (responses["questionnaire"] == OPERATING_QUESTIONNAIRE)
        & (responses["subject"] == f"Organization/{hospital_id}")
        & (responses["status"] == "completed")
    ]
    if mine.empty:
        return {
            "situation": "KEINE_ANGABE",
            "limits": (),
            "authored": None,
            "author": None,
            "id": None,
        }
    latest = mine.sort_values(["authored", "id"]).iloc[-1]
    given = answers[answers["id"] == latest["id"]]
    values = dict(zip(given["link_id"], given["value"], strict=True))
    situation = values.get("betriebssituation")
    if situation not in OPERATING_SITUATIONS:
        situation = "KEINE_ANGABE"
    limits: tuple[str, ...] = ()
    if situation not in ("REGULAERER_BETRIEB", "KEINE_ANGABE"):
        limits = tuple(limit for limit in LIMITS if values.get(limit) == "true")
    author = latest["author"] if isinstance(latest["author"], str) else None
    return {
        "situation": situation,
        "limits": limits,
        "authored": latest["authored"],
        "author": author,
        "id": latest["id"],
    }


def _count(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def register_report(
    summary: pd.DataFrame,
    ventilation: pd.DataFrame,
    capacity: dict[str, int],
    situation: dict[str, Any],
    hospital_id: str,
    hospital_name: str,
    generated: pd.Timestamp,
) -> dict[str, Any]:
    """One hospital's report to the register as its API version V2 names the fields.

    ``kapazitaeten`` holds the ICU beds (low and high care, adults and children; ECMO places are
    part of high care), the ventilated patients and the free capacities; ``betten`` every
    category and age group apart with its rating. ``patientenNichtInvasivBeatmet`` is ours: the
    register's V2 form asks for invasive and ECMO patients only, the hospital's managers for
    both. The limiting reasons are null while operation is regular or not stated, as the
    register requires.
    """
    rated = summary.assign(
        status=[divi_status(b, f) for b, f in zip(summary["beds"], summary["free"], strict=True)]
    )
    icu = rated[rated["category"].isin(ICU)]
    patients = ventilation.groupby("mode")["patients"].sum()
    adults = rated[rated["age_group"] == "adult"].set_index("category")["status"]
    code = situation["situation"]
    stated = code not in ("REGULAERER_BETRIEB", "KEINE_ANGABE")
    moment = generated.isoformat(timespec="seconds")
    return {
        "id": str(uuid.uuid5(_REPORT_NS, f"{hospital_id}|{moment}")),
        "api_version": "V2",
        "meldebereich": {"id": hospital_id, "bezeichnung": hospital_name},
        "meldezeitpunkt": moment,
        "kapazitaeten": {
            "intensivBetten": int(icu["beds"].sum()),
            "intensivBettenBelegt": int(icu["occupied"].sum()),
            "intensivBettenNotfall7d": capacity["reserve_7d"],
            "patientenInvasivBeatmet": int(patients.get("invasive", 0)),
            "patientenNichtInvasivBeatmet": int(patients.get("non_invasive", 0)),
            "patientenEcmo": int(patients.get("ecmo", 0)),
            "freieIvKapazitaet": capacity["free_iv"],
            "freieEcmoKapazitaet": capacity["free_ecmo"],
        },
        **{
            f"statusEinschaetzung{_REGISTER_CATEGORY[c]}": adults.get(c, "KEINE_ANGABE")
            for c in DIVI_CATEGORIES
        },
        "betriebssituation": code,
        **{
            REGISTER_LIMIT[limit]: (limit in situation["limits"]) if stated else None
            for limit in LIMITS
        },
        "betten": [
            {
                "kategorie": _REGISTER_CATEGORY[row.category].upper(),
                "altersgruppe": _REGISTER_AGE[row.age_group],
                "betriebsbereit": _count(row.beds),
                "belegt": _count(row.occupied),
                "frei": _count(row.free),
                "status": row.status,
            }
            for row in rated.itertuples(index=False)
        ],
    }


def _population(code: str, count: int) -> dict[str, Any]:
    return {"code": {"coding": [{"system": DIVI_VALUE, "code": code}]}, "count": int(count)}


def divi_measure_report(
    summary: pd.DataFrame,
    ventilation: pd.DataFrame,
    capacity: dict[str, int],
    situation: dict[str, Any],
    hospital_id: str,
    hospital_name: str,
    day: pd.Timestamp,
    generated: pd.Timestamp,
) -> dict[str, Any]:
    """The day's DIVI figures of one hospital as a FHIR MeasureReport (id
    ``divi-<hospital>-<date>``: storing it again the same day replaces it).

    One group per category and age group (``<category>|<age group>``, populations ``beds``,
    ``occupied``, ``free``, ``blocked``), one for the ventilated patients (``<mode>|<age
    group>``) and one for the capacities (``free_iv``, ``free_ecmo``, ``reserve_7d``); the
    operating situation and its limiting reasons as extensions.
    """
    start = day.tz_convert("Europe/Berlin").normalize()
    end = start + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
    groups = [
        {
            "code": {"coding": [{"system": DIVI_GROUP, "code": f"{r.category}|{r.age_group}"}]},
            "population": [_population(c, getattr(r, c)) for c in _COUNTS],
        }
        for r in summary.itertuples(index=False)
    ]
    groups.append(
        {
            "code": {"coding": [{"system": DIVI_GROUP, "code": "beatmung"}]},
            "population": [
                _population(f"{r.mode}|{r.age_group}", r.patients)
                for r in ventilation.itertuples(index=False)
            ],
        }
    )
    groups.append(
        {
            "code": {"coding": [{"system": DIVI_GROUP, "code": "kapazitaet"}]},
            "population": [_population(c, capacity[c]) for c in _CAPACITY],
        }
    )
    extensions: list[dict[str, Any]] = [
        {
            "url": SITUATION_EXT,
            "valueCodeableConcept": {
                "coding": [{"system": SITUATION_SYSTEM, "code": situation["situation"]}]
            },
        }
    ]
    extensions += [
        {
            "url": LIMIT_EXT,
            "valueCodeableConcept": {"coding": [{"system": LIMIT_SYSTEM, "code": x}]},
        }
        for x in situation["limits"]
    ]
    return {
        "resourceType": "MeasureReport",
        "id": f"divi-{hospital_id}-{start.date().isoformat()}",
        "extension": extensions,
        "status": "complete",
        "type": "summary",
        "measure": DIVI_MEASURE,
        "date": generated.isoformat(timespec="seconds"),
        "period": {
            "start": start.isoformat(timespec="seconds"),
            "end": end.isoformat(timespec="seconds"),
        },
        "reporter": {"reference": f"Organization/{hospital_id}", "display": hospital_name},
        "group": groups,
    }


def history_frame(
    populations: pd.DataFrame, reports: pd.DataFrame, hospital_id: str
) -> pd.DataFrame:
    """One row per day of ``hospital_id``'s stored DIVI MeasureReports (``measure_report`` and
    ``measure_population`` tables), oldest first: ``date``, ``icu_beds``, ``icu_occupied``,
    ``icu_free`` (low and high care, both age groups), ``ecmo_beds``, ``invasive``,
    ``non_invasive``, ``ecmo``, ``free_iv``, ``free_ecmo``, ``reserve_7d``, ``situation`` and the
    adults' rating per category (``status_<category>``)."""
    mine = reports[(reports["measure"] == DIVI_MEASURE) & (reports["hospital_id"] == hospital_id)]
    columns = [
        "date",
        "icu_beds",
        "icu_occupied",
        "icu_free",
        "ecmo_beds",
        "invasive",
        "non_invasive",
        "ecmo",
        *_CAPACITY,
        "situation",
        *(f"status_{c}" for c in DIVI_CATEGORIES),
    ]
    if mine.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for report in mine.sort_values("period_start").itertuples(index=False):
        part = populations[populations["id"] == report.id]
        value = {
            (g, p): 0 if pd.isna(n) else int(n)
            for g, p, n in zip(part["group"], part["code"], part["count"], strict=True)
        }

        def total(groups: Iterable[str], code: str, value: dict = value) -> int:
            return sum(value.get((g, code), 0) for g in groups)

        icu = [f"{c}|{a}" for c in ICU for a in AGE_GROUPS]
        row: dict[str, Any] = {
            "date": report.period_start.date(),
            "icu_beds": total(icu, "beds"),
            "icu_occupied": total(icu, "occupied"),
            "icu_free": total(icu, "free"),
            "ecmo_beds": total([f"ecmo|{a}" for a in AGE_GROUPS], "beds"),
            **{
                m: total(["beatmung"], f"{m}|adult") + total(["beatmung"], f"{m}|paediatric")
                for m in VENTILATION_MODES
            },
            **{c: value.get(("kapazitaet", c), 0) for c in _CAPACITY},
            "situation": report.situation if isinstance(report.situation, str) else "KEINE_ANGABE",
        }
        for category in DIVI_CATEGORIES:
            key = f"{category}|adult"
            row[f"status_{category}"] = divi_status(
                value.get((key, "beds"), 0), value.get((key, "free"), 0)
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def saner_staffing_group(short_now: bool | None, short_soon: bool | None) -> list[dict[str, Any]]:
    """SANER's staffing-shortage flags for nurses (``shortnurse`` today, ``posshortnurse``
    within a week) as MeasureReport groups, count 1 for true and 0 for false; a flag not known
    is left out rather than reported as no shortage."""
    groups = []
    for code, flag in (("shortnurse", short_now), ("posshortnurse", short_soon)):
        if flag is None:
            continue
        groups.append(
            {
                "code": {"coding": [{"system": MEASURE_GROUPS, "code": code}]},
                "population": [
                    {
                        "code": {
                            "coding": [
                                {"system": SANER_VALUES, "code": code},
                                {"system": MEASURE_POPULATION, "code": "numerator"},
                            ]
                        },
                        "count": int(bool(flag)),
                    }
                ],
            }
        )
    return groups
