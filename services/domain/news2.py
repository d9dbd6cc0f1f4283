"""NEWS2, the National Early Warning Score 2 (Royal College of Physicians, 2017), from vital signs.

The score is the sum of seven parameters, each scored 0-3 by the RCP chart: respiration rate,
SpO2 (scale 1, or scale 2 for a patient whose clinician set a target of 88-92 %), air or oxygen,
systolic blood pressure, pulse, consciousness (ACVPU, new confusion included) and temperature.

A score belongs to one set of observations: the observations of a stay taken within
``SET_WINDOW`` of the set's first one. Values are never carried over from an older set, and a
parameter the set lacks is never counted as 0: such a set is incomplete, names what it lacks and
gives only the points it has as a lower bound.

Clinical risk (RCP, chart 2): 0 low, 1-4 low, 3 in any single parameter low-medium, 5-6 medium,
7 or more high. Observations are due again by that band (chart 3): every 12 h at 0, every 4-6 h
at 1-4 (the outer limit counts), hourly from a single 3 on, continuously at 7 or more (hourly
here, the longest a chart may stay without an entry). NEWS2 is not validated under 16 years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from services.codes import ACVPU, NEWS2, NEWS2_LOINC, SPO2_SCALE_2
from services.i18n import fmt_number, t

__all__ = [
    "ADULT_AGE",
    "BANDS",
    "BAND_SIGN",
    "DUE_EVERY",
    "LATEST_COLUMNS",
    "LOOKBACK",
    "PARAMETERS",
    "SET_WINDOW",
    "band_of",
    "consciousness_points",
    "elapsed_text",
    "latest_scores",
    "missing_text",
    "oxygen_points",
    "points",
    "scale_2_patients",
    "score_sets",
    "score_text",
    "vital_flag",
    "ward_scores",
]

ADULT_AGE = 16
SET_WINDOW = timedelta(minutes=30)
# How far back sets are looked for: the trend compares with the previous complete set in here.
LOOKBACK = timedelta(days=3)
# The seven parameters in the order of the RCP chart.
PARAMETERS = (
    "respiration",
    "spo2",
    "oxygen",
    "systolic",
    "pulse",
    "consciousness",
    "temperature",
)
BANDS = ("zero", "low", "low_medium", "medium", "high")
DUE_EVERY: dict[str, timedelta] = {
    "zero": timedelta(hours=12),
    "low": timedelta(hours=6),
    "low_medium": timedelta(hours=1),
    "medium": timedelta(hours=1),
    "high": timedelta(hours=1),
}
# A stay without any set is overdue once this long has passed since admission.
FIRST_SET_DUE = timedelta(hours=1)

# (upper bound inclusive, points), read top down; the last row holds for everything above.
_BANDS: dict[str, tuple[tuple[float, int], ...]] = {
    "respiration": ((8, 3), (11, 1), (20, 0), (24, 2), (np.inf, 3)),
    "spo2_1": ((91, 3), (93, 2), (95, 1), (np.inf, 0)),
    "systolic": ((90, 3), (100, 2), (110, 1), (219, 0), (np.inf, 3)),
    "pulse": ((40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (np.inf, 3)),
    "temperature": ((35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1), (np.inf, 2)),
}
# Scale 2 up to 92 %; above it 0 on air and 1/2/3 on oxygen (93-94, 95-96, 97 and more).
_SCALE_2_LOW = ((83, 3), (85, 2), (87, 1), (92, 0))
_SCALE_2_ON_OXYGEN = ((94, 1), (96, 2), (np.inf, 3))
# Values measured on a continuous scale fall between the chart's whole numbers (20.5 /min,
# 110.4 mmHg): each row's bound reaches up to the next row's first value.
_STEP = {"temperature": 0.1}

# The chart's 0 band per parameter: a value scoring 2 or more lies above it ('H') or below ('L').
_ZERO_BAND = {
    "respiration": (12, 20),
    "spo2_1": (96, 100),
    "spo2_2": (88, 92),
    "systolic": (111, 219),
    "pulse": (51, 90),
    "temperature": (36.1, 38.0),
}

_OBS_COLUMNS = ("encounter_id", "effective", "code", "value", "unit", "value_code", "status")
_NOT_A_RESULT = ("entered-in-error", "cancelled")

_SET_COLUMNS = [
    "status",
    "taken",
    "score",
    "partial",
    "band",
    "red",
    "missing",
    "scale",
    *[f"{p}_value" for p in PARAMETERS],
    *[f"{p}_points" for p in PARAMETERS],
]
LATEST_COLUMNS = [
    "encounter_id",
    *_SET_COLUMNS,
    "previous",
    "previous_taken",
    "trend",
    "elapsed",
    "due_every",
    "overdue",
]


def _table(rows: tuple[tuple[float, int], ...], value: float, step: float) -> int | None:
    for bound, score in rows:
        if value < bound + step:
            return score
    return None


def points(
    parameter: str, value: float | None, *, scale: int = 1, on_oxygen: bool | None = None
) -> int | None:
    """The RCP chart's points for one measured value; None when it cannot be scored.

    ``parameter``: respiration, spo2, systolic, pulse or temperature. SpO2 on scale 2 above 92 %
    needs ``on_oxygen`` (None: unknown, so no points).
    """
    if value is None or pd.isna(value):
        return None
    value = float(value)
    step = _STEP.get(parameter, 1.0)
    if parameter != "spo2":
        return _table(_BANDS[parameter], value, step)
    if scale == 1:
        return _table(_BANDS["spo2_1"], value, step)
    low = _table(_SCALE_2_LOW, value, step)
    if low is not None:
        return low
    if on_oxygen is None:
        return None
    return _table(_SCALE_2_ON_OXYGEN, value, step) if on_oxygen else 0


def oxygen_points(on_oxygen: bool | None) -> int | None:
    """2 on supplemental oxygen, 0 on air, None when the set does not say."""
    if on_oxygen is None:
        return None
    return 2 if on_oxygen else 0


def consciousness_points(acvpu: str | None) -> int | None:
    """0 when alert; 3 for new confusion, voice, pain or unresponsive; None when not recorded."""
    if acvpu is None:
        return None
    return 0 if acvpu == "A" else 3


def band_of(score: int, red: bool) -> str:
    """The clinical risk band of an aggregate score; ``red``: 3 in any single parameter."""
    if score >= 7:
        return "high"
    if score >= 5:
        return "medium"
    if red:
        return "low_medium"
    return "low" if score >= 1 else "zero"


def vital_flag(
    code: str, value: float | None, *, scale: int = 1, on_oxygen: bool | None = None
) -> str | None:
    """'H' or 'L' for a vital sign whose value scores 2 or more NEWS2 points on its own, else
    None (also for codes that are no scored parameter)."""
    parameter = next((p for p, codes in NEWS2_LOINC.items() if code in codes), None)
    if parameter not in ("respiration", "spo2", "systolic", "pulse", "temperature"):
        return None
    scored = points(parameter, value, scale=scale, on_oxygen=on_oxygen)
    if scored is None or scored < 2:
        return None
    key = f"spo2_{scale}" if parameter == "spo2" else parameter
    return "H" if float(value) > _ZERO_BAND[key][1] else "L"


def scale_2_patients(flags: pd.DataFrame | None, now: pd.Timestamp) -> set[tuple[str, str]]:
    """(``source``, ``patient_id``) of patients whose SpO2 is scored on scale 2 at ``now``: an
    active Flag coded ``SPO2_SCALE_2`` whose period has begun and not ended."""
    if flags is None or flags.empty:
        return set()
    active = (
        flags["system"].eq(NEWS2)
        & flags["code"].eq(SPO2_SCALE_2)
        & flags["status"].eq("active")
        & (flags["start"].isna() | (flags["start"] <= now))
        & (flags["end"].isna() | (flags["end"] > now))
    ).fillna(False)
    rows = flags[active.astype(bool)].dropna(subset=["patient_id"])
    return set(zip(rows["source"], rows["patient_id"], strict=True))


def ward_scores(
    stays: pd.DataFrame,
    observations: pd.DataFrame,
    flags: pd.DataFrame | None,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """``latest_scores`` of a ward's stays (``source``, ``patient_id``, ``encounter_id``, and
    ``age`` and ``admitted`` when known), SpO2 on scale 2 for patients with an active scale 2
    Flag; sets from ``LOOKBACK`` before ``now`` on. The board and the handover both score
    through here, so they show the same score whatever else each page read."""
    if not observations.empty:
        observations = observations[observations["effective"] >= now - LOOKBACK]
    scale_2 = scale_2_patients(flags, now)
    on_scale_2 = {
        encounter
        for encounter, source, patient in zip(
            stays["encounter_id"], stays["source"], stays["patient_id"], strict=True
        )
        if (source, patient) in scale_2
    }
    return latest_scores(observations, stays, now, on_scale_2)


def _parameter_rows(observations: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """The observations that carry a NEWS2 parameter, named by parameter, one value each."""
    by_code = {code: name for name, codes in NEWS2_LOINC.items() for code in codes}
    obs = observations.reindex(columns=list(_OBS_COLUMNS))
    obs = obs[
        obs["code"].isin(list(by_code))
        & obs["encounter_id"].notna()
        & obs["effective"].notna()
        & (obs["effective"] <= now)
        & ~obs["status"].isin(_NOT_A_RESULT)
    ]
    obs = obs.assign(parameter=obs["code"].map(by_code))
    number = pd.to_numeric(obs["value"], errors="coerce")
    fahrenheit = obs["parameter"].eq("temperature") & obs["unit"].isin(["[degF]", "degF", "°F"])
    number = number.where(~fahrenheit, (number - 32) * 5 / 9)
    obs = obs.assign(number=number, acvpu=obs["value_code"].map(ACVPU))
    consciousness = obs["parameter"].eq("consciousness")
    usable = np.where(consciousness, obs["acvpu"].notna(), obs["number"].notna())
    return obs[usable.astype(bool)].sort_values(["encounter_id", "effective"], kind="stable")


def _set_numbers(obs: pd.DataFrame) -> pd.Series:
    """Per observation the number of its set within its stay (0 the oldest)."""
    numbers = pd.Series(0, index=obs.index, dtype="int64")
    for _, group in obs.groupby("encounter_id", sort=False):
        current, first = -1, None
        for index, when in group["effective"].items():
            if first is None or when - first > SET_WINDOW:
                current, first = current + 1, when
            numbers.at[index] = current
    return numbers


def _score_one(values: dict[str, object], scale: int) -> dict[str, object]:
    """Points, total and completeness of one set's values (parameter -> latest value)."""
    flow, fraction = values.get("oxygen_flow"), values.get("oxygen_fraction")
    on_oxygen: bool | None = None
    if flow is not None or fraction is not None:
        by_flow = flow is not None and float(flow) > 0
        on_oxygen = bool(by_flow or (fraction is not None and float(fraction) > 21))
    row: dict[str, object] = {
        "respiration_value": values.get("respiration"),
        "spo2_value": values.get("spo2"),
        "oxygen_value": on_oxygen,
        "systolic_value": values.get("systolic"),
        "pulse_value": values.get("pulse"),
        "consciousness_value": values.get("consciousness"),
        "temperature_value": values.get("temperature"),
    }
    scored = {
        "respiration": points("respiration", values.get("respiration")),
        "spo2": points("spo2", values.get("spo2"), scale=scale, on_oxygen=on_oxygen),
        "oxygen": oxygen_points(on_oxygen),
        "systolic": points("systolic", values.get("systolic")),
        "pulse": points("pulse", values.get("pulse")),
        "consciousness": consciousness_points(values.get("consciousness")),
        "temperature": points("temperature", values.get("temperature")),
    }
    missing = tuple(p for p in PARAMETERS if scored[p] is None)
    known = [s for s in scored.values() if s is not None]
    partial = sum(known)
    red = any(s == 3 for s in known)
    complete = not missing
    row.update({f"{p}_points": scored[p] for p in PARAMETERS})
    row.update(
        {
            "status": "complete" if complete else "incomplete",
            "score": partial if complete else None,
            "partial": partial,
            "red": red,
            "missing": missing,
            "scale": scale,
            # An incomplete set is at least as urgent as the points it has.
            "band": band_of(partial, red),
        }
    )
    return row


def score_sets(
    observations: pd.DataFrame,
    now: pd.Timestamp,
    scale_2: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Every set of every stay up to ``now``, scored: one row per (``encounter_id``, ``set``).

    ``observations``: rows of the observation frame (``encounter_id``, ``effective``, ``code``,
    ``value``, ``unit``, ``value_code``, ``status``); ``scale_2``: the stays (encounter ids)
    whose SpO2 is scored on scale 2. ``taken``: when the set's last value was taken; ``band``
    of an incomplete set: the band its known points reach (``score`` stays empty).
    """
    obs = _parameter_rows(observations, now)
    columns = ["encounter_id", "set", *_SET_COLUMNS]
    if obs.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    obs = obs.assign(set=_set_numbers(obs))
    rows = []
    for (encounter, number), group in obs.groupby(["encounter_id", "set"], sort=True):
        last = group.drop_duplicates("parameter", keep="last")
        values = {
            p: (a if p == "consciousness" else n)
            for p, n, a in zip(last["parameter"], last["number"], last["acvpu"], strict=True)
        }
        scale = 2 if encounter in scale_2 else 1
        rows.append(
            {
                "encounter_id": encounter,
                "set": number,
                "taken": group["effective"].max(),
                **_score_one(values, scale),
            }
        )
    out = pd.DataFrame(rows).reindex(columns=columns)
    out["score"] = out["score"].astype("Int64")
    out["partial"] = out["partial"].astype("Int64")
    return out


@dataclass(frozen=True)
class _Stay:
    encounter_id: str
    admitted: pd.Timestamp | None
    adult: bool | None


def latest_scores(
    observations: pd.DataFrame,
    stays: pd.DataFrame,
    now: pd.Timestamp,
    scale_2: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Per stay of ``stays`` (``encounter_id``; ``admitted`` and ``age`` when known) the score of
    its latest set (``LATEST_COLUMNS``), the trend against the previous complete set, the time
    since the latest set and whether the next one is overdue.

    ``status``: complete, incomplete, none (no set yet) or not_applicable (under 16: no score,
    the values are still shown). ``trend``: up, down or same, only when the latest set is
    complete and an earlier complete set exists.
    """
    sets = score_sets(observations, now, scale_2)
    by_stay = {key: group for key, group in sets.groupby("encounter_id", sort=False)}
    ages = stays["age"] if "age" in stays else pd.Series(None, index=stays.index)
    admitted = stays["admitted"] if "admitted" in stays else pd.Series(None, index=stays.index)
    rows = []
    for encounter, when, age in zip(stays["encounter_id"], admitted, ages, strict=True):
        adult = None if age is None or pd.isna(age) else float(age) >= ADULT_AGE
        rows.append(_latest(_Stay(encounter, when, adult), by_stay.get(encounter), now))
    out = pd.DataFrame(rows).reindex(columns=LATEST_COLUMNS)
    for column in ("score", "partial", "previous"):
        out[column] = out[column].astype("Int64")
    out["overdue"] = out["overdue"].astype("bool")
    return out


def _latest(stay: _Stay, sets: pd.DataFrame | None, now: pd.Timestamp) -> dict[str, object]:
    if sets is None or sets.empty:
        overdue = stay.admitted is not None and pd.notna(stay.admitted)
        overdue = bool(overdue and now - stay.admitted > FIRST_SET_DUE and stay.adult is not False)
        return {
            "encounter_id": stay.encounter_id,
            "status": "none",
            "missing": PARAMETERS,
            "red": False,
            "due_every": FIRST_SET_DUE,
            "overdue": overdue,
        }
    ordered = sets.sort_values("set")
    latest = ordered.iloc[-1].to_dict()
    row = {k: latest.get(k) for k in LATEST_COLUMNS if k in latest}
    row["elapsed"] = now - latest["taken"]
    if stay.adult is False:
        row.update(
            status="not_applicable", score=None, partial=None, band=None, red=False, overdue=False
        )
        return row
    earlier = ordered.iloc[:-1]
    earlier = earlier[earlier["status"] == "complete"]
    if not earlier.empty:
        previous = earlier.iloc[-1]
        row["previous"] = previous["score"]
        row["previous_taken"] = previous["taken"]
        if latest["status"] == "complete":
            change = int(latest["score"]) - int(previous["score"])
            row["trend"] = "up" if change > 0 else "down" if change < 0 else "same"
    row["due_every"] = DUE_EVERY[latest["band"]]
    row["overdue"] = bool(row["elapsed"] > row["due_every"])
    return row


_TREND = {"up": "↑", "down": "↓", "same": "→"}
# Words carry the band; the sign in front says it at a glance without relying on colour.
BAND_SIGN = {"zero": "○", "low": "●", "low_medium": "▲", "medium": "▲▲", "high": "▲▲▲"}


def missing_text(missing: object, lang: str) -> str:
    """The parameters a set lacks, in words ('' when none)."""
    if not isinstance(missing, tuple) or not missing:
        return ""
    return ", ".join(t(f"news2.param.{p}", lang) for p in missing)


def score_text(row: dict | pd.Series, lang: str) -> str:
    """One line for a stay's latest score: the score with its band and trend, or what is
    missing; the age of the set and, when due, that it is overdue."""
    status = row["status"]
    if status == "none":
        text = t("news2.no_set", lang)
    elif status == "not_applicable":
        text = t("news2.not_applicable", lang, age=ADULT_AGE)
    elif status == "incomplete":
        text = t(
            "news2.incomplete",
            lang,
            missing=missing_text(row["missing"], lang),
            partial=fmt_number(row["partial"], lang),
        )
    else:
        band = row["band"]
        text = (
            f"{fmt_number(row['score'], lang)} · {BAND_SIGN[band]} {t(f'news2.band.{band}', lang)}"
        )
        if isinstance(row.get("trend"), str):
            text += f" {_TREND[row['trend']]}"
    elapsed = row.get("elapsed")
    if isinstance(elapsed, pd.Timedelta) and pd.notna(elapsed):
        text += " · " + t("news2.ago", lang, time=elapsed_text(elapsed, lang))
    if row.get("overdue"):
        text += " · ⚠ " + t("news2.overdue", lang)
    return text


def elapsed_text(elapsed: pd.Timedelta, lang: str) -> str:
    """'2 h 05 min' or '35 min'."""
    minutes = max(0, int(elapsed.total_seconds() // 60))
    hours, rest = divmod(minutes, 60)
    if hours:
        return f"{fmt_number(hours, lang)} h {rest:02d} min"
    return f"{rest} min"
