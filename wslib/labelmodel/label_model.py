"""``LabelModel``: the label model wslib recommends by default."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from scipy.stats import chi2

from wslib._validation import boolean, choice, integer, number, text
from wslib.kernels import row_coverage
from wslib.kernels.stats import one_coin_proba, pairwise_agreement, weighted_vote_counts
from wslib.labelmodel.base import BaseLabelModel, check_bool, check_class_balance
from wslib.labelmodel.dawid_skene import DawidSkene, _dev_class_counts, confusion_posterior
from wslib.labelmodel.stats import DEFAULT_CAPACITY, VoteStats
from wslib.labelmodel.weighted import _dev_evidence, accuracy_to_weight
from wslib.matrix import VoteMatrix

__all__ = ["LabelModel", "POSTERIORS"]

#: values of ``LabelModel(posterior=)``
POSTERIORS = ("auto", "votes", "dawid-skene")
#: significance level of the firing-independence test of ``posterior="auto"``
INDEPENDENCE_LEVEL = 0.01


class LabelModel(BaseLabelModel):
    r"""Weighted vote whose LF accuracies are estimated with abstains, and applied without them.

    Two models, each used where it is reliable, and a test that picks the
    posterior:

    1. **Estimation** reads abstains as evidence. An abstain-aware Dawid–Skene
       model (:class:`DawidSkene`: every LF's class-conditional distribution
       over its votes *and* abstain, fitted by EM on the vote patterns) gives
       each LF's precision, the probability that its vote is right,

       .. math::

           a_j = \frac{\sum_c \pi_c\, P(L_j = c \mid y = c)}
                      {\sum_c \pi_c\, P(L_j \ne -1 \mid y = c)}.

       With unipolar LFs (each votes one class, like keyword rules) this is
       what identifies their quality: among the items where they fire, two
       same-class LFs always agree and two opposite ones always disagree, so
       the votes alone carry no information about accuracy; *which* LFs fire,
       and how often together, does.
    2. **Prediction** reads abstains as missing. The soft label is the
       one-coin weighted vote of :class:`WeightedMajorityVote`,

       .. math::

           P(y = c \mid L_i) \propto \pi_c \exp\Big(\sum_{j : L_{ij} = c} w_j\Big),
           \qquad w_j = \log \frac{a_j (k - 1)}{1 - a_j},

       with :math:`a_j \ge 1/k` (an LF never counts against its own vote).
       Summing "LF :math:`j` stayed silent" over hundreds of LFs whose firing
       is correlated beyond the class (real LFs share keywords, sources and
       heuristics) overwhelms the votes, which is why the abstain-aware model's
       own posterior is poor on real data; the vote-only posterior is not.
    3. **The test** (``posterior="auto"``). When the LFs *do* fire
       independently given the class (crowd workers, LFs built on unrelated
       signals), silence is evidence and the abstain-aware posterior is the
       right one: with positive-only LFs it is what labels the silent class.
       The fitted Dawid–Skene model predicts how often each pair of LFs votes
       on the same item; a Pearson test of those predictions against the
       observed co-votes (the bivariate residuals of latent class analysis,
       ``independence_test_``) keeps the abstain-aware posterior when it
       passes at the 1 % level, and the vote-only one otherwise, or when no
       pair has 5 expected co-votes. Real keyword LFs fail it by far
       (p < 1e-6 on every shared WRENCH set).

    Also:

    * ``fix_nested``: LF ``a`` *fixes* LF ``b`` (Ratner et al., 2016, *Data
      programming*, NeurIPS) when ``a`` has fewer votes, ``b`` also votes on at
      least 90 % of ``a``'s items (10 or more) and they disagree on most of
      them; ``b``'s vote is then dropped where ``a`` votes, at prediction
      (``fixes_`` lists the learned pairs).
    * ``dependencies``: LF pairs ``(a, b)`` you know share one decision (a
      rule and its copy, two regexes over the same field): ``b``'s vote is
      dropped where ``a`` votes, like a fixing pair, and the vote-only
      posterior is used (the abstain-aware one assumes no dependencies).
      Learning such copies from ``L`` is not done: agreeing, co-firing LFs are
      common in real LF sets, and merging them cost trec 0.431 -> 0.406 in
      the robustness study while helping only synthetic copies.
    * Gold labels ``y_dev`` add their correct/total votes to each LF's
      estimated correct/total votes, and their class counts to the class prior
      of the Dawid–Skene fit.
    * The class balance is estimated from ``L`` (``balance_estimate_``) with
      the class-conditional firing rates :math:`f_{jc}` of the LFs on the
      covered items' posteriors: an item no LF votes on is of class :math:`c`
      with probability :math:`P(c \mid \text{no vote}) \propto \pi_c \prod_j
      (1 - f_{jc})`, and :math:`\pi` solves :math:`n \pi_c = \sum_{i\,
      \text{covered}} P(c \mid L_i) + n_0 P(c \mid \text{no vote})` (a
      fixed point, :math:`n_0` uncovered items); under the abstain-aware
      posterior it is the Dawid–Skene prior. Uncovered items get that
      posterior (``uncovered_proba_``; ``uncovered="prior"`` gives them
      ``class_balance_`` instead, uniform unless given). The product assumes
      LFs fire independently given the class, which real LFs do not, but it
      is still far closer to the truth than a uniform guess: on the
      robustness study's real runs it scores 0.581 against 0.538 (sms spam
      F1 0.425 against 0.290, where most items have no vote and spam is 13 %).

    The prior :math:`\pi` of the posterior is ``class_balance`` given to
    ``fit``, else uniform. The choices above were made by the robustness study
    in docs/labelmodels.md (``benchmarks/robustness_labelmodel.py``), on WRENCH
    *valid* splits with random halves of the LFs and on synthetic regimes,
    never on the benchmark's test splits. The fit runs on the distinct vote
    patterns (:class:`~wslib.labelmodel.stats.VoteStats`): one pass over
    ``L``, then work independent of ``n``.

    References: Dawid & Skene (1979), *Applied Statistics* 28(1); Nitzan &
    Paroush (1982), *International Economic Review* 23(2); Ratner et al.
    (2016), *Data programming*, NeurIPS.

    Parameters
    ----------
    cardinality : int, optional
        Number of classes; inferred from ``L`` when omitted.
    random_state : int
        Seed for ``predict(tie_break="random")``; the fit is deterministic.
    smoothing : float
        Dirichlet pseudo-counts of the Dawid–Skene estimate (see :class:`DawidSkene`).
    max_iter : int
        Maximum EM iterations.
    tol : float
        Stop when the mean log-likelihood per item improves by less than this.
    fix_nested : bool
        Learn and apply nested-LF "fixing" dependencies.
    max_patterns : int
        Distinct multi-vote patterns kept (exact below; deterministic hash sample above).
    uncovered : {"firing", "prior"}
        Soft label of an item without votes under the vote-only posterior:
        the firing-rate posterior ``uncovered_proba_`` or ``class_balance_``
        (the abstain-aware posterior labels every item itself).
    posterior : {"auto", "votes", "dawid-skene"}
        The soft label: chosen by the firing-independence test, the
        vote-only weighted vote, or the abstain-aware Dawid–Skene posterior.
    dependencies : sequence of (int, int), optional
        Known dependent LF pairs ``(a, b)``: ``b``'s vote is dropped where
        ``a`` votes (added to ``fixes_``).
    device : str, optional
        Torch device for the vote statistics, the EM and the weighted vote of
        ``predict_proba`` (block by block); ``None``: numba on the CPU.

    Attributes
    ----------
    accuracy_, weights_ : ndarray (m,)
        Each LF's precision and its vote weight.
    class_balance_ : ndarray (k,)
        The prior of the posterior: given to ``fit``; else uniform under the
        vote-only posterior, the Dawid–Skene estimate under the abstain-aware one.
    balance_estimate_ : ndarray (k,)
        Class balance estimated from ``L`` (equal to ``class_balance_`` when given).
    uncovered_proba_ : ndarray (k,)
        The soft label of an item without votes.
    fixes_ : ndarray of int64 (n_pairs, 2)
        ``(fixer, fixed)`` LF pairs.
    unipolar_ : ndarray of bool (m,)
        LFs that vote at most one class: their accuracy is a precision.
    posterior_ : str
        The posterior ``predict_proba`` uses: ``"votes"`` or ``"dawid-skene"``.
    confusion_ : ndarray (m, k, k + 1)
        The Dawid–Skene estimate: ``confusion_[j, c, v] = P(L_j = v | y = c)``,
        ``v = k`` for abstain.
    independence_test_ : ndarray (3,)
        ``[chi2, degrees of freedom, p-value]`` of the firing-independence
        test (p-value NaN when no pair is testable).
    n_iter_ : int
        EM iterations of the estimate.

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
                "balance_estimate_", "uncovered_proba_", "unipolar_", "posterior_",
                "confusion_", "independence_test_")
    #: added in 0.1.1: files saved before get the behaviour they were saved with
    _learned_defaults: ClassVar[dict[str, Callable[[Any], Any]]] = {
        "balance_estimate_": lambda model: model.class_balance_,
        "uncovered_proba_": lambda model: model.class_balance_,
        "unipolar_": lambda model: np.zeros(model.n_sources_, dtype=bool),
        "posterior_": lambda model: "votes",
        "confusion_": lambda model: np.full((model.n_sources_, model.cardinality_,
                                             model.cardinality_ + 1), np.nan),
        "independence_test_": lambda model: np.array([np.nan, 0.0, np.nan]),
    }
    permutation_invariant = True  # exact while the distinct patterns fit in max_patterns
    _parameter_constraints = {"smoothing": number(low=0), "max_iter": integer(1),
                              "tol": number(low=0), "fix_nested": boolean(),
                              "max_patterns": integer(1), "uncovered": choice("prior", "firing"),
                              "posterior": choice(*POSTERIORS), "device": text(optional=True)}

    def __init__(self, cardinality: int | None = None, random_state: int = 0, *,
                 smoothing: float = 1.0, max_iter: int = 200, tol: float = 1e-6,
                 fix_nested: bool = True, max_patterns: int = DEFAULT_CAPACITY,
                 uncovered: str = "firing", posterior: str = "auto",
                 dependencies: Sequence[tuple[int, int]] | None = None,
                 device: str | None = None):
        super().__init__(cardinality=cardinality, random_state=random_state)
        self.smoothing = smoothing
        self.max_iter = max_iter
        self.tol = tol
        self.fix_nested = fix_nested
        self.max_patterns = max_patterns
        self.uncovered = uncovered
        self.posterior = posterior
        self.dependencies = dependencies
        self.device = device

    def _fit(self, L: VoteMatrix, k: int, *, class_balance, y_dev, L_dev) -> None:
        stats = VoteStats._from_checked(L, k, self.max_patterns, self.device)
        self.class_balance_ = np.full(k, 1.0 / k) if class_balance is None else class_balance
        self._fit_stats(stats, *_dev_evidence(L, k, y_dev, L_dev), _dev_class_counts(y_dev, k),
                        given=class_balance is not None)

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
        >>> bool(np.allclose(a, LabelModel().fit(L).predict_proba(L), atol=1e-9))
        True
        """
        k, m = stats.cardinality, stats.n_sources
        self.cardinality_, self.n_sources_ = k, m
        self.class_balance_ = (np.full(k, 1.0 / k) if class_balance is None
                               else check_class_balance(class_balance, k))
        self._fit_stats(stats, np.zeros(m), np.zeros(m), None, given=class_balance is not None)
        return self

    def _fit_stats(self, stats: VoteStats, dev_hits: np.ndarray, dev_votes: np.ndarray,
                   dev_counts: np.ndarray | None, *, given: bool) -> None:
        if self.uncovered not in ("prior", "firing"):
            raise ValueError(f"uncovered must be 'prior' or 'firing', got {self.uncovered!r}")
        if self.posterior not in POSTERIORS:
            raise ValueError(f"posterior must be one of {POSTERIORS}, got {self.posterior!r}")
        check_bool("fix_nested", self.fix_nested)
        given_pairs = _check_dependencies(self.dependencies, stats.n_sources)
        if self.posterior == "dawid-skene" and len(given_pairs):
            raise ValueError("dependencies are applied by the vote posterior; "
                             "posterior='dawid-skene' assumes the LFs have none")
        k = stats.cardinality
        estimate = DawidSkene(k, smoothing=self.smoothing, max_iter=self.max_iter, tol=self.tol,
                              max_patterns=self.max_patterns, device=self.device)
        estimate._fit_patterns(stats, class_balance=self.class_balance_ if given else None,
                               dev_counts=dev_counts)
        self.n_iter_ = estimate.n_iter_
        P, w = stats.compressed()
        rows = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
        per_class = np.bincount(P.indices * k + P.data, weights=w[rows],
                                minlength=stats.n_sources * k).reshape(stats.n_sources, k)
        votes = per_class.sum(axis=1)
        acc = ((estimate.accuracy_ * votes + dev_hits)
               / np.where(votes + dev_votes > 0, votes + dev_votes, 1.0))
        acc = np.where(votes + dev_votes > 0, acc, estimate.accuracy_)
        self.accuracy_ = np.clip(acc, 1.0 / k + 1e-3, 1 - 1e-3)
        self.weights_ = accuracy_to_weight(self.accuracy_, k)
        self.unipolar_ = (per_class > 0).sum(axis=1) <= 1
        both, agree = pairwise_agreement(P, w)
        learned = (_nested_fixes(both, agree, votes) if self.fix_nested
                   else np.zeros((0, 2), np.int64))
        self.fixes_ = np.unique(np.concatenate([learned, given_pairs]), axis=0)
        self.confusion_ = estimate.confusion_
        n = float(w.sum())
        self.independence_test_ = _firing_independence_test(
            both / n, estimate.confusion_[:, :, :k].sum(axis=2), estimate.class_balance_,
            n / stats.multi_scale)
        if self.posterior == "auto":
            independent = self.independence_test_[2] >= INDEPENDENCE_LEVEL
            self.posterior_ = ("dawid-skene" if independent and not len(given_pairs)
                               else "votes")
        else:
            self.posterior_ = self.posterior
        if self.posterior_ == "dawid-skene":
            if not given:
                self.class_balance_ = estimate.class_balance_
            self.balance_estimate_ = self.class_balance_
            self.uncovered_proba_ = self._ds_posterior(np.full((1, stats.n_sources), -1,
                                                               dtype=np.int8))[0]
        else:
            self._estimate_balance(P, w, given)

    def _estimate_balance(self, P, w: np.ndarray, given: bool) -> None:
        """``balance_estimate_`` and ``uncovered_proba_`` from the covered patterns' posteriors.

        Firing rates count every vote an LF casts, fixed or not: whether it
        fires is what an uncovered item's posterior is about.
        """
        covered = w * (np.diff(P.indptr) > 0)
        R = self._posterior(P, self.fixes_)
        firing = weighted_vote_counts(P, R * covered[:, None]).sum(axis=1)  # (m, k)
        n = float(w.sum())
        if given:
            self.balance_estimate_ = self.class_balance_
            no_vote = _no_vote_posterior(firing, self.class_balance_, n)
        else:
            self.balance_estimate_, no_vote = _firing_balance(firing, covered @ R, n)
        self.uncovered_proba_ = no_vote if self.uncovered == "firing" else self.class_balance_

    def _ds_posterior(self, L: VoteMatrix) -> np.ndarray:
        """The abstain-aware Dawid–Skene posterior under the estimated (or given) balance."""
        return confusion_posterior(L, self.confusion_, self.class_balance_, device=self.device)

    def _predict_proba(self, L: VoteMatrix) -> np.ndarray:
        if self.posterior_ == "dawid-skene":
            return self._ds_posterior(L)
        proba = self._posterior(L, self.fixes_)
        if self.uncovered == "firing":
            proba[row_coverage(L) == 0] = self.uncovered_proba_
        return proba

    def _posterior(self, L: VoteMatrix, fixes: np.ndarray) -> np.ndarray:
        r"""Vote-only posterior from the LFs' estimated accuracies.

        A multi-class LF's accuracy is :math:`P(L_j = y)`, which does not hold
        the class prior; a unipolar LF's is its precision :math:`P(y = c \mid
        L_j = c)`, which does. So the prior :math:`\pi` multiplies the
        weighted vote on rows without a unipolar vote only: a row with one
        unipolar vote gets exactly that LF's precision, an uncovered row gets
        :math:`\pi`. (Dividing :math:`\pi` out once per further vote, as
        conditional independence would, overshoots: the silent LFs, ignored
        here, would pull the other way.) With a uniform prior this is the
        one-coin weighted vote.
        """
        k = self.class_balance_.shape[0]
        if self.device is None:
            proba = one_coin_proba(L, self.weights_, np.zeros(k), fixes)
        else:  # the same weighted vote in torch, block by block on the device
            from wslib.kernels.torch_votes import one_coin_posterior

            proba = one_coin_posterior(L, self.weights_, np.zeros(k), fixes,
                                       device=self.device).cpu().numpy()
        if np.allclose(self.class_balance_, 1.0 / k, rtol=0.0, atol=1e-12):
            return proba
        counted = _unipolar_votes(L, self.unipolar_)
        for a, b in fixes:  # the kernel drops b's vote where a also votes
            if self.unipolar_[b]:
                counted -= _votes_on(L, a) & _votes_on(L, b)
        with np.errstate(divide="ignore"):  # a class of prior 0 gets -inf: never chosen
            log_prior = np.log(self.class_balance_)
        scores = (np.log(np.maximum(proba, 1e-300))
                  + np.where((counted < 1)[:, None], log_prior[None, :], 0.0))
        scores -= scores.max(axis=1, keepdims=True)
        proba = np.exp(scores)
        return proba / proba.sum(axis=1, keepdims=True)


def _unipolar_votes(L: VoteMatrix, unipolar: np.ndarray) -> np.ndarray:
    """Votes per row cast by the LFs flagged in ``unipolar``."""
    if not sp.issparse(L):
        return (np.asarray(L)[:, unipolar] >= 0).sum(axis=1).astype(np.float64)
    L = sp.csr_matrix(L)
    rows = np.repeat(np.arange(L.shape[0]), np.diff(L.indptr))
    keep = unipolar[L.indices] & (L.data >= 0)
    return np.bincount(rows[keep], minlength=L.shape[0]).astype(np.float64)


def _votes_on(L: VoteMatrix, j: int) -> np.ndarray:
    """Rows on which LF ``j`` votes (dense or CSR)."""
    if not sp.issparse(L):
        return np.asarray(L[:, j]) >= 0
    L = sp.csr_matrix(L)
    out = np.zeros(L.shape[0], dtype=bool)
    rows = np.repeat(np.arange(L.shape[0]), np.diff(L.indptr))
    out[rows[(L.indices == j) & (L.data >= 0)]] = True
    return out


def _no_vote_posterior(firing: np.ndarray, balance: np.ndarray, n: float) -> np.ndarray:
    """:math:`P(c \\mid \\text{no vote}) \\propto \\pi_c \\prod_j (1 - f_{jc})`.

    ``f = firing / (n pi)``: each LF's firing rate on the class.
    """
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


def _nested_fixes(both: np.ndarray, agree: np.ndarray, votes: np.ndarray,
                  min_overlap: float = 10.0, nested: float = 0.9) -> np.ndarray:
    """``(a, b)`` pairs where LF ``a`` *fixes* LF ``b`` (Ratner et al., 2016).

    ``a`` fixes ``b`` when ``a`` is more specific (fewer votes), nested in
    ``b`` (``b`` also votes on at least ``nested`` of ``a``'s items, at least
    ``min_overlap`` of them) and *disagrees* with ``b`` on most of them: a
    narrow rule written to correct a broad one. Both votes then come from
    one decision, not two independent ones, so ``b``'s vote is dropped there.
    ``both`` and ``agree`` are the pairwise co-vote and agreement counts of
    :func:`~wslib.kernels.stats.pairwise_agreement`, ``votes`` each LF's
    number of votes.
    """
    share = np.divide(both, votes[:, None], out=np.zeros_like(both), where=votes[:, None] > 0)
    fixes = ((both >= min_overlap) & (share >= nested) & (votes[:, None] < votes[None, :])
             & (2 * agree < both))
    return np.argwhere(fixes).astype(np.int64)


def _check_dependencies(pairs: Sequence[tuple[int, int]] | None, m: int) -> np.ndarray:
    """``dependencies`` as an ``(n, 2)`` int64 array; a malformed or out-of-range pair is named."""
    if pairs is None:
        return np.zeros((0, 2), np.int64)
    out = []
    for pair in pairs:
        try:
            a, b = (int(x) for x in pair)
        except (TypeError, ValueError):
            raise ValueError(f"dependencies must be pairs of LF indices, got {pair!r}") from None
        if not (0 <= a < m and 0 <= b < m) or a == b:
            raise ValueError(f"dependency {pair!r}: need two different LF indices in "
                             f"0..{m - 1}")
        out.append((a, b))
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def _firing_independence_test(shared: np.ndarray, firing: np.ndarray, balance: np.ndarray,
                              n: float, min_expected: float = 5.0) -> np.ndarray:
    r"""Pearson test that LFs fire independently given the class: ``[chi2, df, p-value]``.

    Under the Dawid–Skene model, LFs ``j`` and ``l`` both vote on a share
    :math:`E_{jl} = \sum_c \pi_c f_{jc} f_{lc}` of the items (:math:`f_{jc}`:
    ``firing``, the fitted probability that ``j`` votes on class ``c``). The
    statistic sums the squared standardised residuals of the observed shares
    :math:`O_{jl}` (``shared``) over the pairs with at least
    ``min_expected`` expected and unexpected co-votes, the *bivariate
    residuals* of latent class analysis (Vermunt & Magidson, 2005, *Latent
    GOLD 4.0 User's Guide*), :math:`\chi^2 = \sum_{j<l} n (O_{jl} -
    E_{jl})^2 / (E_{jl}(1 - E_{jl}))`, with one degree of freedom per pair.
    No testable pair gives a p-value of NaN. ``n`` is the number of items
    the co-votes were counted on: fewer than the rows of ``L`` when the
    multi-vote patterns are a sample (:attr:`VoteStats.multi_scale`).
    """
    expected = (firing * balance[None, :]) @ firing.T
    upper = np.triu_indices(shared.shape[0], 1)
    e, o = expected[upper], shared[upper]
    testable = (n * e >= min_expected) & (n * (1.0 - e) >= min_expected)
    if not testable.any():
        return np.array([np.nan, 0.0, np.nan])
    e, o = e[testable], o[testable]
    stat = float((n * (o - e) ** 2 / (e * (1.0 - e))).sum())
    df = float(testable.sum())
    return np.array([stat, df, float(chi2.sf(stat, df))])
