"""Label models on variants of each real dataset, compared with majority vote on the
same variant: what the robustness probes in ``benchmarks/`` share.

A probe (``benchmarks/lf_halves.py``, ``benchmarks/one_vs_rest.py``,
``benchmarks/mixed_sources.py``) turns one dataset into variants (another LF set,
another task, added sources) and calls :func:`main` with a function that lists them.
Every variant is run under the label-model benchmark's protocol
(:mod:`wslib.bench.labelmodel`: fit on train, the WRENCH metric on the evaluation
split, ties broken at random with the variant's seeds); the table gives, per dataset
and method, the mean difference to majority vote, how many variants fall more than
``MARGIN`` below it, and the worst one; the last row pools the sets.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from wslib.bench.core import NamesAction, select
from wslib.bench.data import BenchData, resolve_datasets, wrench_specs
from wslib.bench.labelmodel import run_method
from wslib.bench.peers import Method, all_methods
from wslib.bench.report import format_table

#: the reference every method is compared with
BASELINE = "MajorityVote"
#: a variant this far below majority vote counts as falling below it (the label-model bar)
MARGIN = 0.005
#: datasets run with their votes re-applied from their readme's rules, in place of theirs
REVOTE = ("sms",)
#: the methods run when none are named, those installed
DEFAULT_METHODS = ("LabelModel", "snorkel.LabelModel-100ep")

#: ``variants(data, args)``: the variants of one dataset, each with its tie-break seeds
Variants = Callable[[BenchData, argparse.Namespace],
                    Iterable[tuple[Sequence[int], BenchData]]]


def draw_columns(n_sources: int, draw: int, size: int | None = None) -> np.ndarray:
    """The sources of draw ``draw``: ``size`` of them (default half, at least two),
    sorted, seeded by ``draw``.

    >>> draw_columns(6, 0).tolist()
    [3, 4, 5]
    >>> draw_columns(6, 0, size=2).tolist()
    [3, 4]
    """
    if size is None:
        size = max(2, round(n_sources / 2))
    if not 1 <= size <= n_sources:
        raise ValueError(f"cannot draw {size} of {n_sources} sources")
    return np.sort(np.random.default_rng(draw).choice(n_sources, size, replace=False))


def differences(variants: Iterable[tuple[Sequence[int], BenchData]], methods: list[Method],
                baseline: Method) -> dict[str, list[float]]:
    """Per method, its metric minus ``baseline``'s on each variant, averaged over the
    variant's seeds (a method that fails or is skipped on a variant leaves it out)."""
    out: dict[str, list[float]] = {m.name: [] for m in methods}
    for seeds, data in variants:
        gaps: dict[str, list[float]] = {m.name: [] for m in methods}
        for seed in seeds:
            reference = run_method(data, baseline, seed, memory="off")["value"]
            for method in methods:
                value = run_method(data, method, seed, memory="off")["value"]
                if value is not None and reference is not None:
                    gaps[method.name].append(value - reference)
        for name, gap in gaps.items():
            if len(gap) == len(seeds):
                out[name].append(float(np.mean(gap)))
    return out


def table(results: dict[str, tuple[int, dict[str, list[float]]]], names: list[str],
          unit: str = "draws") -> tuple[list[str], list[list[str]]]:
    """Rows per dataset and a pooled last row: mean difference, variants below, worst.

    >>> header, rows = table({"trec": (68, {"LabelModel": [0.02, -0.01]})}, ["LabelModel"])
    >>> rows[0]
    ['trec', '68', '+0.005', '1 of 2', '-0.010']
    """
    header = ["dataset", "LFs"] + [f"{n}: {label}" for n in names
                                   for label in ("mean - MV", f"{unit} below", "worst")]
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


def main(argv: list[str] | None, description: str, variants: Variants,
         add_arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None,
         unit: str = "draws") -> str:
    """Parse ``argv``, run every chosen method on ``variants`` of every chosen dataset
    (those that give none are left out) and print the table (also returned)."""
    parser = argparse.ArgumentParser(description=description)
    add_arguments(parser)
    parser.add_argument("--methods", nargs="+", action=NamesAction, default=None,
                        metavar="A,B", help="label models (default: LabelModel and Snorkel's "
                                            "LabelModel with 100 epochs when installed)")
    parser.add_argument("--datasets", nargs="+", action=NamesAction, default=None,
                        metavar="A,B", help="datasets (default: every real one)")
    args = parser.parse_args(argv)
    every = all_methods()
    baseline = next(m for m in every if m.name == BASELINE)
    available = [m for m in every if not m.n_dev and m is not baseline]
    wanted = args.methods or [n for n in DEFAULT_METHODS
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
        warnings.simplefilter("ignore")  # coverage notes of every variant: the table is the result
        for spec in resolve_datasets(None, [], chosen, revote=revote):
            data = spec.load()
            listed = list(variants(data, args))
            if listed:
                results[spec.name] = (data.n_sources, differences(listed, methods, baseline))
            print(f"{spec.name}: {len(listed)} {unit}", flush=True)
    text = format_table(*table(results, [m.name for m in methods], unit), markdown=True)
    print(text)
    return text
