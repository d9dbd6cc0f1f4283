"""Finding a person across every source, and reading that person's record with few requests.

The hospitals are silos: the same person at two hospitals is two Patient resources, linked only by
the KVNR. A search therefore runs in two steps: the user's criteria find some Patient records
(by name, birth date, any identifier value: KVNR, local patient number, pseudonym; the Patient id;
or the case number of an Encounter), then one search by the KVNRs found brings every Patient
record of those persons from every source. A record without a KVNR is a person of its own.

A search is bounded: more than ``MAX_PERSONS`` persons, or a read the cap cut short, shows nobody
and asks to narrow the search, so the search cannot be used to browse a directory.

A record is read with one search per resource kind and source (``RECORD_KINDS``: thirteen, of
which AllergyIntolerance and Flag feed the safety header and DocumentReference the documents),
naming all of the person's Patient ids at that source as one OR list
(``patient=Patient/a,Patient/b``); the kinds run in parallel. The Encounter search brings the
ward, room and bed Locations and the attending Practitioners along (``_include``), the
DocumentReference search the authors, and each medication search the Medication resources its
entries name (``medicationReference``, as MII exports write them), so no request is ever made per
item. The content of a document kept in a Binary is fetched only when it is opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from services.audit import AuditRecord
from services.codes import KVNR
from services.domain.patient_search import Criteria, escape_value, matches, name_variants
from services.platform import FrameSet, Platform
from services.queries import refs
from services.roles import User
from services.search import query

__all__ = [
    "MAX_IDS_PER_SEARCH",
    "MAX_PERSONS",
    "RECORD_KINDS",
    "PatientRecord",
    "SearchResult",
    "chunks",
    "find_persons",
    "patient_searches",
    "person_key",
    "persons",
    "read_record",
    "record_key",
    "record_patients",
    "record_searches",
    "same_person_search",
    "search_audit",
]

RECORD_KINDS = (
    "Encounter",
    "Condition",
    "Procedure",
    "MedicationRequest",
    "MedicationAdministration",
    "MedicationStatement",
    "Observation",
    "DiagnosticReport",
    "ServiceRequest",
    "Consent",
    "AllergyIntolerance",
    "Flag",
    "DocumentReference",
)
# Kinds whose entries may name a Medication resource instead of coding the drug themselves.
_NAMES_MEDICATION = ("MedicationRequest", "MedicationAdministration", "MedicationStatement")
# Ids per OR list: keeps a search URL well below the 8 kB request line servers commonly accept.
MAX_IDS_PER_SEARCH = 100
# Tables of included resources: a ward shared by two stays arrives once per page naming it.
_SHARED = {"location", "practitioner", "medication"}
# A physician looks for one person; a longer list is a directory, not a search result.
MAX_PERSONS = 25
_PATIENT_COLUMNS = [
    "source",
    "id",
    "hospital_id",
    "kvnr",
    "mrn",
    "pseudonym",
    "family",
    "given",
    "birth_date",
]
_PERSON_COLUMNS = [
    "person",
    "id",
    "kvnr",
    "mrn",
    "pseudonym",
    "family",
    "given",
    "birth_date",
    "hospitals",
    "records",
]


class Reader(Protocol):
    """How a search is run: ``Platform.read`` or a page's wrapper around it."""

    def __call__(self, searchset: AbstractSearchSet, *, cap: int | None = None) -> FrameSet: ...


def chunks(ids: Iterable[str], size: int = MAX_IDS_PER_SEARCH) -> Iterator[list[str]]:
    """Sorted, distinct ids in runs of at most ``size`` (one OR list each)."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def patient_searches(criteria: Criteria) -> list[AbstractSearchSet]:
    """The searches that find Patient records matching ``criteria``.

    An identifier is asked as any Patient identifier (no system: MR numbers, pseudonyms and
    KVNRs alike), as the Patient id when it has an id's shape, and as an Encounter's case
    number (whose subject comes along) when it has a case number's shape.
    """
    search = query("Patient")
    for word in criteria.words:
        # One parameter per word: repeated parameters AND, the comma list inside ORs spellings.
        search = search.search(name=",".join(name_variants(word)))
    if criteria.birth_date is not None:
        search = search.search(birthdate=criteria.birth_date.isoformat())
    ident = criteria.identifier
    if not ident:
        return [search]
    values = [escape_value(ident)]
    if criteria.kvnr and criteria.kvnr != ident:
        # A KVNR typed in lower case: the KVNR system says which identifier is meant.
        values.append(f"{KVNR}|{criteria.kvnr}")
    searches = [search.search(identifier=",".join(values))]
    if criteria.patient_id:
        searches.append(search.search(_id=criteria.patient_id))
    if criteria.case_number:
        searches.append(
            query("Encounter")
            .search(identifier=escape_value(criteria.case_number))
            .include("Encounter", "subject")
        )
    return searches


def same_person_search(kvnrs: Iterable[str]) -> AbstractSearchSet:
    """Every Patient record, at every hospital, of the persons with these KVNRs."""
    return query("Patient").search(identifier=",".join(f"{KVNR}|{k}" for k in sorted(set(kvnrs))))


def record_key(source: str, patient_id: str) -> str:
    """The key of a person known only by one Patient record (no KVNR)."""
    return f"record:{source}/{patient_id}"


def person_key(patients: pd.DataFrame) -> pd.Series:
    """One key per person: the KVNR, or the record itself (source and Patient id) where no KVNR
    is known: a number without a system, a pseudonym or a name never merges two records."""
    own = "record:" + patients["source"].astype(str) + "/" + patients["id"].astype(str)
    kvnr = patients["kvnr"]
    known = kvnr.notna() & kvnr.astype("string").str.strip().ne("")
    return kvnr.where(known, own)


def persons(patients: pd.DataFrame) -> pd.DataFrame:
    """One row per person: name, identifiers and birth date of the first record, every hospital,
    and every record as ``(source, id, hospital_id)``."""
    if patients.empty:
        return pd.DataFrame(columns=_PERSON_COLUMNS)
    rows = patients.drop_duplicates(["source", "id"])
    rows = rows.assign(
        person=person_key(rows),
        record=list(zip(rows["source"], rows["id"], rows["hospital_id"], strict=True)),
    )
    for column in ("mrn", "pseudonym"):
        if column not in rows.columns:
            rows[column] = None
    grouped = rows.groupby("person", sort=False).agg(
        id=("id", "first"),
        kvnr=("kvnr", "first"),
        mrn=("mrn", "first"),
        pseudonym=("pseudonym", "first"),
        family=("family", "first"),
        given=("given", "first"),
        birth_date=("birth_date", "first"),
        hospitals=("hospital_id", lambda s: tuple(sorted(set(s.dropna())))),
        records=("record", lambda s: tuple(sorted(s, key=str))),
    )
    ordered = grouped.reset_index().sort_values(
        ["family", "given", "birth_date", "person"], kind="stable"
    )
    return ordered.reset_index(drop=True)[_PERSON_COLUMNS]


@dataclass
class SearchResult:
    """Persons found, their Patient records, and the reads behind them (for banners).

    ``capped``: more persons matched than the ``cap`` a search may show; ``persons`` is then
    empty.
    """

    persons: pd.DataFrame
    patients: pd.DataFrame
    reads: list[FrameSet] = field(default_factory=list)
    cap: int = MAX_PERSONS
    capped: bool = False

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.reads)

    @property
    def failed_sources(self) -> set[str]:
        return {source for r in self.reads for source in r.errors}

    @property
    def answered_sources(self) -> set[str]:
        return {s.source for r in self.reads for s in r.stats}


def _patients_of(read: FrameSet) -> pd.DataFrame:
    table = read.tables.get("patient")
    if table is None:
        return pd.DataFrame(columns=_PATIENT_COLUMNS)
    return table


def _capped(reads: list[FrameSet], cap: int) -> SearchResult:
    empty = pd.DataFrame(columns=_PATIENT_COLUMNS)
    return SearchResult(persons(empty), empty, reads, cap=cap, capped=True)


def find_persons(read: Reader, criteria: Criteria, cap: int | None = None) -> SearchResult:
    """Run the search in its two steps through ``read`` (a platform, or the page's reader).

    ``cap``: most persons shown (``MAX_PERSONS`` unless given). Each first-step read stops after
    ``cap + 1`` matches: whatever lies beyond would not be shown anyway, so it is not fetched.
    """
    cap = MAX_PERSONS if cap is None else cap
    reads = [read(search, cap=cap + 1) for search in patient_searches(criteria)]
    if any(r.truncated for r in reads):
        return _capped(reads, cap)
    found = pd.concat([_patients_of(r) for r in reads], ignore_index=True)
    found = found[matches(found, criteria)] if not found.empty else found
    if len(persons(found)) > cap:
        return _capped(reads, cap)
    kvnrs = found["kvnr"].dropna().unique().tolist() if not found.empty else []
    everyone = [found]
    for batch in chunks(kvnrs):
        same = read(same_person_search(batch))
        reads.append(same)
        everyone.append(_patients_of(same))
    patients = pd.concat(everyone, ignore_index=True).drop_duplicates(["source", "id"])
    return SearchResult(persons(patients), patients.reset_index(drop=True), reads, cap=cap)


def search_audit(user: User, criteria: Criteria, result: SearchResult, page: str) -> AuditRecord:
    """The audit record of one search, written after it ran: who, what was asked (never what
    was found), how many persons were shown, and how it went.

    Outcome "0" when every source answered; "4" when some failed or the search matched too many
    to show; "8" when no source answered.
    """
    failed = result.failed_sources
    notes = []
    outcome = "0"
    if failed:
        outcome = "4" if result.answered_sources else "8"
        notes.append("sources failed: " + ", ".join(sorted(failed)))
    if result.capped:
        outcome = "8" if outcome == "8" else "4"
        notes.append(f"more than {result.cap} persons matched: none shown")
    return AuditRecord(
        user=user,
        action="search",
        page=page,
        query=criteria.describe(),
        rows=len(result.persons),
        outcome=outcome,
        outcome_text="; ".join(notes) or None,
    )


def record_searches(patient_ids: Iterable[str]) -> dict[str, AbstractSearchSet]:
    """One search per kind for the record of these Patient ids (all at one source)."""
    patients = refs("Patient", patient_ids)
    searches = {kind: query(kind).search(patient=patients) for kind in RECORD_KINDS}
    searches["Encounter"] = (
        searches["Encounter"].include("Encounter", "location").include("Encounter", "practitioner")
    )
    for kind in _NAMES_MEDICATION:
        searches[kind] = searches[kind].include(kind, "medication")
    searches["DocumentReference"] = searches["DocumentReference"].include(
        "DocumentReference", "author"
    )
    return searches


def record_patients(records: Iterable[tuple[str, str, str | None]]) -> pd.DataFrame:
    """The ``(source, id, hospital_id)`` triples of a person as the table ``read_record`` takes."""
    return pd.DataFrame(list(records), columns=["source", "id", "hospital_id"])


@dataclass
class PatientRecord:
    """Everything the sources know about one person: tables by name, and the reads behind them."""

    patients: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    reads: list[FrameSet] = field(default_factory=list)
    # Counted on the sources' clients: per-read counts overlap while the kinds run in parallel.
    requests: int = 0

    def ids(self, table: str) -> set[tuple[str, str]]:
        """``(source, id)`` of every row of a table (empty when the table is absent)."""
        frame = self.tables.get(table)
        if frame is None or frame.empty:
            return set()
        return set(zip(frame["source"], frame["id"], strict=True))


def read_record(
    platform: Platform, patients: pd.DataFrame, *, no_cache: bool = False
) -> PatientRecord:
    """The record of the Patient rows ``(source, id)``, from their sources, kinds in parallel."""
    jobs = []
    for source, group in patients.groupby("source", sort=True):
        for batch in chunks(group["id"]):
            for search in record_searches(batch).values():
                jobs.append((str(source), search))
    if not jobs:
        return PatientRecord(patients, {}, [])

    def one(job: tuple[str, AbstractSearchSet]) -> FrameSet:
        source, search = job
        return platform.read(search, sources=[source], no_cache=no_cache)

    sources = sorted({source for source, _ in jobs})
    before = sum(platform.http(s).requests for s in sources)
    with ThreadPoolExecutor(max_workers=min(len(jobs), 8)) as pool:
        reads = list(pool.map(one, jobs))
    requests = sum(platform.http(s).requests for s in sources) - before
    parts: dict[str, list[pd.DataFrame]] = {}
    for result in reads:
        for name, frame in result.tables.items():
            parts.setdefault(name, []).append(frame)
    tables = {}
    for name, frames in parts.items():
        combined = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        tables[name] = combined.drop_duplicates() if name in _SHARED else combined
    return PatientRecord(patients, tables, reads, requests)
