"""Sign-in and sign-out with streamlit-authenticator, the lock-out, and the idle timeout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError

from components.session import settings, tr
from services.config import cookie_key
from services.users import (
    LOCK_MINUTES,
    MAX_LOGIN_ATTEMPTS,
    apply_lockout,
    read_users,
    user_from,
    write_users,
)

__all__ = ["authenticator", "expire_idle", "login_page", "logout_page", "sign_in_from_state"]


def authenticator() -> stauth.Authenticate | None:
    """This run's authenticator over the users file; None when no users are set up yet.

    Made once per script run (its cookie manager is a component that may exist once per run)
    and kept in the session state for the sign-in and sign-out pages of the same run.
    """
    auth = _new_authenticator()
    st.session_state["_authenticator"] = auth
    return auth


def _run_authenticator() -> stauth.Authenticate | None:
    return st.session_state.get("_authenticator")


def _new_authenticator() -> stauth.Authenticate | None:
    cfg = settings()
    path = cfg.users_file
    document = read_users(path)
    if not document["credentials"]["usernames"]:
        return None
    if apply_lockout(document, datetime.now(UTC)):
        write_users(path, document)
    st.session_state["_users_document"] = document
    # The credentials are handed over as a dict (not the file path) so that the cookie key stays
    # out of the users file; failed attempts are written back by ``_persist_attempts``.
    return stauth.Authenticate(
        document["credentials"],
        cookie_name="medicus_dashboard",
        cookie_key=cookie_key(cfg),
        cookie_expiry_days=cfg.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=0.2,
    )


def sign_in_from_state() -> None:
    """Turn the authenticator's session keys into our ``User`` (role and scope)."""
    if not st.session_state.get("authentication_status"):
        st.session_state.pop("user", None)
        return
    username = st.session_state.get("username")
    if st.session_state.get("user") and st.session_state["user"].username == username:
        return
    entry = read_users(settings().users_file)["credentials"]["usernames"].get(username, {})
    st.session_state["user"] = user_from(username, entry)
    st.session_state["last_activity"] = datetime.now(UTC)


def expire_idle(auth: stauth.Authenticate | None) -> None:
    """Sign out a session that has been idle for longer than the configured minutes."""
    now = datetime.now(UTC)
    last = st.session_state.get("last_activity")
    idle = timedelta(minutes=settings().idle_minutes)
    if st.session_state.get("user") and last and now - last > idle and auth is not None:
        auth.logout(location="unrendered")
        st.session_state.pop("user", None)
    st.session_state["last_activity"] = now


def _attempts(document: dict) -> dict[str, int]:
    users = document["credentials"]["usernames"]
    return {name: int(entry.get("failed_login_attempts") or 0) for name, entry in users.items()}


def login_page() -> None:
    st.title(tr("app.title"))
    st.info(tr("app.demo_notice"))
    auth = _run_authenticator()
    if auth is None:
        st.error(tr("login.no_users", path=settings().users_file))
        return
    fields = {
        "Form name": tr("login.form"),
        "Username": tr("login.username"),
        "Password": tr("login.password"),
        "Login": tr("login.submit"),
        "Captcha": tr("login.captcha"),
    }
    document = st.session_state["_users_document"]
    before = _attempts(document)
    try:
        auth.login(fields=fields, max_login_attempts=MAX_LOGIN_ATTEMPTS)
    except LoginError:
        st.error(tr("login.locked", minutes=LOCK_MINUTES))
        return
    finally:
        if _attempts(document) != before:
            write_users(settings().users_file, document)
    if st.session_state.get("authentication_status") is False:
        st.error(tr("login.failed"))
    elif st.session_state.get("authentication_status"):
        sign_in_from_state()
        st.switch_page("pages/home.py")


def logout_page() -> None:
    """End the session; the next interaction shows the sign-in form.

    No ``st.rerun`` here: the page would be asked for again in the rerun and sign out forever.
    """
    auth = _run_authenticator()
    if auth is not None and st.session_state.get("authentication_status"):
        auth.logout(location="unrendered")
    for key in ("user", "last_activity"):
        st.session_state.pop(key, None)
    st.success(tr("logout.done"))
    if st.button(tr("logout.sign_in_again")):
        st.switch_page("pages/login.py")
