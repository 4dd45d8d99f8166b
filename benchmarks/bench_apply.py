"""The applier benchmark of ``docs/benchmarks.md``: wslib vs Snorkel's PandasLFApplier.

From the repository root::

    python benchmarks/bench_apply.py           # minutes: 1M rows (Snorkel on a 50k prefix)
    python benchmarks/bench_apply.py --quick   # seconds: tiny corpus, temp folder

It runs ``wslib bench apply``, writes ``benchmarks/results/apply.json`` (+
``.env.json``) and regenerates ``docs/benchmarks.md``. With ``--quick`` the
results go to a temporary folder and the docs are left alone. Other options are
passed on (``--rows``, ``--snorkel-rows``, ``--n-jobs``, ``--memory-lfs``,
``--bare-rows``, ``--repeat``).
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
    code = main(["apply", "--json", str(results / "apply.json"), *argv],
                prog="benchmarks/bench_apply.py")
    if code == 0 and official:
        docs = ROOT / "docs"
        print(f"wrote {render_docs(RESULTS, docs / 'benchmarks.md', docs / 'img')}",
              file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
