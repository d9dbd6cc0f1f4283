"""Sign-in, sign-out and the server-side session check of every run and every fragment run.

The session store (``services.sessions``) decides whether a browser is signed in; the browser's
cookie only names a session row. streamlit-authenticator 0.4.2 is not used for the sign-in
itself: its cookie check lets ``alg: none`` and claim-less tokens raise, its attempt counter is a
snapshot of the users file written back whole, and it knows no idle limit or revocation (see
docs/SECURITY.md). The cookie is written with the cookie component it uses
(extra-streamlit-components), with the tightest attributes a script-set cookie can have.

With ``MEDICUS_SIGN_IN=oidc`` staff sign in at the identity provider instead (``st.login``); the
identity token's claims give role and scope (``services.oidc``). The session store and the
cookie work as for the local directory: a fresh identity opens one session, and once that has
ended only a new sign-in at the IdP opens the next.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import extra_streamlit_components as stx
import streamlit as st

from components.audit import audit
from components.errors import error_boundary
from components.session import run_through_app, settings, tr, user
from services.audit import SignInRecord
from services.config import cookie_key
from services.markdown import plain
from services.oidc import ClaimsCheck, Refusal, fresh, identity_key, user_from_claims
from services.roles import User
from services.sessions import (
    CookieClaims,
    SessionState,
    SessionStore,
    decode_cookie,
    encode_cookie,
)
from services.users import LOCK_MINUTES, Outcome, may_stay, read_users, sign_in, user_from

__all__ = [
    "COOKIE_NAME",
    "browser_cookie",
    "gate",
    "live_fragment",
    "login_page",
    "logout_page",
    "session_store",
    "write_cookie",
]

COOKIE_NAME = "medicus_dashboard"
_SESSION = "session_id"
_PENDING = "_cookie_pending"
_ENDED = "_session_ended"
_REFUSED = "_cookie_refused"
_SSO_REFUSAL = "_sso_refusal"
# How long a used identity is remembered: far longer than an identity stays fresh.
_IDENTITY_MEMORY = timedelta(hours=1)


@st.cache_resource
def _store(path: str, idle_minutes: int, hours: float) -> SessionStore:
    return SessionStore(
        path=Path(path),
        idle=timedelta(minutes=idle_minutes),
        absolute=timedelta(hours=hours),
    )


def session_store() -> SessionStore:
    cfg = settings()
    return _store(str(cfg.session_db), cfg.idle_minutes, cfg.session_hours)


def browser_cookie() -> str | None:
    """The sign-in cookie the browser sent when it opened this session."""
    value = st.context.cookies.get(COOKIE_NAME)
    # Outside a browser (AppTest, bare mode) there is no client and no cookie string.
    return value if isinstance(value, str) else None


def _end(reason: str) -> None:
    for key in ("user", _SESSION, _PENDING):
        st.session_state.pop(key, None)
    st.session_state[_ENDED] = reason


def _oidc() -> bool:
    return settings().sign_in == "oidc"


def _identity() -> dict | None:
    """The identity token's claims Streamlit keeps for this browser; None when there are none."""
    if not st.user.is_logged_in:
        return None
    return dict(st.user.to_dict())


def _identity_user(username: str) -> User | None:
    """The user the browser's identity describes, when it is ``username``."""
    claims = _identity()
    if claims is None:
        return None
    check = user_from_claims(claims, demo=settings().demo)
    return check.user if check.username == username else None


def _still_valid(username: str, token_id: str, *, touch: bool) -> bool:
    """The session row is active and its user may still be signed in; else it is revoked.

    With single sign-on, "may still" means the browser still holds that person's identity (a
    sign-out at the IdP, or another person's sign-in in this browser, ends the session).
    """
    now = datetime.now(UTC)
    store = session_store()
    state = store.check(token_id, username, now, touch=touch)
    if state is not SessionState.ACTIVE:
        return False
    cfg = settings()
    if _oidc():
        stays = _identity_user(username) is not None
    else:
        stays = may_stay(read_users(cfg.users_file), store, username, now, demo=cfg.demo)
    if not stays:
        store.revoke(token_id, now, "account")
        return False
    return True


def _refusal_text(check: ClaimsCheck) -> str:
    """Why ``check`` signs nobody in, in the session's language."""
    missing = ", ".join(tr(f"sso.scope.{key}") for key in check.missing)
    role = tr(f"role.{check.role.value}") if check.role else ""
    reason = check.refusal.value if check.refusal else Refusal.NO_ROLE.value
    # The username is the IdP's text inside an alert, which Streamlit renders as Markdown.
    name = plain(check.username)
    return tr(f"sso.refused.{reason}", username=name, role=role, missing=missing)


def _open_session(signed_in: User, now: datetime) -> None:
    cfg = settings()
    token_id = session_store().open(signed_in.username, now)
    expires = now + timedelta(hours=cfg.session_hours)
    token = encode_cookie(CookieClaims(signed_in.username, token_id), expires, cookie_key(cfg))
    for key in (_ENDED, _SSO_REFUSAL):
        st.session_state.pop(key, None)
    st.session_state["user"] = signed_in
    st.session_state[_SESSION] = token_id
    st.session_state[_PENDING] = (token, expires.isoformat())


def _sso_sign_in() -> User | None:
    """Open a session for a fresh identity from the IdP that no session has used yet.

    An identity that names no dashboard role, or not the scope its role needs, is refused and
    the refusal audited; the login page says why.
    """
    claims = _identity()
    if claims is None:
        return None
    now = datetime.now(UTC)
    key = identity_key(claims)
    if key is None or not fresh(claims, now):
        return None
    if not session_store().use_identity(key, now, _IDENTITY_MEMORY):
        return None
    check = user_from_claims(claims, demo=settings().demo)
    if check.user is None:
        st.session_state[_SSO_REFUSAL] = _refusal_text(check)
        audit(
            SignInRecord(
                username=check.username or str(claims.get("sub") or ""),
                name=check.name,
                role=check.role.value if check.role else None,
                outcome="4",
                # Codes, not words: the trail is read in either language.
                outcome_text=" ".join(["sign-in refused:", str(check.refusal), *check.missing]),
            )
        )
        return None
    audit(
        SignInRecord(
            username=check.user.username,
            name=check.user.name,
            role=check.user.role.value,
            practitioner_id=check.user.practitioner_id,
        )
    )
    _open_session(check.user, now)
    return check.user


def gate() -> tuple[User | None, bool]:
    """Who is signed in for this run, as the session store says, and whether this run ended a
    session; called on every full run.

    A session of this browser tab is checked (and its activity recorded); without one, the sign-in
    cookie may resume a session after a reload, if its row is still active.
    """
    current = user()
    token_id = st.session_state.get(_SESSION)
    if current is not None:
        if token_id and _still_valid(current.username, token_id, touch=True):
            return current, False
        # Ended on the server, or a user in the session state that never signed in here.
        st.session_state[_REFUSED] = browser_cookie()
        _end("ended")
        return None, True
    if _oidc():
        # A new sign-in at the IdP wins over the cookie of an earlier session.
        opened = _sso_sign_in()
        if opened is not None:
            return opened, False
    raw = browser_cookie()
    if not raw or st.session_state.get(_REFUSED) == raw:
        return None, False
    claims = decode_cookie(raw, cookie_key(settings()))
    if claims is None:
        # Forged (``alg: none``, another key), expired or from an older version: the form.
        st.session_state[_REFUSED] = raw
        _end("invalid")
        return None, True
    if not _still_valid(claims.username, claims.token_id, touch=True):
        st.session_state[_REFUSED] = raw
        _end("ended")
        return None, True
    if _oidc():
        resumed = _identity_user(claims.username)
    else:
        entry = read_users(settings().users_file)["credentials"]["usernames"][claims.username]
        resumed = user_from(claims.username, entry)
    if resumed is None:
        return None, False
    st.session_state["user"] = resumed
    st.session_state[_SESSION] = claims.token_id
    return resumed, False


def write_cookie() -> None:
    """Hand a freshly signed-in session's cookie to the browser.

    Done in the runs after the sign-in, not in the sign-in run itself: that run switches to the
    start page, and a component of a run that is cut short never reaches the browser (which is
    why a reload used to show the sign-in form again). The component answers True once the
    browser has stored the cookie.
    """
    pending = st.session_state.get(_PENDING)
    if not pending:
        return
    token, expires = pending
    manager = stx.CookieManager(key="medicus_cookies")
    stored = manager.cookie_manager(
        method="set",
        cookie=COOKIE_NAME,
        value=token,
        # A script-set cookie cannot be HttpOnly; SameSite=Strict keeps it off cross-site
        # requests and Secure off plain HTTP (localhost excepted by the browsers).
        options={
            "path": "/",
            "expires": expires,
            "sameSite": "strict",
            "secure": settings().cookie_secure,
        },
        key="medicus_cookie_set",
        default=False,
    )
    if stored:
        st.session_state.pop(_PENDING, None)


def _delete_cookie() -> None:
    manager = stx.CookieManager(key="medicus_cookies")
    manager.cookie_manager(
        method="delete", cookie=COOKIE_NAME, key="medicus_cookie_delete", default=False
    )


def live_fragment(run_every: float) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """``st.fragment(run_every=…)`` that checks the session before every run of its own.

    An automatic refresh is no activity: it does not hold an idle session open. When the session
    has ended, the whole app reruns and shows the sign-in form instead of patient data.
    """

    def wrap(body: Callable[[], None]) -> Callable[[], None]:
        @st.fragment(run_every=run_every)
        @functools.wraps(body)
        def run() -> None:
            current = user()
            token_id = st.session_state.get(_SESSION)
            if current is None or not token_id:
                st.rerun(scope="app")
            if not _still_valid(current.username, token_id, touch=False):
                _end("ended")
                st.rerun(scope="app")
            with error_boundary(body.__name__):
                body()

        return run

    return wrap


def login_page() -> None:
    run_through_app()
    st.title(tr("app.title"))
    cfg = settings()
    if cfg.demo:
        st.info(tr("app.demo_notice"))
    if st.session_state.get(_ENDED):
        st.warning(tr("login.session_ended"))
    if cfg.sign_in == "oidc":
        _sso_form()
        return
    document = read_users(cfg.users_file)
    if not document["credentials"]["usernames"]:
        st.error(tr("login.no_users", path=cfg.users_file))
        return
    with st.form("login"):
        st.subheader(tr("login.form"))
        username = st.text_input(tr("login.username"), autocomplete="username")
        password = st.text_input(
            tr("login.password"), type="password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(tr("login.submit"))
    if not submitted or not username:
        return
    now = datetime.now(UTC)
    store = session_store()
    result = sign_in(document, store, username, password, now, demo=cfg.demo)
    if result.outcome is Outcome.LOCKED:
        st.error(tr("login.locked", minutes=LOCK_MINUTES))
    elif result.outcome is Outcome.DEMO_OFF:
        st.error(tr("login.demo_off"))
    elif result.outcome is Outcome.NO_ROLE:
        st.error(tr("login.unknown_role"))
    elif result.outcome is Outcome.FAILED or result.user is None:
        st.error(tr("login.failed"))
    else:
        _open_session(result.user, now)
        st.switch_page("pages/home.py")


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _sso_form() -> None:
    """The sign-in of single sign-on: a button that leads to the IdP's form."""
    refusal = st.session_state.get(_SSO_REFUSAL)
    if refusal:
        st.error(refusal)
    if not _sso_configured():
        st.error(tr("sso.not_configured"))
        return
    st.subheader(tr("login.form"))
    st.write(tr("sso.intro"))
    if st.button(tr("sso.button"), type="primary"):
        st.login()


def logout_page() -> None:
    """End the session on the server and in the browser; the next action shows the form.

    No ``st.rerun`` here: the page would be asked for again in the rerun and sign out forever.
    """
    run_through_app()
    token_id = st.session_state.get(_SESSION)
    if token_id:
        session_store().revoke(token_id, datetime.now(UTC), "signed out")
    for key in ("user", _SESSION, _PENDING):
        st.session_state.pop(key, None)
    if _oidc() and st.user.is_logged_in:
        # Ends the identity Streamlit keeps and the IdP's own session; back on the sign-in page.
        st.logout()
    _delete_cookie()
    st.success(tr("logout.done"))
    if st.button(tr("logout.sign_in_again")):
        st.switch_page("pages/login.py")
