"""Vital signs and lab values over time, per LOINC code, in one unit per code.

Hospitals report the same test in different units (creatinine in mg/dL or µmol/L, haemoglobin in
g/dL, g/L or mmol/L, temperature in °C or °F). Each code is drawn in its canonical unit below;
values and reference limits are converted with the same factor. A unit that cannot be converted
keeps its own series (code and unit), so nothing is silently mixed.
"""

from __future__ import annotations

import pandas as pd

from services.domain.timeline import ABNORMAL_FLAGS, hospital_of

__all__ = ["CANONICAL", "new_results", "normalise_units", "trend_points"]

# LOINC code -> (canonical UCUM unit, {other UCUM unit: (factor, offset)}): canonical =
# value * factor + offset.
CANONICAL: dict[str, tuple[str, dict[str, tuple[float, float]]]] = {
    "718-7": ("g/dL", {"g/L": (0.1, 0.0), "mmol/L": (1.611, 0.0)}),
    "6690-2": ("10*3/uL", {"10*9/L": (1.0, 0.0), "/nL": (1.0, 0.0), "10*3/mm3": (1.0, 0.0)}),
    "1988-5": ("mg/L", {"mg/dL": (10.0, 0.0)}),
    "2160-0": ("mg/dL", {"umol/L": (1 / 88.42, 0.0), "µmol/L": (1 / 88.42, 0.0)}),
    "2823-3": ("mmol/L", {"meq/L": (1.0, 0.0), "mEq/L": (1.0, 0.0)}),
    "2951-2": ("mmol/L", {"meq/L": (1.0, 0.0), "mEq/L": (1.0, 0.0)}),
    "2345-7": ("mg/dL", {"mmol/L": (18.016, 0.0)}),
    "8310-5": ("Cel", {"[degF]": (5 / 9, -32 * 5 / 9), "°C": (1.0, 0.0)}),
    "8867-4": ("/min", {"{beats}/min": (1.0, 0.0), "1/min": (1.0, 0.0)}),
    "9279-1": ("/min", {"{breaths}/min": (1.0, 0.0), "1/min": (1.0, 0.0)}),
    "59408-5": ("%", {}),
    "8480-6": ("mm[Hg]", {"kPa": (7.50062, 0.0)}),
    "8462-4": ("mm[Hg]", {"kPa": (7.50062, 0.0)}),
}

_POINT_COLUMNS = [
    "code",
    "display",
    "category",
    "effective",
    "value",
    "unit",
    "ref_low",
    "ref_high",
    "abnormal",
    "hospital_id",
    "source",
    "id",
]


def normalise_units(observations: pd.DataFrame) -> pd.DataFrame:
    """Values and reference limits in the canonical unit of their code, where one is known."""
    out = observations.copy()
    factor = pd.Series(1.0, index=out.index)
    offset = pd.Series(0.0, index=out.index)
    unit = out["unit"].astype("object")
    for code, (canonical, conversions) in CANONICAL.items():
        of_code = out["code"] == code
        for other, (mul, add) in conversions.items():
            hit = of_code & (out["unit"] == other)
            factor[hit], offset[hit] = mul, add
            unit[hit] = canonical
    for column in ("value", "ref_low", "ref_high"):
        out[column] = (out[column].astype("Float64") * factor + offset).astype("Float64")
    # A value without unit gets the empty unit: a series key that compares equal to itself.
    out["unit"] = unit.fillna("").astype("str")
    return out


def trend_points(observations: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """Numeric observations as points: canonical unit, hospital, and an ``abnormal`` flag.

    Abnormal is the sender's interpretation when there is one, else outside the reference range.
    """
    numeric = observations[observations["value"].notna() & observations["code"].notna()]
    if numeric.empty:
        return pd.DataFrame(columns=_POINT_COLUMNS)
    points = normalise_units(numeric)
    points["hospital_id"] = hospital_of(points, patients)
    flagged = points["interpretation"].isin(ABNORMAL_FLAGS)
    outside = (points["ref_low"].notna() & (points["value"] < points["ref_low"])) | (
        points["ref_high"].notna() & (points["value"] > points["ref_high"])
    )
    points["abnormal"] = flagged.where(points["interpretation"].notna(), outside.fillna(False))
    points["abnormal"] = points["abnormal"].astype(bool)
    return (
        points.reindex(columns=_POINT_COLUMNS)
        .sort_values(["code", "unit", "effective"], kind="stable")
        .reset_index(drop=True)
    )


def new_results(observations: pd.DataFrame, since: pd.Timestamp) -> pd.DataFrame:
    """Per ``(source, patient_id)``: results since ``since``, how many abnormal, the latest time.

    A blood pressure panel counts once (its components share one Observation id).
    """
    recent = observations[observations["effective"] >= since]
    if recent.empty:
        return pd.DataFrame(columns=["source", "patient_id", "new", "new_abnormal", "latest"])
    per_resource = (
        recent.assign(flag=recent["interpretation"].isin(ABNORMAL_FLAGS))
        .groupby(["source", "patient_id", "id"], as_index=False)
        .agg(flag=("flag", "any"), effective=("effective", "max"))
    )
    return (
        per_resource.groupby(["source", "patient_id"], as_index=False)
        .agg(new=("id", "size"), new_abnormal=("flag", "sum"), latest=("effective", "max"))
        .astype({"new": "int64", "new_abnormal": "int64"})
    )
