"""Robustness study of the label models on pseudo-unseen data (docs/labelmodels.md).

The defaults of :class:`wslib.labelmodel.LabelModel` are chosen here, never on
the WRENCH *test* splits the benchmark reports:

* real: each shared WRENCH set with all its LFs and with random halves of its
  LFs (``--seeds`` subsets), fitted on *train*, scored on *valid*; the sets in
  ``REVOTE`` (sms) have their votes re-applied from the regex rules in their
  readme (:func:`wslib.datasets.wrench.rule_votes`: the rules reproduce every
  train vote, while the shipped valid votes belong to other messages: 41 % of
  its rows as shipped match the rules, and 1 of the 41 shipped spam votes is
  right against 42 of the 43 re-applied ones);
* synthetic: ``make_votes`` regimes (balanced, unipolar, imbalanced, many
  classes, tiny coverage, correlated copies, adversarial LFs, positive-only
  LFs scored by F1), fitted on 4,000 items, scored on 2,000 others;
* ``--generated``, instead of the above: LF sets nobody wrote by hand, made by
  the AutoWS generators (:mod:`wslib.autows`: Snuba stumps, prototypes,
  mined keywords, and their union) from 100 gold labels of youtube, sms and
  trec (MiniLM embeddings, scored on *valid*) and of scikit-learn's digits
  (scored on its held-out 30 %), with Snorkel's LabelModel next to wslib's
  models when it is installed. The gold labels only make the LFs; every
  model is fitted on the train votes alone.

Scores are the WRENCH metric of ``predict`` with random tie-breaks, averaged
over three tie-break seeds. From the repository root::

    python benchmarks/robustness_labelmodel.py              # a few minutes
    python benchmarks/robustness_labelmodel.py --seeds 1 --data ../shared/data/wrench
    python benchmarks/robustness_labelmodel.py --generated   # needs the embeddings extra
"""

from __future__ import annotations

import argparse
import itertools
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from wslib.datasets import find_datasets, load_wrench
from wslib.datasets.synthetic import make_votes
from wslib.datasets.wrench import rule_votes
from wslib.labelmodel import DawidSkene, LabelModel, MajorityVote, MatrixCompletion, Triplet
from wslib.labelmodel.base import break_ties
from wslib.metrics import score_predictions

ROOT = Path(__file__).resolve().parents[1]

#: name -> model factory taking the cardinality
MODELS: dict[str, Callable[[int], object]] = {
    "MV": lambda k: MajorityVote(cardinality=k),
    "DawidSkene": lambda k: DawidSkene(cardinality=k),
    "MatrixCompletion": lambda k: MatrixCompletion(cardinality=k),
    "Triplet": lambda k: Triplet(cardinality=k),
    "LM fix_nested=False": lambda k: LabelModel(cardinality=k, fix_nested=False),
    "LM uncovered=firing": lambda k: LabelModel(cardinality=k, uncovered="firing"),
    "LM posterior=votes": lambda k: LabelModel(cardinality=k, posterior="votes"),
    "LM posterior=confusion": lambda k: LabelModel(cardinality=k, posterior="confusion"),
    "LM posterior=dawid-skene": lambda k: LabelModel(cardinality=k, posterior="dawid-skene"),
    "LM (default)": lambda k: LabelModel(cardinality=k),
}

#: synthetic regime -> make_votes arguments (m, k and keywords)
REGIMES: dict[str, dict] = {
    "balanced k=2": {"m": 20, "k": 2},
    "all-unipolar k=2": {"m": 20, "k": 2, "n_unipolar": 20},
    "unipolar imbalanced k=2 (0.8/0.2)": {"m": 20, "k": 2, "n_unipolar": 20, "class_balance": [0.8, 0.2]},
    "imbalanced k=2 (0.9/0.1)": {"m": 20, "k": 2, "class_balance": [0.9, 0.1]},
    "k=10": {"m": 30, "k": 10},
    "unipolar k=5": {"m": 30, "k": 5, "n_unipolar": 30},
    "half unipolar k=3": {"m": 24, "k": 3, "n_unipolar": 12},
    "tiny coverage (1-5 %)": {"m": 20, "k": 2, "coverage": (0.01, 0.05)},
    "correlated copies (6 of 20)": {"m": 20, "k": 2, "n_correlated": 6},
    "adversarial LFs (acc 0.1-0.9)": {"m": 20, "k": 2, "accuracy": (0.1, 0.9)},
    "positive-only LFs, F1 (0.85/0.15)": {"m": 20, "k": 2, "n_unipolar": 20, "positive_only": True,
                                             "class_balance": [0.85, 0.15], "coverage": (0.02, 0.15)},
}

#: datasets whose shipped valid votes are replaced by their re-applied readme rules
REVOTE = ("sms",)

Task = tuple[str, str, np.ndarray, np.ndarray, np.ndarray, int, str]  # group, name, L_fit, L_eval, y, k, metric


def real_tasks(data: Path, seeds: int) -> Iterator[Task]:
    for folder in find_datasets(data):
        ds = load_wrench(folder)
        if ds.name in REVOTE:
            ds = rule_votes(ds)
        if "valid" not in ds.splits or not ds["valid"].has_labels:
            continue
        fit, ev = ds["train"], ds["valid"]
        m = fit.L.shape[1]
        yield (ds.name, "all LFs", fit.L, ev.L, ev.y, ds.cardinality, ds.metric)
        for s in range(seeds):
            cols = np.sort(np.random.default_rng(100 + s).choice(m, max(3, m // 2), replace=False))
            yield (ds.name, f"half the LFs, subset {s}", fit.L[:, cols], ev.L[:, cols], ev.y,
                   ds.cardinality, ds.metric)


def synthetic_tasks(seeds: int) -> Iterator[Task]:
    for regime, spec in REGIMES.items():
        kw = dict(spec)
        m, k, positive_only = kw.pop("m"), kw.pop("k"), kw.pop("positive_only", False)
        for s in range(seeds):
            d = make_votes(6000, m, k, random_state=s, **kw)
            L = d.L[:, d.polarity == 1] if positive_only else d.L
            yield (f"synthetic {regime}", f"seed {s}", L[:4000], L[4000:], d.y[4000:], k,
                   "f1" if positive_only else "accuracy")


def generated_tasks(data: Path, seeds: int) -> Iterator[Task]:
    """AutoWS-generated LF sets (module docstring): per dataset, seed and generator."""
    from wslib.autows.protocol import draw_labels, make_generators
    from wslib.bench.autows import digits_task, text_task

    args = argparse.Namespace(quick=False, no_embeddings=False, device="cpu", cache_dir=None,
                              eval_split="valid")
    folders = {p.name: p for p in find_datasets(data)} if data.exists() else {}
    tasks = [text_task(folders[n], args) for n in ("youtube", "sms", "trec") if n in folders]
    for task in [*tasks, digits_task(args)]:
        k = task.cardinality
        for s in range(seeds):
            y_partial = np.full(task.y_train.shape[0], -1)
            lab = draw_labels(task.y_train, 100, k, s)
            y_partial[lab] = task.y_train[lab]
            votes = {}
            for name, (gen, view) in make_generators(task, s).items():
                gen.fit(task.views[view].train, y_partial)
                votes[name] = (gen.transform(task.views[view].train),
                               gen.transform(task.views[view].test))
            votes["all"] = tuple(np.hstack([v[i] for v in votes.values()]) for i in (0, 1))
            for name, (L_fit, L_eval) in votes.items():
                if L_fit.shape[1] >= 3:  # fewer LFs: some models refuse them
                    yield (f"generated {task.name} / {name}", f"seed {s}", L_fit, L_eval,
                           task.y_test, k, task.metric)


def peers() -> dict[str, Callable[[int], object]]:
    """Snorkel's LabelModel (100 and 500 epochs) when it imports, else nothing."""
    from wslib.bench.peers import peer_methods

    return {m.name: (lambda k, make=m.make: make(k, 0)) for m in peer_methods()
            if m.library == "snorkel" and "LabelModel" in m.name
            and m.skip_reason(2, 0) is None}


def score(make: Callable[[int], object], task: Task) -> float:
    _, _, L_fit, L_eval, y, k, metric = task
    proba = make(k).fit(L_fit).predict_proba(L_eval)
    return float(np.mean([score_predictions(y, break_ties(proba, "random", np.random.default_rng(s)),
                                            metric, k) for s in range(3)]))


def markdown(groups: dict[str, dict[str, list[float]]], models: dict) -> str:
    names = list(models)
    lines = ["| setting | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    real, synthetic = {n: [] for n in names}, {n: [] for n in names}
    generated = any(g.startswith("generated") for g in groups)
    for group, scores in groups.items():
        lines.append(f"| {group} ({len(scores[names[0]])} runs, mean) | "
                     + " | ".join(f"{np.mean(scores[n]):.3f}" for n in names) + " |")
        for n in names:
            (synthetic if group.startswith("synthetic") else real)[n].extend(scores[n])
    for label, pool in (("**mean, real**" if not generated else "**mean**", real),
                        ("**mean, synthetic**", synthetic)):
        if pool[names[0]]:
            lines.append(f"| {label} | " + " | ".join(f"{np.mean(pool[n]):.3f}" for n in names) + " |")
    if not generated:
        everything = {n: real[n] + synthetic[n] for n in names}
        lines.append("| **mean of all runs** | "
                     + " | ".join(f"**{np.mean(everything[n]):.3f}**" for n in names) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "wrench",
                        help="folder of WRENCH datasets (skipped when absent)")
    parser.add_argument("--seeds", type=int, default=3, help="LF subsets / synthetic seeds")
    parser.add_argument("--generated", action="store_true",
                        help="AutoWS-generated LF sets instead (module docstring)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # coverage and convergence warnings of the weak baselines
    if args.generated:
        models = {**MODELS, **peers()}
        tasks: Iterator[Task] = generated_tasks(args.data, args.seeds)
    else:
        models = MODELS
        tasks = itertools.chain(real_tasks(args.data, args.seeds) if args.data.exists() else (),
                                synthetic_tasks(max(1, args.seeds - 1)))
    groups: dict[str, dict[str, list[float]]] = {}
    for task in tasks:
        scores = groups.setdefault(task[0], {n: [] for n in models})
        for name, make in models.items():
            scores[name].append(score(make, task))
        print(f"{task[0]} / {task[1]}: "
              + ", ".join(f"{n} {scores[n][-1]:.3f}" for n in models), flush=True)
    table = markdown(groups, models)
    print(table)
    return table


if __name__ == "__main__":
    main()
