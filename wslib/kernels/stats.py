"""Sufficient-statistic kernels: vote-pattern hashes and posterior-weighted vote counts.

``pattern_hashes`` summarises each row of ``L`` in one pass (a 64-bit hash of
its set of ``(LF, vote)`` pairs, its number of votes, and its first vote), so
that identical rows can be grouped without sorting the matrix itself.
``weighted_vote_counts`` is the M-step of every conditionally independent
label model: the posterior mass each LF's votes give each class.
``one_coin_proba`` is the fused posterior of a weighted vote.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

from wslib.kernels.votes import _JIT, _chunks, _softmax_row, serial_when_small

__all__ = ["one_coin_proba", "pairwise_agreement", "pattern_hashes", "weighted_vote_counts"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@numba.njit(**_JIT)
def _splitmix(x):
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@numba.njit(**_JIT)
def _cell_keys(m, k):
    """Random 64-bit key of every (LF, vote) cell; a row's hash mixes the keys of its votes."""
    keys = np.zeros((m, k + 1), dtype=np.uint64)  # column 0: abstain, mixes in nothing
    for j in range(m):
        for v in range(k):
            keys[j, v + 1] = _splitmix(np.uint64(j) * np.uint64(k) + np.uint64(v) + np.uint64(1))
    return keys


@numba.njit(parallel=True, **_JIT)
def _pattern_hashes_dense(L, keys):
    n, m = L.shape
    k = keys.shape[1] - 1
    h = np.empty(n, dtype=np.uint64)
    nv = np.empty(n, dtype=np.int32)
    first = np.empty(n, dtype=np.int64)
    for i in numba.prange(n):
        acc = np.uint64(0)
        c = 0
        f = -1
        for j in range(m):  # branch-free on the vote: abstains hit key 0 and add 0
            v = L[i, j]
            acc ^= keys[j, v + 1]
            c += v >= 0
            if f < 0 and v >= 0:
                f = j * k + v
        h[i] = _splitmix(acc)
        nv[i] = c
        first[i] = f
    return h, nv, first


@numba.njit(parallel=True, **_JIT)
def _pattern_hashes_csr(indptr, indices, data, keys):
    n = indptr.shape[0] - 1
    k = keys.shape[1] - 1
    h = np.empty(n, dtype=np.uint64)
    nv = np.empty(n, dtype=np.int32)
    first = np.empty(n, dtype=np.int64)
    for i in numba.prange(n):
        acc = np.uint64(0)
        c = 0
        f = -1
        for t in range(indptr[i], indptr[i + 1]):
            v = data[t]
            if v >= 0:
                j = indices[t]
                acc ^= keys[j, v + 1]
                if c == 0:
                    f = j * k + v
                c += 1
        h[i] = _splitmix(acc)
        nv[i] = c
        first[i] = f
    return h, nv, first


@serial_when_small
def pattern_hashes(L, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One pass over ``L``: per row a 64-bit pattern hash, the vote count, the first vote.

    Two rows with the same votes get the same hash whatever their layout
    (dense or CSR, explicit ``-1`` or implicit abstain); the first vote is
    encoded as ``j * k + v`` (``-1`` for an all-abstain row).
    """
    keys = _cell_keys(L.shape[1], k)
    if sp.issparse(L):
        return _pattern_hashes_csr(L.indptr, L.indices, L.data, keys)
    return _pattern_hashes_dense(L, keys)


@numba.njit(**_JIT)
def _weighted_vote_counts_csr(indptr, indices, data, R, m):
    n, k = R.shape
    out = np.zeros((m, k, k), dtype=np.float64)
    for i in range(n):
        for t in range(indptr[i], indptr[i + 1]):
            v = data[t]
            if v >= 0:
                j = indices[t]
                for c in range(k):
                    out[j, v, c] += R[i, c]
    return out


@numba.njit(parallel=True, **_JIT)
def _weighted_vote_counts_dense(L, R, bounds):
    k = R.shape[1]
    m = L.shape[1]
    n_chunks = bounds.shape[0] - 1
    partial = np.zeros((n_chunks, m, k, k), dtype=np.float64)
    for b in numba.prange(n_chunks):
        for i in range(bounds[b], bounds[b + 1]):
            for j in range(m):
                v = L[i, j]
                if v >= 0:
                    for c in range(k):
                        partial[b, j, v, c] += R[i, c]
    return partial.sum(axis=0)


@serial_when_small
def weighted_vote_counts(L, R: np.ndarray) -> np.ndarray:
    """``(m, k, k)`` array ``out[j, v, c] = sum_i R[i, c] * [L[i, j] == v]``.

    With ``R`` the (weighted) class posteriors of the rows this is the expected
    number of times LF ``j`` voted ``v`` on items of class ``c``.
    """
    R = np.ascontiguousarray(R, dtype=np.float64)
    if sp.issparse(L):
        return _weighted_vote_counts_csr(L.indptr, L.indices, L.data, R, L.shape[1])
    return _weighted_vote_counts_dense(L, R, _chunks(L.shape[0]))


@numba.njit(parallel=True, **_JIT)
def _one_coin_proba_dense(L, w, log_prior, fixes, bounds):
    n, m = L.shape
    k = log_prior.shape[0]
    out = np.empty((n, k), dtype=np.float64)
    n_chunks = bounds.shape[0] - 1
    scratch = np.zeros((n_chunks, k + 4))
    for b in numba.prange(n_chunks):
        # slots 0-3 collect abstains (rotating, so consecutive abstains do not wait on one
        # another), slot v + 4 a vote for v: no branch on the vote
        score = scratch[b]
        for i in range(bounds[b], bounds[b + 1]):
            score[:] = 0.0
            for j in range(m):
                v = np.int64(L[i, j])
                score[(v + 4) * (v >= 0) + (j & 3) * (v < 0)] += w[j]
            for p in range(fixes.shape[0]):  # a specific LF overrides the general one it fixes
                a, f = fixes[p, 0], fixes[p, 1]
                if L[i, a] >= 0 and L[i, f] >= 0:
                    score[L[i, f] + 4] -= w[f]
            for c in range(k):
                out[i, c] = log_prior[c] + score[c + 4]
            _softmax_row(out, i, k)
    return out


@numba.njit(**_JIT)
def _csr_vote(indptr, indices, data, i, j):
    lo, hi = indptr[i], indptr[i + 1]
    while lo < hi:  # binary search: indices are sorted within a row
        mid = (lo + hi) // 2
        if indices[mid] < j:
            lo = mid + 1
        else:
            hi = mid
    if lo < indptr[i + 1] and indices[lo] == j:
        return data[lo]
    return -1


@numba.njit(parallel=True, **_JIT)
def _one_coin_proba_csr(indptr, indices, data, w, log_prior, fixes):
    n = indptr.shape[0] - 1
    k = log_prior.shape[0]
    out = np.empty((n, k), dtype=np.float64)
    for i in numba.prange(n):
        for c in range(k):
            out[i, c] = log_prior[c]
        for t in range(indptr[i], indptr[i + 1]):
            v = data[t]
            if v >= 0:
                out[i, v] += w[indices[t]]
        for p in range(fixes.shape[0]):
            if _csr_vote(indptr, indices, data, i, fixes[p, 0]) >= 0:
                v = _csr_vote(indptr, indices, data, i, fixes[p, 1])
                if v >= 0:
                    out[i, v] -= w[fixes[p, 1]]
        _softmax_row(out, i, k)
    return out


@serial_when_small
def one_coin_proba(L, w: np.ndarray, log_prior: np.ndarray,
                   fixes: np.ndarray | None = None) -> np.ndarray:
    """Posterior of the one-coin weighted vote in one fused pass (scores + softmax).

    ``P[i, c] ∝ exp(log_prior[c] + sum_{j : L[i, j] = c} w[j])``; one add per
    vote instead of ``k``, so cost is that of reading ``L`` once. Each row
    ``(a, b)`` of ``fixes`` drops LF ``b``'s vote on the items where LF ``a``
    also votes (``a`` *fixes* ``b``, Ratner et al., 2016).
    """
    w = np.ascontiguousarray(w, dtype=np.float64)
    log_prior = np.ascontiguousarray(log_prior, dtype=np.float64)
    fixes = (np.zeros((0, 2), dtype=np.int64) if fixes is None
             else np.ascontiguousarray(fixes, dtype=np.int64).reshape(-1, 2))
    if sp.issparse(L):
        return _one_coin_proba_csr(L.indptr, L.indices, L.data, w, log_prior, fixes)
    return _one_coin_proba_dense(L, w, log_prior, fixes, _chunks(L.shape[0]))


@numba.njit(**_JIT)
def _pairwise_agreement_csr(indptr, indices, data, weights, m):
    both = np.zeros((m, m), dtype=np.float64)
    agree = np.zeros((m, m), dtype=np.float64)
    for i in range(indptr.shape[0] - 1):
        w = weights[i]
        for s in range(indptr[i], indptr[i + 1]):
            a = indices[s]
            for t in range(s + 1, indptr[i + 1]):
                b = indices[t]
                both[a, b] += w
                if data[s] == data[t]:
                    agree[a, b] += w
    return both + both.T, agree + agree.T


@serial_when_small
def pairwise_agreement(P: sp.csr_matrix, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted ``(m, m)`` counts of rows where two LFs both vote, and where they agree.

    ``P`` is CSR without stored abstains (e.g. the distinct vote patterns of
    :class:`~wslib.labelmodel.stats.VoteStats`) and ``weights`` its row counts.
    """
    return _pairwise_agreement_csr(P.indptr, P.indices, P.data,
                                   np.ascontiguousarray(weights, dtype=np.float64), P.shape[1])
