"""The ward and room of every Location (``with_hierarchy``): the vectorised walk against the
plain one written out below, on chains that end early, cycles, ids that repeat, both generated
shapes (flat and MII/ISiK) and ward-only sources."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from demo_data.generator import PRESETS, generate
from services.frames import with_hierarchy
from tests.support.frames import frames

pytestmark = pytest.mark.unit
AS_OF = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Berlin"))
COLUMNS = ["id", "physical_type", "part_of"]


def walked(locations: pd.DataFrame) -> pd.DataFrame:
    """The rule, one Location at a time: itself or the nearest enclosing Location of the kind,
    None where the chain ends or turns in a cycle first; a repeated id's last row counts."""
    parent = dict(zip(locations["id"], locations["part_of"], strict=True))
    kind = dict(zip(locations["id"], locations["physical_type"], strict=True))

    def ancestor(loc_id: object, wanted: str) -> str | None:
        seen = set()
        while isinstance(loc_id, str) and loc_id not in seen:
            if kind.get(loc_id) == wanted:
                return loc_id
            seen.add(loc_id)
            loc_id = parent.get(loc_id)
        return None

    out = locations.copy()
    out["ward_id"] = [ancestor(i, "wa") for i in out["id"]]
    out["room_id"] = [ancestor(i, "ro") for i in out["id"]]
    return out


def table(rows: list[tuple], dtype: str = "str") -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS).astype(dtype)


CASES = {
    "ward, room, bed": [("w", "wa", None), ("r", "ro", "w"), ("b", "bd", "r")],
    "bed straight on its ward": [("w", "wa", None), ("b", "bd", "w")],
    "ward without parent, site above nothing": [("w", "wa", "site"), ("b", "bd", "w")],
    "missing parent": [("b", "bd", "r"), ("r", "ro", "gone")],
    "cycle through a room": [("a", "ro", "b"), ("b", "bd", "a"), ("c", "bd", "a")],
    "cycle without ward or room": [("a", "bd", "b"), ("b", "bd", "a"), ("c", "bd", "a")],
    "own parent": [("a", "bd", "a"), ("w", "wa", "w")],
    "cycle above the start": [("b", "bd", "x"), ("x", "si", "y"), ("y", "si", "x")],
    "untyped between": [("w", "wa", None), ("x", None, "w"), ("b", "bd", "x")],
    "repeated id, last row wins": [("a", "wa", None), ("a", "bd", "z"), ("b", "bd", "a")],
    "row without id": [(None, "bd", "w"), ("w", "wa", None)],
    "nothing": [],
}


@pytest.mark.parametrize("dtype", ["str", "object"])
@pytest.mark.parametrize("case", CASES)
def test_edge_cases_as_the_plain_walk(case, dtype):
    locations = table(CASES[case], dtype)
    pd.testing.assert_frame_equal(with_hierarchy(locations), walked(locations))


def test_a_long_chain_and_a_long_cycle():
    chain = [(f"n{i}", "si", f"n{i + 1}") for i in range(200)] + [("n200", "wa", None)]
    loop = [(f"c{i}", "si", f"c{(i + 1) % 150}") for i in range(150)] + [("s", "bd", "c7")]
    locations = table(chain + loop)
    out = with_hierarchy(locations)
    pd.testing.assert_frame_equal(out, walked(locations))
    assert (out.loc[out["id"].str.startswith("n"), "ward_id"] == "n200").all()
    assert out.loc[out["id"].str.startswith(("c", "s")), "ward_id"].isna().all()


def test_random_forests_as_the_plain_walk():
    import random

    draw = random.Random(11)
    for _ in range(200):
        ids = [f"L{draw.randint(0, 30)}" for _ in range(draw.randint(1, 40))]
        rows = [
            (
                i,
                draw.choice(["wa", "ro", "bd", "si", None]),
                draw.choice([None, f"L{draw.randint(0, 35)}"]),
            )
            for i in ids
        ]
        locations = table(rows)
        pd.testing.assert_frame_equal(with_hierarchy(locations), walked(locations))


@pytest.mark.parametrize("shape", ["flat", "mii"])
def test_generated_networks_as_the_plain_walk(shape):
    network = generate(7, PRESETS["test"], AS_OF, shape=shape)
    locations = frames(network.resources["Location"], "Location")["location"]
    out = with_hierarchy(locations)
    pd.testing.assert_frame_equal(out, walked(locations))
    beds = out[out["physical_type"] == "bd"]
    assert beds["ward_id"].notna().all() and beds["room_id"].notna().all()


def test_a_source_of_wards_only():
    locations = table([("w1", "wa", None), ("w2", "wa", "site"), ("site", "si", None)])
    out = with_hierarchy(locations)
    pd.testing.assert_frame_equal(out, walked(locations))
    assert out["ward_id"].iloc[:2].tolist() == ["w1", "w2"] and pd.isna(out["ward_id"].iloc[2])
    assert out["room_id"].isna().all()
