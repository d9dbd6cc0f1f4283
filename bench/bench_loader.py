"""Loader throughput: the demo network into a fresh HAPI database on its own port.

Generates the network, starts a server via ``scripts/fhir-server.sh`` on ``--port`` with a wiped
``--db``, loads it (and, unless ``--no-reload``, loads it again to time the no-op pass), stops
the server and writes the markdown section "Loader throughput" into BENCHMARKS.md (only that
section is replaced) and to bench/results/loader.md.

    .venv/bin/python bench/bench_loader.py [--preset demo | --scale N] [--workers 1] [--port 8094]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo_data import PRESETS, generate  # noqa: E402
from demo_data.bundles import write_network  # noqa: E402
from demo_data.loader import DEFAULT_WORKERS, LoadReport, StderrProgress, load  # noqa: E402
from demo_data.timeutil import now_hour  # noqa: E402

SCRIPT = ROOT / "scripts" / "fhir-server.sh"
HEADING = "## Loader throughput"


def machine() -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else ""
    return {
        "nproc": str(os.cpu_count()),
        "memory": f"{int(total.group(1)) / 1024 / 1024:.1f} GiB" if total else "?",
        "cpu": cpu or platform.processor() or "?",
        "load average before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "java options": os.environ.get("FHIR_JAVA_OPTS", "script default"),
    }


def server(command: str, port: int, db: Path) -> float:
    env = {**os.environ, "FHIR_PORT": str(port), "FHIR_DB_PATH": str(db / "h2")}
    started = time.monotonic()
    subprocess.run([str(SCRIPT), command], env=env, check=True, timeout=900)  # noqa: S603
    return time.monotonic() - started


def section(
    args: argparse.Namespace,
    counts: dict[str, int],
    generate_seconds: float,
    start_seconds: float,
    first: LoadReport,
    second: LoadReport | None,
) -> str:
    size = f"--preset {args.preset}" if args.preset else f"--scale {args.scale}"
    lines = [
        HEADING,
        "",
        f"Measured {datetime.now().astimezone().isoformat(timespec='minutes')} with "
        f"`make bench-loader` (`.venv/bin/python bench/bench_loader.py {size} "
        f"--workers {args.workers}`): the network is generated, a HAPI server is started on "
        f"port {args.port} with an empty H2 database, the bundles are sent as transactions of "
        "up to 500 PUT entries, one phase after the other (referenced resources first).",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| resources | {first.resources} in {first.bundles} bundles |",
        f"| generate (Python) | {generate_seconds:.1f} s |",
        f"| server start (empty db) | {start_seconds:.0f} s |",
        f"| first load, wall time | {first.seconds:.1f} s |",
        f"| first load, throughput | {first.resources_per_second:.0f} resources/s |",
        f"| created / already there | {first.created} / {first.updated} |",
    ]
    if second is not None:
        lines += [
            f"| second load (no-op), wall time | {second.seconds:.1f} s |",
            f"| second load, throughput | {second.resources_per_second:.0f} resources/s |",
            f"| second load, new versions | {second.versions_above_one} |",
        ]
    lines += [f"| parallel bundles | {args.workers} |"]
    lines += [f"| {key} | {value} |" for key, value in machine().items()]
    lines += ["", "| resource type | count |", "| --- | --- |"]
    lines += [f"| {kind} | {count} |" for kind, count in counts.items()]
    lines += [
        "",
        "Loading goes one bundle at a time by default: two bundles in parallel on the 2-core "
        "machine were not faster, as concurrent transactions on the H2 database wait on each "
        "other's locks. Other processes on the machine (further HAPI servers, test runs) slow the "
        "numbers down; the load average above shows how busy it was.",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    current = path.read_text() if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text, current)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    path.write_text(updated)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "loader.md").write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--preset", choices=sorted(PRESETS))
    size.add_argument("--scale", type=float)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--port", type=int, default=8094)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "bench-loader-db")
    parser.add_argument("--kinds", help="comma-separated resource kinds (default: all)")
    parser.add_argument("--no-reload", action="store_true", help="skip the second (no-op) load")
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args()
    if args.scale is None and args.preset is None:
        args.preset = "demo"
    scale = PRESETS[args.preset] if args.preset else args.scale
    kinds = args.kinds.split(",") if args.kinds else None

    started = time.monotonic()
    network = generate(args.seed, scale, now_hour(), kinds)
    with tempfile.TemporaryDirectory(prefix="bench-loader-") as data:
        write_network(network, Path(data))
        generate_seconds = time.monotonic() - started
        print(f"generated {network.manifest['total']} resources in {generate_seconds:.1f} s")
        shutil.rmtree(args.db, ignore_errors=True)
        args.db.mkdir(parents=True)
        base_url = f"http://localhost:{args.port}/fhir"
        try:
            start_seconds = server("start", args.port, args.db)
            first = load(data, base_url, workers=args.workers, progress=StderrProgress())
            second = None
            if not args.no_reload:
                second = load(data, base_url, workers=args.workers, progress=StderrProgress())
        finally:
            server("stop", args.port, args.db)
            shutil.rmtree(args.db, ignore_errors=True)
    text = section(args, network.manifest["counts"], generate_seconds, start_seconds, first, second)
    print(text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
