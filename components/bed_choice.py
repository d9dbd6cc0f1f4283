"""Choosing a bed on a card: the free beds that fit, and the button that gives the chosen one.

One component for the bed manager accepting a transfer request and the nurse assigning a bed to
a waiting patient, so the two choices look and behave alike. The chosen bed id is read from
``st.session_state`` by the button's callback (key ``<prefix>.bed.<card>``).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from components.choose import choose_one
from components.session import tr

__all__ = ["bed_choice", "bed_names"]


def bed_names(offered: pd.DataFrame) -> dict[str, str]:
    """Bed id -> bed name of the offered beds, in the order offered."""
    return dict(zip(offered["bed_id"], offered["name"], strict=True))


def bed_choice(
    names: dict[str, str],
    prefix: str,
    action: str,
    card: str,
    on_click: Callable[..., None],
    args: tuple,
) -> bool:
    """A choice of ``names`` (label ``<prefix>.bed``) and the primary button ``<prefix>.<action>``
    that calls ``on_click(*args)``; nothing and False when no bed is offered."""
    if not names:
        return False
    choose_one(
        tr(f"{prefix}.bed"),
        list(names),
        format_func=names.get,
        key=f"{prefix}.bed.{card}",
    )
    st.button(
        tr(f"{prefix}.{action}"),
        key=f"{prefix}.{action}.{card}",
        type="primary",
        on_click=on_click,
        args=args,
    )
    return True
