"""The physician's pages against the test server: the record of a person seen at several hospitals
is exactly what the generator made for them, the search finds them by any spelling and by any
identifier value, is capped and audited on the server, break-glass is audited, and the pages run
as a physician (and refuse a manager; the search refuses a nurse)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import services.patient_record
from components.session import platform as app_platform
from demo_data.bundles import read_json
from services.audit import query_of
from services.codes import KVNR
from services.domain.access import BreakGlassReason, compose_reason
from services.domain.patient_search import fold, parse_criteria
from services.domain.timeline import SAME_FACT_WITHIN, build_timeline, record_ids
from services.i18n import t
from services.patient_record import RECORD_KINDS, find_persons, read_record, record_patients
from services.search import query
from tests.support.apptest import APP, open_page, seed_session, texts
from tests.support.reconcile import my_patients, raw_stays, resources, ward_departments

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]
TABLE = {
    "Encounter": "encounter",
    "Condition": "condition",
    "Procedure": "procedure",
    "MedicationRequest": "medication_request",
    "Observation": "observation",
}


@pytest.fixture(scope="module")
def generated(test_network):
    """From the generator's bundles: Patient records per KVNR, resource ids per Patient and kind,
    and the resources themselves by id."""
    patients: dict[str, list[dict]] = defaultdict(list)
    by_patient: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    resources: dict[str, dict] = {}
    for bundle in test_network.manifest["bundles"]:
        for entry in read_json(test_network.dir / bundle["file"])["entry"]:
            res = entry["resource"]
            kind = res["resourceType"]
            resources[f"{kind}/{res['id']}"] = res
            if kind == "Patient":
                kvnr = next(i["value"] for i in res["identifier"] if i.get("system") == KVNR)
                patients[kvnr].append(res)
            elif kind in RECORD_KINDS:
                whose = res.get("subject") or res["patient"]
                by_patient[whose["reference"].split("/")[1]][kind].add(res["id"])
    return patients, by_patient, resources


def cross_facility_kvnr(test_network, at_least: int = 2) -> str:
    """The person at the most hospitals with the most resources (ties: smallest KVNR)."""
    truth = test_network.ground_truth["patient_resources"]
    return max(
        (k for k, v in truth.items() if len(v) >= at_least),
        key=lambda k: (len(truth[k]), sum(sum(c.values()) for c in truth[k].values()), k),
    )


def test_record_of_a_cross_facility_person_is_what_the_generator_made(
    platform, test_network, generated
):
    patients, by_patient, _ = generated
    kvnr = cross_facility_kvnr(test_network)
    truth = test_network.ground_truth["patient_resources"][kvnr]
    found = find_persons(platform.read, parse_criteria("", "", kvnr, date.today()))
    assert len(found.persons) == 1
    person = found.persons.iloc[0]
    assert set(person["hospitals"]) == set(truth)

    record = read_record(platform, record_patients(person["records"]))
    assert not any(r.errors for r in record.reads)
    # One search per kind at the one source, whatever the number of records: no request per item.
    assert record.requests == len(RECORD_KINDS)
    hospital_of_patient = {
        p["id"]: p["managingOrganization"]["reference"].split("/")[1] for p in patients[kvnr]
    }
    shown = defaultdict(lambda: defaultdict(set))
    for kind, table in TABLE.items():
        frame = record.tables.get(table)
        for patient_id, res_id in zip(frame["patient_id"], frame["id"], strict=True):
            shown[hospital_of_patient[patient_id]][kind].add(res_id)
    for patient_id, hospital in hospital_of_patient.items():
        # The kinds the generator writes; the MII kinds it does not are read and found empty.
        for kind in TABLE:
            made = by_patient[patient_id][kind]
            assert shown[hospital][kind] == made, (hospital, kind)
            assert len(made) == truth[hospital][kind], (hospital, kind)

    timeline = build_timeline(record.tables, record.patients, as_of(test_network))
    # Allergies and flags are in the safety header, not on the timeline.
    expected = {
        f"{kind}/{i}"
        for pid in hospital_of_patient
        for kind in RECORD_KINDS
        if kind not in ("AllergyIntolerance", "Flag")
        for i in by_patient[pid][kind]
    }
    assert record_ids(timeline) == expected
    assert set(timeline.stays["hospital_id"]) == set(truth)


def test_conditions_recorded_at_two_hospitals_become_one_mark(platform, test_network, generated):
    """Persons whose same ICD code was recorded at two hospitals within the window in which the
    timeline takes them for one fact: one mark each."""
    patients, by_patient, resources = generated
    window = SAME_FACT_WITHIN["condition"].to_pytimedelta()
    checked = 0
    for kvnr in sorted(test_network.ground_truth["patient_resources"]):
        records = patients[kvnr]
        if len(records) < 2:
            continue
        codes = defaultdict(list)
        for p in records:
            for cid in by_patient[p["id"]]["Condition"]:
                condition = resources[f"Condition/{cid}"]
                recorded = datetime.fromisoformat(condition["recordedDate"])
                code = condition["code"]["coding"][0]["code"]
                codes[code].append((p["managingOrganization"]["reference"], recorded))
        same_fact_twice = any(
            a[0] != b[0] and abs(a[1] - b[1]) <= window
            for seen in codes.values()
            for a in seen
            for b in seen
        )
        if same_fact_twice:
            found = find_persons(platform.read, parse_criteria("", "", kvnr, date.today()))
            record = read_record(platform, record_patients(found.persons.iloc[0]["records"]))
            timeline = build_timeline(record.tables, record.patients, as_of(test_network))
            merged = timeline.marks[timeline.marks["hospitals"].map(len) > 1]
            assert (merged["kind"] == "condition").any()
            # Every record still appears exactly once, inside its merged mark.
            listed = [r for rs in timeline.marks["records"] for r in rs]
            assert len(listed) == len(set(listed))
            checked += 1
        if checked == 2:
            break
    assert checked, "the test network has no condition recorded at two hospitals"


def test_search_by_the_other_umlaut_spelling(platform, test_network, generated):
    patients, _, _ = generated
    kvnr = next(
        k
        for k in sorted(patients)
        if len(patients[k]) > 1 and any(ch in patients[k][0]["name"][0]["family"] for ch in "äöü")
    )
    family = patients[kvnr][0]["name"][0]["family"]
    given = patients[kvnr][0]["name"][0]["given"][0]
    typed = fold(family).upper() + " " + given
    found = find_persons(platform.read, parse_criteria(typed, "", "", date.today()))
    row = found.persons[found.persons["kvnr"] == kvnr]
    assert len(row) == 1
    assert len(row.iloc[0]["records"]) == len(patients[kvnr])


def test_search_by_case_number_finds_every_record_of_the_person(platform, generated):
    patients, by_patient, resources = generated
    kvnr = next(k for k in sorted(patients) if len(patients[k]) > 1)
    encounter = resources[
        f"Encounter/{sorted(by_patient[patients[kvnr][0]['id']]['Encounter'])[0]}"
    ]
    case_number = encounter["identifier"][0]["value"]
    found = find_persons(platform.read, parse_criteria("", "", case_number, date.today()))
    assert kvnr in set(found.persons["kvnr"])


def as_of(test_network) -> pd.Timestamp:
    return pd.Timestamp(test_network.as_of).tz_convert("Europe/Berlin")


def choose_kvnr(test_network, own_hospital: str, known_here: bool) -> str:
    for kvnr in sorted(test_network.ground_truth["patient_resources"]):
        hospitals = set(test_network.ground_truth["patient_resources"][kvnr])
        if (own_hospital in hospitals) == known_here and len(hospitals) >= (1 if known_here else 2):
            return kvnr
    raise AssertionError("no such person in the test network")


def search(at, identifier: str = "", name: str = "", born: str = ""):
    at.text_input(key="search_name").input(name)
    at.text_input(key="search_birth_date").input(born)
    at.text_input(key="search_identifier").input(identifier)
    at.button[0].click()  # the form's submit button
    return at.run()


def click_row(at, row: int):
    """A click on a row of the result table (its selection state, as the browser sends it)."""
    at.session_state[f"search_rows_{at.session_state['search_count']}"] = {
        "selection": {"rows": [row], "columns": []}
    }
    return at.run()


def test_break_glass_is_audited_with_the_reason(users, test_network, generated, platform):
    doctor = users["arzt.demo"]
    kvnr = choose_kvnr(test_network, doctor.hospital_id, known_here=False)
    at = open_page("pages/patient_search.py", doctor)
    assert not at.exception
    at = search(at, kvnr)
    assert not at.exception
    table = at.dataframe[0].value.to_string()
    assert t("access.break_glass") in table
    # Until break-glass the row shows neither the KVNR nor the birth date.
    assert kvnr not in table and t("search.hidden") in table
    born = generated[0][kvnr][0]["birthDate"]
    assert datetime.fromisoformat(born).strftime("%d.%m.%Y") not in table
    assert not at.text_area, "nothing is preselected: no break-glass warning before a click"
    at = click_row(at, 0)
    assert at.text_area(key="search_reason"), "a reason is asked before opening"
    at.button(key="search_open").click().run()
    assert any(t("break_glass.too_short", count=10) in e.value for e in at.error)
    words = "Vorbefunde zur Antikoagulation benötigt"
    at.text_area(key="search_reason").input(words)
    at.button(key="search_open").click().run()
    assert any(t("break_glass.too_short", count=10) in e.value for e in at.error), (
        "words without a listed occasion do not open the record"
    )
    at.selectbox(key="search_reason_kind").select(BreakGlassReason.EMERGENCY)
    at.button(key="search_open").click().run()
    reason = compose_reason(BreakGlassReason.EMERGENCY, words)
    assert not at.exception
    assert t("timeline.title", name="").strip() in texts(at)
    patient_ids = [p["id"] for p in generated[0][kvnr]]
    events = platform.read(
        query("AuditEvent").search(entity=",".join(f"Patient/{i}" for i in patient_ids)),
        no_cache=True,
    )["audit_event"]
    mine = events[(events["user"] == doctor.username) & (events["reason"] == reason)]
    assert set(mine["patient_id"]) == set(patient_ids)
    assert set(mine["purpose"]) == {"ETREAT"}


def test_own_hospital_patient_opens_directly_with_timeline_and_trends(
    users, test_network, generated
):
    doctor = users["arzt.demo"]
    kvnr = choose_kvnr(test_network, doctor.hospital_id, known_here=True)
    at = search(open_page("pages/patient_search.py", doctor), kvnr)
    assert kvnr in at.dataframe[0].value.to_string(), "the own hospital's patient is disclosed"
    assert not at.text_area and not at.get("plotly_chart"), "nothing opens before a click"
    at = click_row(at, 0)
    assert not at.exception
    page = texts(at)
    assert "Verlauf:" in page and "Aktueller Aufenthalt" in page
    assert at.get("plotly_chart")
    # Stays and entries always; the medication list only where the patient takes something now;
    # the cumulative labs where there are results.
    downloads = {button.key for button in at.get("download_button")}
    no_medication = any(t("medlist.none") == info.value for info in at.info)
    assert (
        {"csv_stays", "csv_marks"}
        <= downloads
        <= {
            "csv_stays",
            "csv_marks",
            "csv_medication",
            "csv_labs",
        }
    )
    assert ("csv_medication" in downloads) is not no_medication


@pytest.mark.parametrize(
    "page", ["pages/patient_search.py", "pages/timeline.py", "pages/my_patients.py"]
)
def test_physician_pages_not_permitted_for_a_manager(users, page):
    at = open_page(page, users["management.demo"])
    assert not at.exception
    assert any(t("guard.not_permitted") in e.value for e in at.error)
    assert not at.get("plotly_chart") and not at.dataframe


def test_my_patients_lists_the_departments_inpatients(users, test_network):
    doctor = users["arzt.demo"]
    at = open_page("pages/my_patients.py", doctor, lang="en")
    assert not at.exception
    stays = raw_stays(list(resources(test_network.dir, test_network.manifest)))
    expected = len(my_patients(stays, doctor, ward_departments(test_network.manifest)))
    assert expected, "the demo physician's departments have inpatients"
    assert next(m.value for m in at.metric if m.label == "Patients") == str(expected)
    assert len(at.dataframe[0].value) == expected


def identifier_index(
    generated,
) -> tuple[dict[str, set[str]], dict[str, str], dict[str, set[str]]]:
    """Patient ids by identifier value, KVNR by Patient id, Patient ids by case number."""
    patients, _, resources = generated
    by_value: dict[str, set[str]] = defaultdict(set)
    kvnr_of: dict[str, str] = {}
    for kvnr, records in patients.items():
        for p in records:
            kvnr_of[p["id"]] = kvnr
            for ident in p["identifier"]:
                by_value[ident["value"]].add(p["id"])
    case_subjects: dict[str, set[str]] = defaultdict(set)
    for res in resources.values():
        if res["resourceType"] == "Encounter":
            for ident in res.get("identifier", ()):
                case_subjects[ident["value"]].add(res["subject"]["reference"].split("/")[1])
    return by_value, kvnr_of, case_subjects


def expected_records(generated, first_step: set[str]) -> set[str]:
    """Every Patient record of the persons of the records the first step finds."""
    patients = generated[0]
    _, kvnr_of, _ = identifier_index(generated)
    return {p["id"] for pid in first_step for p in patients[kvnr_of[pid]]}


def found_records(found) -> set[str]:
    return {pid for records in found.persons["records"] for _, pid, _ in records}


def test_search_by_mr_number_without_system_finds_every_record_with_that_number(
    platform, generated
):
    by_value, _, _ = identifier_index(generated)
    # A local patient number as hospitals issue them: digits only; the same number is issued
    # by several hospitals, each to its own patient.
    number = next(v for v in sorted(by_value) if v.isdigit() and len(by_value[v]) > 1)
    found = find_persons(platform.read, parse_criteria("", "", number, date.today()))
    assert not found.capped and not found.failed_sources
    assert found_records(found) == expected_records(generated, by_value[number])
    assert len(found.persons) == len({p for p in found.persons["person"]})


def test_search_by_patient_id_finds_the_person_with_every_record(platform, generated):
    patients = generated[0]
    kvnr = next(k for k in sorted(patients) if len(patients[k]) > 1)
    patient_id = patients[kvnr][1]["id"]
    found = find_persons(platform.read, parse_criteria("", "", patient_id, date.today()))
    assert list(found.persons["kvnr"]) == [kvnr]
    assert found_records(found) == {p["id"] for p in patients[kvnr]}


@pytest.mark.parametrize("case", [str.upper, str.lower])
def test_search_by_kvnr_in_either_case_finds_the_person_at_every_hospital(
    platform, generated, case
):
    patients = generated[0]
    kvnr = next(k for k in sorted(patients) if len(patients[k]) > 2)
    found = find_persons(platform.read, parse_criteria("", "", case(kvnr), date.today()))
    assert list(found.persons["kvnr"]) == [kvnr]
    assert found_records(found) == {p["id"] for p in patients[kvnr]}


def test_search_by_case_number_with_a_name_keeps_only_matching_persons(platform, generated):
    patients = generated[0]
    _, kvnr_of, case_subjects = identifier_index(generated)
    # A case number issued by several hospitals: the name says which of their patients is meant.
    case_number = next(c for c in sorted(case_subjects) if len(case_subjects[c]) > 1)
    kvnrs = sorted({kvnr_of[s] for s in case_subjects[case_number]})
    name = patients[kvnrs[0]][0]["name"][0]
    typed = f"{name['family']} {name['given'][0]}"
    expected = {
        k
        for k in kvnrs
        if any(
            fold(p["name"][0]["family"]) == fold(name["family"])
            and fold(name["given"][0]) in map(fold, p["name"][0]["given"])
            for p in patients[k]
        )
    }
    found = find_persons(platform.read, parse_criteria(typed, "", case_number, date.today()))
    assert set(found.persons["kvnr"]) == expected and len(expected) < len(kvnrs)
    unknown = parse_criteria("Zzyzx Qwerty", "", case_number, date.today())
    assert find_persons(platform.read, unknown).persons.empty


def test_search_syntax_in_a_number_is_escaped_not_obeyed(platform, generated):
    by_value, _, _ = identifier_index(generated)
    first, second = [v for v in sorted(by_value) if v.isdigit()][:2]
    for each in (first, second):
        assert not find_persons(
            platform.read, parse_criteria("", "", each, date.today())
        ).persons.empty
    # Unescaped, the comma would OR both numbers, the pipe read a system, the dollar a composite.
    for typed in (f"{first},{second}", f"{first}|{second}", f"{first}$x", f"{first}\\,{second}"):
        found = find_persons(platform.read, parse_criteria("", "", typed, date.today()))
        assert found.persons.empty, typed
        assert not found.failed_sources, typed


def test_a_search_matching_more_than_the_cap_shows_nobody(platform, generated):
    by_value, _, _ = identifier_index(generated)
    number = next(v for v in sorted(by_value) if len(by_value[v]) == 4)
    kvnr_of = identifier_index(generated)[1]
    persons_with_number = len({kvnr_of[p] for p in by_value[number]})
    assert persons_with_number > 2
    capped = find_persons(platform.read, parse_criteria("", "", number, date.today()), cap=2)
    assert capped.capped and capped.persons.empty and capped.patients.empty
    # Beyond the cap nothing is fetched: at most cap + 1 matches per first-step search.
    assert all(s.fetched <= 3 for r in capped.reads for s in r.stats)
    enough = find_persons(
        platform.read, parse_criteria("", "", number, date.today()), cap=persons_with_number
    )
    assert not enough.capped and len(enough.persons) == persons_with_number


def search_events(platform, username: str, since: datetime) -> list[dict]:
    """The search AuditEvents of ``username`` since ``since``, as the server holds them."""
    bundle = platform.http().get_json(
        "AuditEvent",
        {
            "altid": username,
            "site": "patient_search",
            "date": f"ge{since.isoformat()}",
            "_count": "200",
        },
        no_cache=True,
    )
    return [e["resource"] for e in bundle.get("entry", ())]


def test_each_search_is_audited_once_with_criteria_count_and_outcome(users, platform, generated):
    doctor = users["arzt.demo"]
    by_value, _, _ = identifier_index(generated)
    number = next(v for v in sorted(by_value, reverse=True) if len(by_value[v]) == 2)
    since = datetime.now(UTC) - timedelta(seconds=2)
    at = search(open_page("pages/patient_search.py", doctor), f" {number} ")
    assert not at.exception
    shown = len(at.dataframe[0].value)
    assert shown == len(
        find_persons(platform.read, parse_criteria("", "", number, date.today())).persons
    )
    at = click_row(at, 0)  # a click neither searches nor audits again
    mine = [
        e
        for e in search_events(platform, doctor.username, since)
        if query_of(e) == f"identifier={number}"
    ]
    assert len(mine) == 1, mine
    event = mine[0]
    assert event["action"] == "E" and event["outcome"] == "0"
    assert event["entity"][0]["detail"] == [{"type": "rows", "valueString": str(shown)}]
    # What was found is not in the event: no Patient references, no names, no KVNRs.
    assert "Patient/" not in str(event) and "KVZ10" not in str(event)


def test_a_capped_search_says_narrow_it_and_is_audited_as_such(
    users, platform, generated, monkeypatch
):
    doctor = users["arzt.demo"]
    by_value, _, _ = identifier_index(generated)
    number = next(v for v in sorted(by_value) if len(by_value[v]) == 4)
    monkeypatch.setattr(services.patient_record, "MAX_PERSONS", 2)
    since = datetime.now(UTC) - timedelta(seconds=2)
    at = search(open_page("pages/patient_search.py", doctor), number)
    assert not at.exception
    assert not at.dataframe, "nobody is listed"
    assert any(t("search.capped", cap=2) == w.value for w in at.warning)
    mine = [
        e
        for e in search_events(platform, doctor.username, since)
        if query_of(e) == f"identifier={number}"
    ]
    assert mine and all(e["outcome"] == "4" for e in mine)
    assert all(e["entity"][0]["detail"][0]["valueString"] == "0" for e in mine)


def test_a_search_too_broad_is_refused_before_anything_is_read(users):
    at = search(open_page("pages/patient_search.py", users["arzt.demo"]), name="Sc")
    assert not at.exception
    assert any(t("search.error.unspecific") == w.value for w in at.warning)
    assert not at.dataframe


def test_a_nurse_has_no_network_search(users):
    at = open_page("pages/patient_search.py", users["pflege.demo"])
    assert not at.exception
    assert any(t("guard.not_permitted") in e.value for e in at.error)
    assert not at.text_input and not at.dataframe


def test_a_record_another_physician_has_cached_is_refused_without_access(
    users, test_network, generated, platform
):
    doctor, other = users["arzt.demo"], users["arzt2.demo"]
    assert other.hospital_id != doctor.hospital_id
    # A person known only at the first physician's hospital: the other one has no access.
    kvnr = next(
        k
        for k, at_hospitals in sorted(test_network.ground_truth["patient_resources"].items())
        if set(at_hospitals) == {doctor.hospital_id}
    )
    first = click_row(search(open_page("pages/patient_search.py", doctor), kvnr), 0)
    assert not first.exception and "Verlauf:" in texts(first), "the record is read and cached"
    chosen = dict(first.session_state["record_person"])
    name = chosen["name"]

    # The same selection in the other physician's session, as if carried over: the cached
    # record must not be handed out, nothing read, no read audited for her.
    at = AppTest.from_file(APP, default_timeout=120)
    seed_session(at, other)
    at.session_state["lang"] = "de"
    at.session_state["record_person"] = {**chosen, "reason": None}
    sent: list[str] = []
    client = app_platform().http()._client
    client.event_hooks["request"].append(lambda request: sent.append(str(request.url)))
    try:
        at.switch_page("pages/timeline.py").run()
    finally:
        client.event_hooks["request"].clear()
    assert not at.exception
    assert any(t("search.denied") in e.value for e in at.error)
    assert name not in texts(at) and "Verlauf:" not in texts(at)
    assert not [url for url in sent if "patient=" in url], "no record search was sent"
    patient_ids = [p["id"] for p in generated[0][kvnr]]
    events = platform.read(
        query("AuditEvent").search(entity=",".join(f"Patient/{i}" for i in patient_ids)),
        no_cache=True,
    )["audit_event"]
    assert events[events["user"] == other.username].empty
