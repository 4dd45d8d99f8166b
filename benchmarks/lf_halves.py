"""Label models on random halves of each real set's LFs, against majority vote.

A dataset nobody has seen comes with other LFs. This script runs every real
dataset the label-model benchmark reads (the shared WRENCH folder and
``benchmarks/data``; sms with its votes re-applied from its readme's rules, in
place of the shipped sms) with ``--draws`` random halves of its LFs, under the
benchmark's protocol (:mod:`wslib.bench.labelmodel`: fit on train, the WRENCH
metric on the evaluation split, ties broken at random with the draw's seed).
For each method it prints the mean difference to majority vote over the draws,
how many draws fall more than 0.005 below it, and the worst draw; the last
row pools the sets. From the repository root::

    python benchmarks/lf_halves.py                    # LabelModel, Snorkel 100 epochs
    python benchmarks/lf_halves.py --draws 3 --datasets youtube --methods LabelModel

>>> import numpy as np
>>> from wslib.bench.data import parse_synthetic
>>> data = parse_synthetic("n=50,m=6,k=2").load()
>>> half = lf_columns(data, np.array([0, 3, 5]))
>>> half.n_sources, bool(np.array_equal(half.L_fit, data.L_fit[:, [0, 3, 5]])), half.same_rows
(3, True, True)
"""

from __future__ import annotations

import argparse
import warnings
from dataclasses import replace

import numpy as np

from wslib.bench.core import NamesAction, select
from wslib.bench.data import BenchData, resolve_datasets, wrench_specs
from wslib.bench.labelmodel import run_method
from wslib.bench.peers import Method, all_methods
from wslib.bench.report import format_table

#: the reference every method is compared with
BASELINE = "MajorityVote"
#: a draw this far below majority vote counts as falling below it (the label-model bar)
MARGIN = 0.005
#: datasets run with their votes re-applied from their readme's rules, in place of theirs
REVOTE = ("sms",)


def lf_columns(data: BenchData, columns: np.ndarray) -> BenchData:
    """``data`` with only the LFs in ``columns``, on every split (rows unchanged)."""
    def take(L):
        return None if L is None else L[:, columns]

    L_fit = take(data.L_fit)
    return replace(data, L_fit=L_fit, L_eval=L_fit if data.same_rows else take(data.L_eval),
                   L_valid=take(data.L_valid),
                   info={**data.info, "lf_columns": [int(c) for c in columns]})


def draw_columns(n_sources: int, draw: int) -> np.ndarray:
    """The LFs of half ``draw``: half of them (at least two), sorted, seeded by ``draw``."""
    size = max(2, round(n_sources / 2))
    return np.sort(np.random.default_rng(draw).choice(n_sources, size, replace=False))


def differences(data: BenchData, methods: list[Method], baseline: Method, draws: int
                ) -> dict[str, list[float]]:
    """Per method, its metric minus ``baseline``'s on each half of ``data``'s LFs (a
    method that fails or is skipped on a draw leaves it out)."""
    out: dict[str, list[float]] = {m.name: [] for m in methods}
    for draw in range(draws):
        half = lf_columns(data, draw_columns(data.n_sources, draw))
        reference = run_method(half, baseline, draw, memory="off")["value"]
        for method in methods:
            value = run_method(half, method, draw, memory="off")["value"]
            if value is not None and reference is not None:
                out[method.name].append(value - reference)
    return out


def table(results: dict[str, tuple[int, dict[str, list[float]]]], names: list[str]
          ) -> tuple[list[str], list[list[str]]]:
    """Rows per dataset and a pooled last row: mean difference, draws below, worst."""
    header = ["dataset", "LFs"] + [f"{n}: {label}" for n in names
                                   for label in ("mean - MV", "draws below", "worst")]
    rows, pooled = [], {n: [] for n in names}
    for dataset, (n_sources, diffs) in results.items():
        row = [dataset, str(n_sources)]
        for n in names:
            d = np.asarray(diffs[n])
            pooled[n].append(d)
            row += ([f"{d.mean():+.3f}", f"{int((d < -MARGIN).sum())} of {d.size}",
                     f"{d.min():+.3f}"] if d.size else ["-", "-", "-"])
        rows.append(row)
    last = ["all sets (mean of the set means)", ""]
    for n in names:
        sets = [d for d in pooled[n] if d.size]
        every = np.concatenate(sets) if sets else np.zeros(0)
        last += ([f"{np.mean([d.mean() for d in sets]):+.3f}",
                  f"{int((every < -MARGIN).sum())} of {every.size}", f"{every.min():+.3f}"]
                 if sets else ["-", "-", "-"])
    return header, rows + [last]


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10, help="random halves per dataset")
    parser.add_argument("--methods", nargs="+", action=NamesAction, default=None,
                        metavar="A,B", help="label models (default: LabelModel and Snorkel's "
                                            "LabelModel with 100 epochs when installed)")
    parser.add_argument("--datasets", nargs="+", action=NamesAction, default=None,
                        metavar="A,B", help="datasets (default: every real one)")
    args = parser.parse_args(argv)
    every = all_methods()
    baseline = next(m for m in every if m.name == BASELINE)
    available = [m for m in every if not m.n_dev and m is not baseline]
    wanted = args.methods or [n for n in ("LabelModel", "snorkel.LabelModel-100ep")
                              if any(m.name == n and m.skip_reason(2, 0) is None
                                     for m in available)]
    method_names = select(wanted, [m.name for m in available], "method")
    methods = [m for m in available if m.name in method_names]
    shipped = [s.name for s in wrench_specs(None)]
    revote = [n for n in REVOTE if n in shipped]
    rules = [f"{n}-rules" for n in revote]
    chosen = select(args.datasets or [n for n in shipped if n not in revote] + rules,
                    shipped + rules, "dataset")
    results = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # coverage notes of every half: the table is the result
        for spec in resolve_datasets(None, [], chosen, revote=revote):
            data = spec.load()
            results[spec.name] = (data.n_sources,
                                  differences(data, methods, baseline, args.draws))
            print(f"{spec.name}: done", flush=True)
    text = format_table(*table(results, [m.name for m in methods]), markdown=True)
    print(text)
    return text


if __name__ == "__main__":
    main()
