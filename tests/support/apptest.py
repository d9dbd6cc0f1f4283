"""Running one page of the app for one user with Streamlit's AppTest, against the test server."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings, load_settings
from services.roles import Role, User
from services.sessions import SessionStore
from services.users import read_users, update_users

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def sources_json(settings: Settings) -> str:
    """``MEDICUS_SOURCES`` for ``settings``, each source with its token settings."""
    return json.dumps([asdict(s) for s in settings.sources])


@contextmanager
def app_environment(env: dict[str, str], users_file: Path, workdir: Path) -> Iterator[Path]:
    """The app's settings for AppTests: ``env`` names the sources (``MEDICUS_FHIR_URL`` or
    ``MEDICUS_SOURCES``); sign-ins from ``users_file`` with the demo on, audit log and session
    store in ``workdir``. Streamlit's caches are process-wide, so they are emptied on the way in
    and out."""
    import streamlit as st

    patch = pytest.MonkeyPatch()
    for name, value in env.items():
        patch.setenv(name, value)
    patch.setenv("MEDICUS_USERS_FILE", str(users_file))
    patch.setenv("MEDICUS_AUDIT_LOG", str(workdir / "audit.log"))
    patch.setenv("MEDICUS_COOKIE_KEY", "apptest-only-cookie-key-of-32-characters")
    patch.setenv("MEDICUS_SESSION_DB", str(workdir / "sessions.sqlite"))
    patch.setenv("MEDICUS_DEMO", "1")
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        yield workdir
    finally:
        patch.undo()
        st.cache_resource.clear()
        st.cache_data.clear()


def session_store() -> SessionStore:
    """The app's session store under the test settings (``app_env``)."""
    settings = load_settings()
    return SessionStore(
        settings.session_db,
        timedelta(minutes=settings.idle_minutes),
        timedelta(hours=settings.session_hours),
    )


def seed_session(at: AppTest, user: User) -> str:
    """``user`` signed in to ``at`` as the sign-in form would leave it: a session row in the store
    and the user in the session state. A user the directory does not know (a test's own scope) is
    added to it without a password, since the app ends sessions of users the directory lacks."""
    path = load_settings().users_file
    if user.username not in read_users(path)["credentials"]["usernames"]:
        entry = {"name": user.name, "roles": [user.role.value], "scope": {}}
        update_users(
            path, lambda doc: doc["credentials"]["usernames"].setdefault(user.username, entry)
        )
    token_id = session_store().open(user.username, datetime.now(UTC))
    at.session_state["user"] = user
    at.session_state["session_id"] = token_id
    return token_id


def open_page(page: str, user: User | None, lang: str = "de", timeout: float = 120) -> AppTest:
    """The app after signing ``user`` in (a seeded session) and switching to ``page``."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if user is not None:
        seed_session(at, user)
    at.session_state["lang"] = lang
    at.run()
    if page != "pages/home.py":
        at.switch_page(page)
        at.run()
    return at


def with_tiles(at: AppTest) -> AppTest:
    """The bed board with its detailed tiles instead of the one-screen grid."""
    return at.toggle(key="nurse.beds.tiles").set_value(True).run()


def texts(at: AppTest) -> str:
    """Everything the page says in markdown, titles, captions, alerts and metrics, as one text."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "error",
        "warning",
        "info",
        "success",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label}: {m.value}" for m in at.metric]
    return "\n".join(parts)


# What a table cell without a value looks like on screen unless the table names a placeholder.
_EMPTY_CELL = "None"
RAW_VALUES = ("None", "nan", "NaN", "NaT", "<NA>")


def _cell(value: object, empty: str) -> str:
    try:
        missing = bool(pd.isna(value))
    except (TypeError, ValueError):
        missing = False
    return empty if missing else str(value)


def visible_text(at: AppTest) -> str:
    """Everything the page shows as text, one item per line: ``texts``, the cells and headings of
    every table, widget labels and options, tab and expander labels, and the exception boxes.
    An empty cell counts as the table's placeholder, or as "None" where it has none (as the
    browser draws it)."""
    parts = [texts(at)]
    for kind in ("dataframe", "table"):
        for element in getattr(at, kind):
            frame = element.value
            empty = getattr(element.proto, "placeholder", "") or _EMPTY_CELL
            parts += [str(c) for c in frame.columns]
            parts += [_cell(v, empty) for v in frame.to_numpy().ravel()]
    for kind in ("selectbox", "multiselect", "radio"):
        for widget in getattr(at, kind):
            parts += [str(widget.label), *map(str, widget.options)]
    for kind in ("text_input", "text_area", "date_input", "toggle", "checkbox", "button", "slider"):
        parts += [str(widget.label) for widget in getattr(at, kind)]
    parts += [str(e.label) for e in at.tabs] + [str(e.label) for e in at.expander]
    parts += [str(e.value) for e in at.exception]
    return "\n".join(parts)


def raw_values(text: str) -> list[str]:
    """The raw null spellings (``RAW_VALUES``) that appear as words in ``text``."""
    words = set(re.findall(r"<NA>|[A-Za-z]+", text))
    return [raw for raw in RAW_VALUES if raw in words]


def clean(at: AppTest) -> str:
    """What the page shows (``visible_text``), after checking that it shows no exception and no
    raw null."""
    shown = visible_text(at)
    assert not at.exception, shown
    assert raw_values(shown) == [], shown
    return shown


def page_walk() -> list[tuple[Role, str]]:
    """Every (role, page) the menu offers, in menu order, role by role."""
    from components.navigation import offered

    return [(role, spec.path) for role in Role for spec in offered(role)]


def page_id(case: tuple[Role, str]) -> str:
    """``physician-home`` for (physician, ``pages/home.py``): test ids and check keys."""
    return f"{case[0].value}-{case[1].removeprefix('pages/').removesuffix('.py')}"


def as_of_caption(at: AppTest) -> datetime:
    """The moment a page worked with, as its "Stand:" caption gives it (German, to the minute):
    a clock read before or after the page ran may be on the other side of 12:00 or midnight."""
    from services.i18n import BERLIN, t

    prefix = t("mgr.as_of", time="")
    (shown,) = [c.value for c in at.caption if c.value.startswith(prefix)]
    return datetime.strptime(shown.removeprefix(prefix), "%d.%m.%Y %H:%M").replace(tzinfo=BERLIN)


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The one table on the page that has ``column``."""
    (frame,) = [e.value for e in at.dataframe if column in e.value.columns]
    return frame
