"""What a physician reads for an Observation: a short German (or English) name per LOINC code and
the unit as written on a ward, not in UCUM.

Sources send LOINC long names ("Leukocytes [#/volume] in Blood by Automated count"), their own
display ("Leukozyten") or no display at all; UCUM codes are made for machines (``Cel``,
``10*3/uL``). The table below covers every code the demo generator writes and the codes of the
MII exports we read; its order is the order of a cumulative lab table (blood count, clotting,
electrolytes, kidney, liver, ...). A code not listed keeps the source's own display. The data keep
UCUM; only what is shown goes through ``display_unit``.
"""

from __future__ import annotations

import pandas as pd

from services.i18n import fmt_number

__all__ = [
    "ANALYTES",
    "UNITS",
    "analyte_label",
    "analyte_labels",
    "analyte_order",
    "display_unit",
    "shown_value",
]

# LOINC code -> (German short label, English short label), in the order a lab sheet reads.
ANALYTES: dict[str, tuple[str, str]] = {
    # Vital signs
    "85354-9": ("Blutdruck", "Blood pressure"),
    "8480-6": ("Blutdruck systolisch", "Systolic blood pressure"),
    "8462-4": ("Blutdruck diastolisch", "Diastolic blood pressure"),
    "8867-4": ("Herzfrequenz", "Heart rate"),
    "9279-1": ("Atemfrequenz", "Respiratory rate"),
    "59408-5": ("Sauerstoffsättigung (SpO₂)", "Oxygen saturation (SpO₂)"),
    "8310-5": ("Körpertemperatur", "Body temperature"),
    "2708-6": ("Sauerstoffsättigung arteriell (SaO₂)", "Arterial oxygen saturation (SaO₂)"),
    "3151-8": ("Sauerstoffgabe (Fluss)", "Oxygen flow rate"),
    "72514-3": ("Schmerz (NRS 0–10)", "Pain (NRS 0–10)"),
    "3150-0": ("Inspiratorische O₂-Konzentration", "Inhaled oxygen concentration"),
    "67775-7": ("Bewusstsein (ACVPU)", "Level of consciousness (ACVPU)"),
    # Blood count
    "718-7": ("Hämoglobin", "Haemoglobin"),
    "30350-3": ("Hämoglobin (venös)", "Haemoglobin (venous)"),
    "4544-3": ("Hämatokrit", "Haematocrit"),
    "789-8": ("Erythrozyten", "Red blood cells"),
    "787-2": ("MCV", "MCV"),
    "785-6": ("MCH", "MCH"),
    "786-4": ("MCHC", "MCHC"),
    "6690-2": ("Leukozyten", "White blood cells"),
    "26515-7": ("Thrombozyten", "Platelets"),
    "32207-3": ("Mittleres Thrombozytenvolumen (MPV)", "Mean platelet volume (MPV)"),
    "751-8": ("Neutrophile", "Neutrophils"),
    "19023-1": ("Neutrophile %", "Neutrophils %"),
    "731-0": ("Lymphozyten", "Lymphocytes"),
    "736-9": ("Lymphozyten %", "Lymphocytes %"),
    "742-7": ("Monozyten", "Monocytes"),
    "5905-5": ("Monozyten %", "Monocytes %"),
    "711-2": ("Eosinophile", "Eosinophils"),
    "713-8": ("Eosinophile %", "Eosinophils %"),
    "704-7": ("Basophile", "Basophils"),
    "706-2": ("Basophile %", "Basophils %"),
    "71695-1": ("Unreife Granulozyten %", "Immature granulocytes %"),
    # Clotting
    "5894-1": ("Quick", "Prothrombin time (Quick)"),
    "6301-6": ("INR", "INR"),
    "14979-9": ("aPTT", "aPTT"),
    # Inflammation
    "1988-5": ("CRP", "CRP"),
    # Electrolytes
    "2951-2": ("Natrium", "Sodium"),
    "2823-3": ("Kalium", "Potassium"),
    "2075-0": ("Chlorid", "Chloride"),
    "2000-8": ("Calcium", "Calcium"),
    "2601-3": ("Magnesium", "Magnesium"),
    "14879-1": ("Phosphat", "Phosphate"),
    # Kidney
    "2160-0": ("Kreatinin", "Creatinine"),
    "62238-1": ("eGFR (CKD-EPI)", "eGFR (CKD-EPI)"),
    "3092-4": ("Harnstoff", "Urea"),
    "3084-1": ("Harnsäure", "Uric acid"),
    # Liver, pancreas, muscle
    "30239-8": ("GOT (AST)", "AST"),
    "1743-4": ("GPT (ALT)", "ALT"),
    "2324-2": ("Gamma-GT", "GGT"),
    "6768-6": ("Alkalische Phosphatase", "Alkaline phosphatase"),
    "14805-6": ("LDH", "LDH"),
    "2157-6": ("CK", "CK"),
    "3040-3": ("Lipase", "Lipase"),
    "61151-7": ("Albumin", "Albumin"),
    # Metabolism
    "2345-7": ("Glukose", "Glucose"),
    "2340-8": ("Glukose (Teststreifen)", "Glucose (test strip)"),
    "17856-6": ("HbA1c", "HbA1c"),
    "2093-3": ("Cholesterin", "Cholesterol"),
    "18262-6": ("LDL-Cholesterin", "LDL cholesterol"),
    "2085-9": ("HDL-Cholesterin", "HDL cholesterol"),
    "2571-8": ("Triglyzeride", "Triglycerides"),
    "2276-4": ("Ferritin", "Ferritin"),
    # Person
    "67162-8": ("Vitalstatus", "Vital status"),
}
_ORDER = {code: n for n, code in enumerate(ANALYTES)}

# UCUM code -> how a ward writes it. German labs write litres lower case ("mg/dl", "mmol/l").
UNITS: dict[str, str] = {
    "Cel": "°C",
    "[degF]": "°F",
    "mm[Hg]": "mmHg",
    "/min": "/min",
    "1/min": "/min",
    "{beats}/min": "/min",
    "{breaths}/min": "/min",
    "%": "%",
    "L/min": "l/min",
    "10*3/uL": "/nl",
    "10*9/L": "/nl",
    "/nL": "/nl",
    "10*3/mm3": "/nl",
    "10*6/uL": "/pl",
    "10*12/L": "/pl",
    "g/dL": "g/dl",
    "g/L": "g/l",
    "mg/dL": "mg/dl",
    "mg/L": "mg/l",
    "ng/mL": "ng/ml",
    "ug/L": "µg/l",
    "mmol/L": "mmol/l",
    "umol/L": "µmol/l",
    "µmol/L": "µmol/l",
    "U/L": "U/l",
    "[IU]/L": "IE/l",
    "meq/L": "mval/l",
    "mEq/L": "mval/l",
    "fL": "fl",
    "pg": "pg",
    "s": "s",
    "{INR}": "",
    "{ratio}": "",
    "{score}": "",
    "1": "",
    "mL/min/{1.73_m2}": "ml/min/1,73 m²",
    "mL/min/1.73m2": "ml/min/1,73 m²",
    "kg": "kg",
    "cm": "cm",
    "kPa": "kPa",
}


def analyte_label(code: object, display: object, lang: str) -> str | None:
    """The short name of ``code`` in ``lang``; else the source's display; else the code; None
    when there is neither."""
    names = ANALYTES.get(code) if isinstance(code, str) else None
    if names is not None:
        return names[0] if lang == "de" else names[1]
    if isinstance(display, str) and display:
        return display
    return code if isinstance(code, str) and code else None


def analyte_labels(codes: pd.Series, displays: pd.Series, lang: str) -> pd.Series:
    """``analyte_label`` row by row (aligned series)."""
    return pd.Series(
        [analyte_label(c, d, lang) for c, d in zip(codes, displays, strict=True)],
        index=codes.index,
        dtype="object",
    )


def analyte_order(code: object) -> int:
    """Where ``code`` stands on a lab sheet: listed codes in table order, the rest after."""
    return _ORDER.get(code, len(_ORDER)) if isinstance(code, str) else len(_ORDER)


def display_unit(ucum: object) -> str | None:
    """The unit as written on a ward (``Cel`` -> ``°C``, ``10*3/uL`` -> ``/nl``); a unit not
    listed is shown as sent; None when there is no unit. Dimensionless units (``{INR}``) are
    the empty string: the value stands alone."""
    if not isinstance(ucum, str) or not ucum:
        return None
    return UNITS.get(ucum, ucum)


def shown_value(value: float, lang: str) -> str:
    """A measured value with the decimals it carries (at most three), in ``lang``'s notation:
    ``5,6`` in German, ``5.6`` in English."""
    number = float(value)
    # Rounded to the decimals, not scaled: 0.55 * 100 is 55.00000000000001 in binary.
    for decimals in range(3):
        if round(number, decimals) == number:
            return fmt_number(number, lang, decimals)
    return fmt_number(number, lang, 3)
