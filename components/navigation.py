"""The page registry: every page, the menu section it sits in, and which roles see it offered.

Every page is registered for every signed-in user so that opening a page by its URL reaches the
page's own permission check (which then says "not permitted"); the menu offers each role only
its pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from components.session import tr
from services.roles import Role

__all__ = ["PAGES", "PageSpec", "menu", "pages"]

ALL = frozenset(Role)
MANAGE = frozenset({Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class PageSpec:
    path: str
    title_key: str
    icon: str
    section_key: str
    roles: frozenset[Role]
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "pages/home.py", "page.home", ":material/home:", "nav.section.start", ALL, default=True
    ),
    PageSpec(
        "pages/my_patients.py",
        "page.my_patients",
        ":material/stethoscope:",
        "nav.section.patients",
        frozenset({Role.PHYSICIAN}),
    ),
    PageSpec(
        "pages/patient_search.py",
        "page.patient_search",
        ":material/person_search:",
        "nav.section.patients",
        frozenset({Role.PHYSICIAN}),
    ),
    PageSpec(
        "pages/timeline.py",
        "page.timeline",
        ":material/timeline:",
        "nav.section.patients",
        frozenset({Role.PHYSICIAN}),
    ),
    PageSpec(
        "pages/audit.py",
        "page.audit",
        ":material/receipt_long:",
        "nav.section.admin",
        frozenset({Role.ADMIN}),
    ),
    PageSpec(
        "pages/capacity.py",
        "page.capacity",
        ":material/local_hospital:",
        "nav.section.capacity",
        MANAGE,
    ),
    PageSpec(
        "pages/trends.py", "page.trends", ":material/trending_up:", "nav.section.capacity", MANAGE
    ),
    PageSpec(
        "pages/workload.py",
        "page.workload",
        ":material/work_history:",
        "nav.section.capacity",
        MANAGE,
    ),
    PageSpec(
        "pages/forecast.py",
        "page.forecast",
        ":material/query_stats:",
        "nav.section.capacity",
        MANAGE,
    ),
    PageSpec(
        "pages/tasks.py",
        "page.tasks",
        ":material/task_alt:",
        "nav.section.ward",
        frozenset({Role.NURSE}),
    ),
    PageSpec(
        "pages/bed_board.py",
        "page.bed_board",
        ":material/bed:",
        "nav.section.ward",
        frozenset({Role.NURSE, Role.PHYSICIAN}),
    ),
    PageSpec(
        "pages/handover.py",
        "page.handover",
        ":material/assignment:",
        "nav.section.ward",
        frozenset({Role.NURSE}),
    ),
)


def pages(signed_in: bool) -> dict[str, st.Page]:
    """``st.Page`` objects by path, titles in the session's language; sign-in and sign-out too.

    The default page is the sign-in form for a session without a user, the start page otherwise.
    """
    registered = {
        spec.path: st.Page(
            spec.path, title=tr(spec.title_key), icon=spec.icon, default=signed_in and spec.default
        )
        for spec in PAGES
    }
    registered["pages/login.py"] = st.Page(
        "pages/login.py", title=tr("login.form"), icon=":material/login:", default=not signed_in
    )
    registered["pages/logout.py"] = st.Page(
        "pages/logout.py", title=tr("page.logout"), icon=":material/logout:"
    )
    return registered


def menu(role: Role, registered: dict[str, st.Page]) -> None:
    """The sidebar menu of the role's pages, grouped by section."""
    sections: dict[str, list[PageSpec]] = {}
    for spec in PAGES:
        if role in spec.roles:
            sections.setdefault(spec.section_key, []).append(spec)
    for section_key, specs in sections.items():
        st.sidebar.caption(tr(section_key))
        for spec in specs:
            st.sidebar.page_link(registered[spec.path], label=tr(spec.title_key), icon=spec.icon)
