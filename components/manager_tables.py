"""Translated tables of the manager pages, built from the frames their views return.

The views have applied the disclosure rules already; ``manager_csv`` checks the translated
headers once more on the way out.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from components.capacity_charts import traffic_light
from components.export import csv_button
from components.session import language, tr
from services.domain.disclosure import aggregate_only, fmt_count
from services.domain.labels import label
from services.i18n import fmt_number, fmt_percent
from services.roles import User

__all__ = [
    "bed_table",
    "category_columns",
    "count_texts",
    "manager_csv",
    "number_texts",
    "percent_texts",
    "placing_table",
]


def percent_texts(values: pd.Series) -> pd.Series:
    lang = language()
    return values.map(lambda v: fmt_percent(v, lang))


def number_texts(values: pd.Series, decimals: int = 0) -> pd.Series:
    lang = language()
    return values.map(lambda v: fmt_number(v, lang, decimals))


def count_texts(values: pd.Series) -> pd.Series:
    """Disclosed counts (``mark_small``) as text."""
    lang = language()
    return values.map(lambda v: fmt_count(v, lang))


def category_columns(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Bed category and age group, in words."""
    return {
        tr("mgr.col.category"): label(frame["bed_category"], "bed_category", tr),
        tr("mgr.col.age_group"): label(frame["age_group"], "age_group", tr),
    }


def bed_table(
    frame: pd.DataFrame, leading: Mapping[str, pd.Series], *, light: bool = True
) -> pd.DataFrame:
    """``leading`` columns, then the bed counts and occupancy of an ``occupancy`` frame."""
    columns = {
        **leading,
        tr("col.total"): frame["total"],
        tr("col.occupied"): frame["occupied"],
        tr("col.free"): frame["free"],
        tr("col.blocked"): frame["blocked"],
        tr("col.occupancy"): percent_texts(frame["occupancy"]),
    }
    if light:
        columns[tr("mgr.col.light")] = frame["occupancy"].map(
            lambda v: tr(f"mgr.light.{traffic_light(v) or 'none'}")
        )
    return pd.DataFrame(columns)


def manager_csv(frame: pd.DataFrame, name: str, key: str, user: User, page: str) -> None:
    """The CSV download of an aggregate table."""
    csv_button(aggregate_only(frame), f"{name}.csv", key=key, user=user, page=page)


def placing_table(by_care: pd.DataFrame, groups: tuple[str, ...]) -> pd.DataFrame:
    """One row per hospital and a last for the network: free beds and discharges expected today
    per kind of care; a hospital without beds of a kind shows "–". Narrow enough for a laptop
    screen: the blocked beds have a table of their own."""
    keyed = by_care.assign(_key=by_care["hospital_id"].fillna(""))
    keys = list(dict.fromkeys(keyed["_key"]))
    names = dict(zip(keyed["_key"], keyed["hospital"], strict=False))
    care = dict(zip(groups, label(pd.Series(groups), "mgr.care", tr), strict=True))
    table: dict[str, object] = {
        tr("col.hospital"): [names[k] if k else tr("network.total") for k in keys]
    }
    for group in groups:
        mine = keyed[keyed["group"] == group].set_index("_key")
        for column, header in (
            ("free", "mgr.placing.free"),
            ("leaving_today", "mgr.placing.leaving"),
        ):
            values = mine[column].reindex(keys).astype("Int64")
            table[tr(header, care=care[group])] = values.to_numpy()
    return pd.DataFrame(table)
