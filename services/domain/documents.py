"""A person's letters and reports across hospitals, and how one document's content is read.

``document_list`` turns the ``document_reference`` and ``document_content`` tables of a record
into one row per document (hospital, date, type, title, author, status, what its content is).
Documents entered in error are not listed. ``choose_content`` picks what to show of a document
with several attachments (text before PDF before anything else), and ``decode`` turns the bytes
of an attachment into what a page can show, saying in a word why it cannot when it cannot.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from services.domain.people import display_names
from services.domain.timeline import hospital_of

__all__ = [
    "CONTENT_KINDS",
    "DocumentBody",
    "choose_content",
    "content_kind",
    "contents_of",
    "decode",
    "decode_base64",
    "document_list",
]

ContentKind = Literal["text", "pdf", "other", "none"]
CONTENT_KINDS: tuple[ContentKind, ...] = ("text", "pdf", "other", "none")
BodyKind = Literal["text", "pdf", "unsupported", "missing", "invalid", "failed"]
_ORDER = {"text": 0, "pdf": 1, "other": 2}
_CONTENT_COLUMNS = ["source", "document_id", "position", "content_type", "url", "binary_id", "data"]
_COLUMNS = [
    "source",
    "id",
    "patient_id",
    "hospital_id",
    "encounter_id",
    "date",
    "type_code",
    "type",
    "title",
    "author",
    "status",
    "doc_status",
    "content",
]


def content_kind(content_type: object) -> ContentKind:
    """What a MIME type is to the page: text it shows, a PDF, or something else."""
    if not isinstance(content_type, str) or not content_type.strip():
        return "none"
    mime = content_type.split(";")[0].strip().lower()
    if mime == "text/plain":
        return "text"
    if mime == "application/pdf":
        return "pdf"
    return "other"


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    # FHIR attachments are written in UTF-8 unless they say otherwise.
    return "utf-8"


@dataclass(frozen=True)
class DocumentBody:
    """What opening a document gave: its text, its PDF bytes, or why there is nothing to show.

    ``kind``: ``text``, ``pdf``, ``unsupported`` (a format the page does not show),
    ``missing`` (no content, or a place the dashboard does not fetch from), ``invalid``
    (content that does not decode) or ``failed`` (the source did not deliver it); a failure
    carries the error's catalogue key and detail (``services.errors``).
    """

    kind: BodyKind
    text: str | None = None
    data: bytes | None = None
    content_type: str | None = None
    error_key: str | None = None
    detail: str | None = None


def decode_base64(value: str) -> bytes | None:
    """The bytes of a base64 text; None when it is not base64."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def decode(content_type: str | None, raw: bytes | None) -> DocumentBody:
    """The body of an attachment from its content type and bytes."""
    kind = content_kind(content_type)
    if raw is None:
        return DocumentBody("missing", content_type=content_type)
    if kind == "text":
        try:
            text = raw.decode(_charset(content_type or ""))
        except (LookupError, UnicodeDecodeError):
            return DocumentBody("invalid", content_type=content_type)
        return DocumentBody("text", text=text, content_type=content_type)
    if kind == "pdf":
        if not raw.startswith(b"%PDF-"):
            return DocumentBody("invalid", content_type=content_type)
        return DocumentBody("pdf", data=raw, content_type=content_type)
    return DocumentBody("unsupported", content_type=content_type)


def choose_content(contents: pd.DataFrame) -> pd.Series | None:
    """The attachment to show of one document's ``document_content`` rows: text first, then
    PDF, then the first written; None when it has none."""
    if contents.empty:
        return None
    rank = contents["content_type"].map(lambda c: _ORDER.get(content_kind(c), 3))
    ordered = contents.assign(_rank=rank).sort_values(["_rank", "position"], kind="stable")
    return ordered.drop(columns="_rank").iloc[0]


def contents_of(tables: dict[str, pd.DataFrame], source: str, document_id: str) -> pd.DataFrame:
    """The ``document_content`` rows of one document (empty when it has none)."""
    contents = tables.get("document_content")
    if contents is None:
        return pd.DataFrame(columns=_CONTENT_COLUMNS)
    return contents[(contents["source"] == source) & (contents["document_id"] == document_id)]


def _authors(documents: pd.DataFrame, practitioners: pd.DataFrame | None) -> pd.Series:
    written = documents["author_display"]
    if practitioners is None or practitioners.empty:
        return written
    people = practitioners.drop_duplicates(["source", "id"])
    names = pd.Series(display_names(people).to_numpy(), index=[people["source"], people["id"]])
    keys = pd.MultiIndex.from_arrays([documents["source"], documents["author_id"]])
    found = pd.Series(names.reindex(keys).to_numpy(), index=documents.index, dtype="object")
    return found.where(found.notna() & found.ne("–"), written)


def _content_of(documents: pd.DataFrame, contents: pd.DataFrame | None) -> pd.Series:
    if contents is None or contents.empty:
        return pd.Series("none", index=documents.index, dtype="object")
    kinds = contents.assign(kind=contents["content_type"].map(content_kind))
    kinds = kinds.assign(rank=kinds["kind"].map(lambda k: _ORDER.get(k, 3)))
    best = kinds.sort_values("rank", kind="stable").drop_duplicates(["source", "document_id"])
    lookup = best.set_index(["source", "document_id"])["kind"]
    keys = pd.MultiIndex.from_arrays([documents["source"], documents["id"]])
    found = pd.Series(lookup.reindex(keys).to_numpy(), index=documents.index, dtype="object")
    return found.fillna("none")


def document_list(tables: dict[str, pd.DataFrame], patients: pd.DataFrame) -> pd.DataFrame:
    """One row per document of the record, by hospital and newest first."""
    documents = tables.get("document_reference")
    if documents is None or documents.empty:
        return pd.DataFrame(columns=_COLUMNS)
    documents = documents[documents["status"].ne("entered-in-error")]
    if documents.empty:
        return pd.DataFrame(columns=_COLUMNS)
    out = documents.assign(
        hospital_id=hospital_of(documents, patients),
        date=documents["date"].fillna(documents["period_end"]),
        type_code=documents["code"],
        type=documents["type_text"].fillna(documents["display"]).fillna(documents["code"]),
        author=_authors(documents, tables.get("practitioner")),
        content=_content_of(documents, tables.get("document_content")),
    )
    out["title"] = out["title"].fillna(out["type"])
    ordered = out.sort_values(
        ["hospital_id", "date", "id"], ascending=[True, False, True], na_position="last"
    )
    return ordered.reset_index(drop=True)[_COLUMNS]
