"""Triplet: closed-form accuracies from pairwise agreement (FlyingSquid-style), multi-class."""

from __future__ import annotations

import warnings

import numpy as np

from wslib._validation import check_above_chance, integer, number
from wslib.exceptions import CoverageWarning, user_stacklevel
from wslib.kernels.stats import pairwise_agreement
from wslib.labelmodel.base import BaseLabelModel
from wslib.vote_stats import DEFAULT_CAPACITY, VoteStats
from wslib.labelmodel.weighted import one_coin_weights, weighted_vote_proba
from wslib.matrix import VoteMatrix

__all__ = ["Triplet"]


class Triplet(BaseLabelModel):
    r"""Method-of-moments accuracies from agreement triplets, no iterations.

    Under the one-coin model (LF ``j`` votes the true class with probability
    :math:`a_j`, otherwise a uniformly chosen wrong class, independently of
    the other LFs given the class) the *centred agreement* of two LFs on the
    items where both vote factorises:

    .. math::

        M_{ij} = \frac{k \, P(L_i = L_j \mid \text{both vote}) - 1}{k - 1} = \nu_i \nu_j,
        \qquad \nu_j = \frac{k a_j - 1}{k - 1}

    so for any triplet :math:`\nu_i^2 = M_{ij} M_{il} / M_{jl}` in closed form
    (Fu et al., 2020, *Fast and three-rious: speeding up weak supervision with
    triplet methods*, ICML; their binary ``±1`` form is the case ``k = 2``;
    here it is native multi-class). ``Triplet`` takes, for each LF, the median
    of this estimate over triplets with LFs it overlaps most with, assumes LFs
    better than random (:math:`\nu \ge 0`), and predicts with the one-coin
    weighted vote of :class:`WeightedMajorityVote`. The agreement matrix is
    built from the distinct vote patterns, so the fit is one pass over ``L``.

    Use it when LFs vote for several classes and overlap a lot; it is fast and
    has no local optima. Unipolar LFs (one class each) break the symmetric
    error assumption: prefer :class:`LabelModel` or abstain-aware
    :class:`DawidSkene` for them.

    Parameters
    ----------
    cardinality, random_state
        As for every label model (:class:`~wslib.labelmodel.BaseLabelModel`).
    default_accuracy : float
        Accuracy of an LF that is in no usable triplet.
    min_overlap : int
        Items two LFs must both vote on for their agreement to be used.
    n_partners : int
        Partners per LF (those it overlaps most with) used to form triplets.
    max_patterns : int
        Distinct multi-vote patterns kept (see :class:`VoteStats`).

    Attributes
    ----------
    accuracy_, weights_ : ndarray (m,)
    class_balance_ : ndarray (k,)
        ``class_balance`` passed to ``fit``, else the class shares of gold ``y_dev``
        (add-one smoothed), else uniform.

    Examples
    --------
    >>> from wslib.datasets.synthetic import make_votes
    >>> from wslib.labelmodel import Triplet
    >>> data = make_votes(5000, 10, 3, coverage=(0.3, 0.8), random_state=0)
    >>> model = Triplet().fit(data.L)
    >>> bool(abs(model.accuracy_ - data.accuracy).mean() < 0.05)
    True
    """

    _learned = ("class_balance_", "accuracy_", "weights_")
    _per_source = ("accuracy_", "weights_")
    _min_sources = 3
    _parameter_constraints = {"default_accuracy": number(0, 1, open_low=True, open_high=True),
                              "min_overlap": integer(0), "n_partners": integer(2),
                              "max_patterns": integer(1)}
    permutation_invariant = False  # partners are the most-overlapping LFs: ties go by column

    def __init__(self, cardinality: int | None = None, random_state: int = 0, *,
                 default_accuracy: float = 0.7, min_overlap: int = 10, n_partners: int = 20,
                 max_patterns: int = DEFAULT_CAPACITY):
        super().__init__(cardinality=cardinality, random_state=random_state)
        self.default_accuracy = default_accuracy
        self.min_overlap = min_overlap
        self.n_partners = n_partners
        self.max_patterns = max_patterns

    def _fit(self, L: VoteMatrix, k: int, *, class_balance, y_dev, L_dev) -> None:
        check_above_chance("default_accuracy", self.default_accuracy, k)
        P, w = VoteStats._from_checked(L, k, self.max_patterns).compressed()
        both, agree = pairwise_agreement(P, w)
        usable = both >= max(self.min_overlap, 1)
        M = np.where(usable, (k * agree / np.maximum(both, 1.0) - 1.0) / (k - 1), np.nan)
        m = L.shape[1]
        nu = np.full(m, np.nan)
        for i in range(m):  # m small problems of size n_partners^2; independent of n
            partners = np.flatnonzero(usable[i])
            partners = partners[np.argsort(-both[i, partners], kind="stable")][:self.n_partners]
            if partners.size < 2:
                continue
            num = np.outer(M[i, partners], M[i, partners])
            den = M[np.ix_(partners, partners)]
            ok = np.isfinite(den) & (np.abs(den) > 1e-3) & ~np.eye(partners.size, dtype=bool)
            if ok.any():
                nu[i] = np.sqrt(np.clip(np.median(num[ok] / den[ok]), 0.0, 1.0))
        acc = np.where(np.isnan(nu), self.default_accuracy, (1.0 + (k - 1) * nu) / k)
        if np.isnan(nu).any():
            warnings.warn(f"Triplet: LFs {np.flatnonzero(np.isnan(nu)).tolist()[:20]} share "
                          f"{self.min_overlap}+ votes with fewer than two other LFs; their "
                          f"accuracy is default_accuracy={self.default_accuracy:g}, not an "
                          "estimate (lower min_overlap, or use LabelModel)", CoverageWarning,
                          stacklevel=user_stacklevel())
        self.class_balance_ = self._prior(k, class_balance, y_dev)
        self.accuracy_, self.weights_ = one_coin_weights(acc, k)

    def _predict_proba(self, L: VoteMatrix) -> np.ndarray:
        return weighted_vote_proba(L, self.weights_, self.class_balance_)
