"""The staffing page (PpUGV floors) with AppTest against the test server: the duty day's shifts,
the month so far and the quarterly report against the generator's ground truth; English; who may
open it; and what it says where there is no roster."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from services.config import StaffingFloors
from services.domain.staffing import quarter_of
from services.i18n import fmt_number, fmt_percent, t
from services.roles import Role, User
from tests.support.apptest import as_of_caption, open_page, texts

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]

PAGE = "pages/staffing.py"
FLOORS = StaffingFloors()


@pytest.fixture(scope="module")
def wards(test_network) -> dict[tuple[str, str], dict]:
    """(hospital name, ward name) -> ward id, PpUGV area and floors (day, night) as configured
    by default (ward names repeat across hospitals)."""
    out = {}
    for hospital in test_network.manifest["hospitals"]:
        for ward in hospital["wards"]:
            area = FLOORS.area_of(ward["id"], [ward["department"]])
            out[(hospital["name"], ward["name"])] = {
                "id": ward["id"],
                "area": area,
                "floors": FLOORS.areas[area],
            }
    return out


@pytest.fixture(scope="module")
def page(users, test_network):
    """The page and the moment it counted at: read from its caption, not from the clock after
    it ran, which may have passed 12:00 or midnight (a shift counted) in between."""
    at = open_page(PAGE, users["management.demo"])
    # To the minute, which decides what it counted: shifts are counted on whole minutes.
    return at, as_of_caption(at)


def shown_day(at) -> date:
    heading = next(s.value for s in at.subheader if s.value.startswith("Schichten am "))
    return datetime.strptime(heading.removeprefix("Schichten am "), "%d.%m.%Y").date()


def status_of(patients: int, nurses: float, floor: float) -> str:
    met = patients == 0 or (nurses > 0 and patients / nurses <= floor + 1e-9)
    return t(f"staff.status.{'met' if met else 'not_met'}")


SHIFT_WORDS = {t("staff.shift.day"): "day", t("staff.shift.night"): "night"}


def test_the_page_runs_for_a_manager(page):
    at, _ = page
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == t("page.staffing")
    assert t("staff.no_roster") not in texts(at)


def test_the_duty_days_shifts_match_the_ground_truth(page, test_network, wards):
    at, _ = page
    day = shown_day(at)
    truth = test_network.ground_truth["staffing"]
    table = at.dataframe[0].value
    if day.isoformat() not in next(iter(truth.values())):
        # A network generated on an earlier day has no roster for today.
        assert t("staff.today_none") in texts(at)
        return
    assert len(table) == 2 * len(truth)
    below = 0
    for _, row in table.iterrows():
        ward = wards[(row[t("col.hospital")], row[t("col.ward")])]
        shift = SHIFT_WORDS[row[t("staff.col.shift")]]
        expected = truth[ward["id"]][day.isoformat()][shift]
        floor = ward["floors"][0 if shift == "day" else 1]
        assert row[t("staff.col.area")] == t(f"staff.area.{ward['area']}")
        assert row[t("staff.col.patients")] == expected["patients"]
        assert row[t("staff.col.nurses")] == fmt_number(expected["nurses"], "de", 2)
        ratio = expected["patients"] / expected["nurses"] if expected["nurses"] else None
        assert row[t("staff.col.ratio")] == fmt_number(ratio, "de", 2)
        assert row[t("staff.col.floor")] == fmt_number(floor)
        status = status_of(expected["patients"], expected["nurses"], floor)
        assert row[t("staff.col.status")] == status
        below += status == t("staff.status.not_met")
    metric = next(m.value for m in at.metric if m.label == t("staff.kpi.below_today"))
    assert metric == fmt_number(below)


def _counted(test_network, now: datetime, months: set[str]) -> pd.DataFrame:
    """The ground truth's PpUGV shifts counted by ``now`` in ``months``, one row each."""
    rows = [
        {"ward_id": ward, "month": day[:7], "shift": shift, **figures}
        for ward, days in test_network.ground_truth["staffing"].items()
        for day, shifts in days.items()
        for shift, figures in shifts.items()
        if day[:7] in months and datetime.fromisoformat(figures["counted_at"]) <= now
    ]
    return pd.DataFrame(rows)


def _check_averages(table: pd.DataFrame, expected: pd.DataFrame, wards, with_month: bool) -> None:
    ids = {key: ward["id"] for key, ward in wards.items()}
    floors = {ward["id"]: ward["floors"] for ward in wards.values()}
    grouped = expected.groupby(["ward_id", "month", "shift"])
    assert len(table) == grouped.ngroups
    for _, row in table.iterrows():
        ward_id = ids[(row[t("col.hospital")], row[t("col.ward")])]
        shift = SHIFT_WORDS[row[t("staff.col.shift")]]
        if with_month:
            number, year = row[t("staff.col.month")].split(".")
            month = f"{year}-{number}"
        else:
            (month,) = set(expected["month"])
        rows = grouped.get_group((ward_id, month, shift))
        floor = floors[ward_id][0 if shift == "day" else 1]
        mean_patients, mean_nurses = rows["patients"].mean(), rows["nurses"].mean()
        below = sum(
            status_of(p, n, floor) == t("staff.status.not_met")
            for p, n in zip(rows["patients"], rows["nurses"], strict=True)
        )
        assert row[t("staff.col.shifts")] == len(rows)
        assert row[t("staff.col.mean_patients")] == fmt_number(mean_patients, "de", 2)
        assert row[t("staff.col.mean_nurses")] == fmt_number(mean_nurses, "de", 2)
        assert row[t("staff.col.ratio")] == fmt_number(mean_patients / mean_nurses, "de", 2)
        assert row[t("staff.col.status")] == status_of(mean_patients, mean_nurses, floor)
        assert row[t("staff.col.below")] == below
        assert row[t("staff.col.below_share")] == fmt_percent(below / len(rows), "de")


def test_the_month_so_far_matches_the_ground_truth(page, test_network, wards):
    at, now = page
    day = shown_day(at)
    expected = _counted(test_network, now, {day.isoformat()[:7]})
    table = at.dataframe[1].value
    if expected.empty:
        assert table.empty
        return
    _check_averages(table, expected, wards, with_month=False)


def test_the_quarterly_report_matches_the_ground_truth(page, test_network, wards):
    at, now = page
    first, following = quarter_of(shown_day(at))
    months = {f"{m.year:04d}-{m.month:02d}" for m in pd.date_range(first, following, freq="MS")}
    expected = _counted(test_network, now, months - {f"{following:%Y-%m}"})
    _check_averages(at.dataframe[2].value, expected, wards, with_month=True)
    names = [b.proto.label for b in at.get("download_button")]
    assert len(names) == 3, names


def test_some_shifts_of_the_network_fall_below_the_floor(test_network, wards):
    """The roster has gaps: the figures are not all green, and not all red."""
    floors = {w["id"]: w["floors"] for w in wards.values()}
    judged = [
        status_of(f["patients"], f["nurses"], floors[ward][0 if shift == "day" else 1])
        for ward, days in test_network.ground_truth["staffing"].items()
        for shifts in days.values()
        for shift, f in shifts.items()
    ]
    share = judged.count(t("staff.status.not_met")) / len(judged)
    assert 0.02 < share < 0.4, share


def test_the_page_in_english(test_network):
    hospital = test_network.manifest["hospitals"][0]
    manager = User("m", "M", Role.MANAGER, facilities=(hospital["id"],))
    at = open_page(PAGE, manager, lang="en")
    assert not at.exception
    assert at.title[0].value == t("page.staffing", "en")
    statuses = set(at.dataframe[1].value[t("staff.col.status", "en")])
    assert statuses <= {t(f"staff.status.{s}", "en") for s in ("met", "not_met")}
    shown = set(at.dataframe[1].value[t("col.ward", "en")])
    assert shown == {w["name"] for w in hospital["wards"]}


def test_a_scope_without_a_roster_says_so_in_words():
    manager = User("m", "M", Role.MANAGER, facilities=("org-elsewhere",))
    at = open_page(PAGE, manager)
    assert not at.exception
    assert not at.error
    assert t("staff.no_roster") in [i.value for i in at.info]
    assert not at.dataframe


def test_an_admin_may_open_the_page(users):
    at = open_page(PAGE, users["admin.demo"])
    assert not at.exception
    assert t("guard.not_permitted") not in texts(at)
    assert at.dataframe


@pytest.mark.parametrize("who", ["pflege.demo", "arzt.demo"])
def test_nurses_and_physicians_cannot_open_the_page_by_url(users, who):
    at = open_page(PAGE, users[who])
    assert t("guard.not_permitted") in [e.value for e in at.error]
    assert not at.dataframe
    assert not at.metric
