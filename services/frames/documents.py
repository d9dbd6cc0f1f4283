"""Extractor for letters and reports: DocumentReference, its metadata and its content entries.

The content itself is not read here: an attachment's inline ``data`` is kept as the base64 text
it is, and one kept in a ``Binary`` is fetched only when a user opens the document
(``services.documents``).
"""

from __future__ import annotations

from services.codes import KDL, LOINC
from services.frames.base import Collector, Kind, Table, get, items, ref_id
from services.frames.fields import code_of, codings, first_coding, pick, text, when

__all__ = ["DOCUMENT_REFERENCE"]


def _binary_id(url: str | None) -> str | None:
    """The Binary a relative ``attachment.url`` names (``Binary/id``); an absolute URL is the
    reader's to judge, since only it knows the source's base."""
    if url is None or "://" in url or url.startswith(("urn:", "#")):
        return None
    return ref_id({"reference": url}, "Binary")


def _author(res: dict, out: Collector) -> tuple[str | None, str | None]:
    """The first author that is a Practitioner (id), and the first author's display text."""
    authors = items(res.get("author"), out, "author")
    practitioner = next(
        (found for a in authors if (found := ref_id(a, "Practitioner")) is not None), None
    )
    display = next((name for a in authors if (name := text(a.get("display"), out, "author"))), None)
    return practitioner, display


def _size(value: object, out: Collector) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    out.warn("bad_size")
    return None


def _document_reference(res: dict, out: Collector) -> None:
    concept = res.get("type")
    found = codings(concept, out)
    coding = pick(found, KDL)
    code = text(coding.get("code"), out, "code")
    contents = items(res.get("content"), out, "content")
    attachments = [a for c in contents if (a := c.get("attachment")) is not None]
    first_title = next(
        (t for a in attachments if isinstance(a, dict) and (t := a.get("title"))), None
    )
    context = res.get("context")
    encounters = items(get(context, "encounter"), out, "encounter")
    practitioner, author_display = _author(res, out)
    out.add(
        "document_reference",
        res["id"],
        ref_id(res.get("subject"), "Patient"),
        next((e for ref in encounters if (e := ref_id(ref, "Encounter"))), None),
        text(res.get("status"), out, "status"),
        text(res.get("docStatus"), out, "doc_status"),
        text(coding.get("system"), out, "system") if code else None,
        code,
        text(coding.get("display"), out, "display"),
        text(first_coding(found, LOINC).get("code"), out, "loinc"),
        text(get(concept, "text"), out, "type_text"),
        text(res.get("description"), out, "title") or text(first_title, out, "title"),
        when(res.get("date"), out, "date"),
        practitioner,
        author_display,
        ref_id(res.get("custodian"), "Organization"),
        when(get(context, "period", "start"), out, "period_start"),
        when(get(context, "period", "end"), out, "period_end"),
        code_of(res.get("category"), out),
        when(get(res, "meta", "lastUpdated"), out, "last_updated"),
    )
    for position, attachment in enumerate(attachments):
        if not isinstance(attachment, dict):
            out.warn("bad_attachment")
            continue
        url = text(attachment.get("url"), out, "url")
        out.add(
            "document_content",
            res["id"],
            position,
            text(attachment.get("contentType"), out, "content_type"),
            text(attachment.get("language"), out, "language"),
            text(attachment.get("title"), out, "title"),
            url,
            _binary_id(url),
            text(attachment.get("data"), out, "data"),
            _size(attachment.get("size"), out),
        )


DOCUMENT_REFERENCE = Kind(
    "DocumentReference",
    _document_reference,
    {
        "document_reference": Table(
            (
                "id",
                "patient_id",
                "encounter_id",
                "status",
                "doc_status",
                "system",
                "code",
                "display",
                "loinc",
                "type_text",
                "title",
                "date",
                "author_id",
                "author_display",
                "custodian_id",
                "period_start",
                "period_end",
                "category",
                "last_updated",
            ),
            times=("date", "period_start", "period_end", "last_updated"),
        ),
        "document_content": Table(
            (
                "document_id",
                "position",
                "content_type",
                "language",
                "title",
                "url",
                "binary_id",
                "data",
                "size",
            ),
            numbers=("position", "size"),
        ),
    },
)
