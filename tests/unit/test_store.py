"""The Parquet store without a server: last version wins by id, deletions, full replacement,
the dtypes of the search path, the window filter, freshness and its setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from services import store
from services.config import Settings, SourceConfig, load_settings
from services.frames import KINDS, Collector

pytestmark = pytest.mark.unit


def _encounter(rid: str, start: str, end: str | None = None, ward: str = "w1") -> dict:
    period = {"start": start, **({"end": end} if end else {})}
    return {
        "resourceType": "Encounter",
        "id": rid,
        "status": "finished" if end else "in-progress",
        "class": {"code": "IMP"},
        "subject": {"reference": "Patient/p1"},
        "period": period,
        "location": [
            {
                "location": {"reference": f"Location/{ward}"},
                "physicalType": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
                            "code": "wa",
                        }
                    ]
                },
                "status": "completed" if end else "active",
                "period": period,
            }
        ],
    }


def _tables(*resources: dict, source: str = "A") -> dict[str, pd.DataFrame]:
    collector = Collector(KINDS, "Encounter", source=source)
    collector.feed(resources)
    return collector.frames()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        sources=(SourceConfig(name="A", url="http://a.invalid/fhir"),), store_dir=tmp_path
    )


def test_round_trip_keeps_the_extractors_dtypes(settings):
    tables = _tables(_encounter("e1", "2026-09-01T10:00:00+02:00", "2026-10-02T09:00:00+02:00"))
    store.merge(settings.store_dir, "A", tables, full=True)
    back = store.store_tables(settings, "Encounter")
    for name in ("encounter", "encounter_location"):
        pd.testing.assert_frame_equal(back[name], tables[name])
    files = settings.store_dir.rglob("data.parquet")
    months = sorted((p.parent.parent.name, p.parent.name) for p in files)
    # The extracted tables by the stay's start; the ward periods computed from them by its end.
    assert months == [
        ("table=encounter", "month=2026-09"),
        ("table=encounter_location", "month=2026-09"),
        ("table=ward_period", "month=2026-10"),
    ]


def test_last_version_wins_across_months_and_deletions_go(settings):
    first = _tables(
        _encounter("e1", "2026-09-01T10:00:00+02:00"),
        _encounter("e2", "2026-09-03T10:00:00+02:00"),
    )
    store.merge(settings.store_dir, "A", first, full=True)
    # e1 now starts a month later and moved ward; e2 was deleted at the source.
    later = _tables(_encounter("e1", "2026-10-05T10:00:00+02:00", ward="w2"))
    store.merge(settings.store_dir, "A", later, full=False, deleted={"Encounter": {"e2"}})
    back = store.store_tables(settings, "Encounter")
    assert back["encounter"]["id"].tolist() == ["e1"]
    assert back["encounter_location"]["location_id"].tolist() == ["w2"]
    assert not list(settings.store_dir.rglob("month=2026-09/data.parquet"))


def test_full_export_replaces_and_sources_stay_apart(settings, tmp_path):
    both = Settings(
        sources=(*settings.sources, SourceConfig(name="B", url="http://b.invalid/fhir")),
        store_dir=tmp_path,
    )
    store.merge(tmp_path, "A", _tables(_encounter("e1", "2026-09-01T10:00:00+02:00")), full=True)
    store.merge(
        tmp_path, "B", _tables(_encounter("e1", "2026-09-01T10:00:00+02:00"), source="B"), full=True
    )
    store.merge(tmp_path, "A", _tables(_encounter("e9", "2026-11-01T10:00:00+01:00")), full=True)
    got = store.store_tables(both, "Encounter")["encounter"]
    assert sorted(zip(got["source"], got["id"], strict=True)) == [("A", "e9"), ("B", "e1")]
    assert store.source_dir(tmp_path, "A") != store.source_dir(tmp_path, "a")


def test_window_keeps_stays_that_end_in_it_or_run_on(settings):
    tables = _tables(
        _encounter("old", "2026-01-01T10:00:00+01:00", "2026-02-01T10:00:00+01:00"),
        _encounter("ends", "2026-08-01T10:00:00+02:00", "2026-09-05T10:00:00+02:00"),
        _encounter("runs", "2026-03-01T10:00:00+01:00"),
    )
    store.merge(settings.store_dir, "A", tables, full=True)
    read = store.window_read(settings, pd.Timestamp("2026-09-03T00:00:00+02:00"))
    assert sorted(read["encounter"]["id"]) == ["ends", "runs"]
    assert sorted(read["encounter_location"]["encounter_id"]) == ["ends", "runs"]
    assert read["encounter"]["patient_id"].isna().all()


def test_freshness_from_the_state_file(settings):
    assert not store.is_fresh(settings)
    now = datetime.now(UTC)
    state = {"sources": {"A": {"synced_at": now.isoformat(), "since": now.isoformat()}}}
    store.write_state(settings.store_dir, state)
    assert store.freshness(settings)["A"].synced_at == now
    assert store.is_fresh(settings, now + timedelta(minutes=29))
    assert not store.is_fresh(settings, now + timedelta(minutes=31))


def test_analytics_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDICUS_SECRETS_FILE", str(tmp_path / "none.toml"))
    assert load_settings().analytics == "search"
    monkeypatch.setenv("MEDICUS_ANALYTICS", "store")
    monkeypatch.setenv("MEDICUS_STORE_DIR", str(tmp_path / "s"))
    current = load_settings()
    assert (current.analytics, current.store_dir) == ("store", tmp_path / "s")
    monkeypatch.setenv("MEDICUS_ANALYTICS", "parquet")
    with pytest.raises(ValueError, match="MEDICUS_ANALYTICS"):
        load_settings()
