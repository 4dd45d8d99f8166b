"""Best-of-N selection: the highest-scoring candidate of each problem.

Rows are grouped by problem through the table's offsets ``starts`` (rows
``starts[i]:starts[i+1]`` are problem ``i``), so selection is one pass of a
compiled kernel over the rows. Ties go to the earlier candidate (smaller
candidate id), and a missing score (``NaN``) never wins over a present one.

With ``aggregate="answer"`` candidates that reached the same final answer pool
their evidence. The candidates of one answer are right or wrong together, so
under the label model the answer's log-odds of being correct is the prior
log-odds plus the sum of its candidates' log-likelihood ratios
``log_odds_c - prior``; the answer with the largest pooled log-odds wins and
its best-scored candidate is returned. (Summing probabilities instead drifts
towards majority vote, which is markedly worse on our simulator.)

A problem with a single candidate selects it.

Example
-------
>>> import numpy as np
>>> from wslib.weaver.select import segment_argmax
>>> starts = np.array([0, 3, 5])
>>> segment_argmax(np.array([0.1, 0.7, 0.7, 0.2, np.nan]), starts).tolist()
[1, 3]
"""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd

from wslib.weaver.io import VerifierTable

__all__ = [
    "AGGREGATES",
    "segment_argmax",
    "segment_argmax_columns",
    "select_best",
    "selection_frame",
]

AGGREGATES = ("candidate", "answer")


@numba.njit(cache=True)
def _segment_argmax(primary, secondary, starts):  # pragma: no cover - compiled
    out = np.empty(starts.size - 1, dtype=np.int64)
    for s in range(starts.size - 1):
        best = starts[s]
        for i in range(starts[s] + 1, starts[s + 1]):
            a, b = primary[i], primary[best]
            if np.isnan(b) and not np.isnan(a) or a > b or (a == b and secondary[i] > secondary[best]):
                best = i
        out[s] = best
    return out


@numba.njit(cache=True)
def _segment_argmax_columns(values, starts):  # pragma: no cover - compiled
    m = values.shape[1]
    out = np.empty((starts.size - 1, m), dtype=np.int64)
    for s in range(starts.size - 1):
        for j in range(m):
            best = starts[s]
            for i in range(starts[s] + 1, starts[s + 1]):
                a, b = values[i, j], values[best, j]
                if (np.isnan(b) and not np.isnan(a)) or a > b:
                    best = i
            out[s, j] = best
    return out


def segment_argmax(values: np.ndarray, starts: np.ndarray,
                   tie_break: np.ndarray | None = None) -> np.ndarray:
    """Row of the largest value in each segment; ties go to the larger ``tie_break``
    (default: the earlier row). Every segment must be non-empty."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    if tie_break is None:
        tie_break = np.zeros(values.size)
    return _segment_argmax(values, np.ascontiguousarray(tie_break, dtype=np.float64),
                           np.ascontiguousarray(starts, dtype=np.int64))


def segment_argmax_columns(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """:func:`segment_argmax` of every column at once: (n_problems, m) rows."""
    return _segment_argmax_columns(np.ascontiguousarray(values, dtype=np.float64),
                                   np.ascontiguousarray(starts, dtype=np.int64))


def select_best(log_odds: np.ndarray, table: VerifierTable, aggregate: str = "candidate",
                prior_log_odds: float = 0.0) -> np.ndarray:
    """Selected row of each problem from per-row log-odds of being correct
    (``prior_log_odds``: the label model's ``logit P(correct)``, for answer pooling)."""
    if aggregate not in AGGREGATES:
        raise ValueError(f"unknown aggregate {aggregate!r}; choose one of {AGGREGATES}")
    log_odds = np.asarray(log_odds, dtype=np.float64)
    if aggregate == "candidate":
        return segment_argmax(log_odds, table.starts)
    if table.answers is None:
        raise ValueError("aggregate='answer' needs an answer column (answer=...)")
    pooled = np.bincount(table.answers, weights=log_odds - prior_log_odds)[table.answers]
    return segment_argmax(pooled, table.starts, tie_break=log_odds)


def selection_frame(table: VerifierTable, rows: np.ndarray, score: np.ndarray) -> pd.DataFrame:
    """One row per problem: ids, the selected row's score and (when known) correctness."""
    out = {"problem_id": table.problem_ids, "candidate_id": table.candidate_ids[rows],
           "n_candidates": table.sizes, "score": np.asarray(score)[rows],
           "row": table.frame_index[rows]}
    if table.labels is not None:
        out["correct"] = table.labels[rows].astype(np.int64)
    return pd.DataFrame(out)
