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

from services.domain.access import Access, access_to
from services.domain.people import display_names
from services.roles import Role, User

__all__ = [
    "MAX_IDENTIFIER",
    "Criteria",
    "SearchInputError",
    "escape_value",
    "fold",
    "matches",
    "may_search",
    "name_variants",
    "parse_birth_date",
    "parse_criteria",
    "parse_identifier",
    "result_rows",
]

_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_BACK = {"ae": "ä", "oe": "ö", "ue": "ü", "ss": "ß"}
# Enough for any real name; bounds the OR list when a word holds many ae/oe/ue/ss pairs.
MAX_VARIANTS = 16
MAX_WORDS = 4
# Longer than any real name part; with the variants it bounds the search URL.
MAX_WORD = 40
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['’.\-][^\W\d_]*)*$")
_KVNR = re.compile(r"^[A-Z][0-9]{9}$")
# A case number as the hospitals write them: worth asking the Encounters too.
_CASE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{1,39}$")
# FHIR ids: a value of this shape may also be the Patient's own id.
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
# Longer than any identifier a hospital issues; bounds the search URL.
MAX_IDENTIFIER = 64
# Characters that carry meaning inside a FHIR search value (token, string, reference).
_FHIR_SPECIAL = ("\\", ",", "|", "$")


class SearchInputError(ValueError):
    """Input the search cannot use; ``message_key`` names the catalogue text that explains why."""

    def __init__(self, message_key: str) -> None:
        super().__init__(message_key)
        self.message_key = message_key


@dataclass(frozen=True)
class Criteria:
    """A checked search: every part given must match (AND); name words each match any part.

    ``identifier`` is any identifier value as typed (no system): a KVNR, a local patient or case
    number, a pseudonym, a Patient id. Its shape only adds ways to search, it never refuses.
    """

    words: tuple[str, ...] = ()
    birth_date: date | None = None
    identifier: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.words or self.birth_date or self.identifier)

    @property
    def kvnr(self) -> str | None:
        """The identifier as a KVNR (upper case) when it has a KVNR's shape."""
        if self.identifier and _KVNR.match(self.identifier.upper()):
            return self.identifier.upper()
        return None

    @property
    def patient_id(self) -> str | None:
        """The identifier when it could be a Patient id."""
        return self.identifier if self.identifier and _FHIR_ID.match(self.identifier) else None

    @property
    def case_number(self) -> str | None:
        """The identifier when it could be an Encounter's case number."""
        return self.identifier if self.identifier and _CASE_NUMBER.match(self.identifier) else None

    def describe(self) -> str:
        """What was asked, for the audit trail: the criteria, never what was found."""
        parts = []
        if self.words:
            parts.append(f"name={' '.join(self.words)}")
        if self.birth_date is not None:
            parts.append(f"birthdate={self.birth_date.isoformat()}")
        if self.identifier:
            parts.append(f"identifier={self.identifier}")
        return "&".join(parts)


def escape_value(value: str) -> str:
    """``value`` escaped for a FHIR search parameter: a comma would OR, a pipe split a system,
    a dollar split a composite; the backslash that escapes them is escaped first."""
    for char in _FHIR_SPECIAL:
        value = value.replace(char, "\\" + char)
    return value


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


def parse_identifier(text: str) -> str | None:
    """Any identifier value: spaces removed (numbers are often typed in groups), bounded in
    length, printable; None when nothing was typed."""
    value = re.sub(r"\s+", "", text)
    if not value:
        return None
    if len(value) > MAX_IDENTIFIER:
        raise SearchInputError("search.error.identifier_long")
    if not value.isprintable():
        raise SearchInputError("search.error.identifier")
    return value


def parse_criteria(name: str, birth_date: str, identifier: str, today: date) -> Criteria:
    """Check the three search fields; raises ``SearchInputError`` for input that cannot work.

    A search must be specific enough to find a person, not to browse a directory: an identifier,
    or a name together with a first name or the birth date.
    """
    if len(name) > MAX_WORDS * (MAX_WORD + 1) * 2:
        raise SearchInputError("search.error.name_long")
    words = tuple(w for w in re.split(r"[\s,;]+", name.strip()) if w)
    if len(words) > MAX_WORDS:
        raise SearchInputError("search.error.name_words")
    for word in words:
        if len(word) > MAX_WORD:
            raise SearchInputError("search.error.name_long")
        if not _NAME_WORD.match(word):
            raise SearchInputError("search.error.name_chars")
        if len(word) < 2:
            raise SearchInputError("search.error.name_short")
    criteria = Criteria(words, parse_birth_date(birth_date, today), parse_identifier(identifier))
    if criteria.empty:
        raise SearchInputError("search.error.empty")
    if not criteria.identifier and not (
        len(words) >= 2 or (words and criteria.birth_date is not None)
    ):
        raise SearchInputError("search.error.unspecific")
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


def may_search(user: User) -> bool:
    """Only physicians search the network; a nurse reaches her wards' patients from her lists."""
    return user.role == Role.PHYSICIAN


def result_rows(persons: pd.DataFrame, user: User, lang: str = "de") -> pd.DataFrame:
    """The persons found as the result table shows them, in the same order: ``name`` (or the
    best identifier), ``birth_date``, ``kvnr``, ``hospitals``, ``access`` and ``disclosed``.

    A person the user may not open directly is not disclosed: KVNR and birth date are removed
    here, before anything is drawn, and come back only on the timeline after break-glass.
    """
    access = [access_to(user, hospitals) for hospitals in persons["hospitals"]]
    disclosed = pd.Series([a == Access.DIRECT for a in access], index=persons.index, dtype=bool)
    return pd.DataFrame(
        {
            "name": display_names(persons, lang),
            "birth_date": persons["birth_date"].astype("object").where(disclosed, None),
            "kvnr": persons["kvnr"].astype("object").where(disclosed, None),
            "hospitals": persons["hospitals"],
            "access": pd.Series(access, index=persons.index, dtype="object"),
            "disclosed": disclosed,
        }
    ).reset_index(drop=True)
