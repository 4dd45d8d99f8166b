"""``LabelModel``: the label model wslib recommends by default."""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np

from wslib.exceptions import ConvergenceWarning
from wslib.kernels import row_coverage
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

    The class balance is estimated from ``L`` (``balance_estimate_``) with
    the class-conditional firing rates :math:`f_{jc}` of the LFs on the
    covered items' posteriors: an item no LF votes on is of class :math:`c`
    with probability :math:`P(c \mid \text{no vote}) \propto \pi_c \prod_j
    (1 - f_{jc})`, and :math:`\pi` solves :math:`n \pi_c = \sum_{i\,
    \text{covered}} P(c \mid L_i) + n_0 P(c \mid \text{no vote})` (a
    fixed point, :math:`n_0` uncovered items). With ``uncovered="firing"``
    uncovered items get that posterior (``uncovered_proba_``); the default
    ``"prior"`` gives them ``class_balance_``, because the product assumes
    LFs fire independently given the class, which real LFs do not (see
    docs/labelmodels.md for when each is better).

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
    uncovered : {"prior", "firing"}
        Soft label of an item without votes: ``class_balance_`` or the
        firing-rate posterior ``uncovered_proba_``.

    Attributes
    ----------
    accuracy_, weights_ : ndarray (m,)
    class_balance_ : ndarray (k,)
        The prior of the posterior: given to ``fit``, else uniform.
    balance_estimate_ : ndarray (k,)
        Class balance estimated from ``L`` (equal to ``class_balance_`` when given).
    uncovered_proba_ : ndarray (k,)
        The soft label of an item without votes.
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

    _learned = ("class_balance_", "accuracy_", "weights_", "n_iter_", "fixes_",
                "balance_estimate_", "uncovered_proba_")
    #: added in 0.1.1: files saved before default to the class balance
    _learned_defaults: ClassVar[dict[str, str]] = {"balance_estimate_": "class_balance_",
                         "uncovered_proba_": "class_balance_"}

    def __init__(self, cardinality: int | None = None, random_state: int = 0, *,
                 prior_accuracy: float = 0.7, prior_strength: float = 2.0, max_iter: int = 200,
                 tol: float = 1e-4, balance: bool = True, fix_nested: bool = True,
                 max_patterns: int = DEFAULT_CAPACITY, uncovered: str = "prior"):
        BaseLabelModel.__init__(self, cardinality=cardinality, random_state=random_state)
        self.prior_accuracy = prior_accuracy
        self.prior_strength = prior_strength
        self.max_iter = max_iter
        self.tol = tol
        self.balance = balance
        self.fix_nested = fix_nested
        self.max_patterns = max_patterns
        self.uncovered = uncovered

    @property
    def default_accuracy(self) -> float:
        """Alias of ``prior_accuracy`` used by the shared weighted-vote code."""
        return self.prior_accuracy

    def _fit(self, L: VoteMatrix, k: int, *, class_balance, y_dev, L_dev) -> None:
        self._check_hyper(k)
        stats = VoteStats._from_checked(L, k, self.max_patterns)
        self.class_balance_ = np.full(k, 1.0 / k) if class_balance is None else class_balance
        self._fit_stats(stats, *_dev_evidence(L, k, y_dev, L_dev), given=class_balance is not None)

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
        self._fit_stats(stats, np.zeros(m), np.zeros(m), given=class_balance is not None)
        return self

    def _fit_stats(self, stats: VoteStats, dev_hits: np.ndarray, dev_votes: np.ndarray, *,
                   given: bool) -> None:
        if self.uncovered not in ("prior", "firing"):
            raise ValueError(f"uncovered must be 'prior' or 'firing', got {self.uncovered!r}")
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
        n = float(w.sum())
        if given:
            R = one_coin_proba(P, self.weights_, np.log(self.class_balance_))
        firing = weighted_vote_counts(P, R * covered[:, None]).sum(axis=1)  # (m, k)
        if given:
            self.balance_estimate_ = self.class_balance_
            no_vote = _no_vote_posterior(firing, self.class_balance_, n)
        else:
            self.balance_estimate_, no_vote = _firing_balance(firing, covered @ R, n)
        self.uncovered_proba_ = no_vote if self.uncovered == "firing" else self.class_balance_

    def _predict_proba(self, L: VoteMatrix) -> np.ndarray:
        proba = one_coin_proba(L, self.weights_, np.log(self.class_balance_), self.fixes_)
        if self.uncovered == "firing":
            proba[row_coverage(L) == 0] = self.uncovered_proba_
        return proba


def _no_vote_posterior(firing: np.ndarray, balance: np.ndarray, n: float) -> np.ndarray:
    """:math:`P(c \\mid \\text{no vote}) \\propto \\pi_c \\prod_j (1 - f_{jc})`, ``f = firing / (n pi)``."""
    rate = np.clip(firing / np.maximum(n * balance, 1e-300), 0.0, 1.0 - 1e-9)
    log_post = np.log(np.maximum(balance, 1e-300)) + np.log1p(-rate).sum(axis=0)
    post = np.exp(log_post - log_post.max())
    return post / post.sum()


def _firing_balance(firing: np.ndarray, covered_mass: np.ndarray, n: float,
                    max_iter: int = 500, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Class balance and no-vote posterior: the fixed point of ``n pi = covered + n0 P(.|no vote)``.

    ``firing[j, c]`` is the fit's posterior mass of class ``c`` on the items
    LF ``j`` votes on and ``covered_mass[c]`` that on all covered items; both
    stay fixed (re-estimating the covered posteriors under ``pi`` as well is
    full EM, which drifts to one class with unipolar LFs).
    """
    k = covered_mass.shape[0]
    n_covered = float(covered_mass.sum())
    if n_covered <= 0:  # nothing voted on: no evidence about the classes
        return np.full(k, 1.0 / k), np.full(k, 1.0 / k)
    balance = np.full(k, 1.0 / k)  # not the covered shares: a class no LF votes for has none
    no_vote = balance
    for _ in range(max_iter):
        no_vote = _no_vote_posterior(firing, balance, n)
        new = (covered_mass + (n - n_covered) * no_vote) / n
        done = np.max(np.abs(new - balance)) < tol
        balance = new
        if done:
            break
    return balance, no_vote


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
