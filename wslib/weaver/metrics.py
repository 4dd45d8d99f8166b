"""Best-of-N metrics that never depend on row order: ties are averaged, not broken.

Every metric is a share of problems (each problem counts once, whatever its
number of candidates). A selector that scores candidates picks, in each
problem, one of the candidates with the highest score; when several share it,
the metric is the **exact expectation** over a uniformly random pick among them
(deterministic, and the same however rows or candidate ids are ordered):

* ``selection_accuracy``: the selector's expected correctness (from ``scores``),
  or the share of problems whose given ``selected`` row is correct;
* ``pass_at_1``: a random candidate is correct (the problem's share of correct
  candidates, averaged over problems); also the accuracy of a random pick;
* ``majority_vote``: a random candidate of a most frequent final answer (ties
  between answers averaged too); ``None`` without an answer column;
* ``naive_mean``: the candidate with the largest mean, over verifiers, of its
  within-problem normalized rank (mid-ranks for ties, missing scores left out);
* ``best_single_verifier``: the best expected accuracy any one verifier reaches
  alone (chosen with the gold labels: an optimistic baseline that *reads gold*;
  ``best_single_verifier_name``); a missing score never wins over a present one;
* ``oracle_pass_at_n``: some candidate is correct (the ceiling of any selector);
* ``gap_closed``: ``(selection - best single) / (oracle - best single)``
  (``None`` when there is no gap), for information.

:func:`expected_accuracy` is the building block: per-problem expected
correctness of arg-max selection for one or many score columns, with an
optional secondary score that breaks ties of the first (as answer-level
selection does). :func:`verifier_statistics` describes the verifier pool.

Example
-------
>>> import numpy as np, pandas as pd
>>> from wslib.weaver import VerifierTable
>>> from wslib.weaver.metrics import selection_metrics
>>> df = pd.DataFrame({"problem_id": [0, 0, 1, 1], "candidate_id": [0, 1, 0, 1],
...                    "answer": ["4", "5", "x", "y"], "correct": [0, 1, 1, 0],
...                    "rm": [0.1, 0.9, 0.5, 0.5]})
>>> t = VerifierTable.from_frame(df)
>>> m = selection_metrics(t, scores=df["rm"].to_numpy())   # problem 1 is a tie
>>> m["selection_accuracy"], m["pass_at_1"], m["oracle_pass_at_n"]
(0.75, 0.5, 1.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wslib.weaver.filter import rank_correlation
from wslib.weaver.io import VerifierTable, read_table
from wslib.weaver.normalize import center_per_problem
from wslib.weaver.select import lexicographic_score

__all__ = ["baseline_scores", "expected_accuracy", "gap_closed", "problem_ranks",
           "selection_metrics", "verifier_statistics"]


def expected_accuracy(scores: np.ndarray, labels: np.ndarray, starts: np.ndarray,
                      secondary: np.ndarray | None = None) -> np.ndarray:
    """Per problem, the expected correctness of picking uniformly among its
    highest-scored candidates.

    ``scores`` is ``(n,)`` or ``(n, m)`` (one column per selector); ``NaN`` never wins
    over a present score (a problem with no present score ties all its candidates).
    ``secondary`` (``(n,)``, 1-D ``scores`` only) breaks ties of ``scores``; its own
    ties are averaged. Returns ``(n_problems,)`` or ``(n_problems, m)``.

    >>> import numpy as np
    >>> expected_accuracy(np.array([2.0, 2.0, 1.0, 5.0]), np.array([1, 0, 1, 1]),
    ...                   np.array([0, 3, 4])).tolist()
    [0.5, 1.0]
    """
    scores = np.asarray(scores, dtype=np.float64)
    if secondary is not None:
        scores = lexicographic_score(scores, np.asarray(secondary, dtype=np.float64), starts)
    flat = scores.ndim == 1
    values = np.where(np.isnan(scores), -np.inf, scores)
    values = values[:, None] if flat else values
    first, sizes = starts[:-1], np.diff(starts)
    top = values == np.repeat(np.maximum.reduceat(values, first, axis=0), sizes, axis=0)
    y = np.asarray(labels, dtype=np.float64)[:, None]
    out = np.add.reduceat(top * y, first, axis=0) / np.add.reduceat(top, first, axis=0)
    return out[:, 0] if flat else out


def problem_ranks(scores: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each score's mid-rank among its problem's present scores of the same column,
    scaled into ``(0, 1)`` (``(rank - 0.5) / count``); ``NaN`` stays missing."""
    scores = np.asarray(scores, dtype=np.float64)
    frame = pd.DataFrame(scores)
    problem = np.repeat(np.arange(starts.size - 1), np.diff(starts))
    groups = frame.groupby(problem)
    ranks = groups.rank(method="average").to_numpy()
    counts = groups.transform("count").to_numpy()
    return (ranks - 0.5) / np.maximum(counts, 1)


def baseline_scores(table: VerifierTable) -> dict[str, np.ndarray | None]:
    """Per-row scores of the label-free baselines, for :func:`expected_accuracy`:
    ``naive_mean`` (mean within-problem rank), ``majority_vote`` (the size of the
    row's answer; ``None`` without answers), ``single`` (``(n, m)``: the raw scores,
    one selector per verifier) and ``random`` (zeros: every candidate ties)."""
    ranks = problem_ranks(table.scores, table.starts)
    observed = ~np.isnan(ranks)
    naive = np.where(observed, ranks, 0.0).sum(axis=1) / np.maximum(observed.sum(axis=1), 1)
    naive[~observed.any(axis=1)] = np.nan
    # equal mean ranks must tie exactly: a float sum depends on the order of its terms,
    # so without this two candidates whose ranks are the same numbers in another order
    # (or another rank list of the same mean) may differ in the last bit, and the metric
    # would depend on the order of the verifier columns
    naive = _snap_ties(naive, table.starts)
    majority = None
    if table.answers is not None:
        majority = np.bincount(table.answers)[table.answers].astype(np.float64)
    return {"random": np.zeros(table.problem.size), "naive_mean": naive,
            "majority_vote": majority, "single": table.scores}


def _snap_ties(values: np.ndarray, starts: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """``values`` with those of one problem that lie within ``tol`` of each other (in a
    chain of sorted values) made equal to the smallest of them; ``NaN`` stays. For scores
    that are exact rationals (mean ranks) computed in floating point: rounding errors
    (about 1e-15) must not break ties, and distinct means differ by far more than ``tol``.

    >>> _snap_ties(np.array([0.3, 0.1 + 0.2, 0.5, np.nan]), np.array([0, 4])).tolist()
    [0.3, 0.3, 0.5, nan]
    """
    values = np.asarray(values, dtype=np.float64)
    problem = np.repeat(np.arange(starts.size - 1), np.diff(starts))
    present = np.flatnonzero(~np.isnan(values))
    order = present[np.lexsort((values[present], problem[present]))]
    v, p = values[order], problem[order]
    new_group = np.ones(order.size, dtype=bool)
    new_group[1:] = (p[1:] != p[:-1]) | (v[1:] - v[:-1] > tol)
    first = np.flatnonzero(new_group)
    out = values.copy()
    out[order] = v[first][np.cumsum(new_group) - 1]
    return out


def selection_metrics(table: VerifierTable | pd.DataFrame, selected: np.ndarray | None = None,
                      *, scores: np.ndarray | None = None, problems: np.ndarray | None = None
                      ) -> dict[str, float | str | None]:
    """All metrics of the module docstring.

    ``scores`` (one per row, in the order of ``table``: a ``VerifierTable``'s sorted
    order or a DataFrame's own) are a selector's scores: ``selection_accuracy`` is
    then the expectation over tied candidates. ``selected`` (one row per problem,
    problems in sorted order, as :meth:`Weaver.select` returns them) are rows already
    picked; a row that is not a candidate of its problem raises ``ValueError``.
    ``problems`` (a boolean mask over the sorted problems, or their indices) scores
    only those problems, e.g. the ones outside a labelled dev set. A problem with an
    unknown label (``-1``) on any candidate is left out, and counted as
    ``n_unlabelled_problems``.
    """
    frame = table if isinstance(table, pd.DataFrame) else None
    table = read_table(table) if frame is not None else table
    if table.labels is None:
        raise ValueError("metrics need a correctness column (labels=...)")
    asked = _problem_mask(table, problems)
    keep = _labelled_mask(table, asked)
    y = table.labels.astype(np.float64)
    first = table.starts[:-1]
    base = baseline_scores(table)
    per_verifier = expected_accuracy(base.pop("single"), y, table.starts)[keep].mean(axis=0)
    best = int(np.argmax(per_verifier))
    out: dict[str, float | str | None] = {
        "n_problems": int(keep.sum()), "n_rows": int(table.sizes[keep].sum()),
        "n_verifiers": len(table.verifiers),
        "oracle_pass_at_n": float(np.maximum.reduceat(y, first)[keep].mean()),
        "pass_at_1": float((np.add.reduceat(y, first) / table.sizes)[keep].mean()),
    }
    if (asked & ~keep).any():
        out["n_unlabelled_problems"] = int((asked & ~keep).sum())
    for name in ("majority_vote", "naive_mean"):
        values = base[name]
        out[name] = None if values is None else float(
            expected_accuracy(values, y, table.starts)[keep].mean())
    out["best_single_verifier"] = float(per_verifier[best])
    out["best_single_verifier_name"] = table.verifiers[best]
    if scores is not None:
        scores = _in_sorted_order(table, scores, frame is not None)
        out["selection_accuracy"] = float(expected_accuracy(scores, y, table.starts)[keep].mean())
    elif selected is not None:
        rows = _sorted_rows(table, selected, frame is not None)
        out["selection_accuracy"] = float(y[rows][keep].mean())
    if "selection_accuracy" in out:
        out["gap_closed"] = gap_closed(out["selection_accuracy"], out["best_single_verifier"],
                                       out["oracle_pass_at_n"])
    return out


def _problem_mask(table: VerifierTable, problems) -> np.ndarray:
    if problems is None:
        return np.ones(table.n_problems, dtype=bool)
    problems = np.asarray(problems)
    if problems.dtype == bool:
        if problems.shape != (table.n_problems,):
            raise ValueError(f"problems mask has shape {problems.shape}, expected "
                             f"({table.n_problems},)")
        mask = problems
    else:
        mask = np.zeros(table.n_problems, dtype=bool)
        mask[problems.astype(np.int64)] = True
    if not mask.any():
        raise ValueError("no problem left to score")
    return mask


def _labelled_mask(table: VerifierTable, keep: np.ndarray) -> np.ndarray:
    """``keep`` without the problems that have an unknown label (-1) on a candidate;
    ``ValueError`` when none is left."""
    keep = keep & table.labelled
    if not keep.any():
        raise ValueError("none of the problems to score has a label on every candidate "
                         "(a missing label is unknown)")
    return keep


def _in_sorted_order(table: VerifierTable, scores, from_frame: bool) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (table.problem.size,):
        raise ValueError(f"scores has shape {scores.shape}, expected one per row "
                         f"({table.problem.size},)")
    return scores[table.frame_index] if from_frame else scores


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


def gap_closed(selection: float, best_single: float, oracle: float) -> float | None:
    """Share of the gap between the best single verifier and the oracle that is closed."""
    gap = oracle - best_single
    return None if gap <= 0 else float((selection - best_single) / gap)


def verifier_statistics(table: VerifierTable) -> dict[str, float]:
    """The verifier pool in numbers (needs labels).

    ``verifier_accuracy_{min,median,max}``: expected selection accuracy of each
    verifier alone; ``sample_accuracy``: share of correct candidates;
    ``rank_correlation_{median,p90}``: median and 90th percentile over verifier
    pairs of the Spearman correlation of their scores centred within each
    problem (how alike the verifiers rank one problem's candidates; the upper
    tail shows families of verifiers that share errors).
    """
    if table.labels is None:
        raise ValueError("verifier statistics need a correctness column (labels=...)")
    keep = _labelled_mask(table, np.ones(table.n_problems, dtype=bool))
    y = table.labels.astype(np.float64)
    accuracy = expected_accuracy(table.scores, y, table.starts)[keep].mean(axis=0)
    rho = rank_correlation(center_per_problem(table.scores, table.starts))
    pairs = rho[~np.eye(rho.shape[0], dtype=bool)]
    return {"sample_accuracy": float(y[keep[table.problem]].mean()),
            "verifier_accuracy_min": float(accuracy.min()),
            "verifier_accuracy_median": float(np.median(accuracy)),
            "verifier_accuracy_max": float(accuracy.max()),
            "rank_correlation_median": float(np.median(pairs)) if pairs.size else float("nan"),
            "rank_correlation_p90": float(np.quantile(pairs, 0.9)) if pairs.size else float("nan")}
