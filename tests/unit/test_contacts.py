"""MII contact levels collapse into one stay per Einrichtungskontakt; stays left open are flagged.

Small hand-written MII-shaped encounter sets, and the real UKHD export read through the app's own
extractors (no server needed).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from demo_data import PRESETS, generate
from demo_data.timeutil import BERLIN
from services.codes import (
    FACHABTEILUNG_ERWEITERT,
    IDENTIFIER_TYPE_V2,
    KONTAKTEBENE,
    MII_LOCATION_ID,
    PHYSICAL_TYPE,
)
from services.config import StaleStays
from services.domain.beds import bed_status_now, has_beds, occupancy
from services.domain.census import (
    ENCOUNTER_ELEMENTS,
    census_dates,
    daily_flows,
    length_of_stay,
    midnight,
    midnight_census,
    ward_periods,
)
from services.domain.forecast import forecast_census, inpatient_stays, stays_at
from services.domain.stays import (
    current_placements,
    in_hospitals,
    open_stay_limits,
    stale_stays,
    typed_places,
)
from services.frames import KINDS, Collector, finish, with_hierarchy
from services.frames.contacts import stay_of
from tests.support.frames import frames

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
# Beside the main checkout (../shared); a worktree of it sits one level deeper.
REALDATA = next(
    (
        p / "shared" / "realdata"
        for p in (REPO.parent, REPO.parent.parent)
        if (p / "shared").is_dir()
    ),
    REPO.parent / "shared" / "realdata",
)
NOW = pd.Timestamp("2026-11-29T10:00:00+01:00").tz_convert("Europe/Berlin")
CASES = "urn:oid:1.2.276.0.76.3.1.78.1.1.10.60.1.2"


def contact(
    id_: str,
    level: str,
    status: str = "in-progress",
    *,
    part_of: str | None = None,
    case: str = "0064441116",
    by_case: bool = False,
    start: str = "2026-11-20T09:00:00+01:00",
    end: str | None = None,
    department: str | None = None,
    places: list | None = None,
    patient: str = "0002690836",
) -> dict:
    """One MII Kontakt: ``part_of`` a literal reference, ``by_case`` the logical one."""
    res = {
        "resourceType": "Encounter",
        "id": id_,
        "identifier": [
            {
                "type": {"coding": [{"system": IDENTIFIER_TYPE_V2, "code": "VN"}]},
                "system": CASES,
                "value": case,
            }
        ],
        "status": status,
        "class": {"code": "IMP"},
        "type": [{"coding": [{"system": KONTAKTEBENE, "code": level}]}],
        "subject": {"reference": f"Patient/{patient}"},
        "period": {"start": start} | ({"end": end} if end else {}),
    }
    if level == "einrichtungskontakt":
        res["serviceProvider"] = {"identifier": {"system": MII_LOCATION_ID, "value": "UKHD"}}
    else:
        # A department's own org unit, not a hospital.
        res["serviceProvider"] = {"identifier": {"system": "urn:foe", "value": "00371000"}}
    if part_of or by_case:
        res["partOf"] = {}
        if part_of:
            res["partOf"]["reference"] = f"Encounter/{part_of}"
        if by_case:
            res["partOf"]["identifier"] = {"system": CASES, "value": case}
    if department:
        res["serviceType"] = {"coding": [{"system": FACHABTEILUNG_ERWEITERT, "code": department}]}
    if places:
        res["location"] = places
    return res


def place(location: str, kind: str, start: str, end: str | None = None) -> dict:
    return {
        "location": {"reference": f"Location/{location}"},
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": kind}]},
        "status": "active" if end is None else "completed",
        "period": {"start": start} | ({"end": end} if end else {}),
    }


MOVED = "2026-11-24T12:00:00+01:00"


def three_levels() -> list[dict]:
    """Admitted to surgery (ward W1), moved to internal medicine (ward W2, bed B2)."""
    first, second = "2026-11-20T09:00:00+01:00", MOVED
    return [
        contact("c-e", "einrichtungskontakt", case="C1"),
        contact(
            "c-a1",
            "abteilungskontakt",
            "finished",
            part_of="c-e",
            case="C1",
            end=second,
            department="1500",
            # The department level carries the ward too: it must not count twice.
            places=[place("W1", "wa", first, second)],
        ),
        contact(
            "c-a2",
            "abteilungskontakt",
            part_of="c-e",
            case="C1",
            start=second,
            department="0100",
            places=[place("W2", "wa", second)],
        ),
        contact(
            "c-v1",
            "versorgungsstellenkontakt",
            "finished",
            part_of="c-a1",
            case="C1",
            end=second,
            places=[place("W1", "wa", first, second)],
        ),
        contact(
            "c-v2",
            "versorgungsstellenkontakt",
            part_of="c-a2",
            case="C1",
            start=second,
            places=[place("W2", "wa", second), place("B2", "bd", second)],
        ),
    ]


def test_three_levels_are_one_stay_with_the_current_department_and_the_lowest_places():
    tables = frames(three_levels(), "Encounter", source="UKHD")
    stays = tables["encounter"]
    assert list(stays["id"]) == ["c-e"]
    stay = stays.iloc[0]
    assert stay["status"] == "in-progress"
    assert stay["department"] == "0100"
    assert stay["hospital_id"] == "UKHD"
    assert stay["case_number"] == "C1"
    assert stay["start"] == pd.Timestamp("2026-11-20T09:00:00+01:00")
    places = tables["encounter_location"]
    assert (places["encounter_id"] == "c-e").all()
    assert sorted(zip(places["location_id"], places["physical_type"], strict=True)) == [
        ("B2", "bd"),
        ("W1", "wa"),
        ("W2", "wa"),
    ]
    contacts = tables["encounter_contact"]
    assert sorted(contacts["encounter_id"]) == ["c-a1", "c-a2", "c-e", "c-v1", "c-v2"]
    assert (contacts["stay_id"] == "c-e").all()
    assert dict(zip(contacts["encounter_id"], contacts["level"], strict=True))["c-v2"] == (
        "versorgungsstellenkontakt"
    )

    placed = current_placements(stays, places, NOW)
    assert list(placed["encounter_id"]) == ["c-e"]
    assert (placed["ward_id"].iloc[0], placed["bed_id"].iloc[0]) == ("W2", "B2")


def test_levels_linked_only_by_the_case_number_are_one_stay():
    encounters = [
        contact("e", "einrichtungskontakt", case="C2", start="2026-11-01T08:00:00+01:00"),
        contact("a", "abteilungskontakt", by_case=True, case="C2", department="2300"),
        contact("v", "versorgungsstellenkontakt", by_case=True, case="C2"),
        # Another stay of the same patient stays apart.
        contact("e2", "einrichtungskontakt", "finished", case="C3", end="2026-10-05T10:00:00Z"),
    ]
    stays = frames(encounters, "Encounter")["encounter"]
    assert list(stays["id"]) == ["e", "e2"]
    first = stays.iloc[0]
    assert first["department"] == "2300"
    # Start and status are the Einrichtungskontakt's, not the members'.
    assert first["start"] == pd.Timestamp("2026-11-01T08:00:00+01:00")


def test_equal_case_numbers_of_two_hospitals_are_two_stays():
    other = "urn:oid:other-hospital"
    mine = [
        contact("h1-e", "einrichtungskontakt", case="C1"),
        contact("h1-a", "abteilungskontakt", case="C1", by_case=True, department="0100"),
    ]
    theirs = [
        contact("h2-e", "einrichtungskontakt", case="C1"),
        contact("h2-a", "abteilungskontakt", case="C1", by_case=True, department="1500"),
    ]
    for res in theirs:
        res["identifier"][0]["system"] = other
    theirs[1]["partOf"]["identifier"]["system"] = other
    tables = frames(mine + theirs, "Encounter", source="UKHD")
    assert sorted(tables["encounter"]["id"]) == ["h1-e", "h2-e"]
    contacts = tables["encounter_contact"].set_index("encounter_id")["stay_id"]
    assert contacts.to_dict() == {"h1-e": "h1-e", "h1-a": "h1-e", "h2-e": "h2-e", "h2-a": "h2-e"}


def test_levels_whose_parent_was_not_read_are_one_stay_headed_by_the_highest_level():
    encounters = [
        contact(
            "v2",
            "versorgungsstellenkontakt",
            part_of="a-missing",
            start="2026-11-22T10:00:00+01:00",
            places=[place("W2", "wa", "2026-11-22T10:00:00+01:00")],
        ),
        contact(
            "v1",
            "versorgungsstellenkontakt",
            "finished",
            part_of="a-missing",
            start="2026-11-20T10:00:00+01:00",
            end="2026-11-22T10:00:00+01:00",
            places=[place("W1", "wa", "2026-11-20T10:00:00+01:00", "2026-11-22T10:00:00+01:00")],
        ),
        # A logical reference to a stay not in the read joins only its own case.
        contact("x", "abteilungskontakt", "finished", by_case=True, case="C9", end=MOVED),
    ]
    tables = frames(encounters, "Encounter", source="S")
    stays = tables["encounter"].set_index("id")
    assert sorted(stays.index) == ["v1", "x"]
    assert stays.loc["v1", "status"] == "in-progress"
    assert pd.isna(stays.loc["v1", "end"])
    assert stays.loc["v1", "start"] == pd.Timestamp("2026-11-20T10:00:00+01:00")
    assert stays.loc["x", "end"] == pd.Timestamp(MOVED)
    # No Einrichtungskontakt names a hospital: the source's name stands in.
    assert (stays["hospital_id"] == "S").all()
    places = tables["encounter_location"]
    assert sorted(places["location_id"]) == ["W1", "W2"] and (places["encounter_id"] == "v1").all()


def test_entered_in_error_and_cancelled_contacts_are_no_stays():
    encounters = [
        # The whole stay was entered in error: none of its levels counts.
        contact("bad-e", "einrichtungskontakt", "entered-in-error", case="B"),
        contact("bad-a", "abteilungskontakt", "cancelled", part_of="bad-e", case="B"),
        contact("bad-v", "versorgungsstellenkontakt", part_of="bad-a", case="B"),
        # A cancelled department contact of a real stay adds nothing to it.
        contact("ok-e", "einrichtungskontakt", case="K"),
        contact("ok-a", "abteilungskontakt", part_of="ok-e", case="K", department="0100"),
        contact(
            "ok-x",
            "abteilungskontakt",
            "cancelled",
            part_of="ok-e",
            case="K",
            start="2026-11-25T09:00:00+01:00",
            department="3300",
            places=[place("W9", "wa", "2026-11-25T09:00:00+01:00")],
        ),
        # Only cancelled members and no Einrichtungskontakt: nothing.
        contact("gone-a", "abteilungskontakt", "cancelled", by_case=True, case="G"),
    ]
    tables = frames(encounters, "Encounter")
    stays = tables["encounter"]
    assert list(stays["id"]) == ["ok-e"]
    assert stays["department"].iloc[0] == "0100"
    assert tables["encounter_location"].empty
    contacts = tables["encounter_contact"]
    assert sorted(contacts["encounter_id"]) == ["ok-a", "ok-e", "ok-x"]


def test_flat_encounters_come_out_unchanged():
    network = generate(7, PRESETS["test"], datetime(2025, 11, 28, 10, 0, tzinfo=BERLIN))
    collector = Collector(KINDS, "Encounter", source="S")
    collector.feed(network.resources["Encounter"])
    extracted = collector.frames()
    finished = finish(dict(extracted))
    for name in ("encounter", "encounter_location"):
        pd.testing.assert_frame_equal(finished[name], extracted[name])
    contacts = finished["encounter_contact"]
    assert list(contacts["encounter_id"]) == list(extracted["encounter"]["id"])
    assert (contacts["stay_id"] == contacts["encounter_id"]).all()


def test_a_condition_on_a_lower_level_maps_to_its_stay():
    contacts = frames(three_levels(), "Encounter")["encounter_contact"]
    conditions = pd.DataFrame(
        {"source": ["S", "S", "S"], "encounter_id": ["c-v2", "c-a1", "elsewhere"]}
    )
    assert list(stay_of(conditions, contacts)) == ["c-e", "c-e", "elsewhere"]


def test_the_census_search_asks_for_what_the_collapse_needs():
    assert {"type", "partOf", "identifier", "status", "period", "location"} <= set(
        ENCOUNTER_ELEMENTS
    )


def test_length_of_stay_counts_a_stay_once():
    encounters = [
        contact("e", "einrichtungskontakt", "finished", case="L", end="2026-11-25T09:00:00+01:00"),
        contact(
            "a",
            "abteilungskontakt",
            "finished",
            part_of="e",
            case="L",
            end="2026-11-25T09:00:00+01:00",
            department="0100",
        ),
    ]
    stays = frames(encounters, "Encounter")["encounter"]
    los = length_of_stay(stays, pd.Timestamp("2026-11-01", tz="Europe/Berlin"), NOW)
    assert list(los["stays"]) == [1] and los["mean_days"].iloc[0] == 5.0


# --- the real UKHD export -------------------------------------------------------------------------


def raw_encounters() -> list[dict]:
    resources = []
    for path in sorted((REALDATA / "ukhd").glob("*.json")):
        bundle = json.loads(path.read_text(encoding="utf-8"))
        resources += [e["resource"] for e in bundle.get("entry", ())]
    return [r for r in resources if r.get("resourceType") == "Encounter"]


def level_of(resource: dict) -> str | None:
    for concept in resource.get("type", ()):
        for coding in concept.get("coding", ()):
            if coding.get("system") == KONTAKTEBENE:
                return coding.get("code")
    return None


def case_of(resource: dict) -> str:
    for ident in resource.get("identifier", ()):
        codes = [c.get("code") for c in ident.get("type", {}).get("coding", ())]
        if "VN" in codes:
            return ident["value"]
    raise AssertionError(resource["id"])


def test_ukhd_export_gives_one_stay_per_einrichtungskontakt():
    resources = raw_encounters()
    assert len(resources) == 158
    collector = Collector(KINDS, "Encounter", source="UKHD")
    collector.feed(resources)
    tables = finish(collector.frames())
    stays = tables["encounter"]

    # Counted from the raw bundle: a case is a stay unless its Einrichtungskontakt, or (without
    # one) every contact of it, is entered in error or cancelled.
    void = ("entered-in-error", "cancelled")
    by_case: dict[str, list[dict]] = {}
    for res in resources:
        by_case.setdefault(case_of(res), []).append(res)
    heads = {
        case: [r for r in rs if level_of(r) == "einrichtungskontakt"]
        for case, rs in by_case.items()
    }
    expected = {
        case
        for case, rs in by_case.items()
        if (heads[case] and heads[case][0]["status"] not in void)
        or (not heads[case] and any(r["status"] not in void for r in rs))
    }
    assert len(stays) == len(expected) == stays["case_number"].nunique()
    assert set(stays["case_number"]) == expected
    valid_heads = {r["id"] for rs in heads.values() for r in rs if r["status"] not in void}
    assert valid_heads and valid_heads <= set(stays["id"])
    # Each kept stay headed by an Einrichtungskontakt carries its status and start.
    for res in resources:
        if res["id"] in valid_heads:
            row = stays[stays["id"] == res["id"]].iloc[0]
            assert row["status"] == res["status"]
            assert row["start"] == pd.Timestamp(res["period"]["start"])
    # Every level of a kept stay maps to it, and nothing of a voided stay is left.
    contacts = tables["encounter_contact"]
    assert set(contacts["stay_id"]) == set(stays["id"])
    assert contacts["encounter_id"].is_unique
    in_progress = {
        case
        for case in expected
        if (heads[case] and heads[case][0]["status"] == "in-progress")
        or (not heads[case] and any(r["status"] == "in-progress" for r in by_case[case]))
    }
    assert set(stays[stays["status"] == "in-progress"]["case_number"]) == in_progress
    # The hospital comes from the Einrichtungskontakt's serviceProvider identifier.
    assert set(stays["hospital_id"]) == {"UKHD"}


def test_ukhd_open_stays_are_flagged_not_counted():
    collector = Collector(KINDS, "Encounter", source="UKHD")
    collector.feed(raw_encounters())
    stays = finish(collector.frames())["encounter"]
    # The export is of 2025-12-02: a year later both open inpatient stays are over 365 days old.
    later = pd.Timestamp("2026-12-02T12:00:00+01:00").tz_convert("Europe/Berlin")
    flagged = stale_stays(stays, later)
    open_inpatient = stays[(stays["status"] == "in-progress") & (stays["class"] == "IMP")]
    assert len(open_inpatient) == 2
    assert set(flagged["id"]) == set(open_inpatient["id"])
    assert (flagged["limit_days"] == 365).all() and (flagged["days_open"] > 365).all()
    assert current_placements(stays, finish(collector.frames())["encounter_location"], later).empty
    # On the day of the export they were current.
    on_export = pd.Timestamp("2025-12-02T12:00:00+01:00").tz_convert("Europe/Berlin")
    assert stale_stays(stays, on_export).empty


# --- stays left open -----------------------------------------------------------------------------


def flat(id_: str, start: str, end: str | None = None, source_status: str | None = None) -> dict:
    res = {
        "resourceType": "Encounter",
        "id": id_,
        "status": source_status or ("finished" if end else "in-progress"),
        "class": {"code": "IMP"},
        "serviceProvider": {"reference": "Organization/h1"},
        "period": {"start": start} | ({"end": end} if end else {}),
    }
    return res


def finished_stays(days: list[int]) -> list[dict]:
    out = []
    for n, length in enumerate(days):
        start = pd.Timestamp("2026-01-01T08:00:00+01:00") + pd.Timedelta(days=n % 200)
        end = start + pd.Timedelta(days=length)
        out.append(flat(f"f{n}", start.isoformat(), end.isoformat()))
    return out


def test_limit_is_the_99th_percentile_of_finished_stays_within_bounds():
    long_tail = [5] * 150 + [60] * 3  # p99 is 60 days
    encounters = [
        *finished_stays(long_tail),
        flat("open-long", "2026-09-01T08:00:00+02:00"),
        flat("open-short", "2026-11-01T08:00:00+01:00"),
    ]
    stays = frames(encounters, "Encounter")["encounter"]
    limits = open_stay_limits(stays)
    assert 55 < limits["S"] <= 60
    flagged = stale_stays(stays, NOW)
    assert list(flagged["id"]) == ["open-long"]
    placed = current_placements(stays, frames(encounters, "Encounter")["encounter_location"], NOW)
    assert list(placed["encounter_id"]) == ["open-short"]
    # Short stays only: the floor keeps a four-week stay current.
    short = frames(finished_stays([2] * 150), "Encounter")["encounter"]
    assert open_stay_limits(short)["S"] == StaleStays().min_days
    # A fixed limit from the settings wins.
    assert list(stale_stays(stays, NOW, StaleStays(days=20))["id"]) == ["open-long", "open-short"]


def test_without_enough_finished_stays_the_limit_is_a_year():
    encounters = [
        flat("old", "2025-06-01T08:00:00+02:00"),
        flat("new", "2026-06-01T08:00:00+02:00"),
    ]
    stays = frames(encounters, "Encounter")["encounter"]
    assert open_stay_limits(stays)["S"] == 365
    assert list(stale_stays(stays, NOW)["id"]) == ["old"]


def on_ward(res: dict, ward: str = "W1") -> dict:
    """The encounter with one ward period from its start, left open even when the stay ended."""
    return res | {"location": [place(ward, "wa", res["period"]["start"])]}


def test_a_stay_left_open_counts_in_the_census_up_to_its_limit_only():
    encounters = [
        *finished_stays([5] * 150),  # the limit is the floor: 30 days
        on_ward(flat("open-long", "2026-09-01T08:00:00+02:00")),
        on_ward(flat("open-short", "2026-11-01T08:00:00+01:00")),
        on_ward(flat("done", "2026-10-01T08:00:00+02:00", "2026-10-05T08:00:00+02:00")),
    ]
    tables = frames(encounters, "Encounter")
    stays = tables["encounter"]
    start = midnight(date(2026, 8, 25))
    days = census_dates(start, NOW)
    periods = ward_periods(stays, tables["encounter_location"])
    got = midnight_census(periods, days).set_index("date")["census"]

    def expected(day: date) -> int:
        long_ = date(2026, 9, 2) <= day <= date(2026, 10, 1)  # until 1 October 08:00
        done = date(2026, 10, 2) <= day <= date(2026, 10, 5)  # ward left open, stay ended
        short = date(2026, 11, 2) <= day  # not yet past its limit
        return int(long_) + int(done) + int(short)

    assert {d: int(got[d]) for d in days} == {d: expected(d) for d in days}
    # The last midnight agrees with the current inpatients: only the stay within its limit.
    placed = current_placements(stays, tables["encounter_location"], NOW)
    assert list(placed["encounter_id"]) == ["open-short"] and got[days[-1]] == 1
    # The forecast's history counts the same stays, and nobody was discharged from open-long.
    forecast_stays = inpatient_stays(stays)
    assert [int(stays_at(forecast_stays, midnight(d)).sum()) for d in days] == list(got)
    flows = daily_flows(periods, days)
    assert flows["discharges"].sum() == 1
    # A fixed limit from the settings moves the end of the count with it.
    fixed = ward_periods(stays, tables["encounter_location"], StaleStays(days=10))
    long_end = fixed[fixed["encounter_id"] == "open-long"]["end"].iloc[0]
    assert long_end == pd.Timestamp("2026-09-11T08:00:00+02:00")


def test_a_stay_left_open_gives_no_length_to_the_forecast():
    encounters = [*finished_stays([5] * 150), flat("open-long", "2026-09-01T08:00:00+02:00")]
    stays = inpatient_stays(frames(encounters, "Encounter")["encounter"])
    opened = stays[stays["status"] == "in-progress"]
    assert opened["end"].iloc[0] == pd.Timestamp("2026-10-01T08:00:00+02:00")
    coming = forecast_census(stays, NOW)
    # Only the finished five-day stays (long over) and no arrivals lately: nothing expected.
    assert coming["expected"].max() < 0.5


# --- hospital scope and untyped places -----------------------------------------------------------


def test_a_hospital_named_only_by_identifier_scopes_its_stays_with_every_level():
    tables = frames(
        [*three_levels(), flat("elsewhere", "2026-11-21T08:00:00+01:00")],
        "Encounter",
        source="UKHD",
    )
    mine = in_hospitals(tables, ["UKHD"])
    assert list(mine["encounter"]["id"]) == ["c-e"]
    # The levels below name a department, not the hospital: their wards still come along.
    assert set(mine["encounter_location"]["location_id"]) == {"W1", "W2", "B2"}
    assert set(mine["encounter_contact"]["stay_id"]) == {"c-e"}
    placed = current_placements(mine["encounter"], mine["encounter_location"], NOW)
    assert list(zip(placed["ward_id"], placed["bed_id"], strict=True)) == [("W2", "B2")]
    assert list(in_hospitals(tables, ["h1"])["encounter"]["id"]) == ["elsewhere"]
    assert in_hospitals(tables, ["other"])["encounter"].empty
    assert in_hospitals(tables, []) is tables


def test_a_ward_given_without_physical_type_takes_it_from_the_location():
    untyped = {k: v for k, v in place("W2", "wa", MOVED).items() if k != "physicalType"}
    levels = three_levels()
    levels[-1]["location"] = [untyped, place("B2", "bd", MOVED)]
    tables = frames(levels, "Encounter", source="UKHD")
    assert tables["encounter_location"]["physical_type"].isna().any()
    locations = frames(
        [
            {
                "resourceType": "Location",
                "id": ward,
                "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": "wa"}]},
            }
            for ward in ("W1", "W2")
        ],
        "Location",
        source="UKHD",
    )["location"]
    before = current_placements(tables["encounter"], tables["encounter_location"], NOW)
    assert before["ward_id"].isna().all()
    typed = typed_places(tables["encounter_location"], locations)
    placed = current_placements(tables["encounter"], typed, NOW)
    assert list(zip(placed["ward_id"], placed["bed_id"], strict=True)) == [("W2", "B2")]
    # A Location of another source with the same id says nothing about this one.
    elsewhere = locations.assign(source="other")
    assert typed_places(tables["encounter_location"], elsewhere)["physical_type"].isna().any()


# --- wards without beds -------------------------------------------------------------------------


def test_a_source_with_wards_but_no_beds_gives_no_beds_and_no_error():
    ward = {
        "resourceType": "Location",
        "id": "w1",
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": "wa"}]},
    }
    locations = with_hierarchy(frames([ward], "Location")["location"])
    encounters = [
        flat("e1", "2026-11-28T08:00:00+01:00") | {"location": [place("w1", "wa", "2026-11-28")]}
    ]
    tables = frames(encounters, "Encounter")
    placed = current_placements(tables["encounter"], tables["encounter_location"], NOW)
    assert list(placed["ward_id"]) == ["w1"] and placed["bed_id"].isna().all()
    assert not has_beds(locations)
    beds = bed_status_now(locations, placed)
    assert beds.empty
    assert occupancy(beds, ["hospital_id"]).empty
    assert beds.empty == bed_status_now(locations.iloc[:0], placed.iloc[:0]).empty


def test_a_location_without_managing_organization_takes_its_standorts_hospital():
    site = {
        "resourceType": "Location",
        "id": "site",
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": "si"}]},
        "managingOrganization": {"identifier": {"system": MII_LOCATION_ID, "value": "UKHD"}},
    }
    room = {
        "resourceType": "Location",
        "id": "room",
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": "ro"}]},
        "partOf": {"reference": "Location/site"},
    }
    bed = room | {
        "id": "bed",
        "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": "bd"}]},
        "partOf": {"reference": "Location/room"},
    }
    locations = frames([bed, room, site], "Location")["location"]
    assert list(locations["hospital_id"]) == ["UKHD"] * 3
    assert with_hierarchy(locations).set_index("id").loc["bed", "room_id"] == "room"


def _render_without_beds() -> None:
    import pandas as pd

    from components.ward_census import stale_note, wards_without_beds

    placed = pd.DataFrame(
        {
            "source": ["S", "S", "S"],
            "hospital_id": ["UKHD", "UKHD", "UKHD"],
            "ward_id": ["w1", "w1", None],
        }
    ).astype("str")
    placed.loc[2, "ward_id"] = None
    locations = pd.DataFrame({"id": ["w1"], "name": [None]})
    wards_without_beds(placed, locations, {})
    stale = pd.DataFrame({"id": ["old"], "limit_days": [365.0]})
    stale_note(stale)


def test_a_page_without_beds_says_so_and_shows_patients_per_ward_in_words():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_render_without_beds).run()
    assert not at.exception
    assert at.info[0].value == "Diese Quelle meldet keine Betten; Belegung nur je Station."
    table = at.dataframe[0].value
    assert list(table["Station"]) == ["w1", "ohne Station"]
    assert list(table["Patienten jetzt"]) == ["2", "1"]
    shown = table.astype(str).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaN", "<NA>"} & set(shown)
    assert at.caption[0].value == "1 Aufenthalte seit über 365 Tagen offen – nicht mitgezählt."
