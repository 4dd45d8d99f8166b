"""Best-of-N metrics: how often the selected candidate is correct, and baselines.

Every metric is a share of problems (each problem counts once, whatever its
number of candidates):

* ``selection_accuracy``: the selected candidate is correct;
* ``pass_at_1``: the first candidate (smallest candidate id) is correct;
* ``majority_vote``: a candidate of the most frequent final answer is correct
  (ties go to the answer seen first); ``None`` without an answer column;
* ``naive_mean``: the candidate with the largest mean rank-normalised score over
  all verifiers is correct;
* ``best_single_verifier``: the best accuracy any one verifier reaches alone
  (chosen with the gold labels: an optimistic baseline; ``best_single_verifier_name``);
* ``oracle_pass_at_n``: some candidate is correct (the ceiling of any selector);
* ``gap_closed``: ``(selection - best single) / (oracle - best single)``, the
  share of the generation-verification gap closed (``None`` when there is no gap).

:func:`verifier_statistics` describes the verifier pool itself (how far apart
the verifiers' accuracies are, how correlated their scores), the figures the
simulator is calibrated on besides the baselines.

Example
-------
>>> import numpy as np, pandas as pd
>>> from wslib.weaver import VerifierTable
>>> from wslib.weaver.metrics import selection_metrics
>>> df = pd.DataFrame({"problem_id": [0, 0, 1, 1], "candidate_id": [0, 1, 0, 1],
...                    "answer": ["4", "5", "x", "y"], "correct": [0, 1, 1, 0],
...                    "rm": [0.1, 0.9, 0.8, 0.3]})
>>> t = VerifierTable.from_frame(df)
>>> m = selection_metrics(t, selected=np.array([1, 2]))
>>> m["selection_accuracy"], m["pass_at_1"], m["oracle_pass_at_n"]
(1.0, 0.5, 1.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wslib.weaver.filter import rank_correlation
from wslib.weaver.io import VerifierTable, read_table
from wslib.weaver.normalise import center_per_problem, rank_normalise
from wslib.weaver.select import segment_argmax, segment_argmax_columns

__all__ = ["baseline_selections", "gap_closed", "selection_metrics", "verifier_statistics"]


def selection_metrics(table: VerifierTable | pd.DataFrame, selected: np.ndarray | None = None
                      ) -> dict[str, float | str | None]:
    """All metrics of the module docstring for ``selected`` rows (one per problem, problems
    in sorted order, as :meth:`Weaver.select` returns them). Rows are positions in
    ``table``: a ``VerifierTable``'s sorted order, or a DataFrame's own row order. A row
    that is not a candidate of its problem raises ``ValueError``."""
    frame = table if isinstance(table, pd.DataFrame) else None
    table = read_table(table) if frame is not None else table
    if table.labels is None:
        raise ValueError("metrics need a correctness column (labels=...)")
    y = table.labels.astype(np.float64)
    first = table.starts[:-1]
    out: dict[str, float | str | None] = {
        "n_problems": table.n_problems, "n_rows": int(y.size),
        "n_verifiers": len(table.verifiers),
        "oracle_pass_at_n": float(np.maximum.reduceat(y, first).mean()),
    }
    base = baseline_selections(table)
    per_verifier = y[base.pop("single")].mean(axis=0)
    best = int(np.argmax(per_verifier))
    for name, rows in base.items():
        out[name] = None if rows is None else float(y[rows].mean())
    out["best_single_verifier"] = float(per_verifier[best])
    out["best_single_verifier_name"] = table.verifiers[best]
    if selected is not None:
        selected = _sorted_rows(table, selected, frame is not None)
        out["selection_accuracy"] = float(y[selected].mean())
        out["gap_closed"] = gap_closed(out["selection_accuracy"], out["best_single_verifier"],
                                       out["oracle_pass_at_n"])
    return out


def _sorted_rows(table: VerifierTable, selected, from_frame: bool) -> np.ndarray:
    """``selected`` as rows of the sorted table, checked: integers, one per problem, each
    a candidate of its own problem."""
    raw = np.asarray(selected)
    if raw.dtype.kind not in "iu":
        raise TypeError(f"selected must hold integer row positions, got dtype {raw.dtype}")
    if raw.shape != (table.n_problems,):
        raise ValueError(f"selected has shape {raw.shape}, expected one row per problem "
                         f"({table.n_problems},)")
    rows = raw.astype(np.int64)
    n = table.problem.size
    if ((rows < 0) | (rows >= n)).any():
        bad = int(np.flatnonzero((rows < 0) | (rows >= n))[0])
        raise ValueError(f"selected[{bad}] = {rows[bad]} is not a row position in 0..{n - 1}")
    if from_frame:  # frame positions -> sorted positions
        inverse = np.empty(n, dtype=np.int64)
        inverse[table.frame_index] = np.arange(n)
        rows = inverse[rows]
    wrong = np.flatnonzero(table.problem[rows] != np.arange(table.n_problems))
    if wrong.size:
        i = int(wrong[0])
        where = "the DataFrame's" if from_frame else "the table's sorted"
        raise ValueError(f"selected[{i}] = {int(raw[i])} is not a candidate of problem "
                         f"{table.problem_ids[i]!r} ({wrong.size} such rows): selected must "
                         f"give, for each problem in sorted order, a row position in {where} "
                         "order, as Weaver.select on the same input returns")
    return rows


def baseline_selections(table: VerifierTable) -> dict[str, np.ndarray | None]:
    """Rows chosen by Pass@1, majority vote, naive mean and every single verifier.

    ``single`` is ``(n_problems, m)``: the row each verifier alone selects.
    """
    first = table.starts[:-1]
    u = rank_normalise(table.scores)
    observed = ~np.isnan(u)
    mean = np.where(observed, u, 0.0).sum(axis=1) / np.maximum(observed.sum(axis=1), 1)
    mean[~observed.any(axis=1)] = np.nan
    majority = None
    if table.answers is not None:
        counts = np.bincount(table.answers)[table.answers].astype(np.float64)
        order = -np.arange(table.answers.size, dtype=np.float64)
        majority = segment_argmax(counts, table.starts, tie_break=order)
    return {"pass_at_1": first.copy(), "majority_vote": majority,
            "naive_mean": segment_argmax(mean, table.starts),
            "single": segment_argmax_columns(u, table.starts)}


def gap_closed(selection: float, best_single: float, oracle: float) -> float | None:
    """Share of the gap between the best single verifier and the oracle that is closed."""
    gap = oracle - best_single
    return None if gap <= 0 else float((selection - best_single) / gap)


def verifier_statistics(table: VerifierTable) -> dict[str, float]:
    """The verifier pool in numbers (needs labels).

    ``verifier_accuracy_{min,median,max}``: selection accuracy of each verifier
    alone; ``sample_accuracy``: share of correct candidates;
    ``rank_correlation_{median,p90}``: median and 90th percentile over verifier
    pairs of the Spearman correlation of their scores centred within each
    problem (how alike the verifiers rank one problem's candidates; the upper
    tail shows families of verifiers that share errors).
    """
    if table.labels is None:
        raise ValueError("verifier statistics need a correctness column (labels=...)")
    y = table.labels.astype(np.float64)
    accuracy = y[baseline_selections(table)["single"]].mean(axis=0)
    rho = rank_correlation(center_per_problem(table.scores, table.starts))
    pairs = rho[~np.eye(rho.shape[0], dtype=bool)]
    return {"sample_accuracy": float(y.mean()),
            "verifier_accuracy_min": float(accuracy.min()),
            "verifier_accuracy_median": float(np.median(accuracy)),
            "verifier_accuracy_max": float(accuracy.max()),
            "rank_correlation_median": float(np.median(pairs)) if pairs.size else float("nan"),
            "rank_correlation_p90": float(np.quantile(pairs, 0.9)) if pairs.size else float("nan")}
