"""Beds: the status of every bed now, and occupancy figures at any level.

Definitions used everywhere (documented for managers in the capacity page's help):
- occupied: a current stay's bed entry points at the bed (status O), whatever the bed says;
- free: unoccupied (U) and not blocked;
- blocked: closed (C), housekeeping (H), isolated (I) or contaminated (K) and not occupied;
- occupancy: occupied / (total - closed). Closed beds are out of service and do not count.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["BLOCKED", "bed_status_now", "occupancy"]

BLOCKED = ("C", "H", "I", "K")


def bed_status_now(locations: pd.DataFrame, placements: pd.DataFrame) -> pd.DataFrame:
    """Every bed with its effective status and, if occupied, the stay in it.

    ``locations`` must carry ``ward_id``/``room_id`` (``services.frames.with_hierarchy``).
    """
    beds = locations[locations["physical_type"] == "bd"]
    beds = beds[beds["status"].fillna("active") != "inactive"]
    in_bed = placements.dropna(subset=["bed_id"]).drop_duplicates(["source", "bed_id"])
    out = beds.merge(
        in_bed[["source", "bed_id", "encounter_id", "patient_id", "start", "days_so_far"]],
        left_on=["source", "id"],
        right_on=["source", "bed_id"],
        how="left",
    ).drop(columns=["bed_id"])
    occupied = out["encounter_id"].notna()
    status = out["operational_status"].fillna("U")
    out["status"] = status.where(~occupied, "O")
    # A bed marked occupied with nobody in it is free for planning purposes.
    out.loc[~occupied & (out["status"] == "O"), "status"] = "U"
    return out.rename(columns={"id": "bed_id"})


def occupancy(beds: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Totals, occupied, free, blocked, closed and occupancy per group of ``by`` columns."""
    counts = pd.crosstab(
        [beds[c].fillna("–") for c in by] if by else pd.Series("all", index=beds.index),
        beds["status"],
    ).reindex(columns=["O", "U", *BLOCKED], fill_value=0)
    out = pd.DataFrame(
        {
            "total": counts.sum(axis=1),
            "occupied": counts["O"],
            "free": counts["U"],
            "blocked": counts[list(BLOCKED)].sum(axis=1),
            "closed": counts["C"],
        }
    )
    in_service = out["total"] - out["closed"]
    out["occupancy"] = (out["occupied"] / in_service.where(in_service > 0)).astype("Float64")
    return out.reset_index()
