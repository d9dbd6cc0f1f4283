"""The manager figures by SQL over the store (DuckDB) against the pandas path over the same
store's rows: the edge cases of the census rules, each with its expected count, and the two
paths frame by frame."""

from __future__ import annotations

import pandas as pd
import pytest

from services import analytics, store
from services.config import Settings, SourceConfig, StaleStays
from services.domain import census
from services.domain.stays import in_hospitals, typed_places
from services.frames import KINDS, Collector, with_hierarchy
from services.views.trends import ward_stays_length
from tests.unit.test_contacts import contact, place, three_levels

pytestmark = pytest.mark.unit

NOW = pd.Timestamp("2026-11-20T10:00:00+01:00").tz_convert("Europe/Berlin")
START = census.midnight((NOW - pd.Timedelta(days=89)).date())
PHYSICAL = "http://terminology.hl7.org/CodeSystem/location-physical-type"


def _period(start: str, end: str | None) -> dict:
    return {"start": start} | ({"end": end} if end else {})


def _stay(
    rid: str,
    start: str,
    end: str | None,
    wards: list[tuple[str, str, str | None]],
    *,
    status: str | None = None,
    hospital: str = "H1",
    department: str = "0100",
    bed: str | None = None,
    admit: str | None = None,
    leave: str | None = None,
) -> dict:
    """An inpatient stay on ``wards`` (ward, start, end), the last one with ``bed``."""
    places = [
        {
            "location": {"reference": f"Location/{ward}"},
            "physicalType": {"coding": [{"system": PHYSICAL, "code": "wa"}]},
            "status": "completed" if until else "active",
            "period": _period(since, until),
        }
        for ward, since, until in wards
    ]
    if bed:
        _, since, until = wards[-1]
        places.append(
            {
                "location": {"reference": f"Location/{bed}"},
                "physicalType": {"coding": [{"system": PHYSICAL, "code": "bd"}]},
                "status": "completed" if until else "active",
                "period": _period(since, until),
            }
        )
    res = {
        "resourceType": "Encounter",
        "id": rid,
        "status": status or ("finished" if end else "in-progress"),
        "class": {"code": "IMP"},
        "subject": {"reference": "Patient/p1"},
        "serviceProvider": {"reference": f"Organization/{hospital}"},
        "serviceType": {
            "coding": [
                {
                    "system": "http://fhir.de/CodeSystem/dkgev/Fachabteilungsschluessel",
                    "code": department,
                }
            ]
        },
        "period": _period(start, end),
        "location": places,
    }
    hospitalization = {}
    if admit:
        hospitalization["admitSource"] = {"coding": [{"code": admit}]}
    if leave:
        hospitalization["dischargeDisposition"] = {"coding": [{"code": leave}]}
    if hospitalization:
        res["hospitalization"] = hospitalization
    return res


def _flat() -> list[dict]:
    return [
        # Across midnight: counted at the midnight of the 11th.
        _stay("across", "2026-11-10T20:00:00+01:00", "2026-11-11T08:00:00+01:00", [
            ("WA", "2026-11-10T20:00:00+01:00", "2026-11-11T08:00:00+01:00")]),
        # Admitted and discharged on one day: in no census, one admission, one discharge.
        _stay("sameday", "2026-11-12T08:00:00+01:00", "2026-11-12T17:00:00+01:00", [
            ("WA", "2026-11-12T08:00:00+01:00", "2026-11-12T17:00:00+01:00")]),
        # Moved at 23:59 and at 00:00: the midnight of the 14th counts the new ward only.
        _stay("moved", "2026-11-13T10:00:00+01:00", "2026-11-15T09:00:00+01:00", [
            ("WA", "2026-11-13T10:00:00+01:00", "2026-11-13T23:59:00+01:00"),
            ("WB", "2026-11-13T23:59:00+01:00", "2026-11-14T00:00:00+01:00"),
            ("WC", "2026-11-14T00:00:00+01:00", "2026-11-15T09:00:00+01:00"),
        ], leave="verlegung"),
        # Open, in a bed now.
        _stay("open", "2026-11-18T09:00:00+01:00", None, [
            ("WB", "2026-11-18T09:00:00+01:00", None)], bed="B1", admit="verlegung"),
        # Open since long before the limit: counted until its start plus the limit, not now.
        _stay("left-open", "2026-10-01T09:00:00+02:00", None, [
            ("WD", "2026-10-01T09:00:00+02:00", None)], hospital="H2", department="1500"),
        # Cancelled: no stay at all.
        _stay("void", "2026-11-16T09:00:00+01:00", "2026-11-17T09:00:00+01:00", [
            ("WA", "2026-11-16T09:00:00+01:00", "2026-11-17T09:00:00+01:00")],
            status="cancelled"),
        # Ended before the window: not read.
        _stay("old", "2026-07-01T09:00:00+02:00", "2026-07-03T09:00:00+02:00", [
            ("WA", "2026-07-01T09:00:00+02:00", "2026-07-03T09:00:00+02:00")]),
    ]  # fmt: skip


def _locations() -> list[dict]:
    def location(rid: str, kind: str, part_of: str | None = None) -> dict:
        res = {
            "resourceType": "Location",
            "id": rid,
            "physicalType": {"coding": [{"system": PHYSICAL, "code": kind}]},
            "managingOrganization": {"reference": "Organization/H1"},
        }
        if part_of:
            res["partOf"] = {"reference": f"Location/{part_of}"}
        return res

    return [location(w, "wa") for w in ("WA", "WB", "WC")] + [location("B1", "bd", "WB")]


def _tables(resources: list[dict], resource_type: str, source: str) -> dict[str, pd.DataFrame]:
    collector = Collector(KINDS, resource_type, source=source)
    collector.feed(resources)
    return collector.frames()


@pytest.fixture
def settings(tmp_path) -> Settings:
    out = Settings(
        sources=(
            SourceConfig(name="Flat", url="http://flat.invalid/fhir"),
            SourceConfig(name="MII", url="http://mii.invalid/fhir"),
        ),
        store_dir=tmp_path,
    )
    store.merge(tmp_path, "Flat", _tables(_flat(), "Encounter", "Flat"), full=True)
    store.merge(tmp_path, "Flat", _tables(_locations(), "Location", "Flat"), full=True)
    mii = [
        *three_levels(),
        contact(
            "x-e",
            "einrichtungskontakt",
            "finished",
            case="C9",
            start="2026-11-15T22:00:00+01:00",
            end="2026-11-17T10:00:00+01:00",
        ),
        contact(
            "x-v",
            "versorgungsstellenkontakt",
            "finished",
            by_case=True,
            case="C9",
            start="2026-11-15T22:00:00+01:00",
            end="2026-11-17T10:00:00+01:00",
            places=[place("W1", "wa", "2026-11-15T22:00:00+01:00", "2026-11-17T10:00:00+01:00")],
        ),
    ]
    store.merge(tmp_path, "MII", _tables(mii, "Encounter", "MII"), full=True)
    return out


def _pandas_path(settings, hospital_ids=(), rule=None, wards=()):
    """What the pages compute from the window's stays read (search or store alike)."""
    read = store.window_read(settings, START)
    locations = with_hierarchy(store.store_tables(settings, "Location")["location"])
    tables = in_hospitals(read.tables, hospital_ids)
    places = typed_places(tables["encounter_location"], locations)
    figures = census.window_figures(tables["encounter"], places, START, NOW, rule)
    length = ward_stays_length(tables["encounter"], places, START, NOW, wards, rule)
    return figures, length


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    order = frame.astype(str).apply(tuple, axis=1).argsort()
    return frame.iloc[order].reset_index(drop=True)


def _same(mine: pd.DataFrame, theirs: pd.DataFrame, name: str) -> None:
    pd.testing.assert_frame_equal(
        _sorted(mine), _sorted(theirs), check_dtype=False, check_exact=False, rtol=1e-12, obj=name
    )


def _assert_same(sql: analytics.StoreFigures, frames) -> None:
    figures, (length, length_hospitals) = frames
    assert sql.window.days == figures.days
    for name in ("placements", "census", "flows", "routes", "hospital_transfers"):
        _same(getattr(sql.window, name), getattr(figures, name), name)
    # The ordered frames keep their order: the views show them as they come.
    pd.testing.assert_frame_equal(sql.window.census, figures.census, check_dtype=False)
    pd.testing.assert_frame_equal(sql.window.flows, figures.flows, check_dtype=False)
    _same(sql.length, length, "length")
    _same(sql.length_hospitals, length_hospitals, "length_hospitals")


def _at(frame: pd.DataFrame, ward: str, day: str, column: str = "census") -> int:
    row = frame[(frame["ward_id"] == ward) & (frame["date"] == pd.Timestamp(day).date())]
    return int(row[column].sum())


WARDS = ("WA", "WB", "WC", "WD", "W1", "W2")


def test_sql_and_pandas_give_the_same_figures_on_the_edge_cases(settings):
    sql = analytics.figures(settings, START, NOW, wards=WARDS)
    _assert_same(sql, _pandas_path(settings, wards=WARDS))
    window = sql.window
    assert _at(window.census, "WA", "2026-11-11") == 1
    assert _at(window.census, "WA", "2026-11-12") == 0
    assert _at(window.census, "WA", "2026-11-13") == 0
    assert _at(window.flows, "WA", "2026-11-12", "admissions") == 1
    assert _at(window.flows, "WA", "2026-11-12", "discharges") == 1
    # The 23:59 ward held the patient at no midnight; the 00:00 ward from the first.
    assert _at(window.census, "WB", "2026-11-14") == 0
    assert _at(window.census, "WC", "2026-11-14") == 1
    assert _at(window.flows, "WB", "2026-11-13", "transfers_in") == 1
    assert _at(window.flows, "WA", "2026-11-13", "transfers_out") == 1
    assert _at(window.flows, "WC", "2026-11-14", "transfers_in") == 1
    assert _at(window.flows, "WC", "2026-11-15", "discharges") == 1
    # Three MII levels are one stay on W1 then W2, and one on W1 by case number.
    assert _at(window.census, "W1", "2026-11-16") == 1
    assert _at(window.flows, "W1", "2026-11-20", "admissions") == 1
    assert _at(window.flows, "W2", "2026-11-20", "transfers_in") == 0
    assert set(window.placements["encounter_id"]) == {"open", "left-open", "c-e"}
    bed = window.placements.set_index("encounter_id").loc["open"]
    assert (bed["ward_id"], bed["bed_id"], bed["days_so_far"]) == ("WB", "B1", 2)
    assert sql.stays == {"Flat": 5, "MII": 2}
    assert window.hospital_transfers["transfers_in"].sum() == 1
    assert window.hospital_transfers["transfers_out"].sum() == 1


def test_a_stay_left_open_counts_until_its_limit_on_both_paths(settings):
    rule = StaleStays(days=30)
    sql = analytics.figures(settings, START, NOW, rule=rule, wards=WARDS)
    _assert_same(sql, _pandas_path(settings, rule=rule, wards=WARDS))
    assert _at(sql.window.census, "WD", "2026-10-31") == 1
    assert _at(sql.window.census, "WD", "2026-11-01") == 0
    assert "left-open" not in set(sql.window.placements["encounter_id"])


def test_hospital_scope_and_chosen_wards_on_both_paths(settings):
    sql = analytics.figures(settings, START, NOW, hospital_ids=("H1",), wards=("WA",))
    _assert_same(sql, _pandas_path(settings, hospital_ids=("H1",), wards=("WA",)))
    assert set(sql.window.placements["hospital_id"]) == {"H1"}
    # Discharged in the window after a stay on WA: "across", "sameday" and "moved".
    assert sql.length["stays"].sum() == 3


def test_no_wards_asked_no_length_of_stay(settings):
    sql = analytics.figures(settings, START, NOW)
    assert sql.length.empty and sql.length_hospitals.empty
    assert list(sql.length.columns) == ["department", *analytics._LOS_COLUMNS]


def test_without_movements_the_other_figures_stay_and_the_transfers_are_empty(settings):
    full = analytics.figures(settings, START, NOW, wards=WARDS)
    lean = analytics.figures(settings, START, NOW, wards=WARDS, movements=False)
    assert full.window.routes.shape[0] and full.window.hospital_transfers.shape[0]
    assert lean.window.routes.empty and lean.window.hospital_transfers.empty
    assert list(lean.window.routes.columns) == list(full.window.routes.columns)
    assert list(lean.window.hospital_transfers.columns) == list(
        full.window.hospital_transfers.columns
    )
    for name in ("census", "flows"):
        pd.testing.assert_frame_equal(getattr(lean.window, name), getattr(full.window, name))
    _same(lean.window.placements, full.window.placements, "placements")
    _same(lean.length, full.length, "length")
    assert lean.stays == full.stays


def test_a_window_is_collapsed_when_its_months_hold_a_contact_below_the_stay(tmp_path, monkeypatch):
    settings = Settings(
        sources=(SourceConfig(name="MII", url="http://mii.invalid/fhir"),), store_dir=tmp_path
    )
    # A case of July, department level and all, and a stay of the window kept at one level.
    july = [
        contact("j-e", "einrichtungskontakt", "finished", case="C7",
                start="2026-07-01T09:00:00+02:00", end="2026-07-04T09:00:00+02:00"),
        contact("j-a", "abteilungskontakt", "finished", part_of="j-e", case="C7",
                start="2026-07-01T09:00:00+02:00", end="2026-07-04T09:00:00+02:00",
                places=[place("W1", "wa", "2026-07-01T09:00:00+02:00",
                              "2026-07-04T09:00:00+02:00")]),
        contact("n-e", "einrichtungskontakt", "finished", case="C8",
                start="2026-11-10T09:00:00+01:00", end="2026-11-12T09:00:00+01:00",
                places=[place("W1", "wa", "2026-11-10T09:00:00+01:00",
                              "2026-11-12T09:00:00+01:00")]),
    ]  # fmt: skip
    store.merge(tmp_path, "MII", _tables(july, "Encounter", "MII"), full=True)
    below = analytics._derived_dir(tmp_path, "MII", analytics.CONTACT_BELOW)
    assert {p.parent.name for p in below.glob("month=*/data.parquet")} == {"month=2026-07"}
    expected = _pandas_path(settings, wards=["W1"])
    collapsed = []
    read = store.window_read
    monkeypatch.setattr(store, "window_read", lambda *a: collapsed.append(1) or read(*a))
    flat = analytics.figures(settings, START, NOW, wards=["W1"])
    # The window reaches no month of a contact below the stay: read flat, the same figures.
    assert not collapsed
    _assert_same(flat, expected)
    assert _at(flat.window.census, "W1", "2026-11-11") == 1
    # The case is moved into the window: its months now hold one, and the window is collapsed.
    moved = [
        {**r, "period": {"start": "2026-11-01T09:00:00+01:00", "end": "2026-11-04T09:00:00+01:00"}}
        for r in july[:2]
    ]
    moved[1]["location"] = [
        place("W1", "wa", "2026-11-01T09:00:00+01:00", "2026-11-04T09:00:00+01:00")
    ]
    store.merge(tmp_path, "MII", _tables(moved, "Encounter", "MII"), full=False)
    assert {p.parent.name for p in below.glob("month=*/data.parquet")} == {"month=2026-11"}
    monkeypatch.setattr(store, "window_read", read)
    expected = _pandas_path(settings, wards=["W1"])
    monkeypatch.setattr(store, "window_read", lambda *a: collapsed.append(1) or read(*a))
    sql = analytics.figures(settings, START, NOW, wards=["W1"])
    assert collapsed
    _assert_same(sql, expected)
    assert _at(sql.window.census, "W1", "2026-11-02") == 1
    assert sql.stays == {"MII": 2}


def test_median_and_90th_percentile_interpolate_between_lengths_as_ordering_every_stay(tmp_path):
    # The SQL counts stays per length and reads the quantiles from the running counts; these
    # lengths put both quantiles between two different lengths, and on one.
    lengths = {"H1": [1, 1, 2, 3, 5, 8, 13], "H2": [2, 9]}
    stays = [
        _stay(
            f"{hospital}-{n}",
            "2026-11-01T10:00:00+01:00",
            (pd.Timestamp("2026-11-01T09:00:00+01:00") + pd.Timedelta(days=days)).isoformat(),
            [("WA", "2026-11-01T10:00:00+01:00", None)],
            hospital=hospital,
        )
        for hospital, values in lengths.items()
        for n, days in enumerate(values)
    ]
    settings = Settings(
        sources=(SourceConfig(name="Flat", url="http://flat.invalid/fhir"),), store_dir=tmp_path
    )
    store.merge(tmp_path, "Flat", _tables(stays, "Encounter", "Flat"), full=True)
    store.merge(tmp_path, "Flat", _tables(_locations(), "Location", "Flat"), full=True)

    sql = analytics.figures(settings, START, NOW, wards=("WA",))

    _assert_same(sql, _pandas_path(settings, wards=("WA",)))
    both = sql.length.set_index("department").loc["0100"]
    assert (both["stays"], both["median_days"], both["p90_days"]) == (9, 3.0, pytest.approx(9.8))
    assert both["mean_days"] == pytest.approx(44 / 9)
    each = sql.length_hospitals.set_index("hospital_id")
    assert each.loc["H1", "median_days"] == 3.0
    assert each.loc["H1", "p90_days"] == pytest.approx(10.0)
    assert each.loc["H2", "median_days"] == 5.5
    assert each.loc["H2", "p90_days"] == pytest.approx(8.3)


def _number(day) -> int | None:
    """A date as the engine gives it: days since 1970-01-01."""
    return None if day is None else (day - pd.Timestamp("1970-01-01").date()).days


def test_census_counts_changes_before_the_window_from_its_first_day():
    day = pd.Timestamp("2026-11-10").date()
    days = [day + pd.Timedelta(days=n) for n in range(3)]
    # As the SQL gives them: a change before the window on its first day; ward V has none.
    wards = pd.DataFrame({"source": ["A", "A"], "ward_id": ["V", "W"]})
    changes = pd.DataFrame(
        {
            "ward_key": [1, 1, 1],
            "on_day": [_number(days[0]), _number(days[1]), _number(days[2])],
            "change": [2, 1, -3],
        }
    )
    out, _ = analytics._census_and_flows(wards, changes, _no_counts(), days)
    assert out[out["ward_id"] == "W"]["census"].tolist() == [2, 3, 0]
    assert out[out["ward_id"] == "V"]["census"].tolist() == [0, 0, 0]


def _no_counts() -> pd.DataFrame:
    names = ["admissions", "discharges", "transfers_in", "transfers_out"]
    return pd.DataFrame({"ward_key": pd.Series(dtype="int64")}).assign(
        on_day=pd.Series(dtype="Int64"), **{n: pd.Series(dtype="int64") for n in names}
    )


def _grouped_census(changes: pd.DataFrame, days: list) -> pd.DataFrame:
    """``census_from_changes`` as grouping, merging and sorting spell it: the rule the grid of
    integers is held to."""
    keys = changes[["source", "ward_id"]].drop_duplicates()
    if not days:
        return pd.DataFrame(columns=["source", "ward_id", "date", "census"])
    dated = changes.dropna(subset=["date"])
    dated = dated[dated["date"] <= days[-1]]
    dated = dated.assign(date=dated["date"].where(dated["date"] >= days[0], days[0]))
    sums = dated.groupby(["source", "ward_id", "date"], as_index=False)["change"].sum()
    out = keys.merge(pd.DataFrame({"date": days}), how="cross")
    out = out.merge(sums, on=["source", "ward_id", "date"], how="left")
    out = out.sort_values(["source", "ward_id", "date"]).reset_index(drop=True)
    change = out.pop("change").fillna(0).astype("int64")
    out["census"] = change.groupby([out["source"], out["ward_id"]], sort=False).cumsum()
    return out


def _grouped_flows(counts: pd.DataFrame, changes: pd.DataFrame, days: list) -> pd.DataFrame:
    names = ["admissions", "discharges", "transfers_in", "transfers_out"]
    keys = changes[["source", "ward_id"]].drop_duplicates()
    out = keys.merge(pd.DataFrame({"date": days}), how="cross")
    counted = counts[counts["date"].isin(days)]
    out = out.merge(counted, on=["source", "ward_id", "date"], how="left")
    for name in names:
        out[name] = out[name].fillna(0).astype("int64")
    return out.sort_values(["source", "ward_id", "date"]).reset_index(drop=True)


def _as_the_engine_gives_them(
    changes: pd.DataFrame, counts: pd.DataFrame, days: list
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The rows of ``_WARDS_SQL``, ``_CENSUS_SQL`` and ``_FLOWS_SQL`` for these: the wards in
    order of source and id (one without id last within its source) and each row's ward by its
    position among them, days as numbers, a census change before the window on its first day
    and one after it left out, counts of its days only."""
    keys = ["source", "ward_id"]
    wards = changes[keys].drop_duplicates().sort_values(keys, na_position="last")
    wards = wards.reset_index(drop=True)
    numbers = wards.assign(ward_key=range(len(wards)))

    def keyed(rows: pd.DataFrame) -> pd.DataFrame:
        # A join on the ids that matches a missing id with a missing id, as the SQL's.
        out = rows.fillna({"ward_id": "\0"}).merge(numbers.fillna({"ward_id": "\0"}), on=keys)
        return out.drop(columns=keys)

    changes = changes.dropna(subset=["date"])
    if days:
        dates = changes["date"].map(lambda d: max(d, days[0]))
        changes = changes.assign(date=dates).loc[dates.map(lambda d: d <= days[-1]).astype(bool)]
    numbered = keyed(changes.assign(on_day=pd.array(changes["date"].map(_number), "Int64")))
    dated = counts[counts["date"].isin(days)]
    flows = keyed(dated.assign(on_day=pd.array(dated["date"].map(_number), "Int64")))
    return wards, numbered.drop(columns="date"), flows.drop(columns="date")


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_census_and_flows_on_the_grid_as_grouping_gives_them(dtype):
    import random
    from datetime import date, timedelta

    days = [date(2026, 3, 27) + timedelta(days=n) for n in range(4)]
    draw = random.Random(23)

    def when() -> object:
        early = days[0] - timedelta(days=draw.randint(1, 9))
        late = days[-1] + timedelta(days=draw.randint(1, 3))
        return draw.choice([None, early, *days, late])

    for rows in [0, 1, 2, 7, 40, 150] * 12:
        # Wards in any order, some without id (a period whose ward the source left out).
        changes = pd.DataFrame(
            {
                "source": [draw.choice(["B", "A"]) for _ in range(rows)],
                "ward_id": [draw.choice(["W", "V", "U", None]) for _ in range(rows)],
                "date": [when() for _ in range(rows)],
                "change": [draw.randint(-3, 3) for _ in range(rows)],
            }
        ).astype({"source": dtype, "ward_id": dtype, "date": object, "change": "int64"})
        counts = changes.dropna(subset=["ward_id"]).drop_duplicates(["source", "ward_id", "date"])
        counts = (
            counts[["source", "ward_id", "date"]]
            .assign(admissions=1, discharges=2, transfers_in=0, transfers_out=3)
            .astype({"date": object})
        )
        for chosen in (days, days[:1], []):
            wards, numbered, flows = _as_the_engine_gives_them(changes, counts, chosen or days[:0])
            mine = analytics._census_and_flows(wards, numbered, flows, chosen)
            pd.testing.assert_frame_equal(mine[0], _grouped_census(changes, chosen))
            if chosen:
                pd.testing.assert_frame_equal(mine[1], _grouped_flows(counts, changes, chosen))


def test_wards_numbered_by_source_and_id_one_without_id_last_and_days_placed():
    from datetime import date, timedelta

    import duckdb

    periods = pd.DataFrame(
        {
            "source": ["B", "A", "C", "A", "A", "A", "A"],
            "ward_id": ["W", None, "W", "V", "W", "W", "X"],
            "stay_end_us": [None, None, 5, None, 7, None, 1],
            "stay_status": ["in-progress", None, "finished", None, "finished", None, "finished"],
            "hospital_id": ["H", "H", "H", "H", "H", "H", "H"],
        }
    )
    with duckdb.connect() as con:
        con.register("ward_period", periods)
        con.register("limits", pd.DataFrame({"source": ["A", "B", "C"]}))
        con.register("sole", pd.DataFrame({"source": ["A"], "only_id": ["H"], "hospitals": [1]}))
        sql = analytics._expand(analytics._ward_keys_sql(0), "duckdb")
        numbered = con.sql(f"{sql} ORDER BY ward_key", params=[2]).fetchall()
    # X's stay ended before the window: not among them.
    assert numbered == [
        ("A", "V", 0),
        ("A", "W", 1),
        ("A", None, 2),
        ("B", "W", 3),
        ("C", "W", 4),
    ]
    days = [date(2026, 10, 24) + timedelta(days=n) for n in range(3)]
    numbered = pd.DataFrame({"on_day": [_number(days[2]), None, _number(days[0]) - 4, 99999]})
    assert analytics._positions(numbered, _number(days[0]), days).tolist() == [2, -1, -1, -1]
    wards = pd.DataFrame({"source": ["A", "A", "B"], "ward_id": ["W", None, "W"]})
    grid = census.ward_days(wards.iloc[[2, 0]], days[:2])
    assert grid.values.tolist() == [
        ["B", "W", days[0]],
        ["B", "W", days[1]],
        ["A", "W", days[0]],
        ["A", "W", days[1]],
    ]


def test_berlin_days_in_integers_match_the_time_zone():
    import duckdb

    # Every quarter hour and the microseconds around midnight of both nights the clocks change.
    moments = []
    for first in ("2026-03-28", "2026-10-24", "2031-03-29"):
        quarters = pd.date_range(first, periods=3 * 96, freq="15min", tz="Europe/Berlin")
        moments += [*quarters, *(quarters - pd.Timedelta(microseconds=1))]
    instants = pd.DataFrame({"u": [analytics._epoch_us(m) for m in moments]})
    sql = analytics._expand(
        "SELECT @day(u) AS day, @midnight_day(@local(u)) AS midnight FROM instants", "duckdb"
    )
    with duckdb.connect() as con:
        con.register("instants", instants)
        found = con.sql(sql).df()
    epoch = pd.Timestamp("1970-01-01").date()
    days = [(m.date() - epoch).days for m in moments]
    first_midnight = [
        d + (0 if m == census.midnight(m.date()) else 1) for d, m in zip(days, moments, strict=True)
    ]
    assert found["day"].tolist() == days
    assert found["midnight"].tolist() == first_midnight


@pytest.mark.parametrize("days", [[20400, 20401, None, 20400], [None, None], [], [20399]], ids=str)
def test_days_as_dates_as_pandas_makes_them(days):
    frame = pd.DataFrame(
        {"source": ["S"] * len(days), "on_day": pd.array(days, dtype="Int64")},
        index=range(5, 5 + len(days)),
    )
    expected = frame.drop(columns="on_day").assign(
        date=pd.to_datetime(frame["on_day"], unit="D").dt.date
    )
    pd.testing.assert_frame_equal(analytics._dated(frame.copy()), expected)
