"""The figures behind the manager's and the admin's questions, on frames built by hand: free
beds per kind of care, blocked beds, discharges today, the ward ranking, Belegungstage and the
InEK comparison, free beds expected, and the audit trail resolved to persons."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from services.domain.audit_trail import (
    access_report,
    day_bounds,
    filter_trail,
    per_patient,
    person_keys,
    with_persons,
)
from services.domain.census import belegungstage, length_of_stay, with_inek_mean
from services.domain.forecast import expected_free_beds
from services.domain.placing import blocked_reasons, care_group, discharges_today, free_by_care
from services.domain.ward_load import completed_per_ward, nurse_shifts_per_ward, ward_ranking

pytestmark = pytest.mark.unit

NOW = pd.Timestamp("2025-11-28 10:00", tz="Europe/Berlin")


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Europe/Berlin")


def beds(*rows: tuple) -> pd.DataFrame:
    columns = ["source", "hospital_id", "ward_id", "bed_id", "bed_category", "status"]
    frame = pd.DataFrame([row[:6] for row in rows], columns=columns)
    frame["block_reason"] = [row[6] if len(row) > 6 else None for row in rows]
    return frame


BEDS = beds(
    ("S", "A", "wa1", "b1", "icu-high-care", "U"),
    ("S", "A", "wa1", "b2", "icu-low-care", "O"),
    ("S", "A", "wa1", "b3", "icu-low-care", "O"),
    ("S", "A", "wa2", "b4", "imc", "H", "reinigung"),
    ("S", "A", "wa3", "b5", "general", "U"),
    ("S", "A", "wa3", "b6", None, "R"),
    ("S", "B", "wb1", "b7", "general", "C", "personal"),
    ("S", "B", "wb1", "b8", "general", "C", "personal"),
    ("S", "B", "wb1", "b9", "ecmo", "U"),
)


def test_care_groups_join_both_icu_categories_and_keep_unknown_ones():
    groups = care_group(pd.Series(["icu-high-care", "icu-low-care", "imc", "general", "x", None]))
    assert groups.tolist() == ["icu", "icu", "imc", "general", "x", "general"]


def test_discharges_today_go_by_the_berlin_date_of_the_planned_end():
    placed = pd.DataFrame(
        {
            "source": "S",
            "hospital_id": "A",
            "bed_id": ["b2", "b3", "b5", "b6", None],
            "planned_end": [
                at("2025-11-28 18:00"),
                # 00:30 on the 29th in Berlin is 23:30 UTC on the 28th: tomorrow, not today.
                pd.Timestamp("2025-11-28 23:30", tz="UTC"),
                at("2025-11-27 12:00"),
                pd.NaT,
                at("2025-11-28 09:00"),
            ],
        }
    )
    placed["planned_end"] = pd.to_datetime(placed["planned_end"], utc=True)
    due = discharges_today(placed, NOW)
    assert due["bed_id"].fillna("none").tolist() == ["b2", "b5", "none"]


def test_free_beds_per_hospital_and_kind_of_care():
    leaving = pd.DataFrame({"source": ["S", "S"], "hospital_id": "A", "bed_id": ["b2", "b5"]})
    table = free_by_care(BEDS, leaving).set_index(["hospital_id", "group"])
    assert table.loc[("A", "icu")].to_dict() == {
        "total": 3,
        "free": 1,
        "occupied": 2,
        "blocked": 0,
        # b5 is free already: only an occupied bed can be left today.
        "leaving_today": 1,
    }
    assert table.loc[("A", "imc"), "blocked"] == 1
    assert table.loc[("A", "general")].to_dict() == {
        "total": 2,
        "free": 1,
        "occupied": 0,
        "blocked": 1,
        "leaving_today": 0,
    }
    assert table.loc[("B", "general"), "free"] == 0
    assert table.loc[("B", "ecmo"), "free"] == 1
    order = free_by_care(BEDS, leaving.iloc[:0])
    assert order[order["hospital_id"] == "A"]["group"].tolist() == ["icu", "imc", "general"]


def test_blocked_beds_are_counted_with_their_reasons():
    blocked = blocked_reasons(BEDS)
    rows = blocked.to_dict("records")
    assert rows[0] == {
        "hospital_id": "A",
        "ward_id": "wa2",
        "group": "imc",
        "status": "H",
        "block_reason": "reinigung",
        "beds": 1,
    }
    reserved = next(r for r in rows if r["status"] == "R")
    assert pd.isna(reserved["block_reason"]) and reserved["group"] == "general"
    closed = next(r for r in rows if r["hospital_id"] == "B")
    assert closed["beds"] == 2 and closed["block_reason"] == "personal"
    assert blocked["beds"].sum() == 4


def test_belegungstage_count_the_admission_day_not_the_discharge_day():
    start = pd.Series(
        [
            at("2025-11-01 23:00"),
            at("2025-11-01 08:00"),
            at("2025-11-01 08:00"),
            at("2025-11-01 20:00"),
        ]
    )
    end = pd.Series(
        [
            at("2025-11-02 01:00"),  # two hours over midnight: one day
            at("2025-11-01 18:00"),  # same day: that day counts
            at("2025-11-05 07:00"),  # 1st to 5th: four days
            at("2025-11-04 08:00"),  # 3.5 days by the clock, three Belegungstage
        ]
    )
    assert belegungstage(start, end).tolist() == [1, 1, 4, 3]


def test_length_of_stay_per_hospital_and_department_next_to_the_inek_mean():
    stays = pd.DataFrame(
        {
            "class": "IMP",
            "status": "finished",
            "hospital_id": ["A", "A", "B"],
            "department": ["0100", "0100", "1500"],
            "start": [at("2025-11-01 08:00"), at("2025-11-03 22:00"), at("2025-11-02 10:00")],
            "end": [at("2025-11-04 08:00"), at("2025-11-04 09:00"), at("2025-11-02 15:00")],
        }
    )
    los = length_of_stay(stays, at("2025-11-01"), NOW, by=["hospital_id", "department"])
    assert los[["hospital_id", "department", "stays"]].values.tolist() == [
        ["A", "0100", 2],
        ["B", "1500", 1],
    ]
    assert los["mean_days"].tolist() == [2.0, 1.0]
    compared = with_inek_mean(los, {"0100": 5.5})
    assert compared["inek_mean_days"].iloc[0] == 5.5
    assert compared["above_inek_days"].iloc[0] == pytest.approx(-3.5)
    assert pd.isna(compared["inek_mean_days"].iloc[1])
    assert pd.isna(compared["above_inek_days"].iloc[1])


def test_the_ward_ranking_puts_the_fullest_ward_first():
    census = pd.DataFrame(
        {
            "ward_id": ["w1"] * 3 + ["w2"] * 3 + ["w3"] * 3,
            "census": [8, 9, 10, 5, 10, 6, 0, 0, 0],
        }
    )
    beds_in_service = pd.DataFrame(
        {
            "hospital_id": ["A", "A", "B", "B"],
            "ward_id": ["w1", "w2", "w3", "w4"],
            "beds": [10, 10, 0, 4],
        }
    )
    tasks = pd.DataFrame(
        {
            "ward_id": ["w1"] * 3 + ["w2", None],
            "status": ["completed"] * 4 + ["completed"],
            "exec_end": [at("2025-11-27 10:00")] * 2 + [at("2025-11-01 10:00")] * 3,
        }
    )
    done = completed_per_ward(tasks, at("2025-11-22"), NOW)
    assert done.set_index("ward_id")["tasks"].to_dict() == {"w1": 2}
    on_duty = pd.DataFrame({"ward_id": ["w1", "w1", "w2"], "nurses": [2.0, 2.0, 1.0]})
    shifts = nurse_shifts_per_ward(on_duty)
    ranking = ward_ranking(census, beds_in_service, done, shifts)
    assert ranking["ward_id"].tolist() == ["w1", "w2", "w4", "w3"]
    first = ranking.iloc[0]
    assert first["occupancy"] == pytest.approx(0.9)
    assert first["peak_census"] == 10
    assert first["tasks_per_nurse"] == pytest.approx(0.5)
    assert ranking.iloc[1]["tasks_per_nurse"] == 0
    # No roster: no figure rather than zero; no beds in service: no occupancy, ranked last.
    assert pd.isna(ranking.iloc[2]["tasks_per_nurse"])
    assert pd.isna(ranking.iloc[3]["occupancy"]) and ranking["rank"].tolist() == [1, 2, 3, 4]


def test_free_beds_expected_are_the_beds_in_service_less_the_census_range():
    coming = pd.DataFrame(
        {
            "date": [date(2025, 11, 29), date(2025, 11, 30)],
            "expected": [84.4, 99.0],
            "low": [80.2, 95.0],
            "high": [88.1, 104.0],
        }
    )
    free = expected_free_beds(coming, 100)
    assert free[["free_low", "free_expected", "free_high"]].values.tolist() == [
        [11, 16, 20],
        [0, 1, 5],
    ]


def trail() -> pd.DataFrame:
    def event(hours: int, user: str, ids: str | None, purpose: str | None = None, reason=None):
        return {
            "recorded": NOW - pd.Timedelta(hours=hours),
            "user": user,
            "user_name": user.title(),
            "role": "physician",
            "action": "R",
            "page": "timeline",
            "patient_id": ids.split()[0] if ids else None,
            "patient_ids": ids,
            "purpose": purpose,
            "reason": reason,
            "source": "Plattform",
            "patient_source": "Plattform",
        }

    return pd.DataFrame(
        [
            event(30, "arzt.a", "pat-a-1"),
            event(
                20, "arzt.b", "pat-b-7", "ETREAT", "notfall: bewusstlos eingeliefert, Vorbefunde"
            ),
            event(3, "pflege.a", "pat-a-1 pat-a-2"),
            event(2, "admin", None),
        ]
    )


PATIENTS = pd.DataFrame(
    {
        "source": "Plattform",
        "id": ["pat-a-1", "pat-b-7", "pat-a-2"],
        "hospital_id": ["org-a", "org-b", "org-a"],
        "kvnr": ["A123456789", "A123456789", None],
        "mrn": ["1", "7", "2"],
        "pseudonym": None,
        "family": ["Muster", "Muster", "Beispiel"],
        "given": ["Erika", "Erika", "Max"],
    }
)


def test_one_row_per_event_and_person_it_showed():
    rows = per_patient(trail())
    ids = rows["patient_id"].fillna("none").tolist()
    assert ids == ["pat-a-1", "pat-b-7", "pat-a-1", "pat-a-2", "none"]
    assert "patient_ids" not in rows


def test_one_persons_records_at_two_hospitals_are_one_person():
    persons = person_keys(PATIENTS)
    keys = dict(zip(persons["patient_id"], persons["person_key"], strict=True))
    assert keys["pat-a-1"] == keys["pat-b-7"] == "kvnr:A123456789"
    assert keys["pat-a-2"] == "record:Plattform/pat-a-2"
    rows = with_persons(per_patient(trail()), persons)
    report = access_report(rows, "kvnr:A123456789")
    # Every access, oldest first, at either hospital, with the break-glass reason in full.
    assert report["user"].tolist() == ["arzt.a", "arzt.b", "pflege.a"]
    assert set(report["hospital_id"]) == {"org-a", "org-b"}
    assert report["reason"].iloc[1] == "notfall: bewusstlos eingeliefert, Vorbefunde"
    assert report["person"].iloc[0] == "Muster, Erika"


def test_the_filter_finds_a_person_by_name_kvnr_or_record_and_by_days():
    rows = with_persons(per_patient(trail()), person_keys(PATIENTS))
    assert set(filter_trail(rows, patient="muster")["user"]) == {"arzt.a", "arzt.b", "pflege.a"}
    assert len(filter_trail(rows, patient="A123456789")) == 3
    assert filter_trail(rows, patient="pat-a-2")["user"].tolist() == ["pflege.a"]
    start, end = day_bounds(date(2025, 11, 27), date(2025, 11, 27))
    assert (start, end) == (at("2025-11-27"), at("2025-11-28"))
    yesterday = filter_trail(rows, start=start, end=end)
    assert yesterday["user"].tolist() == ["arzt.b", "arzt.a"]
    unknown = with_persons(per_patient(trail()), person_keys(PATIENTS.iloc[:1]))
    assert "record:Plattform/pat-a-2" in set(unknown["person_key"])


def test_one_id_at_two_sources_is_two_people():
    # Ids are each server's own: HAPI numbers new records 1, 2, 3 ... at every hospital.
    patients = pd.DataFrame(
        {
            "source": ["Klinik A", "Klinik B"],
            "id": ["1052", "1052"],
            "hospital_id": ["org-a", "org-b"],
            "kvnr": [None, None],
            "mrn": ["1", "2"],
            "pseudonym": None,
            "family": ["Muster", "Beispiel"],
            "given": ["Erika", "Max"],
        }
    )
    events = trail().iloc[:2].assign(patient_id="1052", patient_ids="1052")
    events["patient_source"] = ["Klinik B", "Klinik A"]
    persons = person_keys(patients)
    assert len(persons) == 2
    rows = with_persons(per_patient(events), persons)
    assert rows["person"].tolist() == ["Beispiel, Max", "Muster, Erika"]
    assert rows["person_key"].tolist() == ["record:Klinik B/1052", "record:Klinik A/1052"]
    assert access_report(rows, "record:Klinik A/1052")["user"].tolist() == ["arzt.b"]
    # An event of no known source (kept locally for the first source) takes the first record.
    loose = with_persons(per_patient(events.assign(patient_source=None)), persons)
    assert set(loose["person"]) == {"Muster, Erika"}
    # A record gone from its source keeps that source in its key.
    gone = with_persons(per_patient(events), persons.iloc[:1])
    assert gone["person_key"].tolist() == ["record:Klinik B/1052", "record:Klinik A/1052"]
    assert gone["person"].isna().tolist() == [True, False]
