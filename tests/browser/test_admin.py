"""The administrator in a real browser: signs in, sees the audit summary, opens the audit trail,
and finds a record view there."""

from __future__ import annotations

import pytest

from services.audit import AuditRecord, record
from services.config import Settings
from services.i18n import t
from services.platform import Platform
from services.roles import Role, User
from tests.browser.conftest import screenshot
from tests.support.keycloak import source

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
