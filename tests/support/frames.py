"""FHIR resources through the app's own extractors into tables, without a server."""

from __future__ import annotations

import pandas as pd

from services.frames import KINDS, Collector, finish


def frames(resources: list[dict], primary: str, source: str = "S") -> dict[str, pd.DataFrame]:
    """The tables ``Platform.read`` would give for these resources of one source."""
    collector = Collector(KINDS, primary, source=source)
    collector.feed(resources)
    return finish(collector.frames())


def ward_work(tasks: list[dict]) -> list[dict]:
    """The Tasks the ward and workload pages read: they search Tasks through their stay
    (``queries.open_tasks_of_wards`` chains ``Task.encounter``), and the bed requests between
    hospitals and the ward's admission queue carry none."""
    return [task for task in tasks if "encounter" in task]
