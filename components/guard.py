"""The check every page makes first: is the signed-in user allowed to be here?

A page calls ``require_page(__file__)``: the capability comes from the page's ``PageSpec`` in
``components.navigation``, the same spec the menu is built from, so what a role is offered and
what it may open cannot drift apart.
"""

from __future__ import annotations

import streamlit as st

from components.navigation import spec_of
from components.session import run_through_app, tr, user
from services.roles import Capability, User

__all__ = ["require", "require_page", "signed_in"]


def signed_in() -> User:
    """The signed-in user, or the page stops with a note to sign in."""
    current = user()
    if current is None:
        st.warning(tr("guard.not_signed_in"))
        st.stop()
    return current


def require(*capabilities: Capability) -> User:
    """The user if they hold any of ``capabilities``; otherwise say so and stop the page."""
    current = signed_in()
    if not any(current.can(c) for c in capabilities):
        st.error(tr("guard.not_permitted"))
        st.stop()
    return current


def require_page(page_file: str) -> User:
    """The user if their role may open the page ``page_file`` (its ``__file__``); else stop."""
    run_through_app()
    spec = spec_of(page_file)
    if spec.capability is None:
        return signed_in()
    return require(spec.capability)
