"""What the label models add to the vote-matrix statistics: checks of a fit from them.

:class:`VoteStats` (the mergeable pattern statistics a model fits from) lives in
:mod:`wslib.vote_stats`, below the layers that fill it (``apply_parquet``,
``vote_stats_dask``); it is re-exported here.

Example
-------
>>> import numpy as np
>>> from wslib.labelmodel.stats import VoteStats, check_dev_set
>>> s = VoteStats.from_votes(np.array([[0, 0], [1, -1]]), 2)
>>> check_dev_set(s, None, None, need_votes=True)
(None, None)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wslib._validation import check_params
from wslib.matrix import VoteMatrix, check_votes
from wslib.metrics import check_labels
from wslib.vote_stats import DEFAULT_CAPACITY, VoteStats

__all__ = ["DEFAULT_CAPACITY", "VoteStats", "check_dev_set", "check_stats_fit"]


def check_stats_fit(model: Any, owner: type) -> None:
    """Refuse ``owner.fit_stats`` on a subclass that estimates differently in its own
    ``_fit`` (e.g. MatrixCompletion under DawidSkene): it would fit the wrong model."""
    if type(model)._fit is not owner._fit:
        raise TypeError(f"{type(model).__name__} cannot be fitted from streamed statistics: "
                        f"it estimates its parameters in fit and does not implement "
                        f"fit_stats (only its parent {owner.__name__} does); fit it in memory")
    check_params(model)


def check_dev_set(stats: VoteStats, y_dev: Any, L_dev: Any, *, need_votes: bool
                  ) -> tuple[np.ndarray | None, VoteMatrix | None]:
    """Validate a gold-labelled dev set given to a fit from statistics.

    ``L_dev`` must have the statistics' LFs and ``y_dev`` one label per row of
    it. Without ``L_dev``, ``y_dev`` is a set of gold labels (``-1`` =
    unlabelled) with no votes, which only a model that reads class counts
    accepts (``need_votes=False``).
    """
    k, m = stats.cardinality, stats.n_sources
    if y_dev is None:
        if L_dev is not None:
            raise ValueError("L_dev was given without y_dev; pass the gold labels of L_dev")
        return None, None
    if L_dev is None:
        if need_votes:
            raise ValueError("y_dev was given without L_dev: statistics keep no rows to align "
                             "the gold labels with; pass L_dev, the votes on the labelled rows")
        return check_labels(y_dev, cardinality=k, name="y_dev", allow_abstain=True), None
    L_dev, _ = check_votes(L_dev, cardinality=k, n_sources=m, name="L_dev")
    return check_labels(y_dev, n=L_dev.shape[0], cardinality=k, name="y_dev"), L_dev
