"""Choice widgets with the app's placeholders (``widget.choose_one``, ``widget.choose_many``).

Every choice shows the same words while nothing is chosen, and a choice of many never offers
Streamlit's "select all" (a page sets its own default instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.session import tr

__all__ = ["choose_many", "choose_one"]

T = TypeVar("T")


def choose_one(
    label: str, options: Sequence[T], *, where: DeltaGenerator | None = None, **kwargs: Any
) -> T | None:
    """``st.selectbox`` (in ``where``: a column, the sidebar) with the choose-one placeholder;
    ``kwargs`` go to it as they are."""
    widgets = st if where is None else where
    return widgets.selectbox(label, options, placeholder=tr("widget.choose_one"), **kwargs)


def choose_many(
    label: str, options: Sequence[T], *, where: DeltaGenerator | None = None, **kwargs: Any
) -> list[T]:
    """``st.multiselect`` (in ``where``) with the choose-many placeholder and without "select
    all"; ``kwargs`` go to it as they are."""
    widgets = st if where is None else where
    return widgets.multiselect(
        label, options, placeholder=tr("widget.choose_many"), select_all=False, **kwargs
    )
