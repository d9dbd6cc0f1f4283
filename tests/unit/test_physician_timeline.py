"""Timeline, trends and their figures, on hand-made resources of one person at two hospitals."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from components.timeline_chart import lane_rows, roomy, short_label, timeline_figure
from components.trend_chart import trend_figure
from services.codes import ATC, ICD10GM, INTERPRETATION, LOINC, OPS, PHYSICAL_TYPE
from services.domain.timeline import (
    build_timeline,
    current_stays,
    filter_timeline,
    record_ids,
)
from services.domain.trends import new_results, normalise_units, trend_points
from services.i18n import t
from tests.support.frames import frames

pytestmark = pytest.mark.unit
NOW = pd.Timestamp("2026-11-29T10:00:00+01:00").tz_convert("Europe/Berlin")


def tr(key: str, **values) -> str:
    return t(key, "en", **values)


def ref(kind, id_):
    return {"reference": f"{kind}/{id_}"}


def coded(system, code, display=None):
    return {"coding": [{"system": system, "code": code, "display": display or code}]}


def place(loc, kind, start, end=None):
    entry = {
        "location": ref("Location", loc),
        "physicalType": coded(PHYSICAL_TYPE, kind),
        "status": "completed" if end else "active",
        "period": {"start": start} | ({"end": end} if end else {}),
    }
    return entry


def resources():
    """Person at h1 (finished stay, transferred) and at h2 (current stay)."""
    out = [
        {"resourceType": "Patient", "id": "pa", "managingOrganization": ref("Organization", "h1")},
        {"resourceType": "Patient", "id": "pb", "managingOrganization": ref("Organization", "h2")},
        {
            "resourceType": "Encounter",
            "id": "ea",
            "status": "finished",
            "class": {"code": "IMP"},
            "subject": ref("Patient", "pa"),
            "serviceProvider": ref("Organization", "h1"),
            "period": {"start": "2026-11-01T08:00:00+01:00", "end": "2026-11-10T12:00:00+01:00"},
            "location": [
                place("wa1", "wa", "2026-11-01T08:00:00+01:00", "2026-11-10T12:00:00+01:00"),
                place("ba1", "bd", "2026-11-01T08:00:00+01:00", "2026-11-10T12:00:00+01:00"),
            ],
        },
        {
            "resourceType": "Encounter",
            "id": "eb",
            "status": "in-progress",
            "class": {"code": "IMP"},
            "subject": ref("Patient", "pb"),
            "serviceProvider": ref("Organization", "h2"),
            "serviceType": coded(
                "http://fhir.de/CodeSystem/dkgev/Fachabteilungsschluessel", "0300"
            ),
            "participant": [{"individual": ref("Practitioner", "doc")}],
            "period": {"start": "2026-11-10T13:00:00+01:00"},
            "location": [
                place("wb1", "wa", "2026-11-10T13:00:00+01:00"),
                place("rb1", "ro", "2026-11-10T13:00:00+01:00"),
                place("bb1", "bd", "2026-11-10T13:00:00+01:00"),
            ],
        },
    ]
    for loc, name in (("wa1", "Station A"), ("ba1", "A-1"), ("wb1", "Station B"), ("bb1", "B-1")):
        out.append({"resourceType": "Location", "id": loc, "name": name})

    def condition(id_, patient, enc, code, recorded, status="active"):
        return {
            "resourceType": "Condition",
            "id": id_,
            "subject": ref("Patient", patient),
            "encounter": ref("Encounter", enc),
            "code": coded(ICD10GM, code, f"text {code}"),
            "clinicalStatus": coded("x", status),
            "recordedDate": recorded,
        }

    out += [
        # Hypertension carried from h1 to h2 within days: one fact, two hospitals.
        condition("c1", "pa", "ea", "I10", "2026-11-01T10:00:00+01:00"),
        condition("c2", "pb", "eb", "I10", "2026-11-10T15:00:00+01:00"),
        condition("c3", "pa", "ea", "I21.0", "2026-11-01T10:00:00+01:00", "resolved"),
        condition("c4", "pb", "eb", "I50.1", "2026-11-10T15:00:00+01:00"),
        {
            "resourceType": "Procedure",
            "id": "pr1",
            "subject": ref("Patient", "pa"),
            "encounter": ref("Encounter", "ea"),
            "code": coded(OPS, "8-837.00"),
            "status": "completed",
            "performedDateTime": "2026-11-02T09:00:00+01:00",
        },
        {
            "resourceType": "MedicationRequest",
            "id": "m1",
            "subject": ref("Patient", "pb"),
            "encounter": ref("Encounter", "eb"),
            "medicationCodeableConcept": coded(ATC, "B01AC06"),
            "status": "active",
            "authoredOn": "2026-11-10T14:00:00+01:00",
            "dispenseRequest": {"validityPeriod": {"start": "2026-11-10T14:00:00+01:00"}},
        },
    ]

    def lab(id_, patient, when, code, value, unit, low, high, flag=None):
        res = {
            "resourceType": "Observation",
            "id": id_,
            "status": "final",
            "category": [coded("http://x/observation-category", "laboratory")],
            "subject": ref("Patient", patient),
            "code": coded(LOINC, code, f"lab {code}"),
            "effectiveDateTime": when,
            "valueQuantity": {"value": value, "code": unit, "system": "http://unitsofmeasure.org"},
            "referenceRange": [{"low": {"value": low}, "high": {"value": high}}],
        }
        if flag:
            res["interpretation"] = [coded(INTERPRETATION, flag)]
        return res

    out += [
        # Creatinine in mg/dL at h1 and in µmol/L at h2: one trend in mg/dL.
        lab("o1", "pa", "2026-11-02T08:00:00+01:00", "2160-0", 1.0, "mg/dL", 0.6, 1.2, "N"),
        lab("o2", "pb", "2026-11-28T08:00:00+01:00", "2160-0", 176.84, "umol/L", 53.05, 106.1),
        # The same lab value reported by both hospitals: one mark.
        lab("o3", "pa", "2026-11-09T08:00:00+01:00", "1988-5", 12.0, "mg/L", 0, 5, "H"),
        lab("o4", "pb", "2026-11-09T08:10:00+01:00", "1988-5", 12.0, "mg/L", 0, 5, "H"),
        {
            "resourceType": "Observation",
            "id": "bp1",
            "status": "final",
            "category": [coded("x", "vital-signs")],
            "subject": ref("Patient", "pb"),
            "code": coded(LOINC, "85354-9"),
            "effectiveDateTime": "2026-11-29T08:00:00+01:00",
            "component": [
                {"code": coded(LOINC, "8480-6", "Systolic"), "valueQuantity": {"value": 150}},
                {"code": coded(LOINC, "8462-4", "Diastolic"), "valueQuantity": {"value": 90}},
            ],
        },
    ]
    return out


def record_tables() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    tables = frames(resources(), "Patient")
    patients = tables["patient"][["source", "id", "hospital_id"]]
    return tables, patients


@pytest.fixture
def timeline():
    tables, patients = record_tables()
    return build_timeline(tables, patients, NOW)


def test_stays_lane_per_hospital_with_places(timeline):
    assert sorted(timeline.stays["hospital_id"]) == ["h1", "h2"]
    assert timeline.hospitals == ["h1", "h2"]
    open_stay = timeline.stays[timeline.stays["encounter_id"] == "eb"].iloc[0]
    assert pd.isna(open_stay["end"]) and open_stay["shown_end"] == NOW
    names = set(timeline.places["name"])
    assert {"Station A", "A-1", "Station B", "B-1"} <= names
    # A room without a Location resource keeps its id rather than vanishing.
    assert "rb1" in names


def test_same_fact_at_two_hospitals_is_one_mark(timeline):
    marks = timeline.marks
    i10 = marks[marks["code"] == "I10"]
    assert len(i10) == 1
    assert i10.iloc[0]["hospitals"] == ("h1", "h2")
    assert set(i10.iloc[0]["records"]) == {"Condition/c1", "Condition/c2"}
    crp = marks[marks["code"] == "1988-5"]
    assert len(crp) == 1 and crp.iloc[0]["hospitals"] == ("h1", "h2") and crp.iloc[0]["abnormal"]


def test_every_record_is_on_the_timeline_once(timeline):
    tables, _ = record_tables()
    expected = {f"Encounter/{i}" for i in tables["encounter"]["id"]}
    for table, kind in (
        ("condition", "Condition"),
        ("procedure", "Procedure"),
        ("medication_request", "MedicationRequest"),
        ("observation", "Observation"),
    ):
        expected |= {f"{kind}/{i}" for i in tables[table]["id"]}
    assert record_ids(timeline) == expected
    all_records = [r for rs in timeline.marks["records"] for r in rs]
    assert len(all_records) == len(set(all_records))


def test_blood_pressure_is_one_mark_with_both_values(timeline):
    bp = timeline.marks[timeline.marks["code"] == "85354-9"].iloc[0]
    assert bp["detail"] == "150/90"
    assert bp["records"] == ("Observation/bp1",)


def test_filters_by_kind_hospital_and_window(timeline):
    only_h1 = filter_timeline(timeline, hospitals=["h1"])
    assert set(only_h1.stays["hospital_id"]) == {"h1"}
    # The merged hypertension mark belongs to h1 too.
    assert "I10" in set(only_h1.marks["code"])
    assert "I50.1" not in set(only_h1.marks["code"])
    diagnoses = filter_timeline(timeline, kinds=["condition"])
    assert diagnoses.stays.empty and set(diagnoses.marks["kind"]) == {"condition"}
    late = filter_timeline(timeline, start=pd.Timestamp("2026-11-20T00:00:00+01:00"))
    assert list(late.stays["encounter_id"]) == ["eb"]
    # The medication period still running overlaps the window and stays.
    assert "B01AC06" in set(late.marks["code"])
    assert "8-837.00" not in set(late.marks["code"])


def test_current_stay_panel():
    tables, _ = record_tables()
    current = current_stays(tables, NOW)
    assert len(current) == 1
    row = current.iloc[0]
    assert (row["hospital_id"], row["ward"], row["bed"]) == ("h2", "Station B", "B-1")
    assert row["days_so_far"] == 18
    assert row["attending_id"] == "doc"
    assert "I50.1" in row["diagnoses"] and "I10" in row["diagnoses"]


def test_units_are_normalised_with_their_reference_ranges():
    tables, patients = record_tables()
    points = trend_points(tables["observation"], patients)
    creatinine = points[points["code"] == "2160-0"]
    assert set(creatinine["unit"]) == {"mg/dL"}
    converted = creatinine[creatinine["hospital_id"] == "h2"].iloc[0]
    assert converted["value"] == pytest.approx(2.0, abs=0.01)
    assert converted["ref_high"] == pytest.approx(1.2, abs=0.01)
    # No interpretation sent: abnormal because the value is above the range.
    assert bool(converted["abnormal"])
    normal = creatinine[creatinine["hospital_id"] == "h1"].iloc[0]
    assert not bool(normal["abnormal"])


def test_unknown_units_keep_their_own_series():
    frame = pd.DataFrame(
        {
            "code": ["718-7", "718-7", "718-7"],
            "unit": ["g/dL", "g/L", "furlong"],
            "value": [12.0, 120.0, 3.0],
            "ref_low": [12.0, 120.0, None],
            "ref_high": [16.0, 160.0, None],
        }
    ).astype({"value": "Float64", "ref_low": "Float64", "ref_high": "Float64"})
    out = normalise_units(frame)
    assert out["unit"].tolist() == ["g/dL", "g/dL", "furlong"]
    assert out["value"].tolist() == pytest.approx([12.0, 12.0, 3.0])


def test_new_results_count_each_observation_once():
    tables, _ = record_tables()
    since = pd.Timestamp("2026-11-28T00:00:00+01:00")
    fresh = new_results(tables["observation"], since).set_index("patient_id")
    assert fresh.loc["pb", "new"] == 2  # creatinine and one blood pressure panel
    assert fresh.loc["pb", "new_abnormal"] == 0
    assert "pa" not in fresh.index


def test_medication_rows_pack_overlapping_periods():
    starts = pd.Series(pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-05"]))
    ends = pd.Series(pd.to_datetime(["2026-01-04", "2026-01-03", "2026-01-06"]))
    assert lane_rows(starts, ends) == [0, 1, 0]


def test_figures_draw_every_lane_and_point(timeline):
    names = {"h1": "Klinik Eins", "h2": "Klinik Zwei"}
    figure = timeline_figure(timeline, names, tr, "en")
    assert isinstance(figure, go.Figure)
    lanes = list(figure.layout.yaxis.ticktext)
    assert lanes[:2] == ["Klinik Eins", "Klinik Zwei"]
    assert lanes[2:] == ["Diagnoses", "Procedures", "Medication", "Observations"]
    hovers = [h for trace in figure.data for h in (trace.hovertext or ())]
    assert any("Klinik Eins, Klinik Zwei" in h for h in hovers)
    drawn_marks = sum(len(trace.x) for trace in figure.data if isinstance(trace, go.Scatter)) + sum(
        len(trace.y) for trace in figure.data if trace.name == "Medication"
    )
    assert drawn_marks == len(timeline.marks)
    tables, patients = record_tables()
    points = trend_points(tables["observation"], patients)
    creatinine = points[points["code"] == "2160-0"]
    trend = trend_figure(creatinine, names, tr, "en")
    drawn = sum(len(trace.x) for trace in trend.data if trace.name in names.values())
    assert drawn == len(creatinine)
    assert trend.layout.shapes  # the reference band


def test_items_are_labelled_where_space_allows(timeline):
    figure = timeline_figure(timeline, {"h1": "Klinik Eins", "h2": "Klinik Zwei"}, tr, "en")
    assert figure.layout.uniformtext.mode == "hide", "a bar's name hides where it does not fit"
    places = [trace for trace in figure.data if trace.name in ("Ward", "Bed")]
    assert places and all(all(trace.text) for trace in places), "wards and beds are named"
    medication = next(trace for trace in figure.data if trace.name == "Medication")
    assert len(medication.text) == len(medication.y) and all(medication.text)
    marks = [trace for trace in figure.data if isinstance(trace, go.Scatter)]
    assert all(len(trace.text) == len(trace.x) for trace in marks)
    assert any(label for trace in marks for label in trace.text), "a lone mark has its label"


def test_a_mark_is_labelled_only_with_room_on_both_sides():
    day = pd.Timedelta(days=1)
    starts = pd.Series(pd.to_datetime(["2026-01-01", "2026-01-02", "2026-03-01", "2026-01-30"]))
    assert roomy(starts, 120 * day).tolist() == [False, False, True, True]
    assert roomy(starts[:1], pd.Timedelta(0)).tolist() == [True]
    assert short_label("Hypertensive Herzkrankheit ohne Herzinsuffizienz") == "Hypertensive Herz…"
    assert short_label("I10.00") == "I10.00"
