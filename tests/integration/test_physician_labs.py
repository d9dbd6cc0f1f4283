"""Lab values and vitals on the physician's timeline page, against the test server: German short
names, units as a ward writes them, statuses in words, and the cumulative lab table whose rows,
columns and H/L marks are those of the generator's Observations of the person."""

from __future__ import annotations

import json
from collections import defaultdict

import pandas as pd
import pytest

from demo_data.bundles import read_json
from demo_data.codes import MOBILITY
from services.codes import KVNR
from services.domain.access import BreakGlassReason
from services.lab_labels import ANALYTES, display_unit
from tests.integration.test_physician_record import click_row, search
from tests.support.apptest import clean, open_page, table_with

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]
# Sampling times side by side on the page (pages/timeline.py LAB_COLUMNS).
COLUMNS = 8


@pytest.fixture(scope="module")
def labs_by_person(test_network) -> dict[str, dict[str, list[dict]]]:
    """The generator's lab Observations: per KVNR, per hospital."""
    kvnr_of, hospital_of, labs = {}, {}, defaultdict(list)
    for bundle in test_network.manifest["bundles"]:
        for entry in read_json(test_network.dir / bundle["file"])["entry"]:
            res = entry["resource"]
            if res["resourceType"] == "Patient":
                kvnr_of[res["id"]] = next(
                    i["value"] for i in res["identifier"] if i.get("system") == KVNR
                )
                hospital_of[res["id"]] = res["managingOrganization"]["reference"].split("/")[1]
            elif res["resourceType"] == "Observation":
                category = res["category"][0]["coding"][0]["code"]
                if category == "laboratory":
                    labs[res["subject"]["reference"].split("/")[1]].append(res)
    out: dict[str, dict[str, list[dict]]] = defaultdict(dict)
    for patient, kvnr in kvnr_of.items():
        out[kvnr][hospital_of[patient]] = labs.get(patient, [])
    return out


@pytest.fixture(scope="module")
def lab_person(labs_by_person, users):
    """The person at the physician's own hospital only with the most lab sampling times, and
    their lab Observations as the generator wrote them."""
    own = users["arzt.demo"].hospital_id
    # The most sampling times: the table then needs its pages.
    kvnr = max(
        (k for k, v in labs_by_person.items() if set(v) == {own}),
        key=lambda k: (len({r["effectiveDateTime"] for r in labs_by_person[k][own]}), k),
    )
    return kvnr, labs_by_person[kvnr][own]


def opened(users, kvnr: str, lang: str):
    at = click_row(search(open_page("pages/patient_search.py", users["arzt.demo"], lang), kvnr), 0)
    assert not at.exception
    return at


def test_cumulative_lab_table_german_labels_units_and_flags(users, lab_person):
    kvnr, labs = lab_person
    at = opened(users, kvnr, "de")
    shown = clean(at)
    assert "Kumulativbefund" in [tab.label for tab in at.tabs]
    table = table_with(at, "Parameter")
    codes = {r["code"]["coding"][0]["code"] for r in labs}
    # One row per analyte (one hospital, one unit each), named in German, in the clinical unit.
    assert sorted(table["Parameter"]) == sorted(ANALYTES[c][0] for c in codes)
    ucum_of = {r["code"]["coding"][0]["code"]: r["valueQuantity"]["code"] for r in labs}
    expected_units = {ANALYTES[c][0]: display_unit(u) for c, u in ucum_of.items()}
    assert dict(zip(table["Parameter"], table["Einheit"], strict=True)) == expected_units
    assert dict(zip(table["Parameter"], table["UCUM"], strict=True)) == {
        ANALYTES[c][0]: u for c, u in ucum_of.items()
    }
    assert "Leukozyten" in set(table["Parameter"]) or "Hämoglobin" in set(table["Parameter"])
    assert not {"10*3/uL", "mg/dL", "g/dL", "mmol/L"} & set(table["Einheit"])
    # Newest sampling times first, at most COLUMNS of them, the rest one choice away.
    times = sorted(
        {pd.Timestamp(r["effectiveDateTime"]).tz_convert("Europe/Berlin") for r in labs},
        reverse=True,
    )
    columns = [c for c in table.columns if c not in ("Parameter", "Einheit", "Referenzbereich")]
    columns = [c for c in columns if c not in ("Klinik", "UCUM")]
    assert columns == [t.strftime("%d.%m.%Y %H:%M") for t in times[:COLUMNS]]
    if len(times) > COLUMNS:
        assert f"{COLUMNS} von {len(times)} Abnahmezeitpunkten" in shown
        assert len(at.selectbox(key="labs_page").options) == -(-len(times) // COLUMNS)
    # Every value of the first page in its cell, with H↑/L↓ exactly where the source flagged it.
    flagged = 0
    for r in labs:
        when = pd.Timestamp(r["effectiveDateTime"]).tz_convert("Europe/Berlin")
        if when not in times[:COLUMNS]:
            continue
        name = ANALYTES[r["code"]["coding"][0]["code"]][0]
        cell = table.loc[table["Parameter"] == name, when.strftime("%d.%m.%Y %H:%M")].iloc[0]
        value = f"{r['valueQuantity']['value']:g}".replace(".", ",")
        flag = r["interpretation"][0]["coding"][0]["code"]
        expected = {"H": f"{value} H↑", "L": f"{value} L↓"}.get(flag, value)
        assert cell == expected, (name, when)
        flagged += flag in ("H", "L")
    assert flagged > 0, "the chosen person has abnormal values to mark"
    ranges = {ANALYTES[r["code"]["coding"][0]["code"]][0]: r["referenceRange"][0] for r in labs}
    for name, reference in zip(table["Parameter"], table["Referenzbereich"], strict=True):
        low, high = ranges[name]["low"]["value"], ranges[name]["high"]["value"]
        assert reference == f"{low:g}–{high:g}".replace(".", ","), name


def test_trends_and_tables_read_german_names_units_and_statuses(users, lab_person):
    kvnr, _ = lab_person
    at = opened(users, kvnr, "de")
    shown = clean(at)
    # Vitals are charted by default under the timeline, one panel per sign, on its time axis.
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    timeline, vitals = figures[0], figures[1]
    titles = [a["text"] for a in vitals["layout"]["annotations"]]
    assert "Körpertemperatur (°C)" in titles and "Herzfrequenz (/min)" in titles, titles
    assert vitals["layout"]["xaxis"]["range"] == timeline["layout"]["xaxis"]["range"]
    options = at.multiselect(key="trend_codes").options
    assert options, shown
    assert any(o.startswith("Körpertemperatur (°C)") for o in options), options
    assert not any("Cel" in o or "10*3/uL" in o or "[Hg]" in o for o in options), options
    marks = table_with(at, "Datensätze")
    conditions = marks[marks["Art"] == "Diagnosen"]
    assert not conditions.empty
    assert set(conditions["Angabe"]) <= {"aktiv", "abgeheilt", "inaktiv", "Rezidiv"}
    observations = marks[marks["Art"] == "Befunde"]
    # Labs and vitals by their German label; the nursing assessment of mobility (a survey
    # Observation in the platform's own system, demo_data/nursing.py) by its own display.
    labelled = {german for german, _ in ANALYTES.values()} | {MOBILITY.display}
    assert set(observations["Bezeichnung"]) <= labelled
    assert "Blutdruck" in set(observations["Bezeichnung"])
    assert "Körpertemperatur" in set(observations["Bezeichnung"])
    assert observations["Angabe"].str.endswith("°C").any()
    assert not observations["Angabe"].str.contains("Cel|mm\\[Hg\\]", regex=True).any()
    stays = table_with(at, "Fallnummer")
    assert set(stays["Status"]) <= {"abgeschlossen", "laufend", "geplant", "eingetroffen"}


def test_in_english_the_same_table_reads_english(users, lab_person):
    kvnr, labs = lab_person
    at = opened(users, kvnr, "en")
    clean(at)
    assert "Cumulative labs" in [tab.label for tab in at.tabs]
    table = table_with(at, "Analyte")
    codes = {r["code"]["coding"][0]["code"] for r in labs}
    assert sorted(table["Analyte"]) == sorted(ANALYTES[c][1] for c in codes)
    assert {"Unit", "Reference range", "Hospital", "UCUM"} <= set(table.columns)


def test_a_person_of_several_hospitals_has_rows_per_hospital(users, labs_by_person):
    """After break-glass, each hospital's results stay in rows of their own."""
    doctor = users["arzt.demo"]
    kvnr = max(
        (k for k, v in labs_by_person.items() if doctor.hospital_id not in v),
        key=lambda k: (sum(bool(labs) for labs in labs_by_person[k].values()), k),
    )
    hospitals = {h: labs for h, labs in labs_by_person[kvnr].items() if labs}
    assert len(hospitals) >= 2, "the test network has a person with labs at two hospitals"
    at = click_row(search(open_page("pages/patient_search.py", doctor), kvnr), 0)
    at.selectbox(key="search_reason_kind").select(BreakGlassReason.CO_TREATMENT)
    at.text_area(key="search_reason").input("Vorbefunde für die Mitbehandlung angefordert")
    at.button(key="search_open").click().run()
    clean(at)
    table = table_with(at, "Parameter")
    per_hospital = table.groupby("Klinik")["Parameter"].agg(list)
    assert len(per_hospital) == len(hospitals)
    # Per hospital, the German names of the analytes it measured (one unit per code each).
    expected = sorted(
        sorted(ANALYTES[code][0] for code in {r["code"]["coding"][0]["code"] for r in labs})
        for labs in hospitals.values()
    )
    assert sorted(sorted(rows) for rows in per_hospital) == expected
