"""``filter_unlabeled_dataframe``: keep the items at least one LF voted on."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wslib.kernels import row_coverage
from wslib.matrix import check_votes

__all__ = ["filter_unlabeled_dataframe"]


def filter_unlabeled_dataframe(X: pd.DataFrame, y: np.ndarray, L: np.ndarray
                               ) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows of ``X`` and ``y`` (e.g. soft labels) whose row of ``L`` has a vote.

    >>> X = pd.DataFrame({"text": ["a", "b"]})
    >>> Xf, yf = filter_unlabeled_dataframe(X, np.array([[0.2, 0.8], [0.5, 0.5]]),
    ...                                     np.array([[1, -1], [-1, -1]]))
    >>> list(Xf.text), yf.tolist()
    (['a'], [[0.2, 0.8]])
    """
    votes, _ = check_votes(np.asarray(L))
    if not len(X) == len(y) == votes.shape[0]:
        raise ValueError(f"X has {len(X)} rows, y {len(y)} and L {votes.shape[0]}: they must "
                         "describe the same items in the same order")
    mask = row_coverage(votes) > 0
    return X.iloc[mask], y[mask]
