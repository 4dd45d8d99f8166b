"""Per-LF overlap / conflict counts and LF-vs-gold confusion counts.

For LF ``j`` and item ``i`` with ``L[i, j] = v >= 0``:

* *overlap*  — some other LF also votes on ``i``;
* *conflict* — some other LF votes a class ``!= v`` on ``i``.

Both follow from the per-row class counts ``C[i, c]``: overlap iff
``sum_c C[i, c] > 1``, conflict iff ``sum_c C[i, c] - C[i, v] > 0``. One pass
over the rows (parallel over row blocks) fills ``(n_sources, 3)`` counts of
(covered, overlapping, conflicting) items. Each count runs vectorised NumPy
on small inputs and a numba kernel on large ones (:mod:`wslib.kernels.jit`).
"""

from __future__ import annotations

import numpy as np

from wslib.kernels.jit import issparse, jit, prange, use_jit
from wslib.kernels.votes import _chunks, _csr_rows, _row_vote_counts_numpy, _work

__all__ = ["confusion_counts", "overlap_conflict_counts"]


@jit(inline="always", cache=False)
def _tally(out, v, total, counts):
    """One vote ``v`` of an LF on an item with ``total`` votes, ``counts`` per class."""
    out[0] += 1
    if total > 1:
        out[1] += 1
    if total - counts[v] > 0:
        out[2] += 1


@jit(inline="always", cache=False)
def _count_row(votes, counts):
    """Fill ``counts`` with the votes per class of one item; return its number of votes."""
    counts[:] = 0
    total = 0
    for v in votes:
        if v >= 0:
            counts[v] += 1
            total += 1
    return total


@jit(parallel=True)
def _overlap_conflict_dense(L, k, bounds):
    n_chunks = bounds.shape[0] - 1
    m = L.shape[1]
    partial = np.zeros((n_chunks, m, 3), dtype=np.int64)
    for b in prange(n_chunks):
        counts = np.zeros(k, dtype=np.int64)
        for i in range(bounds[b], bounds[b + 1]):
            total = _count_row(L[i], counts)
            if total == 0:
                continue
            for j in range(m):
                v = L[i, j]
                if v >= 0:
                    _tally(partial[b, j], v, total, counts)
    return partial.sum(axis=0)


@jit(parallel=True)
def _overlap_conflict_csr(indptr, indices, data, m, k, bounds):
    n_chunks = bounds.shape[0] - 1
    partial = np.zeros((n_chunks, m, 3), dtype=np.int64)
    for b in prange(n_chunks):
        counts = np.zeros(k, dtype=np.int64)
        for i in range(bounds[b], bounds[b + 1]):
            total = _count_row(data[indptr[i]:indptr[i + 1]], counts)
            for t in range(indptr[i], indptr[i + 1]):
                v = data[t]
                if v >= 0:
                    _tally(partial[b, indices[t]], v, total, counts)
    return partial.sum(axis=0)


def _overlap_conflict_numpy(L, k: int) -> np.ndarray:
    counts = _row_vote_counts_numpy(L, k)
    total = counts.sum(axis=1)
    if issparse(L):
        voted = L.data >= 0
        rows, cols, votes = _csr_rows(L)[voted], L.indices[voted], L.data[voted]
    else:
        rows, cols = np.nonzero(L >= 0)
        votes = L[rows, cols]
    overlap = total[rows] > 1
    conflict = total[rows] - counts[rows, votes] > 0
    m = L.shape[1]
    return np.stack([np.bincount(cols, minlength=m), np.bincount(cols[overlap], minlength=m),
                     np.bincount(cols[conflict], minlength=m)], axis=1).astype(np.int64)


def overlap_conflict_counts(L, k: int) -> np.ndarray:
    """``(n_sources, 3)`` int64: items each LF covers, overlaps on, conflicts on."""
    if not use_jit(_work(L)):
        return _overlap_conflict_numpy(L, k)
    if issparse(L):
        return _overlap_conflict_csr(L.indptr, L.indices, L.data, L.shape[1], k,
                                     _chunks(L.shape[0]))
    return _overlap_conflict_dense(L, k, _chunks(L.shape[0]))


@jit()
def _confusion_dense(L, y, k):
    n, m = L.shape
    out = np.zeros((m, k, k), dtype=np.int64)
    for i in range(n):
        g = y[i]
        if g < 0:
            continue
        for j in range(m):
            v = L[i, j]
            if v >= 0:
                out[j, g, v] += 1
    return out


@jit()
def _confusion_csr(indptr, indices, data, y, m, k):
    out = np.zeros((m, k, k), dtype=np.int64)
    for i in range(indptr.shape[0] - 1):
        g = y[i]
        if g < 0:
            continue
        for t in range(indptr[i], indptr[i + 1]):
            v = data[t]
            if v >= 0:
                out[indices[t], g, v] += 1
    return out


def _confusion_numpy(L, y: np.ndarray, k: int) -> np.ndarray:
    if issparse(L):
        rows, cols, votes = _csr_rows(L), L.indices, L.data
    else:
        rows, cols = np.nonzero(L >= 0)
        votes = L[rows, cols]
    keep = (votes >= 0) & (y[rows] >= 0)
    cells = (cols[keep].astype(np.int64) * k + y[rows[keep]]) * k + votes[keep]
    m = L.shape[1]
    return np.bincount(cells, minlength=m * k * k).reshape(m, k, k).astype(np.int64)


def confusion_counts(L, y: np.ndarray, k: int) -> np.ndarray:
    """``(n_sources, k, k)`` int64: ``[j, g, v]`` = items of gold ``g`` LF ``j`` voted ``v``.

    Items with ``y < 0`` (unknown gold) are skipped.
    """
    y = np.ascontiguousarray(y, dtype=np.int64)
    if not use_jit(_work(L)):
        return _confusion_numpy(L, y, k)
    if issparse(L):
        return _confusion_csr(L.indptr, L.indices, L.data, y, L.shape[1], k)
    return _confusion_dense(L, y, k)
