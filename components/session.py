"""Per-session state: settings, the platform's clients, the language, the signed-in user."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from services.config import Settings, load_settings
from services.i18n import LANGUAGES, t
from services.platform import Platform
from services.roles import User

__all__ = [
    "PICKER",
    "language",
    "language_switch",
    "platform",
    "run_through_app",
    "settings",
    "tr",
    "user",
]

# The language picker's widget key; the language itself is "lang".
PICKER = "lang_picker"


@st.cache_resource
def settings() -> Settings:
    return load_settings()


@st.cache_resource
def platform() -> Platform:
    """One pool of keep-alive connections per source, shared by every session of the process."""
    return Platform(settings())


def run_through_app() -> None:
    """Start the run again through app.py when Streamlit ran this page's file by itself.

    Streamlit 1.67 decides per process whether pages are the files of a ``pages/`` folder or the
    pages of ``st.navigation``, and learns the latter only when app.py has run once: in a fresh
    process (a replica that just took over a session, a restarted dashboard) a first run that
    asks for a page by its address runs that file directly, without app.py's sign-in gate, and
    the page shows as signed out. Such a run lists app.py itself among its pages (app.py's own
    navigation never does), which also catches the second of two runs of a reconnecting tab
    that both started before the first one left that mode. Leaving it is what
    ``st.navigation`` does itself.
    """
    ctx = get_script_run_ctx()
    # AppTest runs every run after its first in this very mode, and its tests are written so.
    if ctx is None or config.get_option("global.appTest"):
        return
    manager = ctx.pages_manager
    app = Path(manager.main_script_path).resolve()
    pages = manager.get_pages().values()
    if PagesManager.uses_pages_directory or any(
        page.get("script_path") and Path(page["script_path"]).resolve() == app for page in pages
    ):
        PagesManager.uses_pages_directory = False
        st.rerun()


def language() -> str:
    return st.session_state.get("lang", settings().default_language)


def tr(key: str, **values: object) -> str:
    """The catalogue string for ``key`` in the session's language."""
    return t(key, language(), **values)


def language_switch() -> None:
    """The language picker. The language is kept in a key of its own ("lang"), set only when the
    user picks one: a widget's own state is dropped by Streamlit when a run ends without it (a
    page switch cuts a run short), and the language must outlive that."""
    st.session_state.setdefault("lang", settings().default_language)
    current = language()

    def chosen() -> None:
        st.session_state["lang"] = st.session_state[PICKER]

    st.sidebar.selectbox(
        t("lang.label", current),
        LANGUAGES,
        index=LANGUAGES.index(current),
        format_func=lambda code: t(f"lang.{code}", current),
        key=PICKER,
        on_change=chosen,
        placeholder=t("widget.choose_one", current),
    )


def user() -> User | None:
    return st.session_state.get("user")
