"""The shift handover printed to PDF by Chromium: A4 landscape, a header with the ward and who
printed it, the patients' beds, and none of the screen's controls."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.walk import NAV_LINK, settle

pytestmark = pytest.mark.browser

PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")


def pdf_read(path) -> tuple[str, str]:
    """(pdfinfo's report, the text) of a PDF, by poppler."""
    info = subprocess.run(  # noqa: S603 - poppler on a file of our own
        [PDFINFO, str(path)], capture_output=True, text=True, check=True
    ).stdout
    text = subprocess.run(  # noqa: S603
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return info, text


def test_the_handover_prints_on_a4_landscape_without_controls(signed_in):
    if PDFTOTEXT is None or PDFINFO is None:
        pytest.fail("pdftotext is missing: run `make browser` (Debian's poppler-utils)")
    page = signed_in("pflege.demo")
    settle(page)
    page.locator(f'{NAV_LINK}[href$="handover"]').click()
    page.wait_for_url("**/handover")
    page.get_by_role("heading", name="Schichtübergabe", exact=True, level=1).wait_for()
    settle(page)
    ward = page.locator("h3").first.inner_text().strip()
    beds = re.findall(r"Zimmer \S+ · (\S+) — ", page.locator('[data-testid="stMain"]').inner_text())
    assert ward and beds, "the handover shows a ward with patients"

    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "handover.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
    info, text = pdf_read(path)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])

    assert 1 <= pages <= 3, f"{len(beds)} patients on {pages} pages"
    header = text.splitlines()[0:3]
    assert any(f"Schichtübergabe · {ward}" in line for line in header), header
    assert "Gedruckt" in text and "Laura Schulte" in text
    for bed in beds:
        assert bed in text
    for control in ("CSV herunterladen", "Überlappung", "Abmelden", "Sprache", "Angemeldet:"):
        assert control not in text, f"{control!r} printed"
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width > height, "landscape"
