"""The real-table suite of ``wslib bench weaver``: Weaver against references on
verifier tables with gold labels.

Each table (long layout: ``problem_id``, ``candidate_id``, a 0/1 correctness
column, an optional answer column, one column per verifier) gets these records,
``value`` being the selection accuracy (exact expectation over tied candidates,
:func:`wslib.weaver.metrics.expected_accuracy`):

* ``weaver/label-free``: ``Weaver()`` fitted without labels, scored on every problem;
* ``weaver/dev-{1,5,10}pct``: ``Weaver(random_state=seed).fit(table, dev=ids)`` with
  that share of problems labelled (at least two), one record per seed, scored only
  on the problems *outside* the dev set;
* ``reference/...`` (``reads_gold`` says which read labels beyond a dev set):
  ``random``, ``naive-rank-mean`` (mean within-problem rank), ``majority-answer``,
  ``best-single-dev-{1,5,10}pct`` (the verifier with the best accuracy on the dev
  problems, verifiers tied there averaged; same seeds and scored problems as Weaver's
  dev records),
  ``lr-dev-{1,5,10}pct`` (scikit-learn's default logistic regression on the dev rows),
  ``best-single-gold`` (the best verifier, picked with every label),
  ``lr-cv`` (the default logistic regression, 5-fold cross-validation over problems:
  80 % of the labels for each fold), ``supervised`` (the *supervised reference*:
  5-fold cross-validation over problems, the regularisation tuned by an inner
  cross-validation over the training problems, answer-aware features when the
  table has answers: :func:`supervised_reference`) and ``oracle`` (some candidate is
  correct).

The regressions read the same features as Weaver's dev model: within-problem
centred probit ranks of every verifier (0 where missing), plus, with answers,
:func:`wslib.weaver.dev.answer_features`.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import ndtri
from sklearn.linear_model import LogisticRegression

from wslib.bench.core import record
from wslib.weaver import VerifierTable, Weaver, read_table
from wslib.weaver.dev import DevLogisticModel, answer_features
from wslib.weaver.metrics import baseline_scores, expected_accuracy
from wslib.weaver.normalize import center_per_problem, rank_normalize

__all__ = ["DEV_FRACTIONS", "SUITE", "real_records", "real_tables", "supervised_reference"]

SUITE = "real"
#: shares of problems labelled in the dev modes
DEV_FRACTIONS = (0.01, 0.05, 0.10)
_SUFFIXES = (".csv", ".parquet", ".jsonl")


def real_tables(folders: list[Path]) -> list[tuple[str, Path]]:
    """(name, path) of every verifier table under ``folders`` (searched recursively);
    the name is the file's stem, prefixed by its folder when two stems collide. Paths
    are resolved, so a file reached through two of the folders is listed once, and a
    file whose bytes equal an earlier one's (a copy of the shared table in ``--data``)
    is left out and named."""
    paths = sorted({p.resolve() for folder in folders for p in Path(folder).rglob("*")
                    if p.suffix.lower() in _SUFFIXES and p.is_file()})
    seen: dict[str, Path] = {}
    for path in list(paths):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            print(f"skipping {path}: the same bytes as {seen[digest]}")
            paths.remove(path)
        else:
            seen[digest] = path
    stems = [p.stem for p in paths]
    return [(f"{p.parent.name}/{p.stem}" if stems.count(p.stem) > 1 else p.stem, p)
            for p in paths]


def real_records(name: str, path: Path, dev_seeds: int) -> list[dict[str, Any]]:
    """Every record of the module docstring for one table (none without labels)."""
    table = read_table(path)
    if table.labels is None:
        print(f"skipping {name}: no correctness column")
        return []
    if not table.labelled.all():
        print(f"skipping {name}: {int((~table.labelled).sum())} problems have a candidate "
              "without a label, and every reference reads them all")
        return []
    y = table.labels.astype(np.float64)
    common = dict(suite=SUITE, n_problems=table.n_problems, n_rows=int(y.size),
                  n_verifiers=len(table.verifiers), share_correct=float(y.mean()),
                  has_answers=table.answers is not None)
    out = _reference_records(name, table, y, common)
    out.append(_label_free_record(name, table, y, common))
    X = _features(table)
    for fraction in DEV_FRACTIONS:
        for seed in range(dev_seeds):
            out += _dev_records(name, table, y, X, fraction, seed, common)
    return out


def _features(table: VerifierTable) -> np.ndarray:
    """Within-problem centred probit ranks (0 where missing), with answer features."""
    levels = ndtri(np.clip(rank_normalize(table.scores), 1e-4, 1 - 1e-4))
    X = np.nan_to_num(center_per_problem(levels, table.starts))
    if table.answers is None:
        return X
    return np.hstack([X, answer_features(X, table.answers, table.starts)])


def _accuracy(score: np.ndarray, y: np.ndarray, table: VerifierTable,
              problems: np.ndarray | None = None) -> float:
    per_problem = expected_accuracy(score, y, table.starts)
    return float(per_problem.mean() if problems is None else per_problem[problems].mean())


def _reference_records(name, table, y, common) -> list[dict[str, Any]]:
    base = baseline_scores(table)
    single = expected_accuracy(base["single"], y, table.starts).mean(axis=0)
    best = int(np.argmax(single))
    values = {"random": (_accuracy(base["random"], y, table), False),
              "naive-rank-mean": (_accuracy(base["naive_mean"], y, table), False),
              "best-single-gold": (float(single[best]), True),
              "oracle": (float(np.maximum.reduceat(y, table.starts[:-1]).mean()), True)}
    if base["majority_vote"] is not None:
        values["majority-answer"] = (_accuracy(base["majority_vote"], y, table), False)
    X = _features(table)
    n_verifiers = len(table.verifiers)
    values["lr-cv"] = (_cross_validated(X[:, :n_verifiers], y, table), True)
    values["supervised"] = (supervised_reference(table, X), True)
    out = []
    for method, (value, gold) in values.items():
        extra = {"best_single_name": table.verifiers[best]} if method == "best-single-gold" \
            else {}
        out.append(record(name, f"reference/{method}", "selection_accuracy", value, None,
                          reads_gold=gold, **extra, **common))
    return out


def supervised_reference(table: VerifierTable, X: np.ndarray | None = None) -> float:
    """Selection accuracy of the supervised reference (module docstring) on ``table``
    (``X``: its features when already computed): for each of 5 folds of problems, a
    logistic regression on the other 80 % whose penalty an inner 3-fold
    cross-validation over those problems chooses
    (:class:`~wslib.weaver.dev.DevLogisticModel` without a prior)."""
    X = _features(table) if X is None else X
    y = table.labels.astype(np.float64)
    fold = np.random.default_rng(0).permutation(table.n_problems) % 5
    score = np.zeros(y.size)
    for k in range(5):
        train = fold != k
        rows = train[table.problem]
        starts = np.r_[0, np.cumsum(table.sizes[train])]
        model = DevLogisticModel(n_folds=3, n_repeats=1).fit(X[rows], y[rows], starts)
        score[~rows] = model.decision_function(X[~rows])
    return _accuracy(score, y, table)


def _cross_validated(X, y, table, n_folds: int = 5) -> float:
    """Out-of-fold selection accuracy of scikit-learn's default logistic regression,
    folds over problems."""
    fold = np.random.default_rng(0).permutation(table.n_problems) % n_folds
    row_fold = fold[table.problem]
    score = np.zeros(y.size)
    for k in range(n_folds):
        train = row_fold != k
        model = LogisticRegression(max_iter=2000).fit(X[train], y[train])
        score[~train] = model.decision_function(X[~train])
    return _accuracy(score, y, table)


def _label_free_record(name, table, y, common) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropped verifiers are counted in the record
        start, cpu = time.perf_counter(), time.process_time()
        weaver = Weaver().fit(table)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    status = weaver.report_.get("status")
    counts = {} if status is None else {
        "n_flipped": int((status == "inverted (flipped)").sum()),
        "n_no_skill": int((status == "no evidence of skill").sum()),
        "n_families": int(weaver.report_["family"].nunique())}
    return record(name, "weaver/label-free", "selection_accuracy",
                  _accuracy(weaver.selection_score(table), y, table), seconds,
                  fit_seconds=seconds, fit_cpu_seconds=cpu_seconds, reads_gold=False,
                  class_balance=weaver.class_balance_, aggregate=weaver.aggregate_,
                  n_dropped=len(weaver.dropped_), **counts, **common)


def _best_single_dev(name, table, y, dev, label, extra) -> dict[str, Any]:
    """``reference/best-single-dev-*``: the verifier with the best accuracy on the dev
    problems (only their labels are read), scored on the others. Verifiers tied on the dev
    set (a few dev problems often tie several) are averaged: the expected accuracy of a
    uniform pick among them, so the value does not depend on the order of the columns."""
    per_verifier = expected_accuracy(table.scores, y, table.starts)
    on_dev = per_verifier[dev].mean(axis=0)
    tied = np.flatnonzero(on_dev >= on_dev.max() - 1e-9)  # equal means, rounding aside
    return record(name, f"reference/best-single-dev-{label}", "selection_accuracy",
                  float(per_verifier[~dev][:, tied].mean()), None,
                  verifier=" | ".join(table.verifiers[j] for j in tied), n_tied=int(tied.size),
                  **extra)


def _dev_records(name, table, y, X, fraction, seed, common) -> list[dict[str, Any]]:
    """Weaver with ``fraction`` of the problems labelled, and the references that read
    the same dev labels; all scored on the problems outside the dev set."""
    n = table.n_problems
    dev = np.zeros(n, dtype=bool)
    dev[np.random.default_rng(seed).choice(n, max(2, int(round(fraction * n))),
                                           replace=False)] = True
    held = ~dev
    label = f"{round(fraction * 100)}pct"
    extra = dict(seed=seed, dev_fraction=fraction, n_dev=int(dev.sum()),
                 n_scored=int(held.sum()), reads_gold=False, **common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dev-set notes: the record keeps what was chosen
        start, cpu = time.perf_counter(), time.process_time()
        weaver = Weaver(random_state=seed).fit(table, dev=table.problem_ids[dev])
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    chosen = {"selector": weaver.selector_}
    if weaver.dev_model_ is not None:
        chosen.update(alpha=weaver.dev_model_.alpha_, prior=weaver.dev_model_.prior_)
    out = [record(name, f"weaver/dev-{label}", "selection_accuracy",
                  _accuracy(weaver.selection_score(table), y, table, held), seconds,
                  fit_seconds=seconds, fit_cpu_seconds=cpu_seconds, **chosen, **extra)]
    out.append(_best_single_dev(name, table, y, dev, label, extra))
    rows = dev[table.problem]
    n_verifiers = len(table.verifiers)
    value = None
    if np.unique(y[rows]).size == 2:
        model = LogisticRegression(max_iter=2000).fit(X[rows, :n_verifiers], y[rows])
        value = _accuracy(model.decision_function(X[:, :n_verifiers]), y, table, held)
    out.append(record(name, f"reference/lr-dev-{label}", "selection_accuracy", value, None,
                      **extra))
    return out
