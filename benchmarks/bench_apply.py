"""Applier benchmark: wslib vs Snorkel's PandasLFApplier on 1M text rows.

Same as ``wslib bench apply``; writes ``benchmarks/results/apply.json`` unless
``--json`` says otherwise::

    python benchmarks/bench_apply.py            # full run (about 2 minutes on 2 cores)
    python benchmarks/bench_apply.py --quick    # seconds
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wslib.bench import apply as bench
from wslib.bench.cli import add_common_arguments
from wslib.bench.core import write_json

RESULTS = Path(__file__).resolve().parent / "results" / "apply.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=bench.HELP)
    add_common_arguments(parser)
    bench.add_arguments(parser)
    args = parser.parse_args(argv)
    records = bench.run(args)
    path = write_json(args.json or RESULTS, records)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
