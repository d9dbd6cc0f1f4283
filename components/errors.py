"""The error boundary: the one place a page's failure becomes a translated message, never a
traceback.

Every failure gets an incident number, shown to the user and logged on the server with the
exception's type and where it was raised, but not its message or local values: those may carry
patient data (a searched name inside a URL, a field of a record).
"""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from components.session import tr
from services.errors import DataError

__all__ = ["error_boundary", "incident"]

log = logging.getLogger("medicus.incidents")


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in frames[::-1])


def incident(exc: BaseException, place: str) -> str:
    """Log ``exc`` without its message and return the incident number the user is shown."""
    number = secrets.token_hex(4).upper()
    chain = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 5:
        chain.append(f"{type(current).__module__}.{type(current).__name__} at {_where(current)}")
        current = current.__cause__ or current.__context__
    log.error("incident %s on %s: %s", number, place, " | caused by ".join(chain))
    return number


@contextmanager
def error_boundary(place: str) -> Iterator[None]:
    """Run a page (or a fragment of one); any failure ends in a message with an incident number.

    Streamlit's own control flow (``st.stop``, ``st.rerun``, ``st.switch_page``) derives from
    ``BaseException`` and passes through untouched.
    """
    try:
        yield
    except DataError as exc:
        number = incident(exc, place)
        st.error(
            tr(exc.message_key, source=exc.source or "FHIR", detail=exc.detail)
            + "  \n"
            + tr("error.incident", incident=number)
        )
    except Exception as exc:
        number = incident(exc, place)
        st.error(tr("error.unexpected") + "  \n" + tr("error.incident", incident=number))
