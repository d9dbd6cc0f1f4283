"""Finding a person across every source, and reading that person's record with few requests.

The hospitals are silos: the same person at two hospitals is two Patient resources, linked only by
the KVNR. A search therefore runs in two steps: the user's criteria find some Patient records
(by name, birth date, KVNR, local patient number, or the case number of an Encounter), then one
search by the KVNRs found brings every Patient record of those persons from every source.

A record is read with one search per resource kind and source, naming all of the person's Patient
ids at that source as one OR list (``patient=Patient/a,Patient/b``); the kinds run in parallel.
The Encounter search brings the ward, room and bed Locations and the attending Practitioners
along (``_include``), so no request is ever made per item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from services.codes import KVNR
from services.domain.patient_search import Criteria, matches, name_variants
from services.platform import FrameSet, Platform
from services.queries import refs
from services.search import query

__all__ = [
    "MAX_IDS_PER_SEARCH",
    "RECORD_KINDS",
    "PatientRecord",
    "SearchResult",
    "chunks",
    "find_persons",
    "patient_searches",
    "persons",
    "read_record",
    "record_patients",
    "record_searches",
    "same_person_search",
]

RECORD_KINDS = ("Encounter", "Condition", "Procedure", "MedicationRequest", "Observation")
# Ids per OR list: keeps a search URL well below the 8 kB request line servers commonly accept.
MAX_IDS_PER_SEARCH = 100
# Tables of included resources: a ward shared by two stays arrives once per page naming it.
_SHARED = {"location", "practitioner"}
_PATIENT_COLUMNS = ["source", "id", "hospital_id", "kvnr", "family", "given", "birth_date"]

Reader = Callable[[AbstractSearchSet], FrameSet]


def chunks(ids: Iterable[str], size: int = MAX_IDS_PER_SEARCH) -> Iterator[list[str]]:
    """Sorted, distinct ids in runs of at most ``size`` (one OR list each)."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def patient_searches(criteria: Criteria) -> list[AbstractSearchSet]:
    """The searches that find Patient records matching ``criteria``.

    A number may be a local patient number (Patient.identifier) or a case number (Encounter
    identifier, whose subject comes along): both are asked.
    """
    search = query("Patient")
    for word in criteria.words:
        # One parameter per word: repeated parameters AND, the comma list inside ORs spellings.
        search = search.search(name=",".join(name_variants(word)))
    if criteria.birth_date is not None:
        search = search.search(birthdate=criteria.birth_date.isoformat())
    if criteria.kvnr:
        search = search.search(identifier=f"{KVNR}|{criteria.kvnr}")
    if not criteria.number:
        return [search]
    by_case = query("Encounter").search(identifier=criteria.number).include("Encounter", "subject")
    return [search.search(identifier=criteria.number), by_case]


def same_person_search(kvnrs: Iterable[str]) -> AbstractSearchSet:
    """Every Patient record, at every hospital, of the persons with these KVNRs."""
    return query("Patient").search(identifier=",".join(f"{KVNR}|{k}" for k in sorted(set(kvnrs))))


def person_key(patients: pd.DataFrame) -> pd.Series:
    """One key per person: the KVNR, or the record itself where no KVNR is known."""
    own = "record:" + patients["source"] + "/" + patients["id"]
    return patients["kvnr"].where(patients["kvnr"].notna(), own)


def persons(patients: pd.DataFrame) -> pd.DataFrame:
    """One row per person: name and birth date of the first record, every hospital, and every
    record as ``(source, id, hospital_id)``."""
    if patients.empty:
        return pd.DataFrame(
            columns=["person", "kvnr", "family", "given", "birth_date", "hospitals", "records"]
        )
    rows = patients.drop_duplicates(["source", "id"]).assign(person=person_key(patients))
    rows = rows.assign(
        record=list(zip(rows["source"], rows["id"], rows["hospital_id"], strict=True))
    )
    grouped = rows.groupby("person", sort=False).agg(
        kvnr=("kvnr", "first"),
        family=("family", "first"),
        given=("given", "first"),
        birth_date=("birth_date", "first"),
        hospitals=("hospital_id", lambda s: tuple(sorted(set(s.dropna())))),
        records=("record", lambda s: tuple(sorted(s, key=str))),
    )
    return grouped.reset_index().sort_values(["family", "given", "birth_date"], kind="stable")


@dataclass
class SearchResult:
    """Persons found, their Patient records, and the reads behind them (for banners)."""

    persons: pd.DataFrame
    patients: pd.DataFrame
    reads: list[FrameSet] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.reads)


def _patients_of(read: FrameSet) -> pd.DataFrame:
    table = read.tables.get("patient")
    if table is None:
        return pd.DataFrame(columns=_PATIENT_COLUMNS)
    return table


def find_persons(read: Reader, criteria: Criteria) -> SearchResult:
    """Run the search in its two steps through ``read`` (the page's cached load, or a platform)."""
    reads = [read(search) for search in patient_searches(criteria)]
    found = pd.concat([_patients_of(r) for r in reads], ignore_index=True)
    found = found[matches(found, criteria)] if not found.empty else found
    kvnrs = found["kvnr"].dropna().unique().tolist() if not found.empty else []
    everyone = [found]
    for batch in chunks(kvnrs):
        same = read(same_person_search(batch))
        reads.append(same)
        everyone.append(_patients_of(same))
    patients = pd.concat(everyone, ignore_index=True).drop_duplicates(["source", "id"])
    return SearchResult(persons(patients), patients.reset_index(drop=True), reads)


def record_searches(patient_ids: Iterable[str]) -> dict[str, AbstractSearchSet]:
    """One search per kind for the record of these Patient ids (all at one source)."""
    patients = refs("Patient", patient_ids)
    searches = {kind: query(kind).search(patient=patients) for kind in RECORD_KINDS}
    searches["Encounter"] = (
        searches["Encounter"].include("Encounter", "location").include("Encounter", "practitioner")
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
