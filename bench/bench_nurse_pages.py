"""Script time of the ward pages (tasks, bed board, handover) for the demo nurse, cold and cached.

Opens each page once with Streamlit's AppTest against a FHIR server that holds a generated
network, then times reruns of the page script: cold = the data cache emptied before the rerun
(every search goes to the server; HAPI may still answer an identical search from its own 60-s
result cache), cached = the next rerun with the cache kept. Prints one Markdown table row per page
with the medians of ``--runs`` runs.

    .venv/bin/python bench/bench_nurse_pages.py --base http://localhost:8091/fhir --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = ("pages/tasks.py", "pages/bed_board.py", "pages/handover.py")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=os.environ.get("MEDICUS_FHIR_URL", ""), required=False)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.base:
        parser.error("--base (or MEDICUS_FHIR_URL) is required")
    workdir = Path(tempfile.mkdtemp(prefix="bench-nurse-"))
    os.environ["MEDICUS_FHIR_URL"] = args.base
    os.environ["MEDICUS_AUDIT_LOG"] = str(workdir / "audit.log")
    os.environ["MEDICUS_USERS_FILE"] = str(workdir / "no-users.yaml")

    import streamlit as st

    from bench.floor import bench_source
    from demo_data.users import build_demo_users
    from services import queries
    from services.config import Settings
    from services.platform import Platform
    from services.users import user_from
    from tests.support.apptest import open_page

    platform = Platform(Settings(sources=(bench_source(args.base),)))
    read = platform.read(queries.practitioner_roles())
    platform.close()
    entry = build_demo_users(read["practitioner_role"], read["practitioner"])["pflege.demo"]
    nurse = user_from("pflege.demo", entry)

    print("| page | cold median s | cached median s | runs | ward |")
    print("| --- | --- | --- | --- | --- |")
    for page in PAGES:
        cold, cached = [], []
        at = open_page(page, nurse)
        for _ in range(args.runs):
            st.cache_data.clear()
            started = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - started)
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].value}")
            started = time.perf_counter()
            at.run()
            cached.append(time.perf_counter() - started)
        print(
            f"| {page} | {statistics.median(cold):.2f} | {statistics.median(cached):.2f} "
            f"| {args.runs} | {nurse.wards[0]} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
