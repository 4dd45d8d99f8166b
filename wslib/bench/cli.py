"""``wslib bench <what>``: dispatch to the benchmark modules with common options."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
from pathlib import Path

from wslib.bench.core import write_csv, write_json

#: sub-command -> module; a module that is not installed yet is simply not offered
SUBCOMMANDS = {
    "labelmodel": "wslib.bench.labelmodel",
    "apply": "wslib.bench.apply",
    "endmodel": "wslib.bench.endmodel",
    "weaver": "wslib.bench.weaver",
    "autows": "wslib.bench.autows",
    "scale": "wslib.bench.scale",
}


def available() -> dict[str, str]:
    return {name: mod for name, mod in SUBCOMMANDS.items()
            if importlib.util.find_spec(mod) is not None}


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None,
                        help="a folder of WRENCH-layout dataset folders, or one dataset folder")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="write the records {dataset, method, metric, value, seconds, ...}")
    parser.add_argument("--csv", type=Path, default=None, metavar="PATH",
                        help="write the records as CSV")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="results folder for JSON, CSV and plots")
    parser.add_argument("--seeds", type=int, default=1, help="repeats with seeds 0..N-1")
    parser.add_argument("--quick", action="store_true",
                        help="tiny configuration (used by the test suite)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="bench", metavar="WHAT", required=True)
    for name, module_name in available().items():
        module = importlib.import_module(module_name)
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        add_common_arguments(cmd)
        module.add_arguments(cmd)
        cmd.set_defaults(_bench_module=module_name)


def run(args: argparse.Namespace) -> int:
    module = importlib.import_module(args._bench_module)
    records = module.run(args)
    if args.json is not None:
        write_json(args.json, records)
    if args.csv is not None:
        write_csv(args.csv, records)
    if args.out is not None:
        write_json(args.out / f"{args.bench}.json", records)
        write_csv(args.out / f"{args.bench}.csv", records)
    return 0
