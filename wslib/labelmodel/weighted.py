"""Weighted majority vote: each LF's vote counts with the log-odds of its accuracy."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from wslib._validation import check_above_chance, number
from wslib.kernels import count_votes, row_coverage
from wslib.kernels.stats import one_coin_proba
from wslib.labelmodel.base import BaseLabelModel
from wslib.labelmodel.base import check_dev_set
from wslib.vote_stats import VoteStats
from wslib.matrix import VoteMatrix, check_votes

__all__ = ["DevEvidence", "WeightedMajorityVote", "accuracy_to_weight", "dev_evidence",
           "one_coin_weights", "weighted_vote_proba"]


def accuracy_to_weight(accuracy: np.ndarray, k: int) -> np.ndarray:
    """One-coin log-odds ``log(a (k-1) / (1-a))``: the evidence a vote of an LF with accuracy ``a`` gives."""
    a = np.clip(np.asarray(accuracy, dtype=np.float64), 1e-3, 1 - 1e-3)
    return np.log(a * (k - 1)) - np.log1p(-a)


def one_coin_weights(accuracy: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Accuracies clipped to ``[0.001, 0.999]`` and their vote weights
    (:func:`accuracy_to_weight`), as the one-coin models store them."""
    accuracy = np.clip(accuracy, 1e-3, 1 - 1e-3)
    return accuracy, accuracy_to_weight(accuracy, k)


def weighted_vote_proba(L: VoteMatrix, weights: np.ndarray, class_balance: np.ndarray
                        ) -> np.ndarray:
    r"""One-coin posterior :math:`P(y = c \mid L_i) \propto \pi_c \exp(\sum_{j : L_{ij} = c} w_j)`."""
    with np.errstate(divide="ignore"):  # a class of prior 0 gets -inf: never chosen
        log_prior = np.log(class_balance)
    return one_coin_proba(L, weights, log_prior)


class WeightedMajorityVote(BaseLabelModel):
    r"""Weighted vote under the one-coin model: LF ``j`` is right with probability :math:`a_j`.

    .. math::

        P(y = c \mid L_i) \propto \pi_c \exp\Big(\sum_{j : L_{ij} = c} w_j\Big),
        \qquad w_j = \log \frac{a_j (k - 1)}{1 - a_j}

    which is the exact posterior when each LF, when it votes, is correct with
    probability :math:`a_j` and otherwise picks a wrong class uniformly
    (Nitzan & Paroush, 1982, *Optimal decision rules in uncertain dichotomous
    choice situations*, International Economic Review 23(2)). Abstains are
    missing data. The accuracies come from, in order: the ``accuracy``
    hyper-parameter; gold labels ``y_dev`` passed to ``fit`` (smoothed
    per-LF accuracy on the dev rows); otherwise every LF gets
    ``default_accuracy`` (then it is a soft majority vote). :class:`LabelModel`
    learns them without labels.

    Parameters
    ----------
    cardinality, random_state
        As for every label model (:class:`~wslib.labelmodel.BaseLabelModel`).
    accuracy : array of shape (m,), optional
        Known per-LF accuracies in (0, 1).
    default_accuracy : float
        Accuracy assumed for LFs without evidence.
    prior_strength : float
        Pseudo-votes at ``default_accuracy`` added to each LF's dev evidence
        (Beta prior), so an LF with two dev votes is not trusted blindly.

    Attributes
    ----------
    accuracy_ : ndarray (m,)
    weights_ : ndarray (m,)
    class_balance_ : ndarray (k,)
        The prior used in the posterior: ``class_balance`` given to ``fit``, else the
        class shares of gold ``y_dev`` (add-one smoothed), else uniform (vote-based
        prior estimates are biased by unequal LF coverage).

    Examples
    --------
    >>> import numpy as np
    >>> from wslib.labelmodel import WeightedMajorityVote
    >>> L = np.array([[0, 1, 1], [0, -1, 1]])
    >>> model = WeightedMajorityVote(accuracy=[0.95, 0.6, 0.6]).fit(L)
    >>> model.predict(L).tolist()
    [0, 0]
    """

    _learned = ("class_balance_", "accuracy_", "weights_")
    _per_source = ("accuracy_", "weights_")
    _parameter_constraints = {"accuracy": lambda name, value: _check_accuracy(value),
                              "default_accuracy": number(0, 1, open_low=True, open_high=True),
                              "prior_strength": number(low=0)}
    permutation_invariant = True  # a given per-LF accuracy= must be permuted with the columns

    def __init__(self, cardinality: int | None = None, random_state: int = 0, *,
                 accuracy=None, default_accuracy: float = 0.7, prior_strength: float = 2.0):
        super().__init__(cardinality=cardinality, random_state=random_state)
        self.accuracy = accuracy
        self.default_accuracy = default_accuracy
        self.prior_strength = prior_strength

    def _fit(self, L: VoteMatrix, k: int, *, class_balance, y_dev, L_dev) -> None:
        self._fit_evidence(L.shape[1], k, self._prior(k, class_balance, y_dev),
                           None if self.accuracy is not None else
                           dev_evidence(L, k, y_dev, L_dev))

    def fit_stats(self, stats: VoteStats, *, class_balance=None, y_dev=None,
                  L_dev=None) -> WeightedMajorityVote:
        """Fit from :class:`~wslib.vote_stats.VoteStats` (e.g. streamed batch by batch).

        The weights come from ``accuracy`` or from a small gold-labelled set:
        its votes ``L_dev`` and labels ``y_dev`` (the statistics keep no rows,
        so ``y_dev`` needs ``L_dev``). Equals ``fit(L, y_dev=y_dev, L_dev=L_dev)``.

        >>> import numpy as np
        >>> from wslib.vote_stats import VoteStats
        >>> L = np.array([[0, 1, 1], [0, -1, 1], [1, 1, -1]])
        >>> model = WeightedMajorityVote().fit_stats(VoteStats.from_votes(L, 2), L_dev=L,
        ...                                          y_dev=np.array([0, 0, 1]))
        >>> model.accuracy_.round(2).tolist()
        [0.88, 0.6, 0.35]
        """
        prior = self._check_stats(stats, class_balance)
        k, m = stats.cardinality, stats.n_sources
        y_dev, L_dev = check_dev_set(stats, y_dev, L_dev, need_votes=True)
        self._set_stats_shape(k, m)
        self._fit_evidence(m, k, self._prior(k, prior, y_dev),
                           None if self.accuracy is not None else
                           dev_evidence(L_dev, k, y_dev, L_dev))
        return self

    def _fit_evidence(self, m: int, k: int, prior: np.ndarray, evidence) -> None:
        """Accuracies from ``accuracy`` or the dev ``evidence`` (hits, votes) per LF."""
        check_above_chance("default_accuracy", self.default_accuracy, k)
        self.class_balance_ = prior
        if self.accuracy is not None:
            acc = _check_accuracy(self.accuracy, getattr(self, "feature_names_in_", None), m)
        elif evidence is None:
            acc = self._posterior_accuracy(np.zeros(m), np.zeros(m))
        else:
            acc = self._posterior_accuracy(evidence.hits, evidence.votes)
        self.accuracy_, self.weights_ = one_coin_weights(acc, k)

    def _posterior_accuracy(self, hits: np.ndarray, votes: np.ndarray) -> np.ndarray:
        s = self.prior_strength
        return (hits + s * self.default_accuracy) / np.maximum(votes + s, 1e-12)

    def _predict_proba(self, L: VoteMatrix) -> np.ndarray:
        return weighted_vote_proba(L, self.weights_, self.class_balance_)


def _check_accuracy(accuracy, names: np.ndarray | None = None, m: int | None = None
                    ) -> np.ndarray | None:
    """Per-LF accuracies in (0, 1): a sequence read by position, or a dict / Series keyed
    by LF name (the column names of a DataFrame ``L``), read by name."""
    if accuracy is None:
        return None
    if hasattr(accuracy, "to_dict") and not hasattr(accuracy, "columns"):
        accuracy = accuracy.to_dict()
    if isinstance(accuracy, dict):
        if m is None:  # at construction: the names are not known yet
            accuracy = list(accuracy.values())
        elif names is None:
            raise ValueError("accuracy is keyed by LF name, but L has no column names: fit on "
                             "a DataFrame whose columns are the LF names, or pass a sequence "
                             "in column order")
        else:
            unknown = sorted(set(map(str, accuracy)) - set(names.tolist()))
            missing = [n for n in names.tolist() if n not in accuracy]
            if unknown or missing:
                raise ValueError(f"accuracy is keyed by LF name and must name each column of L "
                                 f"once: missing {missing[:10]}, unknown {unknown[:10]}")
            accuracy = [accuracy[n] for n in names.tolist()]
    try:
        acc = np.asarray(accuracy, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"accuracy must hold numbers, one per LF, got {accuracy!r}") from exc
    if acc.ndim != 1 or (m is not None and acc.shape != (m,)) \
            or not np.all((acc > 0) & (acc < 1)):
        raise ValueError(f"accuracy must be {m if m is not None else 'm'} numbers in (0, 1), "
                         f"one per LF, got {acc.tolist()[:10]} (shape {acc.shape})")
    return acc


class DevEvidence(NamedTuple):
    """What a gold-labelled dev set says: per LF, correct votes and votes; the gold
    labels; which dev rows have no vote."""

    hits: np.ndarray
    votes: np.ndarray
    labels: np.ndarray
    uncovered: np.ndarray


def dev_evidence(L: VoteMatrix, k: int, y_dev, L_dev) -> DevEvidence | None:
    """Per-LF correct votes and votes on the gold-labelled rows, or ``None`` without ``y_dev``.

    Without ``L_dev``, ``y_dev`` labels rows of ``L`` (``-1`` = unlabelled).

    >>> import numpy as np
    >>> ev = dev_evidence(None, 2, np.array([0, 1]), np.array([[0, -1], [0, -1]]))
    >>> ev.hits.tolist(), ev.votes.tolist(), ev.uncovered.tolist()
    ([1.0, 0.0], [2.0, 0.0], [False, False])
    """
    if y_dev is None:
        return None
    y_dev = np.asarray(y_dev)
    if L_dev is None:
        labelled = np.flatnonzero(y_dev >= 0)
        L_dev, y_dev = L[labelled], y_dev[labelled]
    m = L_dev.shape[1]
    L_dev, _ = check_votes(L_dev, cardinality=k, n_sources=m, name="L_dev", allow_empty=True)
    votes = np.zeros(m)
    hits = np.zeros(m)
    for c in range(k):  # k passes over the (small) dev set, each a numba count
        counts = count_votes(L_dev[y_dev == c], k)
        votes += counts.sum(axis=1)
        hits += counts[:, c]
    return DevEvidence(hits, votes, y_dev.astype(np.int64), row_coverage(L_dev) == 0)
