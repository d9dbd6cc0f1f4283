"""MEDI:CUS Klinik-Dashboard: settings, sign-in gate, and the navigation of the user's role."""

from __future__ import annotations

import streamlit as st

from components.auth import gate, write_cookie
from components.errors import error_boundary
from components.navigation import menu, pages
from components.session import language_switch, tr
from components.status import status_line
from components.style import inject_styles
from services.markdown import plain

st.set_page_config(
    page_title="MEDI:CUS Klinik-Dashboard", page_icon=":material/local_hospital:", layout="wide"
)
inject_styles()
language_switch()

# The frame and the page each fail into a message with an incident number, never a traceback.
with error_boundary("app"):
    current, ended = gate()
    # Every page is registered in every state, so any URL reaches a page that checks for itself.
    registered = pages(signed_in=current is not None)
    navigation = st.navigation(list(registered.values()), position="hidden")
    if ended and navigation.url_path:
        st.switch_page(registered["pages/login.py"])
    if current is not None:
        write_cookie()
        st.sidebar.markdown(
            tr(
                "user.signed_in_as",
                # A name from the identity provider is the user's own text: shown as text.
                name=plain(current.name),
                role=tr(f"role.{current.role.value}"),
            )
        )
        menu(current.role, registered)
        st.sidebar.divider()
        st.sidebar.page_link(
            registered["pages/logout.py"], label=tr("logout"), icon=":material/logout:"
        )
    with error_boundary(navigation.url_path or "home"):
        navigation.run()
    if current is not None:
        status_line()
