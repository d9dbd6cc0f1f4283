"""FHIR resources through the app's own extractors into tables, without a server."""

from __future__ import annotations

import pandas as pd

from services.frames import KINDS, Collector


def frames(resources: list[dict], primary: str, source: str = "S") -> dict[str, pd.DataFrame]:
    """The tables ``Platform.read`` would give for these resources of one source."""
    collector = Collector(KINDS, primary, source=source)
    collector.feed(resources)
    return collector.frames()
