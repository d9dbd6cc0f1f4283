"""MEDI:CUS Klinik-Dashboard: settings, sign-in gate, and the navigation of the user's role."""

from __future__ import annotations

import streamlit as st

from components.auth import authenticator, expire_idle, sign_in_from_state
from components.navigation import menu, pages
from components.session import language_switch, tr, user
from components.status import status_line

st.set_page_config(
    page_title="MEDI:CUS Klinik-Dashboard", page_icon=":material/local_hospital:", layout="wide"
)
language_switch()

auth = authenticator()
if auth is not None and not st.session_state.get("user"):
    # Restores a session from the sign-in cookie without showing the form.
    auth.login(location="unrendered")
sign_in_from_state()
expire_idle(auth)

current = user()
# Every page is registered in every state, so any URL reaches a page that checks for itself.
registered = pages(signed_in=current is not None)
navigation = st.navigation(list(registered.values()), position="hidden")
if current is not None:
    st.sidebar.markdown(
        tr("user.signed_in_as", name=current.name, role=tr(f"role.{current.role.value}"))
    )
    menu(current.role, registered)
    st.sidebar.divider()
    st.sidebar.page_link(
        registered["pages/logout.py"], label=tr("logout"), icon=":material/logout:"
    )

navigation.run()
if current is not None:
    status_line()
