"""Counting kernels: per-LF class counts, per-row vote counts, score accumulation."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np
import scipy.sparse as sp

_JIT = dict(nogil=True, cache=True)
F = TypeVar("F", bound=Callable[..., Any])
#: inputs with fewer entries run their parallel kernel on the calling thread alone
SERIAL_BELOW = 1 << 16


def serial_when_small(f: F) -> F:
    """Run ``f``'s parallel kernels on one thread when its first argument has fewer than
    :data:`SERIAL_BELOW` entries: waking the thread pool costs more than such inputs take,
    50 ms a call instead of 25 us on a loaded 2-core machine (OpenMP threads spin).

    >>> serial_when_small(lambda L: numba.get_num_threads())(np.zeros((3, 2)))
    1
    """
    @functools.wraps(f)
    def call(L: Any, *args: Any, **kwargs: Any) -> Any:
        size = L.nnz if sp.issparse(L) else np.size(L)
        threads = numba.get_num_threads()
        if size >= SERIAL_BELOW or threads == 1:
            return f(L, *args, **kwargs)
        numba.set_num_threads(1)
        try:
            return f(L, *args, **kwargs)
        finally:
            numba.set_num_threads(threads)

    return call  # type: ignore[return-value]


def _chunks(n: int) -> np.ndarray:
    n_chunks = max(1, min(numba.get_num_threads() * 4, n // 4096 + 1))
    return np.linspace(0, n, n_chunks + 1).astype(np.int64)


# --------------------------------------------------------------------------- count_votes
@numba.njit(parallel=True, **_JIT)
def _count_votes_dense(L, k, bounds):
    n_chunks = bounds.shape[0] - 1
    m = L.shape[1]
    partial = np.zeros((n_chunks, m, k + 1), dtype=np.int64)
    for c in numba.prange(n_chunks):
        local = np.zeros((m, k + 1), dtype=np.int64)  # column 0 counts abstains: no branch
        for i in range(bounds[c], bounds[c + 1]):
            for j in range(m):
                local[j, L[i, j] + 1] += 1
        partial[c] = local
    return partial.sum(axis=0)[:, 1:]


@numba.njit(**_JIT)
def _count_votes_csr(indices, data, m, k):
    out = np.zeros((m, k), dtype=np.int64)
    for t in range(data.shape[0]):
        v = data[t]
        if v >= 0:
            out[indices[t], v] += 1
    return out


@serial_when_small
def count_votes(L, k: int) -> np.ndarray:
    """``(n_sources, k)`` matrix: how many times each LF voted each class."""
    if sp.issparse(L):
        return _count_votes_csr(L.indices, L.data, L.shape[1], k)
    return _count_votes_dense(L, k, _chunks(L.shape[0]))


# ----------------------------------------------------------------------- row_vote_counts
@numba.njit(parallel=True, **_JIT)
def _row_vote_counts_dense(L, k):
    n, m = L.shape
    out = np.zeros((n, k), dtype=np.int32)
    for i in numba.prange(n):
        for j in range(m):
            v = L[i, j]
            if v >= 0:
                out[i, v] += 1
    return out


@numba.njit(parallel=True, **_JIT)
def _row_vote_counts_csr(indptr, data, n, k):
    out = np.zeros((n, k), dtype=np.int32)
    for i in numba.prange(n):
        for t in range(indptr[i], indptr[i + 1]):
            v = data[t]
            if v >= 0:
                out[i, v] += 1
    return out


@serial_when_small
def row_vote_counts(L, k: int) -> np.ndarray:
    """``(n_items, k)`` matrix: how many LFs voted each class on each item."""
    if sp.issparse(L):
        return _row_vote_counts_csr(L.indptr, L.data, L.shape[0], k)
    return _row_vote_counts_dense(L, k)


# -------------------------------------------------------------------------- row_coverage
@numba.njit(parallel=True, **_JIT)
def _row_coverage_dense(L):
    n, m = L.shape
    out = np.zeros(n, dtype=np.int32)
    for i in numba.prange(n):
        c = 0
        for j in range(m):
            if L[i, j] >= 0:
                c += 1
        out[i] = c
    return out


@numba.njit(parallel=True, **_JIT)
def _row_coverage_csr(indptr, data, n):
    out = np.zeros(n, dtype=np.int32)
    for i in numba.prange(n):
        c = 0
        for t in range(indptr[i], indptr[i + 1]):
            if data[t] >= 0:
                c += 1
        out[i] = c
    return out


@serial_when_small
def row_coverage(L) -> np.ndarray:
    """Number of non-abstaining LFs on each item."""
    if sp.issparse(L):
        return _row_coverage_csr(L.indptr, L.data, L.shape[0])
    return _row_coverage_dense(L)


# ------------------------------------------------------------------------ coverage_counts
@numba.njit(parallel=True, **_JIT)
def _coverage_counts_dense(L, bounds):
    n, m = L.shape
    n_chunks = bounds.shape[0] - 1
    rows = np.zeros(n, dtype=np.int32)
    partial = np.zeros((n_chunks, m), dtype=np.int64)
    for c in numba.prange(n_chunks):
        local = np.zeros(m, dtype=np.int64)
        for i in range(bounds[c], bounds[c + 1]):
            r = 0
            for j in range(m):
                voted = L[i, j] >= 0
                r += voted
                local[j] += voted
            rows[i] = r
        partial[c] = local
    return rows, partial.sum(axis=0)


@serial_when_small
def coverage_counts(L) -> tuple[np.ndarray, np.ndarray]:
    """One pass: votes per item ``(n,)`` and votes per LF ``(m,)`` (abstains excluded)."""
    if sp.issparse(L):
        voted = L.data >= 0
        per_lf = np.bincount(L.indices[voted], minlength=L.shape[1]).astype(np.int64)
        return _row_coverage_csr(L.indptr, L.data, L.shape[0]), per_lf
    return _coverage_counts_dense(L, _chunks(L.shape[0]))


# ---------------------------------------------------------------------------- vote_range
@numba.njit(parallel=True, **_JIT)
def _min_max_dense(L, bounds):
    n_chunks = bounds.shape[0] - 1
    lows = np.empty(n_chunks, dtype=np.int64)
    highs = np.empty(n_chunks, dtype=np.int64)
    flat = L.ravel()
    for c in numba.prange(n_chunks):
        lo = flat[bounds[c]]
        hi = lo
        for t in range(bounds[c], bounds[c + 1]):
            v = flat[t]
            lo = min(lo, v)
            hi = max(hi, v)
        lows[c] = lo
        highs[c] = hi
    return lows.min(), highs.max()


@serial_when_small
def vote_range(values: np.ndarray) -> tuple[int, int]:
    """Smallest and largest entry of an integer array, in one parallel pass."""
    values = np.ascontiguousarray(values)
    if values.size == 0:
        raise ValueError("vote_range of an empty array")
    lo, hi = _min_max_dense(values, _chunks(values.size))
    return int(lo), int(hi)


# --------------------------------------------------------------------- accumulate_scores
#: up to this many classes the dense kernel keeps one accumulator per class in a
#: register (k passes over a cached row); beyond, one pass adding k-vectors is faster
_BY_CLASS_MAX_K = 6


@numba.njit(parallel=True, **_JIT)
def _accumulate_dense_by_class(L, table, start):
    """Few classes: one register accumulator per class, a branch-free lookup per cell.

    ``table[c, j, v + 1]`` is LF ``j``'s term for vote ``v`` (``table[c, j, 0] = 0``,
    abstain), so the inner loop has no branch on the vote.
    """
    n, m = L.shape
    k = start.shape[0]
    out = np.empty((n, k), dtype=np.float64)
    for i in numba.prange(n):
        row = L[i]
        for c in range(k):
            s = start[c]
            tc = table[c]
            for j in range(m):
                s += tc[j, row[j] + 1]
            out[i, c] = s
    return out


@numba.njit(parallel=True, **_JIT)
def _accumulate_dense(L, delta, start):
    n, m = L.shape
    k = start.shape[0]
    out = np.empty((n, k), dtype=np.float64)
    for i in numba.prange(n):
        for c in range(k):
            out[i, c] = start[c]
        for j in range(m):
            v = L[i, j]
            if v >= 0:
                for c in range(k):
                    out[i, c] += delta[j, v, c]
    return out


@numba.njit(parallel=True, **_JIT)
def _accumulate_csr(indptr, indices, data, delta, start):
    n = indptr.shape[0] - 1
    k = start.shape[0]
    out = np.empty((n, k), dtype=np.float64)
    for i in numba.prange(n):
        for c in range(k):
            out[i, c] = start[c]
        for t in range(indptr[i], indptr[i + 1]):
            v = data[t]
            if v >= 0:
                j = indices[t]
                for c in range(k):
                    out[i, c] += delta[j, v, c]
    return out


@serial_when_small
def accumulate_scores(L, w_vote: np.ndarray, w_abstain: np.ndarray | None = None,
                      base: np.ndarray | None = None) -> np.ndarray:
    """Per-item class scores of a conditionally independent model.

    ``score[i, c] = base[c] + sum_j (w_vote[j, L[i,j], c] if L[i,j] >= 0 else w_abstain[j, c])``

    With log-likelihood weights this is the unnormalised log-posterior; with
    ``w_vote[j] = I`` and zero ``w_abstain`` it is the majority-vote count.
    """
    m, k, _ = w_vote.shape
    w_abstain = np.zeros((m, k)) if w_abstain is None else np.asarray(w_abstain, np.float64)
    base = np.zeros(k) if base is None else np.asarray(base, dtype=np.float64)
    # every row starts from "all abstain"; a vote swaps its LF's abstain term for the vote's
    start = base + w_abstain.sum(axis=0)
    delta = np.ascontiguousarray(np.asarray(w_vote, np.float64) - w_abstain[:, None, :])
    if sp.issparse(L):
        return _accumulate_csr(L.indptr, L.indices, L.data, delta, start)
    if k <= _BY_CLASS_MAX_K:
        table = np.zeros((k, m, k + 1))
        table[:, :, 1:] = delta.transpose(2, 0, 1)
        return _accumulate_dense_by_class(L, table, start)
    return _accumulate_dense(L, delta, start)


@numba.njit(**_JIT)
def _softmax_row(out, i, k):
    """Softmax of row ``i`` of ``out`` in place, shifted by its maximum (no overflow)."""
    top = out[i, 0]
    for c in range(1, k):
        top = max(top, out[i, c])
    total = 0.0
    for c in range(k):
        out[i, c] = np.exp(out[i, c] - top)
        total += out[i, c]
    for c in range(k):
        out[i, c] /= total


@numba.njit(parallel=True, **_JIT)
def _softmax_rows(S):
    n, k = S.shape
    for i in numba.prange(n):
        _softmax_row(S, i, k)
    return S


@serial_when_small
def softmax_rows(S: np.ndarray) -> np.ndarray:
    """Row-wise softmax of a score matrix, in place and overflow-safe; returns ``S``."""
    return _softmax_rows(S)
