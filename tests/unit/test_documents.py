"""Documents: the generator's letters and PDFs, the extractor, the list, decoding and opening."""

from __future__ import annotations

import base64
import re
from collections import Counter
from datetime import datetime

import httpx
import orjson
import pandas as pd
import pytest

from components.timeline_chart import timeline_figure
from demo_data import PRESETS, generate
from demo_data.codes import DOCUMENT_TYPES
from demo_data.pdf import MAX_LINES, text_pdf
from demo_data.timeutil import BERLIN
from services.codes import KDL, LOINC
from services.config import Settings, SourceConfig
from services.documents import binary_id_of, open_document
from services.domain.documents import (
    choose_content,
    contents_of,
    decode,
    document_list,
)
from services.domain.timeline import build_timeline, record_ids
from services.frames import KINDS, Collector
from services.i18n import t
from services.markdown import plain_lines
from services.platform import Platform
from tests.support.realdata import export_resources, of_kind

pytestmark = pytest.mark.unit

AS_OF = datetime(2025, 11, 28, 10, 0, tzinfo=BERLIN)
SOURCE = "Netz"
BASE = "http://fhir.test/fhir"


@pytest.fixture(scope="module")
def network():
    return generate(7, PRESETS["test"], AS_OF)


def collect(resources: list[dict], primary: str) -> tuple[dict[str, pd.DataFrame], Counter]:
    collector = Collector(KINDS, primary, source=SOURCE)
    collector.feed(resources)
    return collector.frames(), collector.warnings


def record_tables(network, kvnr: str) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The tables a record read gives for one person of the network (one source)."""
    patients = [p for p in network.resources["Patient"] if p["identifier"][0]["value"] == kvnr]
    ids = {f"Patient/{p['id']}" for p in patients}
    tables: dict[str, pd.DataFrame] = {}
    for kind in ("Patient", "DocumentReference", "Practitioner"):
        if kind == "Practitioner":
            batch = network.resources[kind]
        elif kind == "Patient":
            batch = patients
        else:
            batch = [r for r in network.resources[kind] if r["subject"]["reference"] in ids]
        found, warnings = collect(batch, kind)
        assert warnings == Counter()
        tables.update(found)
    patient_rows = tables["patient"][["source", "id"]].assign(
        hospital_id=[p["managingOrganization"]["reference"].split("/")[1] for p in patients]
    )
    return tables, patient_rows


# --- generator -----------------------------------------------------------------------------------


def test_documents_belong_to_finished_contacts_with_kdl_and_loinc_types(network):
    encounters = {e["id"]: e for e in network.resources["Encounter"]}
    documents = network.resources["DocumentReference"]
    assert documents
    kinds = Counter()
    for document in documents:
        stay = encounters[document["context"]["encounter"][0]["reference"].split("/")[1]]
        assert stay["status"] == "finished"
        assert document["subject"] == stay["subject"]
        kdl = [c for c in document["type"]["coding"] if c["system"] == KDL]
        assert len(kdl) == 1
        kind = next(k for k, t in DOCUMENT_TYPES.items() if t.kdl.code == kdl[0]["code"])
        kinds[kind] += 1
        written = datetime.fromisoformat(document["date"])
        # Letters are written after the contact, operation notes and findings during the stay.
        after = "end" if kind in ("entlassbrief", "arztbrief") else "start"
        assert written >= datetime.fromisoformat(stay["period"][after])
        assert written <= AS_OF
        loinc = [c["code"] for c in document["type"]["coding"] if c["system"] == LOINC]
        expected = DOCUMENT_TYPES[kind].loinc
        assert loinc == ([expected.code] if expected else [])
    assert set(kinds) == set(DOCUMENT_TYPES)


def test_content_is_inline_text_or_a_binary_the_document_names(network):
    binaries = {b["id"]: b for b in network.resources["Binary"]}
    hospital = {o["id"]: o["name"] for o in network.resources["Organization"]}
    storage = Counter()
    for document in network.resources["DocumentReference"]:
        (content,) = document["content"]
        attachment = content["attachment"]
        if "data" in attachment:
            storage["inline"] += 1
            assert attachment["contentType"] == "text/plain; charset=utf-8"
            text = base64.b64decode(attachment["data"]).decode("utf-8")
            custodian = document["custodian"]["reference"].split("/")[1]
            assert text.split("\n")[0] == hospital[custodian]
            continue
        binary = binaries.pop(attachment["url"].removeprefix("Binary/"))
        assert binary["contentType"] == attachment["contentType"]
        assert binary["securityContext"] == document["subject"]
        raw = base64.b64decode(binary["data"])
        assert len(raw) == attachment["size"]
        if attachment["contentType"] == "application/pdf":
            storage["pdf"] += 1
            assert raw.startswith(b"%PDF-1.4")
        else:
            storage["text"] += 1
            raw.decode("utf-8")
    # Every Binary belongs to exactly one document; all three ways occur.
    assert binaries == {}
    assert set(storage) == {"inline", "pdf", "text"}


def test_a_discharge_letter_names_the_stays_diagnoses_and_procedures(network):
    conditions = Counter()
    codes_of: dict[str, set[str]] = {}
    for condition in network.clinical.conditions:
        codes_of.setdefault(condition.encounter.id, set()).add(condition.code.code)
        conditions[condition.encounter.id] += 1
    procedures: dict[str, set[str]] = {}
    for procedure in network.clinical.procedures:
        procedures.setdefault(procedure.encounter.id, set()).add(procedure.code.code)
    letters = [d for d in network.documents if d.kind == "entlassbrief"]
    assert letters
    for letter in letters:
        text = letter.text
        assert "Medikation bei Entlassung:" in text
        assert letter.encounter.case_number in text
        for code in codes_of.get(letter.encounter.id, ()):
            assert f"- {code} " in text
        for code in procedures.get(letter.encounter.id, ()):
            assert f"- {code} " in text


def test_ground_truth_counts_documents_per_person_and_hospital(network):
    truth = network.ground_truth
    listed = {d["id"] for docs in truth["documents"].values() for d in docs}
    assert listed == {d["id"] for d in network.resources["DocumentReference"]}
    counted = Counter()
    for documents in truth["documents"].values():
        for document in documents:
            counted[document["hospital"]] += 1
    per_hospital = Counter()
    for hospitals in truth["patient_resources"].values():
        for hospital, kinds in hospitals.items():
            per_hospital[hospital] += kinds.get("DocumentReference", 0)
    assert +per_hospital == counted


def test_documents_come_from_a_stream_of_their_own(network):
    # Flags come along: the vital signs of a patient on SpO2 scale 2 follow that flag.
    without = generate(7, PRESETS["test"], AS_OF, kinds=["Observation", "Task", "Flag"])
    assert without.resources["Observation"] == network.resources["Observation"]
    only = generate(7, PRESETS["test"], AS_OF, kinds=["DocumentReference"])
    assert only.resources["DocumentReference"] == network.resources["DocumentReference"]
    assert only.resources["Binary"] == network.resources["Binary"]


# --- the PDF -------------------------------------------------------------------------------------


def test_the_pdf_has_a_consistent_cross_reference_table_and_the_text():
    pdf = text_pdf("Zeile (eins)\nÄrztin Yılmaz\\Test\n\nEnde", "Brief (Test)")
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    xref_at = int(re.search(rb"startxref\n(\d+)\n", pdf)[1])
    assert pdf[xref_at:].startswith(b"xref\n0 7\n")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n ", pdf)]
    assert len(offsets) == 6
    for number, offset in enumerate(offsets, 1):
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number)
    length = int(re.search(rb"/Length (\d+) >>\nstream\n", pdf)[1])
    stream = pdf.split(b"stream\n", 1)[1]
    assert stream[length:].startswith(b"endstream")
    # WinAnsi: umlauts kept, a letter outside cp1252 as its base letter, syntax escaped.
    assert b"(Zeile \\(eins\\)) '" in pdf
    assert "(Ärztin Yilmaz\\\\Test) '".encode("cp1252") in pdf
    assert b"/Title (Brief \\(Test\\))" in pdf


def test_a_long_text_is_cut_on_one_page_with_a_mark():
    pdf = text_pdf("\n".join(f"Zeile {n}" for n in range(200)), "Lang")
    assert pdf.count(b") '\n") == MAX_LINES
    assert "([…]) '".encode("cp1252") in pdf
    assert b"/Count 1" in pdf


# --- extractor -----------------------------------------------------------------------------------


def test_the_network_documents_read_back_whole(network):
    resources = network.resources["DocumentReference"]
    tables, warnings = collect(resources, "DocumentReference")
    assert warnings == Counter()
    documents, contents = tables["document_reference"], tables["document_content"]
    assert documents["id"].tolist() == [r["id"] for r in resources]
    assert len(contents) == len(resources)
    assert set(documents["system"]) == {KDL}
    assert documents["date"].notna().all() and documents["author_id"].notna().all()
    by_id = {r["id"]: r for r in resources}
    for row in contents.itertuples(index=False):
        attachment = by_id[row.document_id]["content"][0]["attachment"]
        if "url" in attachment:
            assert row.binary_id == attachment["url"].removeprefix("Binary/")
            assert pd.isna(row.data)
        else:
            assert row.data == attachment["data"] and pd.isna(row.binary_id)


def test_a_broken_field_costs_that_field():
    resource = {
        "resourceType": "DocumentReference",
        "id": "d1",
        "status": "current",
        "subject": {"reference": "Patient/p1"},
        "type": {"coding": [{"system": LOINC, "code": "18842-5", "display": "Discharge"}]},
        "date": "not a date",
        "description": 7,
        "author": [{"display": "Dr. Externe"}],
        "content": [
            {"attachment": "text"},
            {"attachment": {"contentType": "application/pdf", "url": "https://x.example/b/1"}},
            {"attachment": {"contentType": "text/plain", "url": "Binary/b2", "size": "12"}},
        ],
    }
    tables, warnings = collect([resource], "DocumentReference")
    row = tables["document_reference"].iloc[0]
    assert row["code"] == "18842-5" and row["loinc"] == "18842-5" and row["system"] == LOINC
    assert pd.isna(row["date"]) and pd.isna(row["title"])
    assert row["author_display"] == "Dr. Externe" and pd.isna(row["author_id"])
    contents = tables["document_content"]
    assert contents["position"].tolist() == [1, 2]
    assert pd.isna(contents["binary_id"].iloc[0]) and contents["binary_id"].iloc[1] == "b2"
    assert pd.isna(contents["size"].iloc[1])
    assert warnings == Counter({"bad_date": 1, "bad_title": 1, "bad_attachment": 1, "bad_size": 1})


# --- list, decoding, opening ---------------------------------------------------------------------


def test_the_list_is_per_hospital_newest_first_with_authors_and_content(network):
    truth = network.ground_truth["documents"]
    kvnr = max(truth, key=lambda k: (len({d["hospital"] for d in truth[k]}), len(truth[k]), k))
    tables, patients = record_tables(network, kvnr)
    listing = document_list(tables, patients)
    assert sorted(listing["id"]) == sorted(d["id"] for d in truth[kvnr])
    for hospital, rows in listing.groupby("hospital_id", sort=False):
        assert rows["date"].is_monotonic_decreasing
        assert set(rows["id"]) == {d["id"] for d in truth[kvnr] if d["hospital"] == hospital}
    assert listing["author"].str.contains(",").all()
    kinds = {"inline": "text", "binary-text": "text", "binary-pdf": "pdf"}
    expected = {d["id"]: kinds[d["storage"]] for d in truth[kvnr]}
    assert dict(zip(listing["id"], listing["content"], strict=True)) == expected
    assert listing["type"].isin([t.title for t in DOCUMENT_TYPES.values()]).all()


def test_entered_in_error_documents_are_not_listed_nor_marked(network):
    tables, patients = record_tables(network, next(iter(network.ground_truth["documents"])))
    documents = tables["document_reference"].copy()
    documents.loc[documents.index[0], "status"] = "entered-in-error"
    tables = {**tables, "document_reference": documents}
    listing = document_list(tables, patients)
    assert documents["id"].iloc[0] not in set(listing["id"])
    assert len(listing) == len(documents) - 1
    timeline = build_timeline(tables, patients, pd.Timestamp(AS_OF))
    assert f"DocumentReference/{documents['id'].iloc[0]}" not in record_ids(timeline)


def test_every_document_is_a_timeline_mark_of_its_own(network):
    truth = network.ground_truth["documents"]
    kvnr = max(truth, key=lambda k: (len(truth[k]), k))
    tables, patients = record_tables(network, kvnr)
    timeline = build_timeline(tables, patients, pd.Timestamp(AS_OF))
    marks = timeline.marks[timeline.marks["kind"] == "document"]
    assert sorted(r for rs in marks["records"] for r in rs) == sorted(
        f"DocumentReference/{d['id']}" for d in truth[kvnr]
    )
    assert (marks["merged"] == 1).all()
    assert set(marks["display"]) == {d["title"] for d in truth[kvnr]}
    # A lane of its own on the chart, one point per document.
    figure = timeline_figure(timeline, {}, lambda key, **_: t(key), "de")
    assert t("timeline.kind.document") in figure.layout.yaxis.ticktext
    lane = list(figure.layout.yaxis.ticktext).index(t("timeline.kind.document"))
    points = sum(len(trace.x) for trace in figure.data if trace.y is not None and lane in trace.y)
    assert points == len(truth[kvnr])


def test_no_document_table_is_an_empty_list():
    assert document_list({}, pd.DataFrame(columns=["source", "id", "hospital_id"])).empty


def test_decode_says_why_it_cannot_show_something():
    assert decode("text/plain; charset=utf-8", "Grüße".encode()).text == "Grüße"
    assert decode("text/plain; charset=ISO-8859-1", "Grüße".encode("latin-1")).text == "Grüße"
    assert decode("text/plain", b"\xff\xfe\xfa").kind == "invalid"
    assert decode("text/plain; charset=nonsense", b"x").kind == "invalid"
    assert decode("application/pdf", b"%PDF-1.4 ...").kind == "pdf"
    assert decode("application/pdf", b"<html>").kind == "invalid"
    assert decode("image/png", b"\x89PNG").kind == "unsupported"
    assert decode(None, b"x").kind == "unsupported"
    assert decode("text/plain", None).kind == "missing"


def test_text_is_chosen_before_a_pdf():
    contents = pd.DataFrame(
        {
            "content_type": ["application/pdf", "image/png", "text/plain"],
            "position": [0, 1, 2],
        }
    )
    assert choose_content(contents)["position"] == 2
    assert choose_content(contents.iloc[:2])["position"] == 0
    assert choose_content(contents.iloc[0:0]) is None


def test_binary_ids_only_at_the_documents_own_source():
    own = pd.Series({"binary_id": None, "url": f"{BASE}/Binary/b7"})
    assert binary_id_of(own, BASE) == "b7"
    assert binary_id_of(own, BASE + "/") == "b7"
    assert (
        binary_id_of(pd.Series({"binary_id": None, "url": "https://x.example/Binary/b7"}), BASE)
        is None
    )
    assert binary_id_of(pd.Series({"binary_id": "b1", "url": "Binary/b1"}), BASE) == "b1"


def platform_answering(handler) -> Platform:
    settings = Settings(sources=(SourceConfig(name=SOURCE, url=BASE, timeout=2.0),), retries=0)
    return Platform(settings, {SOURCE: httpx.MockTransport(handler)})


def content_row(**values) -> pd.DataFrame:
    row = {"source": SOURCE, "document_id": "d1", "position": 0, "content_type": "text/plain"}
    row.update({"url": None, "binary_id": None, "data": None, **values})
    return pd.DataFrame([row])


def test_a_binary_the_source_refuses_is_a_failure_in_words_not_an_exception():
    asked = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(503, content=b"{}")

    with platform_answering(handler) as platform:
        body = open_document(platform, SOURCE, content_row(binary_id="b1", url="Binary/b1"))
    assert body.kind == "failed" and body.error_key == "error.unavailable"
    assert asked == ["/fhir/Binary/b1"]


def test_a_binary_that_is_not_base64_or_missing_says_so():
    def handler(request: httpx.Request) -> httpx.Response:
        answer = {"resourceType": "Binary", "id": "b1", "data": "%%%"}
        if request.url.path.endswith("b2"):
            answer = {"resourceType": "Binary", "id": "b2"}
        return httpx.Response(200, content=orjson.dumps(answer))

    with platform_answering(handler) as platform:
        assert open_document(platform, SOURCE, content_row(binary_id="b1")).kind == "invalid"
        assert open_document(platform, SOURCE, content_row(binary_id="b2")).kind == "missing"


def test_content_elsewhere_and_inline_content_send_no_request():
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no request expected, got {request.url}")

    with platform_answering(handler) as platform:
        elsewhere = content_row(url="https://x.example/Binary/b1")
        assert open_document(platform, SOURCE, elsewhere).kind == "missing"
        inline = content_row(data=base64.b64encode(b"Brief").decode())
        assert open_document(platform, SOURCE, inline).text == "Brief"
        assert open_document(platform, SOURCE, content_row(data="not base64!")).kind == "invalid"
        assert open_document(platform, SOURCE, content_row().iloc[0:0]).kind == "missing"


def test_contents_of_one_document():
    tables = {"document_content": pd.concat([content_row(), content_row(document_id="d2")])}
    assert contents_of(tables, SOURCE, "d2")["document_id"].tolist() == ["d2"]
    assert contents_of({}, SOURCE, "d2").empty


def test_letter_text_stays_text_line_by_line():
    shown = plain_lines("Diagnosen:\n- I10 [Link](https://x.example)\n\n\nGrüße  \n")
    assert shown == "Diagnosen\\:  \n\\- I10 \\[Link\\]\\(https\\://x\\.example\\)\n\nGrüße"


@pytest.mark.parametrize("source", ["ukw", "ukhd"])
def test_the_real_exports_hold_no_documents_and_list_none(source):
    """The MII exports carry no DocumentReference: the tables are there, empty, and the list is
    empty (the page then says in words that none is recorded)."""
    resources = export_resources(source)
    assert of_kind(resources, "DocumentReference") == []
    tables, _ = collect(of_kind(resources, "DocumentReference"), "DocumentReference")
    assert tables["document_reference"].empty and tables["document_content"].empty
    patients, _ = collect(of_kind(resources, "Patient"), "Patient")
    listing = document_list(tables, patients["patient"].assign(hospital_id=source))
    assert listing.empty and list(listing.columns)[:3] == ["source", "id", "patient_id"]
