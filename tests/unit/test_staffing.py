"""PpUGV staffing floors over hand-made frames: the shifts and their counting times, patients at
12:00 and midnight, nurse-hours on duty, the floor per shift, the monthly average, the report."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from services.codes import SHIFT
from services.config import StaffingFloors, load_settings
from services.domain.staffing import (
    judge,
    monthly_averages,
    nurses_on_duty,
    patients_at_counting,
    ppugv_shifts,
    quarter_of,
    quarterly_report,
    ward_floors,
)
from services.views.staffing import staffing_view
from tests.support.frames import frames

pytestmark = pytest.mark.unit

BERLIN = "Europe/Berlin"
DAY = date(2026, 3, 2)
LATER = pd.Timestamp("2026-03-10T12:00", tz=BERLIN)


def ts(text: str | None) -> pd.Timestamp:
    return pd.Timestamp(text, tz=BERLIN) if text else pd.NaT


def periods(*rows: tuple[str, str, str | None]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "ward_id": [r[0] for r in rows],
            "start": pd.Series([ts(r[1]) for r in rows], dtype=f"datetime64[ns, {BERLIN}]"),
            "end": pd.Series([ts(r[2]) for r in rows], dtype=f"datetime64[ns, {BERLIN}]"),
        }
    )
    return frame.assign(department="0100")


def duty(*rows: tuple) -> pd.DataFrame:
    """Rows (appointment id, status, ward, start, end, role, participation)."""
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "status": [r[1] for r in rows],
            "ward_id": [r[2] for r in rows],
            "shift": "frueh",
            "start": pd.Series([ts(r[3]) for r in rows], dtype=f"datetime64[ns, {BERLIN}]"),
            "end": pd.Series([ts(r[4]) for r in rows], dtype=f"datetime64[ns, {BERLIN}]"),
            "role_id": [r[5] for r in rows],
            "participation": [r[6] for r in rows],
        }
    )


def test_the_day_shift_is_counted_at_noon_and_the_night_at_the_midnight_within_it():
    shifts = ppugv_shifts([DAY]).set_index("shift")
    assert shifts.loc["day", "start"] == ts("2026-03-02T06:00")
    assert shifts.loc["day", "end"] == ts("2026-03-02T22:00")
    assert shifts.loc["day", "counted_at"] == ts("2026-03-02T12:00")
    assert shifts.loc["night", "start"] == ts("2026-03-02T22:00")
    assert shifts.loc["night", "end"] == ts("2026-03-03T06:00")
    assert shifts.loc["night", "counted_at"] == ts("2026-03-03T00:00")


def test_the_night_of_the_clock_change_lasts_nine_hours():
    night = ppugv_shifts([date(2026, 10, 24)]).set_index("shift").loc["night"]
    assert night["end"] - night["start"] == pd.Timedelta(hours=9)


def test_patients_are_those_present_at_the_counting_time_only():
    stays = periods(
        ("W", "2026-03-02T08:00", "2026-03-02T13:00"),  # at noon, gone by midnight
        ("W", "2026-03-02T12:00", None),  # arrives at noon: counted then and at midnight
        ("W", "2026-03-02T22:30", "2026-03-02T23:30"),  # within the night, not at midnight
        ("W", "2026-03-02T23:00", "2026-03-03T00:00"),  # leaves at midnight: not counted
        ("W", "2026-03-03T00:00", "2026-03-04T10:00"),  # arrives at midnight: counted
        ("X", "2026-03-01T10:00", None),  # another ward
    )
    out = patients_at_counting(stays, ppugv_shifts([DAY]), ["W", "X"], LATER)
    got = {(w, s): n for w, s, n in zip(out["ward_id"], out["shift"], out["patients"], strict=True)}
    assert got == {("W", "day"): 2, ("W", "night"): 2, ("X", "day"): 1, ("X", "night"): 1}
    assert not out["provisional"].any()


def test_a_counting_time_still_to_come_counts_the_patients_now_provisionally():
    stays = periods(("W", "2026-03-02T08:00", "2026-03-02T13:00"), ("W", "2026-03-02T12:00", None))
    now = ts("2026-03-02T10:00")
    out = patients_at_counting(stays, ppugv_shifts([DAY]), ["W"], now).set_index("shift")
    assert out.loc["day", "patients"] == 1
    assert out.loc["day", "provisional"]
    assert out.loc["night", "provisional"]


def test_nurses_are_the_rostered_hours_within_the_shift_over_its_hours():
    roster = duty(
        ("e", "fulfilled", "W", "2026-03-02T06:00", "2026-03-02T14:00", "n1", "accepted"),
        ("e", "fulfilled", "W", "2026-03-02T06:00", "2026-03-02T14:00", "n2", "accepted"),
        ("e", "fulfilled", "W", "2026-03-02T06:00", "2026-03-02T14:00", "n3", "declined"),
        ("e", "fulfilled", "W", "2026-03-02T06:00", "2026-03-02T14:00", "doc", "accepted"),
        ("l", "fulfilled", "W", "2026-03-02T14:00", "2026-03-02T22:00", "n4", "accepted"),
        ("m", "fulfilled", "W", "2026-03-02T12:00", "2026-03-02T20:00", "n5", "accepted"),
        ("x", "cancelled", "W", "2026-03-02T14:00", "2026-03-02T22:00", "n6", "accepted"),
        # The night before ends at 06:00 and gives the day shift nothing.
        ("p", "fulfilled", "W", "2026-03-01T22:00", "2026-03-02T06:00", "n7", "accepted"),
        ("n", "booked", "W", "2026-03-02T22:00", "2026-03-03T06:00", "n7", "accepted"),
    )
    nurses = {f"n{i}" for i in range(1, 8)}
    out = nurses_on_duty(roster, nurses, ppugv_shifts([DAY])).set_index("shift")
    # (2 x 8 h early + 8 h late + 8 h of the 12-20 shift) / 16 h
    assert out.loc["day", "nurses"] == pytest.approx(2.0)
    assert out.loc["night", "nurses"] == pytest.approx(1.0)


def test_a_ward_with_a_roster_but_no_nurse_on_a_shift_has_none():
    roster = duty(
        ("e", "fulfilled", "W", "2026-03-02T06:00", "2026-03-02T14:00", "n1", "declined"),
    )
    out = nurses_on_duty(roster, {"n1"}, ppugv_shifts([DAY]))
    assert list(out["nurses"]) == [0.0, 0.0]


def _judged(rows: list[tuple]) -> pd.DataFrame:
    """Rows (ward, date, shift, patients, nurses, provisional); ward I intensive, G without."""
    frame = pd.DataFrame(rows, columns=["ward_id", "date", "shift", "patients", "nurses", "prov"])
    patients = frame[["ward_id", "date", "shift", "patients"]].assign(provisional=frame["prov"])
    nurses = frame[["ward_id", "date", "shift", "nurses"]]
    wards = pd.DataFrame(
        {
            "ward_id": ["I", "G"],
            "hospital_id": ["H", "H"],
            "area": ["intensive_care", None],
            "floor_day": [2.0, float("nan")],
            "floor_night": [3.0, float("nan")],
        }
    )
    return judge(patients, nurses, wards)


def test_a_shift_meets_the_floor_when_patients_per_nurse_do_not_exceed_it():
    out = _judged(
        [
            ("I", DAY, "day", 3, 1.5, False),  # 2.0 per nurse: met, exactly
            ("I", DAY, "night", 4, 1.0, False),  # 4 > 3: not met
            ("I", date(2026, 3, 3), "day", 2, 0.0, False),  # patients without a nurse
            ("I", date(2026, 3, 3), "night", 0, 0.0, False),  # nobody to care for
            ("G", DAY, "day", 9, 1.0, False),  # no PpUGV area
        ]
    )
    got = {(w, d.day, s): st for w, d, s, st in out[["ward_id", "date", "shift", "status"]].values}
    assert got == {
        ("I", 2, "day"): "met",
        ("I", 2, "night"): "not_met",
        ("I", 3, "day"): "not_met",
        ("I", 3, "night"): "met",
        ("G", 2, "day"): "no_floor",
    }
    first = out[(out["ward_id"] == "I") & (out["shift"] == "night") & (out["patients"] == 4)]
    assert first["ratio"].iloc[0] == pytest.approx(4.0)
    assert first["floor"].iloc[0] == 3.0
    # One nurse on duty, 4 / 3 asked for.
    assert first["margin"].iloc[0] == pytest.approx(1.0 - 4 / 3)
    assert pd.isna(out.loc[(out["patients"] == 2), "ratio"].iloc[0])


def test_the_month_is_judged_by_mean_patients_over_mean_nurses():
    out = _judged(
        [
            ("I", date(2026, 3, 1), "day", 1, 1.0, False),  # 1 per nurse
            ("I", date(2026, 3, 2), "day", 5, 2.0, False),  # 2.5 per nurse: below
            ("I", date(2026, 3, 3), "day", 9, 1.0, True),  # still provisional: left out
            ("I", date(2026, 4, 1), "day", 4, 1.0, False),  # the next month
        ]
    )
    month = monthly_averages(out).set_index("month")
    march = month.loc["2026-03"]
    assert march["shifts"] == 2
    assert march["mean_patients"] == pytest.approx(3.0)
    assert march["mean_nurses"] == pytest.approx(1.5)
    # The mean of the two ratios (1.75) is not what PpUGV judges; 3 / 1.5 = 2 meets the floor
    # although one shift of the month fell below it.
    assert march["ratio"] == pytest.approx(2.0)
    assert march["status"] == "met"
    assert march["below"] == 1
    assert march["below_share"] == pytest.approx(0.5)
    assert month.loc["2026-04", "status"] == "not_met"


def test_the_quarterly_report_has_one_row_per_ward_month_and_shift_of_the_quarter():
    out = _judged(
        [
            ("I", date(2026, 3, 31), "night", 3, 1.0, False),
            ("I", date(2026, 3, 31), "day", 3, 2.0, False),
            ("I", date(2026, 2, 1), "day", 3, 2.0, False),
            ("I", date(2026, 4, 1), "day", 3, 2.0, False),
            ("G", date(2026, 3, 1), "day", 3, 2.0, False),
        ]
    )
    report = quarterly_report(monthly_averages(out), date(2026, 2, 14))
    assert list(zip(report["ward_id"], report["month"], report["shift"], strict=True)) == [
        ("I", "2026-02", "day"),
        ("I", "2026-03", "day"),
        ("I", "2026-03", "night"),
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 15), (date(2026, 10, 1), date(2027, 1, 1))),
        (date(2026, 1, 1), (date(2026, 1, 1), date(2026, 4, 1))),
        (date(2026, 6, 30), (date(2026, 4, 1), date(2026, 7, 1))),
    ],
)
def test_quarters(day, expected):
    assert quarter_of(day) == expected


def test_a_ward_takes_its_departments_strictest_area_unless_set_for_the_ward():
    floors = StaffingFloors(wards={"stroke": "neurology_stroke_unit"})
    assert floors.area_of("w", ["3600"]) == "intensive_care"
    assert floors.area_of("w", ["3610"]) == "intensive_care"
    # Surgery allows 20 at night, internal medicine 22: a mixed ward takes surgery's.
    assert floors.area_of("w", ["0100", "1600"]) == "general_surgery_trauma"
    assert floors.area_of("w", ["1000", "3600"]) == "intensive_care"
    assert floors.area_of("stroke", ["2800"]) == "neurology_stroke_unit"
    assert floors.area_of("w", ["3700"]) is None
    with pytest.raises(ValueError, match="unknown PpUGV areas"):
        StaffingFloors(wards={"w": "cardiac_surgery"})


def test_a_ward_without_a_department_takes_its_patients_departments():
    locations = pd.DataFrame(
        {
            "id": ["A", "B", "R"],
            "physical_type": ["wa", "wa", "ro"],
            "hospital_id": ["H", "H", "H"],
            "department": ["2800", None, None],
        }
    )
    stays = pd.DataFrame({"ward_id": ["B", "B"], "department": ["0100", "0200"]})
    out = ward_floors(locations, stays, StaffingFloors()).set_index("ward_id")
    assert list(out.index) == ["A", "B"]
    assert out.loc["A", "area"] == "neurology"
    assert out.loc["B", "area"] == "geriatrics"
    assert (out.loc["B", "floor_day"], out.loc["B", "floor_night"]) == (10.0, 20.0)


def test_wards_set_in_the_environment(monkeypatch):
    monkeypatch.setenv("MEDICUS_PPUGV_WARDS", '{"loc-kph-w01": "neurology_stroke_unit"}')
    floors = load_settings().staffing_floors
    assert floors.area_of("loc-kph-w01", ["2800"]) == "neurology_stroke_unit"
    assert floors.areas["neurology_stroke_unit"] == (3.0, 5.0)


def test_the_roster_extractor_gives_one_row_per_nurse_and_the_ward():
    appointment = {
        "resourceType": "Appointment",
        "id": "dst-1",
        "status": "fulfilled",
        "serviceType": [{"coding": [{"system": SHIFT, "code": "nacht"}]}],
        "start": "2026-03-02T22:00:00+01:00",
        "end": "2026-03-03T06:00:00+01:00",
        "participant": [
            {"actor": {"reference": "Location/W"}, "status": "accepted"},
            {"actor": {"reference": "PractitionerRole/n1"}, "status": "accepted"},
            {"actor": {"reference": "PractitionerRole/n2"}, "status": "declined"},
        ],
    }
    empty = {**appointment, "id": "dst-2", "participant": appointment["participant"][:1]}
    out = frames([appointment, empty], "Appointment")["duty"]
    assert list(out["role_id"].fillna("-")) == ["n1", "n2", "-"]
    assert list(out["participation"].fillna("-")) == ["accepted", "declined", "-"]
    assert set(out["ward_id"]) == {"W"}
    assert set(out["shift"]) == {"nacht"}
    assert out["end"].iloc[0] == ts("2026-03-03T06:00")


def test_without_a_roster_the_view_says_so_and_shows_nothing():
    locations = pd.DataFrame(
        {
            "id": ["W"],
            "name": ["Station W"],
            "physical_type": ["wa"],
            "hospital_id": ["H"],
            "department": ["0100"],
        }
    )
    encounters = frames(
        [
            {
                "resourceType": "Encounter",
                "id": "e1",
                "status": "in-progress",
                "class": {"code": "IMP"},
                "period": {"start": "2026-03-01T08:00:00+01:00"},
                "location": [
                    {
                        "location": {"reference": "Location/W"},
                        "physicalType": {"coding": [{"code": "wa"}]},
                        "period": {"start": "2026-03-01T08:00:00+01:00"},
                    }
                ],
            }
        ],
        "Encounter",
    )
    empty_duty = frames([], "Appointment")["duty"]
    roles = frames([], "PractitionerRole")["practitioner_role"]
    organizations = pd.DataFrame({"id": ["H"], "name": ["Klinik H"]})
    view = staffing_view(
        locations,
        organizations,
        encounters["encounter"],
        encounters["encounter_location"],
        empty_duty,
        roles,
        LATER,
        DAY,
        StaffingFloors(),
    )
    assert not view.has_roster
    assert view.today.empty and view.month.empty and view.report.empty
