"""Data layer side by side: floor, ours, fhirpy fetch_all (common and tuned), FHIR-PYrate.

Same server, same data, same searches (``date=lt<cutoff>`` chosen so the match count is close to
each size), cold (``Cache-Control: no-cache``) and warm (the same call once more right before,
so HAPI may answer from its stored search). Every measurement runs in a fresh process; medians
over ``--runs`` (``--large-runs`` from ``--large-from`` resources up). Writes markdown tables to
stdout and to bench/results/.

    .venv/bin/python bench/bench_layer.py [--base URL] [--sizes 1000,10000,100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("floor", "ours", "fhirpy_tuned", "fhirpy", "pyrate")


def count(base: str, rtype: str, cutoff: str) -> int:
    response = httpx.get(
        f"{base}/{rtype}", params={"date": f"lt{cutoff}", "_summary": "count"}, timeout=600
    )
    return int(response.json()["total"])


def cutoff_for(base: str, rtype: str, size: int) -> tuple[str, int]:
    """A date cutoff whose match count is as close to ``size`` as hour steps allow."""
    low, high = datetime(2000, 1, 1), datetime.now() + timedelta(days=400)
    best = (high.isoformat(timespec="seconds"), count(base, rtype, high.isoformat()))
    for _ in range(28):
        middle = low + (high - low) / 2
        stamp = middle.isoformat(timespec="seconds")
        n = count(base, rtype, stamp)
        if abs(n - size) < abs(best[1] - size):
            best = (stamp, n)
        if n < size:
            low = middle
        else:
            high = middle
        if abs(n - size) <= size * 0.005:
            break
    return best


def measure(
    method: str, base: str, rtype: str, cutoff: str, n: int, parallel: int, mode: str
) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(  # noqa: S603 - our own script with our own arguments
        [
            sys.executable,
            str(ROOT / "bench" / "measure_one.py"),
            method,
            base,
            rtype,
            cutoff,
            str(n),
            str(parallel),
            mode,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=3600,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(runs: list[dict], key: str) -> float:
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else float("nan")


def speedups(rows: list[dict]) -> list[str]:
    """How many times faster our layer is than each other client, per search and mode."""
    others = [m for m in METHODS if m not in ("floor", "ours")]
    lines = [
        "| kind | resources | mode | runs | " + " | ".join(f"ours vs {m}" for m in others) + " |",
        "| --- | ---: | --- | ---: |" + " ---: |" * len(others),
    ]
    seconds = {(r["kind"], r["size"], r["mode"], r["method"]): r["seconds"] for r in rows}
    for r in rows:
        if r["method"] != "ours":
            continue
        key = (r["kind"], r["size"], r["mode"])
        cells = [
            f"{seconds[(*key, m)] / r['seconds']:.1f}×" if (*key, m) in seconds else ""
            for m in others
        ]
        lines.append(
            f"| {r['kind']} | {r['size']:,} | {r['mode']} | {r['runs']} | "
            + " | ".join(cells)
            + " |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--base", default=os.environ.get("BENCH_BASE_URL", "http://localhost:8095/fhir")
    )
    parser.add_argument("--kinds", default="Encounter,Observation")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument(
        "--large-runs",
        type=int,
        default=1,
        help="runs per method from --large-from up (fhirpy with small pages takes minutes there)",
    )
    parser.add_argument("--large-from", type=int, default=50000)
    args = parser.parse_args()
    rows = []
    for rtype in args.kinds.split(","):
        for size in map(int, args.sizes.split(",")):
            cutoff, n = cutoff_for(args.base, rtype, size)
            for mode in ("cold", "warm"):
                results = {}
                repeats = args.large_runs if n >= args.large_from else args.runs
                for method in args.methods.split(","):
                    if mode == "warm":
                        # HAPI reuses a stored search for 60 s only: prime it right before.
                        measure(method, args.base, rtype, cutoff, n, args.parallel, mode)
                    runs = [
                        measure(method, args.base, rtype, cutoff, n, args.parallel, mode)
                        for _ in range(repeats)
                    ]
                    results[method] = runs
                floor_s = median_of(results["floor"], "seconds")
                for method, runs in results.items():
                    seconds = median_of(runs, "seconds")
                    rows.append(
                        {
                            "kind": rtype,
                            "size": n,
                            "mode": mode,
                            "method": method,
                            "seconds": seconds,
                            "per_s": n / seconds,
                            "ratio_to_floor": floor_s / seconds,
                            "peak_rss_mb": median_of(runs, "peak_rss_mb"),
                            "requests": median_of(runs, "requests"),
                            "extract_share": median_of(runs, "extract_s") / seconds,
                            "runs": len(runs),
                        }
                    )
                    sys.stderr.write(f"{rtype} {n} {mode} {method}: {seconds:.2f}s\n")
    lines = [
        "| kind | resources | mode | method | median s | resources/s | × floor speed "
        "| peak RSS MB | requests | parse+frame share |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        share = "" if r["extract_share"] != r["extract_share"] else f"{r['extract_share']:.0%}"
        reqs = "" if r["requests"] != r["requests"] else f"{r['requests']:.0f}"
        lines.append(
            f"| {r['kind']} | {r['size']:,} | {r['mode']} | {r['method']} | {r['seconds']:.2f} "
            f"| {r['per_s']:,.0f} | {r['ratio_to_floor']:.2f} | {r['peak_rss_mb']:.0f} "
            f"| {reqs} | {share} |"
        )
    lines += ["", *speedups(rows)]
    table = "\n".join(lines)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "layer.md").write_text(table + "\n")
    (out_dir / "layer.json").write_text(json.dumps(rows, indent=1))
    sys.stdout.write(table + "\n")


if __name__ == "__main__":
    main()
