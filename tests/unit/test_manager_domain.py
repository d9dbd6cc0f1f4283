"""Manager figures on a generated network, without a server: the generator's FHIR resources go
through the same extractors the pages use, and every figure is reconciled with its ground truth
(or, where the ground truth has no figure, with the generator's records)."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime

import pandas as pd
import pytest

from demo_data import PRESETS, generate
from demo_data.timeutil import BERLIN
from services.domain import census, forecast, workload
from services.domain.beds import bed_status_now, occupancy
from services.domain.divi import divi_summary
from services.domain.reports import saner_measure_report
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from tests.support.frames import frames as frames_of
from tests.support.frames import ward_work

pytestmark = pytest.mark.unit

AS_OF = datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)  # the day after the switch to summer time


@pytest.fixture(scope="module")
def network():
    return generate(11, PRESETS["test"], AS_OF)


def tables(network, kind: str) -> dict[str, pd.DataFrame]:
    resources = network.resources[kind]
    return frames_of(ward_work(resources) if kind == "Task" else resources, kind)


@pytest.fixture(scope="module")
def frames(network):
    out = {}
    for kind in ("Encounter", "Location", "Task", "PractitionerRole"):
        out.update(tables(network, kind))
    out["location"] = with_hierarchy(out["location"])
    return out


@pytest.fixture(scope="module")
def as_of(network) -> pd.Timestamp:
    return pd.Timestamp(network.ground_truth["as_of"]).tz_convert("Europe/Berlin")


@pytest.fixture(scope="module")
def window(network, frames, as_of):
    start = as_of - pd.Timedelta(days=90)
    days = census.census_dates(start, as_of)
    periods = census.ward_periods(frames["encounter"], frames["encounter_location"])
    return days, periods


def test_window_days_match_ground_truth(network, window):
    days, _ = window
    assert [d.isoformat() for d in days] == network.ground_truth["census_dates"]


def test_midnight_census_per_ward_and_day(network, window):
    days, periods = window
    got = census.midnight_census(periods, days)
    table = {
        (w, d.isoformat()): n for w, d, n in got[["ward_id", "date", "census"]].itertuples(False)
    }
    expected = network.ground_truth["census"]
    assert sum(sum(per.values()) for per in expected.values()) > 0
    for ward, per_day in expected.items():
        for day, count in per_day.items():
            assert table.get((ward, day), 0) == count, (ward, day)


@pytest.mark.parametrize("figure", ["admissions", "discharges"])
def test_admissions_and_discharges_per_ward_and_day(network, window, figure):
    days, periods = window
    flows = census.daily_flows(periods, days)
    table = {
        (w, d.isoformat()): n for w, d, n in flows[["ward_id", "date", figure]].itertuples(False)
    }
    expected = network.ground_truth[figure]
    assert sum(sum(per.values()) for per in expected.values()) > 0
    for ward, per_day in expected.items():
        for day, count in per_day.items():
            assert table.get((ward, day), 0) == count, (ward, day)


def test_transfers_between_wards_balance_and_match_the_stays(network, window):
    days, periods = window
    flows = census.daily_flows(periods, days)
    assert flows["transfers_in"].sum() == flows["transfers_out"].sum()
    moves = census.ward_transfers(periods, days)
    expected = Counter()
    for record in network.encounters:
        if record.stay.cls != "IMP":
            continue
        for before, after in zip(record.periods, record.periods[1:], strict=False):
            day = pd.Timestamp(after.start, unit="s", tz="UTC").tz_convert(BERLIN).date()
            if day in days:
                expected[(before.ward.id, after.ward.id, day)] += 1
    got = Counter(
        {
            (f, t, d): n
            for f, t, d, n in moves[["from_ward", "to_ward", "date", "transfers"]].itertuples(False)
        }
    )
    assert sum(expected.values()) > 0
    assert got == expected


def test_transfers_between_hospitals(network, frames, window):
    days, _ = window
    moved = census.hospital_transfers(frames["encounter"], days)
    # Every stay of the emitted network overlaps the window; those that left before its first
    # midnight fall outside the days.
    total = network.ground_truth["totals"]["inter_hospital_transfers"]
    assert 0 < moved["transfers_out"].sum() <= total
    outside = sum(
        1
        for record in network.encounters
        if not record.current
        and record.stay.discharge == "verlegung"
        and pd.Timestamp(record.stay.end, unit="s", tz="UTC").tz_convert(BERLIN).date() not in days
    )
    assert moved["transfers_out"].sum() == total - outside


def belegungstage(start: float, end: float) -> int:
    """The admission day counts, the discharge day does not; a same-day stay is one day."""
    first = datetime.fromtimestamp(start, BERLIN).date()
    return max(1, (datetime.fromtimestamp(end, BERLIN).date() - first).days)


def test_length_of_stay_by_department(network, frames, as_of):
    start = as_of - pd.Timedelta(days=90)
    los = census.length_of_stay(frames["encounter"], start, as_of).set_index("department")
    lengths: dict[str, list[float]] = {}
    for record in network.encounters:
        stay = record.stay
        end = pd.Timestamp(stay.end, unit="s", tz="UTC")
        if stay.cls == "IMP" and not record.current and start <= end < as_of:
            lengths.setdefault(stay.department, []).append(belegungstage(stay.start, stay.end))
    assert set(los.index) == set(lengths)
    for department, values in lengths.items():
        assert los.loc[department, "stays"] == len(values)
        assert los.loc[department, "median_days"] == pytest.approx(statistics.median(values))
        assert los.loc[department, "mean_days"] == pytest.approx(statistics.fmean(values))


def test_daily_totals_and_weekday_pattern(network, window):
    days, periods = window
    totals = census.daily_totals(
        census.midnight_census(periods, days), census.daily_flows(periods, days), 50
    )
    expected_census = [
        sum(per[d.isoformat()] for per in network.ground_truth["census"].values()) for d in days
    ]
    assert totals["census"].tolist() == expected_census
    assert totals["occupancy"].tolist() == pytest.approx([c / 50 for c in expected_census])
    pattern = census.weekday_pattern(totals)
    assert pattern["days"].sum() == len(days)
    mondays = [
        sum(per[d.isoformat()] for per in network.ground_truth["admissions"].values())
        for d in days
        if d.weekday() == 0
    ]
    assert pattern.loc[0, "admissions"] == pytest.approx(statistics.fmean(mondays))


def test_bed_status_counts_from_current_stays(network, frames, as_of):
    placed = current_placements(frames["encounter"], frames["encounter_location"], as_of)
    beds = bed_status_now(frames["location"], placed)
    for hospital, counts in network.ground_truth["bed_status"].items():
        mine = beds[beds["hospital_id"] == hospital]["status"].value_counts()
        for code, count in counts.items():
            assert mine.get(code, 0) == count, (hospital, code)
    per_ward = occupancy(beds, ["ward_id"]).set_index("ward_id")
    for ward, counts in network.ground_truth["bed_status_by_ward"].items():
        assert per_ward.loc[ward, "occupied"] == counts["O"]
        assert per_ward.loc[ward, "total"] == sum(counts.values())


def test_bed_categories_per_ward(network, frames, as_of):
    placed = current_placements(frames["encounter"], frames["encounter_location"], as_of)
    beds = bed_status_now(frames["location"], placed)
    detail = occupancy(beds, ["ward_id", "bed_category"]).set_index(["ward_id", "bed_category"])
    for ward, categories in network.ground_truth["beds_by_ward"].items():
        for category, counts in categories.items():
            assert detail.loc[(ward, category), "total"] == sum(counts.values())
            assert detail.loc[(ward, category), "occupied"] == counts["O"]
            assert detail.loc[(ward, category), "free"] == counts["U"]


def test_open_and_overdue_tasks_per_ward(network, frames, as_of):
    per_shift = workload.workload_by_ward_shift(frames["task"], as_of)
    per_ward = per_shift.groupby("ward_id")[["open", "overdue"]].sum()
    for ward, count in network.ground_truth["tasks_open"].items():
        assert per_ward["open"].get(ward, 0) == count
    for ward, count in network.ground_truth["tasks_overdue"].items():
        assert per_ward["overdue"].get(ward, 0) == count
    assert network.ground_truth["totals"]["tasks_overdue"] > 0


def test_tasks_sit_in_the_shift_of_their_due_hour(network, frames, as_of):
    per_shift = workload.workload_by_ward_shift(frames["task"], as_of)
    expected = Counter()
    for task in network.clinical.all_tasks:
        if task.is_open:
            hour = datetime.fromtimestamp(task.due, BERLIN).hour
            shift = "frueh" if 6 <= hour < 14 else "spaet" if 14 <= hour < 22 else "nacht"
            expected[(task.ward.id, shift)] += 1
    got = Counter(
        {(w, s): n for w, s, n in per_shift[["ward_id", "shift", "open"]].itertuples(False)}
    )
    assert got == expected


def test_nurses_per_shift_and_tasks_per_nurse(network, frames, as_of):
    nurses = workload.nurses_per_shift(frames["practitioner_role"])
    # The ward's own nurses and the pool nurses the duty roster added to it.
    members = [*network.staff.members, *network.roster.pool]
    expected = Counter((m.ward_id, m.shift) for m in members if m.role == "nurse")
    got = Counter({(w, s): n for w, s, n in nurses.itertuples(False)})
    assert got == expected
    per_nurse = workload.tasks_per_nurse(
        workload.workload_by_ward_shift(frames["task"], as_of), nurses
    )
    staffed = per_nurse[per_nurse["nurses"] > 0]
    assert (staffed["per_nurse"] == staffed["open"] / staffed["nurses"]).all()


def test_median_time_to_complete(network, frames, as_of):
    minutes = workload.completion_minutes(frames["task"])
    done = [t for t in network.clinical.all_tasks if t.status == "completed"]
    assert len(minutes) == len(done)
    summary = workload.completion_summary(minutes, ["ward_id"]).set_index("ward_id")
    by_ward: dict[str, list[float]] = {}
    for task in done:
        by_ward.setdefault(task.ward.id, []).append((task.finished - task.started) / 60)
    for ward, values in by_ward.items():
        assert summary.loc[ward, "completed"] == len(values)
        assert summary.loc[ward, "median_minutes"] == pytest.approx(statistics.median(values))
    trend = workload.completion_trend(minutes, as_of - pd.Timedelta(days=7))
    assert trend["completed"].sum() == sum(
        1 for t in done if t.finished >= (as_of - pd.Timedelta(days=7)).timestamp()
    )


def test_forecast_starts_from_the_patients_in_bed(network, frames, as_of):
    stays = forecast.inpatient_stays(frames["encounter"])
    present = forecast.stays_at(stays, as_of)
    assert present.sum() == network.ground_truth["totals"]["inpatients_now"]
    coming = forecast.forecast_census(stays, as_of, 50)
    assert coming["horizon"].tolist() == list(range(1, 8))
    assert coming["date"].iloc[0] == as_of.date() + pd.Timedelta(days=1)
    first_midnight = pd.Timestamp(coming["date"].iloc[0]).tz_localize(BERLIN)
    planned = stays[present]["planned_end"]
    assert coming["planned_stays"].iloc[0] == (planned > first_midnight).sum()
    assert (coming["low"] <= coming["expected"]).all()
    assert (coming["expected"] <= coming["high"]).all()
    assert coming["occupancy_expected"].tolist() == pytest.approx(
        (coming["expected"] / 50).tolist()
    )


def test_backtest_compares_with_the_census_that_followed(network, frames, as_of, window):
    stays = forecast.inpatient_stays(frames["encounter"])
    replay = forecast.backtest(stays, as_of, days=10, horizon=3)
    days, periods = window
    per_day = census.midnight_census(periods, days).groupby("date")["census"].sum()
    assert len(replay) > 0
    for target, actual in replay[["date", "actual"]].itertuples(False):
        assert actual == per_day[target]
    errors = forecast.backtest_error(replay)
    overall = errors[errors["horizon"] == 0].iloc[0]
    assert overall["forecasts"] == len(replay)
    assert overall["mae"] == pytest.approx(replay["error"].abs().mean())
    assert 0 <= overall["coverage"] <= 1


def test_saner_report_and_divi_summary(network, frames, as_of):
    placed = current_placements(frames["encounter"], frames["encounter_location"], as_of)
    beds = bed_status_now(frames["location"], placed)
    hospital = network.hospitals[0]
    report = saner_measure_report(beds, hospital.id, hospital.name, as_of, as_of)
    assert report["resourceType"] == "MeasureReport"
    assert report["period"]["start"].startswith(as_of.date().isoformat())
    counts = {
        p["code"]["coding"][0]["code"]: p["count"] for g in report["group"] for p in g["population"]
    }
    status = network.ground_truth["bed_status"][hospital.id]
    assert counts["numTotBeds"] == sum(status.values()) - status["C"]
    assert counts["numTotBedsOcc"] == status["O"]
    assert counts["numTotBedsAvail"] == status["U"]
    icu = Counter()
    for ward in hospital.wards:
        for category, per in network.ground_truth["beds_by_ward"][ward.id].items():
            if category.startswith("icu"):
                icu.update(per)
    assert counts["numICUBeds"] == sum(icu.values()) - icu["C"]
    assert counts["numICUBedsOcc"] == icu["O"]
    divi = divi_summary(beds[beds["hospital_id"] == hospital.id])
    adults = divi[divi["age_group"] == "adult"].set_index("category")
    assert (
        adults.loc["icu-high-care", "occupied"] + adults.loc["icu-low-care", "occupied"] == icu["O"]
    )
    # Without devices read a hospital has no ECMO place.
    assert adults.loc["ecmo", "beds"] == 0


def test_census_dates_across_the_clock_change():
    start = pd.Timestamp("2026-03-28T10:00:00+01:00").tz_convert("Europe/Berlin")
    end = pd.Timestamp("2026-03-30T10:00:00+02:00").tz_convert("Europe/Berlin")
    assert census.census_dates(start, end) == [date(2026, 3, 29), date(2026, 3, 30)]
    assert census.midnight(date(2026, 3, 30)).utcoffset().total_seconds() == 7200
