"""The four manager pages with AppTest against the test server: as a manager (figures against the
ground truth, English, aggregates only), as an admin, and as a nurse (not permitted)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from services.i18n import fmt_number, fmt_percent, t
from services.roles import Role, User
from services.search import query
from tests.support.apptest import open_page, texts

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]

PAGES = ("pages/capacity.py", "pages/trends.py", "pages/workload.py", "pages/forecast.py")
IDS = re.compile(r"\b(pat|enc|tsk)-[a-z]+-\d+\b")


@pytest.fixture(scope="module")
def patients(platform):
    """Every patient's name as a page could print it, and their ids."""
    read = platform.read(query("Patient").elements("name"))
    frame = read["patient"]
    names = {f"{f}, {g}" for f, g in zip(frame["family"], frame["given"], strict=True)}
    names |= {f"{g} {f}" for f, g in zip(frame["family"], frame["given"], strict=True)}
    return names, set(frame["id"])


def everything_shown(at) -> str:
    """Text, metrics, every table cell and every JSON the page shows."""
    parts = [texts(at)]
    for frame in at.dataframe:
        value = frame.value
        parts.append(" ".join(map(str, value.columns)))
        parts.append(value.astype(str).to_csv(index=False))
    parts += [str(j.value) for j in at.json]
    return "\n".join(parts)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.fixture(scope="module")
def manager_pages(users, test_network):
    """Each page once for the network manager, in German."""
    return {page: open_page(page, users["management.demo"]) for page in PAGES}


@pytest.mark.parametrize("page", PAGES)
def test_manager_page_runs_and_shows_no_patient(manager_pages, patients, page):
    at = manager_pages[page]
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    shown = everything_shown(at)
    names, ids = patients
    assert not IDS.search(shown)
    assert not [i for i in ids if i in shown]
    assert not [n for n in names if n in shown]


def test_capacity_now_matches_the_ground_truth(manager_pages, test_network):
    at = manager_pages["pages/capacity.py"]
    status = test_network.ground_truth["totals"]["bed_status"]
    assert metric(at, t("col.total")) == fmt_number(sum(status.values()))
    assert metric(at, t("col.occupied")) == fmt_number(status["O"])
    assert metric(at, t("col.free")) == fmt_number(status["U"])
    assert metric(at, t("col.blocked")) == fmt_number(
        status["C"] + status["H"] + status["I"] + status["K"]
    )
    overview = at.dataframe[0].value
    truth = test_network.ground_truth["bed_status"]
    per_hospital = overview[t("col.occupied")].tolist()[:-1]
    assert sorted(per_hospital) == sorted(c["O"] for c in truth.values())
    assert overview[t("col.hospital")].iloc[-1] == t("network.total")
    assert overview[t("col.occupied")].iloc[-1] == status["O"]
    report = json.loads(at.json[0].value)
    assert report["resourceType"] == "MeasureReport"
    hospital = report["reporter"]["reference"].split("/")[1]
    counts = {p["code"]["coding"][0]["code"]: p["count"] for p in report["group"][0]["population"]}
    assert counts["numTotBedsOcc"] == truth[hospital]["O"]
    assert counts["numTotBedsAvail"] == truth[hospital]["U"]


def test_workload_open_tasks_match_the_ground_truth(manager_pages, test_network):
    at = manager_pages["pages/workload.py"]
    truth = test_network.ground_truth
    assert metric(at, t("mgr.kpi.open")) == fmt_number(sum(truth["tasks_open"].values()))
    table = at.dataframe[0].value
    assert table[t("mgr.kpi.open")].sum() == sum(truth["tasks_open"].values())
    # Overdue counts at the wall clock: at least what was overdue at the as-of instant.
    assert table[t("mgr.kpi.overdue")].sum() >= sum(truth["tasks_overdue"].values())


def table_with(at, header: str) -> pd.DataFrame:
    """The first table of the page that has a column ``header``."""
    return next(d.value for d in at.dataframe if header in d.value.columns)


def test_trends_census_per_day_matches_the_ground_truth(manager_pages, test_network):
    at = manager_pages["pages/trends.py"]
    truth = test_network.ground_truth
    per_day = table_with(at, t("mgr.col.census"))
    shown = dict(zip(per_day[t("mgr.col.date")], per_day[t("mgr.col.census")], strict=True))
    checked = 0
    for day in truth["census_dates"][:-1]:
        label = pd.Timestamp(day).strftime("%d.%m.%Y")
        if label in shown:
            assert int(shown[label]) == sum(per[day] for per in truth["census"].values())
            checked += 1
    assert checked > 0
    for value in per_day[t("mgr.col.admissions")]:
        assert value == "<5" or value == "0" or int(value.replace(".", "")) >= 5


def test_forecast_shows_seven_days_and_the_backtest(manager_pages):
    at = manager_pages["pages/forecast.py"]
    assert len(at.dataframe[0].value) == 7
    assert len(at.dataframe[1].value) == 7
    assert any(t("mgr.backtest.summary").split("**")[0] in m.value for m in at.markdown)


def test_capacity_in_english_for_one_facility(test_network):
    hospital = next(iter(test_network.ground_truth["bed_status"]))
    manager = User("m", "M", Role.MANAGER, facilities=(hospital,))
    at = open_page("pages/capacity.py", manager, lang="en")
    assert not at.exception
    assert at.title[0].value == t("page.capacity", "en")
    status = test_network.ground_truth["bed_status"][hospital]
    assert metric(at, t("col.occupied", "en")) == fmt_number(status["O"], "en")
    assert len(at.dataframe[0].value) == 2  # the facility and the total


def test_admin_may_open_capacity(users):
    at = open_page("pages/workload.py", users["admin.demo"])
    assert not at.exception
    assert t("guard.not_permitted") not in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_nurse_is_not_permitted(users, page):
    at = open_page(page, users["pflege.demo"])
    assert t("guard.not_permitted") in [e.value for e in at.error]
    assert not at.dataframe
    assert not at.metric


def hospital_names(platform) -> dict[str, str]:
    frame = platform.read(query("Organization").elements("name"))["organization"]
    return dict(zip(frame["id"], frame["name"], strict=True))


def icu_free(truth: dict) -> dict[str, int]:
    """Free ICU beds (high and low care) per hospital id, from the ground truth."""
    free: dict[str, int] = {}
    for ward, categories in truth["beds_by_ward"].items():
        hospital = "org-" + ward[len("loc-") : ward.rindex("-w")]
        for category, counts in categories.items():
            if category.startswith("icu"):
                free[hospital] = free.get(hospital, 0) + counts["U"]
    return free


def test_the_start_page_says_where_an_icu_patient_can_go_now(users, test_network, platform):
    at = open_page("pages/home.py", users["management.demo"])
    assert not at.exception, at.exception
    truth = test_network.ground_truth
    names = hospital_names(platform)
    table = at.dataframe[0].value.set_index(t("col.hospital"))
    icu = t("mgr.placing.free", care=t("mgr.care.icu"))
    expected = icu_free(truth)
    assert expected
    for hospital, free in expected.items():
        assert table.loc[names[hospital], icu] == free, hospital
    assert table.loc[t("network.total"), icu] == sum(expected.values())
    assert {m.label: m.value for m in at.metric}[icu] == fmt_number(sum(expected.values()))
    leaving = t("mgr.placing.leaving", care=t("mgr.care.icu"))
    assert leaving in table.columns
    blocked = at.dataframe[1].value
    status = truth["totals"]["bed_status"]
    assert blocked[t("mgr.col.beds")].sum() == sum(status[c] for c in "CHIK")
    reasons = set(blocked[t("col.block_reason")])
    for code in set(truth["bed_block_reasons"].values()):
        assert t(f"block_reason.{code}") in reasons, code


def test_the_trends_page_ranks_the_wards_of_this_week(manager_pages, test_network):
    at = manager_pages["pages/trends.py"]
    truth = test_network.ground_truth
    ranking = table_with(at, t("mgr.col.rank"))
    for header in ("col.hospital", "col.ward", "mgr.col.beds", "mgr.col.peak_census"):
        assert t(header) in ranking.columns
    assert t("mgr.col.tasks_per_nurse") in ranking.columns
    days = truth["census_dates"][-7:]
    occupancy = {}
    for ward, per_day in truth["census"].items():
        counts = truth["bed_status_by_ward"][ward]
        beds = sum(counts.values()) - counts["C"]
        occupancy[ward] = sum(per_day.get(d, 0) for d in days) / len(days) / beds
    assert ranking[t("col.occupancy")].iloc[0] == fmt_percent(max(occupancy.values()))
    assert ranking[t("mgr.col.rank")].tolist() == list(range(1, len(ranking) + 1))
    top = t("mgr.ranking.top").split("**")[0]
    assert any(m.value.startswith(top) for m in at.markdown)


def test_a_seven_day_trend_window_is_allowed(users):
    at = open_page("pages/trends.py", users["management.demo"])
    at.slider(key="trend_window").set_value(7).run()
    assert not at.exception, at.exception
    assert len(table_with(at, t("mgr.col.census"))) == 7


def test_transfers_out_read_abverlegungen(manager_pages):
    at = manager_pages["pages/trends.py"]
    headers = {str(c) for d in at.dataframe for c in d.value.columns}
    assert "Abverlegungen" in headers
    assert "Wegverlegungen" not in everything_shown(at)


def test_length_of_stay_in_belegungstage_next_to_the_configured_inek_mean(users, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("MEDICUS_INEK_MEAN_DAYS", json.dumps({"0100": 5.4}))
    st.cache_resource.clear()
    try:
        at = open_page("pages/trends.py", users["management.demo"])
    finally:
        monkeypatch.delenv("MEDICUS_INEK_MEAN_DAYS")
        st.cache_resource.clear()
    assert not at.exception, at.exception
    los = table_with(at, t("mgr.col.inek_mean"))
    internal = los[los[t("col.department")] == t("mgr.department.0100")]
    assert not internal.empty
    assert set(internal[t("mgr.col.inek_mean")]) == {fmt_number(5.4, "de", 1)}
    assert len(set(los[t("col.hospital")])) > 1
    others = los[los[t("col.department")] != t("mgr.department.0100")]
    assert set(others[t("mgr.col.inek_mean")]) == {"–"}
    shown = texts(at)
    assert t("mgr.los.help") in shown
    assert t("mgr.los.inek_missing").split("{")[0] in shown


def test_without_inek_means_the_page_says_so(manager_pages):
    assert t("mgr.los.inek_none") in texts(manager_pages["pages/trends.py"])


def test_the_forecast_speaks_of_free_beds(manager_pages):
    at = manager_pages["pages/forecast.py"]
    head = t("mgr.forecast.tomorrow").split("**")[0]
    line = next(m.value for m in at.markdown if m.value.startswith(head))
    low, high = (int(n.replace(".", "")) for n in re.findall(r"\*\*([\d.]+)–([\d.]+)\*\*", line)[0])
    assert 0 <= low <= high
    table = at.dataframe[0].value
    assert table[t("mgr.forecast.free_range")].iloc[0] == f"{low}–{high}"
    shown = everything_shown(at)
    for word in ("Band", "Backtest", "Perzentil"):
        assert word not in shown, word
