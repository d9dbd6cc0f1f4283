"""The page views on what the test server answers to the pages' own searches, reconciled with the
generator's ground truth at its as-of instant: one test per view family."""

from __future__ import annotations

import pandas as pd
import pytest

from services import queries
from services.domain.census import midnight, window_encounters
from services.domain.stays import current_placements
from services.domain.workload import completed_tasks, nurse_roles
from services.frames import with_hierarchy
from services.search import query
from services.views.audit import audit_trail
from services.views.capacity import capacity_now, capacity_reports, capacity_wards
from services.views.forecast import HORIZON, forecast_view
from services.views.inpatients import my_patients, of_departments, physician_worklist
from services.views.trends import trend_choices, trends_view
from services.views.ward import bed_board_view, nurse_start, ward_tasks_view
from services.views.workload import workload_view

pytestmark = pytest.mark.integration


def _read(platform, search):
    read = platform.read(search)
    assert not read.errors and not read.truncated
    return read


@pytest.fixture(scope="module")
def as_of(test_network) -> pd.Timestamp:
    return pd.Timestamp(test_network.as_of).tz_convert("Europe/Berlin")


@pytest.fixture(scope="module")
def start(as_of) -> pd.Timestamp:
    """The capacity page's 90-day window, as the page computes it."""
    return midnight(as_of.date() - pd.Timedelta(days=89))


@pytest.fixture(scope="module")
def reads(platform, start):
    return {
        "locations": with_hierarchy(_read(platform, queries.locations())["location"]),
        "organizations": _read(platform, queries.organizations())["organization"],
        "window": _read(platform, window_encounters(start)),
    }


@pytest.fixture(scope="module")
def beds_now(reads, as_of):
    window = reads["window"]
    return capacity_now(
        reads["locations"],
        reads["organizations"],
        window["encounter"],
        window["encounter_location"],
        as_of,
    )


def test_capacity_view_on_the_server(beds_now, reads, start, as_of, test_network):
    truth = test_network.ground_truth
    status = truth["totals"]["bed_status"]
    network = beds_now.network.iloc[0]
    assert (network["total"], network["occupied"], network["free"]) == (
        sum(status.values()),
        status["O"],
        status["U"],
    )
    window = reads["window"]
    wards = capacity_wards(
        beds_now,
        window["encounter"],
        window["encounter_location"],
        start,
        as_of,
        beds_now.facilities,
    )
    per_ward = wards.detail.groupby("ward_id")[["occupied", "free"]].sum()
    for ward, counts in truth["bed_status_by_ward"].items():
        assert (per_ward.loc[ward, "occupied"], per_ward.loc[ward, "free"]) == (
            counts["O"],
            counts["U"],
        )
    census = dict(zip(wards.totals["date"], wards.totals["census"], strict=True))
    for day in truth["census_dates"]:
        expected = sum(per.get(day, 0) for per in truth["census"].values())
        assert census[pd.Timestamp(day).date()] == expected, day
    hospital = beds_now.facilities[0]
    report = capacity_reports(beds_now, hospital, as_of).measure_report
    assert report["group"][0]["population"][1]["count"] == truth["bed_status"][hospital]["O"]


def test_trends_view_on_the_server(reads, start, as_of, test_network):
    truth = test_network.ground_truth
    facilities, wards = trend_choices(reads["locations"])
    window = reads["window"]
    view = trends_view(
        reads["locations"],
        window["encounter"],
        window["encounter_location"],
        start,
        as_of,
        facilities,
        wards,
    )
    first = start.date().isoformat()
    for figure in ("admissions", "discharges"):
        expected = sum(
            n for per in truth[figure].values() for day, n in per.items() if day >= first
        )
        assert view.totals[figure].sum() == expected, figure
    shown = view.per_ward.set_index("ward_id")["admissions"]
    for ward, per_day in truth["admissions"].items():
        count = sum(n for day, n in per_day.items() if day >= first)
        assert shown.get(ward, 0) == ("<5" if 0 < count < 5 else count), ward


def test_forecast_view_on_the_server(beds_now, reads, start, as_of, test_network):
    view = forecast_view(beds_now, reads["window"]["encounter"], "", as_of, start)
    assert view is not None and len(view.coming) == HORIZON
    status = test_network.ground_truth["totals"]["bed_status"]
    assert view.in_service == sum(status.values()) - status["C"]
    truth = test_network.ground_truth
    last = truth["census_dates"][-1]
    census = view.history.set_index("date")["census"]
    assert census[pd.Timestamp(last).date()] == sum(
        per.get(last, 0) for per in truth["census"].values()
    )


def test_workload_view_on_the_server(platform, reads, as_of, test_network):
    locations = reads["locations"]
    wards = tuple(sorted(locations[locations["physical_type"] == "wa"]["id"]))
    since = as_of - pd.Timedelta(days=30)
    view = workload_view(
        locations,
        reads["organizations"],
        _read(platform, queries.open_tasks_of_wards(wards))["task"],
        _read(platform, completed_tasks(since))["task"],
        _read(platform, nurse_roles())["practitioner_role"],
        as_of,
        since,
    )
    truth = test_network.ground_truth
    per_ward = view.by_shift.groupby("ward_id")[["open", "overdue"]].sum()
    assert {w: int(per_ward["open"].get(w, 0)) for w in truth["tasks_open"]} == truth["tasks_open"]
    assert view.overdue == truth["totals"]["tasks_overdue"]
    assert view.trend["completed"].sum() > 0


def test_ward_views_on_the_server(platform, reads, as_of, test_network):
    truth = test_network.ground_truth
    locations = reads["locations"]
    ward = max(truth["tasks_open"], key=truth["tasks_open"].get)
    stays = _read(platform, queries.current_stays(ward_ids=(ward,)).include("Encounter", "subject"))
    placed = current_placements(stays["encounter"], stays["encounter_location"], as_of)
    placed = placed[placed["ward_id"] == ward]
    tasks = _read(platform, queries.open_tasks_of_wards((ward,)).include("Task", "patient"))
    patients = stays["patient"]
    start = nurse_start(tasks["task"], placed, locations, tasks["patient"], [ward], as_of)
    assert (start.open, start.overdue) == (truth["tasks_open"][ward], truth["tasks_overdue"][ward])
    assert start.in_beds == truth["bed_status_by_ward"][ward]["O"]
    listed = ward_tasks_view(
        tasks["task"], placed, locations, ward, as_of, patient_tables=[tasks["patient"]]
    )
    assert len(listed.rows) == truth["tasks_open"][ward]
    assert listed.rows["patient"].notna().all()
    board = bed_board_view(locations, placed, tasks["task"], ward, as_of, patients)
    assert board.counts.get("O", 0) == truth["bed_status_by_ward"][ward]["O"]
    assert board.board.loc[board.board["status"] == "O", "patient"].notna().all()


def test_inpatient_views_on_the_server(platform, reads, as_of, test_network):
    stays = _read(platform, queries.current_stays().include("Encounter", "subject"))
    placed = current_placements(stays["encounter"], stays["encounter_location"], as_of)
    since = as_of - pd.Timedelta(hours=24)
    rows = physician_worklist(placed, reads["locations"], stays["patient"], as_of, since).rows
    assert len(rows) == test_network.ground_truth["totals"]["inpatients_now"]
    assert rows["name"].notna().all()
    mine = of_departments(placed, reads["locations"], [rows["department"].dropna().iloc[0]])
    view = my_patients(mine, reads["locations"], stays["patient"], None, as_of)
    assert len(view.rows) == len(mine) and view.with_new == 0


def test_audit_view_on_the_server(platform, as_of):
    since = pd.Timestamp.now(tz="Europe/Berlin") - pd.Timedelta(days=90)
    events = _read(platform, query("AuditEvent").search(date=f"ge{since.isoformat()}"))
    local = pd.DataFrame(columns=["recorded", "user", "role", "action", "purpose", "patient_id"])
    local = local.astype({"recorded": "datetime64[ns, Europe/Berlin]"})
    view = audit_trail(events["audit_event"], local, since)
    assert len(view.trail) == len(events["audit_event"])
    assert view.per_role_action["n"].sum() == len(view.trail)
