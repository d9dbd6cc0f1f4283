"""Shift handover: shift boundaries (06/14/22 Berlin, DST), what happened this shift on a hand-made
ward, vital flags, and the whole sheet on the generated network against its ground truth."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from demo_data.generator import PRESETS, generate
from services.codes import INTERPRETATION, LOINC, PHYSICAL_TYPE
from services.domain.handover import handover, printable, sheet, shift_at
from services.domain.news2 import points
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from services.views.ward import handover_view
from tests.support.frames import frames

pytestmark = pytest.mark.unit
BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = datetime(2026, 3, 2, 10, tzinfo=BERLIN)


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("Europe/Berlin")


@pytest.mark.parametrize(
    ("moment", "code", "start", "end"),
    [
        ("2026-03-02T05:59:59+01:00", "nacht", "2026-03-01T22:00+01:00", "2026-03-02T06:00+01:00"),
        ("2026-03-02T06:00:00+01:00", "frueh", "2026-03-02T06:00+01:00", "2026-03-02T14:00+01:00"),
        ("2026-03-02T13:59:00+01:00", "frueh", "2026-03-02T06:00+01:00", "2026-03-02T14:00+01:00"),
        ("2026-03-02T14:00:00+01:00", "spaet", "2026-03-02T14:00+01:00", "2026-03-02T22:00+01:00"),
        ("2026-03-02T22:00:00+01:00", "nacht", "2026-03-02T22:00+01:00", "2026-03-03T06:00+01:00"),
        ("2026-03-02T23:30:00Z", "nacht", "2026-03-02T22:00+01:00", "2026-03-03T06:00+01:00"),
        # Clocks go forward on 29 March: that night is seven hours long.
        ("2026-03-29T04:00:00+02:00", "nacht", "2026-03-28T22:00+01:00", "2026-03-29T06:00+02:00"),
        # And back on 25 October: nine hours.
        ("2026-10-25T02:30:00+01:00", "nacht", "2026-10-24T22:00+02:00", "2026-10-25T06:00+01:00"),
    ],
)
def test_shift_boundaries(moment, code, start, end):
    shift = shift_at(at(moment))
    assert (shift.code, shift.start, shift.end) == (code, at(start), at(end))
    assert shift.start <= at(moment) < shift.end


def location(id_, kind, part_of=None):
    res = {
        "resourceType": "Location",
        "id": id_,
        "name": id_.upper(),
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": kind}]},
    }
    if part_of:
        res["partOf"] = {"reference": f"Location/{part_of}"}
    return res


def entry(place, kind, start, end=None):
    return {
        "location": {"reference": f"Location/{place}"},
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": kind}]},
        "status": "completed" if end else "active",
        "period": {"start": start, **({"end": end} if end else {})},
    }


def stay(id_, start, places):
    return {
        "resourceType": "Encounter",
        "id": id_,
        "status": "in-progress",
        "class": {"code": "IMP"},
        "subject": {"reference": f"Patient/p-{id_}"},
        "period": {"start": start},
        "location": places,
    }


def patient(id_, born):
    return {
        "resourceType": "Patient",
        "id": id_,
        "name": [{"family": id_.upper(), "given": ["X"]}],
        "birthDate": born,
    }


def observation(enc, code, value, when, category="vital-signs", flag=None):
    res = {
        "resourceType": "Observation",
        "id": f"o-{enc}-{code}-{when}",
        "status": "final",
        "category": [{"coding": [{"code": category}]}],
        "code": {"coding": [{"system": LOINC, "code": code, "display": f"Test {code}"}]},
        "subject": {"reference": f"Patient/p-{enc}"},
        "encounter": {"reference": f"Encounter/{enc}"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "code": "/min"},
    }
    if flag:
        res["interpretation"] = [{"coding": [{"system": INTERPRETATION, "code": flag}]}]
    return res


def task(id_, enc, status, due, finished=None, **extra):
    res = {
        "resourceType": "Task",
        "id": id_,
        "meta": {"versionId": "1"},
        "status": status,
        "intent": "order",
        "priority": "routine",
        "code": {"coding": [{"code": "medikation"}]},
        "for": {"reference": f"Patient/p-{enc}"},
        "encounter": {"reference": f"Encounter/{enc}"},
        "location": {"reference": "Location/w1"},
        "restriction": {"period": {"end": due}},
    }
    if finished:
        res["executionPeriod"] = {"start": finished, "end": finished}
    return res | extra


NOW = at("2026-03-02T11:00:00+01:00")  # early shift, began 06:00


@pytest.fixture
def ward():
    locations = [location("w1", "wa"), location("w2", "wa"), location("r1", "ro", "w1")]
    locations += [location(f"b{n}", "bd", "r1") for n in (1, 2, 3)]
    encounters = [
        # In since yesterday: nothing new but a result and a completed task.
        stay(
            "e1",
            "2026-03-01T09:00:00+01:00",
            [
                entry("w1", "wa", "2026-03-01T09:00:00+01:00"),
                entry("b1", "bd", "2026-03-01T09:00:00+01:00"),
            ],
        ),
        # Admitted this shift.
        stay(
            "e2",
            "2026-03-02T07:30:00+01:00",
            [
                entry("w1", "wa", "2026-03-02T07:30:00+01:00"),
                entry("b2", "bd", "2026-03-02T07:30:00+01:00"),
            ],
        ),
        # Transferred in from w2 this shift.
        stay(
            "e3",
            "2026-02-27T12:00:00+01:00",
            [
                entry("w2", "wa", "2026-02-27T12:00:00+01:00", "2026-03-02T09:15:00+01:00"),
                entry("w1", "wa", "2026-03-02T09:15:00+01:00"),
                entry("b3", "bd", "2026-03-02T09:15:00+01:00"),
            ],
        ),
    ]
    observations = [
        observation("e1", "8867-4", 120, "2026-03-01T20:00:00+01:00"),
        observation("e1", "8867-4", 88, "2026-03-02T08:00:00+01:00"),
        observation("e1", "2823-3", 5.9, "2026-03-02T08:30:00+01:00", "laboratory", "H"),
        observation("e1", "2823-3", 4.0, "2026-03-01T08:30:00+01:00", "laboratory", "N"),
        observation("e2", "8867-4", 130, "2026-03-02T08:00:00+01:00"),
        observation("e3", "8867-4", 130, "2026-03-02T08:00:00+01:00"),
    ]
    tasks = [
        task("t1", "e1", "completed", "2026-03-02T08:00:00+01:00", "2026-03-02T08:10:00+01:00"),
        task("t2", "e1", "completed", "2026-03-01T20:00:00+01:00", "2026-03-01T20:10:00+01:00"),
        task("t3", "e1", "requested", "2026-03-02T10:00:00+01:00"),
        task("t4", "e2", "ready", "2026-03-02T12:00:00+01:00"),
    ]
    patients = [patient("p-e1", "1950-06-01"), patient("p-e2", "1990-01-01")]
    patients.append(patient("p-e3", "2015-01-01"))  # a child: vitals shown without flags
    enc = frames(encounters, "Encounter")
    placements = current_placements(enc["encounter"], enc["encounter_location"], NOW)
    return handover(
        placements,
        enc["encounter_location"],
        with_hierarchy(frames(locations, "Location")["location"]),
        frames(tasks, "Task")["task"],
        frames(observations, "Observation")["observation"],
        "w1",
        NOW,
        patients=frames(patients, "Patient")["patient"],
    )


def test_what_happened_since_the_shift_began(ward):
    assert ward.shift.code == "frueh"
    events = {
        (e.encounter_id, e.kind, next((v for v in (e.code, e.text) if isinstance(v, str)), None))
        for e in ward.events.itertuples()
    }
    assert events == {
        ("e1", "result", "2823-3"),
        ("e1", "task_done", "medikation"),
        ("e2", "admission", None),
        ("e3", "transfer", "W1 / B3"),
    }
    result = ward.events[ward.events["kind"] == "result"].iloc[0]
    assert result["flag"] == "H" and result["value"] == 5.9


def test_open_work_and_last_vitals_per_patient(ward):
    patients = ward.patients.set_index("encounter_id")
    assert patients.loc["e1", ["open", "overdue"]].tolist() == [1, 1]
    assert patients.loc["e2", ["open", "overdue"]].tolist() == [1, 0]
    assert patients.loc["e3", "age"] == 11
    vitals = ward.vitals.set_index("encounter_id")
    assert vitals.loc["e1", "value"] == 88 and pd.isna(vitals.loc["e1", "flag"])
    assert points("pulse", vitals.loc["e2", "value"]) == 2 and vitals.loc["e2", "flag"] == "H"
    assert pd.isna(vitals.loc["e3", "flag"]), "no adult limits for a child"
    # A pulse alone is no NEWS2 set: the handover says what is missing instead of a score.
    scores = ward.news2.set_index("encounter_id")
    assert scores.loc["e2", "status"] == "incomplete" and pd.isna(scores.loc["e2", "score"])
    assert scores.loc["e2", "partial"] == 2 and "pulse" not in scores.loc["e2", "missing"]
    assert scores.loc["e3", "status"] == "not_applicable"


def test_sheet_and_printable_view(ward):
    german, english = sheet(ward, "de"), sheet(ward, "en")
    assert len(german) == len(english) == 3
    assert "Seit Schichtbeginn" in german.columns and "Since the shift began" in english.columns
    first = english.set_index("Bed").loc["B1"]
    # The lab result by its short name (services.lab_labels), not the source's display.
    assert "Potassium 5.9 /min ↑" in first["Since the shift began"]
    assert "completed: Medication" in first["Since the shift began"]
    assert "overdue" in first["Open tasks"]
    assert english.set_index("Bed").loc["B2", "Last vitals"] == "HR 130 /min ↑"
    assert (
        english.set_index("Bed")
        .loc["B2", "NEWS2"]
        .startswith(
            "incomplete (missing: Respiration rate, SpO₂, Air or oxygen, Systolic blood pressure, "
            "Consciousness (ACVPU), Temperature; 2 points so far)"
        )
    )
    blocks = printable(german, "de")
    # The stays name no room: the sheet says so instead of printing a missing value.
    assert len(blocks) == 3 and all(b.startswith("#### nicht erfasst · B") for b in blocks)
    csv = german.to_csv(index=False)
    assert csv.splitlines()[0].startswith("Zimmer,Bett,Patient/in")


@pytest.fixture(scope="module")
def network():
    return generate(42, PRESETS["test"], AS_OF)


def test_every_patient_and_task_of_the_generated_wards(network):
    def table(resource_type: str) -> dict[str, pd.DataFrame]:
        return frames(network.resources[resource_type], resource_type)

    truth = network.ground_truth
    now = pd.Timestamp(truth["as_of"]).tz_convert("Europe/Berlin")
    enc = table("Encounter")
    placements = current_placements(enc["encounter"], enc["encounter_location"], now)
    locations = with_hierarchy(table("Location")["location"])
    tasks, observations = table("Task")["task"], table("Observation")["observation"]
    seen: dict[str, set] = {"state": set(), "resuscitation": set(), "operation": set()}
    for ward_id, census in truth["census_now"].items():
        result = handover(
            placements,
            enc["encounter_location"],
            locations,
            tasks,
            observations,
            ward_id,
            now,
            patients=table("Patient")["patient"],
            flags=table("Flag")["flag"],
            conditions=table("Condition")["condition"],
            procedures=table("Procedure")["procedure"],
            allergies=table("AllergyIntolerance")["allergy_intolerance"],
        )
        assert len(result.patients) == census, ward_id
        # Resuscitation status, mobility and pain as the generator wrote them; nothing recorded
        # stays empty, never a guess.
        for row in result.patients.itertuples(index=False):
            expected = truth["nursing"][row.encounter_id]
            resuscitation = row.resuscitation if isinstance(row.resuscitation, str) else None
            assert resuscitation == expected["resuscitation"], row.encounter_id
            assert row.mobility == expected["mobility"], row.encounter_id
            if expected["pain"] is None:
                assert pd.isna(row.pain), row.encounter_id
            else:
                assert row.pain == expected["pain"]["score"], row.encounter_id
                assert row.pain_at == pd.Timestamp(expected["pain"]["taken"]), row.encounter_id
            assert isinstance(row.diagnosis, str), "every stay has its admitting diagnosis"
            seen["state"].add(row.allergy_state)
            seen["resuscitation"].add(resuscitation)
            seen["operation"].add(pd.notna(row.operation_day))
        # The handover scores NEWS2 as the generator drew it (ground truth per stay).
        for row in result.news2.itertuples(index=False):
            expected = truth["news2"][row.encounter_id]
            assert row.status == expected["status"], row.encounter_id
            if expected["status"] in ("complete", "incomplete"):
                assert row.partial == expected["partial"], row.encounter_id
                assert row.band == expected["band"], row.encounter_id
                assert list(row.missing) == expected["missing"], row.encounter_id
                assert row.scale == expected["scale"], row.encounter_id
        assert result.patients["open"].sum() == truth["tasks_open"][ward_id], ward_id
        assert result.patients["overdue"].sum() == truth["tasks_overdue"][ward_id], ward_id
        # The generator takes vitals of everybody in hospital now on the last rounds.
        assert set(result.vitals["encounter_id"]) <= set(result.patients["encounter_id"])
        table_de = sheet(result, "de")
        assert len(table_de) == census
        cells = {str(v) for v in table_de.to_numpy().ravel()}
        assert not cells & {"None", "nan", "NaN", "NaT", "<NA>"}, ward_id
    # The network holds every case the sheet must word: none recorded, none known, known; no
    # decision, each decision; with and without an operation.
    assert seen["state"] == {"known", "none_known", "not_recorded"}
    assert seen["resuscitation"] == {None, "rea", "keine-rea", "keine-rea-keine-intubation"}
    assert seen["operation"] == {True, False}


LATE = at("2026-03-02T22:05:00+01:00")  # five minutes into the night shift


def note(author, time, text):
    return {"authorReference": {"reference": f"Practitioner/{author}"}, "time": time, "text": text}


@pytest.fixture
def late_ward():
    locations = [location("w1", "wa"), location("r1", "ro", "w1"), location("b1", "bd", "r1")]
    enc = frames(
        [
            stay(
                "e1",
                "2026-03-01T09:00:00+01:00",
                [
                    entry("w1", "wa", "2026-03-01T09:00:00+01:00"),
                    entry("b1", "bd", "2026-03-01T09:00:00+01:00"),
                ],
            )
        ],
        "Encounter",
    )
    nurse = {
        "resourceType": "Practitioner",
        "id": "n1",
        "name": [{"family": "Keller", "given": ["Anna"]}],
    }
    tasks = frames(
        [
            # Done by the late shift at 21:50, with what the nurse noted.
            task(
                "t1",
                "e1",
                "completed",
                "2026-03-02T21:30:00+01:00",
                "2026-03-02T21:50:00+01:00",
                description="Enoxaparin 40 mg s.c. 1x täglich abends",
                note=[note("n1", "2026-03-02T21:50:00+01:00", "Schmerz NRS 4")],
            ),
            # Still open; a note written at 21:40 and an older one of the afternoon.
            task(
                "t2",
                "e1",
                "ready",
                "2026-03-02T23:00:00+01:00",
                description="Verbandswechsel Hüfte lateral, Wunde beurteilen",
                note=[
                    note("n1", "2026-03-02T15:00:00+01:00", "Verband trocken"),
                    note("n1", "2026-03-02T21:40:00+01:00", "Wundrand gerötet"),
                ],
            ),
        ],
        "Task",
    )
    return {
        "placed": current_placements(enc["encounter"], enc["encounter_location"], LATE),
        "enc_locations": enc["encounter_location"],
        "locations": with_hierarchy(frames(locations, "Location")["location"]),
        "tasks": tasks,
        "practitioners": frames([nurse], "Practitioner")["practitioner"],
    }


def late_handover(late_ward, overlap_minutes):
    tasks = late_ward["tasks"]
    empty = tasks["task"].iloc[:0]
    return handover_view(
        late_ward["placed"],
        late_ward["enc_locations"],
        late_ward["locations"],
        tasks["task"][tasks["task"]["status"] != "completed"],
        tasks["task"][tasks["task"]["status"] == "completed"],
        empty,
        frames([], "Observation")["observation"],
        "w1",
        LATE,
        notes=tasks["task_note"],
        own_notes=tasks["task_note"].iloc[:0],
        practitioners=late_ward["practitioners"],
        overlap=timedelta(minutes=overlap_minutes),
    )


def test_the_late_shift_stays_on_the_sheet_during_the_overlap(late_ward):
    assert late_handover(late_ward, 0).events.empty, "22:00 sharp: nothing happened yet"
    result = late_handover(late_ward, 30)
    assert result.since == at("2026-03-02T21:30:00+01:00")
    assert list(result.events["kind"]) == ["note", "task_done"]


def test_the_sheet_says_what_was_ordered_and_what_was_noted(late_ward):
    table = sheet(late_handover(late_ward, 30), "de").iloc[0]
    events = table["Seit Schichtbeginn"]
    assert (
        "21:50 erledigt: Medikation – Enoxaparin 40 mg s.c. 1x täglich abends "
        "(Notiz Keller, Anna: Schmerz NRS 4)" in events
    )
    assert "21:40 Notiz zu Medikation (Keller, Anna): Wundrand gerötet" in events
    assert "Verband trocken" not in events, "a note of the afternoon is not this shift's"
    assert "Medikation: Verbandswechsel Hüfte lateral, Wunde beurteilen" in table["Offene Aufgaben"]


def test_the_sheet_reads_a_full_news2_set(network):
    """A generated stay with a complete set: the sheet names its score and reads ACVPU by letter."""
    truth = network.ground_truth
    now = pd.Timestamp(truth["as_of"]).tz_convert("Europe/Berlin")
    encounter_id, expected = next(
        (e, v)
        for e, v in sorted(truth["news2"].items())
        if v["status"] == "complete" and v["band"] == "high"
    )

    def table(resource_type: str) -> dict[str, pd.DataFrame]:
        return frames(network.resources[resource_type], resource_type)

    enc = table("Encounter")
    result = handover(
        current_placements(enc["encounter"], enc["encounter_location"], now),
        enc["encounter_location"],
        with_hierarchy(table("Location")["location"]),
        table("Task")["task"],
        table("Observation")["observation"],
        expected["ward_id"],
        now,
        patients=table("Patient")["patient"],
        flags=table("Flag")["flag"],
    )
    row = result.patients.reset_index(drop=True)
    where = row.index[row["encounter_id"] == encounter_id][0]
    english = sheet(result, "en").iloc[where]
    assert english["NEWS2"].startswith(f"{expected['score']} · ▲▲▲ high")
    assert re.search(r"ACVPU [ACVPU]", english["Last vitals"])
    assert "O₂ " in english["Last vitals"]
