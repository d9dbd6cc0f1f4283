"""The app's frame with AppTest on the test network: sign-in, lock-out, sign-out, role routing,
a forbidden page opened by its path, the language switch, start pages and the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from demo_data.users import DEMO_PASSWORDS
from services.audit import AuditRecord, record
from services.config import Settings
from services.i18n import fmt_number, t
from services.markdown import plain
from services.platform import Platform
from services.users import MAX_LOGIN_ATTEMPTS
from tests.support.apptest import APP, open_page, session_store, texts
from tests.support.keycloak import source
from tests.support.persons import person_at_two_hospitals, views_recorded, when

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]


def sign_in(username: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    return at


def menu_labels(at: AppTest) -> set[str]:
    return {link.proto.label for link in at.get("page_link")}


def test_sign_in_shows_the_start_page_of_the_role():
    at = sign_in("pflege.demo", DEMO_PASSWORDS["pflege.demo"])
    assert not at.exception
    assert at.session_state["user"].role == "nurse"
    assert at.title[0].value == "Start"
    assert t("home.nurse.title") in texts(at)


def test_wrong_password_is_refused_in_german():
    at = sign_in("pflege.demo", "falsch")
    assert not at.exception
    assert "user" not in at.session_state or at.session_state["user"] is None
    assert t("login.failed") in texts(at)


def test_repeated_failures_lock_the_account():
    for _ in range(MAX_LOGIN_ATTEMPTS):
        sign_in("arzt2.demo", "falsch")
    at = sign_in("arzt2.demo", DEMO_PASSWORDS["arzt2.demo"])
    assert t("login.locked", minutes=15) in texts(at)
    assert at.session_state["user"] is None if "user" in at.session_state else True
    assert session_store().failed_attempts("arzt2.demo") == MAX_LOGIN_ATTEMPTS + 1


def test_sign_out_returns_to_the_form(users):
    at = open_page("pages/home.py", users["admin.demo"])
    at.switch_page("pages/logout.py")
    at.run()
    assert "user" not in at.session_state or at.session_state["user"] is None
    assert t("logout.done") in texts(at)
    at.button[0].click()
    at.run()
    assert [ti.label for ti in at.text_input] == ["Benutzername", "Passwort"]


@pytest.mark.parametrize(
    ("username", "offered", "not_offered"),
    [
        ("pflege.demo", "page.tasks", "page.audit"),
        ("arzt.demo", "page.patient_search", "page.capacity"),
        ("admin.demo", "page.audit", "page.tasks"),
        ("management.demo", "page.capacity", "page.audit"),
        ("management.demo", "page.staffing", "page.tasks"),
        ("pflege.demo", "page.tasks", "page.staffing"),
        ("arzt.demo", "page.patient_search", "page.staffing"),
    ],
)
def test_the_menu_offers_each_role_its_pages(users, username, offered, not_offered):
    labels = menu_labels(open_page("pages/home.py", users[username]))
    assert t(offered) in labels
    assert t(not_offered) not in labels


@pytest.mark.parametrize("username", ["pflege.demo", "arzt.demo", "management.demo"])
def test_a_forbidden_page_opened_by_its_path_says_not_permitted(users, username):
    at = open_page("pages/audit.py", users[username])
    assert not at.exception
    assert [e.value for e in at.error] == [t("guard.not_permitted")]
    assert not at.dataframe


def test_language_switch_to_english(users):
    at = open_page("pages/home.py", users["management.demo"], lang="en")
    assert at.title[0].value == "Home"
    assert "Beds across the network" in texts(at)
    at.selectbox(key="lang_picker").set_value("de")
    at.run()
    assert at.title[0].value == "Start"


def test_nurse_start_page_counts_the_open_tasks_of_the_ward(users, test_network):
    user = users["pflege.demo"]
    at = open_page("pages/home.py", user)
    assert not at.exception
    expected = sum(test_network.ground_truth["tasks_open"][w] for w in user.wards)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("home.nurse.open")] == fmt_number(expected)


def test_manager_start_page_shows_network_beds(users, test_network):
    at = open_page("pages/home.py", users["management.demo"])
    status = test_network.ground_truth["totals"]["bed_status"]
    free = {m.label: m.value for m in at.metric if m.label.endswith(t("mgr.placing.free", care=""))}
    assert sum(int(v.replace(".", "")) for v in free.values()) == status["U"]


def test_an_audit_event_written_appears_in_the_admin_trail(fhir_base_url, users):
    physician = users["arzt.demo"]
    settings = Settings(sources=(source("MEDI:CUS Plattform", fhir_base_url),))
    with Platform(settings) as platform:
        kept = record(
            platform,
            AuditRecord(physician, "read", "timeline", patient_id=None, reason="Prüfung"),
            settings.audit_log,
        )
    assert kept == "platform"
    st.cache_data.clear()
    at = open_page("pages/audit.py", users["admin.demo"])
    assert not at.exception
    table = at.dataframe[0].value
    assert physician.name in set(table[t("col.user")])
    assert "Prüfung" in set(table[t("col.reason")])


def test_a_rerun_is_served_from_the_cache(users):
    from components.session import platform

    st.cache_data.clear()
    at = open_page("pages/home.py", users["management.demo"])
    sent = sum(client.requests for client in platform().clients.values())
    at.run()
    assert not at.exception
    assert sum(client.requests for client in platform().clients.values()) == sent


def test_the_audit_trail_says_who_opened_which_record_yesterday(
    fhir_base_url, users, platform, test_network
):
    person = person_at_two_hospitals(platform, test_network.ground_truth)
    physician = users["arzt.demo"]
    today = datetime.now(ZoneInfo("Europe/Berlin"))
    yesterday, earlier = today - timedelta(days=1), today - timedelta(days=4)
    reason = "emergency: Übernahme aus der Nachbarklinik, Vorbefunde und Medikation nötig"
    records = [
        AuditRecord(
            physician, "read", "timeline", patient_id=person.patient_ids[0], when=when(yesterday, 9)
        ),
        AuditRecord(
            physician,
            "read",
            "timeline",
            patient_id=person.patient_ids[1],
            reason=reason,
            when=when(yesterday, 11),
        ),
        AuditRecord(
            physician, "read", "timeline", patient_id=person.patient_ids[0], when=when(earlier, 10)
        ),
    ]
    with views_recorded(fhir_base_url, records):
        st.cache_data.clear()
        at = open_page("pages/audit.py", users["admin.demo"])
        assert not at.exception, at.exception
        assert not at.slider, "a date range, not a days-back slider"
        at.text_input[0].input(person.kvnr).run()
        table = at.dataframe[0].value
        mine = table[table[t("col.user")] == physician.name]
        # Yesterday's two views, one at each hospital, both of the one person; not the older one.
        assert set(mine[t("col.record")]) >= set(person.patient_ids)
        assert set(mine[t("col.patient")]) == {person.name}
        assert set(mine[t("col.kvnr")]) == {person.kvnr}
        assert set(mine[t("col.role")]) == {t("role.physician")}
        assert set(mine[t("col.page")]) == {t("page.timeline")}
        assert set(mine[t("col.action")]) == {t("audit_action.R")}
        # The break-glass reason in full, in the table and in words below it.
        in_words = t("break_glass.emergency") + ":" + reason.partition(":")[2]
        assert in_words in set(mine[t("col.reason")])
        assert plain(in_words) in texts(at)
        # The access request: one person, both hospitals' records.
        report = at.dataframe[1].value
        assert set(report[t("col.record")]) >= set(person.patient_ids)
        assert at.get("download_button")

        at.date_input(key="audit_days").set_value((earlier.date(), earlier.date())).run()
        older = at.dataframe[0].value
        older = older[older[t("col.user")] == physician.name]
        assert older[t("col.record")].tolist() == [person.patient_ids[0]]
