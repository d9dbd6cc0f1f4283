"""The administrator in a real browser: signs in, sees the audit summary, opens the audit trail,
and finds a record view there."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from components.data import TTL
from services.audit import AuditRecord, record
from services.config import Settings
from services.i18n import t
from services.platform import Platform
from services.roles import Role, User
from tests.browser.conftest import grid_rows, screenshot
from tests.browser.walk import settle
from tests.support.keycloak import http_client, source
from tests.support.persons import person_at_two_hospitals, views_recorded, when

pytestmark = pytest.mark.browser


def test_admin_reads_the_audit_trail(signed_in, fhir_base_url):
    physician = User("arzt.demo", "Browser-Prüfung (Demo)", Role.PHYSICIAN)
    settings = Settings(sources=(source("MEDI:CUS Plattform", fhir_base_url),))
    with Platform(settings) as platform:
        kept = record(platform, AuditRecord(physician, "read", "timeline"), settings.audit_log)
    assert kept == "platform"

    page = signed_in("admin.demo")
    page.get_by_text(t("home.admin.title")).wait_for()
    screenshot(page, "admin-start")

    page.get_by_role("link", name=t("page.audit")).click()
    page.get_by_role("heading", name=t("audit.title")).wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    # The grid keeps its cells in the page for screen readers, drawn on a canvas for the eye.
    cell = page.locator("[role=gridcell]", has_text="Browser-Prüfung (Demo)")
    cell.first.wait_for(state="attached")
    assert cell.count() >= 1
    screenshot(page, "admin-audit")


def viewers(page, text: str, name: str) -> list[dict[str, str]]:
    """The rows of ``name`` in the access report of the person found by ``text`` (oldest first,
    so yesterday's views lead it). The trail is kept for ``TTL["AuditEvent"]`` seconds, so a page
    opened just before the views were recorded may show them only after that: the filter is
    entered again until they are there."""
    field = page.get_by_label(t("audit.filter_patient"))
    deadline = time.monotonic() + 2 * TTL["AuditEvent"] + 30
    while True:
        for value in ("", text):
            field.fill(value)
            field.press("Enter")
            settle(page)
        tables = page.locator('[data-testid="stDataFrame"]').count()
        rows = [r for r in grid_rows(page, 1) if r.get(t("col.user")) == name] if tables > 1 else []
        if rows or time.monotonic() > deadline:
            return rows
        page.wait_for_timeout(5_000)


def test_who_opened_a_persons_records_yesterday(signed_in, fhir_base_url, platform, test_network):
    person = person_at_two_hospitals(platform, test_network.ground_truth)
    physician = User("arzt.demo", "Nachtdienst-Prüfung (Demo)", Role.PHYSICIAN)
    yesterday = datetime.now(ZoneInfo("Europe/Berlin")) - timedelta(days=1)
    reason = "emergency: bewusstlos eingeliefert, Vorbefunde der anderen Klinik nötig"
    records = [
        AuditRecord(
            physician, "read", "timeline", patient_id=person.patient_ids[0], when=when(yesterday, 8)
        ),
        AuditRecord(
            physician,
            "read",
            "timeline",
            patient_id=person.patient_ids[1],
            reason=reason,
            when=when(yesterday, 9),
        ),
    ]
    with views_recorded(fhir_base_url, records):
        page = signed_in("admin.demo")
        page.get_by_role("link", name=t("page.audit")).click()
        page.get_by_role("heading", name=t("audit.title")).wait_for()
        rows = viewers(page, person.kvnr, physician.name)
        # Both hospitals' records, each resolved to the one person, with words for codes.
        assert {r[t("col.record")] for r in rows} == set(person.patient_ids)
        assert {r[t("col.patient")] for r in rows} == {person.name}
        assert {r[t("col.kvnr")] for r in rows} == {person.kvnr}
        assert {r[t("col.role")] for r in rows} == {t("role.physician")}
        full = t("break_glass.emergency") + ":" + reason.partition(":")[2]
        page.locator('[data-testid="stMarkdownContainer"]', has_text=full).first.wait_for()
        screenshot(page, "admin-who-opened-yesterday")

        with page.expect_download() as download:
            page.get_by_role("button", name=t("download.csv")).click()
        data = download.value.path().read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
        header = text.splitlines()[0].split(";")
        assert t("col.when") in header and t("col.kvnr") in header
        assert sum(physician.name in line for line in text.splitlines()) >= 2
        settle(page)
        # The export is itself in the trail: a file of the person's records, by the admin.
        with http_client(fhir_base_url, "admin") as http:
            bundle = http.get(
                "AuditEvent",
                params={
                    "altid": "admin.demo",
                    "date": f"ge{yesterday.date().isoformat()}",
                    "_sort": "-date",
                    "_count": "200",
                },
            ).json()
        exports = [
            e["resource"]
            for e in bundle.get("entry", [])
            if any(
                str(x.get("name", "")).startswith("auskunft-art15")
                for x in e["resource"].get("entity", [])
            )
        ]
        assert exports
        named = {x["what"]["reference"] for x in exports[0]["entity"] if "what" in x}
        assert {f"Patient/{p}" for p in person.patient_ids} <= named
