"""``LabelModel``: the label model wslib recommends by default."""

from __future__ import annotations

import warnings

import numpy as np

from wslib.exceptions import ConvergenceWarning
from wslib.kernels.stats import one_coin_proba, pairwise_agreement, weighted_vote_counts
from wslib.labelmodel.base import BaseLabelModel
from wslib.labelmodel.dawid_skene import _majority_posteriors
from wslib.labelmodel.stats import DEFAULT_CAPACITY, VoteStats
from wslib.labelmodel.weighted import WeightedMajorityVote, _dev_evidence, accuracy_to_weight
from wslib.matrix import VoteMatrix, to_dense, to_sparse

__all__ = ["LabelModel"]


class LabelModel(WeightedMajorityVote):
    r"""Weighted vote whose per-LF accuracies are learned by one-coin EM with a chance floor.

    The posterior is the one-coin weighted vote of
    :class:`WeightedMajorityVote`,

    .. math::

        P(y = c \mid L_i) \propto \pi_c \exp\Big(\sum_{j : L_{ij} = c} w_j\Big),
        \qquad w_j = \log \frac{a_j (k - 1)}{1 - a_j},

    and the accuracies :math:`a_j` are found without labels by MAP
    expectation-maximisation of the one-coin model (the "one-coin" special
    case of Dawid & Skene, 1979):

    .. math::

        a_j \leftarrow \max\Big(\frac1k, \frac{\alpha a_0 + \sum_{i : L_{ij} \ne -1}
                   P(y = L_{ij} \mid L_i)}{\alpha + \#\{i : L_{ij} \ne -1\}}\Big)

    alternating with the posterior above. The
    Beta prior (``prior_strength`` pseudo-votes at ``prior_accuracy``)
    shrinks LFs with few overlaps towards an ordinary vote, and accuracies
    are kept at or above chance, :math:`a_j \ge 1/k` (weights :math:`\ge 0`):
    without that floor the fixed point has a degenerate solution where every
    item is one class and the LFs of the other classes are "always wrong",
    which unipolar LFs cannot rule out. An adversarial LF thus gets weight
    near zero instead of a negative weight. Abstains are
    treated as missing: on the real data we measured, LFs' firing is far from
    conditionally independent given the class (see docs/labelmodels.md), and
    models that read abstains as evidence lose accuracy even when fitted with
    the true labels. Gold labels ``y_dev`` add their correct/total votes to
    the same estimate.

    Two further safeguards, both on by default and chosen by the robustness
    study in docs/labelmodels.md (not by the benchmark test sets):

    * ``balance``: during the fit, per-class offsets make the mean posterior
      over covered items match the class shares of the soft majority vote,
      which stops EM's rich-get-richer drift where the class with stronger
      LFs absorbs every conflict (all-unipolar synthetic data: 0.58 -> 0.92);
      predictions use only ``class_balance_``.
    * ``fix_nested``: LF ``a`` *fixes* LF ``b`` (Ratner et al., 2016, *Data
      programming*, NeurIPS) when ``a`` has fewer votes, ``b`` also votes on at
      least 90 % of ``a``'s items (10 or more) and they disagree on most of
      them; ``b``'s vote is then dropped where ``a`` votes, in the fit and at
      prediction (``fixes_`` lists the learned pairs).

    The fit runs on the distinct vote patterns
    (:class:`~wslib.labelmodel.stats.VoteStats`): one pass over ``L``, then
    work independent of ``n``.

    References: Dawid & Skene (1979), *Applied Statistics* 28(1); the
    one-coin posterior of Nitzan & Paroush (1982), *International Economic
    Review* 23(2); Zhang, Chen, Zhou & Jordan (2014), *Spectral methods meet
    EM*, NeurIPS (one-coin EM and its identifiability).

    Parameters
    ----------
    cardinality : int, optional
        Number of classes; inferred from ``L`` when omitted.
    random_state : int
        Seed for ``predict(tie_break="random")``; the fit is deterministic.
    prior_accuracy : float
        Prior mean accuracy :math:`a_0` of an LF (and the starting point).
    prior_strength : float
        Beta-prior pseudo-votes :math:`\alpha`.
    max_iter : int
        Maximum fixed-point iterations.
    tol : float
        Stop when no accuracy moves by more than this.
    balance : bool
        Match the fitted class shares to the majority vote's during the fit.
    fix_nested : bool
        Learn and apply nested-LF "fixing" dependencies.
    max_patterns : int
        Distinct multi-vote patterns kept (exact below; deterministic hash sample above).

    Attributes
    ----------
    accuracy_, weights_ : ndarray (m,)
    class_balance_ : ndarray (k,)
    fixes_ : ndarray of int64 (n_pairs, 2)
        ``(fixer, fixed)`` LF pairs.
    n_iter_ : int

    Examples
    --------
    >>> from wslib.datasets.synthetic import make_votes
    >>> from wslib.labelmodel import LabelModel
    >>> data = make_votes(5000, 10, 3, random_state=0)
    >>> model = LabelModel().fit(data.L)
    >>> model.predict_proba(data.L).shape
    (5000, 3)
    >>> bool(abs(model.accuracy_ - data.accuracy).max() < 0.1)
    True
    """

    _learned = ("class_balance_", "accuracy_", "weights_", "n_iter_", "fixes_")

    def __init__(self, cardinality: int | None = None, random_state: int = 0, *,
                 prior_accuracy: float = 0.7, prior_strength: float = 2.0, max_iter: int = 200,
                 tol: float = 1e-4, balance: bool = True, fix_nested: bool = True,
                 max_patterns: int = DEFAULT_CAPACITY):
        BaseLabelModel.__init__(self, cardinality=cardinality, random_state=random_state)
        self.prior_accuracy = prior_accuracy
        self.prior_strength = prior_strength
        self.max_iter = max_iter
        self.tol = tol
        self.balance = balance
        self.fix_nested = fix_nested
        self.max_patterns = max_patterns

    @property
    def default_accuracy(self) -> float:
        """Alias of ``prior_accuracy`` used by the shared weighted-vote code."""
        return self.prior_accuracy

    def _fit(self, L: VoteMatrix, k: int, *, class_balance, y_dev, L_dev) -> None:
        self._check_hyper(k)
        stats = VoteStats._from_checked(L, k, self.max_patterns)
        self.class_balance_ = np.full(k, 1.0 / k) if class_balance is None else class_balance
        self._fit_stats(stats, *_dev_evidence(L, k, y_dev, L_dev))

    def fit_stats(self, stats: VoteStats, *, class_balance=None) -> LabelModel:
        """Fit from (possibly merged) :class:`VoteStats` instead of a vote matrix.

        Because the statistics merge exactly, accumulating them batch by batch
        gives the same model as fitting the concatenated matrix.

        >>> import numpy as np
        >>> from wslib.labelmodel.stats import VoteStats
        >>> from wslib.datasets.synthetic import make_votes
        >>> L = make_votes(1000, 6, 2, random_state=1).L
        >>> s = VoteStats.from_votes(L[:500], 2) + VoteStats.from_votes(L[500:], 2)
        >>> a = LabelModel().fit_stats(s).predict_proba(L)
        >>> bool(np.allclose(a, LabelModel().fit(L).predict_proba(L), atol=1e-12))
        True
        """
        from wslib.labelmodel.base import check_class_balance

        k, m = stats.cardinality, stats.n_sources
        self._check_hyper(k)
        self.cardinality_, self.n_sources_ = k, m
        self.class_balance_ = (np.full(k, 1.0 / k) if class_balance is None
                               else check_class_balance(class_balance, k))
        self._fit_stats(stats, np.zeros(m), np.zeros(m))
        return self

    def _fit_stats(self, stats: VoteStats, dev_hits: np.ndarray, dev_votes: np.ndarray) -> None:
        k, m = stats.cardinality, stats.n_sources
        P, w = stats.compressed()
        self.fixes_ = _nested_fixes(P, w) if self.fix_nested else np.zeros((0, 2), np.int64)
        P = _apply_fixes(P, self.fixes_)
        acc = np.full(m, self.prior_accuracy)
        floor = 1.0 / k + 1e-3  # identifiability: an LF is at least as good as a coin (w >= 0)
        self.n_iter_ = 0
        diag = np.arange(k)
        log_prior = np.log(self.class_balance_)
        covered = w * (np.diff(P.indptr) > 0)
        target = covered @ _majority_posteriors(P, k) / max(covered.sum(), 1e-300)
        for it in range(1, self.max_iter + 1):
            weights = accuracy_to_weight(acc, k)
            if self.balance and covered.sum() > 0:  # nothing to match when no item has votes
                log_prior = _match_marginal(P, weights, covered, target, log_prior)
            R = one_coin_proba(P, weights, log_prior)  # E-step
            counts = weighted_vote_counts(P, R * w[:, None])  # (m, vote, class)
            hits = counts[:, diag, diag].sum(axis=1)
            votes = counts.sum(axis=(1, 2))
            new = np.clip(self._posterior_accuracy(hits + dev_hits, votes + dev_votes),
                          floor, 1 - 1e-3)
            change = float(np.max(np.abs(new - acc)))
            acc = new
            self.n_iter_ = it
            if change < self.tol:
                break
        else:
            warnings.warn(f"LabelModel did not converge in {self.max_iter} iterations "
                          f"(last change {change:.2g}); raise max_iter",
                          ConvergenceWarning, stacklevel=4)
        self._set_accuracy(acc, k)

    def _predict_proba(self, L: VoteMatrix) -> np.ndarray:
        return one_coin_proba(L, self.weights_, np.log(self.class_balance_), self.fixes_)


def _nested_fixes(P, w, min_overlap: float = 10.0, nested: float = 0.9) -> np.ndarray:
    """``(a, b)`` pairs where LF ``a`` *fixes* LF ``b`` (Ratner et al., 2016).

    ``a`` fixes ``b`` when ``a`` is more specific (fewer votes), nested in
    ``b`` (``b`` also votes on at least ``nested`` of ``a``'s items, at least
    ``min_overlap`` of them) and *disagrees* with ``b`` on most of them: a
    narrow rule written to correct a broad one. Both votes then come from
    one decision, not two independent ones, so ``b``'s vote is dropped there.
    """
    m = P.shape[1]
    both, agree = pairwise_agreement(P, w)
    rows = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
    votes = np.bincount(P.indices, weights=w[rows], minlength=m)
    share = np.divide(both, votes[:, None], out=np.zeros_like(both), where=votes[:, None] > 0)
    fixes = ((both >= min_overlap) & (share >= nested) & (votes[:, None] < votes[None, :])
             & (2 * agree < both))
    return np.argwhere(fixes).astype(np.int64)


def _apply_fixes(P, fixes: np.ndarray):
    """Patterns with the fixed LF's vote removed where its fixer also votes."""
    if not fixes.size:
        return P
    D = to_dense(P)
    for a, b in fixes:
        D[(D[:, a] >= 0) & (D[:, b] >= 0), b] = -1
    return to_sparse(D)


def _match_marginal(P, weights, covered, target, log_bias, n_steps: int = 20):
    """Class offsets that make the mean posterior over covered patterns equal ``target``."""
    uniform = np.zeros_like(log_bias)
    log_like = np.log(np.maximum(one_coin_proba(P, weights, uniform), 1e-300))
    total = covered.sum()
    for _ in range(n_steps):  # on the (patterns x k) log-likelihoods: no pass over votes
        scores = log_like + log_bias
        scores -= scores.max(axis=1, keepdims=True)
        post = np.exp(scores)
        post /= post.sum(axis=1, keepdims=True)
        # a class that wins no majority has target 0: floor it instead of taking log(0)
        log_bias = (log_bias + np.log(np.maximum(target, 1e-300))
                    - np.log(np.maximum(covered @ post / total, 1e-300)))
    return log_bias
