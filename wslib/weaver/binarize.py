"""Binarize normalized verifier scores into 0/1 votes (``-1`` where missing).

Weaver's label model works on binary votes. A threshold per verifier is chosen
without gold: either one global value on the normalized scale (the published
pipeline uses 0.5 after min-max scaling), or the ``(1 - rate)`` quantile of the
verifier's own scores so that every verifier votes "correct" on a share
``rate`` of candidates, the estimated share of correct candidates.

Example
-------
>>> import numpy as np
>>> from wslib.weaver.binarize import binarize, thresholds_for_rate
>>> u = np.array([[0.1, 0.9], [0.4, np.nan], [0.8, 0.2], [0.95, 0.6]])
>>> thresholds_for_rate(u, 0.5).round(3).tolist()
[0.6, 0.6]
>>> binarize(u, 0.5).tolist()
[[0, 1], [0, -1], [1, 0], [1, 1]]
"""

from __future__ import annotations

import numpy as np

__all__ = ["binarize", "thresholds_for_rate"]


def binarize(normalized: np.ndarray, threshold: float | np.ndarray) -> np.ndarray:
    """Votes ``1`` where the score exceeds ``threshold`` (scalar or per column), ``0``
    at or below it, ``-1`` where the score is missing (int8, n x m)."""
    normalized = np.asarray(normalized, dtype=np.float64)
    votes = (normalized > np.asarray(threshold, dtype=np.float64)).astype(np.int8)
    votes[np.isnan(normalized)] = -1
    return votes


def thresholds_for_rate(normalized: np.ndarray, rate: float) -> np.ndarray:
    """Per-column thresholds leaving a share ``rate`` of observed scores above them."""
    if not 0.0 < rate < 1.0:
        raise ValueError(f"positive rate must lie in (0, 1), got {rate}")
    normalized = np.asarray(normalized, dtype=np.float64)
    out = np.full(normalized.shape[1], 0.5)
    has = ~np.all(np.isnan(normalized), axis=0)
    out[has] = np.nanquantile(normalized[:, has], 1.0 - rate, axis=0)
    return out
