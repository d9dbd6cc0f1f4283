"""Patient summary (IPS) against the test server: HAPI's ``$summary`` for persons of every allergy
state gives documents whose allergy sections say what the generator's ground truth says and what
the dashboard's own assembled document says; both kinds of document pass HAPI's ``$validate``
against the IPS profile (``Bundle-uv-ips`` of the package ``hl7.fhir.uv.ips`` 2.0.0, which the
server loads from its jar, see fhir-server/README.md) and have the structure IPS requires; the
timeline page shows one summary per hospital, records the view and the download, and falls back
to the assembled summary when the source does not offer the operation."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import orjson
import pandas as pd
import pytest

from services.codes import IPS_BUNDLE
from services.domain.patient_search import parse_criteria
from services.domain.summary import ALLERGIES, SummarySection, document_problems, summary_view
from services.i18n import t
from services.patient_record import find_persons, read_record, record_patients
from services.summary import record_summaries
from tests.support.apptest import app_environment, clean, open_page
from tests.support.keycloak import auth, client_env

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]
_VOID = ("refuted", "entered-in-error")
_OVER = ("inactive", "resolved")


def sample(truth: dict) -> list[str]:
    """KVNRs: three of each allergy state and three persons with allergies at two hospitals."""
    rng = random.Random(17)
    safety = truth["safety"]
    chosen: set[str] = set()
    for state in ("known", "none_known", "not_recorded"):
        of_state = sorted(k for k, v in safety.items() if v["allergy_state"] == state)
        assert of_state, state
        chosen.update(rng.sample(of_state, min(3, len(of_state))))
    spread = sorted(
        k
        for k, v in safety.items()
        if v["allergy_state"] == "known" and len(truth["patient_resources"][k]) > 1
    )
    chosen.update(spread[:3])
    return sorted(chosen)


def person_of(platform, kvnr: str):
    found = find_persons(platform.read, parse_criteria("", "", kvnr, date.today()))
    assert len(found.persons) == 1, kvnr
    row = found.persons.iloc[0]
    record = read_record(platform, record_patients(row["records"]))
    assert not any(r.errors for r in record.reads)
    person = {"name": f"{row['given']} {row['family']}", "birth_date": row["birth_date"]}
    return row, record, person | {"kvnr": kvnr}


def holding(section: SummarySection) -> set[str]:
    rows = section.rows
    return set(rows[~rows["verification"].isin(_VOID) & ~rows["status"].isin(_OVER)]["code"])


def combined(states: list[str]) -> str:
    """The person's state from the per-hospital ones, as the header combines its sources."""
    return next((s for s in ("known", "none_known") if s in states), "not_recorded")


def test_the_servers_summary_says_what_the_ground_truth_and_the_assembled_one_say(
    platform, test_network
):
    truth = test_network.ground_truth
    now = pd.Timestamp(test_network.as_of).tz_convert("Europe/Berlin")
    seen = set()
    for kvnr in sample(truth):
        expected = truth["safety"][kvnr]
        row, record, person = person_of(platform, kvnr)
        served = record_summaries(platform, record, row["records"], person, now, lambda s: True)
        ours = record_summaries(platform, record, row["records"], person, now, lambda s: False)
        codes: set[str] = set()
        states = []
        for theirs, mine in zip(served, ours, strict=True):
            assert theirs.origin == "server", (theirs.why, theirs.detail)
            assert mine.why == "not_offered"
            for result in (theirs, mine):
                assert document_problems(result.bundle) == [], (kvnr, result.origin)
            their_allergies = summary_view(theirs.bundle).section(ALLERGIES)
            my_allergies = summary_view(mine.bundle).section(ALLERGIES)
            assert their_allergies.state == my_allergies.state, kvnr
            assert holding(their_allergies) == holding(my_allergies), kvnr
            # Each summary is one hospital's: its entries are that hospital's records.
            allergy_records = truth["patient_resources"][kvnr][theirs.hospital_id]
            assert len(holding(their_allergies)) <= allergy_records["AllergyIntolerance"]
            codes |= holding(their_allergies)
            states.append(their_allergies.state)
        assert sorted(codes) == expected["allergies"], kvnr
        assert combined(states) == expected["allergy_state"], kvnr
        seen.add(expected["allergy_state"])
    assert seen == {"known", "none_known", "not_recorded"}


def outcome(base_url: str, bundle: dict, profile: str) -> list[dict]:
    """The issues HAPI's ``$validate`` finds in ``bundle`` against ``profile`` (and R4 core);
    asked as the admin client: the dashboard's roles name no ``$validate``."""
    response = httpx.post(
        f"{base_url}/Bundle/$validate",
        params={"profile": profile},
        content=orjson.dumps(bundle),
        headers={"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"},
        auth=auth("admin"),
        timeout=120,
    )
    result = response.json()
    assert result["resourceType"] == "OperationOutcome", result
    return result.get("issue", [])


def errors(issues: list[dict]) -> list[str]:
    return [
        f"{i.get('diagnostics')} @ {i.get('location') or i.get('expression')}"
        for i in issues
        if i.get("severity") in ("error", "fatal")
    ]


def validate(base_url: str, bundle: dict, profile: str) -> list[str]:
    """The errors of ``outcome``."""
    return errors(outcome(base_url, bundle, profile))


def fitting_no_profile(issues: list[dict], bundle: dict) -> list[dict]:
    """The entries of ``bundle`` that match none of the IPS Bundle's entry slices (HAPI says so
    as information: the slicing is open); each slice names the IPS profile of its type."""
    said = {
        i["location"][0]
        for i in issues
        if "does not match any known slice" in i.get("diagnostics", "")
        and IPS_BUNDLE in i.get("diagnostics", "")
    }
    return [e["resource"] for n, e in enumerate(bundle["entry"]) if f"Bundle.entry[{n}]" in said]


def lab_result_without_performer(resource: dict) -> bool:
    categories = {c.get("code") for k in resource.get("category", []) for c in k.get("coding", [])}
    return (
        resource["resourceType"] == "Observation"
        and "laboratory" in categories
        and not resource.get("performer")
    )


def test_both_documents_validate_against_the_ips_profile(platform, test_network, fhir_base_url):
    """One person of each allergy state: each state fills the allergy section differently
    (allergies, a statement that none is known, the IPS "no information" entry)."""
    truth = test_network.ground_truth
    now = pd.Timestamp(test_network.as_of).tz_convert("Europe/Berlin")
    safety = truth["safety"]
    for state in ("known", "none_known", "not_recorded"):
        kvnr = next(
            k
            for k in sorted(safety)
            if safety[k]["allergy_state"] == state and safety[k]["problems_active"]
        )
        row, record, person = person_of(platform, kvnr)
        served = record_summaries(platform, record, row["records"], person, now, lambda s: True)
        ours = record_summaries(platform, record, row["records"], person, now, lambda s: False)
        for result in (*served, *ours):
            assert result.bundle["meta"]["profile"] == [IPS_BUNDLE], result.origin
            issues = outcome(fhir_base_url, result.bundle, IPS_BUNDLE)
            assert errors(issues) == [], (state, result.origin)
            # Known: IPS asks a lab result for its performer, and the generated lab values name
            # none, so they are checked as R4 Observations only. Everything else is IPS.
            outside = fitting_no_profile(issues, result.bundle)
            assert all(lab_result_without_performer(r) for r in outside), (state, outside)
            assert document_problems(result.bundle) == [], result.origin


def test_the_ips_profile_is_what_refuses_a_document_without_allergies(
    platform, test_network, fhir_base_url
):
    """The section IPS requires and FHIR R4 does not: without it the document is still valid
    R4, so an error here comes from the IPS profile and shows that the server checks it."""
    truth = test_network.ground_truth
    now = pd.Timestamp(test_network.as_of).tz_convert("Europe/Berlin")
    kvnr = next(
        k for k in sorted(truth["safety"]) if truth["safety"][k]["allergy_state"] == "known"
    )
    row, record, person = person_of(platform, kvnr)
    served = record_summaries(platform, record, row["records"], person, now, lambda s: True)
    document = served[0].bundle
    composition = document["entry"][0]["resource"]
    allergies = next(
        s for s in composition["section"] if s["code"]["coding"][0]["code"] == ALLERGIES
    )
    composition["section"].remove(allergies)
    # Its entries go too: entries no section names would be a fault of their own.
    named = tuple("/" + e["reference"] for e in allergies["entry"])
    document["entry"] = [e for e in document["entry"] if not e["fullUrl"].endswith(named)]
    core = {k: v for k, v in document.items() if k != "meta"}
    assert validate(fhir_base_url, core, "http://hl7.org/fhir/StructureDefinition/Bundle") == []
    # The Composition is checked by matching it to the IPS Bundle's composition slice...
    refused = validate(fhir_base_url, document, IPS_BUNDLE)
    assert [e for e in refused if "Bundle.entry:composition" in e] == refused != [], refused
    # ... and claiming the IPS Composition profile itself says what it misses.
    composition["meta"] = {"profile": [IPS_BUNDLE.replace("Bundle-uv-ips", "Composition-uv-ips")]}
    refused = validate(fhir_base_url, document, IPS_BUNDLE)
    assert any("sectionAllergies" in e for e in refused), refused


def open_person(doctor, kvnr: str):
    at = open_page("pages/patient_search.py", doctor)
    at.text_input(key="search_identifier").input(kvnr)
    at.button[0].click().run()
    at.session_state[f"search_rows_{at.session_state['search_count']}"] = {
        "selection": {"rows": [0], "columns": []}
    }
    at.run()
    assert not at.exception
    # The search switched pages itself; AppTest reruns the page it last switched to.
    at.switch_page("pages/timeline.py").run()
    assert not at.exception
    return at


def own_person_with_allergy(truth: dict, hospital: str) -> str:
    return next(
        k
        for k in sorted(truth["safety"])
        if truth["safety"][k]["allergy_state"] == "known"
        and set(truth["patient_resources"][k]) == {hospital}
    )


def summary_events(platform, patient_id: str, user: str, since: pd.Timestamp) -> list[dict]:
    """The AuditEvents of ``user`` about ``patient_id`` since ``since`` that record a summary."""
    bundle = platform.http().get_json(
        "AuditEvent",
        {"patient": f"Patient/{patient_id}", "date": f"ge{since.isoformat()}", "_count": 200},
        no_cache=True,
    )
    events = [e["resource"] for e in bundle.get("entry", [])]
    return [
        e
        for e in events
        if e["agent"][0].get("altId") == user
        and any(str(x.get("name", "")).startswith("IPS") for x in e.get("entity", []))
    ]


def test_the_timeline_shows_the_servers_summary_and_records_it(users, platform, test_network):
    doctor = users["arzt.demo"]
    truth = test_network.ground_truth
    kvnr = own_person_with_allergy(truth, doctor.hospital_id)
    began = pd.Timestamp.now(tz="Europe/Berlin").floor("s")
    at = open_person(doctor, kvnr)
    # Nothing is fetched before the physician asks for it.
    assert t("summary.from", hospital="").strip() not in clean(at)
    at.button(key="summary_load").click().run()
    shown = clean(at)
    patient_id = at.session_state["record_person"]["records"][0][1]
    assert t("summary.origin.assembled") not in shown
    assert "$summary" in shown
    heading = [s.value for s in at.subheader if s.value.startswith(t("summary.from", hospital=""))]
    assert len(heading) == 1, heading
    tables = [f.value for f in at.dataframe if t("summary.col.details") in f.value.columns]
    codes = {c for frame in tables for c in frame[t("col.code")]}
    assert set(truth["safety"][kvnr]["allergies"]) <= codes
    assert [b.label for b in at.get("download_button")].count(t("summary.download")) == 1

    events = summary_events(platform, patient_id, doctor.username, began)
    assert len(events) == 1
    assert {x.get("name") for x in events[0]["entity"]} >= {"IPS (server)"}
    assert events[0]["source"]["site"] == "timeline"
    # A rerun keeps the summary on the page and records nothing new.
    at.run()
    assert [b.label for b in at.get("download_button")].count(t("summary.download")) == 1
    assert len(summary_events(platform, patient_id, doctor.username, began)) == 1


class WithoutSummary(BaseHTTPRequestHandler):
    """A FHIR server without the IPS module in front of the test server: its CapabilityStatement
    lists no ``$summary`` and it refuses the operation the way HAPI refuses one it does not know.
    Everything else is passed through."""

    upstream: ClassVar[str] = ""
    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.forward("GET")

    def do_PUT(self) -> None:
        self.forward("PUT")

    def do_POST(self) -> None:
        self.forward("POST")

    def forward(self, method: str) -> None:
        if "$summary" in self.path:
            self.asked.append(self.path)
            self.answer(400, orjson.dumps(UNKNOWN_OPERATION))
            return
        length = int(self.headers.get("Content-Length") or 0)
        # The app's bearer token too: the test server refuses every request without one.
        kept = ("content-type", "accept", "cache-control", "if-match", "prefer", "authorization")
        response = httpx.request(
            method,
            self.upstream + self.path,
            content=self.rfile.read(length) if length else None,
            headers={k: v for k, v in self.headers.items() if k.lower() in kept},
            timeout=120,
        )
        body = response.content
        if self.path.split("?")[0].endswith("/metadata"):
            capability = response.json()
            for rest in capability.get("rest", []):
                for resource in rest.get("resource", []):
                    resource["operation"] = [
                        o for o in resource.get("operation", []) if o.get("name") != "summary"
                    ]
            body = orjson.dumps(capability)
        self.answer(response.status_code, body, response.headers.get("content-type"))

    def answer(self, status: int, body: bytes, content_type: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type or "application/fhir+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


UNKNOWN_OPERATION = {
    "resourceType": "OperationOutcome",
    "issue": [
        {
            "severity": "error",
            "code": "processing",
            "diagnostics": "HAPI-0335: Invalid request: The FHIR endpoint on this server does not "
            "know how to handle GET operation[Patient/x/$summary] with parameters [[]]",
        }
    ],
}


@pytest.fixture
def without_summary(fhir_base_url: str) -> Iterator[tuple[str, type[WithoutSummary]]]:
    """Base URL and handler class of a ``WithoutSummary`` front on a free loopback port."""
    origin = fhir_base_url.split("/fhir")[0]
    handler = type("Front", (WithoutSummary,), {"upstream": origin, "asked": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/fhir", handler
    finally:
        server.shutdown()
        server.server_close()


def test_the_timeline_falls_back_when_the_source_does_not_offer_summary(
    users, test_network, demo_users_file, without_summary, tmp_path
):
    url, front = without_summary
    doctor = users["arzt.demo"]
    truth = test_network.ground_truth
    kvnr = own_person_with_allergy(truth, doctor.hospital_id)
    with app_environment({"MEDICUS_FHIR_URL": url, **client_env()}, demo_users_file, tmp_path):
        at = open_person(doctor, kvnr)
        at.button(key="summary_load").click().run()
        shown = clean(at)
    # The CapabilityStatement said no: the page did not ask, and says in words why.
    assert front.asked == []
    assert t("summary.origin.assembled") in shown
    assert t("summary.why.not_offered").replace("`", "") in shown.replace("`", "")
    tables = [f.value for f in at.dataframe if t("summary.col.details") in f.value.columns]
    codes = {c for frame in tables for c in frame[t("col.code")]}
    assert set(truth["safety"][kvnr]["allergies"]) <= codes
    assert [b.label for b in at.get("download_button")].count(t("summary.download")) == 1
