"""People as the screens show them: names and ages."""

from __future__ import annotations

from datetime import date

import pandas as pd

__all__ = ["age_years", "display_names"]


def display_names(frame: pd.DataFrame) -> pd.Series:
    """'Family, Given' per row; whichever part exists when one is missing."""
    family = frame["family"].fillna("")
    given = frame["given"].fillna("")
    both = family.ne("") & given.ne("")
    return (family + given.where(~both, ", " + given)).where(family.ne("") | given.ne(""), "–")


def age_years(birth_dates: pd.Series, today: date) -> pd.Series:
    """Completed years of life on ``today``; null where the birth date is missing."""

    def years(born: date | None) -> float:
        if born is None or pd.isna(born):
            return float("nan")
        had_birthday = (today.month, today.day) >= (born.month, born.day)
        return today.year - born.year - (0 if had_birthday else 1)

    return birth_dates.map(years).astype("Float64")
