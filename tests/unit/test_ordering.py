"""Beds in the order people count them ("1A-2" before "1A-10") on every list of beds: the sort key,
the bed board, the handover, the physician's list and a list of beds by name."""

from __future__ import annotations

import pandas as pd
import pytest

from services.codes import PHYSICAL_TYPE
from services.domain.bed_board import ward_beds
from services.domain.handover import handover
from services.domain.ordering import natural_key, natural_sort
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from services.views.inpatients import physician_worklist
from tests.support.frames import frames

pytestmark = pytest.mark.unit
NOW = pd.Timestamp("2026-03-02T11:00:00+01:00").tz_convert("Europe/Berlin")
# Ids that sort the other way round than the names, as a real source's ids may.
BEDS = {"b-a": "1A-10", "b-b": "1A-2", "b-c": "1A-1", "b-d": "1A-9"}


def test_digits_count_as_numbers_and_missing_names_go_last():
    names = pd.Series(["1A-10", "1a-2", None, "1A-1", "Zimmer 10", "Zimmer 9", "1B-1"])
    ordered = names.iloc[natural_key(names).argsort(kind="stable")]
    assert ordered.iloc[:-1].tolist() == ["1A-1", "1a-2", "1A-10", "1B-1", "Zimmer 9", "Zimmer 10"]
    assert pd.isna(ordered.iloc[-1])


def location(id_, name, kind, part_of=None):
    res = {
        "resourceType": "Location",
        "id": id_,
        "name": name,
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": kind}]},
    }
    if part_of:
        res["partOf"] = {"reference": f"Location/{part_of}"}
    return res


def stay(bed):
    start = "2026-03-01T09:00:00+01:00"
    return {
        "resourceType": "Encounter",
        "id": f"e-{bed}",
        "status": "in-progress",
        "class": {"code": "IMP"},
        "subject": {"reference": f"Patient/p-{bed}"},
        "period": {"start": start},
        "location": [
            {
                "location": {"reference": f"Location/{place}"},
                "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": kind}]},
                "status": "active",
                "period": {"start": start},
            }
            for place, kind in (("w1", "wa"), (bed, "bd"))
        ],
    }


@pytest.fixture(scope="module")
def ward():
    places = [location("w1", "Station 1A", "wa"), location("r1", "Zimmer 1", "ro", "w1")]
    places += [location(bed, name, "bd", "r1") for bed, name in BEDS.items()]
    locations = with_hierarchy(frames(places, "Location")["location"])
    enc = frames([stay(bed) for bed in BEDS], "Encounter")
    placed = current_placements(enc["encounter"], enc["encounter_location"], NOW)
    return locations, placed, enc["encounter_location"]


IN_ORDER = ["1A-1", "1A-2", "1A-9", "1A-10"]


def test_the_bed_board_counts_beds_like_people_do(ward):
    locations, placed, _ = ward
    board = ward_beds(locations, placed, frames([], "Task")["task"], "w1", NOW)
    assert board["bed"].tolist() == IN_ORDER


def test_the_handover_reads_the_beds_out_in_order(ward):
    locations, placed, enc_locations = ward
    result = handover(
        placed,
        enc_locations,
        locations,
        frames([], "Task")["task"],
        frames([], "Observation")["observation"],
        "w1",
        NOW,
    )
    assert result.patients["bed"].tolist() == IN_ORDER


def test_the_physicians_worklist_too_when_nothing_ranks_one_above_another(ward):
    locations, placed, _ = ward
    # Admitted a day ago and more, no vitals, no results, no planned discharge: beds decide.
    view = physician_worklist(placed, locations, None, NOW, NOW - pd.Timedelta(hours=24))
    assert view.rows["bed"].tolist() == IN_ORDER
    assert view.rows["reasons"].map(len).eq(0).all()


def test_a_list_of_beds_sorts_by_name(ward):
    locations, _, _ = ward
    beds = locations[locations["physical_type"] == "bd"]
    assert natural_sort(beds, ["name"])["name"].tolist() == IN_ORDER
