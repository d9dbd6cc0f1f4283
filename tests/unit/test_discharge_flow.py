"""Discharge flow (SAFER): the pure figures on hand-made stays at their edges, the managers'
disclosure, and every figure of a generated network against its ground truth, without a server."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from demo_data import PRESETS, generate
from demo_data.timeutil import BERLIN
from services.codes import PLANNED_END, PLANNED_END_RECORDED
from services.domain.census import ward_periods
from services.domain.discharge import (
    discharge_times,
    long_stays,
    monday_of,
    planned_in_time,
    ward_figures,
    weekly_figures,
)
from services.domain.disclosure import SMALL_TEXT, aggregate_only
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from services.views.discharge import discharge_view
from tests.support.frames import frames as frames_of

pytestmark = pytest.mark.unit

ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
NOW = pd.Timestamp("2026-03-30T10:00:00+02:00")  # the day after the switch to summer time


def stay(
    number: int,
    ward: str,
    start: str,
    end: str | None = None,
    planned: str | None = None,
    recorded: str | None = None,
) -> dict:
    """A flat inpatient Encounter with one ward period (plan and its time as given)."""
    period = {"start": start} | ({"end": end} if end else {})
    extension = []
    if planned:
        extension.append({"url": PLANNED_END, "valueDateTime": planned})
    if recorded:
        extension.append({"url": PLANNED_END_RECORDED, "valueDateTime": recorded})
    return {
        "resourceType": "Encounter",
        "id": f"enc-{number}",
        "status": "finished" if end else "in-progress",
        "class": {"system": ACT, "code": "IMP"},
        "subject": {"reference": f"Patient/pat-{number}"},
        "serviceProvider": {"reference": "Organization/org-a"},
        "serviceType": {
            "coding": [
                {
                    "system": "http://fhir.de/CodeSystem/dkgev/Fachabteilungsschluessel",
                    "code": "0100",
                }
            ]
        },
        "period": period,
        "extension": extension,
        "location": [
            {
                "location": {"reference": f"Location/{ward}"},
                "physicalType": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
                            "code": "wa",
                        }
                    ]
                },
                "status": "completed" if end else "active",
                "period": period,
            }
        ],
    }


def tables(resources: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    found = frames_of(resources, "Encounter")
    return found["encounter"], ward_periods(found["encounter"], found["encounter_location"])


def test_a_plan_counts_on_time_up_to_24_hours_after_admission():
    admitted = "2026-03-27T08:00:00+01:00"
    encounters, periods = tables(
        [
            stay(1, "w1", admitted, planned="2026-04-02T10:00:00+02:00", recorded=admitted),
            stay(
                2,
                "w1",
                admitted,
                planned="2026-04-02T10:00:00+02:00",
                recorded="2026-03-28T08:00:00+01:00",
            ),
            stay(
                3,
                "w1",
                admitted,
                planned="2026-04-02T10:00:00+02:00",
                recorded="2026-03-28T08:01:00+01:00",
            ),
            stay(4, "w1", admitted),
            stay(5, "w1", admitted, planned="2026-04-02T10:00:00+02:00"),
            stay(6, "w1", "2026-03-26T23:30:00+01:00", recorded="2026-03-27T01:00:00+01:00"),
        ]
    )
    rows = planned_in_time(periods, encounters, [date(2026, 3, 27)]).set_index("encounter_id")
    assert rows["on_time"].to_dict() == {
        "enc-1": True,
        "enc-2": True,
        "enc-3": False,
        "enc-4": False,
        "enc-5": False,
    }
    assert rows["undated"].to_dict() == {
        "enc-1": False,
        "enc-2": False,
        "enc-3": False,
        "enc-4": False,
        "enc-5": True,
    }
    assert set(rows["week"]) == {date(2026, 3, 23)}
    figures = weekly_figures(rows.reset_index(), discharge_times(periods, []), [date(2026, 3, 23)])
    row = figures.iloc[0]
    assert (row["admitted"], row["on_time"], row["undated"]) == (5, 2, 1)
    # The undated stay is left out: 2 of 4.
    assert row["planned_share"] == pytest.approx(0.5)


def test_before_noon_is_berlin_time_on_the_day_of_discharge():
    _, periods = tables(
        [
            stay(1, "w1", "2026-03-20T09:00:00+01:00", "2026-03-29T11:59:00+02:00"),
            stay(2, "w1", "2026-03-20T09:00:00+01:00", "2026-03-29T12:00:00+02:00"),
            # 10:30 UTC is 11:30 in winter time: before noon in Berlin.
            stay(3, "w2", "2026-03-20T09:00:00+01:00", "2026-03-28T10:30:00+00:00"),
            stay(4, "w2", "2026-03-20T09:00:00+01:00"),
        ]
    )
    rows = discharge_times(periods, [date(2026, 3, 28), date(2026, 3, 29)])
    assert rows.set_index("encounter_id")["before_noon"].to_dict() == {
        "enc-1": True,
        "enc-2": False,
        "enc-3": True,
    }
    assert rows.set_index("encounter_id")["date"].to_dict() == {
        "enc-1": date(2026, 3, 29),
        "enc-2": date(2026, 3, 29),
        "enc-3": date(2026, 3, 28),
    }
    assert discharge_times(periods, [date(2026, 3, 27)]).empty


def test_long_stays_count_from_admission_strictly_beyond_7_and_21_days():
    seven = (NOW - pd.Timedelta(days=7)).isoformat()
    found = frames_of(
        [
            stay(1, "w1", seven),
            stay(2, "w1", (NOW - pd.Timedelta(days=7, minutes=1)).isoformat()),
            stay(3, "w1", (NOW - pd.Timedelta(days=21, minutes=1)).isoformat()),
        ],
        "Encounter",
    )
    encounters = found["encounter"]
    periods = ward_periods(encounters, found["encounter_location"])
    placed = current_placements(found["encounter"], found["encounter_location"], NOW)
    long = long_stays(placed, NOW)
    assert long["encounter_id"].tolist() == ["enc-3", "enc-2"]
    assert long["over_21"].tolist() == [True, False]
    wards = pd.DataFrame({"hospital_id": ["org-a", "org-a"], "ward_id": ["w1", "w3"]})
    figures = ward_figures(
        wards, planned_in_time(periods, encounters, []), discharge_times(periods, []), placed, NOW
    ).set_index("ward_id")
    assert figures.loc["w1", ["inpatients", "over_7", "over_21"]].tolist() == [3, 2, 1]
    # A ward without anything has its row, with zeros and no shares.
    assert figures.loc["w3", ["admitted", "inpatients", "over_7"]].tolist() == [0, 0, 0]
    assert pd.isna(figures.loc["w3", "planned_share"])


def test_monday_of():
    assert monday_of(date(2026, 3, 29)) == date(2026, 3, 23)
    assert monday_of(date(2026, 3, 30)) == date(2026, 3, 30)


# A generated network against its ground truth

AS_OF = datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def network():
    return generate(11, PRESETS["test"], AS_OF)


@pytest.fixture(scope="module")
def inputs(network):
    encounters = frames_of(network.resources["Encounter"], "Encounter")
    locations = with_hierarchy(frames_of(network.resources["Location"], "Location")["location"])
    organizations = frames_of(network.resources["Organization"], "Organization")["organization"]
    return locations, organizations, encounters["encounter"], encounters["encounter_location"]


@pytest.fixture(scope="module")
def ward_names(network):
    return {
        (h["name"], w["name"]): w["id"] for h in network.manifest["hospitals"] for w in h["wards"]
    }


def truth_sums(table: dict, ward: str, days: tuple[date, date]) -> tuple[int, int]:
    first, last = (d.isoformat() for d in days)
    rows = [v for d, v in table.get(ward, {}).items() if first <= d <= last]
    return sum(r[0] for r in rows), sum(r[1] for r in rows)


def test_identified_figures_match_the_ground_truth(network, inputs, ward_names):
    view = discharge_view(*inputs, pd.Timestamp(AS_OF), identified=True)
    truth = network.ground_truth["discharge_flow"]
    assert len(view.wards) == len(ward_names)
    for _, row in view.wards.iterrows():
        ward = ward_names[(row["hospital"], row["ward"])]
        admitted, on_time = truth_sums(truth["edd_within_24h"], ward, view.admissions)
        discharges, before_noon = truth_sums(truth["discharges_before_noon"], ward, view.discharges)
        assert (row["admitted"], row["on_time"], row["undated"]) == (admitted, on_time, 0), ward
        assert (row["discharges"], row["before_noon"]) == (discharges, before_noon), ward
        assert row["inpatients"] == network.ground_truth["census_now"][ward]
        stranded = truth["stranded"].get(ward, {"over_7": 0, "over_21": 0})
        assert (row["over_7"], row["over_21"]) == (stranded["over_7"], stranded["over_21"])
    totals = view.totals.iloc[0]
    assert totals["admitted"] == view.wards["admitted"].sum() > 0
    assert 0 < totals["on_time"] < totals["admitted"]
    assert totals["planned_share"] == pytest.approx(totals["on_time"] / totals["admitted"])
    assert 0 < totals["before_noon"] < totals["discharges"]
    assert len(view.stays) == totals["over_7"]
    assert (view.stays["days"] >= 7).all()


def test_the_weekly_trend_adds_up_to_the_ground_truth(network, inputs):
    view = discharge_view(*inputs, pd.Timestamp(AS_OF), identified=True)
    truth = network.ground_truth["discharge_flow"]
    # 2026-03-30 is a Monday: its week has no whole day yet, so the trend ends the week before.
    assert view.weeks["week"].tolist() == [date(2026, 2, 9) + timedelta(weeks=n) for n in range(7)]
    for _, row in view.weeks.iterrows():
        days = (row["week"], row["week"] + timedelta(days=6))
        admitted = sum(
            truth_sums(truth["edd_within_24h"], w, days)[0] for w in truth["edd_within_24h"]
        )
        noon = sum(
            truth_sums(truth["discharges_before_noon"], w, days)[1]
            for w in truth["discharges_before_noon"]
        )
        assert row["admitted"] == admitted
        assert row["before_noon"] == noon


def test_the_managers_view_discloses_aggregates_only(inputs):
    identified = discharge_view(*inputs, pd.Timestamp(AS_OF), identified=True)
    view = discharge_view(*inputs, pd.Timestamp(AS_OF))
    for frame in (view.wards, view.totals, view.weeks, view.stays):
        aggregate_only(frame)
    assert list(view.stays.columns) == ["hospital", "ward", "department", "days", "over_21"]
    assert "name" in identified.stays.columns
    for (_, shown), (_, exact) in zip(
        view.wards.iterrows(), identified.wards.iterrows(), strict=True
    ):
        for column in ("admitted", "discharges", "before_noon", "over_7"):
            if 0 < exact[column] < 5:
                assert shown[column] == SMALL_TEXT
            else:
                assert shown[column] == exact[column]
        if exact["discharges"] < 5:
            assert pd.isna(shown["noon_share"])
        else:
            assert shown["noon_share"] == pytest.approx(exact["noon_share"])


def test_a_nurse_sees_her_ward_and_a_physician_his_departments(inputs, network):
    ward = network.manifest["hospitals"][0]["wards"][0]
    nurse = discharge_view(*inputs, pd.Timestamp(AS_OF), identified=True, ward_ids=(ward["id"],))
    assert nurse.wards["ward"].tolist() == [ward["name"]]
    physician = discharge_view(
        *inputs, pd.Timestamp(AS_OF), identified=True, departments=(ward["department"],)
    )
    everyone = discharge_view(*inputs, pd.Timestamp(AS_OF), identified=True)
    assert physician.totals.iloc[0]["admitted"] < everyone.totals.iloc[0]["admitted"]
    assert set(physician.stays["department"]) <= {ward["department"]}


def test_the_mii_shape_gives_the_same_figures(inputs):
    """The planned discharge and its time sit on the Einrichtungskontakt; the contact levels
    collapse into the same stays, so every figure is the flat shape's."""
    mii = generate(11, PRESETS["test"], AS_OF, shape="mii")
    encounters = frames_of(mii.resources["Encounter"], "Encounter")
    locations = with_hierarchy(frames_of(mii.resources["Location"], "Location")["location"])
    flat = discharge_view(*inputs, pd.Timestamp(AS_OF), identified=True)
    shaped = discharge_view(
        locations,
        inputs[1],
        encounters["encounter"],
        encounters["encounter_location"],
        pd.Timestamp(AS_OF),
        identified=True,
    )
    pd.testing.assert_frame_equal(shaped.wards, flat.wards)
    pd.testing.assert_frame_equal(shaped.weeks, flat.weeks)
    assert shaped.stays["days"].tolist() == flat.stays["days"].tolist()
