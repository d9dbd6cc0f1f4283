"""What several views share: names by id, membership of ids, the census of wards without beds,
the aggregate check."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from services.domain.disclosure import aggregate_only
from services.domain.stays import ward_census_now

__all__ = ["aggregates_only", "among", "named", "names_by_id", "ward_census", "wards_of"]


def names_by_id(frame: pd.DataFrame) -> dict[str, str]:
    """``id`` -> ``name`` of a frame of Locations or Organizations."""
    # Lists first: iterating text columns element by element costs a tenth of a second per
    # 100k rows.
    return dict(zip(frame["id"].tolist(), frame["name"].tolist(), strict=True))


def named(ids: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """The name of each id, the id itself where there is no name."""
    # By lists: mapping by a dict of 100k Locations builds an index of it on every call.
    values = ids.tolist()
    found = [names.get(i) for i in values]
    return pd.Series(
        [n if isinstance(n, str) else i for n, i in zip(found, values, strict=True)],
        index=ids.index,
        name=ids.name,
        dtype="object",
    )


def among(ids: pd.Series, values: Iterable[str]) -> pd.Series:
    """``ids.isin(values)`` for a column of text ids: by one lookup in a set built once, where
    pandas makes a pyarrow scalar of each value for every call (thousands of wards over the
    window's ward-days took a twentieth of a second a call at network scale)."""
    if not isinstance(ids.dtype, pd.StringDtype):
        return ids.isin(set(values))
    found = pc.is_in(pa.array(ids.array), value_set=pa.array(list(values), pa.string()))
    return pd.Series(found.to_numpy(zero_copy_only=False), index=ids.index, dtype=bool)


def wards_of(locations: pd.DataFrame) -> pd.DataFrame:
    """The ward Locations among ``locations``."""
    return locations[locations["physical_type"] == "wa"]


def ward_census(
    placed: pd.DataFrame, locations: pd.DataFrame, hospital_names: Mapping[str, str]
) -> pd.DataFrame:
    """Current inpatients per ward, named: what a source without beds still allows.

    Columns ``hospital_id``, ``hospital``, ``ward_id``, ``ward`` (the id where the ward has no
    name, null where the stay names no ward) and ``patients``.
    """
    census = ward_census_now(placed)
    wards = names_by_id(locations)
    return census.assign(
        hospital=census["hospital_id"].map(lambda h: hospital_names.get(h, h)),
        ward=[wards.get(w) or w if isinstance(w, str) else None for w in census["ward_id"]],
    )[["hospital_id", "hospital", "ward_id", "ward", "patients"]]


def aggregates_only(view: object) -> None:
    """Refuse a view any of whose frames carries a column that identifies a person."""
    for field in dataclasses.fields(view):
        value = getattr(view, field.name)
        if isinstance(value, pd.DataFrame):
            aggregate_only(value)
