"""The DIVI page: one hospital's report to the Intensivregister now, its SANER MeasureReport with
ventilators and the nurses' staffing-shortage flags, and the 30 days of stored reports.

The searches the page reads live here too: running ventilations, ventilators and ECMO units,
the managers' answers and the stored reports of one hospital.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from services.codes import SNOMED
from services.config import StaleStays
from services.domain.beds import bed_status_now
from services.domain.census import midnight
from services.domain.divi import (
    DEVICE_TYPE,
    DIVI_MEASURE,
    VENTILATION_CODES,
    divi_measure_report,
    divi_summary,
    emergency_reserve,
    free_capacity,
    history_frame,
    latest_situation,
    register_report,
    saner_staffing_group,
    ventilated_now,
)
from services.domain.reports import (
    MEASURE_GROUPS,
    MEASURED_VALUES,
    divi_status,
    saner_measure_report,
)
from services.domain.stays import current_placements
from services.report_writes import SOON_SHORTAGE
from services.search import query
from services.views.common import aggregates_only, names_by_id

__all__ = [
    "HISTORY_DAYS",
    "DiviView",
    "devices",
    "divi_view",
    "operating_answers",
    "stored_reports",
    "ventilations",
]

HISTORY_DAYS = 30


def ventilations() -> AbstractSearchSet:
    """Ventilations and ECMO running now (``services.domain.divi.VENTILATION_CODES``)."""
    codes = ",".join(f"{SNOMED}|{code}" for code, _ in VENTILATION_CODES.values())
    return query("Procedure").search(status="in-progress", code=codes)


def devices() -> AbstractSearchSet:
    """Ventilators and ECMO units (``services.domain.divi.DEVICE_TYPE``) of every hospital."""
    return query("Device").search(type=f"{DEVICE_TYPE}|")


def operating_answers(hospital_id: str) -> AbstractSearchSet:
    """The managers' answers about ``hospital_id``; the questionnaire is checked after reading
    (a canonical reference is not searchable the same way on every server)."""
    return query("QuestionnaireResponse").search(subject=f"Organization/{hospital_id}")


def stored_reports(hospital_id: str, now: pd.Timestamp) -> AbstractSearchSet:
    """The reports ``hospital_id`` stored over the last ``HISTORY_DAYS`` days (DIVI and any
    other measure; the measure is checked after reading)."""
    since = midnight(now.tz_convert("Europe/Berlin").date() - timedelta(days=HISTORY_DAYS - 1))
    return query("MeasureReport").search(
        reporter=f"Organization/{hospital_id}", period=f"ge{since.isoformat()}"
    )


@dataclass(frozen=True)
class DiviView:
    """One hospital's DIVI figures now.

    - ``summary``: per category and age group ``beds``, ``occupied``, ``free``, ``blocked`` and
      the register's ``status``;
    - ``ventilation``: patients per ``mode`` and ``age_group``;
    - ``capacity``: ``free_iv``, ``free_ecmo``, ``reserve_7d``;
    - ``situation``: the manager's latest answer (``situation``, ``limits``, ``authored``,
      ``shortage_soon``);
    - ``register``: the report to the register (V2 JSON); ``measure_report``: the same as the
      MeasureReport stored for the history; ``saner``: the SANER MeasureReport with ventilators
      and the nurses' shortage flags;
    - ``history``: the stored reports of the last ``HISTORY_DAYS`` days, one row per day
      (``services.domain.divi.history_frame``), today's from the figures now unless stored.
    """

    hospital_id: str
    hospital: str
    summary: pd.DataFrame
    ventilation: pd.DataFrame
    capacity: dict[str, int]
    situation: dict[str, Any]
    register: dict[str, Any]
    measure_report: dict[str, Any]
    saner: dict[str, Any]
    history: pd.DataFrame

    def __post_init__(self) -> None:
        aggregates_only(self)


def _saner_with_ventilators(
    report: dict[str, Any],
    ventilators: int,
    ventilated: int,
    short_now: bool | None,
    short_soon: bool | None,
) -> dict[str, Any]:
    groups = [
        *report["group"],
        {
            "code": {"coding": [{"system": MEASURE_GROUPS, "code": "Ventilators"}]},
            "population": [
                {"code": {"coding": [{"system": MEASURED_VALUES, "code": c}]}, "count": n}
                for c, n in (("numVent", ventilators), ("numVentUse", ventilated))
            ],
        },
        *saner_staffing_group(short_now, short_soon),
    ]
    return {**report, "group": groups}


def divi_view(
    hospital_id: str,
    locations: pd.DataFrame,
    organizations: pd.DataFrame,
    encounters: pd.DataFrame,
    encounter_locations: pd.DataFrame,
    procedures: pd.DataFrame,
    contacts: pd.DataFrame | None,
    device_frame: pd.DataFrame,
    responses: pd.DataFrame,
    answers: pd.DataFrame,
    reports: pd.DataFrame,
    populations: pd.DataFrame,
    now: pd.Timestamp,
    short_now: bool | None = None,
    stale: StaleStays | None = None,
) -> DiviView:
    """The DIVI figures of ``hospital_id`` now from the reads of the page (``contacts``: the
    stays' ``encounter_contact`` table, None where stays have no contact levels); ``short_now`` says
    whether a ward of the hospital is below its PpUGV floor in a shift of today (None: not
    known)."""
    name = names_by_id(organizations).get(hospital_id, hospital_id)
    placed = current_placements(encounters, encounter_locations, now, stale)
    beds = bed_status_now(locations, placed, now)
    beds = beds[beds["hospital_id"] == hospital_id].rename(columns={"id": "bed_id"})
    summary = divi_summary(beds, device_frame)
    ventilation = ventilated_now(procedures, beds, contacts)
    capacity = {**free_capacity(beds, device_frame), "reserve_7d": emergency_reserve(beds)}
    situation = latest_situation(answers, responses, hospital_id)
    soon = None
    if situation["id"] is not None:
        given = answers[(answers["id"] == situation["id"]) & (answers["link_id"] == SOON_SHORTAGE)]
        soon = bool((given["value"] == "true").any()) if not given.empty else None
    situation = {**situation, "shortage_soon": soon}
    register = register_report(summary, ventilation, capacity, situation, hospital_id, name, now)
    measure = divi_measure_report(
        summary, ventilation, capacity, situation, hospital_id, name, now, now
    )
    saner = saner_measure_report(beds, hospital_id, name, now, now)
    active = device_frame[
        (device_frame["status"] == "active") & device_frame["location_id"].isin(set(beds["bed_id"]))
    ]
    ventilators = int((active["type"] == "beatmungsgeraet").sum())
    on_ventilator = int(
        ventilation.loc[ventilation["mode"].isin(("invasive", "non_invasive")), "patients"].sum()
    )
    saner = _saner_with_ventilators(saner, ventilators, on_ventilator, short_now, soon)
    history = history_frame(populations, reports, hospital_id)
    today = now.tz_convert("Europe/Berlin").date()
    if history.empty or history["date"].iloc[-1] != today:
        live = history_frame(
            _populations_of(measure), _report_row(measure, situation["situation"]), hospital_id
        )
        history = pd.concat([history, live], ignore_index=True) if not history.empty else live
    summary = summary.assign(
        status=[divi_status(b, f) for b, f in zip(summary["beds"], summary["free"], strict=True)]
    )
    return DiviView(
        hospital_id=hospital_id,
        hospital=name,
        summary=summary,
        ventilation=ventilation,
        capacity=capacity,
        situation=situation,
        register=register,
        measure_report=measure,
        saner=saner,
        history=history,
    )


def _report_row(report: dict[str, Any], situation: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": report["id"],
                "measure": DIVI_MEASURE,
                "hospital_id": report["reporter"]["reference"].split("/")[1],
                "period_start": pd.Timestamp(report["period"]["start"]),
                "situation": situation,
            }
        ]
    )


def _populations_of(report: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": report["id"],
                "group": g["code"]["coding"][0]["code"],
                "code": p["code"]["coding"][0]["code"],
                "count": p["count"],
            }
            for g in report["group"]
            for p in g["population"]
        ]
    )
