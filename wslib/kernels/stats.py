"""Sufficient-statistic kernels: vote-pattern hashes and posterior-weighted vote counts.

``pattern_hashes`` summarises each row of ``L`` in one pass (a 64-bit hash of
its set of ``(LF, vote)`` pairs, its number of votes, and its first vote), so
that identical rows can be grouped without sorting the matrix itself.
``weighted_vote_counts`` is the M-step of every conditionally independent
label model: the posterior mass each LF's votes give each class.
``one_coin_proba`` is the fused posterior of a weighted vote. Each runs
vectorised NumPy on small inputs and a numba kernel on large ones
(:mod:`wslib.kernels.jit`).
"""

from __future__ import annotations

import numpy as np

from wslib.kernels.jit import issparse, jit, prange, use_jit
from wslib.kernels.votes import _chunks, _csr_rows, _softmax_row, _work, softmax_numpy

__all__ = ["one_coin_proba", "pairwise_agreement", "pattern_hashes", "weighted_vote_counts"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@jit()
def _splitmix(x):
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def _splitmix_numpy(x: np.ndarray) -> np.ndarray:
    """:func:`_splitmix` of a uint64 array (wrap-around arithmetic, as in the kernel)."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def _cell_keys(m: int, k: int) -> np.ndarray:
    """Random 64-bit key of every (LF, vote) cell; a row's hash mixes the keys of its votes."""
    keys = np.zeros((m, k + 1), dtype=np.uint64)  # column 0: abstain, mixes in nothing
    cells = np.arange(m * k, dtype=np.uint64).reshape(m, k)  # j * k + v
    keys[:, 1:] = _splitmix_numpy(cells + np.uint64(1))
    return keys


@jit(inline="always", cache=False)
def _pattern_outputs(n):
    """Per item: the pattern hash, the number of votes, the first vote's cell (``-1``)."""
    return np.empty(n, dtype=np.uint64), np.empty(n, dtype=np.int32), np.empty(n, dtype=np.int64)


@jit(parallel=True)
def _pattern_hashes_dense(L, keys):
    n, m = L.shape
    k = keys.shape[1] - 1
    h, nv, first = _pattern_outputs(n)
    for i in prange(n):
        acc, c, f = np.uint64(0), 0, -1  # hash, number of votes, first vote's cell
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


@jit(parallel=True)
def _pattern_hashes_csr(indptr, indices, data, keys):
    n = indptr.shape[0] - 1
    k = keys.shape[1] - 1
    h, nv, first = _pattern_outputs(n)
    for i in prange(n):
        acc, c, f = np.uint64(0), 0, -1  # hash, number of votes, first vote's cell
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


def _pattern_hashes_numpy(L, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, k = L.shape[0], keys.shape[1] - 1
    if issparse(L):
        voted = L.data >= 0
        rows, cols, votes = _csr_rows(L)[voted], L.indices[voted], L.data[voted]
    else:
        rows, cols = np.nonzero(L >= 0)  # row-major: each row's votes by column
        votes = L[rows, cols]
    acc = np.zeros(n, dtype=np.uint64)
    np.bitwise_xor.at(acc, rows, keys[cols, votes.astype(np.intp) + 1])
    nv = np.bincount(rows, minlength=n).astype(np.int32)
    first = np.full(n, -1, dtype=np.int64)
    lead = np.ones(rows.size, dtype=bool)
    lead[1:] = rows[1:] != rows[:-1]
    first[rows[lead]] = cols[lead].astype(np.int64) * k + votes[lead]
    return _splitmix_numpy(acc), nv, first


def pattern_hashes(L, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One pass over ``L``: per row a 64-bit pattern hash, the vote count, the first vote.

    Two rows with the same votes get the same hash whatever their layout
    (dense or CSR, explicit ``-1`` or implicit abstain); the first vote is
    encoded as ``j * k + v`` (``-1`` for an all-abstain row).
    """
    keys = _cell_keys(L.shape[1], k)
    if not use_jit(_work(L)):
        return _pattern_hashes_numpy(L, keys)
    if issparse(L):
        return _pattern_hashes_csr(L.indptr, L.indices, L.data, keys)
    return _pattern_hashes_dense(L, keys)


@jit()
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


@jit(parallel=True)
def _weighted_vote_counts_dense(L, R, bounds):
    k = R.shape[1]
    m = L.shape[1]
    n_chunks = bounds.shape[0] - 1
    partial = np.zeros((n_chunks, m, k, k), dtype=np.float64)
    for b in prange(n_chunks):
        for i in range(bounds[b], bounds[b + 1]):
            for j in range(m):
                v = L[i, j]
                if v >= 0:
                    for c in range(k):
                        partial[b, j, v, c] += R[i, c]
    return partial.sum(axis=0)


def _weighted_vote_counts_numpy(L, R: np.ndarray) -> np.ndarray:
    """bincount adds the weights of a cell in row order, as the kernels do."""
    m, k = L.shape[1], R.shape[1]
    if issparse(L):
        voted = L.data >= 0
        rows, cells = _csr_rows(L)[voted], L.indices[voted].astype(np.int64) * k + L.data[voted]
    else:
        rows, cols = np.nonzero(L >= 0)
        cells = cols * k + L[rows, cols]
    out = np.stack([np.bincount(cells, weights=R[rows, c], minlength=m * k) for c in range(k)],
                   axis=1)
    return out.reshape(m, k, k).astype(np.float64, copy=False)  # no vote: int zeros


def weighted_vote_counts(L, R: np.ndarray) -> np.ndarray:
    """``(m, k, k)`` array ``out[j, v, c] = sum_i R[i, c] * [L[i, j] == v]``.

    With ``R`` the (weighted) class posteriors of the rows this is the expected
    number of times LF ``j`` voted ``v`` on items of class ``c``.
    """
    R = np.ascontiguousarray(R, dtype=np.float64)
    if not use_jit(_work(L)):
        return _weighted_vote_counts_numpy(L, R)
    if issparse(L):
        return _weighted_vote_counts_csr(L.indptr, L.indices, L.data, R, L.shape[1])
    return _weighted_vote_counts_dense(L, R, _chunks(L.shape[0]))


@jit(parallel=True)
def _one_coin_proba_dense(L, w, log_prior, fixes, bounds):
    n, m = L.shape
    k = log_prior.shape[0]
    out = np.empty((n, k), dtype=np.float64)
    n_chunks = bounds.shape[0] - 1
    scratch = np.zeros((n_chunks, k + 4))
    for b in prange(n_chunks):
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


@jit()
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


@jit(parallel=True)
def _one_coin_proba_csr(indptr, indices, data, w, log_prior, fixes):
    n = indptr.shape[0] - 1
    k = log_prior.shape[0]
    out = np.empty((n, k), dtype=np.float64)
    for i in prange(n):
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


def _lf_votes(L, j: int) -> np.ndarray:
    """Column ``j`` of a dense or CSR vote matrix, ``-1`` where it has no vote."""
    if not issparse(L):
        return L[:, j].astype(np.int64)
    out = np.full(L.shape[0], -1, dtype=np.int64)
    at = np.flatnonzero(L.indices == j)
    out[_csr_rows(L)[at]] = L.data[at]
    return out


def _one_coin_proba_numpy(L, w: np.ndarray, log_prior: np.ndarray, fixes: np.ndarray
                          ) -> np.ndarray:
    """The kernels' sums in their order: dense rows add the votes then the prior,
    CSR rows start from the prior."""
    n, k = L.shape[0], log_prior.shape[0]
    if issparse(L):  # bincount adds its weights in order: each row's prior, then its votes
        rows, votes, items = _csr_rows(L), L.data, np.arange(n, dtype=np.int64)
        out = np.stack([np.bincount(np.concatenate([items, rows[votes == c]]),
                                    np.concatenate([np.full(n, log_prior[c]),
                                                    w[L.indices[votes == c]]]), minlength=n)
                        for c in range(k)], axis=1)
    else:
        out = np.zeros((n, k))
        items = np.arange(n)
        for j in range(L.shape[1]):
            v = L[:, j]
            voted = v >= 0
            out[items[voted], v[voted]] += w[j]
    for a, f in fixes:  # the fixed LF's vote is taken back where its fixer votes
        va, vf = _lf_votes(L, a), _lf_votes(L, f)
        both = np.flatnonzero((va >= 0) & (vf >= 0))
        out[both, vf[both]] -= w[f]
    if not issparse(L):
        out = log_prior[None, :] + out
    return softmax_numpy(out)


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
    if not use_jit(_work(L)):
        return _one_coin_proba_numpy(L, w, log_prior, fixes)
    if issparse(L):
        return _one_coin_proba_csr(L.indptr, L.indices, L.data, w, log_prior, fixes)
    return _one_coin_proba_dense(L, w, log_prior, fixes, _chunks(L.shape[0]))


@jit()
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


def _pairwise_agreement_numpy(P, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sums over the pairs of votes of each row, as products of weighted indicators
    (the kernel's sums exactly when the weights are counts)."""
    n, m = P.shape
    rows = _csr_rows(P)
    votes = np.full((n, m), -1, dtype=np.int64)
    votes[rows, P.indices] = P.data
    voted = (votes >= 0).astype(np.float64)
    both = (voted * weights[:, None]).T @ voted
    agree = np.zeros((m, m))
    for c in np.unique(P.data):
        same = (votes == c).astype(np.float64)
        agree += (same * weights[:, None]).T @ same
    np.fill_diagonal(both, 0.0)
    np.fill_diagonal(agree, 0.0)
    return both, agree


def pairwise_agreement(P, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted ``(m, m)`` counts of rows where two LFs both vote, and where they agree.

    ``P`` is CSR without stored abstains (e.g. the distinct vote patterns of
    :class:`~wslib.vote_stats.VoteStats`) and ``weights`` its row counts.
    """
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    if not use_jit(P.shape[0] * P.shape[1]):
        return _pairwise_agreement_numpy(P, weights)
    return _pairwise_agreement_csr(P.indptr, P.indices, P.data, weights, P.shape[1])
