"""Label-free Weaver on random halves of each real table's verifiers, against the naive
rank mean.

A table nobody has seen comes with other verifiers. This script runs label-free
``Weaver`` on ``--draws`` random halves of the verifiers of every real table (the
shared ``verifiers`` folder and each ``--data`` folder, as ``wslib bench weaver``
reads them) and scores its selection like the benchmark: the expected accuracy over
tied candidates. Per table it prints the mean selection accuracy of Weaver and of the
naive rank mean over the halves, their mean difference, how many halves fall below
the naive mean (by more than 0.0005) and the worst one, and how many fall below the
majority answer (where the table has answers) and below the random pick. From the
repository root::

    python benchmarks/verifier_halves.py --data ../verifier-tables
    python benchmarks/verifier_halves.py --draws 3

>>> from wslib.datasets.synthetic import make_verifier_table
>>> table = read_table(make_verifier_table(20, 5, 6, random_state=0))
>>> half = verifier_columns(table, np.array([1, 4]))
>>> half.verifiers == [table.verifiers[1], table.verifiers[4]]
True
>>> bool(np.array_equal(half.scores, table.scores[:, [1, 4]], equal_nan=True))
True
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np

from wslib.bench.data import default_data_dir
from wslib.bench.report import format_table
from wslib.bench.variants import draw_columns
from wslib.bench.weaver_real import real_tables
from wslib.weaver import Weaver, read_table
from wslib.weaver.io import VerifierTable
from wslib.weaver.metrics import baseline_scores, expected_accuracy

#: a half this far below a reference counts as falling below it
MARGIN = 0.0005


def verifier_columns(table: VerifierTable, columns: np.ndarray) -> VerifierTable:
    """``table`` with only the verifiers in ``columns`` (rows, labels, answers unchanged)."""
    return table.with_scores(table.scores[:, columns], [table.verifiers[c] for c in columns])


def half_scores(table: VerifierTable) -> dict[str, float]:
    """Selection accuracy of label-free Weaver and of the label-free references on
    ``table`` (``majority`` is NaN without answers)."""
    y = table.labels.astype(np.float64)

    def accuracy(score):
        return float(expected_accuracy(score, y, table.starts).mean())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropped-verifier notes: the table is the result
        weaver = accuracy(Weaver().fit(table).selection_score(table))
    base = baseline_scores(table)
    majority = base["majority_vote"]
    return {"weaver": weaver, "naive": accuracy(base["naive_mean"]),
            "majority": np.nan if majority is None else accuracy(majority),
            "random": accuracy(base["random"])}


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="*", default=[],
                        help="folders of verifier tables, beside the shared one")
    parser.add_argument("--draws", type=int, default=10, help="random halves per table")
    args = parser.parse_args(argv)
    folders = [f for f in [default_data_dir("verifiers"), *args.data] if f is not None]
    rows = []
    for name, path in real_tables(folders):
        table = read_table(path)
        m = len(table.verifiers)
        if m < 4:
            print(f"{name}: {m} verifiers, no halves", flush=True)
            continue
        runs = [half_scores(verifier_columns(table, draw_columns(m, draw)))
                for draw in range(args.draws)]
        get = {key: np.array([r[key] for r in runs]) for key in runs[0]}
        gap = get["weaver"] - get["naive"]
        majority = ("-" if np.isnan(get["majority"]).all() else
                    f"{int((get['weaver'] < get['majority'] - MARGIN).sum())} of {len(runs)}")
        rows.append([name, str(m), f"{get['weaver'].mean():.3f}", f"{get['naive'].mean():.3f}",
                     f"{gap.mean():+.4f}", f"{int((gap < -MARGIN).sum())} of {len(runs)}",
                     f"{gap.min():+.3f}", majority,
                     f"{int((get['weaver'] < get['random']).sum())} of {len(runs)}"])
        print(f"{name}: done", flush=True)
    header = ["table", "verifiers", "Weaver label-free", "naive rank mean", "mean difference",
              "halves below naive", "worst", "halves below majority answer",
              "halves below random"]
    text = format_table(header, rows, markdown=True)
    print(text)
    return text


if __name__ == "__main__":
    main()
