"""Reads by patient go to the source that holds the patient: a local Patient id names a record
of one hospital, and asking the other hospitals' servers for it would hand them ids of patients
they do not treat (and fill their access logs with them)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import streamlit as st

from components.scope import flags_of, stays
from components.session import platform as app_platform
from tests.realdata.test_pages import SOURCES

pytestmark = pytest.mark.realdata

# The searches that name patients by their local id.
BY_PATIENT = {"Patient": "_id", "Flag": "patient", "Encounter": "subject"}


@pytest.fixture
def asked(real_app, monkeypatch) -> Iterator[dict[str, list[tuple[str, set[str]]]]]:
    """Per source, the searches by patient its server was sent: (resource type, ids named)."""
    # Every stay left open counts as current, so both exports have inpatients now.
    monkeypatch.setenv("MEDICUS_STALE_STAY_DAYS", "100000")
    st.cache_resource.clear()
    st.cache_data.clear()
    sent: dict[str, list[tuple[str, set[str]]]] = {name: [] for name in SOURCES}

    def recorder(name: str):
        def record(request) -> None:
            kind = request.url.path.rstrip("/").rsplit("/", 1)[-1]
            param = BY_PATIENT.get(kind)
            values = parse_qs(urlsplit(str(request.url)).query).get(param or "", [])
            if request.method == "GET" and values:
                ids = {v.rsplit("/", 1)[-1] for value in values for v in value.split(",")}
                sent[name].append((kind, ids))

        return record

    clients = {name: app_platform().http(name)._client for name in SOURCES}
    for name, client in clients.items():
        client.event_hooks["request"].append(recorder(name))
    try:
        yield sent
    finally:
        for client in clients.values():
            client.event_hooks["request"].clear()
        st.cache_resource.clear()
        st.cache_data.clear()


def test_patients_and_their_flags_are_asked_of_their_own_source_only(asked):
    placed, read = stays(network=True, with_patients=True)
    flags = flags_of(placed)
    assert not read.errors and flags is not None and not flags.errors
    own = {
        name: set(placed.loc[placed["source"] == name, "patient_id"].dropna()) for name in SOURCES
    }
    assert own["UKHD"], "the UKHD export has inpatients now"
    for name in SOURCES:
        kinds = {kind for kind, _ in asked[name]}
        if own[name]:
            assert {"Patient", "Flag"} <= kinds, (name, asked[name])
        else:
            assert not asked[name], f"{name} holds none of these patients: {asked[name]}"
        for kind, ids in asked[name]:
            assert ids <= own[name], (name, kind, ids - own[name])
    # Each patient's record was read, from its own source.
    patients = read["patient"]
    for name in SOURCES:
        assert set(patients.loc[patients["source"] == name, "id"]) == own[name]
