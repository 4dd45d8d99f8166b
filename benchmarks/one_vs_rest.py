"""Label models on one-vs-rest binary tasks made from each real multi-class set, against
majority vote.

A dataset nobody has seen may pose another task: a rare positive class (relation
extraction, spam) that a few LFs vote for while many vote against, scored by F1 of
that class, as WRENCH does for its imbalanced binary sets. This script makes such
tasks from the real multi-class sets the label-model benchmark reads (the shared
WRENCH folder and ``benchmarks/data``): for each class ``c`` with at least
``--min-share`` of the evaluation items, a vote for ``c`` becomes 1, a vote for any
other class 0, an abstain stays an abstain, and the gold label becomes ``y == c``.
Every task runs under the benchmark's protocol (:mod:`wslib.bench.labelmodel`: fit on
train, F1 of class 1 on the evaluation split) with ``--seeds`` tie-break seeds; per
method it prints the mean difference to majority vote over the tasks (each task's
difference averaged over the seeds), how many tasks fall more than 0.005 below it,
and the worst task; the last row pools the sets. From the repository root::

    python benchmarks/one_vs_rest.py                  # LabelModel, Snorkel 100 epochs
    python benchmarks/one_vs_rest.py --datasets trec --methods LabelModel,DawidSkene

>>> import numpy as np
>>> one_vs_rest_votes(np.array([[0, -1, 2], [1, 1, -1]], dtype=np.int8), 1).tolist()
[[0, -1, 0], [1, 1, -1]]
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from wslib.bench import variants
from wslib.bench.data import BenchData


def one_vs_rest_votes(L, target: int):
    """Votes for ``target`` as 1, for any other class as 0, abstains (-1) kept; dense or
    sparse (CSR, abstains not stored) like ``L``."""
    if sp.issparse(L):  # stored entries are votes (a stored -1 abstains); 0 stays stored
        out = L.tocsr(copy=True)
        out.data = np.where(out.data < 0, out.data, out.data == target).astype(out.dtype)
        return out
    L = np.asarray(L)
    return np.where(L < 0, L, (L == target).astype(L.dtype))


def one_vs_rest(data: BenchData, target: int) -> BenchData:
    """The binary task "class ``target`` or not" on ``data``'s rows and LFs, scored by F1
    of class 1."""
    def gold(y):
        return None if y is None else (np.asarray(y) == target).astype(np.int64)

    return data.map_votes(lambda L: one_vs_rest_votes(L, target),
                          name=f"{data.name}:{target}", metric="f1", cardinality=2,
                          y_eval=gold(data.y_eval), y_fit=gold(data.y_fit),
                          y_valid=gold(data.y_valid),
                          info={**data.info, "one_vs_rest": int(target)})


def tasks(data: BenchData, args: argparse.Namespace
          ) -> Iterator[tuple[range, BenchData]]:
    """Each class of a multi-class ``data`` with at least ``args.min_share`` of the
    evaluation items, as a binary task, with ``args.seeds`` tie-break seeds."""
    if data.cardinality <= 2 or data.y_eval is None:
        return
    shares = np.bincount(np.asarray(data.y_eval), minlength=data.cardinality)
    for target in np.flatnonzero(shares / shares.sum() >= args.min_share):
        yield range(args.seeds), one_vs_rest(data, int(target))


def main(argv: list[str] | None = None) -> str:
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--min-share", type=float, default=0.05,
                            help="smallest share of the evaluation items a class needs to "
                                 "become a task (default 0.05)")
        parser.add_argument("--seeds", type=int, default=3, help="tie-break seeds per task")

    return variants.main(argv, __doc__.splitlines()[0], tasks, add_arguments, unit="tasks")


if __name__ == "__main__":
    main()
