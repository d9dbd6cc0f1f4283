"""What a physician reads for lab values and vitals: German short names for every LOINC code the
generator writes and the real exports send, units as a ward writes them, statuses in words, and
the cumulative lab table (analytes x sampling times) on hand-made observation frames."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from demo_data import codes as generator_codes
from services.domain.cumulative_labs import ROW_COLUMNS, cumulative_labs, lab_results
from services.domain.timeline import build_timeline, status_words
from services.lab_labels import ANALYTES, analyte_label, analyte_order, display_unit
from tests.support.realdata import EXPORTS, realdata_dir
from tests.unit.test_physician_timeline import NOW, record_tables

pytestmark = pytest.mark.unit


def generated_codes() -> set[str]:
    codes = {lab.loinc for lab in generator_codes.LABS}
    codes |= {sign.loinc for sign in generator_codes.VITALS}
    codes |= {
        c.code
        for c in (
            generator_codes.BP_PANEL,
            generator_codes.BP_SYSTOLIC,
            generator_codes.BP_DIASTOLIC,
        )
    }
    return codes


def exported_codes() -> set[str]:
    """Every LOINC code of an Observation (or its components) in the real exports."""
    found = set()
    for folder in EXPORTS.values():
        for path in (realdata_dir() / folder).glob("*.json"):
            for entry in json.loads(path.read_text(encoding="utf-8")).get("entry", []):
                res = entry["resource"]
                if res["resourceType"] != "Observation":
                    continue
                for part in [res, *res.get("component", [])]:
                    found |= {
                        c["code"]
                        for c in part["code"].get("coding", [])
                        if c.get("system") == "http://loinc.org"
                    }
    return found


def test_every_generated_and_exported_code_has_a_german_and_an_english_label():
    generated, exported = generated_codes(), exported_codes()
    assert len(generated) == 13 and len(exported) >= 50
    missing = (generated | exported) - set(ANALYTES)
    assert missing == set()
    for code in generated | exported:
        german, english = ANALYTES[code]
        assert german and english and german != code


def test_label_falls_back_to_the_source_display_then_the_code():
    assert analyte_label("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "de") == (
        "Leukozyten"
    )
    assert analyte_label("6690-2", None, "en") == "White blood cells"
    assert analyte_label("8310-5", "Body temperature", "de") == "Körpertemperatur"
    assert analyte_label("99999-9", "Ein Haustest", "de") == "Ein Haustest"
    assert analyte_label("99999-9", None, "de") == "99999-9"
    assert analyte_label(None, None, "de") is None
    # Blood count before electrolytes, unknown codes last.
    assert analyte_order("718-7") < analyte_order("2951-2") < analyte_order("99999-9")


@pytest.mark.parametrize(
    ("ucum", "shown"),
    [
        ("Cel", "°C"),
        ("10*3/uL", "/nl"),
        ("10*9/L", "/nl"),
        ("10*6/uL", "/pl"),
        ("mg/dL", "mg/dl"),
        ("mg/L", "mg/l"),
        ("mmol/L", "mmol/l"),
        ("umol/L", "µmol/l"),
        ("g/dL", "g/dl"),
        ("%", "%"),
        ("/min", "/min"),
        ("{beats}/min", "/min"),
        ("mm[Hg]", "mmHg"),
        ("U/L", "U/l"),
        ("mL/min/{1.73_m2}", "ml/min/1,73 m²"),
        ("{INR}", ""),
        ("furlong", "furlong"),
        (None, None),
        ("", None),
    ],
)
def test_units_as_a_ward_writes_them(ucum, shown):
    assert display_unit(ucum) == shown


def test_statuses_in_words_unknown_codes_kept():
    statuses = pd.Series(["active", "resolved", "made-up", None])
    assert status_words(statuses, "condition", "de").tolist()[:3] == [
        "aktiv",
        "abgeheilt",
        "made-up",
    ]
    assert status_words(statuses, "condition", "en").tolist()[:2] == ["active", "resolved"]
    assert status_words(pd.Series(["finished"]), "encounter", "de").tolist() == ["abgeschlossen"]
    assert status_words(pd.Series(["stopped"]), "request", "de").tolist() == ["abgesetzt"]
    assert status_words(pd.Series(["preliminary"]), "observation", "de").tolist() == ["vorläufig"]
    # Without a language the data stay as sent.
    assert status_words(statuses, "condition", None).equals(statuses)


def test_timeline_in_german_names_units_and_statuses():
    tables, patients = record_tables()
    marks = build_timeline(tables, patients, NOW, "de").marks
    crp = marks[marks["code"] == "1988-5"].iloc[0]
    assert (crp["display"], crp["detail"]) == ("CRP", "12 mg/l")
    creatinine = marks[marks["code"] == "2160-0"]
    assert set(creatinine["display"]) == {"Kreatinin"}
    assert set(creatinine["detail"]) == {"1 mg/dl", "176,84 µmol/l"}
    bp = marks[marks["code"] == "85354-9"].iloc[0]
    assert (bp["display"], bp["detail"]) == ("Blutdruck", "150/90")
    conditions = marks[marks["kind"] == "condition"]
    assert set(conditions["detail"]) <= {"aktiv", "abgeheilt"} and "abgeheilt" in set(
        conditions["detail"]
    )
    # Without a language the marks keep the sources' names, UCUM and codes.
    raw = build_timeline(tables, patients, NOW).marks
    assert raw[raw["code"] == "1988-5"].iloc[0]["display"] == "lab 1988-5"
    assert "active" in set(raw[raw["kind"] == "condition"]["detail"])


# Hand-made observation frames: the columns of services.frames.clinical.OBSERVATION.
PATIENTS = pd.DataFrame({"source": ["s1", "s2"], "id": ["p1", "p2"], "hospital_id": ["h1", "h2"]})


def obs(
    id_: str,
    when: str,
    code: str | None,
    value: float | None,
    unit: str | None = "mmol/L",
    low: float | None = None,
    high: float | None = None,
    *,
    patient: str = "p1",
    interpretation: str | None = None,
    category: str | None = "laboratory",
    status: str = "final",
    display: str | None = None,
    value_text: str | None = None,
) -> dict:
    return {
        "source": {"p1": "s1", "p2": "s2"}[patient],
        "id": id_,
        "patient_id": patient,
        "encounter_id": None,
        "category": category,
        "status": status,
        "effective": pd.Timestamp(when),
        "code": code,
        "display": display,
        "value": value,
        "unit": unit,
        "ref_low": low,
        "ref_high": high,
        "interpretation": interpretation,
        "panel_code": None,
        "value_text": value_text,
    }


def frame(*rows: dict) -> pd.DataFrame:
    out = pd.DataFrame(list(rows))
    return out.astype({"value": "Float64", "ref_low": "Float64", "ref_high": "Float64"})


def times_of(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c not in ROW_COLUMNS]


def test_cumulative_table_rows_columns_flags_and_ranges():
    labs = frame(
        obs("k1", "2026-11-27T07:00:00+01:00", "2823-3", 3.1, "mmol/L", 3.5, 5.1),
        obs("k2", "2026-11-28T07:00:00+01:00", "2823-3", 4.2, "mmol/L", 3.5, 5.1),
        obs("k3", "2026-11-29T07:00:00+01:00", "2823-3", 5.6, "mmol/L", 3.5, 5.1),
        obs("n1", "2026-11-29T07:00:00+01:00", "2951-2", 140.0, "mmol/L", 135, 145),
        # The sender's flag wins over the range: a critical value.
        obs("h1", "2026-11-28T07:00:00+01:00", "718-7", 6.5, "g/dL", 12, 16, interpretation="LL"),
        # The same analyte at the other hospital: a row of its own.
        obs("k4", "2026-11-20T10:30:00+01:00", "2823-3", 4.0, "mmol/L", 3.6, 5.0, patient="p2"),
        # No unit, no range, not in the label table: said in words, named by the source.
        obs("x1", "2026-11-29T07:00:00+01:00", "12345-6", 7.0, None, display="Hauswert"),
        obs("c1", "2026-11-28T07:00:00+01:00", "1988-5", 12.0, "mg/L", None, 5),
        # Vitals and the vital status are no lab results.
        obs("t1", "2026-11-29T08:00:00+01:00", "8310-5", 38.5, "Cel", category="vital-signs"),
        obs("v1", "2026-11-29T08:00:00+01:00", "67162-8", None, None, category="survey"),
    )
    result = cumulative_labs(labs, PATIENTS, "de")
    table = result.table
    # Newest sampling time first, in Berlin time; vitals (08:00) are not a column.
    assert times_of(table) == [
        "29.11.2026 07:00",
        "28.11.2026 07:00",
        "27.11.2026 07:00",
        "20.11.2026 10:30",
    ]
    assert result.pages == 1
    rows = {(r.analyte, r.hospital_id): r for r in table.itertuples(index=False)}
    assert set(rows) == {
        ("Hämoglobin", "h1"),
        ("CRP", "h1"),
        ("Natrium", "h1"),
        ("Kalium", "h1"),
        ("Kalium", "h2"),
        ("Hauswert", "h1"),
    }
    # Lab sheet order: blood count, inflammation, electrolytes; unknown codes last.
    assert table["analyte"].tolist()[:3] == ["Hämoglobin", "CRP", "Natrium"]
    assert table["analyte"].iloc[-1] == "Hauswert"
    potassium = table[(table["analyte"] == "Kalium") & (table["hospital_id"] == "h1")].iloc[0]
    assert potassium["29.11.2026 07:00"] == "5,6 H↑"
    assert potassium["28.11.2026 07:00"] == "4,2"
    assert potassium["27.11.2026 07:00"] == "3,1 L↓"
    assert potassium["20.11.2026 10:30"] == ""
    assert (potassium["unit"], potassium["ucum"], potassium["reference"]) == (
        "mmol/l",
        "mmol/L",
        "3,5–5,1",
    )
    other = table[(table["analyte"] == "Kalium") & (table["hospital_id"] == "h2")].iloc[0]
    assert (other["20.11.2026 10:30"], other["reference"]) == ("4", "3,6–5")
    haemoglobin = table[table["analyte"] == "Hämoglobin"].iloc[0]
    assert haemoglobin["28.11.2026 07:00"] == "6,5 LL↓↓"
    assert haemoglobin["unit"] == "g/dl"
    crp = table[table["analyte"] == "CRP"].iloc[0]
    assert (crp["reference"], crp["28.11.2026 07:00"]) == ("< 5", "12 H↑")
    house = table[table["analyte"] == "Hauswert"].iloc[0]
    assert (house["unit"], house["reference"]) == ("ohne Einheit", "kein Referenzbereich")
    assert pd.isna(house["ucum"])
    # No raw null anywhere a physician reads.
    shown = table.drop(columns=["code", "ucum"]).to_numpy().ravel()
    assert not any(pd.isna(v) or str(v) in ("None", "nan", "<NA>") for v in shown)


def test_cumulative_table_pages_bound_the_columns_and_reach_every_time():
    labs = frame(
        *(
            obs(f"k{day}", f"2026-11-{day:02d}T07:00:00+01:00", "2823-3", 4.0 + day / 10)
            for day in range(1, 21)
        )
    )
    first = cumulative_labs(labs, PATIENTS, "en", columns=8)
    assert first.pages == 3 and len(first.times) == 20
    assert times_of(first.table)[0] == "2026-11-20 07:00"
    assert len(times_of(first.table)) == 8
    last = cumulative_labs(labs, PATIENTS, "en", columns=8, page=2)
    assert times_of(last.table) == [f"2026-11-{d:02d} 07:00" for d in range(4, 0, -1)]
    assert last.table.iloc[0]["2026-11-01 07:00"] == "4.1"
    seen = set()
    for page in range(first.pages):
        seen |= set(times_of(cumulative_labs(labs, PATIENTS, "en", page=page).table))
    assert len(seen) == 20
    # A page beyond the end shows the oldest page rather than nothing.
    assert times_of(cumulative_labs(labs, PATIENTS, "en", page=9).table) == times_of(last.table)


def test_cumulative_table_text_values_preliminary_and_english():
    labs = frame(
        obs(
            "a",
            "2026-11-29T07:00:00+01:00",
            "2160-0",
            1.35,
            "mg/dL",
            0.6,
            1.2,
            status="preliminary",
        ),
        obs(
            "b",
            "2026-11-29T07:00:00+01:00",
            "5778-6",
            None,
            None,
            display="Urine colour",
            value_text="gelb",
        ),
        obs(
            "c",
            "2026-11-28T07:00:00+01:00",
            "2160-0",
            1.0,
            "mg/dL",
            0.6,
            1.2,
            status="entered-in-error",
        ),
        # Sent without any value (MII exports do): the cell says so.
        obs("d", "2026-11-29T07:00:00+01:00", "1988-5", None, None, None, 0.5),
    )
    table = cumulative_labs(labs, PATIENTS, "en").table
    creatinine = table[table["analyte"] == "Creatinine"].iloc[0]
    assert creatinine["2026-11-29 07:00"] == "1.35 H↑ (preliminary)"
    assert times_of(table) == ["2026-11-29 07:00"], "a result entered in error is left out"
    urine = table[table["analyte"] == "Urine colour"].iloc[0]
    assert (urine["2026-11-29 07:00"], urine["unit"]) == ("gelb", "no unit")
    crp = table[table["analyte"] == "CRP"].iloc[0]
    assert (crp["2026-11-29 07:00"], crp["unit"], crp["reference"]) == (
        "no value",
        "no unit",
        "< 0.5",
    )


def test_cumulative_table_without_lab_results_is_empty():
    assert cumulative_labs(None, PATIENTS, "de").table.empty
    vitals = frame(
        obs("t1", "2026-11-29T08:00:00+01:00", "8310-5", 38.5, "Cel", category="vital-signs")
    )
    assert lab_results(vitals).empty
    assert cumulative_labs(vitals, PATIENTS, "de").pages == 0


def test_vitals_share_the_timeline_axis_one_panel_per_sign():
    from components.timeline_chart import timeline_figure
    from components.vitals_chart import vitals_figure
    from services.domain.trends import trend_points
    from services.i18n import t

    def tr(key: str, **values) -> str:
        return t(key, "de", **values)

    vitals = frame(
        obs(
            "t1", "2026-11-28T08:00:00+01:00", "8310-5", 38.9, "Cel", 36, 38, category="vital-signs"
        ),
        obs(
            "t2", "2026-11-29T08:00:00+01:00", "8310-5", 37.0, "Cel", 36, 38, category="vital-signs"
        ),
        obs(
            "p1",
            "2026-11-29T08:00:00+01:00",
            "8867-4",
            80.0,
            "/min",
            category="vital-signs",
            patient="p2",
        ),
    )
    points = trend_points(vitals, PATIENTS)
    span = (pd.Timestamp("2026-11-20T00:00:00+01:00"), pd.Timestamp("2026-12-01T00:00:00+01:00"))
    figure = vitals_figure(points, {"h1": "Klinik 1", "h2": "Klinik 2"}, tr, "de", x_range=span)
    titles = [a.text for a in figure.layout.annotations]
    assert titles == ["Herzfrequenz (/min)", "Körpertemperatur (°C)"]
    temperature = next(d for d in figure.data if d.name == "Klinik 1")
    assert list(temperature.marker.line.width) == [2, 0], "the fever is ringed"
    assert "außerhalb des Referenzbereichs" in temperature.hovertext[0]
    assert "38,9 °C" in temperature.hovertext[0]
    tables, patients = record_tables()
    timeline = build_timeline(tables, patients, NOW, "de")
    above = timeline_figure(timeline, {}, tr, "de", x_range=span)
    assert list(above.layout.xaxis.range) == list(figure.layout.xaxis.range)
    assert str(figure.layout.xaxis.range[0]).startswith("2026-11-20")


def test_a_value_keeps_the_decimals_it_carries_despite_binary_fractions():
    from services.lab_labels import shown_value

    # 0.55 * 100 is 55.00000000000001 in binary; the value carries two decimals all the same.
    assert shown_value(0.55, "de") == "0,55"
    assert shown_value(1.1, "en") == "1.1"
    assert shown_value(7.0, "de") == "7"
    assert shown_value(0.1234, "de") == "0,123"
