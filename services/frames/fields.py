"""Typed field readers for extractors: each returns None for missing and counts malformed values."""

from __future__ import annotations

from typing import Any

from services.codes import IDENTIFIER_TYPE_DE, IDENTIFIER_TYPE_V2
from services.frames.base import Collector, get, items

__all__ = ["code_of", "codings", "first_coding", "identifier", "obj", "pick", "text", "when"]


def text(value: Any, out: Collector, what: str) -> str | None:
    """A string field; anything else present is malformed."""
    if value is None or isinstance(value, str):
        return value
    out.warn(f"bad_{what}")
    return None


def when(value: Any, out: Collector, what: str) -> str | None:
    """A FHIR date/dateTime/instant as text; parsing to a timestamp happens per column."""
    return text(value, out, what)


def obj(value: Any, out: Collector, what: str) -> dict | None:
    """An element that must be a JSON object; anything else present is malformed."""
    if value is None or isinstance(value, dict):
        return value
    out.warn(f"bad_{what}")
    return None


def codings(concept: Any, out: Collector) -> list[dict]:
    """The codings of a CodeableConcept, or of a list of them; a misshapen ``coding`` counts."""
    if isinstance(concept, dict):
        return items(concept.get("coding"), out, "coding")
    found: list[dict] = []
    if isinstance(concept, list):
        for c in concept:
            if isinstance(c, dict):
                found += items(c.get("coding"), out, "coding")
    return found


def first_coding(codes: list[dict], system: str | None = None) -> dict:
    """The first of ``codes``, or the first of ``system`` if given; ``{}`` when there is none."""
    for coding in codes:
        if system is None or coding.get("system") == system:
            return coding
    return {}


def pick(codes: list[dict], system: str | None) -> dict:
    """The first coding of the preferred ``system`` (any system when None); when it has no
    code, the first coding."""
    coding = first_coding(codes, system)
    if coding.get("code") is None:
        return codes[0] if codes else {}
    return coding


def code_of(concept: Any, out: Collector, system: str | None = None) -> str | None:
    """The ``code`` of the first coding of a concept (of ``system`` if given)."""
    return text(first_coding(codings(concept, out), system).get("code"), out, "code")


def identifier(idents: list[dict], type_code: str, out: Collector) -> tuple[Any, Any]:
    """(system, value) of the first identifier with the given v2/German type code, unchecked."""
    for ident in idents:
        for coding in items(get(ident, "type", "coding"), out, "coding"):
            if coding.get("code") == type_code and coding.get("system") in (
                IDENTIFIER_TYPE_V2,
                IDENTIFIER_TYPE_DE,
            ):
                return ident.get("system"), ident.get("value")
    return None, None
