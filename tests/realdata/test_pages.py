"""Every page of every role on the real exports (UKHD, UKW) and on the MII-shaped generated
network, in AppTest: no exception, no raw ``None``/``nan`` on screen, what the data lacks said in
words, and on every page a figure checked against a count made here from the raw bundles (or,
for the generated network, from its ground truth).

The record tests come first: the physician opens records, so that the administrator's audit
pages that follow have entries to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from services.domain.access import BreakGlassReason
from services.i18n import fmt_date, fmt_number, t
from services.lab_labels import ANALYTES
from services.roles import Role
from tests.support.apptest import clean, open_page, page_id, page_walk, table_with
from tests.support.raw_counts import (
    inpatients_now,
    of_kind,
    patient_ids,
    raw_stays,
    stale_limit,
    subject,
    unique_resources,
)

pytestmark = pytest.mark.realdata

WALK = page_walk()
SOURCES = ("UKHD", "UKW")
MR_NUMBER = "0001310848"


@dataclass(frozen=True)
class Raw:
    """Counts made from the exports' JSON, without the data layer."""

    current: dict[str, int]
    stale: dict[str, int]
    limit_days: dict[str, int]
    locations: dict[str, int]
    tasks: dict[str, int]
    resources: dict[str, dict[tuple[str, str], dict]]

    @property
    def inpatients(self) -> int:
        return sum(self.current.values())


@pytest.fixture(scope="module")
def raw(realdata) -> Raw:
    now = datetime.now().astimezone()
    counts: dict[str, dict[str, int]] = {k: {} for k in ("current", "stale", "limit", "loc", "t")}
    resources = {}
    for source in SOURCES:
        stays = raw_stays(realdata.raw(source))
        found = inpatients_now(stays, now)
        resources[source] = unique_resources(realdata.raw(source))
        counts["current"][source] = found["current"]
        counts["stale"][source] = found["stale"]
        counts["limit"][source] = stale_limit(stays).days
        counts["loc"][source] = len(of_kind(resources[source], "Location"))
        counts["t"][source] = len(of_kind(resources[source], "Task"))
    return Raw(
        counts["current"],
        counts["stale"],
        counts["limit"],
        counts["loc"],
        counts["t"],
        resources,
    )


# The physician's record: found by any identifier, the timeline reconciled with the raw JSON.


def _search(user, text: str) -> AppTest:
    at = open_page("pages/patient_search.py", user)
    at.text_input(key="search_identifier").input(text)
    at.button[0].click()  # the form's submit button
    return at.run()


def test_the_mr_number_finds_the_ukhd_patient(real_app, real_users, raw):
    patient = raw.resources["UKHD"][("Patient", MR_NUMBER)]
    at = _search(real_users[Role.PHYSICIAN], MR_NUMBER)
    shown = clean(at)
    assert "1 Personen gefunden" in shown
    (table,) = at.dataframe
    born = datetime.fromisoformat(patient["birthDate"])
    assert table.value["Geburtsdatum"].tolist() == [fmt_date(born, "de")]
    assert table.value["Zugriff"].tolist() == ["eigene Klinik"], shown


def _open_record(user, patient_id: str) -> AppTest:
    """The physician searches ``patient_id`` and opens the record by a click on its row, with
    an occasion and words when the patient is known at another hospital only."""
    at = _search(user, patient_id)
    clean(at)
    at.session_state[f"search_rows_{at.session_state['search_count']}"] = {
        "selection": {"rows": [0], "columns": []}
    }
    at.run()
    if at.text_area:
        at.selectbox(key="search_reason_kind").select(BreakGlassReason.CO_TREATMENT)
        at.text_area(key="search_reason").input("Vorbefunde für die Mitbehandlung angefordert")
        at.button(key="search_open").click().run()
    return at


def _records_of(marks, kind: str) -> set[str]:
    return {r for records in marks for r in records.split(", ") if r.startswith(f"{kind}/")}


@pytest.mark.parametrize(
    ("source", "patient_id"),
    [("UKHD", MR_NUMBER), ("UKHD", "0003165490"), ("UKW", "Patient-54211")],
)
def test_a_record_opens_on_the_timeline(real_app, real_users, raw, source, patient_id):
    at = _open_record(real_users[Role.PHYSICIAN], patient_id)
    shown = clean(at)
    assert "Verlauf:" in at.title[0].value, shown
    stays, marks = table_with(at, "Fallnummer"), table_with(at, "Datensätze")
    resources = raw.resources[source].values()
    expected_stays = {
        key for key, stay in raw_stays(list(resources)).items() if stay["patient"] == patient_id
    }
    assert len(stays) == len(expected_stays), shown
    conditions = {
        f"Condition/{r['id']}"
        for r in resources
        if r["resourceType"] == "Condition" and subject(r) == patient_id
    }
    assert _records_of(marks["Datensätze"], "Condition") == conditions


def test_real_lab_results_read_in_german_with_clinical_units(real_app, real_users, raw):
    """UKW's labs (own displays, UCUM, some without unit or range) on the cumulative table."""
    at = _open_record(real_users[Role.PHYSICIAN], "Patient-54211")
    shown = clean(at)
    table = table_with(at, "Parameter")
    labs = [
        r
        for (kind, _), r in raw.resources["UKW"].items()
        if kind == "Observation"
        and subject(r) == "Patient-54211"
        and any(
            c.get("code") == "laboratory" for cat in r.get("category", []) for c in cat["coding"]
        )
    ]
    codes = {r["code"]["coding"][0]["code"] for r in labs}
    assert set(table["Parameter"]) == {ANALYTES[c][0] for c in codes}
    unit = dict(zip(table["Parameter"] + "|" + table["UCUM"], table["Einheit"], strict=True))
    assert unit["Kreatinin|mg/dL"] == "mg/dl"
    assert unit["Thrombozyten|10*3/uL"] == "/nl"
    assert unit["CRP|mg/L"] == "mg/l"
    # CRP sent as a coded "< 0.10" without a unit: its own row, said in words.
    assert unit["CRP|ohne Einheit"] == "ohne Einheit"
    egfr = table[table["Parameter"] == "eGFR (CKD-EPI)"].iloc[0]
    assert egfr["Referenzbereich"] == "kein Referenzbereich"
    times = {r["effectiveDateTime"][:16] for r in labs}
    if len(times) > 8:
        assert f"8 von {len(times)} Abnahmezeitpunkten" in shown


def test_every_export_patient_can_be_found(real_app, real_users, realdata):
    user = real_users[Role.PHYSICIAN]
    for source in SOURCES:
        for patient_id in patient_ids(realdata.raw(source)):
            assert "1 Personen gefunden" in clean(_search(user, patient_id)), patient_id


# One figure per page, against the raw counts.

NO_WARDS = "meldet keine Stationen"
NO_BEDS = "Diese Quelle meldet keine Betten"
NO_DATA = "Für diese Auswahl liegen keine Daten vor."


def _no_wards(shown: str, at: AppTest, raw: Raw) -> None:
    # No Location at all in the UKHD export: no ward, so no ward page has anything to show.
    assert raw.locations["UKHD"] == 0
    assert NO_WARDS in shown
    assert not at.dataframe


def _stale_note(shown: str, raw: Raw, source: str) -> None:
    if raw.stale[source]:
        note = f"{raw.stale[source]} Aufenthalte seit über {raw.limit_days[source]} Tagen offen"
        assert note in shown
    else:
        assert "Tagen offen" not in shown


def _physician_home(shown: str, at: AppTest, raw: Raw) -> None:
    assert {m.label: m.value for m in at.metric}["Patienten"] == fmt_number(raw.current["UKHD"])
    _stale_note(shown, raw, "UKHD")


def _my_patients(shown: str, at: AppTest, raw: Raw) -> None:
    if raw.current["UKHD"]:
        assert len(at.dataframe[0].value) == raw.current["UKHD"]
    else:
        assert "Zurzeit keine stationären Patienten" in shown


def _search_prompt(shown: str, at: AppTest, raw: Raw) -> None:
    assert "Name und Geburtsdatum oder eine Nummer eingeben." in shown
    assert len(raw.resources["UKHD"]) > 0


def _timeline_prompt(shown: str, at: AppTest, raw: Raw) -> None:
    # Opened from the menu in a new session: no person chosen yet (records: see above).
    assert "Bitte zuerst eine Person" in shown


def _census(shown: str, at: AppTest, raw: Raw) -> None:
    """Capacity pages on sources without beds: said so, and patients per ward instead."""
    assert raw.locations == {"UKHD": 0, "UKW": 0}
    assert NO_BEDS in shown
    if raw.inpatients:
        (table,) = at.dataframe
        assert sum(int(n) for n in table.value["Patienten jetzt"]) == raw.inpatients
    else:
        assert NO_DATA in shown


def _trends(shown: str, at: AppTest, raw: Raw) -> None:
    # Census by ward needs wards; none in either export.
    assert raw.locations == {"UKHD": 0, "UKW": 0}
    assert NO_BEDS in shown and NO_DATA in shown


def _workload(shown: str, at: AppTest, raw: Raw) -> None:
    assert raw.tasks == {"UKHD": 0, "UKW": 0}
    assert NO_DATA in shown


def _data_quality(shown: str, at: AppTest, raw: Raw) -> None:
    stale = {}
    for source, frame in zip(SOURCES, at.dataframe, strict=True):
        rows = frame.value[frame.value["Prüfung"] == "Offene Aufenthalte älter als die Grenze"]
        stale[source] = int(rows["Anzahl"].iloc[0]) if len(rows) else 0
    assert stale == raw.stale


def _staffing(shown: str, at: AppTest, raw: Raw) -> None:
    # Neither export has wards or a duty roster (Appointment): staffing cannot be judged.
    assert raw.locations == {"UKHD": 0, "UKW": 0}
    assert t("staff.no_roster") in shown
    assert not at.dataframe


def _discharge(shown: str, at: AppTest, raw: Raw) -> None:
    # Discharge flow per ward needs wards; neither export has any.
    assert raw.locations == {"UKHD": 0, "UKW": 0}
    assert t("dis.no_wards") in shown
    assert not at.dataframe


def _admin_home(shown: str, at: AppTest, raw: Raw) -> None:
    # The physician's record views above were audited at the sources that hold the records.
    assert int({m.label: m.value for m in at.metric}["Ereignisse"].replace(".", "")) >= 3


def _audit(shown: str, at: AppTest, raw: Raw) -> None:
    # The trail comes first (the access report below it has the same columns). The UKHD
    # Patient's id is its MR number: the physician's views of that record.
    table = at.dataframe[0].value
    views = table[table[t("col.record")] == MR_NUMBER]
    assert {"arzt.ukhd", "Ärztin UKHD"} & set(views[t("col.user")]), shown


def _transfer_request(shown: str, at: AppTest, raw: Raw) -> None:
    # The exports hold no current inpatient and no Organization to ask: nothing to send.
    assert raw.locations["UKHD"] == 0
    assert any(t(key, "de") in shown for key in ("transfer.no_inpatients", "transfer.no_targets"))


def _transfer_inbound(shown: str, at: AppTest, raw: Raw) -> None:
    assert raw.locations["UKHD"] == 0
    assert any(t(key, "de") in shown for key in ("transfer.no_hospital", "transfer.inbound_none"))


def _divi(shown: str, at: AppTest, raw: Raw) -> None:
    # The register counts ICU beds; neither export has a bed, so it says so and reports nothing.
    assert raw.locations == {"UKHD": 0, "UKW": 0}
    assert t("divi.no_icu") in shown
    assert not at.dataframe and not at.json


CHECKS: dict[str, Callable[[str, AppTest, Raw], None]] = {
    "physician-home": _physician_home,
    "physician-my_patients": _my_patients,
    "physician-patient_search": _search_prompt,
    "physician-timeline": _timeline_prompt,
    "physician-tasks": _no_wards,
    "physician-bed_board": _no_wards,
    "physician-ward_discharge": _discharge,
    "physician-acuity": _no_wards,
    "physician-transfer_request": _transfer_request,
    "nurse-home": _no_wards,
    "nurse-tasks": _no_wards,
    "nurse-bed_board": _no_wards,
    "nurse-acuity": _no_wards,
    "nurse-admissions": _no_wards,
    "nurse-handover": _no_wards,
    "nurse-ward_discharge": _no_wards,
    "manager-home": _census,
    "manager-capacity": _census,
    "manager-trends": _trends,
    "manager-workload": _workload,
    "manager-forecast": _census,
    "manager-staffing": _staffing,
    "manager-discharge": _discharge,
    "manager-transfer_inbound": _transfer_inbound,
    "manager-data_quality": _data_quality,
    "manager-divi": _divi,
    "admin-home": _admin_home,
    "admin-audit": _audit,
    "admin-capacity": _census,
    "admin-trends": _trends,
    "admin-workload": _workload,
    "admin-forecast": _census,
    "admin-staffing": _staffing,
    "admin-discharge": _discharge,
    "admin-data_quality": _data_quality,
    "admin-divi": _divi,
}


def test_every_page_has_a_check():
    assert sorted(CHECKS) == sorted(page_id(case) for case in WALK)


@pytest.mark.parametrize("case", WALK, ids=page_id)
def test_real_page(real_app, real_users, raw, case):
    role, path = case
    at = open_page(path, real_users[role])
    CHECKS[page_id(case)](clean(at), at, raw)


# The exports' open stays are all older than the limit today, so the lists above are empty. With
# a limit they fit under, the same pages list them: pseudonymised people, no ward, no bed.


@pytest.fixture
def open_stays_current(real_app, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("MEDICUS_STALE_STAY_DAYS", "100000")
    st.cache_resource.clear()  # the settings are read once per process
    yield
    st.cache_resource.clear()


@pytest.mark.usefixtures("open_stays_current")
def test_open_stays_listed_when_the_limit_allows(real_users, raw):
    expected = {s: raw.current[s] + raw.stale[s] for s in SOURCES}
    assert expected["UKHD"] > 0
    doctor = real_users[Role.PHYSICIAN]
    for path in ("pages/home.py", "pages/my_patients.py"):
        at = open_page(path, doctor)
        shown = clean(at)
        assert {m.label: m.value for m in at.metric}["Patienten"] == fmt_number(expected["UKHD"]), (
            shown
        )
        listed = table_with(at, "Patient/in")
        assert len(listed) == expected["UKHD"]
        assert set(listed["Patient/in"]) <= {
            f"Patientennr. {p}" for (kind, p) in raw.resources["UKHD"] if kind == "Patient"
        }
        assert "Tagen offen" not in shown
    at = open_page("pages/home.py", real_users[Role.MANAGER])
    shown = clean(at)
    census = table_with(at, "Patienten jetzt")
    # Fewer than five per group are shown as "<5" (aggregates only).
    assert dict(zip(census["Klinik"], census["Station"], strict=True)) == {
        s: "ohne Station" for s in SOURCES if expected[s]
    }
