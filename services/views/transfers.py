"""Views of the transfer pages: the inbound queue of a bed manager, the requests a physician's
hospital sent, and what a new request would say about a patient.

The inbound queue is built from the Tasks alone (their inputs) and the target hospital's beds:
no Patient is read for it, so no name can reach a bed manager's screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from services.domain.bed_board import isolation_of
from services.domain.beds import bed_status_now
from services.domain.people import age_years
from services.transfers import free_beds_matching, queue_figures, transfer_queue

__all__ = ["InboundView", "OutboundView", "inbound_view", "outbound_view", "patient_details"]

# Children's beds take patients under 18 (the age group of a bed, ``altersgruppe``).
ADULT_FROM = 18


@dataclass(frozen=True)
class InboundView:
    """``queue``: the requests to the manager's hospitals (``transfer_queue`` rows plus
    ``free_matching``); ``beds``: those hospitals' beds now (``bed_status_now``), from which
    ``services.transfers.suitable_beds`` offers a bed; ``figures``: ``queue_figures``."""

    queue: pd.DataFrame
    beds: pd.DataFrame
    figures: dict


@dataclass(frozen=True)
class OutboundView:
    queue: pd.DataFrame
    figures: dict


def inbound_view(
    tasks: pd.DataFrame,
    requests: pd.DataFrame,
    locations: pd.DataFrame,
    placements: pd.DataFrame,
    hospitals: tuple[str, ...],
    now: pd.Timestamp,
) -> InboundView:
    """The queue of requests to ``hospitals`` with the live count of beds that fit each."""
    queue = transfer_queue(tasks, requests, now)
    queue = _with_bed_names(queue[queue["target_org"].isin(hospitals)], locations)
    beds = bed_status_now(locations, placements, now)
    beds = beds[beds["hospital_id"].isin(hospitals)]
    queue = queue.assign(free_matching=free_beds_matching(queue, beds))
    return InboundView(queue, beds, queue_figures(queue))


def outbound_view(
    tasks: pd.DataFrame,
    requests: pd.DataFrame,
    locations: pd.DataFrame,
    hospital_id: str,
    now: pd.Timestamp,
) -> OutboundView:
    """The requests the hospital sent, with their state now."""
    queue = transfer_queue(tasks, requests, now)
    queue = _with_bed_names(queue[queue["requester_org"] == hospital_id], locations)
    return OutboundView(queue, queue_figures(queue))


def _with_bed_names(queue: pd.DataFrame, locations: pd.DataFrame) -> pd.DataFrame:
    """The queue with ``bed_name``: the name of the bed reserved for a request, if any."""
    names = locations[["source", "id", "name"]].rename(columns={"id": "bed_id", "name": "bed_name"})
    out = queue.merge(names, on=["source", "bed_id"], how="left")
    return out.reset_index(drop=True)


def patient_details(
    placement: pd.Series,
    patients: pd.DataFrame | None,
    flags: pd.DataFrame | None,
    locations: pd.DataFrame,
    now: pd.Timestamp,
) -> dict[str, object]:
    """What a request says of the patient in ``placement`` (a row of current placements): the
    category of the bed they lie in, their age group, sex and active isolation codes."""
    bed = locations[
        (locations["source"] == placement["source"]) & (locations["id"] == placement["bed_id"])
    ]
    category = bed["bed_category"].iloc[0] if not bed.empty else None
    age_group = bed["age_group"].iloc[0] if not bed.empty else None
    sex = None
    if patients is not None and not patients.empty:
        person = patients[
            (patients["source"] == placement["source"])
            & (patients["id"] == placement["patient_id"])
        ]
        if not person.empty:
            sex = person["gender"].iloc[0] if pd.notna(person["gender"].iloc[0]) else None
            age = age_years(person["birth_date"], _today(now)).iloc[0]
            if pd.notna(age):
                age_group = "adult" if age >= ADULT_FROM else "paediatric"
    isolation = isolation_of(pd.DataFrame([placement]), flags, now)[0]
    return {
        "bed_category": category if isinstance(category, str) else "general",
        "age_group": age_group if isinstance(age_group, str) else "adult",
        "sex": sex,
        "isolation": tuple(isolation),
    }


def _today(now: pd.Timestamp) -> date:
    return now.tz_convert("Europe/Berlin").date()
