"""Every string the user sees, in German (default) and English, and language-aware formatting.

The catalogue is one mapping ``key -> (German, English)``, assembled from the sections in
``services/catalogue/`` (one file per area, so each area's strings sit together). A key missing
from the catalogue is a bug: ``t`` raises so tests catch it, instead of showing a raw key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from services.catalogue import CATALOGUE

__all__ = ["LANGUAGES", "fmt_date", "fmt_datetime", "fmt_number", "fmt_percent", "t"]

LANGUAGES = ("de", "en")
BERLIN = ZoneInfo("Europe/Berlin")


def t(key: str, lang: str = "de", **values: Any) -> str:
    """The string for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    de, en = CATALOGUE[key]
    template = en if lang == "en" else de
    return template.format(**values) if values else template


def fmt_number(value: float | int | None, lang: str = "de", decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' in German, '1,234.5' in English; '–' for missing."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "de":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_percent(value: float | None, lang: str = "de", decimals: int = 0) -> str:
    """0.853 -> '85 %' (German spacing) or '85%'."""
    if value is None or pd.isna(value):
        return "–"
    number = fmt_number(value * 100, lang, decimals)
    return f"{number} %" if lang == "de" else f"{number}%"


def fmt_date(value: date | datetime | None, lang: str = "de") -> str:
    """A calendar date: 29.11.2026 or 2026-11-29."""
    if value is None or pd.isna(value):
        return "–"
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(BERLIN)
    return value.strftime("%d.%m.%Y" if lang == "de" else "%Y-%m-%d")


def fmt_datetime(value: datetime | None, lang: str = "de") -> str:
    """A moment in Berlin time: 29.11.2026 14:05 or 2026-11-29 14:05."""
    if value is None or pd.isna(value):
        return "–"
    if value.tzinfo is not None:
        value = value.astimezone(BERLIN)
    return value.strftime("%d.%m.%Y %H:%M" if lang == "de" else "%Y-%m-%d %H:%M")
