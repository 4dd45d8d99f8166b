"""Regenerate ``docs/benchmarks.md`` (and its plots in ``docs/img/``) from
``benchmarks/results/*.json``, and the generated tables of the other docs pages.

Usage, from the repository root::

    python benchmarks/make_docs.py [--results benchmarks/results] [--out docs/benchmarks.md]

Each results file becomes a section written by its bench module's
``render_markdown`` (see :mod:`wslib.bench.docs`); each
``<!-- generated: NAME.BLOCK -->`` section of a ``docs/*.md`` page becomes
``wslib.bench.NAME.render_block(records, BLOCK)``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wslib.bench.docs import fill_blocks, render_docs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DEFAULT_OUT = DOCS / "benchmarks.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results",
                        help="folder of results files (default: benchmarks/results)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="page to write (default: docs/benchmarks.md)")
    parser.add_argument("--img", type=Path, default=None,
                        help="folder for plots (default: img/ beside --out)")
    parser.add_argument("--pages", type=Path, nargs="*", default=None,
                        help="pages whose generated blocks to refresh (default: docs/*.md "
                             "when --out is the default, else none)")
    args = parser.parse_args(argv)
    pages = args.pages
    if pages is None:
        pages = sorted(DOCS.glob("*.md")) if args.out.resolve() == DEFAULT_OUT else []
    try:
        out = render_docs(args.results, args.out, args.img or args.out.parent / "img")
        changed = [page for page in pages
                   if page.resolve() != out.resolve() and fill_blocks(page, args.results)]
    except (ValueError, FileNotFoundError) as exc:
        print(f"make_docs: error: {exc}", file=sys.stderr)
        return 2
    print("".join(f"wrote {p}\n" for p in [out, *changed]), end="", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
