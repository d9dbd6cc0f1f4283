"""Coded values to words: a code's catalogue key, with the code itself when the key is unknown."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from services.catalogue import CATALOGUE

__all__ = ["MISSING", "label"]

MISSING = "–"


def label(codes: pd.Series, prefix: str, translate: Callable[[str], str]) -> pd.Series:
    """``prefix.code`` through ``translate`` for known codes; unknown codes stay as they are; a
    missing code is "–" (a table would draw a null as "None")."""

    def one(code: object) -> object:
        if code is None or pd.isna(code):
            return MISSING
        key = f"{prefix}.{code}"
        return translate(key) if key in CATALOGUE else code

    return codes.map(one)
