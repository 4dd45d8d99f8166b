r"""Batch-LF kernels over tensors, on any torch ``device``: thresholds and embedding similarity.

The torch side of :func:`wslib.lf.threshold_lf` and :func:`wslib.lf.similarity_lf`
with ``device=``: a column of scores or embeddings is moved to the device in
blocks of ``block_rows`` rows and compared there, so embeddings computed on a
GPU (or a batch larger than GPU memory) are labelled where they live.

==================================  ==============================================
``threshold_hits(x, t, op)``         :math:`x_i \mathbin{op} t` (NaN: False), bool ``(n,)``
``max_cosine(E, P)``                 :math:`\max_p \frac{E_i \cdot P_p}{\lVert E_i \rVert}`
                                     for unit-norm prototypes ``P``; ``-inf`` where
                                     :math:`E_i = 0`; float64 ``(n,)``
==================================  ==============================================

Both return tensors on the device and equal the NumPy expressions of the LF
templates (float64 throughout; a similarity within rounding of the threshold
is the only place the two could disagree).

Example
-------
>>> import numpy as np
>>> from wslib.kernels.torch_lf import max_cosine
>>> max_cosine(np.array([[3.0, 4.0], [0.0, 0.0]]), np.array([[1.0, 0.0]]), device="cpu").tolist()
[0.6, -inf]
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from wslib.device import require_torch, resolve_device

torch = require_torch()

__all__ = ["max_cosine", "threshold_hits"]

#: rows moved to the device at a time
DEFAULT_BLOCK_ROWS = 65_536


def _row_blocks(x: Any, dev: Any, block_rows: int):
    if int(block_rows) != block_rows or block_rows < 1:
        raise ValueError(f"block_rows must be a positive integer, got {block_rows!r}")
    for start in range(0, x.shape[0], int(block_rows)):
        block = x[start:start + int(block_rows)]
        if not isinstance(block, torch.Tensor):  # a float64 copy: read-only columns are common
            block = torch.from_numpy(np.array(block, dtype=np.float64))
        yield start, block.to(device=dev, dtype=torch.float64)


def threshold_hits(values: Any, threshold: float, op: Callable[[Any, Any], Any] = operator.ge,
                   *, device: Any = "cpu", block_rows: int = DEFAULT_BLOCK_ROWS) -> Any:
    """``(n,)`` bool tensor ``op(values, threshold)`` (``op`` from :mod:`operator`);
    NaN compares False."""
    dev = resolve_device(device)
    out = torch.empty(values.shape[0], dtype=torch.bool, device=dev)
    for start, block in _row_blocks(values, dev, block_rows):
        out[start:start + block.shape[0]] = op(block, threshold)
    return out


def max_cosine(embeddings: Any, prototypes: Any, *, device: Any = "cpu",
               block_rows: int = DEFAULT_BLOCK_ROWS) -> Any:
    """``(n,)`` float64 tensor: each row's best cosine similarity to the unit-norm
    ``prototypes`` ``(p, d)``; ``-inf`` for a zero row (it is similar to nothing)."""
    dev = resolve_device(device)
    P = torch.as_tensor(prototypes, dtype=torch.float64, device=dev)
    out = torch.empty(embeddings.shape[0], dtype=torch.float64, device=dev)
    for start, E in _row_blocks(embeddings, dev, block_rows):
        norm = torch.linalg.vector_norm(E, dim=1)
        best = (E @ P.T).amax(dim=1)
        out[start:start + E.shape[0]] = torch.where(norm > 0, best / norm, -torch.inf)
    return out
