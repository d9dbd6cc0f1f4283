"""Typed field readers for extractors: each returns None for missing and counts malformed values."""

from __future__ import annotations

from typing import Any

from services.codes import IDENTIFIER_TYPE_DE, IDENTIFIER_TYPE_V2
from services.frames.base import Collector, get

__all__ = ["identifier", "text", "when"]


def text(value: Any, out: Collector, what: str) -> str | None:
    """A string field; anything else present is malformed."""
    if value is None or isinstance(value, str):
        return value
    out.warn(f"bad_{what}")
    return None


def when(value: Any, out: Collector, what: str) -> str | None:
    """A FHIR date/dateTime/instant as text; parsing to a timestamp happens per column."""
    return text(value, out, what)


def identifier(resource: dict, type_code: str) -> tuple[str | None, str | None]:
    """(system, value) of the first identifier with the given v2/German type code."""
    for ident in resource.get("identifier") or ():
        for coding in get(ident, "type", "coding") or ():
            if (
                isinstance(coding, dict)
                and coding.get("code") == type_code
                and coding.get("system") in (IDENTIFIER_TYPE_V2, IDENTIFIER_TYPE_DE)
            ):
                return ident.get("system"), ident.get("value")
    return None, None
