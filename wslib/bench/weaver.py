"""``wslib bench weaver``: best-of-N selection on simulated (or your) verifier tables.

For each table and seed one record per method with the selection accuracy
(``value``, the share of problems whose selected candidate is correct):
Weaver label-free (continuous scores weighted through the answer groups, the
default), the same without the answer column (``weaver-no-answers``), Weaver
label-free on binary votes, Weaver with answer pooling, Weaver faithful (the
published pipeline, which reads the class balance from gold), and the
baselines naive mean, majority vote, best single verifier (chosen with gold),
Pass@1 and oracle Pass@N. Weaver records carry ``seconds`` (fit + select),
``fit_seconds``, ``fit_cpu_seconds`` (CPU time of this process: on a shared
machine wall time also counts other jobs), ``gap_closed`` and the estimated
``class_balance``; every record carries the table's verifier statistics
(:func:`wslib.weaver.metrics.verifier_statistics`, with the true share of
correct candidates as ``sample_accuracy``).
A supervised ceiling, a logistic regression on Weaver's candidate features
trained with gold on half of the problems and scored on the other half, shows
what a gold-weighted linear combination of the verifiers reaches.

Tables: the simulator grid of :data:`GRID` (``--quick``: one tiny table), or with
``--data DIR`` every ``*.parquet`` / ``*.csv`` / ``*.jsonl`` verifier table in
``DIR`` (long layout with ``problem_id``, ``candidate_id``, a correctness column
and numeric verifier columns, or Weaver's published one-row-per-problem layout);
tables without a correctness column are skipped.

Example (the table of docs/benchmarks.md, a few minutes)::

    wslib bench weaver --seeds 3 --json benchmarks/results/weaver.json
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from wslib.bench.core import record
from wslib.bench.report import cell, format_table, group_records
from wslib.datasets.synthetic import make_verifier_table
from wslib.datasets.synthetic.verifiers import REGIMES
from wslib.weaver import VerifierTable, Weaver, read_table, selection_metrics
from wslib.weaver.metrics import gap_closed, verifier_statistics
from wslib.weaver.select import segment_argmax

HELP = ("Weaver best-of-N selection on simulated verifier tables (or --data DIR of tables): "
        "selection accuracy vs naive mean, majority vote, best single verifier, oracle")

#: table sizes of the bar (500 problems x 16-100 candidates x 20-40 verifiers)
SIZES: dict[str, dict[str, Any]] = {
    "P500 N16 M20": dict(n_problems=500, n_candidates=16, n_verifiers=20),
    "P500 N16-64 M30": dict(n_problems=500, n_candidates=(16, 64), n_verifiers=30),
    "P500 N100 M40": dict(n_problems=500, n_candidates=100, n_verifiers=40),
}
#: simulator regimes calibrated on the Weaver paper's baselines (the bar's rows)
CALIBRATED = ("math500-70b", "gpqa-diamond-70b")
#: harder than the paper: strong shared fooling (reported apart from the bar)
STRESS = ("stress-shared-fooling",)
#: table name -> simulator arguments: every regime at every size
GRID: dict[str, dict[str, Any]] = {f"{regime} {size}": dict(**REGIMES[regime], **params)
                                   for regime in CALIBRATED + STRESS
                                   for size, params in SIZES.items()}
QUICK_GRID = {"sim P60 N8 M8": dict(n_problems=60, n_candidates=(4, 8), n_verifiers=8)}
#: the bar's settings (rows of the bar table) and the stress rows
BAR_TABLES = tuple(name for name in GRID if name.split()[0] in CALIBRATED)
STRESS_TABLES = tuple(name for name in GRID if name.split()[0] in STRESS)
METHODS = {
    "weaver": dict(),
    "weaver-no-answers": dict(use_answers=False),
    "weaver-binary": dict(representation="binary"),
    "weaver-answer": dict(aggregate="answer"),
    "weaver-faithful": dict(mode="faithful"),
}
#: the supervised ceiling: uses gold, shown to tell the method's limit from the data's
SUPERVISED = "supervised-linear (gold, 2-fold)"
BASELINES = ("naive_mean", "majority_vote", "best_single_verifier", "pass_at_1",
             "oracle_pass_at_n")

BAR_HEADER = ["table", "weaver - naive (pts)", "weaver - MV (pts)", "gap closed",
              "supervised gap closed", "fit s wall / CPU"]

__all__ = ["GRID", "HELP", "add_arguments", "render_markdown", "run", "terminal_table"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (parser.description or "") + (
        ". --data DIR: a folder of verifier tables (*.parquet, *.csv, *.jsonl) instead of "
        "the simulator grid.")


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for name, seed, table in _tables(args):
        metrics = selection_metrics(table)
        common = dict(seed=seed, n_problems=table.n_problems, n_rows=int(table.problem.size),
                      n_verifiers=len(table.verifiers), **verifier_statistics(table))
        for base in BASELINES:
            if metrics[base] is not None:
                records.append(record(name, base, "selection_accuracy", metrics[base], None,
                                      **common))
        for method, params in METHODS.items():
            if method in ("weaver-answer", "weaver-no-answers") and table.answers is None:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # dropped-verifier notes are in the record
                start, cpu = time.perf_counter(), time.process_time()
                weaver = Weaver(**params).fit(table)
                fitted, fit_cpu = time.perf_counter(), time.process_time() - cpu
                selected = weaver.select(table)
                done = time.perf_counter()
            m = selection_metrics(table, selected)
            records.append(record(name, method, "selection_accuracy", m["selection_accuracy"],
                                  done - start, fit_seconds=fitted - start,
                                  fit_cpu_seconds=fit_cpu,
                                  gap_closed=m["gap_closed"], n_dropped=len(weaver.dropped_),
                                  class_balance=weaver.class_balance_, **common))
            if method == "weaver":
                acc = _supervised_ceiling(weaver, table)
                records.append(record(name, SUPERVISED, "selection_accuracy", acc, None,
                                      gap_closed=gap_closed(acc, metrics["best_single_verifier"],
                                                            metrics["oracle_pass_at_n"]),
                                      **common))
    return records


def _supervised_ceiling(weaver: Weaver, table: VerifierTable) -> float:
    """Selection accuracy of a logistic regression on Weaver's features, trained with
    gold on half of the problems and applied to the other half (2-fold by problem):
    what a linear combination of these verifiers can reach with labels."""
    X = np.nan_to_num(weaver.transform(table))
    fold = table.problem % 2 == 0
    score = np.zeros(X.shape[0])
    for train in (fold, ~fold):
        if np.unique(table.labels[train]).size < 2:
            return float("nan")
        clf = LogisticRegression(max_iter=1000).fit(X[train], table.labels[train])
        score[~train] = clf.decision_function(X[~train])
    return float(table.labels[segment_argmax(score, table.starts)].mean())


def _tables(args: argparse.Namespace):
    """(name, seed, VerifierTable) for the simulator grid or the tables in ``--data``."""
    if args.data is not None:
        paths = sorted(p for p in Path(args.data).glob("*")
                       if p.suffix.lower() in (".parquet", ".csv", ".jsonl"))
        if not paths:
            raise FileNotFoundError(f"no .parquet/.csv/.jsonl verifier tables in {args.data}")
        for path in paths:
            table = read_table(path)
            if table.labels is None:
                print(f"skipping {path.name}: no correctness column")
                continue
            yield path.stem, 0, table
        return
    grid = QUICK_GRID if args.quick else GRID
    for name, params in grid.items():
        for seed in range(args.seeds):
            yield name, seed, VerifierTable.from_frame(make_verifier_table(**params,
                                                                           random_state=seed))


def _summary_rows(records: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    methods = list(dict.fromkeys(r["method"] for r in records))
    header = ["table", *methods, "weaver gap closed", "weaver fit s"]
    rows = []
    for (table,), group in group_records(records, "dataset").items():
        by_method = group_records(group, "method")
        weaver = by_method.get(("weaver",), [])
        rows.append([table, *[cell(by_method.get((m,), [])) for m in methods],
                     cell(weaver, "gap_closed", 2), cell(weaver, "fit_seconds", 2)])
    return header, rows


def _bar_rows(records: list[dict[str, Any]], tables: tuple[str, ...]) -> list[list[str]]:
    """Per table in ``tables``: Weaver minus naive mean, minus majority vote, gap
    closed (and the supervised ceiling's), fit seconds."""
    rows = []
    for (table,), group in group_records(records, "dataset").items():
        if table not in tables:
            continue
        deltas_naive, deltas_mv = [], []
        for seed_group in group_records(group, "seed").values():
            value = {r["method"]: r["value"] for r in seed_group}
            deltas_naive.append({"value": 100 * (value["weaver"] - value["naive_mean"])})
            deltas_mv.append({"value": 100 * (value["weaver"] - value["majority_vote"])})
        weaver = [r for r in group if r["method"] == "weaver"]
        ceiling = [r for r in group if r["method"] == SUPERVISED]
        rows.append([table, cell(deltas_naive, digits=1) + " (>= +3)",
                     cell(deltas_mv, digits=1) + " (>= 0)",
                     cell(weaver, "gap_closed", 2) + " (>= 0.50)",
                     cell(ceiling, "gap_closed", 2),
                     f"{cell(weaver, 'fit_seconds', 2)} / {cell(weaver, 'fit_cpu_seconds', 2)}"
                     " (< 2)"])
    return rows


CALIBRATION_HEADER = ["table", "Pass@1", "majority vote", "naive mean", "best single",
                      "oracle Pass@N", "supervised linear", "share correct",
                      "verifier accuracy min / median / max", "rank corr. median / p90"]


def _calibration_rows(records: list[dict[str, Any]]) -> list[list[str]]:
    """The simulator's baselines and verifier-pool statistics per table (median over seeds)."""
    rows = []
    for (table,), group in group_records(records, "dataset").items():
        by_method = group_records(group, "method")
        base = by_method.get(("pass_at_1",), [])
        rows.append([table, *[cell(by_method.get((m,), []), digits=3) for m in
                              ("pass_at_1", "majority_vote", "naive_mean",
                               "best_single_verifier", "oracle_pass_at_n", SUPERVISED)],
                     cell(base, "sample_accuracy"),
                     " / ".join(cell(base, f"verifier_accuracy_{q}") for q in
                                ("min", "median", "max")),
                     " / ".join(cell(base, f"rank_correlation_{q}", 2) for q in
                                ("median", "p90"))])
    return rows


def _sections(records: list[dict[str, Any]]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table of the report."""
    header, rows = _summary_rows(records)
    out = [("Selection accuracy", header, rows)]
    for title, tables in (("The bar, calibrated regimes", BAR_TABLES),
                          ("Stress regime (strong shared fooling; not the bar)", STRESS_TABLES)):
        bar = _bar_rows(records, tables)
        if bar:
            out.append((title, BAR_HEADER, bar))
    out.append(("Simulator baselines and verifier pool", CALIBRATION_HEADER,
                _calibration_rows(records)))
    return out


def terminal_table(records: list[dict[str, Any]]) -> str:
    return "\n\n".join(f"{title}\n{format_table(header, rows)}"
                        for title, header, rows in _sections(records))


_NOTES = {
    "Selection accuracy": (
        "Selection accuracy (share of problems whose selected candidate is correct; median "
        "(min-max) over {seeds} seed(s)). `best_single_verifier` is picked with gold labels, "
        "`weaver-faithful` reads the class balance from gold and the supervised linear ceiling "
        "is trained with gold on half of the problems; every other method is label-free. "
        "`weaver` uses the answer groups to weight the verifiers, `weaver-no-answers` is the "
        "same pipeline without the answer column. Tables from "
        "`wslib.datasets.synthetic.make_verifier_table` with the regimes of "
        "`wslib.datasets.synthetic.verifiers.REGIMES` (docs/weaver.md explains the calibration)."),
    "The bar, calibrated regimes": (
        "The bar on the regimes calibrated on the Weaver paper's baselines (label-free Weaver, "
        "per seed): points over naive mean, points over majority vote, share of the "
        "best-single-verifier-to-oracle gap closed (and what the supervised ceiling closes), "
        "fit seconds (wall / CPU of the process: the machine is shared, so wall time includes "
        "waiting); the target is in brackets."),
    "Stress regime (strong shared fooling; not the bar)": (
        "The same columns on the stress regime: plausible wrong answers fool every verifier as "
        "much as correctness moves it, which no label-free (or supervised linear) method can "
        "undo. Reported apart from the bar."),
    "Simulator baselines and verifier pool": (
        "What each simulated table looks like (median over seeds): the baselines, the share of "
        "correct candidates, each verifier's selection accuracy alone and the Spearman "
        "correlation of verifier pairs within problems. docs/weaver.md compares the calibrated "
        "regimes with the paper's figures."),
}


def render_markdown(records: list[dict[str, Any]]) -> str:
    """The Weaver section of docs/benchmarks.md (tables only)."""
    seeds = len({r.get("seed") for r in records})
    out = []
    for title, header, rows in _sections(records):
        out += [_NOTES[title].format(seeds=seeds), "", format_table(header, rows, markdown=True),
                ""]
    return "\n".join(out).rstrip() + "\n"
