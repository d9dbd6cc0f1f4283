"""Manager figures read from the real test server through the pages' own searches, reconciled with
the generator's ground truth at its as-of instant: census per ward and day, admissions,
discharges, open and overdue tasks, bed status counts."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from services import queries
from services.config import Settings
from services.domain import census, forecast, workload
from services.domain.beds import bed_status_now
from services.domain.reports import saner_measure_report
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from services.platform import Platform
from tests.support.keycloak import source
from tests.support.reconcile import bed_status_mismatches, ward_day_mismatches

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def platform(fhir_base_url):
    instance = Platform(Settings(sources=(source("Test", fhir_base_url),)))
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def as_of(test_network) -> pd.Timestamp:
    return pd.Timestamp(test_network.as_of).tz_convert("Europe/Berlin")


@pytest.fixture(scope="module")
def window(platform, as_of):
    start = as_of - pd.Timedelta(days=90)
    read = platform.read(census.window_encounters(start))
    assert not read.errors and not read.truncated
    return start, read


@pytest.fixture(scope="module")
def locations(platform):
    read = platform.read(queries.locations())
    assert not read.errors
    return with_hierarchy(read["location"])


def test_window_search_keeps_identities_on_the_server(window):
    _, read = window
    encounters = read["encounter"]
    assert len(encounters) > 0
    # ``_elements`` leaves subject and participants out of the answer. The case number comes
    # along: MII sources link a stay's contact levels by it (services.frames.contacts).
    assert encounters["patient_id"].isna().all()
    assert encounters["attending_id"].isna().all()
    assert encounters["case_number"].notna().all()


def test_census_admissions_discharges_per_ward_and_day(window, as_of, test_network):
    start, read = window
    truth = test_network.ground_truth
    days = census.census_dates(start, as_of)
    assert [d.isoformat() for d in days] == truth["census_dates"]
    periods = census.ward_periods(read["encounter"], read["encounter_location"])
    got_census = census.midnight_census(periods, days)
    flows = census.daily_flows(periods, days)
    for figure, frame in (
        ("census", got_census),
        ("admissions", flows),
        ("discharges", flows),
    ):
        expected = truth[figure]
        assert sum(sum(per.values()) for per in expected.values()) > 0
        assert ward_day_mismatches(frame, figure, expected) == [], figure


def test_transfers_between_hospitals(window, as_of, test_network):
    start, read = window
    days = census.census_dates(start, as_of)
    moved = census.hospital_transfers(read["encounter"], days)
    total = test_network.ground_truth["totals"]["inter_hospital_transfers"]
    assert 0 < moved["transfers_out"].sum() <= total
    assert moved["transfers_in"].sum() > 0


def test_bed_status_counts(window, locations, as_of, test_network):
    _, read = window
    placed = current_placements(read["encounter"], read["encounter_location"], as_of)
    beds = bed_status_now(locations, placed)
    truth = test_network.ground_truth
    assert len(placed) == truth["totals"]["inpatients_now"]
    assert bed_status_mismatches(beds, truth) == []
    hospital = next(iter(truth["bed_status"]))
    report = saner_measure_report(beds, hospital, hospital, as_of, as_of)
    occupied = report["group"][0]["population"][1]
    assert occupied["code"]["coding"][0]["code"] == "numTotBedsOcc"
    assert occupied["count"] == truth["bed_status"][hospital]["O"]


def test_open_and_overdue_tasks_per_ward(platform, locations, as_of, test_network):
    wards = tuple(sorted(locations[locations["physical_type"] == "wa"]["id"]))
    read = platform.read(queries.open_tasks_of_wards(wards))
    assert not read.errors
    tasks = read["task"]
    per_ward = (
        workload.workload_by_ward_shift(tasks[tasks["ward_id"].isin(wards)], as_of)
        .groupby("ward_id")[["open", "overdue"]]
        .sum()
    )
    truth = test_network.ground_truth
    assert {w: int(per_ward["open"].get(w, 0)) for w in truth["tasks_open"]} == truth["tasks_open"]
    assert {w: int(per_ward["overdue"].get(w, 0)) for w in truth["tasks_overdue"]} == truth[
        "tasks_overdue"
    ]


def test_nurses_per_shift_and_completed_work(platform, locations, as_of):
    roles = platform.read(workload.nurse_roles())
    assert not roles.errors
    assert set(roles.tables) == {"practitioner_role"}  # no Practitioner names come along
    nurses = workload.nurses_per_shift(roles["practitioner_role"])
    everyone = platform.read(queries.practitioner_roles())["practitioner_role"]
    expected = Counter(
        (w, s)
        for w, s, _ in everyone[everyone["role"] == "nurse"][
            ["ward_id", "shift", "practitioner_id"]
        ]
        .drop_duplicates()
        .itertuples(False)
    )
    assert Counter({(w, s): n for w, s, n in nurses.itertuples(False)}) == expected
    since = as_of - pd.Timedelta(days=30)
    done = platform.read(workload.completed_tasks(since))
    assert not done.errors
    minutes = workload.completion_minutes(done["task"])
    assert len(minutes) > 0
    assert (minutes["minutes"] > 0).all()
    assert (done["task"]["status"] == "completed").all()


def test_forecast_from_the_server_stays(window, as_of, test_network):
    _, read = window
    stays = forecast.inpatient_stays(read["encounter"])
    assert (
        forecast.stays_at(stays, as_of).sum()
        == test_network.ground_truth["totals"]["inpatients_now"]
    )
    coming = forecast.forecast_census(stays, as_of)
    assert len(coming) == 7
    assert (coming["low"] <= coming["high"]).all()
