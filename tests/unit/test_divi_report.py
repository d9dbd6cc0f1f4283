"""The DIVI register's status rating at its thresholds, without a server (the report itself:
tests/unit/test_divi_figures.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from services.domain.reports import DIVI_STATUS, divi_status

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
