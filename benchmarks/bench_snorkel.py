"""The Snorkel migration benchmark: the spam tutorial's speed, and Snorkel's own tests.

From the repository root::

    python benchmarks/bench_snorkel.py            # minutes: tutorial x3, Snorkel 0.10.0's tests
    python benchmarks/bench_snorkel.py --quick    # the tutorial once, into a temporary folder

It runs ``wslib bench snorkel`` (Snorkel's test suite comes from its source
distribution on PyPI, or ``--sdist PATH``), writes
``benchmarks/results/snorkel.json`` (+ ``.env.json``), regenerates
``docs/benchmarks.md`` and the generated part of ``docs/migration-snorkel.md``.
With ``--quick`` only the tutorial runs, once, and the docs are left alone.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from wslib.bench.cli import main
from wslib.bench.docs import fill_blocks, render_docs

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def run(argv: list[str]) -> int:
    official = "--quick" not in argv
    results = RESULTS if official else Path(tempfile.mkdtemp(prefix="wslib-bench-"))
    extra = [] if official else ["--part", "tutorial"]
    code = main(["snorkel", "--json", str(results / "snorkel.json"), *extra, *argv],
                prog="benchmarks/bench_snorkel.py")
    if code == 0 and official:
        docs = ROOT / "docs"
        print(f"wrote {render_docs(RESULTS, docs / 'benchmarks.md', docs / 'img')}",
              file=sys.stderr)
        fill_blocks(docs / "migration-snorkel.md", RESULTS)
        print(f"wrote {docs / 'migration-snorkel.md'}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
