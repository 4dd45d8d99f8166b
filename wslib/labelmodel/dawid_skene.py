"""Dawid–Skene: EM on full per-LF confusion matrices, fitted on compressed vote patterns."""

from __future__ import annotations

import numpy as np

from wslib._validation import boolean, integer, number, text
from wslib.labelmodel.base import BaseLabelModel
from wslib.labelmodel.confusion import confusion_posterior, fit_confusion
from wslib.labelmodel.base import check_dev_set
from wslib.vote_stats import DEFAULT_CAPACITY, VoteStats
from wslib.matrix import VoteMatrix

__all__ = ["DawidSkene"]


class DawidSkene(BaseLabelModel):
    r"""Latent-class model with a full confusion matrix per LF, fitted by EM.

    Given the class :math:`y`, LFs vote independently:

    .. math::

        P(y = c, L_i) = \pi_c \prod_{j} \theta_{j c L_{ij}}

    where :math:`\theta_{j c v} = P(L_j = v \mid y = c)`. With
    ``abstain_aware=True`` the outcome ``v`` ranges over the ``k`` classes *and*
    abstain, so an LF that fires mostly on one class (a unipolar keyword LF)
    is evidence *against* that class when it abstains; with ``False`` abstains
    are missing data (the original model) and :math:`\theta_{jc\cdot}` is a
    distribution over the ``k`` votes.

    EM alternates the posterior :math:`P(y \mid L_i) \propto \pi_c \prod_j
    \theta_{jcL_{ij}}` (log space) and the MAP update of :math:`\pi, \theta`
    under Dirichlet priors. The prior on each row :math:`\theta_{jc\cdot}`
    has ``smoothing`` pseudo-rows spread like the LF's overall vote
    distribution (an LF with little evidence is shrunk towards "independent
    of the class", i.e. zero weight), plus ``smoothing`` pseudo-votes for the
    correct class (LFs are assumed better than random, which picks the
    label-consistent one of the model's mirror-image solutions); with
    ``abstain_aware`` each M-step also keeps a unipolar LF's vote pointing at
    its own class (:math:`\pi_v \theta_{jvv} \ge \pi_c \theta_{jcv}`), which
    stops EM from label-switching a rare class onto one group of LFs. That
    bound is a projection after the maximisation, so the likelihood need not
    rise every iteration: EM stops when it falls, where an unanchored EM
    would climb on to a higher likelihood at a label-switched solution
    (measurements in docs/labelmodels.md). EM starts
    from majority-vote posteriors and runs on the distinct vote patterns
    (:class:`~wslib.vote_stats.VoteStats`), so after one pass over
    ``L`` its cost does not depend on the number of rows.

    Dawid, A. P. and Skene, A. M. (1979). Maximum likelihood estimation of
    observer error-rates using the EM algorithm. *Applied Statistics* 28(1), 20–28.

    Parameters
    ----------
    cardinality, random_state
        As for every label model (:class:`~wslib.labelmodel.BaseLabelModel`). The fit is deterministic.
    abstain_aware : bool
        Model abstaining as a class-dependent outcome (recommended when LFs
        are unipolar, as most keyword/regex LFs are).
    smoothing : float
        Dirichlet pseudo-count strength (see above); larger values shrink
        LFs with few votes towards zero weight.
    max_iter : int
        Maximum EM iterations.
    tol : float
        Stop when the mean log-likelihood per item improves by less than this.
    max_patterns : int
        Distinct multi-vote patterns kept for EM (exact below this number;
        a deterministic hash sample above it).
    device : str, optional
        ``None`` (default): the numba kernels on the CPU. A torch device
        (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, ``"auto"``): the pass
        over ``L`` that builds the vote patterns, the E and M steps (log
        space) and ``predict_proba`` (block by block) run in torch on it; the
        fitted parameters equal the numba path's to rounding (~1e-12). An
        unavailable device raises :class:`~wslib.device.DeviceUnavailableError`.

    Attributes
    ----------
    class_balance_ : ndarray (k,)
    confusion_ : ndarray (m, k, k + 1)
        ``confusion_[j, c, v] = P(L_j = v | y = c)``; the last column is abstain.
    accuracy_ : ndarray (m,)
        Estimated ``P(L_j = y | L_j votes)``.
    n_iter_ : int

    Examples
    --------
    >>> from wslib.datasets.synthetic import make_votes
    >>> from wslib.labelmodel import DawidSkene
    >>> data = make_votes(2000, 10, 3, random_state=0)
    >>> model = DawidSkene().fit(data.L)
    >>> model.predict_proba(data.L).shape
    (2000, 3)
    >>> bool(model.score(data.L, data.y) > 0.8)
    True
    >>> on_torch = DawidSkene(device="cpu").fit(data.L)  # "cuda" on a GPU
    >>> bool(abs(on_torch.confusion_ - model.confusion_).max() < 1e-8)
    True
    """

    _learned = ("class_balance_", "confusion_", "accuracy_", "n_iter_")
    _per_source = ("confusion_", "accuracy_")
    _min_sources = 3
    _parameter_constraints = {"abstain_aware": boolean(), "smoothing": number(low=0),
                              "max_iter": integer(1), "tol": number(low=0),
                              "max_patterns": integer(1), "device": text(optional=True)}
    permutation_invariant = True  # exact while the distinct patterns fit in max_patterns

    def __init__(self, cardinality: int | None = None, random_state: int = 0, *,
                 abstain_aware: bool = True, smoothing: float = 1.0, max_iter: int = 200,
                 tol: float = 1e-6, max_patterns: int = DEFAULT_CAPACITY,
                 device: str | None = None):
        super().__init__(cardinality=cardinality, random_state=random_state)
        self.abstain_aware = abstain_aware
        self.smoothing = smoothing
        self.max_iter = max_iter
        self.tol = tol
        self.max_patterns = max_patterns
        self.device = device

    # ------------------------------------------------------------------ fitting
    def _fit(self, L: VoteMatrix, k: int, *, class_balance, y_dev, L_dev) -> None:
        stats = VoteStats._from_checked(L, k, self.max_patterns, self.device)
        self._fit_patterns(stats, class_balance, _dev_class_counts(y_dev, k))

    def fit_stats(self, stats: VoteStats, *, class_balance=None, y_dev=None,
                  L_dev=None) -> DawidSkene:
        """Fit from (possibly merged) :class:`VoteStats` instead of a vote matrix.

        ``y_dev`` (gold labels; ``-1`` = unlabelled) adds its class counts to
        the class prior, as in :meth:`fit`; ``L_dev``, if given, must hold
        one row of votes per label.

        >>> import numpy as np
        >>> from wslib.vote_stats import VoteStats
        >>> from wslib.datasets.synthetic import make_votes
        >>> L = make_votes(1000, 6, 2, random_state=1).L
        >>> s = VoteStats.from_votes(L[:500], 2) + VoteStats.from_votes(L[500:], 2)
        >>> a = DawidSkene().fit_stats(s).predict_proba(L)
        >>> bool(np.allclose(a, DawidSkene().fit(L).predict_proba(L), atol=1e-9))
        True
        """
        prior = self._check_stats(stats, class_balance)
        y_dev, _ = check_dev_set(stats, y_dev, L_dev, need_votes=False)
        self._set_stats_shape(stats.cardinality, stats.n_sources)
        self._fit_patterns(stats, prior, _dev_class_counts(y_dev, stats.cardinality))
        return self

    def _fit_patterns(self, stats: VoteStats, class_balance: np.ndarray | None,
                      dev_counts: np.ndarray | None) -> None:
        fit = fit_confusion(stats, abstain_aware=self.abstain_aware, smoothing=self.smoothing,
                            max_iter=self.max_iter, tol=self.tol, device=self.device,
                            class_balance=class_balance, dev_counts=dev_counts,
                            name=type(self).__name__)
        self.class_balance_, self.confusion_, self.accuracy_, self.n_iter_ = fit

    # --------------------------------------------------------------- inference
    def _predict_proba(self, L: VoteMatrix) -> np.ndarray:
        return confusion_posterior(L, self.confusion_, self.class_balance_,
                                   abstain_aware=self.abstain_aware, device=self.device)


def _dev_class_counts(y_dev, k: int) -> np.ndarray | None:
    if y_dev is None:
        return None
    y = y_dev[y_dev >= 0]
    return np.bincount(y, minlength=k).astype(np.float64)
