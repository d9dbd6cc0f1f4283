"""Discharge flow (SAFER) against the test server: the view on the pages' own reads at the
network's as-of instant reconciled with the ground truth; the managers' page (aggregates, "<5",
no names, English), the ward page of a nurse and a physician (their scope, names, audited), and
who may open which (the DIVI rating: tests/integration/test_divi_page.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from services import queries
from services.domain import census
from services.domain.disclosure import SMALL_TEXT
from services.frames import with_hierarchy
from services.i18n import fmt_number, fmt_percent, t
from services.roles import Role, User
from services.search import query
from services.views.discharge import discharge_view, read_from
from tests.support.apptest import as_of_caption, clean, open_page, table_with

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]

MANAGER_PAGE = "pages/discharge.py"
WARD_PAGE = "pages/ward_discharge.py"


def truth_sums(table: dict, ward: str, days: tuple[date, date]) -> tuple[int, int]:
    first, last = (d.isoformat() for d in days)
    rows = [v for d, v in table.get(ward, {}).items() if first <= d <= last]
    return sum(r[0] for r in rows), sum(r[1] for r in rows)


@pytest.fixture(scope="module")
def wards(test_network) -> dict[tuple[str, str], dict]:
    """(hospital name, ward name) -> the ward of the manifest (names repeat across hospitals)."""
    return {
        (h["name"], w["name"]): w for h in test_network.manifest["hospitals"] for w in h["wards"]
    }


@pytest.fixture(scope="module")
def as_of_view(platform, test_network):
    as_of = pd.Timestamp(test_network.as_of).tz_convert("Europe/Berlin")
    stays = platform.read(census.window_encounters(read_from(as_of)))
    places = platform.read(queries.locations())
    organizations = platform.read(queries.organizations())
    assert not stays.errors and not stays.truncated
    return discharge_view(
        with_hierarchy(places["location"]),
        organizations["organization"],
        stays["encounter"],
        stays["encounter_location"],
        as_of,
        identified=True,
    )


def test_the_view_on_the_servers_stays_matches_the_ground_truth(as_of_view, test_network, wards):
    truth = test_network.ground_truth["discharge_flow"]
    view = as_of_view
    assert len(view.wards) == len(wards)
    for _, row in view.wards.iterrows():
        ward = wards[(row["hospital"], row["ward"])]["id"]
        admitted, on_time = truth_sums(truth["edd_within_24h"], ward, view.admissions)
        discharges, before_noon = truth_sums(truth["discharges_before_noon"], ward, view.discharges)
        assert (row["admitted"], row["on_time"], row["undated"]) == (admitted, on_time, 0), ward
        assert (row["discharges"], row["before_noon"]) == (discharges, before_noon), ward
        assert row["inpatients"] == test_network.ground_truth["census_now"][ward]
        stranded = truth["stranded"].get(ward, {"over_7": 0, "over_21": 0})
        assert (row["over_7"], row["over_21"]) == (stranded["over_7"], stranded["over_21"]), ward
    totals = view.totals.iloc[0]
    assert 0 < totals["on_time"] < totals["admitted"]
    assert 0 < totals["before_noon"] < totals["discharges"]
    assert len(view.stays) == totals["over_7"] > 0


def expected_long_stays(test_network, ward_ids: set[str], now: pd.Timestamp) -> list[int]:
    """Whole days of every current stay of these wards beyond 7 days at ``now``, longest first."""
    current = test_network.ground_truth["discharge_flow"]["current_stays"]
    days = [
        (now - pd.Timestamp(start)) / pd.Timedelta(days=1)
        for ward in ward_ids
        for start, _ in current.get(ward, [])
    ]
    return sorted((int(d) for d in days if d > 7), reverse=True)


def admission_days_known(test_network, view_days: tuple[date, date]) -> bool:
    """Whether the ground truth (as of its instant) covers the page's admission days."""
    last_known = pd.Timestamp(test_network.as_of).date() - pd.Timedelta(days=2)
    return view_days[1] <= last_known


def opening(page: str, user: User) -> tuple[AppTest, tuple[pd.Timestamp, pd.Timestamp]]:
    """The page, and the clock before and after it ran: the page took its own in between."""
    before = pd.Timestamp.now(tz="Europe/Berlin")
    at = open_page(page, user)
    return at, (before, pd.Timestamp.now(tz="Europe/Berlin"))


def long_stays_shown(at: AppTest, column: str) -> list[int]:
    """The whole days of the long stays the page lists (in the table with ``column``), longest
    first; none where it lists none."""
    tables = [e.value for e in at.dataframe if column in e.value.columns]
    return sorted(tables[0][t("col.days")], reverse=True) if tables else []


@pytest.fixture(scope="module")
def manager_page(users):
    return opening(MANAGER_PAGE, users["management.demo"])


def test_the_managers_page_shows_the_wards_against_the_ground_truth(
    manager_page, test_network, wards
):
    at, opened = manager_page
    shown = clean(at)
    assert at.title[0].value == t("page.discharge")
    table = table_with(at, t("dis.col.inpatients"))
    assert len(table) == len(wards)
    truth = test_network.ground_truth
    today = as_of_caption(at).date()
    days = (today - pd.Timedelta(days=29), today - pd.Timedelta(days=2))
    small_seen = False
    for _, row in table.iterrows():
        ward = wards[(row[t("col.hospital")], row[t("col.ward")])]["id"]
        assert row[t("dis.col.inpatients")] == fmt_number(truth["census_now"][ward])
        if admission_days_known(test_network, days):
            admitted, _ = truth_sums(truth["discharge_flow"]["edd_within_24h"], ward, days)
            expected = SMALL_TEXT if 0 < admitted < 5 else fmt_number(admitted)
            assert row[t("dis.col.admitted")] == expected, ward
            if 0 < admitted < 5:
                assert row[t("dis.col.planned_share")] == "–"
        small_seen |= SMALL_TEXT in set(row)
    # The test network's wards are small: somewhere a count is small enough to be hidden.
    assert small_seen
    # A stay may pass a whole day while the page runs: it shows what was so before or after.
    ids = {w["id"] for w in wards.values()}
    expected = [expected_long_stays(test_network, ids, moment) for moment in opened]
    listed = long_stays_shown(at, t("col.days"))
    assert listed in expected, (listed, expected)
    if listed:
        stays = table_with(at, t("col.days"))
        assert t("col.patient") not in stays.columns
        assert t("col.birth_date") not in stays.columns
    else:
        assert t("dis.stays_none") in shown
    assert [b.label for b in at.get("download_button")]


def test_the_managers_page_in_english(users):
    at = open_page(MANAGER_PAGE, users["management.demo"], lang="en")
    shown = clean(at)
    assert at.title[0].value == "Discharge flow"
    assert "Per ward" in shown and "Weekly trend" in shown
    assert "Discharge date within 24 h" in shown


def test_the_admin_sees_the_managers_page(users):
    at = open_page(MANAGER_PAGE, users["admin.demo"])
    clean(at)
    assert table_with(at, t("dis.col.inpatients")).shape[0] > 0


def metric(at, key: str) -> str:
    return {m.label: m.value for m in at.metric}[t(key)]


def test_the_nurse_sees_her_wards_with_names_and_the_list_is_audited(
    users, test_network, wards, platform
):
    nurse: User = users["pflege.demo"]
    at, opened = opening(WARD_PAGE, nurse)
    clean(at)
    table = table_with(at, t("dis.col.inpatients"))
    places = zip(table[t("col.hospital")], table[t("col.ward")], strict=True)
    shown_wards = {wards[place]["id"] for place in places}
    assert shown_wards == set(nurse.wards)
    census_now = test_network.ground_truth["census_now"]
    assert sum(int(v) for v in table[t("dis.col.inpatients")]) == sum(
        census_now[w] for w in nurse.wards
    )
    # A stay may pass a whole day while the page runs: it shows what was so before or after.
    expected = [expected_long_stays(test_network, set(nurse.wards), moment) for moment in opened]
    listed = long_stays_shown(at, t("col.patient"))
    assert (metric(at, "dis.kpi.over_7"), listed) in [(fmt_number(len(e)), e) for e in expected]
    if listed:
        assert "–" not in set(table_with(at, t("col.patient"))[t("col.patient")])
    # AuditEvent.source.site is the page: the nurse's view of the list was recorded there.
    audit = platform.read(query("AuditEvent").search(site="ward_discharge"), no_cache=True)
    events = audit["audit_event"]
    assert (events["page"] == "ward_discharge").all()
    assert nurse.username in set(events["user"])


def test_the_physician_sees_his_departments(users, test_network):
    doctor: User = users["arzt.demo"]
    at = open_page(WARD_PAGE, doctor)
    clean(at)
    table = table_with(at, t("dis.col.inpatients"))
    assert len(table) > 0
    hospital = next(
        h["name"] for h in test_network.manifest["hospitals"] if h["id"] == doctor.hospital_id
    )
    assert set(table[t("col.hospital")]) == {hospital}
    if t("dis.stays_none") not in clean(at):
        stays = table_with(at, t("col.patient"))
        departments = {t(f"physician.department.{d}") for d in doctor.departments}
        assert set(stays[t("col.department")]) <= departments


def test_shares_on_the_page_are_percentages(manager_page):
    at, _ = manager_page
    planned = metric(at, "dis.kpi.planned")
    assert planned.endswith(" %") and 0 <= int(planned.removesuffix(" %")) <= 100
    assert fmt_percent(1 / 3) == "33 %"


@pytest.mark.parametrize(
    ("username", "page", "allowed"),
    [
        ("management.demo", WARD_PAGE, False),
        ("pflege.demo", MANAGER_PAGE, False),
        ("arzt.demo", MANAGER_PAGE, False),
        ("admin.demo", WARD_PAGE, False),
    ],
)
def test_each_role_opens_only_its_discharge_page(users, username, page, allowed):
    at = open_page(page, users[username])
    assert not at.exception
    assert bool(at.error) is not allowed
    if not allowed:
        assert [e.value for e in at.error] == [t("guard.not_permitted")]
        assert not at.dataframe


def test_roles_of_the_demo_users(users):
    assert users["pflege.demo"].role is Role.NURSE and users["pflege.demo"].wards
    assert users["arzt.demo"].role is Role.PHYSICIAN
