"""Figures on the real exports against counts computed here from the raw bundles (plain JSON).

Per patient: stays (one per Einrichtungskontakt, i.e. per root of the ``partOf`` chains, not
counting entered-in-error or cancelled contacts), diagnoses and medications as the physician's
timeline shows them; per source: current inpatients, which leave out stays open for longer than
the 99th percentile length of finished inpatient stays of that source (at most 365 days).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from services import queries
from services.domain.stays import current_placements
from services.domain.timeline import build_timeline, record_ids
from services.patient_record import read_record, record_patients
from services.search import query
from tests.support.raw_counts import (
    MEDICATION_KINDS,
    VOID,
    inpatients_now,
    patient_ids,
    per_patient,
    raw_stays,
)

pytestmark = pytest.mark.realdata


def _timeline(real_platform, source: str, patient_id: str):
    patients = record_patients([(source, patient_id, None)])
    record = read_record(real_platform, patients, no_cache=True)
    return build_timeline(record.tables, patients, pd.Timestamp.now(tz="Europe/Berlin"))


PATIENTS = [
    ("UKHD", "0001310848"),
    ("UKHD", "0001736293"),
    ("UKHD", "0002690836"),
    ("UKHD", "0003165490"),
    ("UKW", "Patient-54211"),
]


def test_the_patients_are_the_exports_patients(realdata):
    assert [(s, p) for s in ("UKHD", "UKW") for p in patient_ids(realdata.raw(s))] == PATIENTS


@pytest.mark.parametrize(("source", "patient_id"), PATIENTS)
def test_stays_per_patient(realdata, real_platform, source, patient_id):
    expected = sum(
        1 for s in raw_stays(realdata.raw(source)).values() if s["patient"] == patient_id
    )
    stays = _timeline(real_platform, source, patient_id).stays
    shown = stays[~stays["status"].isin(VOID)]
    assert len(shown) == expected


@pytest.mark.parametrize(("source", "patient_id"), PATIENTS)
def test_diagnoses_per_patient(realdata, real_platform, source, patient_id):
    expected = per_patient(realdata.raw(source), ("Condition",))[patient_id]
    shown = {r for r in record_ids(_timeline(real_platform, source, patient_id))}
    assert len({r for r in shown if r.startswith("Condition/")}) == expected


@pytest.mark.parametrize(("source", "patient_id"), PATIENTS)
def test_medications_per_patient(realdata, real_platform, source, patient_id):
    expected = per_patient(realdata.raw(source), MEDICATION_KINDS)[patient_id]
    shown = record_ids(_timeline(real_platform, source, patient_id))
    assert len({r for r in shown if r.split("/")[0] in MEDICATION_KINDS}) == expected


@pytest.mark.parametrize("source", ["UKHD", "UKW"])
def test_current_inpatients(realdata, real_platform, source):
    now = datetime.now().astimezone()
    expected = inpatients_now(raw_stays(realdata.raw(source)), now)
    read = real_platform.read(queries.current_stays(), sources=[source], no_cache=True)
    locations = read.tables.get("encounter_location")
    if locations is None:
        locations = real_platform.read(query("Encounter"), sources=[source])["encounter_location"]
    placed = current_placements(read["encounter"], locations, pd.Timestamp(now))
    assert len(placed) == expected["current"], dict(expected)
