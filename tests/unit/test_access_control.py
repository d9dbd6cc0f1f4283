"""Access control without a server: the one role matrix behind menu and guard, safe retries, the
hash-chained local audit log, the small-count rule, CSV and Markdown escaping, break-glass."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import orjson
import pandas as pd
import pytest

from components.navigation import PAGES, offered, spec_of
from services.audit import (
    AuditRecord,
    audit_event,
    local_log_frame,
    outcome_of,
    read_local_log,
    record,
    verify_chain,
)
from services.config import Settings, SourceConfig
from services.domain.access import (
    Access,
    BreakGlassReason,
    access_to,
    compose_reason,
    reason_kind,
    reason_ok,
)
from services.domain.census import weekday_pattern
from services.domain.disclosure import DisclosureError, aggregate_only, small_means
from services.errors import SourceUnavailable
from services.export import escape_cell, to_csv
from services.fhir_http import FhirHttp
from services.i18n import t
from services.markdown import plain
from services.platform import FrameSet, Platform
from services.roles import MATRIX, Capability, Role, User, allowed
from services.search import PageStats

pytestmark = pytest.mark.unit

BASE = "http://fhir.test/fhir"
NURSE = User("pflege", "Pflege", Role.NURSE, hospital_id="h1", wards=("w1",))
DOCTOR = User("arzt", "Arzt", Role.PHYSICIAN, practitioner_id="pr1", hospital_id="h1")


def cfg(retries: int = 2) -> Settings:
    return Settings(
        sources=(SourceConfig(name="Test", url=BASE, timeout=2.0),),
        retries=retries,
        backoff_base=0.001,
        max_retry_after=0.01,
    )


# One role matrix


def test_nurses_hold_no_patient_record_and_are_offered_no_patient_pages():
    assert not allowed(Role.NURSE, Capability.PATIENT_RECORD)
    paths = {spec.path for spec in offered(Role.NURSE)}
    assert paths == {
        "pages/home.py",
        "pages/tasks.py",
        "pages/admissions.py",
        "pages/bed_board.py",
        "pages/acuity.py",
        "pages/handover.py",
        "pages/ward_discharge.py",
    }


def test_the_early_warning_board_is_for_the_ward_team_only():
    holders = {role for role in Role if allowed(role, Capability.ACUITY)}
    assert holders == {Role.NURSE, Role.PHYSICIAN}
    assert spec_of("pages/acuity.py").capability is Capability.ACUITY


def test_only_managers_and_admins_see_the_staffing_floors():
    holders = {role for role in Role if allowed(role, Capability.STAFFING)}
    assert holders == {Role.MANAGER, Role.ADMIN}
    assert spec_of("pages/staffing.py").capability is Capability.STAFFING


def test_discharge_flow_is_aggregate_for_managers_and_named_for_ward_staff():
    holders = {role for role in Role if allowed(role, Capability.DISCHARGE_PLANNING)}
    assert holders == {Role.NURSE, Role.PHYSICIAN}
    assert spec_of("pages/ward_discharge.py").capability is Capability.DISCHARGE_PLANNING
    assert spec_of("pages/discharge.py").capability is Capability.CAPACITY


@pytest.mark.parametrize("role", list(Role))
def test_menu_and_guard_read_one_spec_per_page(role):
    for spec in PAGES:
        assert spec_of(f"/any/where/{spec.path}") is spec
        expected = spec.capability is None or spec.capability in MATRIX[role]
        assert (spec in offered(role)) is expected
    assert not any(spec.open_to(None) for spec in PAGES)


def test_no_page_spells_a_role_set_of_its_own():
    pages = Path(__file__).resolve().parents[2] / "pages"
    for page in pages.glob("*.py"):
        text = page.read_text(encoding="utf-8")
        if page.name in ("login.py", "logout.py", "patient_search.py"):
            continue
        assert "require_page(__file__)" in text, page.name
        assert not re.search(r"require\(Capability", text), page.name


def test_a_physician_without_hospital_opens_nobody():
    nobody = User("arzt0", "Arzt", Role.PHYSICIAN)
    assert access_to(nobody, ["h1"]) == Access.DENIED
    assert access_to(DOCTOR, ["h2"]) == Access.BREAK_GLASS


# Break-glass reasons


def test_break_glass_reason_is_an_occasion_plus_words():
    assert not reason_ok(".........."), "ten dots are no reason"
    assert not reason_ok("emergency: .........."), "nor after a listed occasion"
    assert compose_reason(BreakGlassReason.EMERGENCY, "..........") is None
    assert compose_reason("curiosity", "Ich wollte nur schauen, wer das ist") is None
    reason = compose_reason("emergency", "  Bewusstlos  eingeliefert, Vorbefunde ")
    assert reason == "emergency: Bewusstlos eingeliefert, Vorbefunde"
    assert reason_ok(reason) and reason_kind(reason) == BreakGlassReason.EMERGENCY
    for kind in BreakGlassReason:
        assert t(f"break_glass.{kind.value}", "de") and t(f"break_glass.{kind.value}", "en")


# Safe retries


def test_task_put_with_if_match_is_not_retried_after_a_transport_error():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ConnectError("reset", request=request)

    http = FhirHttp(cfg().sources[0], cfg(), httpx.MockTransport(handler))
    with pytest.raises(SourceUnavailable):
        http.send_json("PUT", "Task/t1", {"resourceType": "Task"}, if_match='W/"3"')
    assert len(calls) == 1, "a repeated conditional write would show a false conflict"
    calls.clear()
    with pytest.raises(SourceUnavailable):
        http.send_json("POST", "AuditEvent", {"resourceType": "AuditEvent"})
    assert len(calls) == 1, "a repeated create stores twice"
    calls.clear()
    with pytest.raises(SourceUnavailable):
        http.send_json("PUT", "AuditEvent/a-1", {"resourceType": "AuditEvent", "id": "a-1"})
    assert len(calls) == 3, "a PUT to a chosen id is idempotent: retried"


@pytest.mark.parametrize("header", ["soon", "Mon, 99 Foo 2026", "-5", "1.5e9", "\x00"])
def test_a_malformed_retry_after_falls_back_to_the_default_wait(header):
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(503, headers={"Retry-After": header})
        return httpx.Response(200, content=orjson.dumps({"resourceType": "Patient", "id": "p"}))

    http = FhirHttp(cfg().sources[0], cfg(), httpx.MockTransport(handler))
    assert http.get_json("Patient/p")["id"] == "p"
    assert len(calls) == 2


# Audit: client-chosen ids, outcome, the hash-chained local log and its forwarding


def test_audit_events_carry_their_own_id_rows_and_outcome():
    rec = AuditRecord(
        DOCTOR, "export", "timeline", patient_ids=("p1", "p2"), what="a.csv", rows=7, outcome="4"
    )
    event = audit_event(rec)
    assert event["id"] == rec.id and len(rec.id) == 36
    assert event["outcome"] == "4" and event["action"] == "R"
    patients = [e["what"]["reference"] for e in event["entity"] if "what" in e]
    assert patients == ["Patient/p1", "Patient/p2"]
    query = next(e for e in event["entity"] if e.get("name") == "a.csv")
    assert query["detail"] == [{"type": "rows", "valueString": "7"}]
    assert AuditRecord(DOCTOR, "read", "x").id != rec.id


class Switchable:
    """A platform that refuses (503) until told to answer; counts the AuditEvent PUTs it took."""

    def __init__(self) -> None:
        self.up = False
        self.stored: dict[str, int] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            return httpx.Response(503)
        assert request.method == "PUT", "audit events are written to their own id"
        event_id = request.url.path.rsplit("/", 1)[-1]
        self.stored[event_id] = self.stored.get(event_id, 0) + 1
        return httpx.Response(201, content=request.content)


def test_refused_events_stay_local_and_are_forwarded_once_when_the_platform_answers(tmp_path):
    server = Switchable()
    platform = Platform(cfg(retries=0), transports={"Test": httpx.MockTransport(server)})
    log = tmp_path / "audit.log"
    first = AuditRecord(NURSE, "list", "tasks", source="Test", patient_ids=("p1",), rows=1)
    second = AuditRecord(NURSE, "export", "handover", rows=3, what="sheet.csv")
    assert record(platform, first, log) == "local"
    assert record(platform, second, log) == "local"
    assert [e["id"] for e in read_local_log(log)] == [first.id, second.id]
    # The trail reads each kept event's persons at the source it was meant for.
    assert local_log_frame(log)["patient_source"].fillna("first").tolist() == ["Test", "first"]
    assert server.stored == {}

    server.up = True
    third = AuditRecord(NURSE, "list", "bed_board")
    assert record(platform, third, log) == "platform"
    assert server.stored == {third.id: 1, first.id: 1, second.id: 1}
    assert read_local_log(log) == [], "forwarded events leave the local view"
    assert verify_chain(log).ok, "the forwarding marks extend the chain"

    assert record(platform, AuditRecord(NURSE, "list", "tasks"), log) == "platform"
    assert server.stored[first.id] == 1 and server.stored[second.id] == 1, "forwarded once"


def test_an_event_the_platform_refuses_holds_back_none_of_the_others(tmp_path):
    server = Switchable()

    def refusing(request: httpx.Request) -> httpx.Response:
        if server.up and b"Patient/p-refused" in request.content:
            return httpx.Response(400, json={"resourceType": "OperationOutcome", "issue": []})
        return server(request)

    platform = Platform(cfg(retries=0), transports={"Test": httpx.MockTransport(refusing)})
    log = tmp_path / "audit.log"
    refused = AuditRecord(NURSE, "read", "tasks", patient_id="p-refused")
    later = AuditRecord(NURSE, "read", "tasks", patient_id="p1")
    assert record(platform, refused, log) == record(platform, later, log) == "local"

    server.up = True
    now = AuditRecord(NURSE, "list", "bed_board")
    assert record(platform, now, log) == "platform"
    assert server.stored == {now.id: 1, later.id: 1}
    assert [e["id"] for e in read_local_log(log)] == [refused.id], "kept, shown as local"
    assert verify_chain(log).ok


def test_editing_a_line_of_the_local_log_breaks_its_chain(tmp_path):
    platform = Platform(cfg(retries=0), transports={"Test": httpx.MockTransport(Switchable())})
    log = tmp_path / "audit.log"
    for page in ("tasks", "bed_board", "handover"):
        record(platform, AuditRecord(NURSE, "list", page), log)
    assert verify_chain(log).ok and verify_chain(log).lines == 3
    lines = log.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[1])
    edited["agent"][0]["altId"] = "somebody-else"
    lines[1] = json.dumps(edited, ensure_ascii=False)
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check = verify_chain(log)
    assert not check.ok and check.broken_at == 2

    # Removing a line breaks it too, at the line after the gap.
    lines = log.read_text(encoding="utf-8").splitlines()
    log.write_text("\n".join([lines[0], lines[2]]) + "\n", encoding="utf-8")
    assert verify_chain(log).broken_at == 2


# Small counts


def test_weekday_means_of_fewer_than_five_events_are_hidden():
    # Fourteen days of one ward: 4 admissions on the Mondays, 2 on the Tuesdays, 6 on Wednesdays.
    days = [date(2026, 3, 2) + timedelta(days=n) for n in range(14)]
    per_weekday = {0: 2, 1: 1, 2: 3}
    totals = pd.DataFrame(
        {
            "date": days,
            "admissions": [per_weekday.get(d.weekday(), 0) for d in days],
            "discharges": [5 if d.weekday() == 4 else 0 for d in days],
            "census": [20] * 14,
        }
    )
    pattern = weekday_pattern(totals)
    shown = small_means(
        pattern, {"admissions": "admissions_total", "discharges": "discharges_total"}
    )
    assert pd.isna(shown.at[0, "admissions"]), "4 admissions over 2 Mondays stay hidden"
    assert pd.isna(shown.at[1, "admissions"]), "2 admissions over 2 Tuesdays stay hidden"
    assert shown.at[2, "admissions"] == 3.0, "6 admissions may show their mean"
    assert shown.at[3, "admissions"] == 0.0, "no admissions is no person"
    assert shown.at[4, "discharges"] == 5.0
    assert shown.at[0, "census"] == 20.0, "the census counts beds and stays exact"
    assert "admissions_total" not in shown.columns


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("key", ["col.patient", "col.birth_date", "col.case_number", "col.kvnr"])
def test_aggregate_only_refuses_translated_identifying_headers(lang, key):
    frame = pd.DataFrame({t(key, lang): ["x"], t("col.total", lang): [1]})
    with pytest.raises(DisclosureError):
        aggregate_only(frame)
    assert aggregate_only(pd.DataFrame({t("col.total", lang): [1]})) is not None


# CSV and Markdown


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped():
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://evil")', "+49 123", "-2+3", "@SUM(A1)", "\tx", "Anna"],
            "n": [1, -2, 3, 4, 5, 6],
        }
    )
    rows = list(csv.reader(io.StringIO(to_csv(frame).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["name", "n"]
    assert [r[0] for r in rows[1:]] == [
        '\'=HYPERLINK("http://evil")',
        "'+49 123",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "Anna",
    ]
    assert rows[2][1] == "-2", "numbers stay numbers"
    assert escape_cell("\rcmd") == "'\rcmd"


def test_csv_opens_in_german_excel():
    frame = pd.DataFrame({"Patient/in": ["Müller, Jörg", "=1+1"], "Zimmer; Bett": ["1A-2", "x"]})
    data = to_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf"), "a byte order mark, so Excel reads UTF-8"
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == 'Patient/in;"Zimmer; Bett"', "separated by semicolons, quoted where needed"
    assert lines[1] == "Müller, Jörg;1A-2"
    assert lines[2] == "'=1+1;x", "formula cells still escaped"


def test_every_csv_of_the_app_is_written_by_the_one_writer():
    # A download of its own would be comma-separated again, without BOM or escaped formulas.
    root = Path(__file__).resolve().parents[2]
    writer, button = root / "services" / "export.py", root / "components" / "export.py"
    for path in [*(root / "pages").glob("*.py"), *(root / "components").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if path != button:
            assert "text/csv" not in text, path.name
        if path != writer:
            assert ".to_csv(" not in text, path.name


@pytest.mark.parametrize(
    "text",
    [
        "[Befund](https://evil.example/x)",
        "![](https://evil.example/pixel.png)",
        "Siehe https://evil.example und www.evil.example",
        "<img src=x onerror=alert(1)>",
        ":red[Achtung] :material/warning: $x^2$",
        "# Überschrift\n- Liste",
    ],
)
def test_data_inside_markdown_stays_text(text):
    escaped = plain(text)
    # Every character that opens a link, an image, HTML, a directive or LaTeX is escaped, and a
    # bare URL can no longer be read as one.
    assert not re.search(r"(?<!\\)[\[\]()<>!$`*_|~]", escaped), escaped
    assert not re.search(r"\w://", escaped) and "www." not in escaped
    assert "\n" not in escaped and not escaped.startswith(("#", "-"))
    # Removing the escapes gives back exactly the text (line breaks as spaces).
    assert re.sub(r"\\(.)", r"\1", escaped) == " ".join(text.split("\n"))
    assert plain(None) == "–" and plain(float("nan")) == "–"


def test_the_audit_outcome_is_the_reads_outcome():
    def read(*, answered: bool, failed: bool) -> FrameSet:
        stats = [PageStats("A", "Patient", fetched=1)] if answered else []
        errors = {"B": SourceUnavailable("down", source="B")} if failed else {}
        return FrameSet("Patient", {}, stats=stats, errors=errors)

    assert outcome_of(read(answered=True, failed=False)) == "0"
    assert outcome_of(read(answered=True, failed=True)) == "4", "one source missing: partial"
    assert outcome_of(read(answered=False, failed=True)) == "8", "nothing could be read"
