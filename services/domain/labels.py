"""Coded values to words: a code's catalogue key, with the code itself when the key is unknown."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from services.catalogue import CATALOGUE

__all__ = ["label"]


def label(codes: pd.Series, prefix: str, translate: Callable[[str], str]) -> pd.Series:
    """``prefix.code`` through ``translate`` for known codes; unknown codes stay as they are."""

    def one(code: object) -> object:
        if code is None or pd.isna(code):
            return code
        key = f"{prefix}.{code}"
        return translate(key) if key in CATALOGUE else code

    return codes.map(one)
