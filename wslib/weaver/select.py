"""Best-of-N selection: the highest-scoring candidate of each problem.

Rows are grouped by problem through the table's offsets ``starts`` (rows
``starts[i]:starts[i+1]`` are problem ``i``), so selection is one pass of a
compiled kernel over the rows. Ties go to the larger ``tie_break`` value (by
default the earlier row; :meth:`Weaver.select` passes seeded random keys, so no
candidate id is favoured), and a missing score (``NaN``) never wins over a present
one.

With answer-level selection (``Weaver(aggregate="answer")``, the label-free
default when the table has an answer column) the answer with the largest
posterior log-odds of being correct wins (:class:`wslib.weaver.answers.AnswerGroupModel`
pools an answer's candidates by their mean evidence) and its best-scored
candidate is returned.

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
    "lexicographic_score",
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


def lexicographic_score(primary: np.ndarray, secondary: np.ndarray, starts: np.ndarray
                        ) -> np.ndarray:
    """A score whose order within each problem is that of the pairs (``primary``,
    ``secondary``): equal where both are equal (``NaN`` lowest).

    >>> lexicographic_score(np.array([1.0, 1.0, 0.0]), np.array([0.0, 2.0, 9.0]),
    ...                     np.array([0, 3])).tolist()
    [2.0, 3.0, 1.0]
    """
    problem = np.repeat(np.arange(starts.size - 1), np.diff(starts))
    keys = [np.where(np.isnan(v), -np.inf, np.asarray(v, dtype=np.float64))
            for v in (secondary, primary)]
    order = np.lexsort((*keys, problem))
    change = np.zeros(order.size, dtype=bool)
    change[:1] = True
    for key in (problem, *keys):  # -inf == -inf: compare, never subtract
        ranked = key[order]
        change[1:] |= ranked[1:] != ranked[:-1]
    out = np.empty(order.size)
    out[order] = np.cumsum(change)
    return out


def select_best(log_odds: np.ndarray, table: VerifierTable,
                answer_log_odds: np.ndarray | None = None) -> np.ndarray:
    """Selected row of each problem from per-row log-odds of being correct; with
    ``answer_log_odds`` (per row: the log-odds that the row's *answer* is correct) the
    best answer wins and ``log_odds`` picks its candidate."""
    log_odds = np.asarray(log_odds, dtype=np.float64)
    if answer_log_odds is None:
        return segment_argmax(log_odds, table.starts)
    return segment_argmax(answer_log_odds, table.starts, tie_break=log_odds)


def selection_frame(table: VerifierTable, rows: np.ndarray, score: np.ndarray) -> pd.DataFrame:
    """One row per problem: ids, the selected row's score and (when known) correctness."""
    out = {"problem_id": table.problem_ids, "candidate_id": table.candidate_ids[rows],
           "n_candidates": table.sizes, "score": np.asarray(score)[rows],
           "row": table.frame_index[rows]}
    if table.labels is not None:
        correct = table.labels[rows].astype(np.int64)
        if (correct < 0).any():  # an unknown label is written as missing
            correct = pd.array(correct, dtype="Int64")
            correct[correct < 0] = pd.NA
        out["correct"] = correct
    return pd.DataFrame(out)
