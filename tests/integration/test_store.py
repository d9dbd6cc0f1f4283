"""The Parquet store synced by Bulk Data $export from the test server: the manager window read
back through DuckDB gives the ground truth and the search path's figures; the manager figures
computed by SQL in the store (``services.analytics``) give the same capacity and trends views as
the search path's stays in pandas; through Spark (local mode, the one Spark test of the suite:
about a minute, mostly the JVM's start) the window's rows and the figures are those of DuckDB; an
increment brings only what changed, deletions included, and a stopped sync resumes its export."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pandas as pd
import pytest

from services import analytics, queries, spark_engine, store
from services.config import Settings
from services.domain import census
from services.domain.stays import in_hospitals, typed_places
from services.errors import NotFound
from services.fhir_http import FhirHttp
from services.frames import with_hierarchy
from services.sync import sync_source
from services.views.capacity import (
    capacity_from,
    capacity_now,
    capacity_wards,
    capacity_wards_from,
)
from services.views.trends import trends_from, trends_view
from tests.support.keycloak import source
from tests.support.reconcile import ward_day_mismatches

pytestmark = pytest.mark.integration

PROBE = "store-sync-probe"


@pytest.fixture(scope="module")
def settings(fhir_base_url, test_network, tmp_path_factory) -> Settings:
    # A margin of seconds: the test network may have been loaded a minute ago, and an increment
    # must bring the test's own change only.
    return Settings(
        sources=(source("Test", fhir_base_url),),
        store_dir=tmp_path_factory.mktemp("store"),
        export_margin_minutes=0.05,
        export_poll_seconds=2.0,
    )


@pytest.fixture(scope="module")
def http(settings):
    with FhirHttp(settings.sources[0], settings) as client:
        yield client


@pytest.fixture(scope="module")
def full_sync(settings, http):
    return sync_source(http, settings)


@pytest.fixture(scope="module")
def as_of(test_network) -> pd.Timestamp:
    return pd.Timestamp(test_network.as_of).tz_convert("Europe/Berlin")


def test_full_export_holds_every_resource_of_its_types(full_sync, settings, test_network):
    counts = test_network.manifest["counts"]
    assert full_sync.full and full_sync.since is None
    assert full_sync.resources == Counter({t: counts[t] for t in settings.export_types})
    state = store.freshness(settings)["Test"]
    assert state.synced_at is not None and not state.pending
    assert store.is_fresh(settings)
    assert len(store.store_tables(settings, "Encounter")["encounter"]) == counts["Encounter"]


def test_window_from_store_equals_ground_truth_and_search(
    full_sync, settings, platform, as_of, test_network
):
    start = as_of - pd.Timedelta(days=90)
    stored = store.window_read(settings, start)
    searched = platform.read(census.window_encounters(start))
    assert not searched.errors and not searched.truncated
    assert stored.fetched_at["Test"] == store.freshness(settings)["Test"].synced_at
    # Identities stay on the server on both paths.
    assert stored["encounter"]["patient_id"].isna().all()
    days = census.census_dates(start, as_of)
    truth = test_network.ground_truth
    figures = {}
    for path, read in (("store", stored), ("search", searched)):
        periods = census.ward_periods(read["encounter"], read["encounter_location"])
        flows = census.daily_flows(periods, days)
        figures[path] = (census.midnight_census(periods, days), flows)
        for figure, frame in (("census", figures[path][0]), ("admissions", flows)):
            assert ward_day_mismatches(frame, figure, truth[figure]) == [], (path, figure)
        assert ward_day_mismatches(flows, "discharges", truth["discharges"]) == [], path
    for mine, theirs in zip(figures["store"], figures["search"], strict=True):
        pd.testing.assert_frame_equal(mine, theirs)
    moved = [census.hospital_transfers(r["encounter"], days) for r in (stored, searched)]
    pd.testing.assert_frame_equal(*moved)


def _same_frames(mine: object, theirs: object, name: str) -> None:
    """Every frame and number of two views (dataclasses of the same type) alike."""
    for key, value in vars(mine).items():
        other = getattr(theirs, key)
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(
                value.reset_index(drop=True),
                other.reset_index(drop=True),
                check_dtype=False,
                check_exact=False,
                rtol=1e-12,
                obj=f"{name}.{key}",
            )
        else:
            assert value == other, (name, key)


def _window_figures_alike(mine: census.WindowFigures, theirs: census.WindowFigures) -> None:
    assert mine.days == theirs.days
    for name in ("placements", "census", "flows", "routes", "hospital_transfers"):
        pd.testing.assert_frame_equal(
            _in_row_order(getattr(mine, name)),
            _in_row_order(getattr(theirs, name)),
            check_dtype=False,
            obj=name,
        )


def test_manager_figures_by_sql_equal_the_search_path_and_the_ground_truth(
    full_sync, settings, platform, as_of, test_network
):
    start = census.midnight(as_of.date() - pd.Timedelta(days=89))
    searched = platform.read(census.window_encounters(start))
    assert not searched.errors and not searched.truncated
    locations = with_hierarchy(platform.read(queries.locations())["location"])
    organizations = platform.read(queries.organizations())["organization"]
    places = typed_places(searched["encounter_location"], locations)
    encounters = searched["encounter"]
    wards = locations.loc[locations["physical_type"] == "wa", "id"]

    stored = analytics.figures(settings, start, as_of, wards=wards)
    assert stored.stays == {"Test": len(encounters)}
    by_pandas = census.window_figures(encounters, places, start, as_of)
    _window_figures_alike(stored.window, by_pandas)
    truth = test_network.ground_truth
    for figure, frame in (("census", stored.window.census), ("admissions", stored.window.flows)):
        assert ward_day_mismatches(frame, figure, truth[figure]) == [], figure

    searched_now = capacity_now(locations, organizations, encounters, places, as_of)
    stored_now = capacity_from(locations, organizations, stored.window.placements, as_of)
    assert searched_now.has_beds and searched_now.facilities
    _same_frames(stored_now, searched_now, "capacity_now")
    hospitals = searched_now.facilities
    _same_frames(
        capacity_wards_from(stored_now, stored.window, hospitals),
        capacity_wards(searched_now, encounters, places, start, as_of, hospitals),
        "capacity_wards",
    )
    by_sql = trends_from(
        locations, stored.window, stored.length, stored.length_hospitals, hospitals, wards
    )
    by_search = trends_view(locations, encounters, places, start, as_of, hospitals, wards)
    assert stored.length["stays"].sum() > 0
    _same_frames(by_sql, by_search, "trends")

    # A hospital manager's scope, and a few of its wards.
    hospital = hospitals[0]
    own = in_hospitals(searched.tables, (hospital,))
    own_places = typed_places(own["encounter_location"], locations)
    some = sorted(wards)[:3]
    scoped = analytics.figures(settings, start, as_of, hospital_ids=(hospital,), wards=some)
    _window_figures_alike(
        scoped.window, census.window_figures(own["encounter"], own_places, start, as_of)
    )
    _same_frames(
        trends_from(
            locations, scoped.window, scoped.length, scoped.length_hospitals, (hospital,), some
        ),
        trends_view(locations, own["encounter"], own_places, start, as_of, (hospital,), some),
        "trends of one hospital",
    )


def _in_row_order(frame: pd.DataFrame) -> pd.DataFrame:
    # Neither engine promises an order; the rows, not their order, must be the same.
    order = frame.astype(str).apply(tuple, axis=1).argsort()
    return frame.iloc[order].reset_index(drop=True)


@pytest.mark.spark
def test_spark_reads_the_window_and_computes_the_figures_duckdb_does(full_sync, settings, as_of):
    start = as_of - pd.Timedelta(days=90)
    duck = store.window_read(settings, start)
    wards = sorted(set(duck["encounter_location"]["location_id"]))
    duck_figures = analytics.figures(settings, start, as_of, wards=wards)
    on_spark = replace(settings, store_engine="spark", spark_master="local[1]")
    try:
        spark = store.window_read(on_spark, start)
        spark_figures = analytics.figures(on_spark, start, as_of, wards=wards)
    finally:
        spark_engine.stop()
    _window_figures_alike(spark_figures.window, duck_figures.window)
    assert spark_figures.stays == duck_figures.stays
    for name in ("length", "length_hospitals"):
        assert not getattr(duck_figures, name).empty
        pd.testing.assert_frame_equal(
            getattr(spark_figures, name),
            getattr(duck_figures, name),
            check_dtype=False,
            check_exact=False,
            rtol=1e-12,
            obj=name,
        )
    assert len(duck["encounter"]) > 0 and len(duck["encounter_location"]) > 0
    assert duck.extracted.keys() == spark.extracted.keys()
    for table, frame in duck.extracted.items():
        pd.testing.assert_frame_equal(
            _in_row_order(frame), _in_row_order(spark.extracted[table]), obj=table
        )


def _one(settings: Settings, resource_type: str, rid: str) -> pd.DataFrame:
    frame = store.store_tables(settings, resource_type)[resource_type.lower()]
    return frame[frame["id"] == rid]


def test_increment_brings_the_change_and_deletions_and_resumes(
    full_sync, settings, http, restore_tasks, platform_admin
):
    task_id = store.store_tables(settings, "Task")["task"]["id"].iloc[0]
    task = restore_tasks(task_id)
    # The changes come from elsewhere on the platform: the admin client makes them; the sync
    # runs as the dashboard.
    server = platform_admin.http()
    encounter = server.get_json("Encounter/enc-kns-000001")
    try:
        changed = {k: v for k, v in task.items() if k != "meta"}
        changed["note"] = [{"text": "store sync probe"}]
        server.send_json("PUT", f"Task/{task_id}", changed)
        moved = {k: v for k, v in encounter.items() if k != "meta"}
        # An end after the stay's start, wherever the generated hour put that start.
        ended = pd.Timestamp(encounter["period"]["start"]) + pd.Timedelta(hours=1, minutes=36)
        moved["period"] = {**moved["period"], "end": ended.isoformat()}
        server.send_json("PUT", "Encounter/enc-kns-000001", moved)
        probe = {"resourceType": "Task", "id": PROBE, "status": "cancelled", "intent": "order"}
        server.send_json("PUT", f"Task/{PROBE}", probe)

        step = sync_source(http, settings)
        assert not step.full and step.since is not None
        # The test server is shared: others may change resources meanwhile. The increment holds
        # this test's changes and otherwise only what changed since its start.
        assert {task_id, PROBE} <= step.changed["Task"]
        assert "enc-kns-000001" in step.changed["Encounter"]
        for kind in ("Task", "Encounter", "Location", "Organization"):
            for rid in step.changed[kind]:
                try:
                    meta = http.get_json(f"{kind}/{rid}").get("meta", {})
                except NotFound:
                    continue  # deleted by someone else since the export
                assert pd.Timestamp(meta["lastUpdated"]) >= step.since, (kind, rid)
        assert _one(settings, "Task", task_id)["note"].tolist() == ["store sync probe"]
        end = _one(settings, "Encounter", "enc-kns-000001")["end"].tolist()
        assert end == [ended.tz_convert("Europe/Berlin")]
        assert store.store_tables(settings, "Task")["task"]["id"].is_unique
    finally:
        for original in (task, encounter):
            body = {k: v for k, v in original.items() if k != "meta"}
            server.send_json("PUT", f"{original['resourceType']}/{original['id']}", body)
        server.send_json("DELETE", f"Task/{PROBE}")

    # Stopped after its first file, the next sync resumes that export instead of a new one.
    heard: list[str] = []

    def stop_after_a_file(source: str, message: str) -> None:
        heard.append(message)
        if message.startswith("file 1/"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync_source(http, settings, progress=stop_after_a_file)
    assert store.freshness(settings)["Test"].pending
    heard.clear()
    back = sync_source(http, settings, progress=lambda s, m: heard.append(m))
    assert heard[0] == "resuming the export started before"
    assert PROBE in back.deleted["Task"]
    kept = store.store_tables(settings, "Task")["task"]
    assert not kept["id"].isin(back.deleted["Task"]).any()
    assert kept["id"].is_unique
    assert _one(settings, "Encounter", "enc-kns-000001")["end"].tolist() == [
        pd.Timestamp(encounter["period"]["end"]).tz_convert("Europe/Berlin")
    ]


def test_manager_pages_read_the_store_when_switched_on(
    full_sync, settings, app_env, users, monkeypatch
):
    import streamlit as st

    from tests.support.apptest import open_page

    calls = []
    computed = analytics.figures

    def counted(*args, **kwargs):
        calls.append(args)
        return computed(*args, **kwargs)

    monkeypatch.setattr(analytics, "figures", counted)
    monkeypatch.setenv("MEDICUS_FHIR_NAME", "Test")
    for page in ("pages/capacity.py", "pages/trends.py"):
        shown = {}
        for mode in ("store", "search"):
            monkeypatch.setenv("MEDICUS_ANALYTICS", mode)
            monkeypatch.setenv("MEDICUS_STORE_DIR", str(settings.store_dir))
            # Settings are read once per process (st.cache_resource), data per query
            # (st.cache_data).
            st.cache_resource.clear()
            st.cache_data.clear()
            calls.clear()
            at = open_page(page, users["management.demo"])
            assert not at.exception, at.exception
            assert not at.error, [e.value for e in at.error]
            shown[mode] = [(m.label, m.value) for m in at.metric], [f.value for f in at.dataframe]
            # The store computes the figures; the search path never asks it.
            assert bool(calls) == (mode == "store"), (page, mode)
        assert shown["store"][0] == shown["search"][0], page
        assert len(shown["store"][1]) == len(shown["search"][1]) > 0, page
        for mine, theirs in zip(*(shown[m][1] for m in ("store", "search")), strict=True):
            pd.testing.assert_frame_equal(mine, theirs, obj=page)
