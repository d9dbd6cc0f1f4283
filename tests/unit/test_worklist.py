"""The physician's worklist: abnormal vitals first, then new abnormal results, a discharge planned
for today or tomorrow, a new admission; beds in natural order within a rank; each row's reasons
in words; the stay's main diagnosis."""

from __future__ import annotations

import pandas as pd
import pytest

from components.worklist import worklist_table
from services.domain.news2 import latest_scores
from services.domain.worklist import (
    main_diagnoses,
    ranked_worklist,
    reason_text,
    with_diagnosis_roles,
)
from services.i18n import t

pytestmark = pytest.mark.unit
NOW = pd.Timestamp("2026-03-02T11:00:00+01:00")
DAY = pd.Timedelta(days=1)


def stays(*rows: dict) -> pd.DataFrame:
    base = {
        "source": "s",
        "start": NOW - 5 * DAY,
        "planned_end": pd.NaT,
        "ward": "Station 1A",
        "room": "Zimmer 1",
    }
    out = pd.DataFrame([base | r for r in rows])
    out["patient_id"] = "p-" + out["encounter_id"]
    out["planned_end"] = pd.to_datetime(out["planned_end"], utc=True).dt.tz_convert(NOW.tz)
    return out


def scores(**bands: tuple[str, int, str]) -> pd.DataFrame:
    rows = [
        {"encounter_id": e, "band": b, "score": s, "partial": s, "status": st}
        for e, (b, s, st) in bands.items()
    ]
    return pd.DataFrame(rows, columns=["encounter_id", "band", "score", "partial", "status"])


NO_RESULTS = pd.DataFrame(columns=["source", "patient_id", "new", "new_abnormal", "latest"])


def results(**abnormal: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"source": "s", "patient_id": f"p-{e}", "new": n, "new_abnormal": n}
            for e, n in abnormal.items()
        ]
    )


def test_abnormal_vitals_outrank_every_other_reason():
    rows = stays(
        {
            "encounter_id": "a",
            "bed": "1A-1",
            "planned_end": NOW,
            "start": NOW - pd.Timedelta(hours=2),
        },
        {"encounter_id": "b", "bed": "1A-2"},
    )
    ranked = ranked_worklist(
        rows, scores(a=("low", 2, "complete"), b=("high", 8, "complete")), results(a=3), NOW
    )
    assert ranked["encounter_id"].tolist() == ["b", "a"]
    assert ranked["rank"].tolist() == [1, 2]
    assert [code for code, _ in ranked.iloc[1]["reasons"]] == ["results", "discharge", "admission"]


def test_results_then_discharge_today_then_tomorrow_then_admission_then_beds():
    rows = stays(
        {"encounter_id": "new", "bed": "1A-1", "start": NOW - pd.Timedelta(hours=3)},
        {"encounter_id": "tomorrow", "bed": "1A-3", "planned_end": NOW + DAY},
        {"encounter_id": "today", "bed": "1A-4", "planned_end": NOW + pd.Timedelta(hours=2)},
        {"encounter_id": "lab", "bed": "1A-5"},
        {"encounter_id": "quiet-10", "bed": "1A-10"},
        {"encounter_id": "quiet-2", "bed": "1A-2"},
        {"encounter_id": "medium", "bed": "1A-6"},
        {"encounter_id": "red", "bed": "1A-7"},
    )
    bands = scores(
        medium=("medium", 5, "complete"),
        red=("low_medium", 3, "complete"),
        **{"quiet-2": ("low", 1, "complete")},
    )
    ranked = ranked_worklist(rows, bands, results(lab=1), NOW)
    assert ranked["encounter_id"].tolist() == [
        "medium",
        "red",
        "lab",
        "today",
        "tomorrow",
        "new",
        "quiet-2",
        "quiet-10",
    ]
    assert ranked.set_index("encounter_id").loc["quiet-2", "reasons"] == ()


def test_an_incomplete_set_counts_by_the_points_it_has_and_a_child_has_no_score():
    rows = stays({"encounter_id": "adult", "bed": "1A-2"}, {"encounter_id": "child", "bed": "1A-1"})
    bands = pd.DataFrame(
        [
            {
                "encounter_id": "adult",
                "band": "medium",
                "score": pd.NA,
                "partial": 5,
                "status": "incomplete",
            },
            {
                "encounter_id": "child",
                "band": None,
                "score": pd.NA,
                "partial": pd.NA,
                "status": "not_applicable",
            },
        ]
    )
    ranked = ranked_worklist(rows, bands, NO_RESULTS, NOW)
    assert ranked["encounter_id"].tolist() == ["adult", "child"]
    words = reason_text(ranked.iloc[0]["reasons"], "de")
    assert "NEWS2 5" in words and t("worklist.reason.vitals_incomplete", "de") in words
    assert reason_text(ranked.iloc[1]["reasons"], "de") == t("worklist.reason.none", "de")


def test_the_ranking_takes_the_news2_of_the_real_scoring():
    # Respiration 26 (3), SpO2 90 (3), air (0), systolic 88 (3), pulse 135 (3), alert, 37 °C.
    values = {"9279-1": 26, "59408-5": 90, "3151-8": 0, "8480-6": 88, "8867-4": 135, "8310-5": 37}
    obs = [
        {
            "encounter_id": "sick",
            "effective": NOW - pd.Timedelta(minutes=20),
            "code": c,
            "value": v,
            "unit": None,
            "value_code": None,
            "status": "final",
        }
        for c, v in values.items()
    ]
    obs.append({**obs[0], "code": "67775-7", "value": None, "value_code": "248234008"})
    rows = stays({"encounter_id": "well", "bed": "1A-1"}, {"encounter_id": "sick", "bed": "1A-2"})
    latest = latest_scores(pd.DataFrame(obs), rows.assign(age=70, admitted=rows["start"]), NOW)
    ranked = ranked_worklist(rows, latest, NO_RESULTS, NOW)
    assert ranked["encounter_id"].tolist() == ["sick", "well"]
    assert ranked.iloc[0]["news2_band"] == "high"


def test_reasons_read_in_words_in_both_languages():
    reasons = (
        ("vitals", {"band": "high", "score": 8, "status": "complete"}),
        ("results", {"count": 2}),
        ("discharge", {"day": "tomorrow"}),
        ("admission", {"ago": pd.Timedelta(hours=5, minutes=3)}),
    )
    german = reason_text(reasons, "de")
    assert german == (
        "▲▲▲ NEWS2 8, Risiko hoch · 2 neue auffällige Befunde · Entlassung morgen geplant"
        " · Neuaufnahme vor 5 h 03 min"
    )
    english = reason_text(reasons, "en")
    assert "high risk" in english and "discharge planned tomorrow" in english


def test_the_main_diagnosis_is_the_stays_first_recorded_not_the_problem_list():
    conditions = pd.DataFrame(
        [
            {
                "id": "c2",
                "source": "s",
                "encounter_id": "e",
                "code": "E11.9",
                "display": "Diabetes",
                "category": "encounter-diagnosis",
                "verification_status": "confirmed",
                "recorded": NOW - DAY,
                "onset": NOW - 400 * DAY,
            },
            {
                "id": "c1",
                "source": "s",
                "encounter_id": "e",
                "code": "I21.4",
                "display": "NSTEMI",
                "category": "encounter-diagnosis",
                "verification_status": "confirmed",
                "recorded": NOW - 2 * DAY,
                "onset": NOW - 2 * DAY,
            },
            {
                "id": "c0",
                "source": "s",
                "encounter_id": "e",
                "code": "J44.9",
                "display": "COPD",
                "category": "problem-list-item",
                "verification_status": "confirmed",
                "recorded": NOW - 9 * DAY,
                "onset": NOW - 900 * DAY,
            },
            {
                "id": "c9",
                "source": "s",
                "encounter_id": "f",
                "code": "K35.8",
                "display": None,
                "category": "encounter-diagnosis",
                "verification_status": "entered-in-error",
                "recorded": NOW - 9 * DAY,
                "onset": NOW - 9 * DAY,
            },
        ]
    )
    found = main_diagnoses(conditions)
    assert found[["encounter_id", "diagnosis_code", "diagnosis"]].values.tolist() == [
        ["e", "I21.4", "NSTEMI"]
    ]


def test_of_diagnoses_recorded_together_the_latest_begun_is_the_reason_for_the_stay():
    def diagnosis(id_: str, code: str, onset) -> dict:
        return {
            "id": id_,
            "source": "s",
            "encounter_id": "e",
            "code": code,
            "display": None,
            "category": "encounter-diagnosis",
            "verification_status": "confirmed",
            "recorded": NOW - DAY,
            "onset": onset,
        }

    conditions = pd.DataFrame(
        [
            diagnosis("a", "Z95.1", NOW - 400 * DAY),
            diagnosis("b", "E78.0", None),
            diagnosis("c", "S32.01", NOW - 3 * DAY),
            diagnosis("d", "E11.9", NOW - 900 * DAY),
        ]
    )
    found = main_diagnoses(conditions)
    assert found[["diagnosis_code", "diagnosis"]].values.tolist() == [["S32.01", "S32.01"]]


def recorded_diagnosis(id_: str, code: str, recorded, encounter: str | None = "e") -> dict:
    return {
        "id": id_,
        "source": "s",
        "encounter_id": encounter,
        "code": code,
        "display": None,
        "category": "encounter-diagnosis",
        "verification_status": "confirmed",
        "recorded": recorded,
        "onset": None,
    }


def roles(*rows: tuple) -> pd.DataFrame:
    """``encounter_diagnosis`` rows: (source, encounter, condition, use, rank)."""
    frame = pd.DataFrame(rows, columns=["source", "encounter_id", "condition_id", "use", "rank"])
    return frame.assign(rank=frame["rank"].astype("Float64"))


def test_the_diagnosis_the_source_marks_is_the_main_one_whenever_it_was_recorded():
    # As UKW's export writes a stay: comorbidities coded days before the main diagnosis, the
    # roles under the ValueSet's URL, the main one marked AD, CC and DD at once.
    conditions = pd.DataFrame(
        [
            recorded_diagnosis("Diagnosis-008", "E11.9", NOW - 3 * DAY),
            recorded_diagnosis("Diagnosis-009", "I21.4", NOW - DAY),
            recorded_diagnosis("Diagnosis-010", "I10.00", NOW - 2 * DAY),
        ]
    )
    marks = roles(
        ("s", "e", "Diagnosis-008", "CM", None),
        ("s", "e", "Diagnosis-009", "AD", None),
        ("s", "e", "Diagnosis-009", "CC", None),
        ("s", "e", "Diagnosis-009", "DD", None),
        ("s", "e", "Diagnosis-010", "CM", None),
    )
    found = main_diagnoses(with_diagnosis_roles(conditions, marks))
    assert found["diagnosis_code"].tolist() == ["I21.4"]
    assert main_diagnoses(conditions)["diagnosis_code"].tolist() == ["E11.9"]


def test_the_strongest_role_wins_and_a_role_counts_at_its_own_source_only():
    conditions = pd.DataFrame(
        [
            recorded_diagnosis("a", "R07.4", NOW - 3 * DAY),
            recorded_diagnosis("b", "I21.4", NOW - DAY),
            recorded_diagnosis("c", "J18.9", NOW - DAY, encounter="f"),
            recorded_diagnosis("d", "N39.0", NOW - 3 * DAY, encounter="f"),
        ]
    )
    marks = roles(
        ("s", "e", "a", "AD", 1),
        ("s", "e", "b", "hospital-main-diagnosis", 2),
        ("s", "f", "c", None, 1),
        # The same ids at another source name other records.
        ("t", "f", "d", "CC", None),
    )
    found = main_diagnoses(with_diagnosis_roles(conditions, marks))
    assert dict(zip(found["encounter_id"], found["diagnosis_code"], strict=True)) == {
        "e": "I21.4",
        "f": "J18.9",
    }


def test_a_marked_diagnosis_that_names_no_encounter_counts_for_the_contact_naming_it():
    # UKHD's export links diagnoses from the Encounter only.
    conditions = pd.DataFrame(
        [
            recorded_diagnosis("0061845260-1-p", "S72.01", NOW - DAY, encounter=None),
            recorded_diagnosis("0061845260-2-p", "I10.00", NOW - 2 * DAY, encounter=None),
        ]
    )
    marks = roles(
        ("s", "0061845260-e", "0061845260-2-p", None, None),
        ("s", "0061845260-e", "0061845260-1-p", "AD", None),
    )
    found = main_diagnoses(with_diagnosis_roles(conditions, marks))
    assert found[["encounter_id", "diagnosis_code"]].values.tolist() == [["0061845260-e", "S72.01"]]


def test_a_marked_diagnosis_entered_in_error_gives_way_to_the_first_recorded():
    conditions = pd.DataFrame(
        [
            recorded_diagnosis("a", "E11.9", NOW - 3 * DAY),
            {
                **recorded_diagnosis("b", "I21.4", NOW - DAY),
                "verification_status": "entered-in-error",
            },
        ]
    )
    found = main_diagnoses(with_diagnosis_roles(conditions, roles(("s", "e", "b", "CC", 1))))
    assert found["diagnosis_code"].tolist() == ["E11.9"]


def test_the_table_says_what_is_not_recorded_in_words():
    rows = stays({"encounter_id": "a", "bed": None, "ward": None})
    rows = rows.assign(name=None, diagnosis=None, diagnosis_code=None, days_so_far=5)
    ranked = ranked_worklist(rows, scores(), NO_RESULTS, NOW)
    table = worklist_table(ranked, scores(), "de")
    cells = [str(v) for v in table.iloc[0]]
    assert not any(raw in cells for raw in ("None", "nan", "NaT", "<NA>", "–"))
    assert cells.count("nicht erfasst") == 5
    assert table.iloc[0][t("worklist.col.news2", "de")] == t("worklist.news2.none", "de")
