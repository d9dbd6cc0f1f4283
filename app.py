"""MEDI:CUS Klinik-Dashboard: settings, sign-in gate, and the navigation of the user's role."""

from __future__ import annotations

import streamlit as st

from components.auth import authenticator, expire_idle, login_page, logout_page, sign_in_from_state
from components.navigation import menu, pages
from components.session import language_switch, tr, user
from components.status import status_line

st.set_page_config(page_title="MEDI:CUS Klinik-Dashboard", page_icon="🏥", layout="wide")
language_switch()

auth = authenticator()
if auth is not None and not st.session_state.get("user"):
    # Restores a session from the sign-in cookie without showing the form.
    auth.login(location="unrendered")
sign_in_from_state()
expire_idle(auth)

current = user()
if current is None:
    navigation = st.navigation([st.Page(login_page, title=tr("login.form"), icon="🔐")])
else:
    registered = pages()
    logout = st.Page(logout_page, title=tr("page.logout"), icon="🚪", url_path="logout")
    navigation = st.navigation([*registered.values(), logout], position="hidden")
    st.sidebar.markdown(
        tr("user.signed_in_as", name=current.name, role=tr(f"role.{current.role.value}"))
    )
    menu(current.role, registered)
    st.sidebar.divider()
    st.sidebar.page_link(logout, label=tr("logout"), icon="🚪")

navigation.run()
if current is not None:
    status_line()
