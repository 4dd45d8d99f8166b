"""The full label-model benchmark of ``docs/benchmarks.md``, in one command.

From the repository root::

    python benchmarks/bench_labelmodel.py          # minutes: shared WRENCH + 1M-row speed sets
    python benchmarks/bench_labelmodel.py --quick  # seconds: tiny speed sets, temp folder

It runs ``wslib bench labelmodel --speed`` (every wslib label model and every
importable peer), writes ``benchmarks/results/labelmodel.json`` (+ ``.env.json``)
and regenerates ``docs/benchmarks.md``. With ``--quick`` the results go to a
temporary folder and the docs are left alone. Extra options are passed on
(``--seeds 3``, ``--methods ...``, ``--data DIR``; see ``wslib bench labelmodel -h``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from wslib.bench.cli import main
from wslib.bench.docs import render_docs

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def run(argv: list[str]) -> int:
    official = "--quick" not in argv
    results = RESULTS if official else Path(tempfile.mkdtemp(prefix="wslib-bench-"))
    code = main(["labelmodel", "--speed", "--json", str(results / "labelmodel.json"), *argv],
                prog="benchmarks/bench_labelmodel.py")
    if code == 0 and official and "--list" not in argv:
        docs = ROOT / "docs"
        print(f"wrote {render_docs(RESULTS, docs / 'benchmarks.md', docs / 'img')}",
              file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
