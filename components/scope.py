"""The data a page needs, read once through the cache and narrowed to the user's scope."""

from __future__ import annotations

import pandas as pd

from components.data import load
from services import queries
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from services.platform import FrameSet

__all__ = ["now", "places", "stays", "this_minute"]


def now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="Europe/Berlin")


def this_minute() -> pd.Timestamp:
    """Now to the minute: search bounds built from it keep hitting the same cache entry."""
    return now().floor("min")


def places(hospital_ids: tuple[str, ...] = ()) -> tuple[pd.DataFrame, FrameSet]:
    """Wards, rooms and beds with ``ward_id``/``room_id``; and the read behind them."""
    read = load(queries.locations(hospital_ids), "Locations")
    return with_hierarchy(read["location"]), read


def stays(
    *,
    ward_ids: tuple[str, ...] = (),
    hospital_ids: tuple[str, ...] = (),
    with_patients: bool = False,
) -> tuple[pd.DataFrame, FrameSet]:
    """Current inpatient placements (ward, room, bed now); and the read behind them."""
    read = load(
        queries.current_stays(
            ward_ids=ward_ids, hospital_ids=hospital_ids, with_patients=with_patients
        ),
        "Encounters",
    )
    placed = current_placements(read["encounter"], read["encounter_location"], now())
    if ward_ids:
        placed = placed[placed["ward_id"].isin(ward_ids)]
    return placed, read
