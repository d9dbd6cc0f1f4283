"""Bed states (HL7 v2 table 0116) on small hand-made frames: one definition of a free bed for the
board, the capacity figures and the reports; block reasons; isolation of the patient in a bed;
beds whose source reports no state; the words and icons of the board."""

from __future__ import annotations

import pandas as pd
import pytest

from components.bed_board import STATUS_ICONS, board_table, status_summary, tile_markdown
from services.codes import (
    BED_BLOCK_REASON,
    BED_BLOCK_REASON_EXT,
    BED_STATUS,
    ISOLATION,
    PHYSICAL_TYPE,
)
from services.domain.bed_board import (
    free_by_category,
    isolation_by_patient,
    status_counts,
    ward_beds,
)
from services.domain.beds import NOT_FREE, bed_status_now, can_take_patient, in_service, occupancy
from services.domain.divi import divi_summary
from services.domain.reports import bed_counts
from services.domain.stays import current_placements
from services.frames import with_hierarchy
from services.views.ward import bed_board_view
from tests.support.frames import frames

pytestmark = pytest.mark.unit
NOW = pd.Timestamp("2026-11-29T10:00:00+01:00").tz_convert("Europe/Berlin")
CATEGORY = "https://fhir.medicus-bw.de/CodeSystem/bettenkategorie"
NO_TASKS = frames([], "Task")["task"]


def loc(id_, kind, part_of=None, status=None, reason=None):
    res = {
        "resourceType": "Location",
        "id": id_,
        "name": id_.upper(),
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": kind}]},
        "managingOrganization": {"reference": "Organization/h1"},
    }
    if part_of:
        res["partOf"] = {"reference": f"Location/{part_of}"}
    if kind == "bd":
        res["type"] = [{"coding": [{"system": CATEGORY, "code": "icu-low-care"}]}]
    if status:
        res["operationalStatus"] = {"system": BED_STATUS, "code": status}
    if reason:
        concept = {"coding": [{"system": BED_BLOCK_REASON, "code": reason}]}
        res["extension"] = [{"url": BED_BLOCK_REASON_EXT, "valueCodeableConcept": concept}]
    return res


def stay(id_, bed):
    start = "2026-11-27T09:00:00+01:00"
    return {
        "resourceType": "Encounter",
        "id": id_,
        "status": "in-progress",
        "class": {"code": "IMP"},
        "subject": {"reference": f"Patient/p-{id_}"},
        "serviceProvider": {"reference": "Organization/h1"},
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


def flag(id_, patient, code, status="active", end=None, system=ISOLATION):
    res = {
        "resourceType": "Flag",
        "id": id_,
        "status": status,
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": f"Patient/{patient}"},
        "period": {"start": "2026-11-27T09:00:00+01:00"} | ({"end": end} if end else {}),
    }
    return res


def beds_of(locations, encounters):
    locs = with_hierarchy(frames(locations, "Location")["location"])
    enc = frames(encounters, "Encounter")
    placed = current_placements(enc["encounter"], enc["encounter_location"], NOW)
    return locs, placed


@pytest.fixture
def ward():
    """Every state once, plus a bed the source calls closed that a patient lies in."""
    locations = [loc("w1", "wa"), loc("r1", "ro", "w1"), loc("r2", "ro", "w1")]
    states = [
        ("b1", "O", None),
        ("b2", "U", None),
        ("b3", "C", "personal"),
        ("b4", "H", None),
        ("b5", "I", "isolation"),
        ("b6", "K", None),
        ("b7", "C", "wartung"),
    ]
    locations += [loc(b, "bd", "r1", s, r) for b, s, r in states]
    encounters = [stay("e1", "b1"), stay("e7", "b7")]
    return beds_of(locations, encounters)


def test_only_an_unoccupied_bed_can_take_a_patient():
    states = pd.Series(["O", "U", "C", "H", "I", "K", None, "belegt"])
    assert can_take_patient(states).tolist() == [False, True] + [False] * 6


def test_every_state_and_reason_of_the_ward(ward):
    locs, placed = ward
    beds = bed_status_now(locs, placed).set_index("bed_id")
    assert beds["status"].to_dict() == {
        "b1": "O",
        "b2": "U",
        "b3": "C",
        "b4": "H",
        "b5": "I",
        "b6": "K",
        "b7": "O",
    }
    # A patient in a bed the source still calls closed: the bed is occupied, no reason shown.
    assert beds["block_reason"].dropna().to_dict() == {"b3": "personal", "b5": "isolation"}
    assert beds["status_known"].all()


def test_beds_keeping_a_few_columns_have_the_status_every_column_gives(ward):
    locs, placed = ward
    # A reservation ahead: the column that decides R is kept whatever the page asks for.
    held = (locs["id"] == "b2").map({True: NOW + pd.Timedelta(hours=2), False: pd.NaT})
    locs = locs.assign(reserved_until=pd.to_datetime(held, utc=True))
    full = bed_status_now(locs, placed, NOW)
    lean = bed_status_now(locs, placed, NOW, keep=["ward_id", "no_such_column"])
    assert "name" not in lean.columns and "ward_id" in lean.columns
    pd.testing.assert_frame_equal(lean, full[list(lean.columns)])
    assert lean.set_index("bed_id").loc["b2", "status"] == "R"


def test_free_is_counted_alike_by_board_capacity_and_reports(ward):
    locs, placed = ward
    beds = bed_status_now(locs, placed)
    figures = occupancy(beds, ["ward_id"]).iloc[0]
    assert (figures["total"], figures["occupied"], figures["free"]) == (7, 2, 1)
    assert (figures["blocked"], figures["closed"]) == (4, 1)
    assert figures["occupancy"] == pytest.approx(2 / 6)
    assert in_service(beds) == 6
    board = ward_beds(locs, placed, NO_TASKS, "w1", NOW)
    assert free_by_category(board)["free"].tolist() == [1]
    counts = bed_counts(beds)
    assert (counts["beds"], counts["occupied"], counts["available"]) == (6, 2, 1)
    divi = divi_summary(beds.assign(age_group="adult"))
    low = divi[(divi["category"] == "icu-low-care") & (divi["age_group"] == "adult")].iloc[0]
    assert (low["beds"], low["occupied"], low["free"], low["blocked"]) == (6, 2, 1, 3)


def test_beds_without_reported_state_are_free_or_occupied_and_claim_nothing_else():
    locations = [loc("w1", "wa"), loc("r1", "ro", "w1")]
    locations += [loc(b, "bd", "r1") for b in ("b1", "b2", "b3")]
    locs, placed = beds_of(locations, [stay("e1", "b1")])
    beds = bed_status_now(locs, placed).set_index("bed_id")
    assert beds["status"].to_dict() == {"b1": "O", "b2": "U", "b3": "U"}
    assert beds["status_known"].to_dict() == {"b1": True, "b2": False, "b3": False}
    figures = occupancy(beds.reset_index(), []).iloc[0]
    assert (figures["total"], figures["occupied"], figures["free"]) == (3, 1, 2)
    assert pd.isna(figures["blocked"]) and pd.isna(figures["closed"])
    assert figures["occupancy"] == pytest.approx(1 / 3)
    view = bed_board_view(locs, placed, NO_TASKS, "w1", NOW)
    assert view.unreported == 2
    free = view.board[view.board["bed_id"] == "b2"].iloc[0]
    assert "Status nicht gemeldet" in tile_markdown(free, "de")
    assert "status not reported" in tile_markdown(free, "en")
    assert STATUS_ICONS["U"] not in tile_markdown(free, "de")


def test_a_group_with_reported_states_keeps_its_counts_beside_one_without():
    locations = [loc("w1", "wa"), loc("r1", "ro", "w1"), loc("w2", "wa"), loc("r2", "ro", "w2")]
    locations += [loc("b1", "bd", "r1", "C", "wartung"), loc("b2", "bd", "r2")]
    locs, placed = beds_of(locations, [])
    per_ward = occupancy(bed_status_now(locs, placed), ["ward_id"]).set_index("ward_id")
    assert (per_ward.loc["w1", "blocked"], per_ward.loc["w1", "closed"]) == (1, 1)
    assert pd.isna(per_ward.loc["w2", "blocked"])


def test_isolation_of_the_patient_in_each_bed(ward):
    locs, placed = ward
    flags = frames(
        [
            flag("f1", "p-e1", "mrsa"),
            flag("f2", "p-e1", "covid-19"),
            flag("f3", "p-e1", "norovirus", status="inactive"),
            flag("f4", "p-e1", "3mrgn", end="2026-11-28T09:00:00+01:00"),
            flag("f5", "p-e1", "fall-risk", system="urn:other"),
            flag("f6", "p-e7", "4mrgn"),
            flag("f7", "p-nobody-here", "mrsa"),
        ],
        "Flag",
    )["flag"]
    found = isolation_by_patient(flags, NOW).set_index("patient_id")["isolation"].to_dict()
    assert found == {"p-e1": ("covid-19", "mrsa"), "p-e7": ("4mrgn",), "p-nobody-here": ("mrsa",)}
    board = ward_beds(locs, placed, NO_TASKS, "w1", NOW, flags=flags).set_index("bed_id")
    assert board.loc["b1", "isolation"] == ("covid-19", "mrsa")
    assert board.loc["b7", "isolation"] == ("4mrgn",)
    assert board.loc["b2", "isolation"] == ()
    assert isolation_by_patient(None, NOW).empty


@pytest.mark.parametrize(
    ("bed", "german", "english"),
    [
        ("b1", ["belegt", "Isolation: COVID-19, MRSA"], ["occupied", "Isolation: COVID-19, MRSA"]),
        ("b2", ["frei"], ["free"]),
        ("b3", ["gesperrt", "Grund: Personalmangel"], ["closed", "Reason: staff shortage"]),
        ("b4", ["in Reinigung"], ["housekeeping"]),
        ("b5", ["isoliert", "Grund: Isolierung im Zimmer"], ["isolated", "isolation of the room"]),
        ("b6", ["kontaminiert"], ["contaminated"]),
    ],
)
def test_each_state_in_words_and_with_an_icon(ward, bed, german, english):
    locs, placed = ward
    flags = frames([flag("f1", "p-e1", "mrsa"), flag("f2", "p-e1", "covid-19")], "Flag")["flag"]
    board = ward_beds(locs, placed, NO_TASKS, "w1", NOW, flags=flags)
    row = board[board["bed_id"] == bed].iloc[0]
    for lang, words in (("de", german), ("en", english)):
        tile = tile_markdown(row, lang)
        assert STATUS_ICONS[row["status"]] in tile
        for word in words:
            assert word.replace(":", r"\:") in tile or word in tile, (lang, word, tile)


def test_the_table_names_state_reason_and_isolation(ward):
    locs, placed = ward
    flags = frames([flag("f1", "p-e1", "mrsa")], "Flag")["flag"]
    board = ward_beds(locs, placed, NO_TASKS, "w1", NOW, flags=flags)
    table = board_table(board, "de").set_index("Bett")
    assert table.loc["B3", "Status"] == "gesperrt"
    assert table.loc["B3", "Sperrgrund"] == "Personalmangel"
    assert table.loc["B1", "Isolation"] == "MRSA"
    assert pd.isna(table.loc["B2", "Sperrgrund"]) and pd.isna(table.loc["B2", "Isolation"])
    summary = status_summary(status_counts(board), "en")
    assert all(word in summary for word in ("occupied 2", "free 1", "closed 1", "isolated 1"))


def test_a_full_ward_says_it_has_no_free_bed():
    summary = status_summary({"O": 6, "C": 1}, "de")
    assert "belegt 6" in summary and "frei 0" in summary and "gesperrt 1" in summary


def _occupancy_by_crosstab(beds: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """``occupancy`` as ``pd.crosstab`` spells it, one crosstab per figure: the rule the single
    grouping is held to."""
    beds = beds[beds["status"].notna()]
    keys = [beds[c].fillna("–") for c in by] or [pd.Series("all", index=beds.index)]
    by_status = pd.crosstab(keys, beds["status"])
    counts = by_status.reindex(columns=["O", *NOT_FREE], fill_value=0)
    free = pd.crosstab(keys, can_take_patient(beds["status"]))
    unknown = pd.crosstab(keys, ~beds["status_known"].astype(bool))
    out = pd.DataFrame(
        {
            "total": by_status.sum(axis=1),
            "occupied": counts["O"],
            "free": free.reindex(columns=[True], fill_value=0)[True],
            "blocked": counts[list(NOT_FREE)].sum(axis=1),
            "closed": counts["C"],
        }
    )
    known = unknown.reindex(columns=[True], fill_value=0)[True] == 0
    for column in ("blocked", "closed"):
        out[column] = out[column].astype("Int64").where(known)
    in_service = out["total"] - out["closed"].fillna(0)
    out["occupancy"] = (out["occupied"] / in_service.where(in_service > 0)).astype("Float64")
    return out.reset_index()


@pytest.mark.parametrize("rows", [0, 1, 9, 60])
def test_occupancy_counts_as_crosstab_does(rows):
    """``occupancy`` against the same figures by ``pd.crosstab``: groups sorted, unnamed keys
    named as crosstab names them, rows without a status left out."""
    import random

    draw = random.Random(rows)
    beds = pd.DataFrame(
        {
            "hospital_id": [draw.choice(["H2", "H1", None]) for _ in range(rows)],
            "ward_id": [draw.choice(["W1", "W2"]) for _ in range(rows)],
            "status": [draw.choice(["O", "U", "C", "H", "R", None]) for _ in range(rows)],
            "status_known": [draw.random() < 0.8 for _ in range(rows)],
        }
    ).astype({"hospital_id": "str", "ward_id": "str", "status": "str"})
    for by in ([], ["hospital_id"], ["hospital_id", "ward_id"]):
        found = occupancy(beds, by)
        if beds["status"].notna().any():
            pd.testing.assert_frame_equal(found, _occupancy_by_crosstab(beds, by))
        else:
            assert found.empty
        assert found["total"].sum() == beds["status"].notna().sum()
