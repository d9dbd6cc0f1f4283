"""Safety header, problem list and reconciled medication against the test server: for persons of
every allergy state, every person with an active isolation flag and every person treated at
several hospitals, what the record read gives is what the generator's ground truth says; and the
timeline page shows the header before anything else."""

from __future__ import annotations

import random
from datetime import date

import pandas as pd
import pytest

from services.domain.medication_list import atc_group, current_medication
from services.domain.patient_search import parse_criteria
from services.domain.problems import problem_list
from services.domain.safety import safety_header
from services.i18n import t
from services.patient_record import find_persons, read_record, record_patients
from tests.support.apptest import open_page

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]


def as_of(test_network) -> pd.Timestamp:
    return pd.Timestamp(test_network.as_of).tz_convert("Europe/Berlin")


def sample(test_network) -> list[str]:
    """KVNRs: ten of each allergy state, everyone flagged now, everyone at several hospitals and
    everyone taking two drugs of one group of the rule table."""
    truth = test_network.ground_truth
    safety = truth["safety"]
    rng = random.Random(17)
    chosen: set[str] = set()
    for state in ("known", "none_known", "not_recorded"):
        of_state = sorted(k for k, v in safety.items() if v["allergy_state"] == state)
        assert of_state, f"the test network has no person whose allergies are {state}"
        chosen.update(rng.sample(of_state, min(10, len(of_state))))
    chosen.update(k for k, v in safety.items() if v["flags_active"])
    chosen.update(k for k, v in truth["patient_resources"].items() if len(v) > 1)
    for kvnr, expected in safety.items():
        groups = [atc_group(code) for code in expected["medication_current"]]
        named = [g for g in groups if g is not None]
        if len(named) != len(set(named)):
            chosen.add(kvnr)
    return sorted(chosen)


def record_of(platform, kvnr: str):
    found = find_persons(platform.read, parse_criteria("", "", kvnr, date.today()))
    assert len(found.persons) == 1, kvnr
    record = read_record(platform, record_patients(found.persons.iloc[0]["records"]))
    assert not any(r.errors for r in record.reads)
    return record


def test_header_problems_and_medication_reconcile_with_the_ground_truth(platform, test_network):
    truth = test_network.ground_truth
    now = as_of(test_network)
    kvnrs = sample(test_network)
    states = set()
    duplicates = conflicts = 0
    for kvnr in kvnrs:
        expected = truth["safety"][kvnr]
        record = record_of(platform, kvnr)
        allergies = record.tables["allergy_intolerance"]
        # Every statement and allergy of every hospital, none lost on the way.
        assert (
            len(allergies)
            == expected["allergy_records"]
            == sum(per["AllergyIntolerance"] for per in truth["patient_resources"][kvnr].values())
        ), kvnr
        header = safety_header(record.tables, record.patients, now)
        assert header.allergy_state == expected["allergy_state"], kvnr
        states.add(header.allergy_state)
        assert sorted(header.allergies["code"]) == expected["allergies"], kvnr
        active = header.flags[header.flags["active"].astype(bool)]
        assert sorted(active["code"]) == expected["flags_active"], kvnr
        problems = problem_list(record.tables, record.patients, now)
        assert sorted(problems.active["code"]) == expected["problems_active"], kvnr
        assert sorted(problems.resolved["code"]) == expected["problems_resolved"], kvnr
        medication = current_medication(record.tables, record.patients, now)
        shown = {row.code: sorted(row.hospitals) for row in medication.itertuples()}
        assert shown == expected["medication_current"], kvnr
        duplicates += int(medication["duplicate"].sum())
        conflicts += int(medication["group_conflict"].sum())
    assert states == {"known", "none_known", "not_recorded"}
    assert duplicates, "no medication recorded at two hospitals in the sample"
    assert conflicts, "no two drugs of one group in the sample"


def test_timeline_shows_the_safety_header_first(users, test_network):
    """A person of the physician's own hospital with an allergy of high criticality: the red
    allergy box is the first alert of the page, above the current stay and the tabs."""
    doctor = users["arzt.demo"]
    truth = test_network.ground_truth
    kvnr = next(
        k
        for k in sorted(truth["safety"])
        if truth["safety"][k]["allergy_state"] == "known"
        and doctor.hospital_id in truth["patient_resources"][k]
        and "764146007" in truth["safety"][k]["allergies"]
    )
    at = open_page("pages/patient_search.py", doctor)
    at.text_input(key="search_identifier").input(kvnr)
    at.button[0].click().run()
    # A click on the row, as the browser sends it: the own hospital's patient opens directly.
    at.session_state[f"search_rows_{at.session_state['search_count']}"] = {
        "selection": {"rows": [0], "columns": []}
    }
    at.run()
    assert not at.exception
    order = [(node.type, str(getattr(node, "value", ""))) for node in walk(at.main)]
    allergies = t("safety.allergies")
    first_alert = next(i for i, (kind, _) in enumerate(order) if kind in ALERTS)
    assert allergies in order[first_alert][1]
    assert "Penicillin" in order[first_alert][1]
    stay = next(i for i, (kind, value) in enumerate(order) if value == t("stay.title"))
    tabs = next(i for i, (kind, _) in enumerate(order) if kind == "tab")
    assert first_alert < stay < tabs
    flags = next(i for i, (_, value) in enumerate(order) if t("safety.flags") in value)
    assert first_alert < flags < stay


ALERTS = ("error", "warning", "info", "success")


def walk(block):
    """Every element below ``block`` in page order."""
    for child in block.children.values():
        yield child
        if hasattr(child, "children"):
            yield from walk(child)
