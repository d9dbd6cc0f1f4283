"""Command line: ``python -m demo_data generate | load | ensure | load-export``.

Failures end with a one-line message on stderr and a nonzero exit code:
1 the server refused data, 2 bad arguments or missing data, 3 no server at the URL.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from demo_data.bundles import read_manifest, write_network
from demo_data.export_loader import DEFAULT_BATCH, load_export
from demo_data.generator import KINDS_BY_SHAPE, PRESETS, SHAPES, generate
from demo_data.loader import (
    DEFAULT_WORKERS,
    LoadError,
    LoadReport,
    ServerUnavailable,
    StderrProgress,
    load,
    server_is_empty,
)
from demo_data.timeutil import BERLIN, now_hour

DEFAULT_BASE = os.environ.get("FHIR_BASE_URL", "http://localhost:8080/fhir")
DEFAULT_SEED = 42


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _as_of(text: str | None) -> datetime:
    if not text:
        return now_hour()
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=BERLIN)


def _scale(args: argparse.Namespace) -> float:
    return PRESETS[args.preset] if args.preset else args.scale


def _generate(args: argparse.Namespace) -> int:
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()] if args.kinds else None
    network = generate(args.seed, _scale(args), _as_of(args.as_of), kinds, args.shape)
    manifest = write_network(network, Path(args.out))
    counts = ", ".join(f"{kind} {count}" for kind, count in manifest["counts"].items())
    _err(f"wrote {manifest['total']} resources in {len(manifest['bundles'])} bundles to {args.out}")
    _err(f"  {counts}")
    _err(
        f"  as-of {manifest['as_of']}, seed {args.seed}, scale {network.scale}, "
        f"shape {network.shape}"
    )
    return 0


def _report(report: LoadReport) -> None:
    _err(
        f"loaded {report.resources} resources in {report.bundles} bundles in "
        f"{report.seconds:.1f} s ({report.resources_per_second:.0f} resources/s); "
        f"created {report.created}, already there {report.updated}"
    )


def _load(args: argparse.Namespace) -> int:
    report = load(args.dir, args.base, workers=args.workers, progress=StderrProgress())
    _report(report)
    return 0


def _load_export(args: argparse.Namespace) -> int:
    report = load_export(args.dirs, args.base, batch=args.batch, progress=StderrProgress())
    _err(
        f"loaded {report.resources} resources from {report.files} files in {report.bundles} "
        f"bundles in {report.seconds:.1f} s ({report.resources_per_second:.0f} resources/s); "
        f"created {report.created}, changed {report.updated}, unchanged {report.unchanged}"
    )
    if report.duplicates:
        _err(f"  {report.duplicates} repeated ids: the latest version of each was kept")
    if report.dangling:
        _err(
            f"  {sum(report.dangling.values())} dangling references to "
            f"{len(report.dangling_targets)} resources neither in the export nor on the server:"
        )
        for line in report.dangling_lines():
            _err(f"    {line}")
    return 0


def _ensure(args: argparse.Namespace) -> int:
    data_dir = Path(args.dir)
    manifest = read_manifest(data_dir)
    if manifest is None:
        args.out = args.dir
        _generate(args)
    elif manifest.get("shape", "flat") != args.shape:
        raise ValueError(
            f"{data_dir} holds the {manifest.get('shape', 'flat')} shape, not {args.shape}; "
            "choose another --dir"
        )
    else:
        _err(f"data already generated in {data_dir}")
    if server_is_empty(args.base):
        _load(args)
    else:
        _err(f"the network is already loaded at {args.base}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m demo_data", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def size_options(command: argparse.ArgumentParser, required: bool) -> None:
        size = command.add_mutually_exclusive_group(required=required)
        size.add_argument("--preset", choices=sorted(PRESETS), help="test or demo network")
        size.add_argument("--scale", type=float, help="network size; 1 = demo, 40 = benchmark")
        command.add_argument("--seed", type=int, default=DEFAULT_SEED)
        command.add_argument("--as-of", help="as-of instant (ISO 8601); default: this hour")
        command.add_argument(
            "--shape",
            choices=SHAPES,
            default="flat",
            help="flat: one Encounter per stay (docs/DATA_MODEL.md); mii: MII Kerndatensatz",
        )

    gen = commands.add_parser("generate", help="write bundles, manifest and ground truth")
    size_options(gen, required=True)
    gen.add_argument("--out", required=True, help="data directory")
    known = sorted({kind for kinds in KINDS_BY_SHAPE.values() for kind in kinds})
    gen.add_argument("--kinds", help=f"comma-separated subset of: {','.join(known)}")
    gen.set_defaults(run=_generate)

    def server_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--dir", required=True, help="data directory")
        command.add_argument("--base", default=DEFAULT_BASE, help="FHIR base URL")
        command.add_argument("--workers", type=int, default=DEFAULT_WORKERS)

    load_cmd = commands.add_parser("load", help="send a data directory to a FHIR server")
    server_options(load_cmd)
    load_cmd.set_defaults(run=_load)

    export = commands.add_parser(
        "load-export", help="send real export files (bundles, NDJSON) to a FHIR server"
    )
    export.add_argument("dirs", nargs="+", metavar="DIR", help="directories of export files")
    export.add_argument("--base", default=DEFAULT_BASE, help="FHIR base URL (with tenant)")
    export.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="entries per bundle")
    export.set_defaults(run=_load_export)

    ensure = commands.add_parser("ensure", help="generate if missing, load if the server is empty")
    size_options(ensure, required=False)
    server_options(ensure)
    ensure.add_argument("--kinds", help="as for generate")
    ensure.set_defaults(run=_ensure, preset="demo")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "ensure" and args.scale is not None:
        args.preset = None
    try:
        return args.run(args)
    except ServerUnavailable as error:
        _err(f"error: {error}")
        return 3
    except LoadError as error:
        _err(f"error: {error}")
        return 1
    except (FileNotFoundError, ValueError) as error:
        _err(f"error: {error}")
        return 2
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
