"""Documents against the test server: the record read lists every document the generator wrote
for a person, per hospital, without fetching a Binary; opening one gives its text or PDF with
one request; and on the timeline page a physician opens a letter, reads it, and the opening is
an AuditEvent on the platform."""

from __future__ import annotations

import base64
import re
from datetime import date

import pandas as pd
import pytest

from demo_data.bundles import read_json
from services.documents import open_document
from services.domain.documents import contents_of, document_list
from services.domain.patient_search import parse_criteria
from services.i18n import t
from services.patient_record import RECORD_KINDS, find_persons, read_record, record_patients
from services.search import query
from tests.support.apptest import clean, open_page

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("app_env")]
# KDL classes of letters (Entlassungsbericht extern, Ambulanzbrief): they open with a salutation.
LETTERS = ("AD010104", "AD010111")


@pytest.fixture(scope="module")
def written(test_network) -> dict[str, dict]:
    """Every DocumentReference and Binary of the generator's bundles, by ``Type/id``."""
    out = {}
    for bundle in test_network.manifest["bundles"]:
        for entry in read_json(test_network.dir / bundle["file"])["entry"]:
            res = entry["resource"]
            if res["resourceType"] in ("DocumentReference", "Binary"):
                out[f"{res['resourceType']}/{res['id']}"] = res
    return out


def record_of(platform, kvnr: str):
    found = find_persons(platform.read, parse_criteria("", "", kvnr, date.today()))
    assert len(found.persons) == 1, kvnr
    return read_record(platform, record_patients(found.persons.iloc[0]["records"]))


def source_text(written: dict, document_id: str) -> str:
    """The letter as the generator wrote it, inline or in its Binary."""
    attachment = written[f"DocumentReference/{document_id}"]["content"][0]["attachment"]
    data = attachment.get("data") or written[attachment["url"]]["data"]
    return base64.b64decode(data).decode("utf-8")


def test_the_record_lists_every_document_and_opens_each_kind(platform, test_network, written):
    truth = test_network.ground_truth["documents"]
    # The person with documents at the most hospitals, and one document of each storage.
    kvnr = max(truth, key=lambda k: (len({d["hospital"] for d in truth[k]}), len(truth[k]), k))
    record = record_of(platform, kvnr)
    assert not any(r.errors for r in record.reads)
    # One search per kind: the read brought no Binary.
    assert record.requests == len(RECORD_KINDS)
    listing = document_list(record.tables, record.patients)
    expected = {(d["hospital"], d["id"]) for d in truth[kvnr]}
    assert set(zip(listing["hospital_id"], listing["id"], strict=True)) == expected
    assert listing["author"].str.contains(", ").all()

    by_storage = {}
    for documents in truth.values():
        for document in documents:
            by_storage.setdefault(document["storage"], document)
    assert set(by_storage) == {"inline", "binary-text", "binary-pdf"}
    for storage, document in by_storage.items():
        other = record if document in truth[kvnr] else None
        if other is None:
            owner = next(k for k, docs in truth.items() if document in docs)
            other = record_of(platform, owner)
        source = other.patients["source"].iloc[0]
        client = platform.http(source)
        before = client.requests
        body = open_document(platform, source, contents_of(other.tables, source, document["id"]))
        assert client.requests - before == (0 if storage == "inline" else 1), storage
        if storage == "binary-pdf":
            attachment = written[f"DocumentReference/{document['id']}"]["content"][0]["attachment"]
            assert body.kind == "pdf"
            assert body.data == base64.b64decode(written[attachment["url"]]["data"])
        else:
            assert body.kind == "text"
            assert body.text == source_text(written, document["id"])


def unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown).replace("  \n", "\n")


def open_person(doctor, kvnr: str):
    at = open_page("pages/patient_search.py", doctor)
    at.text_input(key="search_identifier").input(kvnr)
    at.button[0].click().run()
    at.session_state[f"search_rows_{at.session_state['search_count']}"] = {
        "selection": {"rows": [0], "columns": []}
    }
    at.run()
    assert not at.exception
    # The search switched pages itself; AppTest reruns the page it last switched to.
    at.switch_page("pages/timeline.py").run()
    assert not at.exception
    return at


def test_a_physician_opens_a_letter_reads_it_and_the_opening_is_audited(
    users, platform, test_network, written
):
    doctor = users["arzt.demo"]
    truth = test_network.ground_truth
    kvnr, document = next(
        (k, d)
        for k in sorted(truth["documents"])
        for d in truth["documents"][k]
        if set(truth["patient_resources"][k]) == {doctor.hospital_id}
        and d["storage"] == "binary-text"
        and d["type"] in LETTERS
    )
    # The server keeps the events of earlier runs: count only this run's.
    began = pd.Timestamp.now(tz="Europe/Berlin").floor("s")
    at = open_person(doctor, kvnr)
    tables = [f for f in at.dataframe if t("documents.col.title") in f.value.columns]
    shown_titles = {title for frame in tables for title in frame.value[t("documents.col.title")]}
    assert shown_titles == {d["title"] for d in truth["documents"][kvnr]}
    choice = at.selectbox(key="document_open")
    source = at.session_state["record_person"]["records"][0][0]
    choice.select(f"{source}|{document['id']}").run()
    clean(at)
    letter = source_text(written, document["id"])
    body = next(
        unescaped(m.value) for m in at.markdown if "Sehr geehrte Kolleginnen" in unescaped(m.value)
    )
    # The whole letter, line by line and in order, as the generator wrote it.
    lines = [line.strip() for line in letter.splitlines() if line.strip()]
    assert [line.strip() for line in body.splitlines() if line.strip()] == lines

    events = platform.read(
        query("AuditEvent").search(entity=f"DocumentReference/{document['id']}"), no_cache=True
    )["audit_event"]
    mine = events[(events["user"] == doctor.username) & (events["recorded"] >= began)]
    assert len(mine) == 1
    event = mine.iloc[0]
    assert event["interaction"] == "read" and event["action"] == "R"
    assert event["resource"] == f"DocumentReference/{document['id']}"
    assert event["page"] == "timeline"
    # A rerun shows the same letter and records nothing new.
    at.run()
    again = platform.read(
        query("AuditEvent").search(entity=f"DocumentReference/{document['id']}"), no_cache=True
    )["audit_event"]
    assert len(again[(again["user"] == doctor.username) & (again["recorded"] >= began)]) == 1


def test_a_pdf_is_offered_for_download_and_a_person_without_documents_reads_so(users, test_network):
    doctor = users["arzt.demo"]
    truth = test_network.ground_truth
    own = [k for k, v in truth["patient_resources"].items() if set(v) == {doctor.hospital_id}]
    kvnr, document = next(
        (k, d)
        for k in sorted(own)
        for d in truth["documents"].get(k, [])
        if d["storage"] == "binary-pdf"
    )
    at = open_person(doctor, kvnr)
    source = at.session_state["record_person"]["records"][0][0]
    at.selectbox(key="document_open").select(f"{source}|{document['id']}").run()
    clean(at)
    assert t("documents.body.pdf_no_viewer") in [i.value for i in at.info]

    without = next(k for k in sorted(own) if k not in truth["documents"])
    at = open_person(doctor, without)
    clean(at)
    assert t("documents.none") in [i.value for i in at.info]
