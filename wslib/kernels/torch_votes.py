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
``accumulate_scores(L, ...)``  :math:`s_{ic} = b_c + \sum_j W_{j L_{ij} c}` (or
                               :math:`A_{jc}` when LF ``j`` abstains), shape ``(n, k)``
``weighted_vote_counts(L, R)`` :math:`T_{jvc} = \sum_i R_{ic} [L_{ij} = v]`, shape ``(m, k, k)``
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

from typing import Any, Iterator

import numpy as np
import scipy.sparse as sp

from wslib.device import resolve_device
from wslib.endmodel._torch import require_torch
from wslib.matrix import to_dense

torch = require_torch()

__all__ = ["count_votes", "row_vote_counts", "row_coverage", "accumulate_scores",
           "weighted_vote_counts", "cooccurrence", "pairwise_agreement", "DEFAULT_BLOCK_ROWS"]

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


def accumulate_scores(L: Any, w_vote: Any, w_abstain: Any = None, base: Any = None, *,
                      device: Any = "cpu", block_rows: int = DEFAULT_BLOCK_ROWS) -> Any:
    """``(n, k)`` float64 scores of a conditionally independent model (see the table).

    ``w_vote`` is ``(m, k, k)`` indexed ``[LF, vote, class]``, ``w_abstain``
    ``(m, k)`` (zeros when omitted), ``base`` ``(k,)`` (zeros when omitted).
    With log-likelihood weights, ``torch.softmax(scores, 1)`` is the posterior.
    """
    dev = resolve_device(device)
    W = torch.as_tensor(np.asarray(w_vote, dtype=np.float64), device=dev)
    m, k, _ = W.shape
    A = torch.zeros((m, k), dtype=torch.float64, device=dev) if w_abstain is None else \
        torch.as_tensor(np.asarray(w_abstain, dtype=np.float64), device=dev)
    b = torch.zeros(k, dtype=torch.float64, device=dev) if base is None else \
        torch.as_tensor(np.asarray(base, dtype=np.float64), device=dev)
    # vote v of LF j adds W[j, v] - A[j]; every row starts from b + sum_j A[j]
    delta = (W - A[:, None, :]).reshape(m * k, k)
    start_row = b + A.sum(dim=0)
    out = torch.empty((L.shape[0], k), dtype=torch.float64, device=dev)
    for start, block in _blocks(L, dev, block_rows):
        out[start:start + block.shape[0]] = _onehot(block, k, torch.float64) @ delta + start_row
    return out


def weighted_vote_counts(L: Any, R: Any, *, device: Any = "cpu",
                         block_rows: int = DEFAULT_BLOCK_ROWS) -> Any:
    """``(m, k, k)`` float64 tensor ``T[j, v, c] = sum_i R[i, c] [L[i, j] == v]``
    (the M-step statistic of EM label models; ``R`` holds row weights per class)."""
    dev = resolve_device(device)
    Rt = torch.as_tensor(np.asarray(R, dtype=np.float64), device=dev)
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
    w = None if weights is None else \
        torch.as_tensor(np.asarray(weights, dtype=np.float64), device=dev)
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
