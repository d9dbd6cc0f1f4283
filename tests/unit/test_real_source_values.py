"""What the pages show for data the real sources leave out: patients without managingOrganization,
codes missing from a column, sources without wards, and break-glass reasons."""

from __future__ import annotations

import pandas as pd
import pytest

from services.domain.access import BreakGlassReason, compose_reason, reason_words
from services.domain.beds import has_wards
from services.domain.labels import MISSING, label
from services.i18n import t
from tests.support.frames import frames

pytestmark = pytest.mark.unit


def patient(pid: str, organization: str | None = None) -> dict:
    out = {"resourceType": "Patient", "id": pid}
    if organization:
        out["managingOrganization"] = {"reference": f"Organization/{organization}"}
    return out


def test_patients_without_organization_take_their_sources_hospital():
    alone = frames([patient("a"), patient("b")], "Patient", source="UKHD")["patient"]
    assert list(alone["hospital_id"]) == ["UKHD", "UKHD"]
    named = frames([patient("a", "org-1"), patient("b")], "Patient", source="S")["patient"]
    assert list(named["hospital_id"]) == ["org-1", "org-1"]
    two = frames([patient("a", "org-1"), patient("b", "org-2"), patient("c")], "Patient")
    assert list(two["patient"]["hospital_id"]) == ["org-1", "org-2", "S"]


def test_a_missing_code_is_a_dash_and_unknown_codes_stay():
    shown = label(pd.Series(["0100", None, float("nan"), "3300"]), "physician.department", t)
    assert list(shown) == [t("physician.department.0100"), MISSING, MISSING, "3300"]


def test_wards_are_reported_or_not():
    locations = pd.DataFrame({"physical_type": ["ro", "bd"]})
    assert not has_wards(locations)
    assert has_wards(pd.DataFrame({"physical_type": ["wa", "ro"]}))
    assert not has_wards(locations.iloc[:0])


def test_a_reason_reads_with_its_occasion_in_words():
    reason = compose_reason(BreakGlassReason.CO_TREATMENT, "Vorbefunde angefordert")
    assert reason == "co_treatment: Vorbefunde angefordert"
    assert reason_words(reason, t) == f"{t('break_glass.co_treatment')}: Vorbefunde angefordert"
    assert reason_words("frei formuliert: ohne Anlass", t) == "frei formuliert: ohne Anlass"
    assert reason_words(None, t) == reason_words(float("nan"), t) == ""
