"""Dawid–Skene: EM on full per-LF confusion matrices, fitted on compressed vote patterns."""

from __future__ import annotations

import warnings

import numpy as np

from wslib.exceptions import ConvergenceWarning
from wslib.kernels import accumulate_scores, softmax_rows
from wslib.kernels.stats import weighted_vote_counts
from wslib.labelmodel.base import BaseLabelModel
from wslib.labelmodel.stats import DEFAULT_CAPACITY, VoteStats
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
    label-consistent one of the model's mirror-image solutions). EM starts
    from majority-vote posteriors and runs on the distinct vote patterns
    (:class:`~wslib.labelmodel.stats.VoteStats`), so after one pass over
    ``L`` its cost does not depend on the number of rows.

    Dawid, A. P. and Skene, A. M. (1979). Maximum likelihood estimation of
    observer error-rates using the EM algorithm. *Applied Statistics* 28(1), 20–28.

    Parameters
    ----------
    cardinality : int, optional
        Number of classes; inferred from ``L`` when omitted.
    random_state : int
        Seed for ``predict(tie_break="random")`` (the fit itself is deterministic).
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
    """

    _learned = ("class_balance_", "confusion_", "accuracy_", "n_iter_")
    _min_sources = 3
    permutation_invariant = True  # exact while the distinct patterns fit in max_patterns

    def __init__(self, cardinality: int | None = None, random_state: int = 0, *,
                 abstain_aware: bool = True, smoothing: float = 1.0, max_iter: int = 200,
                 tol: float = 1e-6, max_patterns: int = DEFAULT_CAPACITY):
        super().__init__(cardinality=cardinality, random_state=random_state)
        self.abstain_aware = abstain_aware
        self.smoothing = smoothing
        self.max_iter = max_iter
        self.tol = tol
        self.max_patterns = max_patterns

    # ------------------------------------------------------------------ fitting
    def _fit(self, L: VoteMatrix, k: int, *, class_balance, y_dev, L_dev) -> None:
        stats = VoteStats._from_checked(L, k, self.max_patterns)
        self._fit_patterns(stats, class_balance=class_balance,
                           dev_counts=_dev_class_counts(y_dev, k))

    def fit_stats(self, stats: VoteStats, *, class_balance=None) -> DawidSkene:
        """Fit from (possibly merged) :class:`VoteStats` instead of a vote matrix.

        >>> import numpy as np
        >>> from wslib.labelmodel.stats import VoteStats
        >>> from wslib.datasets.synthetic import make_votes
        >>> L = make_votes(1000, 6, 2, random_state=1).L
        >>> s = VoteStats.from_votes(L[:500], 2) + VoteStats.from_votes(L[500:], 2)
        >>> a = DawidSkene().fit_stats(s).predict_proba(L)
        >>> bool(np.allclose(a, DawidSkene().fit(L).predict_proba(L), atol=1e-9))
        True
        """
        from wslib.labelmodel.base import check_class_balance

        if stats.n_sources < self._min_sources:
            raise ValueError(f"{type(self).__name__} needs at least {self._min_sources} "
                             f"labeling functions, got {stats.n_sources}; use MajorityVote")
        prior = None if class_balance is None else check_class_balance(class_balance,
                                                                       stats.cardinality)
        self.cardinality_ = stats.cardinality
        self.n_sources_ = stats.n_sources
        self._fit_patterns(stats, class_balance=prior, dev_counts=None)
        return self

    def _fit_patterns(self, stats: VoteStats, *, class_balance, dev_counts) -> None:
        if self.smoothing < 0 or not np.isfinite(self.smoothing):
            raise ValueError(f"smoothing must be a finite number >= 0, got {self.smoothing}")
        for name in ("max_iter", "max_patterns"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not (isinstance(self.tol, (int, float)) and np.isfinite(self.tol) and self.tol >= 0):
            raise ValueError(f"tol must be a finite number >= 0, got {self.tol!r}")
        P, w = stats.compressed()
        k, m = stats.cardinality, stats.n_sources
        n = float(w.sum())
        R = _majority_posteriors(P, k)
        log_prior = None if class_balance is None else np.log(np.maximum(class_balance, 1e-300))
        prev = -np.inf
        self.n_iter_ = 0
        for it in range(1, self.max_iter + 1):
            log_pi, log_vote, log_abstain = self._m_step(P, R * w[:, None], n, k, m,
                                                         log_prior, dev_counts)
            scores = accumulate_scores(P, log_vote, log_abstain, log_pi)
            top = scores.max(axis=1, keepdims=True)
            loglik = float(w @ (top[:, 0] + np.log(np.exp(scores - top).sum(axis=1)))) / n
            R = softmax_rows(scores)
            self.n_iter_ = it
            if loglik - prev < self.tol:
                break
            prev = loglik
        else:
            warnings.warn(f"{type(self).__name__} did not converge in {self.max_iter} "
                          f"iterations (last change {loglik - prev:.2g}); raise max_iter",
                          ConvergenceWarning, stacklevel=4)
        log_pi, log_vote, log_abstain = self._m_step(P, R * w[:, None], n, k, m,
                                                     log_prior, dev_counts)
        self._set_params(log_pi, log_vote, log_abstain)

    def _m_step(self, P, Rw, n, k, m, log_prior, dev_counts):
        """MAP class prior and class-conditional vote distributions from weighted posteriors."""
        class_mass = Rw.sum(axis=0)
        if log_prior is None:
            counts = class_mass + 1.0 + (0.0 if dev_counts is None else dev_counts)
            log_pi = np.log(counts / counts.sum())
        else:
            log_pi = log_prior
        voted = weighted_vote_counts(P, Rw)  # (m, v, c)
        joint = np.empty((m, k, k + 1))
        joint[:, :, :k] = voted.transpose(0, 2, 1)
        joint[:, :, k] = np.maximum(class_mass[None, :] - voted.sum(axis=1), 0.0)
        s = self.smoothing
        marginal = joint.sum(axis=1) + 0.5  # (m, k+1) overall outcome counts, add-half
        if not self.abstain_aware:
            joint[:, :, k] = 0.0
            marginal[:, k] = 0.0
        ref = marginal / marginal.sum(axis=1, keepdims=True)
        pseudo = joint + s * ref[:, None, :]
        diag = np.arange(k)
        pseudo[:, diag, diag] += s
        if not self.abstain_aware:
            pseudo[:, :, k] = 1.0  # abstain is uninformative: equal for every class
            pseudo[:, :, :k] /= pseudo[:, :, :k].sum(axis=2, keepdims=True)
            total = np.ones((m, k, 1))
        else:
            total = pseudo.sum(axis=2, keepdims=True)
        log_theta = np.log(pseudo) - np.log(total)
        return (log_pi, np.ascontiguousarray(log_theta[:, :, :k].transpose(0, 2, 1)),
                np.ascontiguousarray(log_theta[:, :, k]))

    def _set_params(self, log_pi, log_vote, log_abstain) -> None:
        k = log_pi.shape[0]
        pi = np.exp(log_pi)
        self.class_balance_ = pi / pi.sum()
        conf = np.concatenate([np.exp(log_vote).transpose(0, 2, 1),
                               np.exp(log_abstain)[:, :, None]], axis=2)
        if not self.abstain_aware:
            conf[:, :, k] = 0.0
        self.confusion_ = conf
        diag = np.arange(k)
        fire = conf[:, :, :k].sum(axis=2)  # (m, k) P(vote | class)
        correct = conf[:, diag, diag] @ self.class_balance_
        self.accuracy_ = correct / np.maximum(fire @ self.class_balance_, 1e-300)

    # --------------------------------------------------------------- inference
    def _log_weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        k = self.cardinality_
        conf = np.maximum(self.confusion_, 1e-300)
        log_vote = np.log(conf[:, :, :k]).transpose(0, 2, 1)
        log_abstain = (np.log(conf[:, :, k]) if self.abstain_aware
                       else np.zeros((self.n_sources_, k)))
        return np.log(self.class_balance_), log_vote, log_abstain

    def _predict_proba(self, L: VoteMatrix) -> np.ndarray:
        log_pi, log_vote, log_abstain = self._log_weights()
        return softmax_rows(accumulate_scores(L, log_vote, log_abstain, log_pi))


def _majority_posteriors(P, k: int) -> np.ndarray:
    """Soft majority vote per pattern (ties split; no votes -> uniform)."""
    from wslib.kernels import row_vote_counts

    counts = row_vote_counts(P, k).astype(np.float64)
    top = counts.max(axis=1, keepdims=True)
    R = (counts == top).astype(np.float64)
    return R / R.sum(axis=1, keepdims=True)


def _dev_class_counts(y_dev, k: int) -> np.ndarray | None:
    if y_dev is None:
        return None
    y = y_dev[y_dev >= 0]
    return np.bincount(y, minlength=k).astype(np.float64)
