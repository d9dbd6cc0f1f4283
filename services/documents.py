"""Opening one document: its inline content, or the Binary that holds it, read on demand.

A record read lists documents without their Binaries (a letter is large and most are never
opened); ``open_document`` fetches the one Binary a user opens, through the source's one HTTP
client. Only Binaries of the document's own source are fetched: an ``attachment.url`` pointing
anywhere else is reported as content the dashboard does not fetch, never requested.
"""

from __future__ import annotations

import pandas as pd

from services.domain.documents import DocumentBody, choose_content, decode, decode_base64
from services.errors import DataError
from services.platform import Platform

__all__ = ["binary_id_of", "open_document"]


def binary_id_of(content: pd.Series, base_url: str) -> str | None:
    """The Binary an attachment names at the source with ``base_url``: a relative
    ``Binary/id`` (the extractor's ``binary_id``) or an absolute URL under that base."""
    if isinstance(content.get("binary_id"), str):
        return content["binary_id"]
    url = content.get("url")
    prefix = base_url.rstrip("/") + "/Binary/"
    if isinstance(url, str) and url.startswith(prefix):
        rest = url[len(prefix) :].split("/_history/")[0]
        return rest if rest and "/" not in rest else None
    return None


def open_document(platform: Platform, source: str, contents: pd.DataFrame) -> DocumentBody:
    """The body of one document from its ``document_content`` rows (one source's).

    Inline data is decoded here; a Binary is read from ``source``. A source that fails gives a
    ``failed`` body with the error's message key and detail, never an exception.
    """
    content = choose_content(contents)
    if content is None:
        return DocumentBody("missing")
    content_type = content["content_type"] if isinstance(content["content_type"], str) else None
    data = content.get("data")
    if isinstance(data, str):
        raw = decode_base64(data)
        if raw is None:
            return DocumentBody("invalid", content_type=content_type)
        return decode(content_type, raw)
    try:
        http = platform.http(source)
    except DataError as exc:
        return _failed(exc, content_type)
    binary_id = binary_id_of(content, http.source.url)
    if binary_id is None:
        return DocumentBody("missing", content_type=content_type)
    try:
        binary = http.get_json(f"Binary/{binary_id}")
    except DataError as exc:
        return _failed(exc, content_type)
    stored = binary.get("data")
    kept_as = binary.get("contentType")
    content_type = content_type or (kept_as if isinstance(kept_as, str) else None)
    if binary.get("resourceType") != "Binary" or not isinstance(stored, str):
        return DocumentBody("missing", content_type=content_type)
    raw = decode_base64(stored)
    if raw is None:
        return DocumentBody("invalid", content_type=content_type)
    return decode(content_type, raw)


def _failed(exc: DataError, content_type: str | None) -> DocumentBody:
    return DocumentBody(
        "failed", content_type=content_type, error_key=exc.message_key, detail=exc.detail
    )
