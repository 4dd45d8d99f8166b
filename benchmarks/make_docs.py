"""Regenerate ``docs/benchmarks.md`` (and its plots in ``docs/img/``) from
``benchmarks/results/*.json``.

Usage, from the repository root::

    python benchmarks/make_docs.py [--results benchmarks/results] [--out docs/benchmarks.md]

Each results file becomes a section written by its bench module's
``render_markdown`` (see :mod:`wslib.bench.docs`); the generated blocks of the other
pages in the same folder (``<!-- results: NAME BLOCK -->``) are refreshed too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wslib.bench.docs import render_docs, update_generated_blocks

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results",
                        help="folder of results files (default: benchmarks/results)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md",
                        help="page to write (default: docs/benchmarks.md)")
    parser.add_argument("--img", type=Path, default=None,
                        help="folder for plots (default: img/ beside --out)")
    args = parser.parse_args(argv)
    try:
        out = render_docs(args.results, args.out, args.img or args.out.parent / "img")
        for page in sorted(args.out.parent.glob("*.md")):
            if page != out and update_generated_blocks(page, args.results):
                print(f"updated {page}", file=sys.stderr)
    except (ValueError, FileNotFoundError) as exc:
        print(f"make_docs: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
