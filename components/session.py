"""Per-session state: settings, the platform's clients, the language, the signed-in user."""

from __future__ import annotations

import streamlit as st

from services.config import Settings, load_settings
from services.i18n import LANGUAGES, t
from services.platform import Platform
from services.roles import User

__all__ = ["language", "language_switch", "platform", "settings", "tr", "user"]


@st.cache_resource
def settings() -> Settings:
    return load_settings()


@st.cache_resource
def platform() -> Platform:
    """One pool of keep-alive connections per source, shared by every session of the process."""
    return Platform(settings())


def language() -> str:
    return st.session_state.get("lang", settings().default_language)


def tr(key: str, **values: object) -> str:
    """The catalogue string for ``key`` in the session's language."""
    return t(key, language(), **values)


def language_switch() -> None:
    """The language picker; its widget state is the session's language."""
    st.session_state.setdefault("lang", settings().default_language)
    current = language()
    st.sidebar.selectbox(
        t("lang.label", current),
        LANGUAGES,
        format_func=lambda code: t(f"lang.{code}", current),
        key="lang",
    )


def user() -> User | None:
    return st.session_state.get("user")
