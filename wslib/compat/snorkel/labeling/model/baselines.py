"""Snorkel's baseline label models: majority label, majority class, random.

``MajorityLabelVoter`` is wslib's :class:`~wslib.labelmodel.MajorityVote`
(no ``fit`` needed, as in Snorkel): tied classes share the mass, and a row
without votes is uniform, so ``predict`` abstains there by default.
"""

from __future__ import annotations

import warnings

import numpy as np

from wslib.compat.snorkel.labeling.model.base_labeler import BaseLabeler, as_votes
from wslib.exceptions import CoverageWarning
from wslib.labelmodel import MajorityVote
from wslib.matrix import check_votes

__all__ = ["MajorityClassVoter", "MajorityLabelVoter", "RandomVoter"]


class MajorityLabelVoter(BaseLabeler):
    """The class most LFs vote for.

    >>> L = np.array([[0, 0, -1], [-1, 0, 1], [1, -1, 0]])
    >>> MajorityLabelVoter().predict_proba(L)
    array([[1. , 0. ],
           [0.5, 0.5],
           [0.5, 0.5]])
    """

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """Soft labels: the share of each class among the tied top classes of a row."""
        votes, _ = check_votes(as_votes(L), cardinality=self.cardinality)
        with warnings.catch_warnings():  # rows without votes are uniform: Snorkel's meaning
            warnings.simplefilter("ignore", CoverageWarning)
            model = MajorityVote(cardinality=self.cardinality).fit(votes)
        return model.predict_proba(votes)


class MajorityClassVoter(BaseLabeler):
    """Every row gets the most frequent class of ``balance`` (given to :meth:`fit`).

    >>> model = MajorityClassVoter()
    >>> model.fit(balance=np.array([0.8, 0.2])).predict_proba(np.array([[0, 1, -1]]))
    array([[1., 0.]])
    """

    def fit(self, balance: np.ndarray, *args: object, **kwargs: object) -> MajorityClassVoter:
        """Remember the class balance; returns ``self``."""
        self.balance = np.asarray(balance, dtype=float)
        return self

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """One row per item: the top classes of ``balance`` share the mass."""
        self._check_fitted("balance")
        top = (self.balance == self.balance.max()).astype(float)
        return np.tile(top / top.sum(), (np.shape(L)[0], 1))

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"balance": self.balance} if "balance" in vars(self) else {}

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        if "balance" in arrays:
            self.balance = arrays["balance"]


class RandomVoter(BaseLabeler):
    """Random soft labels (NumPy's global generator, as in Snorkel)."""

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """``(n, k)`` rows drawn uniformly and normalized."""
        probs = np.random.rand(np.shape(L)[0], self.cardinality)
        return probs / probs.sum(axis=1, keepdims=True)
