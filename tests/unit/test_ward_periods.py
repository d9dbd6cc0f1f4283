"""The tables the store keeps computed beside the extracted ones: the ward periods
(``ward_period``, one row per ward entry of an inpatient stay in order, with its Berlin days)
and the places of the open stays (``open_place``, their ward, room and bed entries). Written by
the merge; kept right by increments (a changed stay's rows replaced, a deleted stay's removed,
the last version winning); computed anew when Locations change or a store was written without
them; and the figures read from them equal to the pandas path after each of these."""

from __future__ import annotations

import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from services import analytics, store
from services.config import Settings, SourceConfig
from tests.unit.test_analytics import (
    NOW,
    START,
    WARDS,
    _assert_same,
    _flat,
    _locations,
    _pandas_path,
    _stay,
    _tables,
)

pytestmark = pytest.mark.unit

SOURCE = "Flat"
EPOCH = pd.Timestamp("1970-01-01").date()


def _rows(store_dir) -> pd.DataFrame:
    """The stored ward periods of the source, in a stable order."""
    files = sorted(
        analytics._derived_dir(store_dir, SOURCE, analytics.WARD_PERIOD).glob(
            "month=*/data.parquet"
        )
    )
    if not files:
        return pd.DataFrame(columns=analytics.WARD_PERIOD_SCHEMA.names)
    frame = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    return frame.sort_values(["encounter_id", "step"]).reset_index(drop=True)


def _places(store_dir) -> pd.DataFrame:
    """The stored places of the source's open stays, in a stable order."""
    out = analytics._derived_dir(store_dir, SOURCE, analytics.OPEN_PLACE)
    files = sorted(out.glob("month=*/data.parquet"))
    if not files:
        return pd.DataFrame(columns=analytics.OPEN_PLACE_SCHEMA.names)
    frame = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    return frame.sort_values(["encounter_id", "start_us", "location_id"]).reset_index(drop=True)


def _of(rows: pd.DataFrame, stay: str) -> pd.DataFrame:
    return rows[rows["encounter_id"] == stay].reset_index(drop=True)


def _us(text: str) -> int:
    return pd.Timestamp(text).value // 1000


def _day(text: str) -> int:
    return (pd.Timestamp(text).tz_convert("Europe/Berlin").date() - EPOCH).days


@pytest.fixture
def settings(tmp_path) -> Settings:
    store.merge(tmp_path, SOURCE, _tables(_flat(), "Encounter", SOURCE), full=True)
    store.merge(tmp_path, SOURCE, _tables(_locations(), "Location", SOURCE), full=True)
    return Settings(
        sources=(SourceConfig(name=SOURCE, url="http://flat.invalid/fhir"),), store_dir=tmp_path
    )


def test_the_merge_writes_one_row_per_ward_period_in_order(settings):
    rows = _rows(settings.store_dir)
    # Every inpatient stay's ward entries, the cancelled and the old ones too: which stays a
    # window counts is decided when it is read.
    assert set(rows["encounter_id"]) == {
        "across", "sameday", "moved", "open", "left-open", "void", "old"
    }  # fmt: skip
    moved = _of(rows, "moved")
    assert moved["ward_id"].tolist() == ["WA", "WB", "WC"]
    assert moved["step"].tolist() == [0, 1, 2]
    assert moved["previous_ward"].fillna("").tolist() == ["", "WA", "WB"]
    assert moved["last_ward"].tolist() == [False, False, True]
    # Moved at 23:59 and at 00:00 (Berlin): the 23:59 ward's first midnight is the next day's,
    # the 00:00 ward's is its own day.
    assert moved["start_day"].tolist() == [_day("2026-11-13T12:00+01:00")] * 2 + [
        _day("2026-11-14T12:00+01:00")
    ]
    assert moved["start_midnight"].tolist() == [_day("2026-11-14T12:00+01:00")] * 3
    assert moved["end_midnight"].tolist() == [
        _day("2026-11-14T12:00+01:00"),
        _day("2026-11-14T12:00+01:00"),
        _day("2026-11-16T12:00+01:00"),
    ]
    # An open stay: no end, filed under "none"; an ended one under its end's Berlin month.
    opened = _of(rows, "open")
    assert opened["end_us"].isna().all() and opened["stay_end_us"].isna().all()
    months = {
        p.parent.name
        for p in analytics._derived_dir(settings.store_dir, SOURCE, analytics.WARD_PERIOD).glob(
            "month=*/data.parquet"
        )
    }
    assert months == {"month=2026-07", "month=2026-11", "month=none"}


def test_the_merge_keeps_the_ward_room_and_bed_entries_of_the_open_stays(settings):
    places = _places(settings.store_dir)
    # The stays in progress only, the one left open too: which of them is present now, and
    # which entry holds now, is decided when the places are read.
    assert places[["encounter_id", "location_id", "physical_type", "status"]].values.tolist() == [
        ["left-open", "WD", "wa", "active"],
        ["open", "B1", "bd", "active"],
        ["open", "WB", "wa", "active"],
    ]
    assert places["start_us"].tolist() == [
        _us("2026-10-01T09:00:00+02:00"),
        _us("2026-11-18T09:00:00+01:00"),
        _us("2026-11-18T09:00:00+01:00"),
    ]
    assert places["end_us"].isna().all() and places["stay_end_us"].isna().all()


def test_the_open_stays_places_follow_increments_and_locations(settings):
    # "open" moves to another bed, untyped in the entry and typed by its Location only.
    moved = _stay("open", "2026-11-18T09:00:00+01:00", None, [
        ("WB", "2026-11-18T09:00:00+01:00", None)])  # fmt: skip
    moved["location"].append(
        {
            "location": {"reference": "Location/B2"},
            "status": "active",
            "period": {"start": "2026-11-19T09:00:00+01:00"},
        }
    )
    store.merge(settings.store_dir, SOURCE, _tables([moved], "Encounter", SOURCE), full=False)
    assert _of(_places(settings.store_dir), "open")["location_id"].tolist() == ["WB"]
    typed = [*_locations(), {**_locations()[-1], "id": "B2"}]
    store.merge(settings.store_dir, SOURCE, _tables(typed, "Location", SOURCE), full=True)
    assert _of(_places(settings.store_dir), "open")["location_id"].tolist() == ["WB", "B2"]
    assert _of(_places(settings.store_dir), "open")["physical_type"].tolist() == ["wa", "bd"]
    sql = analytics.figures(settings, START, NOW, wards=WARDS)
    assert sql.window.placements.set_index("encounter_id").loc["open", "bed_id"] == "B2"
    # Discharged, and "left-open" deleted at the source: no open places left.
    discharged = _stay("open", "2026-11-18T09:00:00+01:00", "2026-11-20T08:00:00+01:00", [
        ("WB", "2026-11-18T09:00:00+01:00", "2026-11-20T08:00:00+01:00")])  # fmt: skip
    store.merge(
        settings.store_dir,
        SOURCE,
        _tables([discharged], "Encounter", SOURCE),
        full=False,
        deleted={"Encounter": {"left-open"}},
    )
    assert _places(settings.store_dir).empty
    assert analytics.figures(settings, START, NOW, wards=WARDS).window.placements.empty
    _assert_same(
        analytics.figures(settings, START, NOW, wards=WARDS),
        _pandas_path(settings, wards=WARDS),
    )


def test_berlin_day_edges_of_the_stored_days(tmp_path):
    # The nights the clocks change, midnight itself and the microsecond before it, and a stay
    # ending at 00:30 Berlin on the first of a month, which is still the previous month in UTC.
    edges = [
        ("dst-on", "2026-03-29T00:00:00+01:00", "2026-03-29T03:00:00+02:00"),
        ("dst-off", "2026-10-24T23:59:59.999999+02:00", "2026-10-25T02:30:00+01:00"),
        ("month", "2026-11-30T20:00:00+01:00", "2026-12-01T00:30:00+01:00"),
    ]
    stays = [_stay(rid, since, until, [("WA", since, until)]) for rid, since, until in edges]
    store.merge(tmp_path, SOURCE, _tables(stays, "Encounter", SOURCE), full=True)
    rows = _rows(tmp_path).set_index("encounter_id")
    for rid, since, until in edges:
        begin, end = pd.Timestamp(since), pd.Timestamp(until)
        local = begin.tz_convert("Europe/Berlin")
        assert rows.loc[rid, "start_day"] == (local.date() - EPOCH).days, rid
        first = (local.date() - EPOCH).days + (0 if local == local.normalize() else 1)
        assert rows.loc[rid, "start_midnight"] == first, rid
        local_end = end.tz_convert("Europe/Berlin")
        last = (local_end.date() - EPOCH).days + (0 if local_end == local_end.normalize() else 1)
        assert rows.loc[rid, "end_midnight"] == last, rid
    months = {
        p.parent.name
        for p in analytics._derived_dir(tmp_path, SOURCE, analytics.WARD_PERIOD).glob(
            "month=*/data.parquet"
        )
    }
    assert months == {"month=2026-03", "month=2026-10", "month=2026-12"}


def test_an_increment_replaces_a_changed_stay_and_removes_a_deleted_one(settings):
    before = _rows(settings.store_dir)
    # "moved" comes again with its last ward changed; "across" was deleted at the source.
    changed = _stay(
        "moved", "2026-11-13T10:00:00+01:00", "2026-11-15T09:00:00+01:00", [
            ("WA", "2026-11-13T10:00:00+01:00", "2026-11-14T12:00:00+01:00"),
            ("WB", "2026-11-14T12:00:00+01:00", "2026-11-15T09:00:00+01:00"),
        ], leave="verlegung")  # fmt: skip
    store.merge(
        settings.store_dir,
        SOURCE,
        _tables([changed], "Encounter", SOURCE),
        full=False,
        deleted={"Encounter": {"across"}},
    )
    after = _rows(settings.store_dir)
    assert "across" not in set(after["encounter_id"])
    moved = _of(after, "moved")
    assert moved["ward_id"].tolist() == ["WA", "WB"]
    assert moved["last_ward"].tolist() == [False, True]
    assert moved["end_midnight"].tolist() == [
        _day("2026-11-15T12:00+01:00"),
        _day("2026-11-16T12:00+01:00"),
    ]
    # The other stays' rows are those written before.
    untouched = ~before["encounter_id"].isin(["moved", "across"])
    pd.testing.assert_frame_equal(
        after[~after["encounter_id"].isin(["moved"])].reset_index(drop=True),
        before[untouched].reset_index(drop=True),
    )
    # And the increment's table is the one a full computation gives.
    analytics.refresh_derived(settings.store_dir, SOURCE)
    pd.testing.assert_frame_equal(_rows(settings.store_dir), after)
    sql = analytics.figures(settings, START, NOW, wards=WARDS)
    _assert_same(sql, _pandas_path(settings, wards=WARDS))
    assert sql.stays == {SOURCE: 4}


def test_the_last_version_of_a_stay_wins_within_one_increment_and_across_two(settings):
    first = _stay("open", "2026-11-18T09:00:00+01:00", None, [
        ("WB", "2026-11-18T09:00:00+01:00", "2026-11-19T09:00:00+01:00"),
        ("WC", "2026-11-19T09:00:00+01:00", None)])  # fmt: skip
    store.merge(settings.store_dir, SOURCE, _tables([first], "Encounter", SOURCE), full=False)
    assert _of(_rows(settings.store_dir), "open")["ward_id"].tolist() == ["WB", "WC"]
    discharged = _stay("open", "2026-11-18T09:00:00+01:00", "2026-11-20T08:00:00+01:00", [
        ("WB", "2026-11-18T09:00:00+01:00", "2026-11-20T08:00:00+01:00")])  # fmt: skip
    store.merge(settings.store_dir, SOURCE, _tables([discharged], "Encounter", SOURCE), full=False)
    rows = _of(_rows(settings.store_dir), "open")
    assert rows["ward_id"].tolist() == ["WB"]
    assert rows["stay_end_us"].notna().all()
    # Filed under its end's month now, no longer under the open stays'.
    none = (
        analytics._derived_dir(settings.store_dir, SOURCE, analytics.WARD_PERIOD)
        / "month=none"
        / "data.parquet"
    )
    assert "open" not in set(pq.read_table(none).column("encounter_id").to_pylist())
    _assert_same(
        analytics.figures(settings, START, NOW, wards=WARDS),
        _pandas_path(settings, wards=WARDS),
    )


def test_locations_typed_later_type_the_entries_anew(tmp_path):
    untyped = _stay("plain", "2026-11-10T09:00:00+01:00", "2026-11-12T09:00:00+01:00", [
        ("WA", "2026-11-10T09:00:00+01:00", "2026-11-12T09:00:00+01:00")])  # fmt: skip
    for entry in untyped["location"]:
        del entry["physicalType"]
    store.merge(tmp_path, SOURCE, _tables([untyped], "Encounter", SOURCE), full=True)
    assert _rows(tmp_path).empty
    store.merge(tmp_path, SOURCE, _tables(_locations(), "Location", SOURCE), full=True)
    assert _rows(tmp_path)["ward_id"].tolist() == ["WA"]


def test_a_store_written_without_ward_periods_gets_them_on_read_and_on_sync(settings):
    expected = _rows(settings.store_dir)
    shutil.rmtree(analytics._derived_dir(settings.store_dir, SOURCE, analytics.WARD_PERIOD))
    assert not analytics.derived_built(settings.store_dir, SOURCE)
    _assert_same(
        analytics.figures(settings, START, NOW, wards=WARDS),
        _pandas_path(settings, wards=WARDS),
    )
    pd.testing.assert_frame_equal(_rows(settings.store_dir), expected)
    # A sync of another type into such a store computes them too.
    shutil.rmtree(analytics._derived_dir(settings.store_dir, SOURCE, analytics.WARD_PERIOD))
    store.merge(settings.store_dir, SOURCE, _tables([], "Organization", SOURCE), full=True)
    pd.testing.assert_frame_equal(_rows(settings.store_dir), expected)


def test_ward_periods_written_before_a_column_was_added_are_computed_again(settings):
    expected = _rows(settings.store_dir)
    # As an earlier version wrote them: without the stay's status, hospital and start.
    older = [c for c in analytics.WARD_PERIOD_SCHEMA.names if not c.startswith(("stay_s", "hosp"))]
    for path in analytics._derived_dir(settings.store_dir, SOURCE, analytics.WARD_PERIOD).glob(
        "month=*/data.parquet"
    ):
        pq.write_table(pq.read_table(path, columns=older), path)
    assert not analytics.derived_built(settings.store_dir, SOURCE)
    _assert_same(
        analytics.figures(settings, START, NOW, wards=WARDS),
        _pandas_path(settings, wards=WARDS),
    )
    assert analytics.derived_built(settings.store_dir, SOURCE)
    pd.testing.assert_frame_equal(_rows(settings.store_dir), expected)
    # An increment into such a store computes them all, not only the changed stays' rows.
    for path in analytics._derived_dir(settings.store_dir, SOURCE, analytics.WARD_PERIOD).glob(
        "month=*/data.parquet"
    ):
        pq.write_table(pq.read_table(path, columns=older), path)
    store.merge(settings.store_dir, SOURCE, _tables(_flat()[:1], "Encounter", SOURCE), full=False)
    pd.testing.assert_frame_equal(_rows(settings.store_dir), expected)
