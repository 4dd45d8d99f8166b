"""Label models on random halves of each real set's LFs, against majority vote.

A dataset nobody has seen comes with other LFs. This script runs every real
dataset the label-model benchmark reads (the shared WRENCH folder and
``benchmarks/data``; sms with its votes re-applied from its readme's rules, in
place of the shipped sms) with ``--draws`` random halves of its LFs, under the
benchmark's protocol (:mod:`wslib.bench.labelmodel`: fit on train, the WRENCH
metric on the evaluation split, ties broken at random with the draw's seed).
``--lfs N`` draws N LFs instead of half (a set with N LFs or fewer gives no
draws): the small LF sets many tasks start with.
For each method it prints the mean difference to majority vote over the draws,
how many draws fall more than 0.005 below it, and the worst draw; the last
row pools the sets. From the repository root::

    python benchmarks/lf_halves.py                    # LabelModel, Snorkel 100 epochs
    python benchmarks/lf_halves.py --draws 3 --datasets youtube --methods LabelModel
    python benchmarks/lf_halves.py --lfs 4 --draws 20

>>> import numpy as np
>>> from wslib.bench.data import parse_synthetic
>>> data = parse_synthetic("n=50,m=6,k=2").load()
>>> half = lf_columns(data, np.array([0, 3, 5]))
>>> half.n_sources, bool(np.array_equal(half.L_fit, data.L_fit[:, [0, 3, 5]])), half.same_rows
(3, True, True)
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import numpy as np

from wslib.bench import variants
from wslib.bench.data import BenchData
from wslib.bench.variants import draw_columns


def lf_columns(data: BenchData, columns: np.ndarray) -> BenchData:
    """``data`` with only the LFs in ``columns``, on every split (rows unchanged)."""
    return data.map_votes(lambda L: L[:, columns],
                          info={**data.info, "lf_columns": [int(c) for c in columns]})


def halves(data: BenchData, args: argparse.Namespace
           ) -> Iterator[tuple[list[int], BenchData]]:
    """``args.draws`` random halves of ``data``'s LFs (``args.lfs`` of them when set,
    none when it has no more than that), each seeded by its draw."""
    if args.lfs is not None and data.n_sources <= args.lfs:
        return
    for draw in range(args.draws):
        yield [draw], lf_columns(data, draw_columns(data.n_sources, draw, args.lfs))


def _lf_count(text: str) -> int:
    """``--lfs``: an LF count of at least two (one LF has nothing to combine)."""
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"needs at least 2 LFs, got {value}")
    return value


def main(argv: list[str] | None = None) -> str:
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--draws", type=int, default=10,
                            help="random draws (halves, or --lfs N) per dataset")
        parser.add_argument("--lfs", type=_lf_count, default=None, metavar="N",
                            help="draw N LFs instead of half (at least 2)")

    return variants.main(argv, __doc__.splitlines()[0], halves, add_arguments, unit="draws")


if __name__ == "__main__":
    main()
