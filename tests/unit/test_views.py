"""The page views on frames of a network generated in-process (no server): their figures against
the generator's ground truth, and the disclosure rules on their output."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import pytest

from demo_data import PRESETS, generate
from demo_data.timeutil import BERLIN
from services.domain.disclosure import SMALL_TEXT, DisclosureError
from services.frames import with_hierarchy
from services.views.capacity import CapacityWards, capacity_now, capacity_reports, capacity_wards
from services.views.common import among
from tests.support.frames import frames, ward_work

pytestmark = pytest.mark.unit

AS_OF = datetime(2025, 11, 28, 10, 0, tzinfo=BERLIN)


@dataclass(frozen=True)
class Network:
    truth: dict
    now: pd.Timestamp
    start: pd.Timestamp
    locations: pd.DataFrame
    organizations: pd.DataFrame
    stays: dict[str, pd.DataFrame]
    tasks: dict[str, pd.DataFrame]
    roles: dict[str, pd.DataFrame]
    observations: pd.DataFrame


def _network(shape: str) -> Network:
    generated = generate(7, PRESETS["test"], AS_OF, shape=shape)
    res = generated.resources
    now = pd.Timestamp(AS_OF).tz_convert("Europe/Berlin")
    encounters = res["Encounter"] + res["Patient"]
    return Network(
        truth=generated.ground_truth,
        now=now,
        start=now - pd.Timedelta(days=90),
        locations=with_hierarchy(frames(res["Location"], "Location")["location"]),
        organizations=frames(res["Organization"], "Organization")["organization"],
        stays=frames(encounters, "Encounter"),
        tasks=frames(ward_work(res["Task"]) + res["Patient"], "Task"),
        roles=frames(res["PractitionerRole"] + res["Practitioner"], "PractitionerRole"),
        observations=frames(res["Observation"], "Observation")["observation"],
    )


@pytest.fixture(scope="module")
def network() -> Network:
    return _network("flat")


def _capacity(network: Network):
    stays = network.stays
    return capacity_now(
        network.locations,
        network.organizations,
        stays["encounter"],
        stays["encounter_location"],
        network.now,
    )


def test_capacity_now_counts_the_beds_of_the_ground_truth(network):
    view = _capacity(network)
    truth = network.truth
    assert view.has_beds
    status = truth["totals"]["bed_status"]
    network_row = view.network.iloc[0]
    assert network_row["total"] == sum(status.values())
    assert network_row["occupied"] == status["O"] == truth["totals"]["inpatients_now"]
    assert network_row["free"] == status["U"]
    per_hospital = view.overview.iloc[:-1].set_index("hospital_id")
    for hospital, counts in truth["bed_status"].items():
        assert per_hospital.loc[hospital, "occupied"] == counts["O"], hospital
    last = view.overview.iloc[-1]
    assert pd.isna(last["hospital_id"]) and last["occupied"] == status["O"]
    names = dict(zip(network.organizations["id"], network.organizations["name"], strict=True))
    assert set(per_hospital["hospital"]) == {names[h] for h in per_hospital.index}
    assert view.facilities == tuple(sorted(truth["bed_status"]))
    # No stay and no patient rides along with a bed.
    assert not {"encounter_id", "patient_id", "start"} & set(view.beds.columns)


def test_capacity_wards_census_per_day_is_the_ground_truth(network):
    view = _capacity(network)
    stays = network.stays
    wards = capacity_wards(
        view,
        stays["encounter"],
        stays["encounter_location"],
        network.start,
        network.now,
        view.facilities,
    )
    truth = network.truth
    assert [d.isoformat() for d in wards.totals["date"]] == truth["census_dates"]
    expected = {
        day: sum(per_day.get(day, 0) for per_day in truth["census"].values())
        for day in truth["census_dates"]
    }
    got = {
        d.isoformat(): n for d, n in zip(wards.totals["date"], wards.totals["census"], strict=True)
    }
    assert got == expected
    admissions = sum(sum(per.values()) for per in truth["admissions"].values())
    assert wards.totals["admissions"].sum() == admissions
    per_ward = wards.detail.groupby("ward_id")[["occupied", "free"]].sum()
    for ward, counts in truth["bed_status_by_ward"].items():
        assert per_ward.loc[ward, "occupied"] == counts["O"], ward
        assert per_ward.loc[ward, "free"] == counts["U"], ward
    assert (
        wards.in_service
        == sum(truth["totals"]["bed_status"].values()) - truth["totals"]["bed_status"]["C"]
    )


def test_capacity_wards_of_one_hospital_count_only_its_beds(network):
    view = _capacity(network)
    stays = network.stays
    hospital = view.facilities[0]
    wards = capacity_wards(
        view,
        stays["encounter"],
        stays["encounter_location"],
        network.start,
        network.now,
        [hospital],
    )
    assert set(wards.detail["hospital_id"]) == {hospital}
    assert wards.by_category["occupied"].sum() == network.truth["bed_status"][hospital]["O"]


def test_capacity_reports_of_one_hospital(network):
    view = _capacity(network)
    hospital = view.facilities[0]
    reports = capacity_reports(view, hospital, network.now)
    occupied = reports.measure_report["group"][0]["population"][1]
    assert occupied["count"] == network.truth["bed_status"][hospital]["O"]


def test_capacity_without_beds_counts_patients_per_ward(network):
    wards_only = network.locations[network.locations["physical_type"] != "bd"]
    stays = network.stays
    view = capacity_now(
        wards_only,
        network.organizations,
        stays["encounter"],
        stays["encounter_location"],
        network.now,
    )
    assert not view.has_beds and view.beds.empty
    census = view.ward_census.set_index("ward_id")["patients"]
    expected = {w: n for w, n in network.truth["census_now"].items() if n}
    assert census.to_dict() == expected
    assert not {"patient_id", "encounter_id"} & set(view.ward_census.columns)


def test_a_manager_view_refuses_identifying_columns():
    frame = pd.DataFrame({"date": [], "census": []})
    with pytest.raises(DisclosureError):
        CapacityWards(frame.assign(patient_id=[]), frame, 0, frame)
    assert SMALL_TEXT == "<5"


def test_the_mii_shape_counts_the_same_inpatients():
    # The hospitals of the MII network number their cases alike: contact levels linked by case
    # number must be joined on the number's system too, or stays of two hospitals merge.
    mii = _network("mii")
    view = _capacity(mii)
    assert view.network.iloc[0]["occupied"] == mii.truth["totals"]["inpatients_now"]


def _trends(network: Network, wards=None):
    from services.views.trends import trend_choices, trends_view

    facilities, ward_options = trend_choices(network.locations)
    stays = network.stays
    return trends_view(
        network.locations,
        stays["encounter"],
        stays["encounter_location"],
        network.start,
        network.now,
        facilities,
        wards or ward_options,
    )


def test_trends_per_ward_are_the_ground_truth_disclosed(network):
    from services.views.trends import FLOWS

    view = _trends(network)
    truth = network.truth
    per_ward = view.per_ward.set_index("ward_id")
    for figure in ("admissions", "discharges"):
        for ward, per_day in truth[figure].items():
            count = sum(per_day.values())
            shown = per_ward.loc[ward, figure] if ward in per_ward.index else 0
            assert shown == (SMALL_TEXT if 0 < count < 5 else count), (figure, ward)
    assert view.totals["census"].tolist() == [
        sum(per.get(day, 0) for per in truth["census"].values()) for day in truth["census_dates"]
    ]
    for flow in FLOWS:
        numbers = view.totals[flow]
        small = (numbers > 0) & (numbers < 5)
        assert (view.daily.loc[small, flow] == SMALL_TEXT).all()
        assert (view.daily.loc[~small, flow] == numbers[~small]).all()
    few = pd.to_numeric(view.length_of_stay["stays"], errors="coerce").isna()
    assert view.length_of_stay.loc[few, "mean_days"].isna().all()
    assert view.days == len(truth["census_dates"])


def test_free_beds_per_hospital_and_kind_of_care_are_the_ground_truth(network):
    from services.views.capacity import placing_now

    stays = network.stays
    view = placing_now(
        _capacity(network), stays["encounter"], stays["encounter_location"], network.now
    )
    truth = network.truth
    expected: dict[tuple[str, str], int] = {}
    for ward, categories in truth["beds_by_ward"].items():
        hospital = "org-" + ward[len("loc-") : ward.rindex("-w")]
        for category, counts in categories.items():
            group = "icu" if category.startswith("icu") else category
            expected[(hospital, group)] = expected.get((hospital, group), 0) + counts["U"]
    rows = view.by_care.dropna(subset=["hospital_id"])
    got = {
        (h, g): f for h, g, f in zip(rows["hospital_id"], rows["group"], rows["free"], strict=True)
    }
    assert got == expected
    assert view.groups == ("icu", "imc", "general")
    network_rows = view.by_care[view.by_care["hospital_id"].isna()].set_index("group")
    status = truth["totals"]["bed_status"]
    assert network_rows["free"].sum() == status["U"]
    assert network_rows["blocked"].sum() == status["C"] + status["H"] + status["I"] + status["K"]
    assert view.blocked["beds"].sum() == network_rows["blocked"].sum()
    # Nobody can leave a bed nobody lies in; every one leaving today lies in one now.
    assert (network_rows["leaving_today"] <= network_rows["occupied"]).all()


def test_the_ward_ranking_of_the_last_week_is_the_ground_truth(network):
    from services.views.trends import RANKING_DAYS, trend_choices, ward_load

    truth = network.truth
    start = pd.Timestamp(network.now.date() - pd.Timedelta(days=RANKING_DAYS - 1)).tz_localize(
        "Europe/Berlin"
    )
    _, wards = trend_choices(network.locations)
    stays = network.stays
    empty = pd.DataFrame(
        columns=["id", "ward_id", "status", "role_id", "participation", "start", "end"]
    )
    ranking = ward_load(
        network.locations,
        stays["encounter"],
        stays["encounter_location"],
        network.tasks["task"],
        empty,
        network.roles["practitioner_role"],
        start,
        network.now,
        wards,
        {},
    )
    days = truth["census_dates"][-RANKING_DAYS:]
    expected = {}
    for ward, per_day in truth["census"].items():
        counts = truth["bed_status_by_ward"][ward]
        beds = sum(counts.values()) - counts["C"]
        expected[ward] = sum(per_day.get(d, 0) for d in days) / len(days) / beds
    top = ranking.iloc[0]
    assert top["occupancy"] == pytest.approx(max(expected.values()))
    assert expected[top["ward_id"]] == pytest.approx(max(expected.values()))
    assert ranking["rank"].tolist() == list(range(1, len(ranking) + 1))
    assert ranking["tasks_per_nurse"].isna().all()  # no roster given


def test_trends_of_one_ward_count_that_ward_only(network):
    ward, per_day = next(iter(network.truth["census"].items()))
    view = _trends(network, [ward])
    assert view.totals["census"].sum() == sum(per_day.values())
    assert set(view.per_ward["ward_id"]) <= {ward}


def test_forecast_starts_from_the_inpatients_now(network):
    from services.views.forecast import BACKTEST_DAYS, HORIZON, forecast_view

    beds = _capacity(network)
    view = forecast_view(beds, network.stays["encounter"], "", network.now, network.start)
    assert view is not None
    truth = network.truth
    assert len(view.coming) == HORIZON
    assert (view.coming["low"] <= view.coming["high"]).all()
    assert len(view.history) == BACKTEST_DAYS + 1
    # The census of the last midnight is that of every ward of the network together.
    last = truth["census_dates"][-1]
    expected = sum(per.get(last, 0) for per in truth["census"].values())
    assert view.history.set_index("date")["census"][pd.Timestamp(last).date()] == expected
    status = truth["totals"]["bed_status"]
    assert view.in_service == sum(status.values()) - status["C"]
    assert len(view.overall) == 1 and (view.by_horizon["horizon"] > 0).all()


def test_forecast_of_one_hospital_or_none(network):
    from services.views.forecast import forecast_view

    beds = _capacity(network)
    hospital = beds.facilities[0]
    view = forecast_view(beds, network.stays["encounter"], hospital, network.now, network.start)
    status = network.truth["bed_status"][hospital]
    assert view.in_service == sum(status.values()) - status["C"]
    nothing = network.stays["encounter"].iloc[:0]
    assert forecast_view(beds, nothing, "", network.now, network.start) is None


def test_workload_open_and_overdue_per_ward_are_the_ground_truth(network):
    from services.views.workload import workload_view

    tasks = network.tasks["task"]
    view = workload_view(
        network.locations,
        network.organizations,
        tasks,
        tasks,
        network.roles["practitioner_role"],
        network.now,
        network.now - pd.Timedelta(days=30),
    )
    truth = network.truth
    per_ward = view.by_shift.groupby("ward_id")[["open", "overdue"]].sum()
    for figure in ("open", "overdue"):
        expected = truth[f"tasks_{figure}"]
        assert {w: int(per_ward[figure].get(w, 0)) for w in expected} == expected, figure
    assert view.open == truth["totals"]["tasks_open"]
    assert view.overdue == truth["totals"]["tasks_overdue"]
    assert view.shift in ("frueh", "spaet", "nacht")
    assert view.by_shift["hospital"].notna().all() and view.by_shift["ward"].notna().all()
    assert view.trend["completed"].sum() == view.per_ward["completed"].sum()


def _placed(network: Network) -> pd.DataFrame:
    from services.domain.stays import current_placements

    stays = network.stays
    return current_placements(stays["encounter"], stays["encounter_location"], network.now)


def test_the_nurse_views_of_each_ward_are_the_ground_truth(network):
    from services.views.ward import bed_board_view, nurse_start, ward_tasks_view

    truth = network.truth
    tasks, patients = network.tasks["task"], network.stays["patient"]
    placed = _placed(network)
    for ward, expected_open in truth["tasks_open"].items():
        here = placed[placed["ward_id"] == ward]
        start = nurse_start(tasks, here, network.locations, patients, [ward], network.now)
        assert (start.open, start.overdue) == (expected_open, truth["tasks_overdue"][ward])
        assert start.overdue_rows["name"].notna().all()
        listed = ward_tasks_view(
            tasks, placed, network.locations, ward, network.now, patient_tables=[patients]
        )
        assert len(listed.rows) == len(listed.shown) == expected_open
        assert listed.counts.overdue == truth["tasks_overdue"][ward]
        board = bed_board_view(network.locations, placed, tasks, ward, network.now, patients)
        status = truth["bed_status_by_ward"][ward]
        assert board.counts.get("O", 0) == status["O"] and board.counts.get("U", 0) == status["U"]
        assert board.board["open"].sum() <= expected_open


def test_the_physician_lists_hold_every_inpatient_once(network):
    from services.views.inpatients import my_patients, of_departments, physician_worklist

    placed = _placed(network)
    patients = network.stays["patient"]
    since = network.now - pd.Timedelta(hours=24)
    rows = physician_worklist(placed, network.locations, patients, network.now, since).rows
    assert len(rows) == network.truth["totals"]["inpatients_now"]
    assert rows["name"].notna().all() and not rows["encounter_id"].duplicated().any()
    department = rows["department"].dropna().iloc[0]
    mine = of_departments(placed, network.locations, [department])
    assert 0 < len(mine) < len(placed)
    assert (mine["department"].eq(department) | mine["ward_department"].eq(department)).all()
    own = physician_worklist(
        placed, network.locations, patients, network.now, since, departments=[department]
    )
    assert len(own.rows) <= len(mine)
    observations = network.observations
    view = my_patients(mine, network.locations, patients, observations, since)
    recent = observations[
        (observations["effective"] >= since) & observations["patient_id"].isin(mine["patient_id"])
    ]
    assert view.rows["new"].sum() == recent["id"].nunique()
    assert view.with_new == recent["patient_id"].nunique()
    assert list(view.rows["patient_id"]) != [] and view.rows["kvnr"].notna().all()


def test_the_audit_trail_joins_platform_and_local_log():
    from services.domain.audit_trail import filter_trail
    from services.views.audit import audit_trail

    now = pd.Timestamp("2025-11-28 10:00", tz="Europe/Berlin")

    def events(*rows):
        return pd.DataFrame(
            [
                {"recorded": now - pd.Timedelta(hours=h), "user": u, "role": "nurse"}
                | {"action": "R", "purpose": p, "patient_id": "pat-1", "source": "Plattform"}
                for h, u, p in rows
            ]
        )

    platform = events((1, "pflege.demo", None), (2, "arzt.demo", "ETREAT"))
    local = events((3, "pflege.demo", None), (30, "old.user", None))
    view = audit_trail(platform, local, now - pd.Timedelta(hours=24))
    assert len(view.trail) == 3 and view.local == 1 and view.break_glass == 1
    assert view.users == ["arzt.demo", "pflege.demo"]
    assert view.per_role_action["n"].tolist() == [3]
    assert len(filter_trail(view.trail, break_glass_only=True)) == 1
    # A platform event's Patient ids are those of the source that keeps it.
    assert view.trail["patient_source"].iloc[:2].tolist() == ["Plattform", "Plattform"]
    assert filter_trail(view.trail, users=["pflege.demo"])["recorded"].is_monotonic_decreasing


def test_an_event_without_a_role_is_counted_too():
    from services.views.audit import audit_trail

    now = pd.Timestamp("2025-11-28 10:00", tz="Europe/Berlin")
    platform = pd.DataFrame(
        [
            {"recorded": now, "user": "arzt.demo", "role": "physician", "action": "R"},
            {"recorded": now, "user": None, "role": None, "action": "C"},
        ]
    ).assign(purpose=None, patient_id="pat-1", source="Plattform")
    local = platform.iloc[0:0]
    view = audit_trail(platform, local, now - pd.Timedelta(hours=1))
    assert view.per_role_action["n"].sum() == len(view.trail) == 2


def test_named_falls_back_to_the_id():
    from services.views.common import named, names_by_id

    places = pd.DataFrame(
        {"id": ["w1", "w2", "w3"], "name": ["Station 1", None, "Station 3"]}
    ).astype("str")
    ids = pd.Series(["w3", "w2", None, "w9"], index=[7, 5, 3, 1], name="ward_id", dtype="str")
    out = named(ids, names_by_id(places))
    assert out.index.tolist() == [7, 5, 3, 1] and out.name == "ward_id" and out.dtype == object
    assert out.iloc[[0, 1, 3]].tolist() == ["Station 3", "w2", "w9"] and pd.isna(out.iloc[2])
    assert named(ids.iloc[:0], {}).empty


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_among_is_isin_for_text_ids(dtype):
    ids = pd.Series(["W1", None, "W2", "W3", "W1"], index=[5, 3, 9, 1, 0], dtype=dtype)
    for values in ({"W1", "W3"}, set(), {"W9"}, ["W2", "W2"]):
        mine = among(ids, values)
        pd.testing.assert_series_equal(mine, ids.isin(set(values)), check_names=False)
        assert mine.dtype == bool
