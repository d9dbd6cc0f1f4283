"""What a physician typed into the patient search: checked, and turned into search values.

German names are written with and without umlauts (Müller, Mueller). FHIR string search on HAPI
ignores case and accents, so "muller" finds "Müller", but "Mueller" does not: every spelling
variant of each name word is searched as one OR list. The same normalisation decides afterwards
which patients match, so a server that matches more loosely changes nothing on screen.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

__all__ = [
    "Criteria",
    "SearchInputError",
    "fold",
    "matches",
    "name_variants",
    "parse_birth_date",
    "parse_criteria",
]

_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_BACK = {"ae": "ä", "oe": "ö", "ue": "ü", "ss": "ß"}
# Enough for any real name; bounds the OR list when a word holds many ae/oe/ue/ss pairs.
MAX_VARIANTS = 16
MAX_WORDS = 4
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['’.\-][^\W\d_]*)*$")
_KVNR = re.compile(r"^[A-Z][0-9]{9}$")
_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{1,39}$")


class SearchInputError(ValueError):
    """Input the search cannot use; ``message_key`` names the catalogue text that explains why."""

    def __init__(self, message_key: str) -> None:
        super().__init__(message_key)
        self.message_key = message_key


@dataclass(frozen=True)
class Criteria:
    """A checked search: every part given must match (AND); name words each match any part."""

    words: tuple[str, ...] = ()
    birth_date: date | None = None
    kvnr: str | None = None
    number: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.words or self.birth_date or self.kvnr or self.number)


def fold(text: str) -> str:
    """Lower case, umlauts as two letters, other accents dropped: 'Müller' -> 'mueller'."""
    lowered = text.lower()
    spelled = "".join(_UMLAUTS.get(ch, ch) for ch in lowered)
    decomposed = unicodedata.normalize("NFKD", spelled)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_variants(word: str) -> list[str]:
    """Every spelling of ``word`` with ä/ae, ö/oe, ü/ue, ß/ss swapped, lower case, sorted."""
    base = "".join(_UMLAUTS.get(ch, ch) for ch in word.strip().lower())
    variants = {""}
    i = 0
    while i < len(base):
        pair = base[i : i + 2]
        if pair in _BACK:
            variants = {v + pair for v in variants} | {v + _BACK[pair] for v in variants}
            i += 2
        else:
            variants = {v + base[i] for v in variants}
            i += 1
        if len(variants) > MAX_VARIANTS:
            # Keep the plain spelling and the most umlauted ones rather than fail the search.
            variants = set(sorted(variants, key=lambda v: (-_umlaut_count(v), v))[:MAX_VARIANTS])
    return sorted(variants)


def _umlaut_count(text: str) -> int:
    return sum(ch in _UMLAUTS for ch in text)


def parse_birth_date(text: str, today: date) -> date | None:
    """A birth date as 31.12.1950, 31.12.50 is refused (ambiguous), or 1950-12-31."""
    text = text.strip()
    if not text:
        return None
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            born = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if born > today or born.year < 1880:
            raise SearchInputError("search.error.birth_date_range")
        return born
    raise SearchInputError("search.error.birth_date")


def parse_criteria(name: str, birth_date: str, identifier: str, today: date) -> Criteria:
    """Check the three search fields; raises ``SearchInputError`` for input that cannot work."""
    words = tuple(w for w in re.split(r"[\s,;]+", name.strip()) if w)
    if len(words) > MAX_WORDS:
        raise SearchInputError("search.error.name_words")
    for word in words:
        if not _NAME_WORD.match(word):
            raise SearchInputError("search.error.name_chars")
        if len(word) < 2:
            raise SearchInputError("search.error.name_short")
    ident = re.sub(r"\s+", "", identifier)
    kvnr = number = None
    if ident:
        if _KVNR.match(ident.upper()):
            kvnr = ident.upper()
        elif _NUMBER.match(ident):
            number = ident
        else:
            raise SearchInputError("search.error.identifier")
    criteria = Criteria(words, parse_birth_date(birth_date, today), kvnr, number)
    if criteria.empty:
        raise SearchInputError("search.error.empty")
    return criteria


def matches(patients: pd.DataFrame, criteria: Criteria) -> pd.Series:
    """Which rows of a patient table fit the name words and birth date (identifiers: server)."""
    keep = pd.Series(True, index=patients.index)
    if criteria.words:
        names = (patients["family"].fillna("") + " " + patients["given"].fillna("")).map(fold)
        # "Müller-Lüdenscheidt" is found by the whole name and by each of its halves.
        parts = names.map(lambda text: {*text.split(), *re.split(r"[\s\-]+", text)})
        for word in criteria.words:
            wanted = fold(word)
            keep &= parts.map(lambda ps, w=wanted: any(p.startswith(w) for p in ps))
    if criteria.birth_date is not None:
        keep &= patients["birth_date"] == criteria.birth_date
    return keep
