"""The data a page needs, read once through the cache and narrowed to the user's scope.

Hospital scopes are applied after reading (``services.domain.stays.in_hospitals`` and
``locations_in``): sources without Organization resources name a hospital by identifier, and MII
contact levels below the stay name their department instead. Location entries without a
physical type take it from the Location read (``services.domain.stays.typed_places``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd
from fhirpy.base.searchset import AbstractSearchSet

from components.data import load, load_kept, load_store_figures, load_stored_window
from components.session import settings
from services import queries
from services.analytics import StoreFigures
from services.domain.census import window_encounters
from services.domain.news2 import LOOKBACK
from services.domain.stays import (
    current_placements,
    in_hospitals,
    locations_in,
    stale_stays,
    typed_places,
)
from services.frames import KINDS, Collector, with_hierarchy
from services.frames.contacts import has_lower_levels, widened
from services.patient_record import chunks
from services.platform import FrameSet
from services.search import query

__all__ = [
    "flags_of",
    "left_open",
    "now",
    "places",
    "stays",
    "stored_figures",
    "this_minute",
    "window_stays",
]


def now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="Europe/Berlin")


def this_minute() -> pd.Timestamp:
    """Now to the minute: search bounds built from it keep hitting the same cache entry."""
    return now().floor("min")


def places(hospital_ids: tuple[str, ...] = ()) -> tuple[pd.DataFrame, FrameSet]:
    """Wards, rooms and beds with ``ward_id``/``room_id``; and the read behind them."""
    read = load_kept(queries.locations(), "Locations")
    return locations_in(_placed(read["location"]), hospital_ids), read


# The last Locations frame placed and the frame placed: the kept read hands out the same frame
# until a Location changes, and placing it anew on every page took 0.08 s at 104k Locations.
_last_placed: tuple[pd.DataFrame, pd.DataFrame] | None = None


def _placed(locations: pd.DataFrame) -> pd.DataFrame:
    """``with_hierarchy`` of the kept Locations frame, computed once per frame."""
    global _last_placed
    last = _last_placed
    if last is not None and last[0] is locations:
        return last[1]
    placed = with_hierarchy(locations)
    _last_placed = (locations, placed)
    return placed


def _scoped(read: FrameSet, hospital_ids: tuple[str, ...]) -> FrameSet:
    """The read with its stays narrowed to the hospitals and their places typed."""
    locations, _ = places()
    tables = in_hospitals(read.tables, hospital_ids)
    typed = typed_places(tables["encounter_location"], locations)
    return replace(read, tables={**tables, "encounter_location": typed})


def window_stays(start: pd.Timestamp, hospital_ids: tuple[str, ...] = ()) -> FrameSet:
    """Inpatient stays overlapping [start, now) of the hospitals given (all when none).

    From the Parquet store when ``MEDICUS_ANALYTICS=store`` and it is fresh, else by search;
    both give the same rows (``services.store.window_read``).
    """
    read = load_stored_window(start)
    if read is None:
        read = load(window_encounters(start), "Encounters")
    return _scoped(read, hospital_ids)


def stored_figures(
    start: pd.Timestamp,
    at: pd.Timestamp,
    hospital_ids: tuple[str, ...] = (),
    wards: tuple[str, ...] | None = None,
    movements: bool = True,
) -> tuple[StoreFigures, FrameSet] | None:
    """The manager figures of the window from ``start`` to ``at`` for the hospitals given,
    computed in the Parquet store when ``MEDICUS_ANALYTICS=store`` and it is fresh; with
    ``wards``, their length of stay too; without ``movements``, no transfers (``figures``).
    None when the page reads the stays instead (``window_stays``); both give the same
    figures (``services.analytics``)."""
    chosen = tuple(sorted(wards)) if wards else None
    return load_store_figures(start, at, hospital_ids, chosen, movements)


def _in_batches(
    search_of: Callable[[list[str]], AbstractSearchSet],
    rows: pd.DataFrame,
    what: str,
    column: str = "patient_id",
) -> FrameSet | None:
    """One kept read per source and batch of the ids in ``column`` (``chunks``), as one read:
    each table's rows of every batch, the stats and errors of every search; None when there
    are no ids. ``rows``: the ids and the ``source`` that holds each record (usually
    ``patient_id``); a local id is asked of its own source only (one without a source, of
    every source)."""
    rows = rows.dropna(subset=[column])
    if "source" not in rows.columns:
        rows = rows.assign(source=None)
    reads = [
        load_kept(search_of(batch), what, (source,) if isinstance(source, str) else ())
        for source, ids in rows.groupby("source", dropna=False, sort=True)[column]
        for batch in chunks(ids)
    ]
    if len(reads) <= 1:
        return reads[0] if reads else None
    tables = {t: pd.concat([r[t] for r in reads], ignore_index=True) for t in reads[0].tables}
    return _joined(FrameSet(reads[0].resource_type, tables), {}, *reads)


def _joined(read: FrameSet, tables: dict[str, pd.DataFrame], *more: FrameSet | None) -> FrameSet:
    """``read`` with ``tables`` put in, carrying the stats and errors of the reads ``more``."""
    others = [m for m in more if m is not None]
    stats = [*read.stats, *(stat for m in others for stat in m.stats)]
    errors = dict(read.errors)
    for other in others:
        errors.update(other.errors)
    return replace(read, tables={**read.tables, **tables}, stats=stats, errors=errors)


def patients_by_id(patients: pd.DataFrame) -> tuple[pd.DataFrame, FrameSet | None]:
    """These Patients (``patient_id``, and the ``source`` that holds each where known), read by
    id, and one read that carries the stats and errors of all the searches (None when there
    was nothing to read): no identities beyond the ids given, each asked of its own source."""
    found = _in_batches(
        lambda batch: query("Patient").search(_id=",".join(batch)), patients, "Patients"
    )
    empty = Collector(KINDS, "Patient", source="").frames()["patient"]
    if found is None:
        return empty, None
    patients = pd.concat([empty, found["patient"]], ignore_index=True)
    return patients, FrameSet("Patient", {"patient": patients}, found.stats, found.errors)


def _with_patients(read: FrameSet, placed: pd.DataFrame) -> FrameSet:
    """The read plus the Patients of these placements, read by id: no identities beyond the
    stays in scope."""
    patients, found = patients_by_id(placed)
    return _joined(read, {"patient": patients}, found)


# How far back a stay's earlier contacts are looked for: a day more than the longest look-back
# of the pages that map what was written on them (the NEWS2 board's and the handover's vitals).
EARLIER_CONTACTS = LOOKBACK + pd.Timedelta(days=1)


def _with_earlier_contacts(read: FrameSet, placed: pd.DataFrame) -> FrameSet:
    """The read whose ``encounter_contact`` also maps the stays' earlier contacts (MII: the
    ward contacts of wards left before), read by Patient: what was written on a previous ward
    belongs to the stay. Reads nothing for sources without contact levels."""
    contacts = read.tables.get("encounter_contact")
    if not has_lower_levels(contacts):
        return read
    since = this_minute().floor("D") - EARLIER_CONTACTS
    found = _in_batches(
        lambda batch: queries.contacts_of_patients(batch, since), placed, "Encounters"
    )
    if found is None:
        return read
    return _joined(
        read, {"encounter_contact": widened(contacts, found["encounter_contact"])}, found
    )


def stays(
    *,
    ward_ids: tuple[str, ...] = (),
    hospital_ids: tuple[str, ...] = (),
    with_patients: bool = False,
    network: bool = False,
) -> tuple[pd.DataFrame, FrameSet]:
    """Current inpatient placements (ward, room, bed now); and the read behind them.

    An empty scope (no wards, no hospitals) reads nothing: no access fails closed, it never
    widens to the whole network. Only ``network=True`` (the network roles' aggregate views)
    makes an empty scope mean every hospital.
    """
    if not ward_ids and not hospital_ids and not network:
        nothing = Collector(KINDS, "Encounter", source="").frames()
        empty = FrameSet("Encounter", nothing)
        return current_placements(nothing["encounter"], nothing["encounter_location"], now()), empty
    # A ward's stays are kept and re-read only when the feed of changes shows an Encounter
    # changed; the network's (managers, physicians) are cached as before.
    reader = load_kept if ward_ids else load
    read = _scoped(reader(queries.current_stays(ward_ids=ward_ids), "Encounters"), hospital_ids)
    placed = current_placements(
        read["encounter"], read["encounter_location"], now(), settings().stale_stays
    )
    if ward_ids:
        placed = placed[placed["ward_id"].isin(ward_ids)]
    if with_patients:
        read = _with_patients(read, placed)
        read = _with_earlier_contacts(read, placed)
    return placed, read


def flags_of(placed: pd.DataFrame) -> FrameSet | None:
    """The Flags of the patients of these placements (the patients in a ward's beds: their
    ``patient_id`` and ``source``), read by id in batches, each of its own source; None when
    there is nobody to ask about."""
    return _in_batches(queries.flags_of_patients, placed, "Flags")


def with_named_diagnoses(
    reads: list[FrameSet], stay_read: FrameSet, contacts: list[str], what: str
) -> tuple[pd.DataFrame | None, list[FrameSet]]:
    """The stays' diagnoses: the Conditions of ``reads`` (searched by encounter) and those the
    stays' Encounters name in ``Encounter.diagnosis`` (table ``encounter_diagnosis`` of
    ``stay_read``) that the search did not find, read by id at the naming contact's source:
    some sources link a diagnosis from the Encounter only. Returns the Conditions (None when
    nothing was read) and every read that found them, for the banners."""
    found = [r["condition"] for r in reads if "condition" in r.tables]
    conditions = pd.concat(found, ignore_index=True) if found else None
    roles = stay_read.tables.get("encounter_diagnosis")
    if roles is None or roles.empty:
        return conditions, reads
    named = roles[roles["encounter_id"].isin(contacts)].dropna(subset=["condition_id"])
    if conditions is not None and not conditions.empty:
        have = pd.MultiIndex.from_frame(conditions[["source", "id"]])
        named = named[~pd.MultiIndex.from_frame(named[["source", "condition_id"]]).isin(have)]
    missing = _in_batches(
        lambda batch: query("Condition").search(_id=",".join(batch)), named, what, "condition_id"
    )
    if missing is None:
        return conditions, reads
    both = [f for f in (conditions, missing["condition"]) if f is not None]
    return pd.concat(both, ignore_index=True), [*reads, missing]


def left_open(read: FrameSet) -> pd.DataFrame:
    """The stays of a read that the source left open too long (not counted as inpatients)."""
    return stale_stays(read["encounter"], now(), settings().stale_stays)
