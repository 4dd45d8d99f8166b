"""``wslib bench <what>``: dispatch to the benchmark modules with common options.

After a module's ``run(args)`` returns its records, this file does the rest for
every sub-command alike: prints the table (the module's ``terminal_table`` when
it has one, else :func:`wslib.bench.report.records_table`), writes ``--json`` /
``--csv`` with the environment beside them (``<name>.env.json``: versions,
machine, load average, command, wall seconds), and fills ``--out DIR`` with
JSON, CSV, environment and the module's plots (its ``plot(records, dir)``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import time
from pathlib import Path

from wslib.bench.core import (BenchmarkError, merge_records, read_results, source_commit,
                              write_csv, write_env, write_json)
from wslib.bench.report import records_table

#: sub-command -> module; a module that is not installed yet is simply not offered
SUBCOMMANDS = {
    "labelmodel": "wslib.bench.labelmodel",
    "apply": "wslib.bench.apply",
    "endmodel": "wslib.bench.endmodel",
    "weaver": "wslib.bench.weaver",
    "autows": "wslib.bench.autows",
    "scale": "wslib.bench.scale",
    "coldstart": "wslib.bench.coldstart",
    "snorkel": "wslib.bench.snorkel",
}


#: what a sub-command module must define (``render_markdown`` is used by the docs generator)
CONTRACT = ("HELP", "add_arguments", "run")


def available() -> dict[str, str]:
    return {name: mod for name, mod in SUBCOMMANDS.items()
            if importlib.util.find_spec(mod) is not None}


def add_common_arguments(parser: argparse.ArgumentParser, many_data: bool = False,
                         data_help: str | None = None) -> None:
    """The options of every sub-command; ``many_data``: ``--data`` may be repeated (a list);
    ``data_help``: what ``--data`` names, where it is not WRENCH-layout datasets."""
    if many_data:
        parser.add_argument("--data", type=Path, action="append", default=None,
                            help=data_help or "a folder of WRENCH-layout dataset folders, or "
                                 "one dataset folder (repeatable; default: the shared WRENCH "
                                 "folder and benchmarks/data, those present)")
    else:
        parser.add_argument("--data", type=Path, default=None,
                            help=data_help or "a folder of WRENCH-layout dataset folders, or "
                                 "one dataset folder")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="write the records {dataset, method, metric, value, seconds, ...}")
    parser.add_argument("--csv", type=Path, default=None, metavar="PATH",
                        help="write the records as CSV")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="results folder for JSON, CSV and plots")
    parser.add_argument("--seeds", type=_positive_int, default=1, metavar="N",
                        help="repeats with seeds 0..N-1 (N >= 1)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny configuration (used by the test suite)")
    parser.add_argument("--merge", action="store_true",
                        help="merge into the existing --json / --out results: the (dataset, "
                             "method) pairs run now replace their old records, others stay")


def _positive_int(value: str) -> int:
    """``--seeds``: an integer of at least 1 (0 or fewer repeats would measure nothing)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value!r}")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="bench", metavar="WHAT", required=True)
    for name, module_name in available().items():
        try:
            module = importlib.import_module(module_name)
            missing = [a for a in CONTRACT if not hasattr(module, a)]
            if missing:
                raise AttributeError(f"{module_name} lacks {', '.join(missing)}")
        except Exception as exc:  # noqa: BLE001 - one broken module must not hide the others
            cmd = sub.add_parser(name, help=f"(unavailable: {exc})", add_help=False)
            cmd.set_defaults(_bench_broken=f"{name} is unavailable: {type(exc).__name__}: "
                                           f"{exc}")
            continue
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        add_common_arguments(cmd, many_data=getattr(module, "MANY_DATA", False),
                             data_help=getattr(module, "DATA_HELP", None))
        module.add_arguments(cmd)
        cmd.set_defaults(_bench_module=module_name)


def _command(args: argparse.Namespace) -> str:
    """The command line that produced the results, for their environment file."""
    if hasattr(args, "_argv"):
        return " ".join([args._prog, *args._argv])
    argv = sys.argv[1:]
    return " ".join(["wslib", *argv]) if argv[:1] == ["bench"] else " ".join(sys.argv)


def _write_results(path: Path, records: list[dict], merge: bool, run: dict) -> list[Path]:
    """Write records (merged into the file's old ones with ``merge``) and the environment."""
    if merge and path.exists():
        records = merge_records(read_results(path)[0], records)
    return [write_json(path, records), write_env(path, merge=merge, **run)]


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before the benchmark runs, what could only fail once it is done (and its
    results lost): a ``--json`` / ``--csv`` path that is a folder or lies below a file,
    an ``--out`` that is a file, and with ``--merge`` existing results that cannot be read."""
    def below_a_file(path: Path) -> Path | None:
        for parent in path.parents:
            if parent.exists():
                return None if parent.is_dir() else parent
        return None

    for flag, path in (("--json", args.json), ("--csv", args.csv)):
        if path is None:
            continue
        if path.is_dir():
            raise BenchmarkError(f"{flag} {path} is a folder; give a file name")
        blocker = below_a_file(path)
        if blocker is not None:
            raise BenchmarkError(f"{flag} {path}: {blocker} is a file, not a folder")
    if args.out is not None:
        if args.out.exists() and not args.out.is_dir():
            raise BenchmarkError(f"--out {args.out} is a file, not a folder")
        blocker = below_a_file(args.out)
        if blocker is not None:
            raise BenchmarkError(f"--out {args.out}: {blocker} is a file, not a folder")
    if args.merge:
        paths = [args.json, None if args.out is None else args.out / f"{args.bench}.json"]
        for path in paths:
            if path is not None and path.is_file():
                try:
                    read_results(path)
                except (OSError, ValueError) as exc:
                    raise BenchmarkError(f"--merge: cannot read the existing results {path}: "
                                         f"{' '.join(str(exc).split())}") from exc


def run(args: argparse.Namespace) -> int:
    if hasattr(args, "_bench_broken"):
        raise BenchmarkError(args._bench_broken)
    _check_outputs(args)  # before the benchmark runs: a bad output must not cost its results
    module = importlib.import_module(args._bench_module)
    commit = source_commit()  # the code that runs, before anyone edits the checkout
    start, cpu_start = time.perf_counter(), time.process_time()
    records = module.run(args)
    if not records:
        return 0
    this_run = {"benchmark": args.bench, "command": _command(args), "wslib_commit": commit,
                "wall_seconds": round(time.perf_counter() - start, 1),
                "cpu_seconds": round(time.process_time() - cpu_start, 1)}
    table = getattr(module, "terminal_table", records_table)
    print(table(records))
    written = []
    if args.json is not None:
        written += _write_results(args.json, records, args.merge, this_run)
    if args.csv is not None:
        written.append(write_csv(args.csv, records))
    if args.out is not None:
        written += _write_results(args.out / f"{args.bench}.json", records, args.merge, this_run)
        written.append(write_csv(args.out / f"{args.bench}.csv", records))
        if hasattr(module, "plot"):
            written += module.plot(records, args.out)
    print(f"\n{len(records)} records in {this_run['wall_seconds']:.1f} s wall, "
          f"{this_run['cpu_seconds']:.1f} s CPU" + "".join(f"\nwrote {p}" for p in written),
          file=sys.stderr)
    return 0


def main(argv: list[str] | None = None, prog: str = "python -m benchmarks") -> int:
    """Stand-alone entry point (``python -m benchmarks WHAT ...``); same options and exit
    codes as ``wslib bench``: 2 for a bad option, dataset folder or method name."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    args._prog, args._argv = prog, sys.argv[1:] if argv is None else list(argv)
    try:
        return run(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
