"""What every page shows about its data: errors as translated banners, a freshness status line."""

from __future__ import annotations

import streamlit as st

from components.data import freshness
from components.session import language, settings, tr
from services import store
from services.errors import DataError
from services.i18n import fmt_datetime
from services.platform import FrameSet

__all__ = ["error_banner", "frame_banners", "status_line"]


def error_banner(error: DataError) -> None:
    """One clear, translated message for a data-layer error; never a traceback."""
    message = tr(error.message_key, source=error.source or "FHIR", detail=error.detail)
    if error.message_key == "error.conflict":
        st.warning(message)
    else:
        st.error(message)


def frame_banners(*results: FrameSet) -> None:
    """Banners for the failed sources, truncation and skipped malformed data of some reads."""
    shown: set[str] = set()
    for result in results:
        for source, error in result.errors.items():
            if source not in shown:
                shown.add(source)
                error_banner(error)
        if result.truncated:
            st.warning(tr("status.truncated", cap=settings().result_cap))
        skipped = sum(result.warnings.values())
        if skipped:
            st.caption(tr("status.warnings", count=skipped))


def status_line() -> None:
    """Each source: reachable or not, and when its data was last fetched (Berlin time)."""
    lang = language()
    parts = []
    for source, (fresh, failed) in freshness().items():
        when = fmt_datetime(fresh, lang) if fresh else None
        if failed is None and when:
            parts.append(":green[●] " + tr("status.source_ok", source=source, time=when))
        elif failed and when:
            parts.append(":red[●] " + tr("status.source_failed", source=source, time=when))
        elif failed:
            parts.append(":red[●] " + tr("status.source_never", source=source))
    parts += _store_parts(lang)
    if parts:
        st.caption(" · ".join(parts))


def _store_parts(lang: str) -> list[str]:
    """With ``MEDICUS_ANALYTICS=store``: how old each source's synced data is."""
    current = settings()
    if current.analytics != "store":
        return []
    fresh = store.is_fresh(current)
    parts = []
    for source, state in store.freshness(current).items():
        if state.synced_at is None:
            parts.append(":orange[●] " + tr("status.store_never", source=source))
            continue
        when = fmt_datetime(state.synced_at, lang)
        key = "status.store_synced" if fresh else "status.store_stale"
        parts.append((":green[●] " if fresh else ":orange[●] ") + tr(key, source=source, time=when))
    return parts
