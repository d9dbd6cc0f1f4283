"""People as the screens show them: names, identifiers where there is no name, and ages.

Research exports are pseudonymised and many hospital records carry no KVNR: a person without a
name is shown by the best identifier the record has, labelled so that a number is never mistaken
for a name, and never as a bare dash.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from services.i18n import t

__all__ = ["age_years", "best_identifiers", "display_names", "identifier_texts"]

# Best first: the hospital's own number is what staff look up; a pseudonym only links back to
# the research export; the record id is what any record has.
_IDENTIFIER_ORDER = (("mrn", "person.mrn"), ("pseudonym", "person.pseudonym"), ("id", "person.id"))
# Columns that only a patient table has: a practitioner without a name is not labelled by its id.
_PATIENT_MARKERS = ("mrn", "pseudonym")


def _present(column: pd.Series) -> pd.Series:
    return column.notna() & column.astype("string").str.strip().ne("")


def best_identifiers(frame: pd.DataFrame, lang: str = "de") -> pd.Series:
    """Per row the best identifier, labelled ("Patientennr. 0001310848", "Pseudonym 54211");
    null where the row has none of them."""
    result = pd.Series(pd.NA, index=frame.index, dtype="object")
    for column, key in reversed(_IDENTIFIER_ORDER):
        if column in frame.columns:
            values = frame[column]
            labelled = t(key, lang) + " " + values.astype("string").str.strip()
            result = labelled.astype("object").where(_present(values), result)
    return result


def identifier_texts(frame: pd.DataFrame, lang: str = "de") -> pd.Series:
    """The KVNR ("KVNR …") where the row has one, else its best identifier; words for none."""
    best = best_identifiers(frame, lang).fillna(t("person.no_identifier", lang))
    if "kvnr" not in frame.columns:
        return best
    kvnr = frame["kvnr"]
    labelled = ("KVNR " + kvnr.astype("string").str.strip()).astype("object")
    return labelled.where(_present(kvnr), best)


def display_names(frame: pd.DataFrame, lang: str = "de") -> pd.Series:
    """'Family, Given' per row; whichever part exists when one is missing.

    A patient without any name part shows its best identifier instead (patient tables are known
    by their ``mrn``/``pseudonym`` columns); other rows without a name show "–".
    """
    family = frame["family"].fillna("").astype(str).str.strip()
    given = frame["given"].fillna("").astype(str).str.strip()
    both = family.ne("") & given.ne("")
    named = family.ne("") | given.ne("")
    names = (family + given.where(~both, ", " + given)).where(named, "–")
    if any(column in frame.columns for column in _PATIENT_MARKERS):
        fallback = best_identifiers(frame, lang).fillna(t("person.no_identifier", lang))
        names = names.where(named, fallback)
    return names


def age_years(birth_dates: pd.Series, today: date) -> pd.Series:
    """Completed years of life on ``today``; null where the birth date is missing."""

    def years(born: date | None) -> float:
        if born is None or pd.isna(born):
            return float("nan")
        had_birthday = (today.month, today.day) >= (born.month, born.day)
        return today.year - born.year - (0 if had_birthday else 1)

    return birth_dates.map(years).astype("Float64")
