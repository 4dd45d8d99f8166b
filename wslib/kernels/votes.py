"""Counting kernels: per-LF class counts, per-row vote counts, score accumulation.

Each public function runs vectorised NumPy on small inputs and a numba kernel
on large ones, with the same results (:mod:`wslib.kernels.jit`).
"""

from __future__ import annotations

import numpy as np

from wslib.kernels.jit import issparse, jit, num_threads, prange, use_jit


def _chunks(n: int) -> np.ndarray:
    n_chunks = max(1, min(num_threads() * 4, n // 4096 + 1))
    return np.linspace(0, n, n_chunks + 1).astype(np.int64)


def _csr_rows(L) -> np.ndarray:
    """Row index of every stored entry of a CSR matrix."""
    return np.repeat(np.arange(L.shape[0], dtype=np.int64), L.indptr[1:] - L.indptr[:-1])


def _work(L) -> int:
    """Cells a kernel reads: stored entries of a sparse matrix (and its rows)."""
    return L.nnz + L.shape[0] if issparse(L) else L.size


# --------------------------------------------------------------------------- count_votes
@jit(parallel=True)
def _count_votes_dense(L, k, bounds):
    n_chunks = bounds.shape[0] - 1
    m = L.shape[1]
    partial = np.zeros((n_chunks, m, k + 1), dtype=np.int64)
    for c in prange(n_chunks):
        local = np.zeros((m, k + 1), dtype=np.int64)  # column 0 counts abstains: no branch
        for i in range(bounds[c], bounds[c + 1]):
            for j in range(m):
                local[j, L[i, j] + 1] += 1
        partial[c] = local
    return partial.sum(axis=0)[:, 1:]


@jit()
def _count_votes_csr(indices, data, m, k):
    out = np.zeros((m, k), dtype=np.int64)
    for t in range(data.shape[0]):
        v = data[t]
        if v >= 0:
            out[indices[t], v] += 1
    return out


def _count_votes_numpy(L, k: int) -> np.ndarray:
    m = L.shape[1]
    if issparse(L):
        voted = L.data >= 0
        cells = L.indices[voted].astype(np.int64) * k + L.data[voted]
    else:  # column 0 of each LF counts abstains
        cells = (L.astype(np.int64) + 1 + np.arange(m, dtype=np.int64) * (k + 1)).ravel()
        return np.bincount(cells, minlength=m * (k + 1)).reshape(m, k + 1)[:, 1:]
    return np.bincount(cells, minlength=m * k).reshape(m, k)


def count_votes(L, k: int) -> np.ndarray:
    """``(n_sources, k)`` matrix: how many times each LF voted each class."""
    if not use_jit(_work(L)):
        return _count_votes_numpy(L, k)
    if issparse(L):
        return _count_votes_csr(L.indices, L.data, L.shape[1], k)
    return _count_votes_dense(L, k, _chunks(L.shape[0]))


# ----------------------------------------------------------------------- row_vote_counts
@jit(parallel=True)
def _row_vote_counts_dense(L, k):
    n, m = L.shape
    out = np.zeros((n, k), dtype=np.int32)
    for i in prange(n):
        for j in range(m):
            v = L[i, j]
            if v >= 0:
                out[i, v] += 1
    return out


@jit(parallel=True)
def _row_vote_counts_csr(indptr, data, n, k):
    out = np.zeros((n, k), dtype=np.int32)
    for i in prange(n):
        for t in range(indptr[i], indptr[i + 1]):
            v = data[t]
            if v >= 0:
                out[i, v] += 1
    return out


def _row_vote_counts_numpy(L, k: int) -> np.ndarray:
    n = L.shape[0]
    if issparse(L):
        rows, votes = _csr_rows(L), L.data
    else:
        rows, votes = np.repeat(np.arange(n, dtype=np.int64), L.shape[1]), L.ravel()
    voted = votes >= 0
    cells = rows[voted] * k + votes[voted]
    return np.bincount(cells, minlength=n * k).reshape(n, k).astype(np.int32)


def row_vote_counts(L, k: int) -> np.ndarray:
    """``(n_items, k)`` matrix: how many LFs voted each class on each item."""
    if not use_jit(_work(L)):
        return _row_vote_counts_numpy(L, k)
    if issparse(L):
        return _row_vote_counts_csr(L.indptr, L.data, L.shape[0], k)
    return _row_vote_counts_dense(L, k)


# -------------------------------------------------------------------------- row_coverage
@jit(parallel=True)
def _row_coverage_dense(L):
    n, m = L.shape
    out = np.zeros(n, dtype=np.int32)
    for i in prange(n):
        c = 0
        for j in range(m):
            if L[i, j] >= 0:
                c += 1
        out[i] = c
    return out


@jit(parallel=True)
def _row_coverage_csr(indptr, data, n):
    out = np.zeros(n, dtype=np.int32)
    for i in prange(n):
        c = 0
        for t in range(indptr[i], indptr[i + 1]):
            if data[t] >= 0:
                c += 1
        out[i] = c
    return out


def _row_coverage_numpy(L) -> np.ndarray:
    if issparse(L):
        rows = _csr_rows(L)[L.data >= 0]
        return np.bincount(rows, minlength=L.shape[0]).astype(np.int32)
    return np.count_nonzero(L >= 0, axis=1).astype(np.int32)


def row_coverage(L) -> np.ndarray:
    """Number of non-abstaining LFs on each item."""
    if not use_jit(_work(L)):
        return _row_coverage_numpy(L)
    if issparse(L):
        return _row_coverage_csr(L.indptr, L.data, L.shape[0])
    return _row_coverage_dense(L)


# ------------------------------------------------------------------------ coverage_counts
@jit(parallel=True)
def _coverage_counts_dense(L, bounds):
    n, m = L.shape
    n_chunks = bounds.shape[0] - 1
    rows = np.zeros(n, dtype=np.int32)
    partial = np.zeros((n_chunks, m), dtype=np.int64)
    for c in prange(n_chunks):
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


def coverage_counts(L) -> tuple[np.ndarray, np.ndarray]:
    """One pass: votes per item ``(n,)`` and votes per LF ``(m,)`` (abstains excluded)."""
    if issparse(L):
        voted = L.data >= 0
        per_lf = np.bincount(L.indices[voted], minlength=L.shape[1]).astype(np.int64)
        return row_coverage(L), per_lf
    if not use_jit(L.size):
        voted = L >= 0
        return (np.count_nonzero(voted, axis=1).astype(np.int32),
                np.count_nonzero(voted, axis=0).astype(np.int64))
    return _coverage_counts_dense(L, _chunks(L.shape[0]))


# ---------------------------------------------------------------------------- vote_range
def vote_range(values: np.ndarray) -> tuple[int, int]:
    """Smallest and largest entry of an integer array (NumPy's vectorised min and max
    outrun a compiled pass at every size)."""
    values = np.asarray(values)
    if values.size == 0:
        raise ValueError("vote_range of an empty array")
    return int(values.min()), int(values.max())


# --------------------------------------------------------------------- accumulate_scores
#: up to this many classes the dense kernel keeps one accumulator per class in a
#: register (k passes over a cached row); beyond, one pass adding k-vectors is faster
_BY_CLASS_MAX_K = 6


@jit(parallel=True)
def _accumulate_dense_by_class(L, table, start):
    """Few classes: one register accumulator per class, a branch-free lookup per cell.

    ``table[c, j, v + 1]`` is LF ``j``'s term for vote ``v`` (``table[c, j, 0] = 0``,
    abstain), so the inner loop has no branch on the vote.
    """
    n, m = L.shape
    k = start.shape[0]
    out = np.empty((n, k), dtype=np.float64)
    for i in prange(n):
        row = L[i]
        for c in range(k):
            s = start[c]
            tc = table[c]
            for j in range(m):
                s += tc[j, row[j] + 1]
            out[i, c] = s
    return out


@jit(parallel=True)
def _accumulate_dense(L, delta, start):
    n, m = L.shape
    k = start.shape[0]
    out = np.empty((n, k), dtype=np.float64)
    for i in prange(n):
        for c in range(k):
            out[i, c] = start[c]
        for j in range(m):
            v = L[i, j]
            if v >= 0:
                for c in range(k):
                    out[i, c] += delta[j, v, c]
    return out


@jit(parallel=True)
def _accumulate_csr(indptr, indices, data, delta, start):
    n = indptr.shape[0] - 1
    k = start.shape[0]
    out = np.empty((n, k), dtype=np.float64)
    for i in prange(n):
        for c in range(k):
            out[i, c] = start[c]
        for t in range(indptr[i], indptr[i + 1]):
            v = data[t]
            if v >= 0:
                j = indices[t]
                for c in range(k):
                    out[i, c] += delta[j, v, c]
    return out


def _accumulate_numpy(L, delta: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The kernels' sums in their order (the start, then the LFs' terms one by one)."""
    n, k = L.shape[0], start.shape[0]
    if issparse(L):  # bincount adds its weights in order: each row's start, then its votes
        voted = L.data >= 0
        rows = np.concatenate([np.arange(n, dtype=np.int64), _csr_rows(L)[voted]])
        terms = np.concatenate([np.broadcast_to(start, (n, k)),
                                delta[L.indices[voted], L.data[voted]]])
        return np.stack([np.bincount(rows, weights=terms[:, c], minlength=n)
                         for c in range(k)], axis=1)
    # one table per LF, row 0 for abstain: adding its 0.0 changes no sum
    table = np.concatenate([np.zeros((delta.shape[0], 1, k)), delta], axis=1)
    out = np.repeat(start[None, :], n, axis=0)
    for j in range(L.shape[1]):
        out += table[j][L[:, j].astype(np.intp) + 1]
    return out


def accumulate_scores(L, w_vote: np.ndarray, w_abstain: np.ndarray | None = None,
                      base: np.ndarray | None = None) -> np.ndarray:
    """Per-item class scores of a conditionally independent model.

    ``score[i, c] = base[c] + sum_j (w_vote[j, L[i,j], c] if L[i,j] >= 0 else w_abstain[j, c])``

    With log-likelihood weights this is the unnormalized log-posterior; with
    ``w_vote[j] = I`` and zero ``w_abstain`` it is the majority-vote count.
    """
    m, k, _ = w_vote.shape
    w_abstain = np.zeros((m, k)) if w_abstain is None else np.asarray(w_abstain, np.float64)
    base = np.zeros(k) if base is None else np.asarray(base, dtype=np.float64)
    # every row starts from "all abstain"; a vote swaps its LF's abstain term for the vote's
    start = base + w_abstain.sum(axis=0)
    delta = np.ascontiguousarray(np.asarray(w_vote, np.float64) - w_abstain[:, None, :])
    if not use_jit(_work(L)):
        return _accumulate_numpy(L, delta, start)
    if issparse(L):
        return _accumulate_csr(L.indptr, L.indices, L.data, delta, start)
    if k <= _BY_CLASS_MAX_K:
        table = np.zeros((k, m, k + 1))
        table[:, :, 1:] = delta.transpose(2, 0, 1)
        return _accumulate_dense_by_class(L, table, start)
    return _accumulate_dense(L, delta, start)


@jit()
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


@jit(parallel=True)
def _softmax_rows(S):
    n, k = S.shape
    for i in prange(n):
        _softmax_row(S, i, k)
    return S


def softmax_numpy(S: np.ndarray) -> np.ndarray:
    """:func:`softmax_rows` in NumPy, with the kernel's order of operations."""
    top = S.max(axis=1)
    np.exp(S - top[:, None], out=S)
    total = np.zeros(S.shape[0])
    for c in range(S.shape[1]):  # left to right, as the kernel adds
        total += S[:, c]
    S /= total[:, None]
    return S


def softmax_rows(S: np.ndarray) -> np.ndarray:
    """Row-wise softmax of a float64 score matrix, in place and overflow-safe; returns ``S``."""
    if not use_jit(S.size):
        return softmax_numpy(S)
    return _softmax_rows(S)
