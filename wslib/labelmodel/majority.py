"""Majority vote: the baseline every label model must beat."""

from __future__ import annotations

import numpy as np

from wslib.kernels import row_vote_counts
from wslib.labelmodel.base import BaseLabelModel
from wslib.vote_stats import VoteStats
from wslib.matrix import VoteMatrix


class MajorityVote(BaseLabelModel):
    r"""Each item gets the class most LFs voted for.

    .. math:: P(y = c \mid L_i) \propto [\,\#\{j : L_{ij} = c\} = \max_{c'} \#\{j : L_{ij} = c'\}\,]

    Ties split the probability mass equally among the tied classes (use
    ``predict(tie_break=...)`` to choose a policy for hard labels). Items with
    no votes get ``class_balance_``: the prior passed to ``fit``, else the class
    shares of gold ``y_dev`` (add-one smoothed), else uniform. MajorityVote needs no
    estimation, so it works with any number of LFs.

    Parameters
    ----------
    cardinality, random_state
        As for every label model (:class:`~wslib.labelmodel.BaseLabelModel`).

    Examples
    --------
    >>> import numpy as np
    >>> from wslib.labelmodel import MajorityVote
    >>> L = np.array([[0, 0, 1], [1, -1, 1], [-1, -1, -1]])
    >>> MajorityVote().fit(L).predict_proba(L)
    array([[1. , 0. ],
           [0. , 1. ],
           [0.5, 0.5]])
    """

    _learned = ("class_balance_",)
    permutation_invariant = True

    def _fit(self, L: VoteMatrix, k: int, *, class_balance, y_dev, L_dev) -> None:
        self.class_balance_ = self._prior(k, class_balance, y_dev)

    def fit_stats(self, stats: VoteStats, *, class_balance=None) -> MajorityVote:
        """Set up from :class:`~wslib.vote_stats.VoteStats` (e.g. streamed): a majority
        vote needs only the number of classes and of LFs. Equals ``fit(L)``.

        >>> import numpy as np
        >>> from wslib.vote_stats import VoteStats
        >>> L = np.array([[0, 0, 1], [-1, -1, -1]])
        >>> MajorityVote().fit_stats(VoteStats.from_votes(L, 2), class_balance=[0.2, 0.8]
        ...                          ).predict_proba(L).tolist()
        [[1.0, 0.0], [0.2, 0.8]]
        """
        prior = self._check_stats(stats, class_balance)
        self._set_stats_shape(stats.cardinality, stats.n_sources)
        self.class_balance_ = self._prior(stats.cardinality, prior, None)
        return self

    def _predict_proba(self, L: VoteMatrix) -> np.ndarray:
        counts = row_vote_counts(L, self.cardinality_)
        top = counts.max(axis=1, keepdims=True)
        winners = (counts == top).astype(np.float64)
        covered = top[:, 0] > 0
        proba = np.empty(counts.shape, dtype=np.float64)
        proba[covered] = winners[covered] / winners[covered].sum(axis=1, keepdims=True)
        proba[~covered] = self.class_balance_
        return proba
