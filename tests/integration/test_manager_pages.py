"""The four manager pages with AppTest against the test server: as a manager (figures against the
ground truth, English, aggregates only), as an admin, and as a nurse (not permitted)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from services.i18n import fmt_number, t
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


def test_trends_census_per_day_matches_the_ground_truth(manager_pages, test_network):
    at = manager_pages["pages/trends.py"]
    truth = test_network.ground_truth
    per_day = at.dataframe[0].value
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
