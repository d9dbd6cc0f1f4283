"""The DIVI register report: the status rating at its thresholds and the JSON built from the ICU
summary, without a server."""

from __future__ import annotations

import pandas as pd
import pytest

from services.domain.reports import (
    DIVI_CATEGORIES,
    DIVI_STATUS,
    divi_register_report,
    divi_status,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("beds", "free", "status"),
    [
        (10, 0, "NICHT_VERFUEGBAR"),
        (10, 1, "BEGRENZT"),
        (10, 2, "BEGRENZT"),
        (10, 3, "VERFUEGBAR"),
        (2, 1, "BEGRENZT"),
        (2, 2, "VERFUEGBAR"),
        (20, 4, "BEGRENZT"),
        (20, 5, "VERFUEGBAR"),
        (0, 0, "KEINE_ANGABE"),
        (pd.NA, pd.NA, "KEINE_ANGABE"),
    ],
)
def test_status_thresholds(beds, free, status):
    assert divi_status(beds, free) == status
    assert status in DIVI_STATUS


def summary() -> pd.DataFrame:
    rows = [
        ("icu-low-care", "adult", 8, 5, 3, 0),
        ("icu-low-care", "paediatric", 0, 0, 0, 0),
        ("icu-high-care", "adult", 10, 10, 0, 0),
        ("icu-high-care", "paediatric", 4, 2, 1, 1),
        ("ecmo", "adult", pd.NA, pd.NA, pd.NA, pd.NA),
        ("ecmo", "paediatric", pd.NA, pd.NA, pd.NA, pd.NA),
    ]
    frame = pd.DataFrame(
        rows, columns=["category", "age_group", "beds", "occupied", "free", "blocked"]
    )
    for column in ("beds", "occupied", "free", "blocked"):
        frame[column] = frame[column].astype("Int64")
    return frame


def test_the_register_report_carries_every_category_and_the_adults_status():
    generated = pd.Timestamp("2026-03-30T11:30:00+02:00")
    report = divi_register_report(summary(), "org-a", "Klinik A", generated)
    assert report["krankenhausStandort"] == {"id": "org-a", "bezeichnung": "Klinik A"}
    assert report["meldezeitpunkt"] == "2026-03-30T11:30:00+02:00"
    assert report["bettenStatus"] == {
        "statusLowCare": "VERFUEGBAR",
        "statusHighCare": "NICHT_VERFUEGBAR",
        "statusECMO": "KEINE_ANGABE",
    }
    assert len(report["betten"]) == 2 * len(DIVI_CATEGORIES)
    child_high = next(
        b for b in report["betten"] if (b["kategorie"], b["altersgruppe"]) == ("HighCare", "KINDER")
    )
    assert child_high == {
        "kategorie": "HighCare",
        "altersgruppe": "KINDER",
        "betriebsbereit": 4,
        "belegt": 2,
        "frei": 1,
        "status": "BEGRENZT",
    }
    ecmo = [b for b in report["betten"] if b["kategorie"] == "ECMO"]
    assert all(b["betriebsbereit"] is None and b["status"] == "KEINE_ANGABE" for b in ecmo)
