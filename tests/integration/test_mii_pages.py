"""Every page of every role on the MII-shaped generated network (AppTest), as the demo users see
it: no exception, no raw ``None``/``nan``, and on every page a figure checked against the
network's ground truth or its raw bundles.

The record test comes first: the physician opens a record, so that the administrator's audit
pages that follow have a record view to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from services.i18n import fmt_number, t
from services.roles import Role, User
from tests.support.apptest import clean, open_page, page_id, page_walk, table_with
from tests.support.networks import count_since
from tests.support.reconcile import (
    RawStay,
    my_patients,
    news2_cells,
    raw_stays,
    ref_id,
    resources,
    ward_departments,
)

pytestmark = pytest.mark.integration

WALK = page_walk()
USERS = {
    Role.PHYSICIAN: "arzt.demo",
    Role.NURSE: "pflege.demo",
    Role.MANAGER: "management.demo",
    Role.ADMIN: "admin.demo",
}


@dataclass(frozen=True)
class Truth:
    """What the generated network holds, from its ground truth and its raw bundles."""

    ground: dict[str, Any]
    patients: dict[str, dict]
    stays: dict[str, RawStay]
    mine: list[RawStay]
    nurse_wards: tuple[str, ...]
    url: str


@pytest.fixture(scope="module")
def truth(mii_app, mii_network, mii_base_url) -> Truth:
    items = list(resources(mii_network.dir, mii_network.manifest))
    stays = raw_stays(items)
    doctor = mii_app[USERS[Role.PHYSICIAN]]
    return Truth(
        ground=mii_network.ground_truth,
        patients={r["id"]: r for r in items if r["resourceType"] == "Patient"},
        stays=stays,
        mine=my_patients(stays, doctor, ward_departments(mii_network.manifest)),
        nurse_wards=mii_app[USERS[Role.NURSE]].wards,
        url=mii_base_url,
    )


def _mr_number(patient: dict) -> str | None:
    for ident in patient.get("identifier", []):
        if any(c.get("code") == "MR" for c in ident.get("type", {}).get("coding", [])):
            return ident["value"]
    return None


def test_a_pseudonymised_inpatient_is_found_and_opened(mii_app, truth):
    """A pseudonymised patient of the physician's hospital (an inpatient of theirs when there
    is one), found by the MR number alone (other hospitals number their patients alike:
    everyone with that number is listed), opens from the own hospital's row with every stay
    of the bundles on the timeline."""
    doctor = mii_app[USERS[Role.PHYSICIAN]]
    # Whether one of today's inpatients is pseudonymised depends on the hour the network was
    # generated for; the hospital's patients always include some.
    at_home = [s for s in truth.stays.values() if s.hospital == doctor.hospital_id]
    nameless = [s for s in [*truth.mine, *at_home] if "name" not in truth.patients[s.patient]]
    assert nameless, "the physician's hospital has a pseudonymised patient"
    patient = truth.patients[nameless[0].patient]
    number = _mr_number(patient)
    alike = [p for p in truth.patients.values() if number in {i["value"] for i in p["identifier"]}]
    at = open_page("pages/patient_search.py", doctor)
    at.text_input(key="search_identifier").input(number)
    at.button[0].click()
    at.run()
    shown = clean(at)
    assert f"{len(alike)} Personen gefunden" in shown, shown
    table = at.dataframe[0].value
    # Another hospital's pseudonym may carry the same number: its row asks for a reason.
    same = table[table["Patient/in"] == f"Patientennr. {number}"]
    assert same["Zugriff"].tolist().count("eigene Klinik") == 1, same
    assert set(same["Zugriff"]) <= {"eigene Klinik", "nur mit Begründung"}, same
    row = same.index[same["Zugriff"] == "eigene Klinik"]
    at.session_state[f"search_rows_{at.session_state['search_count']}"] = {
        "selection": {"rows": [int(row[0])], "columns": []}
    }
    at.run()
    shown = clean(at)
    # Markdown escapes the dot of the title; the browser draws it without the backslash.
    assert at.title[0].value.replace("\\", "") == f"Verlauf: Patientennr. {number}", shown
    expected = [s for s in truth.stays.values() if s.patient == patient["id"]]
    assert len(table_with(at, "Fallnummer")) == len(expected)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _ward(at: AppTest) -> str:
    return at.selectbox(key="nurse.ward").value


def _physician_home(shown: str, at: AppTest, truth: Truth) -> None:
    assert _metrics(at)["Patienten"] == fmt_number(len(truth.mine))
    assert len(at.dataframe[0].value) == len(truth.mine)


def _search_prompt(shown: str, at: AppTest, truth: Truth) -> None:
    # Opened from the menu: nothing searched yet (the search itself: see above).
    assert "oder eine Nummer eingeben." in shown
    assert truth.patients


def _timeline_prompt(shown: str, at: AppTest, truth: Truth) -> None:
    assert "Bitte zuerst eine Person" in shown
    assert truth.stays


def _tasks(shown: str, at: AppTest, truth: Truth) -> None:
    assert _metrics(at)["Offen"] == fmt_number(truth.ground["tasks_open"][_ward(at)])


def _bed_board(shown: str, at: AppTest, truth: Truth) -> None:
    status = truth.ground["bed_status_by_ward"][_ward(at)]
    assert f"belegt {status['O']}" in shown and f"frei {status['U']}" in shown


def _acuity(shown: str, at: AppTest, truth: Truth) -> None:
    # The vitals point at the ward contact: scored by stay all the same.
    table = at.dataframe[0].value
    assert len(table) == truth.ground["census_now"][_ward(at)]
    assert sorted(table["NEWS2"]) == news2_cells(truth.ground, _ward(at))


def _nurse_home(shown: str, at: AppTest, truth: Truth) -> None:
    metrics = _metrics(at)
    wards = truth.nurse_wards
    assert metrics["Offene Aufgaben"] == fmt_number(
        sum(truth.ground["tasks_open"][w] for w in wards)
    )
    assert metrics["Belegte Betten"] == fmt_number(
        sum(truth.ground["census_now"][w] for w in wards)
    )


def _handover(shown: str, at: AppTest, truth: Truth) -> None:
    patients = [m for m in at.markdown if str(m.value).startswith("#### ")]
    assert len(patients) == truth.ground["census_now"][_ward(at)]


def _beds(truth: Truth) -> tuple[int, int, int]:
    """Beds in all, occupied, and in service (not closed) across the network."""
    status = truth.ground["bed_status"].values()
    total = sum(sum(codes.values()) for codes in status)
    return total, sum(c["O"] for c in status), total - sum(c["C"] for c in status)


def _beds_now(shown: str, at: AppTest, truth: Truth) -> None:
    total, occupied, _ = _beds(truth)
    metrics = _metrics(at)
    assert (metrics["Betten gesamt"], metrics["Belegt"]) == (
        fmt_number(total),
        fmt_number(occupied),
    )


def _free_now(shown: str, at: AppTest, truth: Truth) -> None:
    # The start page: free beds per kind of care, together every free bed of the network.
    free = sum(c["U"] for c in truth.ground["bed_status"].values())
    ending = t("mgr.placing.free", care="")
    shown_free = [int(v.replace(".", "")) for k, v in _metrics(at).items() if k.endswith(ending)]
    assert shown_free and sum(shown_free) == free


def _capacity(shown: str, at: AppTest, truth: Truth) -> None:
    _beds_now(shown, at, truth)
    assert f"{_beds(truth)[2]} Betten, die heute in Betrieb sind" in shown


def _trends(shown: str, at: AppTest, truth: Truth) -> None:
    census = truth.ground["census"]
    table = table_with(at, t("mgr.col.date"))
    checked = 0
    for row in table.itertuples(index=False):
        day = pd.to_datetime(row[0], format="%d.%m.%Y").date().isoformat()
        if day in truth.ground["census_dates"]:
            assert int(row[1]) == sum(ward[day] for ward in census.values()), day
            checked += 1
    assert checked >= 60


def _workload(shown: str, at: AppTest, truth: Truth) -> None:
    assert _metrics(at)["Offene Aufgaben"] == fmt_number(sum(truth.ground["tasks_open"].values()))


def _forecast(shown: str, at: AppTest, truth: Truth) -> None:
    assert f"Auslastung bezogen auf {_beds(truth)[2]} Betten in Betrieb" in shown


def _data_quality(shown: str, at: AppTest, truth: Truth) -> None:
    partial = sum(1 for p in truth.patients.values() if len(p.get("birthDate", "")) < 10)
    table = at.dataframe[0].value
    rows = table[table["Prüfung"] == "Unvollständige Datumsangaben"]
    assert rows["Anzahl"].astype(int).sum() == partial
    assert "Offene Aufenthalte älter als die Grenze" not in set(table["Prüfung"])


def _staffing(shown: str, at: AppTest, truth: Truth) -> None:
    # The MII shape carries the same roster: the duty day's shifts as the ground truth has them.
    heading = next(s.value for s in at.subheader if s.value.startswith("Schichten am "))
    day = datetime.strptime(heading.removeprefix("Schichten am "), "%d.%m.%Y").date()
    staffing = truth.ground["staffing"]
    if day.isoformat() not in next(iter(staffing.values())):
        assert "Für diesen Tag stehen keine Schichten im Dienstplan." in shown
        return
    expected = [staffing[w][day.isoformat()][s] for w in staffing for s in ("day", "night")]
    table = at.dataframe[0].value
    assert sorted(table["Patienten"]) == sorted(e["patients"] for e in expected)
    assert sorted(table["Pflegekräfte im Dienst"]) == sorted(
        fmt_number(e["nurses"], "de", 2) for e in expected
    )


def _discharge(shown: str, at: AppTest, truth: Truth) -> None:
    # The MII shape collapses contact levels into the same stays: inpatients per ward now as the
    # ground truth has them, and the long stays without names.
    table = table_with(at, "Liegende jetzt")
    census_now = truth.ground["census_now"]
    assert sorted(int(n) for n in table["Liegende jetzt"]) == sorted(census_now.values())
    assert "Patient/in" not in {c for frame in at.dataframe for c in frame.value.columns}


def _nurse_discharge(shown: str, at: AppTest, truth: Truth) -> None:
    table = table_with(at, "Liegende jetzt")
    assert len(table) == len(truth.nurse_wards)
    expected = sum(truth.ground["census_now"][w] for w in truth.nurse_wards)
    assert sum(int(n) for n in table["Liegende jetzt"]) == expected


def _physician_discharge(shown: str, at: AppTest, truth: Truth) -> None:
    # The physician's departments: wards of his hospital only.
    assert table_with(at, "Liegende jetzt")["Klinik"].nunique() == 1


def _admin_home(shown: str, at: AppTest, truth: Truth) -> None:
    # The page counts from the minute 24 h ago (``this_minute``), so that its search is cached.
    since = pd.Timestamp.now(tz="UTC").floor("min") - timedelta(hours=24)
    expected = count_since(truth.url, "AuditEvent", since)
    assert expected > 0
    assert _metrics(at)["Ereignisse"] == fmt_number(expected)


def _audit(shown: str, at: AppTest, truth: Truth) -> None:
    # Yesterday and today at first; a row per event and person it touched, so at least one per
    # event of the span, but for the page's own record of this view, written after its read.
    today = pd.Timestamp.now(tz="Europe/Berlin").normalize()
    since = today - timedelta(days=1)
    table = at.dataframe[0].value
    assert len(table) >= count_since(truth.url, "AuditEvent", since) - 1
    assert "Patient/in" in table.columns and "KVNR" in table.columns


def _transfer_request(shown: str, at: AppTest, truth: Truth) -> None:
    # The physician picks one of her inpatients to ask another hospital about.
    if truth.mine:
        offered = at.selectbox(key="transfer.patient").options
        assert len(offered) == len(truth.mine), shown
    else:
        assert t("transfer.no_inpatients", "de") in shown


def _admissions(shown: str, at: AppTest, truth: Truth) -> None:
    # The queue is generated in the flat shape only: an MII ward has nobody waiting.
    waiting = truth.ground.get("admission_queue", {}).get(_ward(at), {})
    assert _metrics(at)[t("admission.waiting", "de")] == fmt_number(len(waiting))


def _transfer_inbound(shown: str, at: AppTest, truth: Truth) -> None:
    # The demo manager oversees the network and answers for no hospital: a bed manager does.
    assert truth.ground["transfers_inbound"] is not None
    assert t("transfer.no_hospital", "de") in shown and not at.metric


def _divi(shown: str, at: AppTest, truth: Truth) -> None:
    # The page opens on the first hospital with ICU beds; ventilations point at ward contacts in
    # this shape and still count once per stay.
    now = truth.ground["divi"]["now"]
    hospital = at.selectbox(key="divi_facility").value
    assert hospital == min(now)
    expected = now[hospital]
    beds = sum(f["beds"] for key, f in expected["beds"].items() if not key.startswith("ecmo"))
    assert _metrics(at)[t("divi.kpi.beds", "de")] == fmt_number(beds)
    ventilation = table_with(at, t("divi.col.mode", "de"))
    for key, patients in expected["ventilation"].items():
        mode, age_group = key.split("|")
        row = ventilation[
            (ventilation[t("divi.col.mode", "de")] == t(f"divi.mode.{mode}", "de"))
            & (ventilation[t("mgr.col.age_group", "de")] == t(f"age_group.{age_group}", "de"))
        ]
        assert row[t("divi.col.patients", "de")].tolist() == [patients], key


CHECKS: dict[str, Callable[[str, AppTest, Truth], None]] = {
    "physician-home": _physician_home,
    "physician-my_patients": _physician_home,
    "physician-patient_search": _search_prompt,
    "physician-timeline": _timeline_prompt,
    "physician-tasks": _tasks,
    "physician-bed_board": _bed_board,
    "physician-ward_discharge": _physician_discharge,
    "physician-acuity": _acuity,
    "physician-transfer_request": _transfer_request,
    "nurse-home": _nurse_home,
    "nurse-tasks": _tasks,
    "nurse-bed_board": _bed_board,
    "nurse-acuity": _acuity,
    "nurse-admissions": _admissions,
    "nurse-handover": _handover,
    "nurse-ward_discharge": _nurse_discharge,
    "manager-home": _free_now,
    "manager-capacity": _capacity,
    "manager-trends": _trends,
    "manager-workload": _workload,
    "manager-forecast": _forecast,
    "manager-staffing": _staffing,
    "manager-discharge": _discharge,
    "manager-transfer_inbound": _transfer_inbound,
    "manager-data_quality": _data_quality,
    "manager-divi": _divi,
    "admin-home": _admin_home,
    "admin-audit": _audit,
    "admin-capacity": _capacity,
    "admin-trends": _trends,
    "admin-workload": _workload,
    "admin-forecast": _forecast,
    "admin-staffing": _staffing,
    "admin-discharge": _discharge,
    "admin-data_quality": _data_quality,
    "admin-divi": _divi,
}


def test_every_page_has_a_check():
    assert sorted(CHECKS) == sorted(page_id(case) for case in WALK)


@pytest.mark.parametrize("case", WALK, ids=page_id)
def test_mii_page(mii_app: dict[str, User], truth, case):
    role, path = case
    at = open_page(path, mii_app[USERS[role]])
    CHECKS[page_id(case)](clean(at), at, truth)


def _latest_sets_on_the_ward_before(mii_network, truth: Truth) -> dict[str, str]:
    """Ward -> hospital of the stays whose latest NEWS2 set points at the contact of a ward
    other than the one they lie on now (the generator makes sure of one every hour)."""
    items = list(resources(mii_network.dir, mii_network.manifest))
    ward_of = {
        r["id"]: place["location"]["reference"].removeprefix("Location/")
        for r in items
        if r["resourceType"] == "Encounter"
        for place in r.get("location", [])
        if place["physicalType"]["coding"][0]["code"] == "wa"
    }
    stay_of = {member: stay.id for stay in truth.stays.values() for member in stay.members}
    found = {}
    for r in items:
        if r["resourceType"] != "Observation" or "effectiveDateTime" not in r:
            continue
        contact = ref_id(r.get("encounter"))
        entry = truth.ground["news2"].get(stay_of.get(contact, ""))
        if not entry or "taken" not in entry or contact not in ward_of:
            continue
        taken = datetime.fromisoformat(entry["taken"])
        moved = ward_of[contact] != entry["ward_id"]
        if moved and datetime.fromisoformat(r["effectiveDateTime"]) == taken:
            found[entry["ward_id"]] = truth.stays[stay_of[contact]].hospital
    return found


def test_a_set_taken_on_the_ward_before_scores_the_patient_on_the_ward_now(
    mii_app, mii_network, truth
):
    """A patient moved since their latest set: the set points at the contact of the ward they
    came from, which the ward's search for its stays does not find. The board scores them from
    it all the same, as the ground truth does."""
    wards = _latest_sets_on_the_ward_before(mii_network, truth)
    assert wards, "no stay of the network had its latest set taken on the ward before"
    nurse = mii_app[USERS[Role.NURSE]]
    for ward, hospital in sorted(wards.items()):
        at = open_page("pages/acuity.py", replace(nurse, wards=(ward,), hospital_id=hospital))
        assert not at.exception, ward
        board = at.dataframe[0].value
        assert sorted(board["NEWS2"]) == news2_cells(truth.ground, ward), ward
