"""``wslib bench labelmodel``: every label model x every dataset x peers.

For each dataset and method (and seed) one record: the WRENCH metric of the
hard labels (``value``; ties broken at random with the seed), ``coverage`` (the
share of evaluation items with at least one vote), ``accuracy``, ``log_loss``,
``brier`` and ``ece`` of the soft labels, a reliability curve, ``fit_seconds``,
``predict_seconds`` (``seconds`` is their sum, ``cpu_seconds`` the CPU time of
both over all threads; each method first gets an untimed warm-up run on a few
rows, so imports and numba compilation are not timed), ``peak_mem_mb`` (the
peak memory of fit + predict_proba, including the soft labels they return,
``returned_mb``; how it was measured is in ``memory``, see
:func:`wslib.bench.core.measure`) and ``prepare_seconds`` (the conversion of
``L`` a peer needs, timed apart). Which rows were fitted and scored is in
``fit_split`` / ``eval_split`` (protocol: :mod:`wslib.bench.data`).
``LabelModel`` records also say which estimator it picked (``posterior``,
``n_identified``, ``multipolar_share``). A skipped or failed method gives a
record with ``status`` ``skipped`` / ``error`` and the reason in ``note``; it
never stops the run.

Datasets: every WRENCH-layout folder under ``--data`` (repeatable); by default
the shared WRENCH folder and ``benchmarks/data`` (``python
benchmarks/get_data.py``), those present. Real datasets also get the dev-label
methods ``LabelModel+dev100`` and ``reference.logreg-dev100``
(:mod:`wslib.bench.peers`), and the bar of :mod:`wslib.bench.labelmodel_bar`
is read from them.

Synthetic datasets also get a ``numpy.pass`` record: the seconds of one numpy
pass over ``L`` (``(L >= 0).sum(axis=0)``), the yardstick of the speed table.
Real datasets whose fit rows all have gold (WRENCH train splits) give every method
a ``fit_value`` too, its metric on the rows it was fitted on (the gold is read
only to score), and a ``reference.fit-gold-patterns`` record: each vote pattern
labelled by the majority gold class of the fit rows that show it
(:func:`pattern_ceiling_proba`), the best any function of the votes can do on
the fit split and a yardstick for how far the evaluation split has shifted.

Example (the full table of docs/benchmarks.md)::

    wslib bench labelmodel --speed --seeds 3 --rule-votes sms \\
        --json benchmarks/results/labelmodel.json --out results/
"""

from __future__ import annotations

import argparse
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from wslib.bench.core import MEMORY_METHODS, BenchmarkError, NamesAction, measure, record, select
from wslib.bench.data import BenchData, DatasetSpec, resolve_datasets
from wslib.bench.labelmodel_bar import bar_checks, bar_table, dev_table, estimator_cell
from wslib.bench.peers import DEV_ITEMS, Method, all_methods, method_groups
from wslib.bench.report import cell, format_table, group_records, progress, summarize, fmt
from wslib.kernels import row_coverage
from wslib.kernels.jit import jit_threshold
from wslib.labelmodel import MajorityVote
from wslib.labelmodel.base import TIE_BREAKS, break_ties
from wslib.matrix import VoteMatrix, to_dense
from wslib.metrics import reliability_curve, score_predictions, score_proba

HELP = ("label models (wslib and peers: Snorkel, crowd-kit, HyperLM, FlyingSquid) on WRENCH-"
        "layout and synthetic votes: WRENCH metric, coverage, log-loss, Brier, seconds, peak "
        "memory")
#: ``--data`` may be given several times (``wslib.bench.cli``)
MANY_DATA = True

#: the synthetic sets of the speed table (``--speed``), and their ``--quick`` stand-ins
SPEED_SETS = ("n=1000000,m=100,k=2", "n=1000000,m=100,k=5")
QUICK_SPEED_SETS = ("n=3000,m=12,k=2", "n=3000,m=12,k=5")
#: the method the speed table is about, and the peer it is compared with
SPEED_METHOD = "LabelModel"
SPEED_PEER = "snorkel.LabelModel-100ep"
SNORKEL_LABEL_MODELS = (SPEED_PEER, "snorkel.LabelModel-500ep")
BASELINE = "numpy.pass"
#: the reference record of real datasets: the fit split's best vote-pattern classifier
REFERENCE = "reference.fit-gold-patterns"
#: the methods of the fit-split check table, beside the reference
SPLIT_METHODS = (SPEED_METHOD, "MajorityVote", *SNORKEL_LABEL_MODELS)
RELIABILITY_BINS = 10
#: rows of the untimed warm-up run each method gets before its first timed run
WARMUP_ROWS = 200

__all__ = ["HELP", "MANY_DATA", "DOC_BLOCKS", "add_arguments", "run", "render_markdown",
           "render_block", "terminal_table", "plot", "run_method", "pattern_ceiling_proba",
           "SPEED_SETS"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--methods", nargs="+", action=NamesAction, default=None, metavar="A,B",
                        help="methods or groups (wslib, snorkel, crowdkit, flyingsquid, peers) "
                             "to run; default all (see --list)")
    parser.add_argument("--datasets", nargs="+", action=NamesAction, default=None, metavar="A,B",
                        help="dataset names or groups (wrench, synthetic); default all")
    parser.add_argument("--synthetic", action="append", default=[], metavar="SPEC",
                        help="add a synthetic dataset, e.g. 'n=100000,m=50,k=3,accuracy=0.55:0.9,"
                             "coverage=0.05:0.5,balance=0.6:0.3:0.1,unipolar=10,correlated=5,"
                             "seed=0' (repeatable)")
    parser.add_argument("--speed", action="store_true",
                        help=f"add the speed-table sets {' and '.join(SPEED_SETS)} "
                             "(tiny stand-ins with --quick)")
    parser.add_argument("--rule-votes", nargs="+", action=NamesAction, default=[], metavar="A,B",
                        help="also run each named WRENCH dataset as <name>-rules, its votes "
                             "re-applied from the regex rules in its readme (checked against "
                             "train); e.g. sms, whose shipped valid/test votes belong to other "
                             "messages")
    parser.add_argument("--no-wrench", action="store_true",
                        help="skip the WRENCH datasets (run only --synthetic / --speed sets)")
    parser.add_argument("--memory", choices=MEMORY_METHODS, default="rss",
                        help="peak-memory measurement: peak RSS above the start, free pages "
                             "handed back first (default; all allocators; exact on Linux), "
                             "tracemalloc (Python+numpy only), off")
    parser.add_argument("--peer-max-votes", type=int, default=20_000_000, metavar="N",
                        help="skip crowd-kit peers above N non-abstain votes (GLAD/MACE above "
                             "N/10); 0 = no cap")
    parser.add_argument("--tie-break", choices=TIE_BREAKS, default="random",
                        help="how hard labels break ties in the soft labels (all methods alike)")
    parser.add_argument("--list", action="store_true",
                        help="list the methods and datasets, run nothing")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


class _Task(NamedTuple):
    spec: DatasetSpec
    method: Method | None  # None: the numpy-pass baseline
    seed: int

    def __str__(self) -> str:
        return f"{self.spec.name} / {self.method.name if self.method else BASELINE} / {self.seed}"


def _stack(a, b):
    return sp.vstack([a, b], format="csr") if sp.issparse(a) else np.vstack([a, b])


def _n_votes(L) -> int:
    return int(L.nnz) if sp.issparse(L) else int(np.count_nonzero(L >= 0))


def _reliability(proba: np.ndarray, correct: np.ndarray) -> tuple[list[list[float]], float]:
    """Reliability curve of the top-class confidence in equal-width bins, and the ECE."""
    mean_conf, mean_hit, count, ece = reliability_curve(proba.max(axis=1), correct,
                                                        RELIABILITY_BINS)
    curve = [[float(c), float(h), int(n)] for c, h, n in zip(mean_conf, mean_hit, count)]
    return curve, ece


def _hard_labels(data: BenchData, y: np.ndarray, proba: np.ndarray, seed: int,
                 tie_break: str) -> tuple[np.ndarray, float]:
    """The hard labels of ``proba`` (ties broken with the seed) and their WRENCH metric."""
    pred = break_ties(proba, tie_break, np.random.default_rng(seed))
    return pred, score_predictions(y, pred, metric=data.metric, cardinality=data.cardinality)


def _scores(data: BenchData, proba: np.ndarray, seed: int, tie_break: str) -> dict[str, Any]:
    y = data.y_eval
    pred, value = _hard_labels(data, y, proba, seed, tie_break)
    curve, ece = _reliability(proba, pred == y)
    return {"value": value,
            "accuracy": score_predictions(y, pred, metric="accuracy"),
            "log_loss": score_proba(y, proba, metric="log_loss"),
            "brier": score_proba(y, proba, metric="brier"),
            "ece": ece, "reliability": curve,
            "coverage": float(np.mean(row_coverage(data.L_eval) > 0))}


def _check_proba(proba, n: int, k: int) -> str | None:
    proba = np.asarray(proba)
    if proba.shape != (n, k):
        return f"soft labels have shape {proba.shape}, expected {(n, k)}"
    for problem, bad in (("non-finite soft labels", ~np.all(np.isfinite(proba), axis=1)),
                         ("soft labels not summing to 1",
                          ~(np.abs(proba.sum(axis=1) - 1.0) <= 1e-4))):
        if bad.any():
            return f"{problem} in {int(bad.sum())} of {n} rows (e.g. row {int(np.argmax(bad))})"
    return None


def _fields(data: BenchData, seed: int, library: str, fit_split: str, n_fit: int,
            memory: str | None) -> dict[str, Any]:
    """The fields every record of ``data`` carries beside its method, metric and value."""
    return {"seed": seed, "library": library, "status": "ok", "note": None,
            "fit_split": fit_split, "eval_split": data.eval_split, "n_fit": n_fit,
            "n_eval": 0 if data.L_eval is None else int(data.L_eval.shape[0]),
            "n_sources": data.n_sources, "cardinality": data.cardinality, "memory": memory,
            "L_bytes": data.info.get("L_bytes"), "source": data.source,
            "rule_agreement": data.info.get("rule_agreement")}


def _prepared(method: Method, *matrices: VoteMatrix | None) -> tuple[list[Any], float, float]:
    """``method.prepare`` of each matrix (``None`` stays ``None``), its seconds, and the
    MiB of the prepared inputs: the conversion a method needs, kept out of its timings."""
    start = time.perf_counter()
    out = [None if L is None else method.prepare(L) for L in matrices]
    seconds = time.perf_counter() - start
    return out, seconds, sum(map(_nbytes, out)) / 2**20


def _nbytes(X: Any) -> int:
    """Bytes of a prepared input: an array, a sparse matrix, a frame, or a tuple of them."""
    if X is None:
        return 0
    if isinstance(X, tuple):
        return sum(map(_nbytes, X))
    if sp.issparse(X):
        return int(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes)
    if hasattr(X, "memory_usage"):
        return int(X.memory_usage(deep=True).sum())
    return int(np.asarray(X).nbytes)


def run_method(data: BenchData, method: Method, seed: int = 0, memory: str = "rss",
               tie_break: str = "random") -> dict[str, Any]:
    """Fit and score one method on one dataset; always returns a record, never raises
    for a failing method (``status="error"`` with the exception in ``note``).

    The method's ``prepare`` conversion runs first, apart (``prepare_seconds``,
    ``prepared_mb``); then fit and predict_proba are timed and their peak memory,
    with the soft labels they return, is measured (``peak_mem_mb``, beside
    ``returned_mb``). A dev-label method gets :meth:`BenchData.dev_sample`; when the
    dev items come from the evaluation rows it is scored on the others, and its
    record carries ``MajorityVote``'s metric on the same rows (``mv_value``)."""
    dev = data.dev_sample(method.n_dev, seed) if method.n_dev else None
    if dev is not None and dev.keep is not None:
        data = data.without(dev.keep)
    transductive = method.transductive and not data.same_rows
    L_fit = _stack(data.L_fit, data.L_eval) if transductive and data.L_eval is not None \
        else data.L_fit
    fit_split = data.fit_split
    if transductive and data.L_eval is not None:
        fit_split = f"{data.fit_split}+{data.eval_split} (transductive)"
    extra = _fields(data, seed, method.library, fit_split, int(L_fit.shape[0]), memory)
    n_eval = extra["n_eval"]
    reason = method.skip_reason(data.cardinality, _n_votes(L_fit))
    if reason is None and method.n_dev and dev is None:
        reason = "skipped: no gold labels to draw dev items from"
    if reason is not None:
        extra.update(status="skipped", note=reason, optional=method.optional)
        return record(data.name, method.name, data.metric, None, None, **extra)
    if dev is not None:
        extra.update(n_dev=int(len(dev.y)), dev_split=dev.split)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            (X_fit, X_eval), prepare_seconds, prepared_mb = _prepared(
                method, L_fit, None if transductive or data.same_rows else data.L_eval)
            X_eval = X_fit if data.same_rows else X_eval
            dev_args = () if dev is None else (dev.L, dev.y)
            with measure(memory) as mem:
                start = time.perf_counter()
                adapter = method.make(data.cardinality, seed).fit(X_fit, *dev_args)
                fitted = time.perf_counter()
                full = None
                if data.L_eval is not None:
                    full = adapter.predict_proba(X_fit if transductive else X_eval)
                done = time.perf_counter()
            proba = None if full is None else np.asarray(full, dtype=np.float64)[-n_eval:]
        except Exception as exc:  # noqa: BLE001 - a failing method is a result, not a crash
            extra.update(status="error", note=f"error: {type(exc).__name__}: {exc}"[:300])
            return record(data.name, method.name, data.metric, None, None, **extra)
    extra.update(fit_seconds=fitted - start, predict_seconds=done - fitted,
                 cpu_seconds=mem.cpu_seconds, peak_mem_mb=mem.peak_mb, memory=mem.memory,
                 returned_mb=None if full is None else np.asarray(full).nbytes / 2**20,
                 prepare_seconds=prepare_seconds, prepared_mb=prepared_mb,
                 warnings=sorted({f"{w.category.__name__}: {str(w.message)[:160]}"
                                  for w in caught})[:5],
                 **getattr(adapter, "decision", dict)())
    value = None
    if proba is None or data.y_eval is None:
        extra.update(status="unscored", note="no gold labels: fitted only")
    elif (problem := _check_proba(proba, n_eval, data.cardinality)) is not None:
        extra.update(status="error", note=f"error: {problem}")
    else:
        scores = _scores(data, proba, seed, tie_break)
        value = scores.pop("value")
        extra.update(scores)
        if data.scores_fit_split:  # untimed: the fit-split check
            n_fit = int(data.L_fit.shape[0])
            fit_proba = (np.asarray(full)[:n_fit] if transductive
                         else adapter.predict_proba(X_fit))
            extra["fit_value"] = _hard_labels(data, data.y_fit, np.asarray(fit_proba, np.float64),
                                              seed, tie_break)[1]
        if dev is not None:  # untimed: majority vote on the rows this method is scored on
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # its coverage note is the dataset's, seen
                mv = MajorityVote(cardinality=data.cardinality).fit(data.L_fit)
                mv_proba = mv.predict_proba(data.L_eval)
            extra["mv_value"] = _hard_labels(data, data.y_eval, mv_proba, seed, tie_break)[1]
    return record(data.name, method.name, data.metric, value, done - start, **extra)


def pattern_ceiling_proba(L_fit: np.ndarray, y_fit: np.ndarray, L: np.ndarray,
                          k: int) -> np.ndarray:
    """Soft labels of the best classifier of vote patterns for the fit rows' distribution.

    Each distinct row of votes gets the gold class shares of the fit rows that
    show it; a row of ``L`` whose pattern never occurs in ``L_fit`` gets the fit
    rows' class shares. It reads the fit split's gold, so it is a reference,
    not a label model: no hard labelling of the votes is more accurate on the fit
    rows than its arg-max, and a label model that beats it on another split does
    so by labelling the fit split worse (or on patterns the fit rows never show).

    >>> import numpy as np
    >>> L_fit = np.array([[0, -1], [0, -1], [0, -1], [-1, 1]])
    >>> pattern_ceiling_proba(L_fit, np.array([0, 0, 1, 1]), np.array([[0, -1], [1, 1]]), 2)
    array([[0.66666667, 0.33333333],
           [0.5       , 0.5       ]])
    """
    L_fit, L = np.asarray(L_fit), np.asarray(L)
    _, inverse = np.unique(np.vstack([L_fit, L]), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    n_fit, n_patterns = L_fit.shape[0], int(inverse.max()) + 1
    counts = np.bincount(inverse[:n_fit] * k + np.asarray(y_fit, np.int64),
                         minlength=n_patterns * k).reshape(n_patterns, k).astype(np.float64)
    seen = counts.sum(axis=1)
    shares = np.bincount(np.asarray(y_fit, np.int64), minlength=k) / n_fit
    proba = np.where(seen[:, None] > 0, counts / np.maximum(seen, 1.0)[:, None], shares)
    return proba[inverse[n_fit:]]


def _pattern_ceiling(data: BenchData, seed: int, tie_break: str) -> dict[str, Any]:
    """The :data:`REFERENCE` record of a dataset whose fit rows have gold labels."""
    L_fit, L_eval = to_dense(data.L_fit), to_dense(data.L_eval)
    start = time.perf_counter()
    proba = pattern_ceiling_proba(L_fit, data.y_fit, L_eval, data.cardinality)
    seconds = time.perf_counter() - start
    fit_proba = pattern_ceiling_proba(L_fit, data.y_fit, L_fit, data.cardinality)
    scores = _scores(data, proba, seed, tie_break)
    value = scores.pop("value")
    fields = _fields(data, seed, "reference", data.fit_split, int(L_fit.shape[0]), None)
    fields["note"] = "reads the fit split's gold: the best vote-pattern classifier there"
    # on the fit rows any arg-max of the pattern shares is the best labelling: no coin flips
    return record(data.name, REFERENCE, data.metric, value, seconds, **fields, **scores,
                  fit_value=_hard_labels(data, data.y_fit, fit_proba, seed, "first")[1])


def _warm_up(data: BenchData, method: Method) -> None:
    """One untimed run on the first rows, so that one-time costs (imports, numba
    compilation or cache loading, torch start-up) stay out of every method's timings."""
    L_fit = data.L_fit[:WARMUP_ROWS]
    L_eval = L_fit if data.same_rows else (
        None if data.L_eval is None else data.L_eval[:WARMUP_ROWS])
    y_eval = None if data.y_eval is None else data.y_eval[:WARMUP_ROWS]
    for size in (0, None):  # the compiled kernels (large inputs), then the NumPy path
        with jit_threshold(size):
            run_method(replace(data, L_fit=L_fit, L_eval=L_eval, y_eval=y_eval, y_fit=None),
                       method, memory="off")


def _numpy_pass(data: BenchData, seed: int) -> dict[str, Any]:
    L = data.L_fit
    start = time.perf_counter()
    (L >= 0).sum(axis=0)
    seconds = time.perf_counter() - start
    return record(data.name, BASELINE, "seconds", seconds, seconds, seed=seed,
                  library="baseline", status="ok", note="(L >= 0).sum(axis=0)",
                  n_fit=int(L.shape[0]), n_sources=data.n_sources,
                  cardinality=data.cardinality, L_bytes=data.info.get("L_bytes"),
                  source=data.source)


def _plan(args: argparse.Namespace) -> tuple[list[DatasetSpec], list[Method]]:
    max_votes = args.peer_max_votes or None
    methods = all_methods(max_votes)
    chosen = select(args.methods, [m.name for m in methods], "method", method_groups(methods))
    synthetic = list(args.synthetic)
    if args.speed:
        synthetic += QUICK_SPEED_SETS if args.quick else SPEED_SETS
    if args.quick and not args.speed and not args.synthetic and args.no_wrench:
        synthetic = list(QUICK_SPEED_SETS)
    specs = resolve_datasets(args.data, synthetic, args.datasets,
                             include_wrench=not args.no_wrench, revote=args.rule_votes)
    if not specs:
        raise BenchmarkError("no datasets to run: drop --no-wrench or add --synthetic/--speed")
    return specs, [m for m in methods if m.name in chosen]


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run the benchmark the options describe; returns the records."""
    specs, methods = _plan(args)
    if args.list:
        print("methods:", ", ".join(m.name for m in methods))
        print("datasets:", ", ".join(s.name for s in specs))
        return []
    seeds = range(max(1, args.seeds))
    tasks = [_Task(spec, method, seed) for spec in specs
             for method in [None, *methods] for seed in seeds
             if not (method and method.n_dev and spec.source == "synthetic")]
    records: list[dict[str, Any]] = []
    loaded: tuple[str, BenchData] | None = None
    warm: set[tuple[str, str]] = set()
    for task in progress(tasks, "labelmodel", enabled=not args.no_progress):
        if loaded is None or loaded[0] != task.spec.name:
            loaded = None  # free the previous dataset before generating the next
            loaded = (task.spec.name, task.spec.load())
        data = loaded[1]
        if task.method is None:  # synthetic: the numpy pass; gold fit rows: the reference
            if task.spec.source == "synthetic":
                records.append(_numpy_pass(data, task.seed))
            elif data.scores_fit_split:
                records.append(_pattern_ceiling(data, task.seed, args.tie_break))
        else:
            if (task.method.name, task.spec.name) not in warm:  # code paths vary by dataset
                _warm_up(data, task.method)
                warm.add((task.method.name, task.spec.name))
            records.append(run_method(data, task.method, task.seed, args.memory,
                                      args.tie_break))
    return records


# ------------------------------------------------------------------------------ tables
def _methods_in(records: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(r["method"] for r in records
                              if r["method"] not in (BASELINE, REFERENCE)))


def _metric_table(records: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Methods x datasets of the WRENCH metric (median over seeds), with the average."""
    datasets = list(dict.fromkeys(r["dataset"] for r in records))
    groups = group_records(records, "method", "dataset")
    metric_of = {r["dataset"]: r["metric"] for r in records}
    header = ["method"] + [f"{d} ({metric_of[d]})" for d in datasets] + ["average"]
    rows = []
    for method in _methods_in(records):
        row, medians = [method], []
        for dataset in datasets:
            group = groups.get((method, dataset), [])
            row.append(cell(group) if group else "")
            stats = summarize(r["value"] for r in group if r.get("status") == "ok")
            medians.append(None if stats is None else stats[0])
        row.append(fmt(float(np.mean(medians))) if all(v is not None for v in medians) else "-")
        rows.append(row)
    return header, rows


def _detail_table(records: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    header = ["method", "metric", "coverage", "log-loss", "Brier", "ECE", "fit s", "predict s",
              "peak MiB", "returned MiB", "prepare s", "fit on", "estimator"]
    rows = []
    for (method,), group in group_records(records, "method").items():
        ok = [r for r in group if r.get("status") == "ok"]
        if not ok:
            rows.append([method, cell(group)] + [""] * (len(header) - 2))
            continue
        fit_on = ok[0].get("fit_split", "")
        if ok[0].get("n_dev"):
            fit_on += f"; {ok[0]['n_dev']} dev items from {ok[0]['dev_split']}"
        rows.append([method, cell(group), cell(ok, "coverage"), cell(ok, "log_loss"),
                     cell(ok, "brier"), cell(ok, "ece"), cell(ok, "fit_seconds", 2),
                     cell(ok, "predict_seconds", 2), cell(ok, "peak_mem_mb", 1),
                     cell(ok, "returned_mb", 1), cell(ok, "prepare_seconds", 2), fit_on,
                     estimator_cell(ok[0])])
    return header, rows


def _median(records: list[dict[str, Any]], field: str) -> float | None:
    stats = summarize(r.get(field) for r in records if r.get("status") == "ok")
    return None if stats is None else stats[0]


def _speed_table(records: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """The speed table: LabelModel vs Snorkel 100 epochs and one numpy pass."""
    header = ["dataset", f"{SPEED_METHOD} fit+predict s", f"{SPEED_PEER} s", "speed-up",
              "numpy pass s", f"{SPEED_METHOD} / numpy pass", f"{SPEED_METHOD} peak MiB",
              "returned MiB", "memory / L.nbytes", f"{SPEED_METHOD} acc", "Snorkel acc"]
    rows = []
    for (dataset,), group in group_records(records, "dataset").items():
        by = group_records(group, "method")
        base = by.get((BASELINE,), [])
        if not base:
            continue
        ours, peer = by.get((SPEED_METHOD,), []), by.get((SPEED_PEER,), [])
        t_ours, t_peer = _median(ours, "seconds"), _median(peer, "seconds")
        t_base, mem = _median(base, "seconds"), _median(ours, "peak_mem_mb")
        l_bytes = base[0].get("L_bytes")

        def ratio(a, b, unit="x"):
            return "-" if a is None or b is None or b <= 0 else f"{a / b:.1f}{unit}"

        rows.append([dataset, fmt(t_ours, 2), fmt(t_peer, 2) if peer else "not run",
                     ratio(t_peer, t_ours), fmt(t_base, 3), ratio(t_ours, t_base),
                     fmt(mem, 0), fmt(_median(ours, "returned_mb"), 0),
                     ratio(None if mem is None else mem * 2**20, l_bytes),
                     cell(ours) if ours else "-", cell(peer) if peer else "-"])
    return header, rows


def _split_table(records: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """The fit-split check: each method's metric on the split it was fitted on (against
    that split's gold, never read to fit) beside its metric on the evaluation split, and
    :data:`REFERENCE`, the best any function of the votes can do on the fit split."""
    methods = [REFERENCE, *SPLIT_METHODS]
    header = ["dataset", "split", "fit-gold patterns", *methods[1:]]
    rows = []
    for (dataset,), group in group_records(records, "dataset").items():
        by = group_records(group, "method")
        if (REFERENCE,) not in by:
            continue
        for field, split, role in (("fit_value", "fit_split", "fit"),
                                   ("value", "eval_split", "eval")):
            rows.append([dataset, f"{by[(REFERENCE,)][0][split]} ({role})"]
                        + [cell(by[(m,)], field) if (m,) in by else "-" for m in methods])
    return header, rows


def _notes(records: list[dict[str, Any]]) -> list[str]:
    seen = {}
    for rec in records:
        if rec.get("status") in ("skipped", "error"):
            seen.setdefault((rec["method"], rec["note"]), []).append(rec["dataset"])
    return [f"{method} on {', '.join(dict.fromkeys(ds))}: {note}"
            for (method, note), ds in seen.items()]


def _vote_audit(records: list[dict[str, Any]]) -> list[str]:
    """A note per dataset whose shipped evaluation votes disagree with the readme rules
    that reproduce its fit votes (:func:`wslib.datasets.wrench.rule_agreement`)."""
    notes = {}
    for rec in records:
        agree, split = rec.get("rule_agreement"), rec.get("eval_split")
        if agree and split in agree and agree[split] < 0.99:
            fit = rec.get("fit_split", "train")
            notes[rec["dataset"]] = (
                f"{rec['dataset']}: the rules its readme lists reproduce the {fit} votes, but "
                f"only {agree[split]:.0%} of the {split} rows as shipped (votes of other items, "
                f"or texts changed after voting); --rule-votes {rec['dataset']} also runs it "
                "with the votes re-applied to the texts as shipped")
    return list(notes.values())


def _sections(records: list[dict[str, Any]], markdown: bool) -> list[str]:
    real = [r for r in records if r.get("source") != "synthetic"]
    synthetic = [r for r in records if r.get("source") == "synthetic" and r["method"] != BASELINE]
    h = "### " if markdown else ""
    out = []
    if real:
        out += [f"{h}Label models on real data (WRENCH metric on the evaluation split; "
                "median over seeds, (min-max) when they differ)",
                format_table(*_metric_table(real), markdown=markdown)]
        for name in ("bar-checks", "bar", "dev"):
            header, rows = DOC_BLOCKS[name][1](real)
            if rows:
                out += [f"{h}{DOC_BLOCKS[name][0]}", format_table(header, rows, markdown)]
        header, rows = _split_table(real)
        if rows:
            out += [f"{h}Fit split against evaluation split: the WRENCH metric of each "
                    "method on the rows it was fitted on (their gold is read only to score) "
                    "and on the evaluation rows; no function of the votes beats "
                    "'fit-gold patterns' on the fit split",
                    format_table(header, rows, markdown)]
    if synthetic:
        out += [f"{h}Label models on synthetic data (accuracy, fitted and scored on all rows)",
                format_table(*_metric_table(synthetic), markdown=markdown)]
    header, rows = _speed_table(records)
    if rows:
        out += [f"{h}Speed: {SPEED_METHOD} fit + predict_proba against {SPEED_PEER} and one "
                "numpy pass over L (`(L >= 0).sum(axis=0)`)", format_table(header, rows, markdown)]
    return out


#: tables that other docs pages embed (``<!-- generated: labelmodel.NAME -->`` blocks,
#: filled by ``benchmarks/make_docs.py``): name -> (title, table function)
DOC_BLOCKS = {
    "bar-checks": ("The bar: LabelModel against majority vote and the peers, "
                   "LabelModel+dev100 against majority vote", bar_checks),
    "bar": ("LabelModel, the estimator it picked, majority vote and the best peer per set "
            "(peers: MajorityVote and every method of another library)", bar_table),
    "dev": (f"{DEV_ITEMS} gold dev items: LabelModel+dev{DEV_ITEMS} against majority vote on "
            "the rows it is scored on and a logistic regression on the same dev items "
            "(dev items come from valid, else the fit rows, else the evaluation rows, which "
            "are then left out of scoring)", dev_table),
    "speed": (f"{SPEED_METHOD} fit + predict_proba against {SPEED_PEER} and one numpy pass",
              _speed_table),
}


def render_block(records: list[dict[str, Any]], name: str) -> str:
    """One of :data:`DOC_BLOCKS` as a Markdown table (with its title as a caption)."""
    if name not in DOC_BLOCKS:
        raise BenchmarkError(f"no labelmodel docs block {name!r}; there are {list(DOC_BLOCKS)}")
    title, table = DOC_BLOCKS[name]
    return f"{title}.\n\n{format_table(*table(records), markdown=True)}\n"


def terminal_table(records: list[dict[str, Any]]) -> str:
    """What ``wslib bench labelmodel`` prints: the metric table(s), the speed table, notes."""
    notes = _notes(records) + _vote_audit(records)
    return "\n\n".join(_sections(records, markdown=False)
                       + (["notes:\n" + "\n".join(f"  - {n}" for n in notes)] if notes else []))


def render_markdown(records: list[dict[str, Any]]) -> str:
    """This benchmark's section of docs/benchmarks.md: the summary tables, a detail table
    per dataset (coverage, log-loss, Brier, ECE, seconds, memory), skipped/failed runs."""
    parts = _sections(records, markdown=True)
    memory = {r["memory"] for r in records if r.get("status") == "ok" and r.get("memory")}
    for (dataset,), group in group_records(
            [r for r in records if r["method"] != BASELINE], "dataset").items():
        parts += [f"#### {dataset}",
                  format_table(*_detail_table(group), markdown=True)]
    parts.append(_memory_note(memory) + " 'prepare s' is the conversion a peer needs "
                 "(Snorkel's dense int64 matrix, crowd-kit's long table), timed apart; ECE is "
                 "the expected calibration error of the top-class probability "
                 f"({RELIABILITY_BINS} bins).")
    for title, notes in (("Skipped or failed runs", _notes(records)),
                         ("Data checks", _vote_audit(records))):
        if notes:
            parts.append(f"{title}:\n\n" + "\n".join(f"- {n}" for n in notes))
    return "\n\n".join(parts) + "\n"


def _memory_note(methods: set[str]) -> str:
    known = {"peak-rss": "the peak resident memory of fit + predict_proba above the value "
                         "before them, free allocator pages handed back first (the kernel's "
                         "high-water mark, all allocators), including the soft labels they "
                         "return ('returned MiB')",
             "sampled-rss": "the RSS sampled every 2 ms above the value before fit (a lower "
                            "bound)",
             "tracemalloc": "tracemalloc's peak (Python and numpy allocations only)",
             "rss": "the sampled RSS above the value before fit (a lower bound: freed memory "
                    "the call reused did not count)"}
    return "Peak memory is " + "; ".join(known.get(m, m) for m in sorted(methods)) + "."


def plot(records: list[dict[str, Any]], out_dir: Path) -> list[Path]:
    """Accuracy-vs-time and reliability plots of the records, as PNGs in ``out_dir``."""
    from wslib.bench.plots import reliability_curves, value_vs_seconds

    scored = [r for r in records
              if r.get("status") == "ok" and r["method"] not in (BASELINE, REFERENCE)]
    if not scored:
        return []
    out_dir = Path(out_dir)
    return [value_vs_seconds(scored, out_dir / "labelmodel-metric-vs-time.png"),
            reliability_curves(scored, out_dir / "labelmodel-calibration.png")]
