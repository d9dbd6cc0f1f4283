"""The page registry: every page, the menu section it sits in, and the capability it needs.

``PageSpec.capability`` is the only statement of who may open a page: the menu offers a role the
pages whose capability the role holds in ``services.roles.MATRIX``, and every page checks the same
spec itself (``components.guard.require_page``). Every page is registered for every signed-in user
so that opening a page by its URL reaches that check (which then says "not permitted").
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from components.session import tr
from services.roles import Capability, Role, allowed

__all__ = ["PAGES", "PageSpec", "menu", "offered", "pages", "spec_of"]


@dataclass(frozen=True)
class PageSpec:
    """One page; ``capability`` None means any signed-in user (the start page)."""

    path: str
    title_key: str
    icon: str
    section_key: str
    capability: Capability | None
    default: bool = False

    def open_to(self, role: Role | str | None) -> bool:
        if self.capability is None:
            return role is not None and role in set(Role)
        return allowed(role, self.capability)


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "pages/home.py", "page.home", ":material/home:", "nav.section.start", None, default=True
    ),
    PageSpec(
        "pages/my_patients.py",
        "page.my_patients",
        ":material/stethoscope:",
        "nav.section.patients",
        Capability.PATIENT_RECORD,
    ),
    PageSpec(
        "pages/patient_search.py",
        "page.patient_search",
        ":material/person_search:",
        "nav.section.patients",
        Capability.PATIENT_RECORD,
    ),
    PageSpec(
        "pages/timeline.py",
        "page.timeline",
        ":material/timeline:",
        "nav.section.patients",
        Capability.PATIENT_RECORD,
    ),
    PageSpec(
        "pages/audit.py",
        "page.audit",
        ":material/receipt_long:",
        "nav.section.admin",
        Capability.AUDIT_LOG,
    ),
    PageSpec(
        "pages/capacity.py",
        "page.capacity",
        ":material/local_hospital:",
        "nav.section.capacity",
        Capability.CAPACITY,
    ),
    PageSpec(
        "pages/trends.py",
        "page.trends",
        ":material/trending_up:",
        "nav.section.capacity",
        Capability.CAPACITY,
    ),
    PageSpec(
        "pages/workload.py",
        "page.workload",
        ":material/work_history:",
        "nav.section.capacity",
        Capability.CAPACITY,
    ),
    PageSpec(
        "pages/forecast.py",
        "page.forecast",
        ":material/query_stats:",
        "nav.section.capacity",
        Capability.CAPACITY,
    ),
    PageSpec(
        "pages/staffing.py",
        "page.staffing",
        ":material/groups:",
        "nav.section.capacity",
        Capability.STAFFING,
    ),
    PageSpec(
        "pages/divi.py",
        "page.divi",
        ":material/ecg_heart:",
        "nav.section.capacity",
        Capability.CAPACITY,
    ),
    PageSpec(
        "pages/discharge.py",
        "page.discharge",
        ":material/door_open:",
        "nav.section.capacity",
        Capability.CAPACITY,
    ),
    PageSpec(
        "pages/data_quality.py",
        "page.data_quality",
        ":material/fact_check:",
        "nav.section.capacity",
        Capability.DATA_QUALITY,
    ),
    PageSpec(
        "pages/transfer_request.py",
        "page.transfer_request",
        ":material/transfer_within_a_station:",
        "nav.section.transfers",
        Capability.TRANSFER_REQUEST,
    ),
    PageSpec(
        "pages/transfer_inbound.py",
        "page.transfer_inbound",
        ":material/move_down:",
        "nav.section.transfers",
        Capability.TRANSFER_DECIDE,
    ),
    PageSpec(
        "pages/tasks.py",
        "page.tasks",
        ":material/task_alt:",
        "nav.section.ward",
        Capability.TASKS_READ,
    ),
    PageSpec(
        "pages/admissions.py",
        "page.admissions",
        ":material/input:",
        "nav.section.ward",
        Capability.ADMISSIONS,
    ),
    PageSpec(
        "pages/bed_board.py",
        "page.bed_board",
        ":material/bed:",
        "nav.section.ward",
        Capability.BED_BOARD,
    ),
    PageSpec(
        "pages/acuity.py",
        "page.acuity",
        ":material/monitor_heart:",
        "nav.section.ward",
        Capability.ACUITY,
    ),
    PageSpec(
        "pages/handover.py",
        "page.handover",
        ":material/assignment:",
        "nav.section.ward",
        Capability.TASKS_WRITE,
    ),
    PageSpec(
        "pages/ward_discharge.py",
        "page.ward_discharge",
        ":material/door_open:",
        "nav.section.ward",
        Capability.DISCHARGE_PLANNING,
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


def spec_of(path: str) -> PageSpec:
    """The spec of a page file (``pages/x.py`` or any path ending in it); KeyError if unknown."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    for spec in PAGES:
        if spec.path == f"pages/{name}":
            return spec
    raise KeyError(path)


def offered(role: Role) -> list[PageSpec]:
    """The pages the role may open, in menu order."""
    return [spec for spec in PAGES if spec.open_to(role)]


def menu(role: Role, registered: dict[str, st.Page]) -> None:
    """The sidebar menu of the role's pages, grouped by section."""
    sections: dict[str, list[PageSpec]] = {}
    for spec in offered(role):
        sections.setdefault(spec.section_key, []).append(spec)
    for section_key, specs in sections.items():
        st.sidebar.caption(tr(section_key))
        for spec in specs:
            st.sidebar.page_link(registered[spec.path], label=tr(spec.title_key), icon=spec.icon)
