"""The check every page makes first: is the signed-in user allowed to be here?"""

from __future__ import annotations

import streamlit as st

from components.session import tr, user
from services.roles import Capability, User

__all__ = ["require", "signed_in"]


def signed_in() -> User:
    """The signed-in user; a page that anybody signed in may see calls this instead."""
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
