"""The test network written the MII way (contact levels by ``partOf``, ISiK locations,
pseudonymised persons) on a server of its own, read through the pages' own searches and
reconciled with the same ground truth as the flat network: census, admissions, discharges,
length of stay, current inpatients, bed status, and the physician's patients and current stays.
Every stay is counted once, whichever level a search matched.

The server and the network are the session's (``mii_base_url``, ``mii_network`` and
``mii_app`` in tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from services import queries
from services.config import Settings
from services.domain import census, forecast
from services.domain.beds import bed_status_now
from services.domain.stays import current_placements, in_hospitals, ward_census_now
from services.domain.timeline import current_stays
from services.frames import with_hierarchy
from services.platform import Platform
from services.queries import refs
from services.search import query
from tests.support.apptest import open_page
from tests.support.keycloak import source
from tests.support.networks import (
    LoadedNetwork,
)
from tests.support.reconcile import (
    RawStay,
    bed_status_mismatches,
    my_patients,
    raw_stays,
    ref_id,
    resources,
    ward_day_mismatches,
    ward_departments,
)

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.integration

SOURCE = "MII"


@pytest.fixture(scope="module")
def network(mii_network: LoadedNetwork) -> LoadedNetwork:
    assert mii_network.manifest["shape"] == "mii"
    return mii_network


@pytest.fixture(scope="module")
def platform(mii_base_url: str, network: LoadedNetwork) -> Iterator[Platform]:
    instance = Platform(Settings(sources=(source(SOURCE, mii_base_url),)))
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def as_of(network: LoadedNetwork) -> pd.Timestamp:
    return pd.Timestamp(network.as_of).tz_convert("Europe/Berlin")


@pytest.fixture(scope="module")
def raw(network: LoadedNetwork) -> dict[str, RawStay]:
    return raw_stays(list(resources(network.dir, network.manifest)))


@pytest.fixture(scope="module")
def window(platform: Platform, as_of: pd.Timestamp):
    start = as_of - pd.Timedelta(days=90)
    read = platform.read(census.window_encounters(start))
    assert not read.errors and not read.truncated
    return start, read


@pytest.fixture(scope="module")
def locations(platform: Platform) -> pd.DataFrame:
    read = platform.read(queries.locations())
    assert not read.errors
    return with_hierarchy(read["location"])


def test_the_server_holds_the_mii_network(network, mii_base_url):
    mii = network.ground_truth["mii"]
    assert set(mii["contacts"]) == {
        "einrichtungskontakt",
        "abteilungskontakt",
        "versorgungsstellenkontakt",
    }
    assert sum(mii["contacts"].values()) == network.manifest["counts"]["Encounter"]
    assert mii["abteilungskontakt_part_of"]["logical"] > 0
    if network.load_seconds:
        assert network.load_report.resources == network.manifest["total"]


def test_the_window_counts_each_stay_once(window, raw, as_of):
    start, read = window
    stays = read["encounter"]
    assert len(read.extracted["encounter"]) > len(stays), "the search matched lower levels too"
    assert not stays.duplicated(["source", "id"]).any()
    heads = {s.id for s in raw.values() if s.cls == "IMP"}
    overlapping = {
        s.id
        for s in raw.values()
        if s.cls == "IMP" and (s.end is None or s.end >= start.to_pydatetime())
    }
    assert set(stays["id"]) <= heads
    assert set(stays["id"]) == overlapping
    contacts = read["encounter_contact"]
    assert contacts["encounter_id"].is_unique
    members = {m: s.id for s in raw.values() for m in s.members}
    assert all(
        members[e] == s for e, s in zip(contacts["encounter_id"], contacts["stay_id"], strict=True)
    )


def test_census_admissions_discharges_per_ward_and_day(window, as_of, network):
    start, read = window
    truth = network.ground_truth
    days = census.census_dates(start, as_of)
    assert [d.isoformat() for d in days] == truth["census_dates"]
    periods = census.ward_periods(read["encounter"], read["encounter_location"])
    flows = census.daily_flows(periods, days)
    for figure, frame in (
        ("census", census.midnight_census(periods, days)),
        ("admissions", flows),
        ("discharges", flows),
    ):
        expected = truth[figure]
        assert sum(sum(per.values()) for per in expected.values()) > 0
        assert ward_day_mismatches(frame, figure, expected) == [], figure


def test_length_of_stay_per_hospital(window, raw, as_of):
    start, read = window
    got = census.length_of_stay(read["encounter"], start, as_of, by="hospital_id")
    got = got.set_index("hospital_id")
    lengths: dict[str, list[float]] = {}
    window_ = (start.to_pydatetime(), as_of.to_pydatetime())
    for stay in raw.values():
        if stay.cls == "IMP" and stay.end is not None and window_[0] <= stay.end < window_[1]:
            # Belegungstage: the admission day counts, the discharge day does not.
            first = stay.start.astimezone(BERLIN).date()
            days = max(1, (stay.end.astimezone(BERLIN).date() - first).days)
            lengths.setdefault(stay.hospital, []).append(days)
    assert lengths
    assert {h: int(got.loc[h, "stays"]) for h in got.index} == {
        h: len(v) for h, v in lengths.items()
    }
    for hospital, values in lengths.items():
        assert got.loc[hospital, "mean_days"] == pytest.approx(sum(values) / len(values))


def test_current_inpatients_and_bed_status(window, locations, as_of, network, raw):
    _, read = window
    truth = network.ground_truth
    placed = current_placements(read["encounter"], read["encounter_location"], as_of)
    assert len(placed) == truth["totals"]["inpatients_now"]
    assert placed["encounter_id"].is_unique and placed["patient_id"].isna().all()
    now = {
        s.id: (s.ward_now, s.bed_now)
        for s in raw.values()
        if s.status == "in-progress" and s.cls == "IMP"
    }
    assert {
        e: (w, b) for e, w, b in placed[["encounter_id", "ward_id", "bed_id"]].itertuples(False)
    } == now
    per_ward = ward_census_now(placed).set_index("ward_id")["patients"]
    assert {w: int(per_ward.get(w, 0)) for w in truth["census_now"]} == truth["census_now"]
    assert bed_status_mismatches(bed_status_now(locations, placed), truth) == []
    stays = forecast.inpatient_stays(read["encounter"])
    assert forecast.stays_at(stays, as_of).sum() == truth["totals"]["inpatients_now"]


def test_the_current_stays_search_scoped_to_a_hospital(platform, network, as_of, raw):
    read = platform.read(queries.current_stays(), no_cache=True)
    assert not read.errors
    for hospital in network.manifest["hospitals"]:
        mine = in_hospitals(read.tables, [hospital["id"]])
        placed = current_placements(mine["encounter"], mine["encounter_location"], as_of)
        expected = {
            s.id
            for s in raw.values()
            if s.status == "in-progress" and s.cls == "IMP" and s.hospital == hospital["id"]
        }
        assert placed["encounter_id"].is_unique
        assert set(placed["encounter_id"]) == expected, hospital["id"]


def test_a_persons_current_stay_with_its_diagnoses(platform, network, as_of, raw):
    inpatients = sorted(
        (s for s in raw.values() if s.status == "in-progress" and s.cls == "IMP"),
        key=lambda s: s.id,
    )[:5]
    assert inpatients
    patients = [s.patient for s in inpatients]
    encounters = platform.read(query("Encounter").search(subject=refs("Patient", patients)))
    conditions = platform.read(query("Condition").search(subject=refs("Patient", patients)))
    places = platform.read(queries.locations())
    tables = {
        **encounters.tables,
        "condition": conditions["condition"],
        "location": places["location"],
    }
    current = current_stays(tables, as_of, conditions_active_only=False)
    assert sorted(current["encounter_id"]) == [s.id for s in inpatients]
    stay_of_member = {m: s.id for s in inpatients for m in s.members}
    diagnoses: dict[str, set[str]] = {}
    for item in resources(network.dir, network.manifest):
        if item["resourceType"] == "Condition":
            stay = stay_of_member.get(ref_id(item.get("encounter")))
            if stay:
                diagnoses.setdefault(stay, set()).add(item["code"]["coding"][0]["code"])
    assert diagnoses, "the current stays have diagnoses, on their Abteilungskontakte"
    for row in current.itertuples():
        stay = raw[row.encounter_id]
        assert (row.ward_id, row.bed_id) == (stay.ward_now, stay.bed_now)
        shown = {text.split(" ")[0] for text in (row.diagnoses or "").split("; ") if text}
        assert shown == diagnoses.get(row.encounter_id, set())


def test_my_patients_lists_each_inpatient_once(mii_app, network, raw):
    doctor = mii_app["arzt.demo"]
    at = open_page("pages/my_patients.py", doctor, lang="en")
    assert not at.exception
    expected = my_patients(raw, doctor, ward_departments(network.manifest))
    assert expected, "the demo physician's departments have inpatients"
    assert next(m.value for m in at.metric if m.label == "Patients") == str(len(expected))
    shown = at.dataframe[0].value
    assert len(shown) == len(expected)
    assert "None" not in shown.astype(str).to_numpy()
