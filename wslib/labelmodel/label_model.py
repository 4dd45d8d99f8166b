"""``LabelModel``: the label model wslib recommends by default."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from scipy.special import betaln

from wslib._validation import boolean, choice, integer, number, text
from wslib.exceptions import CoverageWarning, WslibWarning, user_stacklevel
from wslib.kernels import row_coverage
from wslib.kernels.stats import one_coin_proba, pairwise_agreement, weighted_vote_counts
from wslib.labelmodel.base import BaseLabelModel, dev_class_balance
from wslib.labelmodel.confusion import ConfusionFit, confusion_posterior, fit_confusion
from wslib.vote_stats import DEFAULT_CAPACITY, VoteStats
from wslib.labelmodel.weighted import DevEvidence, accuracy_to_weight, dev_evidence
from wslib.matrix import VoteMatrix

__all__ = ["LabelModel", "POSTERIORS"]

#: values of ``LabelModel(posterior=)``
POSTERIORS = ("auto", "votes", "confusion", "dawid-skene")
#: ``posterior="auto"`` takes the crowd model when LFs voting two or more classes cast
#: at least this share of the votes: the crowd model counts no vote of a one-class LF
#: (its confusion rows are the same for every class), so those must be few
CROWD_VOTE_SHARE = 0.8
#: ... and at least this share of those votes comes from sources in a triangle
CROWD_SHARE = 0.5
#: same-class LFs a unipolar LF must co-vote with for its precision to be estimated,
#: for k = 2 and k > 2: three indicators of one latent class (Goodman, 1974); with two
#: classes the other class's LFs indicate the same dichotomy and are the third
MIN_PEERS = {2: 1, "multiclass": 2}


class LabelModel(BaseLabelModel):
    r"""The default label model: the estimator that the structure of the votes supports.

    Two kinds of sources call for two models, and the votes say which they are:

    * **Labeling functions** mostly vote one class each (keyword rules,
      regexes: *unipolar*). Their votes agree or clash by construction, so the
      vote values say nothing about accuracy; *which* LFs fire, and how often
      together, does. Each LF's **precision** :math:`a_j` (the probability that
      its vote is right) is estimated by an abstain-aware Dawid–Skene model
      (:class:`DawidSkene`), and the soft label is the one-coin weighted vote
      (``posterior_ == "votes"``)

      .. math::

          P(y = c \mid L_i) \propto \pi_c \exp\Big(\sum_{j : L_{ij} = c} w_j\Big),
          \qquad w_j = \log \frac{a_j (k - 1)}{1 - a_j},

      which reads abstains as missing (summing "LF :math:`j` stayed silent"
      over LFs whose firing is correlated beyond the class overwhelms the
      votes on real data). A precision is only estimated where the votes
      identify it, from three indicators of one latent class (Goodman, 1974):
      a unipolar LF needs two other LFs of its class that vote on some of its
      items, or one in a binary task, where the other class's LFs indicate the
      same dichotomy (``MIN_PEERS``). The others (``identified_`` False; on a set with
      one LF per class, all of them) share the vote-weighted mean precision of
      the identified ones (of all LFs when none is identified), capped by what
      their coverage allows: an LF of class :math:`c` that fires on a share
      :math:`f_j` of the items has precision at most :math:`\pi_c / f_j`, as
      :math:`P(y = c \mid L_j = c) = P(y = c, L_j = c) / P(L_j = c)`. With
      ``class_balance`` or dev labels :math:`\pi_c` is known; otherwise it is
      the expected share of the *largest* class under a uniform prior on the
      class balance, :math:`H_k / k` (0.75 for two classes, 0.46 for five), so
      that a big class's broad rule is not capped. A keyword rule that fires
      on 60 % of a five-class set then loses its conflicts with narrow rules,
      where a majority vote would break those ties at random.
    * **Crowd workers** and model-based sources vote several classes each
      (*multipolar*); their answers do identify full confusion matrices,
      including which classes each one mixes up, where a source has three
      indicators of the latent class: two other sources that it co-votes with
      and that co-vote with each other, on any items, each pair on two items or
      more (a triangle of the co-vote graph; a chain or a ring of pairs
      identifies nothing). When sources voting two or more classes cast at
      least ``CROWD_VOTE_SHARE`` (0.8) of the votes, and at least
      ``CROWD_SHARE`` (0.5) of those votes come from sources in such a
      triangle, the soft label is the Dawid–Skene posterior with abstains as
      missing data (``posterior_ == "confusion"``; Dawid & Skene, 1979). That
      posterior counts no vote of a one-class LF (with abstains missing, it
      votes its class whatever the truth), so keyword rules mixed with a few
      classifiers take the vote posterior, which weighs every LF.

    ``posterior`` forces one of them, or the abstain-aware Dawid–Skene
    posterior (``"dawid-skene"``), which reads silence as evidence: right when
    LFs fire independently given the class, wrong on the real LF sets tried
    (docs/labelmodels.md).

    An item no LF votes on has no evidence: its soft label is the class prior
    of such items, ``uncovered_proba_`` — the ``class_balance`` given to
    ``fit``, or from gold dev labels the class shares of the dev items without
    votes (smoothed towards the dev class shares), otherwise uniform, the
    guess that cannot be worse than chance. ``uncovered="firing"`` uses the
    firing-rate estimate instead (below), which assumes LFs fire independently.

    **Gold dev labels** (``fit(L, y_dev=, L_dev=)``, about 100 items): each LF's
    accuracy becomes a Bayesian compromise between its estimate and its dev
    votes. The estimate is a Beta prior of strength :math:`\kappa` that holds
    with probability :math:`\rho`, and a uniform prior otherwise (a contaminated
    prior: an estimate the dev votes contradict is dropped, not averaged in);
    :math:`\kappa, \rho` maximise the beta-binomial likelihood of the dev votes
    of all LFs, and each LF takes the posterior mean of its more probable
    component (``dev_trust_``: True where that is the estimate). The dev
    labels also set the class prior ``class_balance_`` (smoothed class shares)
    and the Dawid–Skene class prior. :class:`WeightedMajorityVote` uses dev
    labels alone.

    Also:

    * ``fix_nested``: LF ``a`` *fixes* LF ``b`` (Ratner et al., 2016, *Data
      programming*, NeurIPS) when ``a`` has fewer votes, ``b`` also votes on at
      least 90 % of ``a``'s items (10 or more) and they disagree on most of
      them; ``b``'s vote is then dropped where ``a`` votes (``fixes_``).
    * ``dependencies``: LF pairs ``(a, b)`` you know share one decision: ``b``'s
      vote is dropped where ``a`` votes, like a fixing pair; the vote
      posterior is then used.
    * ``balance_estimate_``: the class balance estimated from ``L`` with the
      class-conditional firing rates :math:`f_{jc}` of the LFs on the covered
      items' posteriors (an item no LF votes on is of class :math:`c` with
      probability :math:`\propto \pi_c \prod_j (1 - f_{jc})`; :math:`\pi` is
      the fixed point of :math:`n \pi_c = \sum_{i\, \text{covered}} P(c \mid
      L_i) + n_0 P(c \mid \text{no vote})`). It is reported, and used for
      uncovered items only with ``uncovered="firing"``, as it assumes LFs
      fire independently (docs/labelmodels.md compares the two on real data).

    The fit runs on the distinct vote patterns
    (:class:`~wslib.vote_stats.VoteStats`): one pass over ``L``, then
    work independent of ``n``. Every choice above was measured on real data
    (docs/labelmodels.md, ``wslib bench labelmodel``).

    References: Dawid & Skene (1979), *Applied Statistics* 28(1); Goodman
    (1974), *Biometrika* 61(2); Nitzan & Paroush (1982), *International
    Economic Review* 23(2); Ratner et al. (2016), *Data programming*, NeurIPS.

    Parameters
    ----------
    cardinality, random_state
        As for every label model (:class:`~wslib.labelmodel.BaseLabelModel`). The fit is deterministic.
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
    uncovered : {"prior", "firing"}
        Soft label of an item without votes under the vote posterior (see above).
    posterior : {"auto", "votes", "confusion", "dawid-skene"}
        The soft label: chosen from the sources' polarity, the one-coin
        weighted vote of precisions, the vote-only Dawid–Skene posterior, or
        the abstain-aware one.
    dependencies : sequence of (int, int), optional
        Known dependent LF pairs ``(a, b)``: ``b``'s vote is dropped where
        ``a`` votes (added to ``fixes_``).
    device : str, optional
        Torch device for the vote statistics, the EM and the soft labels
        (block by block); ``None``: numba on the CPU.

    Attributes
    ----------
    accuracy_, weights_ : ndarray (m,)
        Each LF's precision and its vote weight.
    identified_ : ndarray of bool (m,)
        LFs whose precision the votes identify (the others share one).
    at_bound_ : ndarray of bool (m,)
        Identified unipolar LFs whose precision the fit holds at the
        better-than-random bound (given the LF's vote, another class is as
        likely as its own): the bound set it, not the votes, and it is often an
        underestimate. Check such an LF on a few labelled items, or pass them as
        dev labels.
    estimate_basis_ : ndarray of str (m,)
        What set each ``accuracy_``: ``"votes"``, ``"at bound"`` (``at_bound_``),
        ``"shared"`` (not identified) or ``"dev labels"`` (the LF votes on dev
        items, whose gold labels updated or replaced the estimate; see
        ``dev_trust_``). :func:`~wslib.analysis.lf_summary` shows it beside
        ``est_acc``.
    dev_trust_ : ndarray of bool (m,)
        With dev labels: LFs whose estimate the dev votes kept (all True without).
    unipolar_ : ndarray of bool (m,)
        LFs that vote at most one class.
    multipolar_share_ : float
        Share of the votes cast by LFs voting two or more classes.
    posterior_ : str
        The posterior ``predict_proba`` uses: ``"votes"``, ``"confusion"`` or
        ``"dawid-skene"``.
    class_balance_ : ndarray (k,)
        The class prior: given to ``fit``, else from dev labels, else uniform
        (vote posterior) or the Dawid–Skene estimate (the other two).
    balance_estimate_ : ndarray (k,)
        Class balance estimated from ``L`` (see above).
    uncovered_proba_ : ndarray (k,)
        The soft label of an item without votes.
    fixes_ : ndarray of int64 (n_pairs, 2)
        ``(fixer, fixed)`` LF pairs.
    confusion_ : ndarray (m, k, k + 1)
        The Dawid–Skene estimate: ``confusion_[j, c, v] = P(L_j = v | y = c)``,
        ``v = k`` for abstain (zero under the vote-only model).
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
    >>> model.posterior_                      # these synthetic sources vote every class
    'confusion'
    >>> bool(abs(model.accuracy_ - data.accuracy).max() < 0.1)
    True
    """

    _learned = ("class_balance_", "accuracy_", "weights_", "n_iter_", "fixes_",
                "balance_estimate_", "uncovered_proba_", "unipolar_", "posterior_",
                "confusion_", "identified_", "dev_trust_", "multipolar_share_", "at_bound_",
                "estimate_basis_")
    _per_source = ("accuracy_", "weights_", "confusion_", "unipolar_", "identified_",
                   "dev_trust_", "at_bound_", "estimate_basis_")
    _per_class = ("class_balance_", "balance_estimate_", "uncovered_proba_")
    #: added after 0.1.0: files saved before get the behaviour they were saved with
    _learned_defaults: ClassVar[dict[str, Callable[[Any], Any]]] = {
        "balance_estimate_": lambda model: model.class_balance_,
        "uncovered_proba_": lambda model: model.class_balance_,
        "unipolar_": lambda model: np.zeros(model.n_sources_, dtype=bool),
        "posterior_": lambda model: "votes",
        "confusion_": lambda model: np.full((model.n_sources_, model.cardinality_,
                                             model.cardinality_ + 1), np.nan),
        "identified_": lambda model: np.ones(model.n_sources_, dtype=bool),
        "dev_trust_": lambda model: np.ones(model.n_sources_, dtype=bool),
        "multipolar_share_": lambda model: float("nan"),
        "at_bound_": lambda model: np.zeros(model.n_sources_, dtype=bool),
        "estimate_basis_": lambda model: np.where(
            model.dev_trust_, np.where(model.identified_, "votes", "shared"), "dev labels"),
    }
    permutation_invariant = True  # exact while the distinct patterns fit in max_patterns
    _parameter_constraints = {"smoothing": number(low=0), "max_iter": integer(1),
                              "tol": number(low=0), "fix_nested": boolean(),
                              "max_patterns": integer(1), "uncovered": choice("prior", "firing"),
                              "posterior": choice(*POSTERIORS), "device": text(optional=True)}

    def __init__(self, cardinality: int | None = None, random_state: int = 0, *,
                 smoothing: float = 1.0, max_iter: int = 200, tol: float = 1e-6,
                 fix_nested: bool = True, max_patterns: int = DEFAULT_CAPACITY,
                 uncovered: str = "prior", posterior: str = "auto",
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
        self._fit_stats(stats, class_balance, dev_evidence(L, k, y_dev, L_dev))

    def fit_stats(self, stats: VoteStats, *, class_balance=None) -> LabelModel:
        """Fit from (possibly merged) :class:`VoteStats` instead of a vote matrix.

        Because the statistics merge exactly, accumulating them batch by batch
        gives the same model as fitting the concatenated matrix.

        >>> import numpy as np
        >>> from wslib.vote_stats import VoteStats
        >>> from wslib.datasets.synthetic import make_votes
        >>> L = make_votes(1000, 6, 2, random_state=1).L
        >>> s = VoteStats.from_votes(L[:500], 2) + VoteStats.from_votes(L[500:], 2)
        >>> a = LabelModel().fit_stats(s).predict_proba(L)
        >>> bool(np.allclose(a, LabelModel().fit(L).predict_proba(L), atol=1e-9))
        True
        """
        prior = self._check_stats(stats, class_balance)
        self._set_stats_shape(stats.cardinality, stats.n_sources)
        self._fit_stats(stats, prior, None)
        return self

    def _dependency_pairs(self, m: int) -> np.ndarray:
        """``dependencies`` as LF pairs of the ``m`` LFs, checked against ``posterior``."""
        given_pairs = _check_dependencies(self.dependencies, m)
        if self.posterior not in ("auto", "votes") and len(given_pairs):
            raise ValueError(f"dependencies are applied by the vote posterior; "
                             f"posterior={self.posterior!r} assumes the LFs have none")
        return given_pairs

    def _fit_stats(self, stats: VoteStats, given: np.ndarray | None,
                   dev: DevEvidence | None) -> None:
        k, m = stats.cardinality, stats.n_sources
        given_pairs = self._dependency_pairs(m)
        P, w = stats.compressed()
        rows = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
        per_class = np.bincount(P.indices * k + P.data, weights=w[rows],
                                minlength=m * k).reshape(m, k)
        votes = per_class.sum(axis=1)
        self.unipolar_ = (per_class > 0).sum(axis=1) <= 1
        self.multipolar_share_ = float(votes[~self.unipolar_].sum() / max(votes.sum(), 1.0))
        _warn_structure(per_class, dev, k)
        self.posterior_ = self.posterior
        if self.posterior == "auto":
            crowd = (self.multipolar_share_ >= CROWD_VOTE_SHARE and not len(given_pairs)
                     and _triangle_share(P, w, votes, ~self.unipolar_) >= CROWD_SHARE)
            self.posterior_ = "confusion" if crowd else "votes"
        balance = given if given is not None else \
            dev_class_balance(None if dev is None else dev.labels, k)
        estimate = fit_confusion(stats, abstain_aware=self.posterior_ != "confusion",
                                 smoothing=self.smoothing, max_iter=self.max_iter, tol=self.tol,
                                 device=self.device, class_balance=balance,
                                 dev_counts=None if dev is None else _class_counts(dev, k),
                                 name=type(self).__name__)
        self.n_iter_ = estimate.n_iter
        self.confusion_ = estimate.confusion
        accuracy = estimate.accuracy
        self.identified_ = np.ones(m, dtype=bool)
        self.dev_trust_ = np.ones(m, dtype=bool)
        self.at_bound_ = np.zeros(m, dtype=bool)
        if self.posterior_ == "votes":
            both, agree = pairwise_agreement(P, w)
            self.identified_ = _identified(both, per_class, self.unipolar_,
                                           MIN_PEERS[2 if k == 2 else "multiclass"])
            self.at_bound_ = self.identified_ & _at_bound(estimate, per_class, self.unipolar_)
            accuracy = _share_unidentified(accuracy, votes, self.identified_,
                                           _precision_ceiling(per_class, stats.n_items, balance))
            if dev is not None and dev.votes.any():
                accuracy, self.dev_trust_ = _dev_accuracy(accuracy, dev.hits, dev.votes)
            learned = (_nested_fixes(both, agree, votes) if self.fix_nested
                       else np.zeros((0, 2), np.int64))
            self.fixes_ = np.unique(np.concatenate([learned, given_pairs]), axis=0)
        else:
            self.fixes_ = np.zeros((0, 2), np.int64)
        updated = dev is not None and self.posterior_ == "votes"  # dev votes only move these
        self.estimate_basis_ = _estimate_basis(self.identified_, self.at_bound_,
                                               dev.votes if updated else None)
        self.accuracy_ = np.clip(accuracy, 1.0 / k + 1e-3, 1 - 1e-3)
        self.weights_ = accuracy_to_weight(self.accuracy_, k)
        if self.posterior_ == "votes":
            self.class_balance_ = np.full(k, 1.0 / k) if balance is None else balance
            self._estimate_balance(P, w, given)
            if self.uncovered == "prior":
                self.uncovered_proba_ = _uncovered_prior(dev, self.class_balance_, k)
        else:
            self.class_balance_ = estimate.class_balance if balance is None else balance
            self.balance_estimate_ = self.class_balance_
            self.uncovered_proba_ = self._ds_posterior(np.full((1, m), -1, dtype=np.int8))[0]

    def _estimate_balance(self, P, w: np.ndarray, given: np.ndarray | None) -> None:
        """``balance_estimate_`` and the firing-rate soft label of items without votes.

        Firing rates count every vote an LF casts, fixed or not: whether it
        fires is what an uncovered item's posterior is about.
        """
        covered = w * (np.diff(P.indptr) > 0)
        R = self._posterior(P, self.fixes_)
        firing = weighted_vote_counts(P, R * covered[:, None]).sum(axis=1)  # (m, k)
        n = float(w.sum())
        if given is not None:
            self.balance_estimate_ = given
            self.uncovered_proba_ = _no_vote_posterior(firing, given, n)
        else:
            self.balance_estimate_, self.uncovered_proba_ = _firing_balance(firing,
                                                                            covered @ R, n)

    def _ds_posterior(self, L: VoteMatrix) -> np.ndarray:
        """The Dawid–Skene posterior (vote-only or abstain-aware) under ``class_balance_``."""
        return confusion_posterior(L, self.confusion_, self.class_balance_,
                                   abstain_aware=self.posterior_ == "dawid-skene",
                                   device=self.device)

    def _predict_proba(self, L: VoteMatrix) -> np.ndarray:
        if self.posterior_ != "votes":
            return self._ds_posterior(L)
        proba = self._posterior(L, self.fixes_)
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


def _warn_structure(per_class: np.ndarray, dev: DevEvidence | None, k: int) -> None:
    """Warn about votes that cannot separate the classes, and dev classes no LF votes."""
    cast = per_class.sum(axis=0) > 0
    if cast.sum() == 1:
        c = int(np.flatnonzero(cast)[0])
        warnings.warn(f"every LF votes class {c} only: the votes say 'class {c}' or nothing, so "
                      f"covered items get class {c} and uncovered ones the class prior; give "
                      "class_balance=, gold dev labels, LFs for the other classes, or "
                      "posterior='dawid-skene' (which reads silence as evidence)",
                      WslibWarning, stacklevel=user_stacklevel())
    if dev is None:
        return
    absent = sorted(set(np.unique(dev.labels).tolist()) - set(np.flatnonzero(cast).tolist()))
    if absent:
        warnings.warn(f"y_dev holds classes {absent} that no LF votes in L: they enter the class "
                      "prior, but no LF's accuracy can be checked on them", CoverageWarning,
                      stacklevel=user_stacklevel())


def _class_counts(dev: DevEvidence, k: int) -> np.ndarray:
    return np.bincount(dev.labels, minlength=k).astype(np.float64)


def _uncovered_prior(dev: DevEvidence | None, balance: np.ndarray, k: int) -> np.ndarray:
    """Class shares of the dev items without votes, with ``k`` pseudo-items at ``balance``;
    ``balance`` itself without dev labels."""
    if dev is None or np.unique(dev.labels).size < 2:
        return balance
    labels = dev.labels[dev.uncovered]
    counts = np.bincount(labels, minlength=k) + k * balance
    return counts / counts.sum()


def _triangle_share(P: Any, w: np.ndarray, votes: np.ndarray, sources: np.ndarray) -> float:
    """Share of the votes of ``sources`` cast by a source with two partners among them
    that it co-votes with and that co-vote with each other (a triangle of the co-vote
    graph, on any items: three indicators of one latent class). A pair is linked when it
    shares two or more items: one shared item says nothing about how often the two
    agree. ``P``: distinct vote patterns (CSR, sources as columns), ``w`` their counts;
    ``votes``: each source's vote count. Sparse throughout: crowds of thousands of
    workers, each answering a few items, stay cheap.

    >>> from wslib.vote_stats import VoteStats
    >>> ring = np.full((8, 4), -1)
    >>> for i, (a, b) in enumerate([(0, 1), (1, 2), (2, 3), (3, 0)] * 2):
    ...     ring[i, [a, b]] = 1
    >>> P, w = VoteStats.from_votes(ring, 2).compressed()
    >>> votes, everyone = (ring >= 0).sum(axis=0), np.ones(4, bool)
    >>> _triangle_share(P, w, votes, everyone)          # a cycle has no triangle
    0.0
    >>> chord = np.vstack([ring, [[1, -1, 1, -1]] * 2])  # 0 and 2 share two items
    >>> P, w = VoteStats.from_votes(chord, 2).compressed()
    >>> _triangle_share(P, w, (chord >= 0).sum(axis=0), everyone)
    1.0
    """
    cols = np.flatnonzero(sources)
    incidence = sp.csr_matrix((np.ones(P.indices.size), P.indices, P.indptr),
                              shape=P.shape)[:, cols]
    shared = (incidence.T @ sp.diags(w) @ incidence).tocsr()
    shared = shared - sp.diags(shared.diagonal())
    linked = (shared >= 2).astype(np.float64)
    in_triangle = np.asarray(linked.multiply(linked @ linked).sum(axis=1)).ravel() > 0
    cast = votes[cols]
    return float((cast * in_triangle).sum() / max(cast.sum(), 1e-12))


def _identified(both: np.ndarray, per_class: np.ndarray, unipolar: np.ndarray,
                min_peers: int) -> np.ndarray:
    """LFs whose precision the votes identify: multipolar ones, and unipolar ones that
    co-vote with at least ``min_peers`` other unipolar LFs of their class."""
    cls = per_class.argmax(axis=1)
    same = ((cls[:, None] == cls[None, :]) & unipolar[:, None] & unipolar[None, :]
            & (both > 0))
    np.fill_diagonal(same, False)
    return ~unipolar | (same.sum(axis=1) >= min_peers)


def _at_bound(fit: ConfusionFit, per_class: np.ndarray, unipolar: np.ndarray,
              rtol: float = 1e-3) -> np.ndarray:
    r"""Unipolar LFs whose fitted precision sits on the better-than-random bound that the
    fit enforces (:func:`~wslib.labelmodel.confusion._anchor_unipolar`): given the LF's
    vote ``v``, some other class ``c`` is as likely as ``v``,
    :math:`\pi_c \theta_{jcv} \ge (1 - rtol)\, \pi_v \theta_{jvv}`.

    >>> conf = np.zeros((2, 2, 3))            # P(L_j = v | y = c), v = 2: abstain
    >>> conf[0, :, 1] = [0.2, 0.2]            # LF 0 votes 1 as often on either class
    >>> conf[1, :, 0] = [0.4, 0.1]            # LF 1 votes 0, mostly on class 0
    >>> conf[:, :, 2] = 1 - conf[:, :, :2].sum(axis=2)
    >>> fit = ConfusionFit(np.array([0.5, 0.5]), conf, np.array([0.5, 0.8]), 1)
    >>> _at_bound(fit, np.array([[0.0, 20.0], [25.0, 0.0]]), np.array([True, True])).tolist()
    [True, False]
    """
    k = per_class.shape[1]
    own = per_class.argmax(axis=1)
    rows = np.arange(own.size)
    joint = fit.confusion[:, :, :k] * fit.class_balance[None, :, None]  # (m, c, v)
    given_vote = joint[rows, :, own].copy()  # (m, c): pi_c P(L_j = own | y = c)
    mine = given_vote[rows, own]
    given_vote[rows, own] = 0.0
    return unipolar & (per_class.sum(axis=1) > 0) & (given_vote.max(axis=1) >= mine * (1 - rtol))


def _estimate_basis(identified: np.ndarray, at_bound: np.ndarray, dev_votes: np.ndarray | None
                    ) -> np.ndarray:
    """``estimate_basis_``: what set each LF's precision (see :class:`LabelModel`).

    >>> _estimate_basis(np.array([True, True, False]), np.array([False, True, False]),
    ...                 np.array([0.0, 0.0, 3.0])).tolist()
    ['votes', 'at bound', 'dev labels']
    """
    basis = np.where(identified, np.where(at_bound, "at bound", "votes"), "shared")
    return basis if dev_votes is None else np.where(dev_votes > 0, "dev labels", basis)


def _share_unidentified(accuracy: np.ndarray, votes: np.ndarray, identified: np.ndarray,
                        ceiling: np.ndarray) -> np.ndarray:
    """Unidentified LFs take the vote-weighted mean precision of the identified ones (of
    all LFs when none is), or their ``ceiling`` (:func:`_precision_ceiling`) when lower."""
    pool = identified if (identified & (votes > 0)).any() else np.ones_like(identified)
    weight = votes[pool]
    common = (np.average(accuracy[pool], weights=weight) if weight.sum() > 0
              else float(np.mean(accuracy[pool])))
    return np.where(identified, accuracy, np.minimum(common, ceiling))


def _precision_ceiling(per_class: np.ndarray, n_items: int, balance: np.ndarray | None
                       ) -> np.ndarray:
    """The highest precision each LF's coverage allows: ``pi_c / f_j`` for an LF voting
    class ``c`` on a share ``f_j`` of the ``n_items`` items, at most 1. ``pi`` is
    ``balance``, or when ``None`` the expected largest class share under a uniform
    Dirichlet prior, ``H_k / k``: any class might be the largest.

    >>> _precision_ceiling(np.array([[0.0, 90.0], [10.0, 0.0]]), 100, None).round(3).tolist()
    [0.833, 1.0]
    """
    k = per_class.shape[1]
    prior = (np.full(k, np.sum(1.0 / np.arange(1, k + 1)) / k) if balance is None
             else balance)
    share = per_class.sum(axis=1) / max(n_items, 1)
    with np.errstate(divide="ignore"):
        return np.minimum(1.0, prior[per_class.argmax(axis=1)] / share)


def _dev_accuracy(prior: np.ndarray, hits: np.ndarray, votes: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    r"""Accuracies from an estimate and gold dev votes under a contaminated Beta prior.

    Each LF's dev hits are beta-binomial under :math:`
ho\, \mathrm{Beta}(\kappa a_j,
    \kappa (1 - a_j)) + (1 - 
ho)\, \mathrm{Beta}(1, 1)`; :math:`(\kappa, 
ho)` maximise
    the likelihood of every LF's dev votes on a grid, and each LF takes the posterior mean
    of its more probable component. Returns the accuracies and where the estimate held.
    """
    a = np.clip(prior, 1e-3, 1 - 1e-3)
    kappa = np.exp(np.linspace(np.log(0.5), np.log(1e4), 60))[:, None]  # (K, 1)
    rho = np.linspace(0.02, 0.98, 49)[:, None, None]  # (R, 1, 1)
    log_est = (betaln(hits + kappa * a, votes - hits + kappa * (1 - a))
               - betaln(kappa * a, kappa * (1 - a)))  # (K, m)
    log_flat = betaln(hits + 1.0, votes - hits + 1.0)  # (m,)
    mix = np.logaddexp(np.log(rho) + log_est, np.log1p(-rho) + log_flat)  # (R, K, m)
    r, q = np.unravel_index(np.argmax(mix.sum(axis=2)), mix.shape[:2])
    held = np.log(rho[r, 0, 0]) + log_est[q] >= np.log1p(-rho[r, 0, 0]) + log_flat
    k_best = kappa[q, 0]
    kept = (hits + k_best * a) / (votes + k_best)
    return np.where(held, kept, (hits + 1.0) / (votes + 2.0)), held | (votes == 0)


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
