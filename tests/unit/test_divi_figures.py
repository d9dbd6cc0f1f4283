"""The DIVI register figures: ventilation modes, ECMO places, free capacities, the emergency
reserve, the operating situation, the V2 report, the stored history and SANER's staffing flags,
on worked examples and against the generated network's ground truth."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd
import pytest

from demo_data import PRESETS, generate
from demo_data.timeutil import BERLIN
from services.codes import OPS, SNOMED
from services.domain.divi import (
    OPERATING_QUESTIONNAIRE,
    divi_measure_report,
    divi_summary,
    emergency_reserve,
    free_capacity,
    history_frame,
    latest_situation,
    register_report,
    saner_staffing_group,
    ventilated_now,
    ventilation_mode,
)
from services.frames import KINDS, Collector, with_hierarchy
from services.report_writes import operating_response
from services.views.divi import DiviView, divi_view
from tests.support.frames import frames as frames_of

pytestmark = pytest.mark.unit

NOW = pd.Timestamp("2026-03-30T11:30:00+02:00")
BED_COLUMNS = ["source", "bed_id", "bed_category", "age_group", "status", "encounter_id"]


def beds() -> pd.DataFrame:
    rows = [
        ("s", "h1", "icu-high-care", "adult", "O", "p1"),
        ("s", "h2", "icu-high-care", "adult", "O", "p2"),
        ("s", "h3", "icu-high-care", "adult", "U", None),
        ("s", "h4", "icu-high-care", "adult", "U", None),
        ("s", "h5", "icu-high-care", "adult", "C", None),
        ("s", "l1", "icu-low-care", "adult", "O", "p3"),
        ("s", "l2", "icu-low-care", "adult", "H", None),
        ("s", "k1", "icu-high-care", "paediatric", "O", "p4"),
        ("s", "g1", "general", "adult", "O", "p5"),
    ]
    return pd.DataFrame(rows, columns=BED_COLUMNS)


def devices() -> pd.DataFrame:
    rows = [
        ("v1", "active", "beatmungsgeraet", "h1"),
        ("v2", "active", "beatmungsgeraet", "h2"),
        ("v3", "active", "beatmungsgeraet", "h3"),
        ("v4", "inactive", "beatmungsgeraet", "h4"),
        ("v5", "inactive", "beatmungsgeraet", "h5"),
        ("e1", "active", "ecmo", "h1"),
        ("e2", "active", "ecmo", "h3"),
    ]
    frame = pd.DataFrame(rows, columns=["id", "status", "type", "location_id"])
    return frame.assign(source="s", organization_id="org")


def procedures() -> pd.DataFrame:
    rows = [
        ("p1", SNOMED, "1258985005", "in-progress"),
        ("p1", SNOMED, "233573008", "in-progress"),
        ("p1", OPS, "8-852.0", "in-progress"),
        ("p2", SNOMED, "1258985005", "in-progress"),
        ("p3", OPS, "8-706", "in-progress"),
        ("p4", SNOMED, "428311008", "in-progress"),
        ("p5", SNOMED, "1258985005", "completed"),
        ("p9", SNOMED, "1258985005", "in-progress"),
    ]
    return pd.DataFrame(rows, columns=["encounter_id", "system", "code", "status"]).assign(
        source="s"
    )


def test_modes_by_snomed_or_ops():
    assert ventilation_mode(SNOMED, "1258985005") == "invasive"
    assert ventilation_mode(SNOMED, "428311008") == "non_invasive"
    assert ventilation_mode(OPS, "8-706") == "non_invasive"
    assert ventilation_mode(OPS, "8-852.01") == "ecmo"
    assert ventilation_mode(SNOMED, "40617009") is None
    assert ventilation_mode(OPS, "5-470") is None
    assert ventilation_mode(SNOMED, None) is None


def test_ventilated_patients_once_per_mode_by_the_bed_they_lie_in():
    got = ventilated_now(procedures(), beds()).set_index(["mode", "age_group"])["patients"]
    # p1 ECMO (SNOMED and OPS: once) and invasive; p2 invasive; p3 NIV by OPS; p4 a child on
    # NIV; p5's ventilation ended; p9 lies in no bed of the hospital.
    assert got.to_dict() == {
        ("invasive", "adult"): 2,
        ("invasive", "paediatric"): 0,
        ("non_invasive", "adult"): 1,
        ("non_invasive", "paediatric"): 1,
        ("ecmo", "adult"): 1,
        ("ecmo", "paediatric"): 0,
    }


def test_summary_ecmo_places_are_beds_with_an_active_unit():
    summary = divi_summary(beds(), devices()).set_index(["category", "age_group"])
    assert summary.loc[("icu-high-care", "adult")].to_dict() == {
        "beds": 4,
        "occupied": 2,
        "free": 2,
        "blocked": 0,
    }
    assert summary.loc[("icu-low-care", "adult")].to_dict() == {
        "beds": 2,
        "occupied": 1,
        "free": 0,
        "blocked": 1,
    }
    assert summary.loc[("ecmo", "adult")].to_dict() == {
        "beds": 2,
        "occupied": 1,
        "free": 1,
        "blocked": 0,
    }
    assert summary.loc[("icu-high-care", "paediatric"), "occupied"] == 1


def test_free_capacity_and_reserve():
    # h3 is free with a working ventilator; h4's ventilator is out of service; h5 is closed.
    assert free_capacity(beds(), devices()) == {"free_iv": 1, "free_ecmo": 1}
    assert emergency_reserve(beds()) == 1


@pytest.fixture
def figures() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The worked example's beds by category, ventilated patients, and free capacity with the
    emergency reserve: what a report is built from."""
    summary = divi_summary(beds(), devices())
    ventilation = ventilated_now(procedures(), beds())
    capacity = {**free_capacity(beds(), devices()), "reserve_7d": emergency_reserve(beds())}
    return summary, ventilation, capacity


def answered(situation: str, limits: tuple[str, ...], when: str) -> list[dict]:
    return [
        operating_response("org", situation, limits, True, "Birgit Größ", pd.Timestamp(when)),
    ]


def situation_tables(resources: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    collector = Collector(KINDS, "QuestionnaireResponse", source="s")
    collector.feed(resources)
    tables = collector.frames()
    return tables["questionnaire_response"], tables["questionnaire_answer"]


def test_latest_answer_counts_and_regular_operation_has_no_reasons():
    older = answered("EINGESCHRAENKT", ("personal", "raum"), "2026-03-29T08:00:00+02:00")
    newer = answered("TEILWEISE_EINGESCHRAENKT", ("beatmungsgeraet",), "2026-03-30T08:00:00+02:00")
    responses, answers = situation_tables(older + newer)
    got = latest_situation(answers, responses, "org")
    assert got["situation"] == "TEILWEISE_EINGESCHRAENKT"
    assert got["limits"] == ("beatmungsgeraet",)
    regular = answered("REGULAERER_BETRIEB", ("personal",), "2026-03-30T09:00:00+02:00")
    responses, answers = situation_tables(older + regular)
    assert latest_situation(answers, responses, "org")["limits"] == ()
    assert latest_situation(answers, responses, "other")["situation"] == "KEINE_ANGABE"
    other = {**regular[0], "questionnaire": "https://example.org/Questionnaire/x"}
    responses, answers = situation_tables([other])
    assert latest_situation(answers, responses, "org")["situation"] == "KEINE_ANGABE"
    assert OPERATING_QUESTIONNAIRE in older[0]["questionnaire"]


def test_register_report_v2_fields(figures):
    summary, ventilation, capacity = figures
    limited = {"situation": "EINGESCHRAENKT", "limits": ("personal",)}
    report = register_report(summary, ventilation, capacity, limited, "org", "Klinik", NOW)
    assert report["api_version"] == "V2"
    assert report["meldebereich"] == {"id": "org", "bezeichnung": "Klinik"}
    assert report["kapazitaeten"] == {
        # Low and high care of both age groups: 4 + 2 + 1 in service, 2 + 1 + 1 occupied.
        "intensivBetten": 7,
        "intensivBettenBelegt": 4,
        "intensivBettenNotfall7d": 1,
        "patientenInvasivBeatmet": 2,
        "patientenNichtInvasivBeatmet": 2,
        "patientenEcmo": 1,
        "freieIvKapazitaet": 1,
        "freieEcmoKapazitaet": 1,
    }
    assert report["statusEinschaetzungHighcare"] == "VERFUEGBAR"
    assert report["statusEinschaetzungLowcare"] == "NICHT_VERFUEGBAR"
    assert report["statusEinschaetzungEcmo"] == "BEGRENZT"
    assert report["betriebssituation"] == "EINGESCHRAENKT"
    assert report["betriebseinschraenkungPersonal"] is True
    assert report["betriebseinschraenkungRaum"] is False
    regular = {"situation": "REGULAERER_BETRIEB", "limits": ()}
    plain = register_report(summary, ventilation, capacity, regular, "org", "Klinik", NOW)
    assert plain["betriebseinschraenkungPersonal"] is None
    assert plain["id"] != report["id"] or plain["meldezeitpunkt"] == report["meldezeitpunkt"]
    assert len(report["betten"]) == 6


def test_stored_report_reads_back_as_one_history_row(figures):
    summary, ventilation, capacity = figures
    situation = {"situation": "TEILWEISE_EINGESCHRAENKT", "limits": ("raum",)}
    report = divi_measure_report(
        summary, ventilation, capacity, situation, "org", "Klinik", NOW, NOW
    )
    assert report["id"] == "divi-org-2026-03-30"
    collector = Collector(KINDS, "MeasureReport", source="s")
    collector.feed([report])
    tables = collector.frames()
    history = history_frame(tables["measure_population"], tables["measure_report"], "org")
    row = history.iloc[0].to_dict()
    assert row["date"].isoformat() == "2026-03-30"
    assert (row["icu_beds"], row["icu_occupied"], row["icu_free"]) == (7, 4, 2)
    assert (row["invasive"], row["non_invasive"], row["ecmo"]) == (2, 2, 1)
    assert (row["free_iv"], row["free_ecmo"], row["reserve_7d"], row["ecmo_beds"]) == (1, 1, 1, 2)
    assert row["situation"] == "TEILWEISE_EINGESCHRAENKT"
    assert row["status_icu-low-care"] == "NICHT_VERFUEGBAR"
    assert history_frame(tables["measure_population"], tables["measure_report"], "x").empty


def test_saner_staffing_flags_leave_out_what_is_not_known():
    groups = saner_staffing_group(True, None)
    assert [g["code"]["coding"][0]["code"] for g in groups] == ["shortnurse"]
    assert groups[0]["population"][0]["count"] == 1
    assert saner_staffing_group(False, False)[1]["population"][0]["count"] == 0
    assert saner_staffing_group(None, None) == []


# --- the generated network -----------------------------------------------------------------------

AS_OF = datetime(2025, 11, 28, 10, 0, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def network():
    return generate(11, PRESETS["test"], AS_OF)


@pytest.fixture(scope="module")
def read(network):
    out = {}
    for kind in (
        "Encounter",
        "Location",
        "Organization",
        "Procedure",
        "Device",
        "MeasureReport",
    ):
        out.update(frames_of(network.resources[kind], kind))
    out["location"] = with_hierarchy(out["location"])
    return out


@pytest.fixture(scope="module")
def as_of(network) -> pd.Timestamp:
    return pd.Timestamp(network.ground_truth["as_of"])


@pytest.fixture(scope="module")
def view_of(read, as_of) -> Callable[..., DiviView]:
    """A hospital's DIVI view on the generated network, with these operating-situation answers
    (``operating_response`` resources)."""

    def view(hospital_id: str, answers: list[dict], **options: bool) -> DiviView:
        return divi_view(
            hospital_id,
            read["location"],
            read["organization"],
            read["encounter"],
            read["encounter_location"],
            read["procedure"],
            read.get("encounter_contact"),
            read["device"],
            *situation_tables(answers),
            read["measure_report"],
            read["measure_population"],
            as_of,
            **options,
        )

    return view


def test_every_hospital_with_icu_matches_the_ground_truth(network, view_of):
    truth = network.ground_truth["divi"]
    assert truth["now"]
    for hospital_id, expected in truth["now"].items():
        view = view_of(hospital_id, [])
        got = {
            f"{r.category}|{r.age_group}": {
                "beds": r.beds,
                "occupied": r.occupied,
                "free": r.free,
                "blocked": r.blocked,
                "status": r.status,
            }
            for r in view.summary.itertuples(index=False)
        }
        assert got == expected["beds"]
        ventilation = {
            f"{r.mode}|{r.age_group}": r.patients for r in view.ventilation.itertuples(index=False)
        }
        assert ventilation == expected["ventilation"]
        assert view.capacity == {k: expected[k] for k in ("free_iv", "free_ecmo", "reserve_7d")}
        history = view.history.set_index("date")
        stored = truth["history"][hospital_id]
        assert len(history) == len(stored) + 1
        for day, figures in stored.items():
            row = history.loc[pd.Timestamp(day).date()]
            beds_now = figures["beds"]
            icu = [k for k in beds_now if not k.startswith("ecmo")]
            assert row["icu_occupied"] == sum(beds_now[k]["occupied"] for k in icu)
            assert row["icu_free"] == sum(beds_now[k]["free"] for k in icu)
            assert row["invasive"] == sum(
                n for k, n in figures["ventilation"].items() if k.startswith("invasive")
            )
            assert row["situation"] == figures["situation"]
        assert view.register["kapazitaeten"]["patientenEcmo"] == sum(
            n for k, n in expected["ventilation"].items() if k.startswith("ecmo")
        )


def test_the_view_carries_the_answer_into_the_register_and_saner(network, as_of, view_of):
    hospital_id = next(iter(network.ground_truth["divi"]["now"]))
    answer = operating_response(
        hospital_id, "TEILWEISE_EINGESCHRAENKT", ("raum",), True, "Birgit Größ", as_of
    )
    view = view_of(hospital_id, [answer], short_now=False)
    assert view.register["betriebssituation"] == "TEILWEISE_EINGESCHRAENKT"
    assert view.register["betriebseinschraenkungRaum"] is True
    assert view.register["betriebseinschraenkungPersonal"] is False
    assert view.situation["author"] == "Birgit Größ"
    flags = {
        g["code"]["coding"][0]["code"]: g["population"][0]["count"] for g in view.saner["group"]
    }
    assert (flags["shortnurse"], flags["posshortnurse"]) == (0, 1)
    ventilators = sum(
        1
        for d in network.resources["Device"]
        if d["id"].endswith("-v")
        and d["status"] == "active"
        and d["owner"]["reference"] == f"Organization/{hospital_id}"
    )
    assert flags["Ventilators"] == ventilators
    assert view.history["situation"].iloc[-1] == "TEILWEISE_EINGESCHRAENKT"
