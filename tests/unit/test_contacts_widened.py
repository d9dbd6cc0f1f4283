"""A stay's earlier contacts found by another read are mapped to the stay the ward read knows."""

from __future__ import annotations

import pandas as pd

from services.frames.contacts import has_lower_levels, widened

W = "versorgungsstellenkontakt"
A = "abteilungskontakt"
E = "einrichtungskontakt"


def contacts(rows):
    return pd.DataFrame(rows, columns=["source", "encounter_id", "stay_id", "level"])


def test_earlier_ward_contacts_of_the_same_stay_map_to_the_ward_reads_stay():
    # The ward read holds only the contact on the ward now; its stay is that contact itself.
    ward = contacts([("a", "w2", "w2", W), ("a", "x1", "x1", W)])
    # Read by patient: the whole stay of w2 (head e1), and another patient's stay of x1.
    more = contacts(
        [
            ("a", "e1", "e1", E),
            ("a", "d1", "e1", A),
            ("a", "w1", "e1", W),
            ("a", "w2", "e1", W),
            ("a", "e9", "e9", E),
            ("a", "w9", "e9", W),
        ]
    )
    out = widened(ward, more).set_index("encounter_id")["stay_id"].to_dict()
    assert out == {"w2": "w2", "x1": "x1", "e1": "w2", "d1": "w2", "w1": "w2"}


def test_an_equal_id_at_another_source_is_another_stay():
    ward = contacts([("a", "w2", "w2", W)])
    more = contacts([("b", "w2", "e1", W), ("b", "w1", "e1", W)])
    assert widened(ward, more).equals(ward)


def test_a_contact_of_the_ward_read_keeps_its_stay():
    ward = contacts([("a", "e1", "e1", E), ("a", "w2", "e1", W)])
    more = contacts([("a", "e1", "e1", E), ("a", "w2", "e1", W), ("a", "w1", "e1", W)])
    out = widened(ward, more)
    assert list(out["encounter_id"]) == ["e1", "w2", "w1"]
    assert set(out["stay_id"]) == {"e1"}


def test_only_contact_levels_below_the_stay_call_for_the_read():
    assert not has_lower_levels(None)
    assert not has_lower_levels(contacts([("a", "s1", "s1", None)]))
    assert not has_lower_levels(contacts([("a", "e1", "e1", E)]))
    assert has_lower_levels(contacts([("a", "w1", "w1", W)]))
