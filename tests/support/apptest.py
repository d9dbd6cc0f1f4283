"""Running one page of the app for one user with Streamlit's AppTest, against the test server."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from services.roles import User

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(page: str, user: User | None, lang: str = "de", timeout: float = 120) -> AppTest:
    """The app after signing ``user`` in (seeded session state) and switching to ``page``."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if user is not None:
        at.session_state["user"] = user
        at.session_state["authentication_status"] = True
        at.session_state["username"] = user.username
    at.session_state["lang"] = lang
    at.run()
    if page != "pages/home.py":
        at.switch_page(page)
        at.run()
    return at


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
