r"""Vote-matrix statistics in torch, on any ``device``: the GPU twins of the numba kernels.

Each function takes a vote matrix (dense NumPy array, ``scipy.sparse`` CSR or
a torch tensor; ``-1`` = abstain), processes it in blocks of ``block_rows``
rows on ``device`` (so a matrix larger than GPU memory streams through), and
returns a torch tensor on that device. On the CPU they equal the numba
kernels of :mod:`wslib.kernels` (integers exactly, floats to rounding):

=============================  ======================================================
``count_votes(L, k)``          :math:`C_{jv} = \#\{i : L_{ij} = v\}`, shape ``(m, k)``
``row_vote_counts(L, k)``      :math:`N_{ic} = \#\{j : L_{ij} = c\}`, shape ``(n, k)``
``row_coverage(L)``            votes per row, shape ``(n,)``
``onehot(L, k)``                the one-hot votes :math:`Z`, shape ``(n, mk)``
``score_weights(W, A, b)``     ``(delta, start)``: the scores are ``Z @ delta + start``
``accumulate_scores(L, ...)``  :math:`s_{ic} = b_c + \sum_j W_{j L_{ij} c}` (or
                               :math:`A_{jc}` when LF ``j`` abstains), shape ``(n, k)``
``posterior(L, ...)``          ``softmax`` of the scores, row by row (the soft labels)
``one_coin_posterior(L, w, b)`` the one-coin weighted vote :math:`P_{ic} \propto
                               \exp(b_c + \sum_{j : L_{ij} = c} w_j)`, shape ``(n, k)``
``weighted_vote_counts(L, R)`` :math:`T_{jvc} = \sum_i R_{ic} [L_{ij} = v]`, shape ``(m, k, k)``
``pattern_hashes(L, k)``       per row: 64-bit hash of its votes, vote count, first vote
``pattern_blocks(L, k, cap)``  per block: the compressed-pattern summary of ``VoteStats``
``cooccurrence(L, k)``         :math:`O = Z^\top Z` with :math:`Z` the one-hot votes
                               (``n x mk``), shape ``(mk, mk)``: rows where LF ``a``
                               voted ``u`` and LF ``b`` voted ``v``
``pairwise_agreement(L, k)``   ``(m, m)`` rows where two LFs both vote / agree
=============================  ======================================================

The device is resolved by :func:`wslib.device.resolve_device`: an unavailable
one (``"cuda"`` without CUDA) raises instead of silently using the CPU.

Example
-------
>>> import numpy as np
>>> from wslib.kernels.torch_votes import count_votes
>>> count_votes(np.array([[0, 1], [0, -1]]), 2, device="cpu").tolist()
[[2, 0], [0, 1]]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from wslib.device import resolve_device
from wslib.endmodel._torch import require_torch
from wslib.matrix import to_dense

torch = require_torch()

__all__ = [
    "DEFAULT_BLOCK_ROWS",
    "PatternBlock",
    "accumulate_scores",
    "cooccurrence",
    "count_votes",
    "one_coin_posterior",
    "onehot",
    "pairwise_agreement",
    "pattern_blocks",
    "pattern_hashes",
    "posterior",
    "row_coverage",
    "row_vote_counts",
    "score_weights",
    "weighted_vote_counts",
]

#: rows moved to the device and expanded at a time
DEFAULT_BLOCK_ROWS = 131_072


def _blocks(L: Any, dev: Any, block_rows: int) -> Iterator[tuple[int, Any]]:
    """``(start, int64 tensor block on dev)`` over the rows of ``L``."""
    if int(block_rows) != block_rows or block_rows < 1:
        raise ValueError(f"block_rows must be a positive integer, got {block_rows!r}")
    n = L.shape[0]
    for start in range(0, n, int(block_rows)):
        block = L[start:start + int(block_rows)]
        if isinstance(block, torch.Tensor):
            t = block
        elif sp.issparse(block):
            t = torch.from_numpy(to_dense(block))
        else:  # a writable copy of the compact block (read-only memmaps are common)
            t = torch.from_numpy(np.array(block, order="C"))
        yield start, t.to(dev).to(torch.int64)


def _onehot(block: Any, k: int, dtype: Any) -> Any:
    """``(b, m*k)`` one-hot votes of a block (abstains are all-zero)."""
    b, m = block.shape
    out = torch.zeros((b, m * k), dtype=dtype, device=block.device)
    voted = block >= 0
    cols = torch.arange(m, device=block.device) * k + block.clamp(min=0)
    out.scatter_(1, cols, voted.to(dtype))
    return out


def count_votes(L: Any, k: int, *, device: Any = "cpu", block_rows: int = DEFAULT_BLOCK_ROWS
                ) -> Any:
    """``(m, k)`` int64 tensor: how many times each LF voted each class."""
    dev = resolve_device(device)
    m = L.shape[1]
    out = torch.zeros(m * k, dtype=torch.int64, device=dev)
    cells = torch.arange(m, device=dev) * k
    for _, block in _blocks(L, dev, block_rows):
        voted = block >= 0
        out += torch.bincount((cells + block)[voted], minlength=m * k)
    return out.reshape(m, k)


def row_vote_counts(L: Any, k: int, *, device: Any = "cpu",
                    block_rows: int = DEFAULT_BLOCK_ROWS) -> Any:
    """``(n, k)`` int32 tensor: how many LFs voted each class on each row."""
    dev = resolve_device(device)
    out = torch.zeros((L.shape[0], k), dtype=torch.int32, device=dev)
    for start, block in _blocks(L, dev, block_rows):
        out[start:start + block.shape[0]].scatter_add_(
            1, block.clamp(min=0), (block >= 0).to(torch.int32))
    return out


def row_coverage(L: Any, *, device: Any = "cpu", block_rows: int = DEFAULT_BLOCK_ROWS) -> Any:
    """``(n,)`` int32 tensor: number of non-abstaining LFs on each row."""
    dev = resolve_device(device)
    out = torch.empty(L.shape[0], dtype=torch.int32, device=dev)
    for start, block in _blocks(L, dev, block_rows):
        out[start:start + block.shape[0]] = (block >= 0).sum(dim=1, dtype=torch.int32)
    return out


def _f64(x: Any, dev: Any) -> Any:
    """``x`` (array, tensor or number) as a float64 tensor on ``dev``."""
    return torch.as_tensor(x, dtype=torch.float64, device=dev)


def onehot(L: Any, k: int, *, device: Any = "cpu", block_rows: int = DEFAULT_BLOCK_ROWS
           ) -> Any:
    """``(n, m*k)`` float64 tensor ``Z`` of one-hot votes (``Z[i, j*k + v] = [L[i, j] = v]``):
    for a small matrix used many times, e.g. the distinct vote patterns of an EM fit."""
    dev = resolve_device(device)
    out = torch.empty((L.shape[0], L.shape[1] * k), dtype=torch.float64, device=dev)
    for start, block in _blocks(L, dev, block_rows):
        out[start:start + block.shape[0]] = _onehot(block, k, torch.float64)
    return out


def score_weights(w_vote: Any, w_abstain: Any = None, base: Any = None, *,
                  device: Any = "cpu") -> tuple[Any, Any]:
    """``(delta, start)`` with ``onehot(L) @ delta + start == accumulate_scores(L, ...)``:
    vote ``v`` of LF ``j`` adds ``W[j, v] - A[j]``; every row starts from ``b + sum_j A[j]``."""
    dev = resolve_device(device)
    W = _f64(w_vote, dev)
    m, k, _ = W.shape
    A = torch.zeros((m, k), dtype=torch.float64, device=dev) if w_abstain is None else \
        _f64(w_abstain, dev)
    b = torch.zeros(k, dtype=torch.float64, device=dev) if base is None else _f64(base, dev)
    return (W - A[:, None, :]).reshape(m * k, k), b + A.sum(dim=0)


def _scores(L: Any, w_vote: Any, w_abstain: Any, base: Any, device: Any, block_rows: int,
            transform: Any = None) -> Any:
    """``(n, k)`` scores of a conditionally independent model (``transform``-ed per block)."""
    dev = resolve_device(device)
    delta, start_row = score_weights(w_vote, w_abstain, base, device=dev)
    k = delta.shape[1]
    out = torch.empty((L.shape[0], k), dtype=torch.float64, device=dev)
    for start, block in _blocks(L, dev, block_rows):
        scores = _onehot(block, k, torch.float64) @ delta + start_row
        out[start:start + block.shape[0]] = scores if transform is None else transform(scores)
    return out


def accumulate_scores(L: Any, w_vote: Any, w_abstain: Any = None, base: Any = None, *,
                      device: Any = "cpu", block_rows: int = DEFAULT_BLOCK_ROWS) -> Any:
    """``(n, k)`` float64 scores of a conditionally independent model (see the table).

    ``w_vote`` is ``(m, k, k)`` indexed ``[LF, vote, class]``, ``w_abstain``
    ``(m, k)`` (zeros when omitted), ``base`` ``(k,)`` (zeros when omitted);
    arrays or tensors. With log-likelihood weights, ``torch.softmax(scores, 1)``
    is the posterior (:func:`posterior` computes it block by block).
    """
    return _scores(L, w_vote, w_abstain, base, device, block_rows)


def posterior(L: Any, w_vote: Any, w_abstain: Any = None, base: Any = None, *,
              device: Any = "cpu", block_rows: int = DEFAULT_BLOCK_ROWS) -> Any:
    """``(n, k)`` float64 tensor: ``softmax`` of :func:`accumulate_scores`, one block at a
    time (the numba twin is ``softmax_rows(accumulate_scores(...))``)."""
    return _scores(L, w_vote, w_abstain, base, device, block_rows,
                   lambda scores: torch.softmax(scores, dim=1))


def one_coin_posterior(L: Any, w: Any, log_prior: Any, fixes: Any = None, *,
                       device: Any = "cpu", block_rows: int = DEFAULT_BLOCK_ROWS) -> Any:
    """``(n, k)`` float64 tensor: the one-coin weighted vote (twin of the numba
    ``one_coin_proba``): ``P[i, c] ∝ exp(log_prior[c] + sum_{j : L[i, j] = c} w[j])``.

    Each row ``(a, b)`` of ``fixes`` takes LF ``b``'s vote back out of the score where
    LF ``a`` also votes (every pair on the original votes, as the numba kernel does).
    """
    dev = resolve_device(device)
    wt, b = _f64(w, dev), _f64(log_prior, dev)
    m, k = wt.shape[0], b.shape[0]
    pairs = [] if fixes is None else [(int(a), int(f)) for a, f in np.reshape(fixes, (-1, 2))]
    # vote v of LF j adds w[j] to class v: W[j, v, c] = w[j] [v == c]
    W = (wt[:, None, None] * torch.eye(k, dtype=torch.float64, device=dev)).reshape(m * k, k)
    out = torch.empty((L.shape[0], k), dtype=torch.float64, device=dev)
    for start, block in _blocks(L, dev, block_rows):
        scores = _onehot(block, k, torch.float64) @ W + b
        for a, f in pairs:  # a handful of learned pairs, each one vectorised over the block
            both = (block[:, a] >= 0) & (block[:, f] >= 0)
            scores.scatter_add_(1, block[:, f:f + 1].clamp(min=0), -(wt[f] * both)[:, None])
        out[start:start + block.shape[0]] = torch.softmax(scores, dim=1)
    return out


def weighted_vote_counts(L: Any, R: Any, *, device: Any = "cpu",
                         block_rows: int = DEFAULT_BLOCK_ROWS) -> Any:
    """``(m, k, k)`` float64 tensor ``T[j, v, c] = sum_i R[i, c] [L[i, j] == v]``
    (the M-step statistic of EM label models; ``R`` holds row weights per class)."""
    dev = resolve_device(device)
    Rt = _f64(R, dev)
    m, k = L.shape[1], Rt.shape[1]
    out = torch.zeros((m * k, k), dtype=torch.float64, device=dev)
    for start, block in _blocks(L, dev, block_rows):
        out += _onehot(block, k, torch.float64).T @ Rt[start:start + block.shape[0]]
    return out.reshape(m, k, k)


def cooccurrence(L: Any, k: int, *, weights: Any = None, device: Any = "cpu",
                 block_rows: int = DEFAULT_BLOCK_ROWS) -> Any:
    """``(m*k, m*k)`` float64 tensor ``O = Z^T diag(w) Z`` (``w``: row weights, default 1).

    ``O[a*k + u, b*k + v]`` counts rows where LF ``a`` voted ``u`` and LF ``b``
    voted ``v``; its diagonal blocks hold each LF's class counts.
    """
    dev = resolve_device(device)
    m = L.shape[1]
    w = None if weights is None else _f64(weights, dev)
    out = torch.zeros((m * k, m * k), dtype=torch.float64, device=dev)
    for start, block in _blocks(L, dev, block_rows):
        Z = _onehot(block, k, torch.float64)
        Zw = Z if w is None else Z * w[start:start + block.shape[0], None]
        out += Zw.T @ Z
    return out


def pairwise_agreement(L: Any, k: int, *, weights: Any = None, device: Any = "cpu",
                       block_rows: int = DEFAULT_BLOCK_ROWS) -> tuple[Any, Any]:
    """``(m, m)`` weighted counts of rows where two LFs both vote, and where they agree
    (zero diagonal), from :func:`cooccurrence`."""
    O = cooccurrence(L, k, weights=weights, device=device, block_rows=block_rows)
    m = L.shape[1]
    blocks = O.reshape(m, k, m, k)
    both = blocks.sum(dim=(1, 3))
    agree = torch.diagonal(blocks, dim1=1, dim2=3).sum(dim=2)
    eye = torch.eye(m, dtype=torch.bool, device=O.device)
    return both.masked_fill(eye, 0.0), agree.masked_fill(eye, 0.0)


# ----------------------------------------------------------------------------- vote patterns
_MASK64 = (1 << 64) - 1


def _signed(x: int) -> int:
    """A 64-bit unsigned constant as the int64 with the same bits."""
    return x - (1 << 64) if x >= 1 << 63 else x


_GOLDEN, _MIX1, _MIX2 = (_signed(int(c)) for c in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9,
                                                   0x94D049BB133111EB))
_SIGN = _signed(1 << 63)


def _shr(z: Any, s: int) -> Any:
    """Logical right shift of int64 bits (torch's ``>>`` is arithmetic)."""
    return (z >> s) & ((1 << (64 - s)) - 1)


def _splitmix(z: Any) -> Any:
    """SplitMix64 finaliser on int64 tensors (wrapping arithmetic = uint64 bits)."""
    z = z + _GOLDEN
    z = (z ^ _shr(z, 30)) * _MIX1
    z = (z ^ _shr(z, 27)) * _MIX2
    return z ^ _shr(z, 31)


def _cell_keys(m: int, k: int, dev: Any) -> Any:
    from wslib.kernels.stats import _cell_keys as numba_keys

    return torch.from_numpy(numba_keys(m, k).view(np.int64)).to(dev)


def _hash_block(block: Any, keys: Any, k: int) -> tuple[Any, Any, Any]:
    """``(hash bits as int64, votes, first vote j*k+v or -1)`` of each row of a block."""
    m = block.shape[1]
    # (rows, m) key of each cell; an abstain reads key 0, the XOR identity
    cells = keys.reshape(-1)[torch.arange(m, device=block.device) * (k + 1) + block + 1]
    acc = cells[:, 0].clone()
    for j in range(1, m):  # XOR-reduce over the LF columns (torch has no XOR reduction)
        acc ^= cells[:, j]
    voted = block >= 0
    nv = voted.sum(dim=1, dtype=torch.int32)
    j = voted.to(torch.int8).argmax(dim=1)  # first voting LF (0 when none)
    v = block.gather(1, j[:, None])[:, 0]
    first = torch.where(nv > 0, j * k + v, -1)
    return _splitmix(acc), nv, first


def pattern_hashes(L: Any, k: int, *, device: Any = "cpu", block_rows: int = DEFAULT_BLOCK_ROWS
                   ) -> tuple[Any, Any, Any]:
    """Twin of the numba ``pattern_hashes``: per row the 64-bit pattern hash (its bits in an
    int64 tensor; ``.numpy().view(np.uint64)`` gives the numba values), the number of votes
    and the first vote ``j * k + v`` (``-1`` for an all-abstain row)."""
    dev = resolve_device(device)
    keys = _cell_keys(L.shape[1], k, dev)
    n = L.shape[0]
    h = torch.empty(n, dtype=torch.int64, device=dev)
    nv = torch.empty(n, dtype=torch.int32, device=dev)
    first = torch.empty(n, dtype=torch.int64, device=dev)
    for start, block in _blocks(L, dev, block_rows):
        stop = start + block.shape[0]
        h[start:stop], nv[start:stop], first[start:stop] = _hash_block(block, keys, k)
    return h, nv, first


@dataclass
class PatternBlock:
    """Compressed-pattern summary of one block of rows (NumPy, on the host).

    ``hashes`` (uint64, ascending) are the block's ``capacity`` smallest distinct
    multi-vote pattern hashes, ``counts`` their rows, ``patterns`` one dense
    row of votes each; ``singles[j * k + v]`` counts rows whose only vote is
    LF ``j`` voting ``v``. :class:`~wslib.labelmodel.vote_stats.VoteStats` merges them.
    """

    n_rows: int
    n_empty: int
    n_multi: int
    singles: np.ndarray
    hashes: np.ndarray
    counts: np.ndarray
    patterns: np.ndarray


def pattern_blocks(L: Any, k: int, capacity: int, *, device: Any = "cpu",
                   block_rows: int = DEFAULT_BLOCK_ROWS) -> Iterator[PatternBlock]:
    """One :class:`PatternBlock` per block of ``block_rows`` rows, reduced on ``device``:
    hashing, the distinct-pattern sort and the counts run there; only the
    summary (at most ``capacity`` patterns) comes back to the host."""
    dev = resolve_device(device)
    m = L.shape[1]
    keys = _cell_keys(m, k, dev)
    for _, block in _blocks(L, dev, block_rows):
        h, nv, first = _hash_block(block, keys, k)
        multi = torch.nonzero(nv >= 2)[:, 0]
        # flipping the sign bit maps unsigned order onto int64 order
        uniq, inverse, counts = torch.unique(h[multi] ^ _SIGN, sorted=True, return_inverse=True,
                                             return_counts=True)
        rep = torch.full((uniq.shape[0],), block.shape[0], dtype=torch.int64, device=dev)
        rep.scatter_reduce_(0, inverse, torch.arange(multi.shape[0], device=dev), "amin")
        keep = slice(0, int(capacity))
        yield PatternBlock(
            n_rows=int(block.shape[0]), n_empty=int((nv == 0).sum()), n_multi=int(multi.shape[0]),
            singles=torch.bincount(first[nv == 1], minlength=m * k).cpu().numpy(),
            hashes=(uniq[keep] ^ _SIGN).cpu().numpy().view(np.uint64),
            counts=counts[keep].cpu().numpy().astype(np.int64),
            patterns=block[multi[rep[keep]]].cpu().numpy())
