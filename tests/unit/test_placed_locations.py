"""The kept Locations read is placed under its wards and rooms once, not on every page."""

from __future__ import annotations

import pandas as pd

from components import scope


def locations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["a", "a", "a"],
            "id": ["w1", "r1", "b1"],
            "part_of": [None, "w1", "r1"],
            "physical_type": ["wa", "ro", "bd"],
        }
    )


def test_the_same_frame_is_placed_once_and_a_new_one_again():
    kept = locations()
    first = scope._placed(kept)
    assert list(first["ward_id"]) == ["w1", "w1", "w1"]
    assert first["room_id"].isna().tolist() == [True, False, False]
    assert scope._placed(kept) is first
    changed = locations().assign(part_of=[None, "w1", None])
    again = scope._placed(changed)
    assert again is not first
    assert again["ward_id"].isna().tolist() == [False, False, True]
