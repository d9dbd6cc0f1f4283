"""The DIVI page with AppTest against the test server: the beds, ventilation, capacities and 30
days of stored reports against the generator's ground truth; a ventilation and an operating
situation arranged through the FHIR API and put back; storing today's report; English; CSV;
who may open it. And the nurse's current-shift ratio on the ward's task page."""

from __future__ import annotations

import json
import uuid

import pandas as pd
import pytest
import streamlit as st

from services.config import load_settings
from services.fhir_http import FhirHttp
from services.i18n import fmt_date, t
from services.platform import Platform
from services.roles import Role, User
from services.views.divi import ventilations
from tests.support.apptest import clean, open_page, table_with, texts
from tests.support.cleanup import delete_audited
from tests.support.keycloak import http_client

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]

PAGE = "pages/divi.py"
SNOMED = "http://snomed.info/sct"
CATEGORIES = ("icu-low-care", "icu-high-care", "ecmo")


@pytest.fixture(autouse=True)
def fresh_reads():
    st.cache_data.clear()


@pytest.fixture(scope="module")
def admin(fhir_base_url):
    with http_client(fhir_base_url, timeout=120, headers={"Cache-Control": "no-cache"}) as client:
        yield client


def read_fresh(searchset) -> None:
    """Read as the app does, past HAPI's search cache: HAPI answers an identical search within a
    minute from its stored result list, and the app's searches carry the app's settings."""
    instance = Platform(load_settings())
    try:
        instance.read(searchset, no_cache=True)
    finally:
        instance.close()
    st.cache_data.clear()


def hospital_of(at) -> str:
    return at.selectbox(key="divi_facility").value


def shown_register(at) -> dict:
    """The register's JSON as the page shows it (``st.json``)."""
    (element,) = [j for j in at.json if '"api_version"' in j.value]
    return json.loads(element.value)


@pytest.fixture(scope="module")
def page(users):
    return open_page(PAGE, users["management.demo"])


def test_the_page_runs_for_a_manager_and_offers_every_icu_hospital(page, test_network):
    clean(page)
    assert page.title[0].value == t("page.divi")
    assert not page.error, [e.value for e in page.error]
    with_icu = test_network.ground_truth["divi"]["now"]
    assert hospital_of(page) in with_icu
    assert len(page.selectbox(key="divi_facility").options) == len(with_icu)


def test_beds_ventilation_and_capacity_match_the_ground_truth(page, test_network):
    hospital = hospital_of(page)
    truth = test_network.ground_truth["divi"]["now"][hospital]
    beds = table_with(page, t("mgr.divi.status"))
    assert len(beds) == 6
    for category in CATEGORIES:
        for age_group in ("adult", "paediatric"):
            expected = truth["beds"][f"{category}|{age_group}"]
            row = beds[
                (beds[t("mgr.col.category")] == t(f"mgr.divi.{category}"))
                & (beds[t("mgr.col.age_group")] == t(f"age_group.{age_group}"))
            ].iloc[0]
            assert row[t("mgr.col.in_service")] == expected["beds"]
            assert row[t("col.occupied")] == expected["occupied"]
            assert row[t("col.free")] == expected["free"]
            assert row[t("mgr.divi.status")] == t(f"mgr.divi.status.{expected['status']}")
    ventilation = table_with(page, t("divi.col.mode"))
    for mode in ("invasive", "non_invasive", "ecmo"):
        for age_group in ("adult", "paediatric"):
            row = ventilation[
                (ventilation[t("divi.col.mode")] == t(f"divi.mode.{mode}"))
                & (ventilation[t("mgr.col.age_group")] == t(f"age_group.{age_group}"))
            ].iloc[0]
            assert row[t("divi.col.patients")] == truth["ventilation"][f"{mode}|{age_group}"]
    capacity = table_with(page, t("divi.col.figure"))
    values = dict(zip(capacity[t("divi.col.figure")], capacity[t("divi.col.value")], strict=True))
    for key in ("free_iv", "free_ecmo", "reserve_7d"):
        assert values[t(f"divi.capacity.{key}")] == truth[key]
    register = shown_register(page)
    assert register["api_version"] == "V2"
    assert register["meldebereich"]["id"] == hospital
    assert register["kapazitaeten"]["patientenEcmo"] == sum(
        n for k, n in truth["ventilation"].items() if k.startswith("ecmo|")
    )


def test_the_history_shows_every_stored_day_and_today(page, test_network):
    hospital = hospital_of(page)
    stored = test_network.ground_truth["divi"]["history"][hospital]
    history = table_with(page, t("divi.col.icu_occupied"))
    today = pd.Timestamp.now(tz="Europe/Berlin").date()
    first = today - pd.Timedelta(days=29)
    expected = {d: f for d, f in stored.items() if pd.Timestamp(d).date() >= first}
    rows = {r[t("divi.col.date")]: r for _, r in history.iterrows()}
    assert fmt_date(today) in rows
    assert len(rows) == len(expected) + (today.isoformat() not in expected)
    for day, figures in expected.items():
        row = rows[fmt_date(pd.Timestamp(day))]
        icu = [k for k in figures["beds"] if not k.startswith("ecmo")]
        assert row[t("divi.col.icu_occupied")] == sum(figures["beds"][k]["occupied"] for k in icu)
        assert row[t("divi.col.invasive")] == sum(
            n for k, n in figures["ventilation"].items() if k.startswith("invasive|")
        )
        assert row[t("divi.col.situation")] == t(f"divi.situation.{figures['situation']}")


def occupied_icu_bed(admin, hospital: str) -> tuple[str, str] | None:
    """(patient id, encounter id) of a patient lying in a high-care bed of ``hospital`` now and
    not on ECMO, or None when the hour's network has none there."""
    beds = admin.get(
        "Location",
        params={"organization": f"Organization/{hospital}", "_count": "500"},
    ).json()
    for entry in beds.get("entry", []):
        bed = entry["resource"]
        kinds = [c["code"] for t_ in bed.get("type", []) for c in t_.get("coding", [])]
        if (bed.get("operationalStatus") or {}).get("code") == "O" and "icu-high-care" in kinds:
            stays = admin.get(
                "Encounter", params={"location": f"Location/{bed['id']}", "status": "in-progress"}
            ).json()
            for stay in stays.get("entry", []):
                encounter = stay["resource"]
                # The stay that lies in the bed now, not one that lay there before.
                here = [
                    x
                    for x in encounter.get("location", [])
                    if x["location"]["reference"] == f"Location/{bed['id']}"
                    and x.get("status") == "active"
                ]
                if not here:
                    continue
                patient = encounter["subject"]["reference"].split("/")[1]
                on_ecmo = admin.get(
                    "Procedure",
                    params={
                        "subject": f"Patient/{patient}",
                        "code": f"{SNOMED}|233573008",
                        "status": "in-progress",
                    },
                ).json()
                if not on_ecmo.get("entry"):
                    return patient, encounter["id"]
    return None


def hospital_with_icu_patient(admin, at) -> tuple[int, str, str]:
    """The page's first hospital with a high-care patient not on ECMO: (its index in the
    hospital choice, patient id, encounter id). A small hospital has two high-care beds, and in
    some hours of the generated network neither holds such a patient."""
    options = at.selectbox(key="divi_facility").options
    for index in range(len(options)):
        at.selectbox(key="divi_facility").select_index(index).run(timeout=120)
        found = occupied_icu_bed(admin, hospital_of(at))
        if found:
            return index, *found
    pytest.fail("no hospital has a high-care patient who is not on ECMO")


def test_an_arranged_ecmo_counts_once_and_is_gone_when_put_back(users, admin):
    at = open_page(PAGE, users["management.demo"])
    index, patient, encounter = hospital_with_icu_patient(admin, at)
    before = shown_register(at)["kapazitaeten"]
    procedure_id = f"vnt-test-{uuid.uuid4().hex[:8]}"
    procedure = {
        "resourceType": "Procedure",
        "id": procedure_id,
        "status": "in-progress",
        "code": {"coding": [{"system": SNOMED, "code": "233573008"}]},
        "subject": {"reference": f"Patient/{patient}"},
        "encounter": {"reference": f"Encounter/{encounter}"},
        "performedPeriod": {"start": pd.Timestamp.now(tz="Europe/Berlin").isoformat()},
    }
    assert admin.put(f"Procedure/{procedure_id}", json=procedure).status_code in (200, 201)
    try:
        read_fresh(ventilations())
        at = open_page(PAGE, users["management.demo"])
        at.selectbox(key="divi_facility").select_index(index).run(timeout=120)
        after = shown_register(at)["kapazitaeten"]
        assert after["patientenEcmo"] == before["patientenEcmo"] + 1
        assert after["patientenInvasivBeatmet"] == before["patientenInvasivBeatmet"]
    finally:
        assert admin.delete(f"Procedure/{procedure_id}").status_code in (200, 204)
        read_fresh(ventilations())


def delete_answers(http: FhirHttp, hospital: str) -> None:
    found = http.get_json(
        "QuestionnaireResponse",
        params={"subject": f"Organization/{hospital}", "_count": "100"},
        no_cache=True,
    )
    for entry in found.get("entry", []):
        delete_audited(http, f"QuestionnaireResponse/{entry['resource']['id']}")


def test_the_manager_records_the_operating_situation_audited(
    users, admin, platform_admin, fhir_base_url
):
    at = open_page(PAGE, users["management.demo"])
    hospital = hospital_of(at)
    assert shown_register(at)["betriebssituation"] in (
        "KEINE_ANGABE",
        "REGULAERER_BETRIEB",
        "TEILWEISE_EINGESCHRAENKT",
        "EINGESCHRAENKT",
    )
    try:
        at.radio(key="divi_situation_choice").set_value("EINGESCHRAENKT")
        at.checkbox(key="divi_personal").check()
        at.checkbox(key="divi_beatmungsgeraet").check()
        at.checkbox(key="divi_soon").check()
        (save,) = [b for b in at.button if b.label == t("divi.form.save")]
        save.click().run(timeout=120)
        assert not at.exception, at.exception
        register = shown_register(at)
        assert register["betriebssituation"] == "EINGESCHRAENKT"
        assert register["betriebseinschraenkungPersonal"] is True
        assert register["betriebseinschraenkungBeatmungsgeraet"] is True
        assert register["betriebseinschraenkungRaum"] is False
        assert t("divi.situation.EINGESCHRAENKT") in texts(at)
        events = admin.get(
            "AuditEvent", params={"site": "divi", "_sort": "-date", "_count": "5"}
        ).json()
        written = [
            e["resource"]
            for e in events.get("entry", [])
            if any(
                "QuestionnaireResponse/" in (x.get("what") or {}).get("reference", "")
                for x in e["resource"].get("entity", [])
            )
        ]
        assert written, "the write was not audited"
    finally:
        delete_answers(platform_admin.http(), hospital)


def test_storing_todays_report_makes_it_history(users, admin, platform_admin):
    at = open_page(PAGE, users["management.demo"])
    hospital = hospital_of(at)
    today = pd.Timestamp.now(tz="Europe/Berlin").date()
    report_id = f"divi-{hospital}-{today.isoformat()}"
    existed = admin.get(f"MeasureReport/{report_id}").status_code == 200
    try:
        at.button(key="divi_store").click().run(timeout=120)
        assert not at.exception, at.exception
        assert t("divi.stored") in texts(at)
        stored = admin.get(f"MeasureReport/{report_id}").json()
        assert stored["measure"].endswith("/Measure/divi-intensivregister")
        assert stored["reporter"]["reference"] == f"Organization/{hospital}"
    finally:
        if not existed:
            delete_audited(platform_admin.http(), f"MeasureReport/{report_id}")


def test_english_page_with_csv_exports(users):
    at = open_page(PAGE, users["management.demo"], lang="en")
    clean(at)
    assert at.title[0].value == t("page.divi", "en")
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("divi.register_json", "en") in labels
    assert t("divi.saner_json", "en") in labels
    # Beds, ventilation, capacity and history, each as CSV (";" and BOM: services.export).
    assert labels.count(t("download.csv", "en")) == 4, labels
    assert t("divi.history", "en", days=30) in [s.value for s in at.subheader]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.MANAGER, True), (Role.ADMIN, True), (Role.NURSE, False), (Role.PHYSICIAN, False)],
)
def test_who_may_open_the_page(role, allowed):
    user = User("someone", "Jemand", role, wards=("loc-kns-w01",), hospital_id="org-kns")
    at = open_page(PAGE, user)
    assert not at.exception
    if not allowed:
        assert [e.value for e in at.error] == [t("guard.not_permitted")]
        assert not at.dataframe


def test_the_nurses_task_page_shows_the_current_shifts_ratio(users, test_network):
    from services.i18n import fmt_number
    from services.views.staffing import duty_day

    nurse = users["pflege.demo"]
    at = open_page("pages/tasks.py", nurse)
    clean(at)
    ward = at.selectbox(key="nurse.ward").value
    now = pd.Timestamp.now(tz="Europe/Berlin")
    shift = "day" if 6 <= now.hour < 22 else "night"
    truth = test_network.ground_truth["staffing"].get(ward, {}).get(duty_day(now).isoformat())
    lines = [m.value for m in (*at.caption, *at.warning) if "Aktuelle Schicht" in m.value]
    if truth is None:
        # A network generated on an earlier day has no roster for today: no line then.
        assert lines == []
        return
    (line,) = lines
    assert t(f"staff.shift.{shift}") in line
    assert f"{fmt_number(truth[shift]['nurses'], 'de', 1)} Pflegekräfte" in line
