"""The error boundary: a message and an incident number on screen, the incident in the server log
without the exception's text (it may carry patient data)."""

from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.unit


def audit_into_a_directory(log_dir: str) -> None:
    from pathlib import Path

    import httpx

    from components.errors import error_boundary
    from services.audit import AuditRecord, record
    from services.config import Settings, SourceConfig
    from services.platform import Platform
    from services.roles import Role, User

    settings = Settings(sources=(SourceConfig(name="Test", url="http://fhir.test/fhir"),))
    # The platform refuses the event, so it goes to the local log, which is a directory.
    refusing = httpx.MockTransport(lambda request: httpx.Response(403))
    platform = Platform(settings, transports={"Test": refusing})
    rec = AuditRecord(User("a", "A", Role.PHYSICIAN), "read", "timeline", patient_id="p1")
    with error_boundary("timeline"):
        record(platform, rec, Path(log_dir))


def failing_with_a_name() -> None:
    from components.errors import error_boundary

    with error_boundary("search"):
        raise ValueError("Müller, Anna, 1950-01-01")


def test_an_audit_log_that_is_a_directory_shows_a_message(tmp_path):
    at = AppTest.from_function(audit_into_a_directory, args=(str(tmp_path),))
    at.session_state["lang"] = "de"
    at.run()
    assert not at.exception
    [shown] = [e.value for e in at.error]
    assert "Vorgangsnummer:" in shown and "IsADirectoryError" not in shown


def test_the_incident_is_logged_without_the_exception_text(caplog):
    at = AppTest.from_function(failing_with_a_name)
    with caplog.at_level(logging.ERROR, logger="medicus.incidents"):
        at.run()
    assert not at.exception
    [shown] = [e.value for e in at.error]
    number = shown.rsplit(" ", 1)[-1]
    [logged] = [r.getMessage() for r in caplog.records if r.name == "medicus.incidents"]
    assert number in logged and "ValueError" in logged
    assert "Müller" not in logged and "Müller" not in shown
