"""Per-LF overlap / conflict counts and LF-vs-gold confusion counts.

For LF ``j`` and item ``i`` with ``L[i, j] = v >= 0``:

* *overlap*  — some other LF also votes on ``i``;
* *conflict* — some other LF votes a class ``!= v`` on ``i``.

Both follow from the per-row class counts ``C[i, c]``: overlap iff
``sum_c C[i, c] > 1``, conflict iff ``sum_c C[i, c] - C[i, v] > 0``. One pass
over the rows (parallel over row blocks) fills ``(n_sources, 3)`` counts of
(covered, overlapping, conflicting) items.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

from wslib.kernels.votes import _chunks, serial_when_small

__all__ = ["confusion_counts", "overlap_conflict_counts"]

_JIT = {"nogil": True, "cache": True}


@numba.njit(inline="always")
def _tally(out, v, total, counts):
    """One vote ``v`` of an LF on an item with ``total`` votes, ``counts`` per class."""
    out[0] += 1
    if total > 1:
        out[1] += 1
    if total - counts[v] > 0:
        out[2] += 1


@numba.njit(parallel=True, **_JIT)
def _overlap_conflict_dense(L, k, bounds):
    n_chunks = bounds.shape[0] - 1
    m = L.shape[1]
    partial = np.zeros((n_chunks, m, 3), dtype=np.int64)
    for b in numba.prange(n_chunks):
        counts = np.zeros(k, dtype=np.int64)
        for i in range(bounds[b], bounds[b + 1]):
            counts[:] = 0
            total = 0
            for j in range(m):
                v = L[i, j]
                if v >= 0:
                    counts[v] += 1
                    total += 1
            if total == 0:
                continue
            for j in range(m):
                v = L[i, j]
                if v >= 0:
                    _tally(partial[b, j], v, total, counts)
    return partial.sum(axis=0)


@numba.njit(parallel=True, **_JIT)
def _overlap_conflict_csr(indptr, indices, data, m, k, bounds):
    n_chunks = bounds.shape[0] - 1
    partial = np.zeros((n_chunks, m, 3), dtype=np.int64)
    for b in numba.prange(n_chunks):
        counts = np.zeros(k, dtype=np.int64)
        for i in range(bounds[b], bounds[b + 1]):
            counts[:] = 0
            total = 0
            for t in range(indptr[i], indptr[i + 1]):
                v = data[t]
                if v >= 0:
                    counts[v] += 1
                    total += 1
            for t in range(indptr[i], indptr[i + 1]):
                v = data[t]
                if v >= 0:
                    _tally(partial[b, indices[t]], v, total, counts)
    return partial.sum(axis=0)


@serial_when_small
def overlap_conflict_counts(L, k: int) -> np.ndarray:
    """``(n_sources, 3)`` int64: items each LF covers, overlaps on, conflicts on."""
    if sp.issparse(L):
        return _overlap_conflict_csr(L.indptr, L.indices, L.data, L.shape[1], k,
                                     _chunks(L.shape[0]))
    return _overlap_conflict_dense(L, k, _chunks(L.shape[0]))


@numba.njit(**_JIT)
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


@numba.njit(**_JIT)
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


@serial_when_small
def confusion_counts(L, y: np.ndarray, k: int) -> np.ndarray:
    """``(n_sources, k, k)`` int64: ``[j, g, v]`` = items of gold ``g`` LF ``j`` voted ``v``.

    Items with ``y < 0`` (unknown gold) are skipped.
    """
    y = np.ascontiguousarray(y, dtype=np.int64)
    if sp.issparse(L):
        return _confusion_csr(L.indptr, L.indices, L.data, y, L.shape[1], k)
    return _confusion_dense(L, y, k)
