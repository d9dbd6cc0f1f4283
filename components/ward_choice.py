"""The ward a ward page shows: chosen among the user's own wards only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.choose import choose_one
from components.scope import places
from components.session import tr
from components.status import frame_banners
from services.domain.beds import has_wards
from services.domain.ward_tasks import wards_of
from services.platform import FrameSet
from services.roles import User

__all__ = ["choose_ward", "no_ward_note"]


def no_ward_note(
    user: User, locations: pd.DataFrame | None = None, key: str = "nurse.no_wards"
) -> None:
    """Why a ward page has no ward to show: the source of the user's hospital reports no wards
    at all, or the account has none of them (``key``)."""
    if locations is None:
        locations, location_read = places((user.hospital_id,) if user.hospital_id else ())
        frame_banners(location_read)
    st.info(tr(key) if has_wards(locations) else tr("wards.none_reported"))


def choose_ward(user: User) -> tuple[str, pd.DataFrame, pd.DataFrame, FrameSet]:
    """(chosen ward id, the user's wards, the locations of the user's hospital, their read).

    Stops the page with a message when the user has no ward; the choice is kept across the
    ward pages (one widget key).
    """
    locations, location_read = places((user.hospital_id,) if user.hospital_id else ())
    wards = wards_of(user, locations)
    if wards.empty:
        frame_banners(location_read)
        no_ward_note(user, locations)
        st.stop()
    names = dict(zip(wards["id"], wards["name"], strict=True))
    ward_id = choose_one(
        tr("nurse.ward"),
        list(names),
        format_func=names.get,
        key="nurse.ward",
    )
    return ward_id, wards, locations, location_read
