"""Settings, roles, the catalogue and the audit event: the shell's pure parts."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.audit import AuditRecord, audit_event, local_log_frame, read_local_log
from services.audit import _append as append_local
from services.catalogue import CATALOGUE
from services.codes import PRACTITIONER_ID
from services.config import SourceConfig, load_settings
from services.i18n import fmt_date, fmt_datetime, fmt_number, fmt_percent, t
from services.roles import MATRIX, Capability, Role, User, allowed
from services.users import user_from

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def test_source_repr_hides_secrets():
    source = SourceConfig(name="A", url="https://x/fhir", auth="oauth2", client_secret="s3cret")
    assert "s3cret" not in repr(source)
    assert "***" in repr(source)


def test_sources_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDICUS_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv(
        "MEDICUS_SOURCES",
        json.dumps([{"name": "Nord", "url": "http://a/fhir/"}, {"name": "Süd", "url": "http://b"}]),
    )
    settings = load_settings()
    assert [(s.name, s.url) for s in settings.sources] == [
        ("Nord", "http://a/fhir"),
        ("Süd", "http://b"),
    ]


def test_sources_from_secrets_file(monkeypatch, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[[sources]]\nname = "Plattform"\nurl = "https://p/fhir"\nauth = "bearer"\ntoken = "t"\n'
    )
    monkeypatch.delenv("MEDICUS_SOURCES", raising=False)
    monkeypatch.setenv("MEDICUS_SECRETS_FILE", str(secrets))
    (source,) = load_settings().sources
    assert source.auth == "bearer" and source.token == "t"


def test_role_matrix_follows_design():
    assert allowed(Role.PHYSICIAN, Capability.PATIENT_RECORD)
    assert allowed(Role.NURSE, Capability.TASKS_WRITE)
    assert not allowed(Role.PHYSICIAN, Capability.TASKS_WRITE)
    assert not allowed(Role.MANAGER, Capability.PATIENT_RECORD)
    assert not allowed(Role.MANAGER, Capability.BED_BOARD)
    assert allowed(Role.MANAGER, Capability.BED_COUNTS)
    assert not allowed(Role.ADMIN, Capability.PATIENT_RECORD)
    assert allowed(Role.ADMIN, Capability.AUDIT_LOG)
    assert not any(allowed(r, Capability.AUDIT_LOG) for r in MATRIX if r != Role.ADMIN)
    assert not allowed("intruder", Capability.CAPACITY)
    assert not allowed(None, Capability.CAPACITY)


def test_every_catalogue_entry_has_both_languages():
    for key, (de, en) in CATALOGUE.items():
        assert de.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", de)) == set(re.findall(r"{(\w+)}", en)), key


def test_every_key_used_in_the_code_is_in_the_catalogue():
    used = set()
    for folder in ("app.py", "pages", "components", "services"):
        for path in (ROOT / folder).rglob("*.py") if (ROOT / folder).is_dir() else [ROOT / folder]:
            used |= set(re.findall(r"\btr?\(\s*\"([a-z_]+\.[\w.\-]+)\"", path.read_text()))
    missing = sorted(k for k in used if k not in CATALOGUE)
    assert not missing
    assert len(used) > 20


def test_formatting_follows_the_language():
    assert fmt_number(1234567.891, "de", 2) == "1.234.567,89"
    assert fmt_number(1234567.891, "en", 2) == "1,234,567.89"
    assert fmt_percent(0.8567, "de") == "86 %"
    assert fmt_percent(0.8567, "en") == "86%"
    moment = datetime(2026, 7, 1, 10, 30, tzinfo=UTC)
    assert fmt_datetime(moment, "de") == "01.07.2026 12:30"  # summer time in Berlin
    assert fmt_date(moment, "en") == "2026-07-01"
    assert t("login.locked", "en", minutes=15).endswith("15 minutes.")


def test_user_scope_from_credentials_entry():
    entry = {"name": "Anna", "roles": ["nurse"], "scope": {"wards": ["w1"], "hospital": "h"}}
    user = user_from("anna", entry)
    assert user == User("anna", "Anna", Role.NURSE, hospital_id="h", wards=("w1",))
    assert user_from("x", {"roles": ["superuser"]}) is None


def test_audit_event_for_break_glass_view():
    user = User("arzt", "Dr. A", Role.PHYSICIAN, practitioner_id="prac-1")
    rec = AuditRecord(user, "read", "timeline", patient_id="pat-9", reason="Notfall")
    event = audit_event(rec)
    assert event["resourceType"] == "AuditEvent"
    assert event["action"] == "R"
    # Named by identifier: the event is kept at the patient's source, which may not hold the
    # user's Practitioner record.
    assert event["agent"][0]["who"]["identifier"] == {"system": PRACTITIONER_ID, "value": "prac-1"}
    assert "reference" not in event["agent"][0]["who"]
    assert event["agent"][0]["requestor"] is True
    assert event["entity"][0]["what"] == {"reference": "Patient/pat-9"}
    assert event["purposeOfEvent"][0]["coding"][0]["code"] == "ETREAT"
    assert event["purposeOfEvent"][0]["text"] == "Notfall"
    assert event["source"]["observer"]["display"]


def test_local_log_is_append_only_and_reads_as_the_trail(tmp_path):
    log = tmp_path / "audit.log"
    user = User("pflege", "P", Role.NURSE)
    for patient in ("p1", "p2"):
        append_local(log, audit_event(AuditRecord(user, "update", "tasks", patient_id=patient)))
    log.write_text(log.read_text() + "not json\n")
    assert [e["entity"][0]["what"]["reference"] for e in read_local_log(log)] == [
        "Patient/p1",
        "Patient/p2",
    ]
    frame = local_log_frame(log)
    assert list(frame["patient_id"]) == ["p1", "p2"]
    assert list(frame["action"]) == ["U", "U"]
    assert str(frame["recorded"].dt.tz) == "Europe/Berlin"
