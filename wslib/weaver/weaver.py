"""Weaver: combine weak verifiers into one strong verifier, select the best of N.

Pipeline: filter verifiers -> normalize each one -> (binarize) -> fit a label
model on all candidates, without gold -> posterior log-odds that a candidate is
correct -> arg-max per problem (or per answer group).

Two modes set the defaults of every option left as ``None``:

==================  ==============================  ==================================
option              ``"label-free"`` (default)      ``"faithful"`` (published pipeline)
==================  ==============================  ==================================
center              per-problem mean of the         no
                    probit ranks removed
use_answers         weights from answer groups      no
                    (when an answer column exists)
normalization       ``"rank"``                      ``"minmax"`` (columns in [0, 1] kept)
missing scores      left out of the likelihood      replaced by 0
representation      ``"continuous"``                ``"binary"``
threshold           matched to the estimated        0.5 on the normalized scale
                    share of correct candidates
positive_rate       none                            keep verifiers voting 1 on [0.1, 0.9]
class_balance       estimated (no gold)             share of correct candidates in
                                                    the table's labels (gold!)
label model         :class:`GaussianFactorModel`    :class:`BinaryMomentModel`
aggregate           ``"answer"``: the best answer   ``"candidate"``: the best
                    by :class:`AnswerGroupModel`    candidate
                    (continuous representation,
                    with an answer column)
==================  ==============================  ==================================

Both modes drop all-missing, (near-)constant, constant-within-every-problem and
duplicated verifiers (see :mod:`wslib.weaver.filter`), reported in ``report_``.
The continuous label-free model counts a family of verifiers (one process reward
model's ``_min`` / ``_mean`` / ``_last``, or what ``families=`` declares) about
once, and flips inverted verifiers (:mod:`wslib.weaver.factor`); ``report_`` says
which.

**A few labelled problems** (``fit(table, dev=problem_ids)``): a logistic
regression on the dev rows, shrunk toward the label-free weights
(:class:`~wslib.weaver.dev.DevLogisticModel`, penalty chosen by cross-validation
over the dev problems), learns which verifiers to trust; with an answer column it
also sees the answer's share of the problem's candidates and the answer's mean
scores. The dev labels then pick, by held-out selection accuracy on the dev
problems, between it and the label-free selection (``selector_``). Labels outside
``dev`` are never read; score the result on the other problems.

Example
-------
>>> from wslib.datasets.synthetic import make_verifier_table
>>> from wslib.weaver import Weaver, VerifierTable
>>> table = VerifierTable.from_frame(make_verifier_table(200, 16, 12, random_state=0))
>>> weaver = Weaver().fit(table)
>>> rows = weaver.select(table)          # one selected row per problem
>>> len(rows) == table.n_problems
True
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import expit, ndtri
from sklearn.base import BaseEstimator, clone
from threadpoolctl import threadpool_limits

from wslib._keys import GOLDEN, mix, unit_interval
from wslib._spelling import other_spellings
from wslib.exceptions import NotFittedError, WslibWarning, user_stacklevel
from wslib._validation import check_bool, check_integer
from wslib.weaver.answers import AnswerGroupModel
from wslib.weaver.binarize import binarize, thresholds_for_rate
from wslib.weaver.dev import DevLogisticModel, answer_features
from wslib.weaver.factor import family_codes, family_names, verifier_status
from wslib.weaver.filter import filter_verifiers
from wslib.weaver.io import VerifierTable
from wslib.weaver.metrics import expected_accuracy
from wslib.weaver.binary_moment import BinaryMomentModel
from wslib.weaver.gaussian_factor import GaussianFactorModel
from wslib.weaver.normalize import (ScoreNormalizer, center_per_problem,
                                     fill_by_regression, rank_normalize)
from wslib.weaver.select import AGGREGATES, lexicographic_score, segment_argmax

__all__ = ["DevSetWarning", "MODES", "REPRESENTATIONS", "SmallTableWarning", "Weaver"]

MODES = ("label-free", "faithful")
REPRESENTATIONS = ("continuous", "binary")
#: below both sizes the label-free answer model can fall far below majority vote
#: (docs/weaver.md, "Known limits"): (problems, kept verifiers)
SMALL_TABLE = (300, 20)


class SmallTableWarning(WslibWarning):
    """The table is small enough that label-free selection is unreliable."""


class DevSetWarning(WslibWarning):
    """The labelled dev set cannot teach all it is asked to (absent problems, problems
    of one class, a verifier with no score on it, one class only)."""


_DEFAULTS = {
    "label-free": {"center": True, "normalization": "rank", "representation": "continuous",
                   "fill_missing": None, "positive_rate": None, "use_answers": True,
                   "aggregate": "answer"},
    "faithful": {"center": False, "normalization": "minmax", "representation": "binary",
                 "fill_missing": 0.0, "positive_rate": (0.1, 0.9), "threshold": 0.5,
                 "use_answers": False, "aggregate": "candidate"},
}


class Weaver(BaseEstimator):
    """Weak-supervision verifier ensemble for best-of-N selection.

    Parameters
    ----------
    mode : {"label-free", "faithful"}
        Sets the defaults of the options below (see the module docstring).
    representation : {"continuous", "binary", "auto"}, optional
        Model the normalized scores themselves or 0/1 votes; ``"auto"`` picks the
        one that selects best on the ``dev`` problems given to :meth:`fit`
        (continuous without them).
    normalization : {"rank", "minmax"}, optional
    center : bool, optional
        Remove each problem's mean score per verifier before normalizing.
    use_answers : bool, optional
        Continuous model only: when the table has an answer column, weight the
        verifiers by the answer-group discriminant, which accounts for verifiers
        that share errors (see :class:`GaussianFactorModel`); the label-free
        default. The answers are not labels: no gold is read.
    threshold : float, optional
        Binarization threshold on the normalized scale; by default (label-free)
        each verifier is cut at the quantile matching the estimated share of
        correct candidates.
    class_balance : float, optional
        Known share of correct candidates; the faithful mode otherwise reads it
        from the table's labels, the label-free mode estimates it.
    positive_rate : (low, high), optional
        Keep only verifiers whose binary votes are positive on a share in the band.
    max_correlation : float
        Drop a verifier at least this rank-correlated with a kept one, unless both
        are one family and the continuous model masks families (three families or
        more): it counts a family about once (see :mod:`wslib.weaver.filter`).
    aggregate : {"candidate", "answer"}, optional
        Select the best candidate, or the best final answer by the answer-level
        model (:class:`~wslib.weaver.answers.AnswerGroupModel`: an answer's
        candidates pool their mean evidence, answer popularity enters as a prior
        learned without labels), then its best candidate. The label-free default is
        ``"answer"`` when the table has an answer column and the scores are modelled
        as continuous, else ``"candidate"``.
    max_iter : int
        EM steps of the continuous model's calibration.
    families : dict, optional
        ``{verifier: family}``: verifiers that share errors (checkpoints of one
        reward model, judges with one prompt). Undeclared, a verifier's family is
        its name without a step-aggregate suffix (``prm_min`` and ``prm_last`` are one
        process reward model).
    random_state : int
        Seed of the tie-break in :meth:`select`, of the loadings' bootstrap and of
        the dev cross-validation folds.
    """

    @other_spellings({"normalisation": "wslib spells it normalization= (scikit-learn's "
                                       "spelling)"}, closing=None)
    def __init__(self, mode: str = "label-free", *, representation: str | None = None,
                 normalization: str | None = None, center: bool | None = None,
                 use_answers: bool | None = None, threshold: float | None = None,
                 class_balance: float | None = None,
                 positive_rate: tuple[float, float] | None = None,
                 max_correlation: float = 0.95, aggregate: str | None = None,
                 max_iter: int = 200, families: dict[str, str] | None = None,
                 random_state: int = 0):
        self.mode = mode
        self.representation = representation
        self.normalization = normalization
        self.center = center
        self.use_answers = use_answers
        self.threshold = threshold
        self.class_balance = class_balance
        self.positive_rate = positive_rate
        self.max_correlation = max_correlation
        self.aggregate = aggregate
        self.max_iter = max_iter
        self.families = families
        self.random_state = random_state

    # ----------------------------------------------------------------- options
    def _option(self, name: str):
        value = getattr(self, name, None)
        return _DEFAULTS[self.mode].get(name) if value is None else value

    def _check_params(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; choose one of {MODES}")
        if self._option("representation") not in REPRESENTATIONS + ("auto",):
            raise ValueError(f"unknown representation {self.representation!r}; choose one of "
                             f"{REPRESENTATIONS + ('auto',)}")
        if self._option("aggregate") not in AGGREGATES:
            raise ValueError(f"unknown aggregate {self.aggregate!r}; choose one of {AGGREGATES}")
        check_integer("max_iter", self.max_iter)
        check_integer("random_state", self.random_state, minimum=0)
        if self.families is not None and not isinstance(self.families, dict):
            raise ValueError(f"families must be a dict {{verifier: family}}, got "
                             f"{type(self.families).__name__}")
        for name in ("center", "use_answers"):
            check_bool(name, getattr(self, name), optional=True)
        if not 0.0 < self.max_correlation <= 1.0:
            raise ValueError(f"max_correlation must lie in (0, 1] (1 keeps every verifier), "
                             f"got {self.max_correlation!r}")
        for name in ("class_balance", "threshold"):  # shares / normalized scores in (0, 1)
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float, np.number))
                                          and 0.0 < float(value) < 1.0):
                raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
        band = self.positive_rate
        if band is not None:
            try:
                low, high = (float(b) for b in band)
            except (TypeError, ValueError):
                raise ValueError(f"positive_rate must be a pair (low, high), got {band!r}") \
                    from None
            if not 0.0 <= low < high <= 1.0:
                raise ValueError(f"positive_rate must satisfy 0 <= low < high <= 1, got {band!r}")

    # ----------------------------------------------------------------- fitting
    def fit(self, table: VerifierTable | pd.DataFrame, *, dev=None) -> Weaver:
        """Fit on a verifier table; returns ``self``.

        Labels are read only by the faithful mode (its class balance) and, when
        ``dev`` names a few problems whose labels you may use, on those problems:
        their share of correct candidates becomes the class balance (unless
        ``class_balance`` is set), a logistic regression shrunk toward the label-free
        weights learns the verifiers' trust on them (:class:`DevLogisticModel`,
        ``dev_model_``) and selects (``selector_ == "dev"``). When the label-free
        selection is not one of its weightings (answer-level selection, or binary
        votes), the dev labels pick between the two by held-out selection accuracy on
        the dev problems (``selector_accuracy_``); ``representation="auto"`` picks the
        label-free representation that selects best on them. Dev ids absent from the
        table are ignored with a :class:`DevSetWarning`.
        """
        self._check_params()
        table = _as_table(table)
        if table.n_problems and table.sizes.max() < 2:
            raise ValueError("every problem has a single candidate: there is nothing to select, "
                             "and no candidates to compare within a problem; best-of-N "
                             "selection needs problems with two or more candidates")
        dev_mask = None if dev is None else _dev_problems(table, dev)
        dev_rows = None if dev_mask is None else np.flatnonzero(dev_mask[table.problem])
        # the products are small (m x m): extra BLAS threads only contend for cores
        with threadpool_limits(limits=1, user_api="blas"):
            if self._option("representation") != "auto" or dev_rows is None:
                representation = self._option("representation")
                self._fit(table, "continuous" if representation == "auto" else representation,
                          dev_rows)
            else:
                self._fit_auto(table, dev_mask, dev_rows)
            if dev_mask is not None:
                self._fit_dev(table, dev_mask)
        return self

    def _fit_auto(self, table: VerifierTable, dev_mask: np.ndarray, dev_rows: np.ndarray
                  ) -> None:
        """``representation="auto"``: the label-free representation that selects best on
        the dev problems."""
        candidates = {r: clone(self)._fit(table, r, dev_rows) for r in REPRESENTATIONS}
        y = table.labels.astype(np.float64)
        self.dev_accuracy_ = {
            r: float(expected_accuracy(w._selection_score(table), y, table.starts)[dev_mask]
                     .mean()) for r, w in candidates.items()}
        best = max(REPRESENTATIONS, key=lambda r: self.dev_accuracy_[r])  # ties: continuous
        self.__dict__.update({k: v for k, v in vars(candidates[best]).items() if k.endswith("_")
                              and k != "dev_accuracy_"})

    def _fit(self, table: VerifierTable, representation: str, dev_rows) -> Weaver:
        self.representation_ = representation
        self.selector_, self.dev_model_ = "label-free", None
        faithful_prior = None
        if dev_rows is not None and self.class_balance is None:
            faithful_prior = float(np.clip(table.labels[dev_rows].mean(), 0.01, 0.99))
        elif self.mode == "faithful" and self.class_balance is None:
            if table.labels is None:
                raise ValueError("faithful mode takes the class balance from the correctness "
                                 "labels, as the published code does; pass class_balance= "
                                 "(--class-balance) or use mode='label-free' (--mode "
                                 "label-free)")
            known = table.labels[table.labels >= 0]
            if not known.size:
                raise ValueError("faithful mode takes the class balance from the correctness "
                                 "labels, and none is known; pass class_balance=")
            faithful_prior = float(np.clip(known.mean(), 0.01, 0.99))
        raw = self._normalizer_input(table.scores, table.starts, representation)
        self.normalizer_ = ScoreNormalizer(self._option("normalization"),
                                           skip_unit=self.mode == "faithful")
        U = self._fill(self.normalizer_.fit_transform(raw))
        threshold = self._option("threshold")
        positive_rate = self._option("positive_rate")
        keep, reasons = filter_verifiers(
            raw, table.verifiers, max_correlation=self.max_correlation,
            positive_rate=positive_rate, ranks=U if self.normalizer_.method == "rank" else None,
            votes=None if positive_rate is None else binarize(U, 0.5 if threshold is None
                                                              else threshold),
            starts=table.starts,  # the continuous model accounts for a family's shared errors
            families=None if representation == "binary" else family_codes(table.verifiers,
                                                                            self.families))
        if not keep.any():
            raise ValueError(f"every verifier was dropped: {reasons}")
        self.verifiers_ = [v for v, k in zip(table.verifiers, keep) if k]
        self.dropped_ = reasons
        self.normalizer_ = self.normalizer_.take(keep)
        U = U[:, keep]
        prior = self.class_balance if self.class_balance is not None else faithful_prior
        levels = None
        if representation == "binary":
            model = BinaryMomentModel(class_balance=prior)
            if threshold is None:  # cut each verifier at the estimated share of correct
                rate = model.fit(binarize(U, 0.5)).class_balance_
                self.thresholds_ = thresholds_for_rate(U, rate)
            else:
                self.thresholds_ = np.full(U.shape[1], float(threshold))
            self.model_ = model.fit(binarize(U, self.thresholds_))
        else:
            self.thresholds_ = None
            groups = table.answers if self._option("use_answers") else None
            levels = _probit(U)  # before the per-problem centring: class balance, answers
            Z = center_per_problem(levels, table.starts) if self._option("center") else levels
            self.model_ = GaussianFactorModel(
                class_balance=prior, max_iter=self.max_iter,
                random_state=self.random_state).fit(
                Z, table.starts, groups, self._fill(levels) if self._option("center") else None,
                family_codes(self.verifiers_, self.families))
            levels = fill_by_regression(levels, table.starts)
            self.answer_center_ = levels.mean(axis=0)
        self.class_balance_ = float(self.model_.class_balance_)
        self._fit_answers(table, U, levels)
        self.report_ = self._report(table.verifiers, reasons)
        return self

    def _normalizer_input(self, scores: np.ndarray, starts: np.ndarray, representation: str
                          ) -> np.ndarray:
        """Raw scores as the normalizer sees them: centred within problems first for
        binary votes (``center``); continuous scores are centred after the probit."""
        if representation == "binary" and self._option("center"):
            return center_per_problem(scores, starts)
        return scores

    def _fit_dev(self, table: VerifierTable, dev_mask: np.ndarray) -> None:
        """Learn the verifiers' trust on the dev problems (module docstring); warns and
        keeps the label-free selection when the dev labels hold no contrast."""
        y = table.labels.astype(np.float64)
        rows = dev_mask[table.problem]
        n_correct = np.add.reduceat(y, table.starts[:-1])
        mixed = dev_mask & (n_correct > 0) & (n_correct < table.sizes)
        single = int(dev_mask.sum() - mixed.sum())
        if not mixed.any():
            classes = np.unique(y[rows])
            what = (f"only {'correct' if classes[0] == 1 else 'incorrect'} candidates"
                    if classes.size == 1 else "no problem with both a correct and an "
                    "incorrect candidate")
            warnings.warn(f"the {int(dev_mask.sum())} dev problems hold {what}: they set the "
                          f"class balance ({self.class_balance_:.3f}) but cannot say which "
                          "verifiers rank candidates well; the label-free selection is kept",
                          DevSetWarning, stacklevel=user_stacklevel())
            return
        if mixed.sum() < 2:
            # cross-validation over problems needs two: with one, every fold would train
            # on no contrast at all and the penalty would be picked on nothing
            warnings.warn(f"only one of the {int(dev_mask.sum())} dev problems holds both a "
                          "correct and an incorrect candidate: choosing the dev model's "
                          "penalty by cross-validation over problems needs two or more; the "
                          "label-free selection is kept (the dev labels set the class "
                          f"balance, {self.class_balance_:.3f})", DevSetWarning,
                          stacklevel=user_stacklevel())
            return
        if single:
            warnings.warn(f"{single} of {int(dev_mask.sum())} dev problems have only correct "
                          "or only incorrect candidates: they set the class balance, not the "
                          "verifier weights", DevSetWarning, stacklevel=user_stacklevel())
        # a near-duplicate counts twice in the label-free model, not in a regression:
        # the dev model keeps it (its contrast with its twin can carry signal)
        # an exact copy (the same ranks, or their mirror) has no contrast with its twin:
        # it would only halve that verifier's penalty, so it stays out
        copies = _exact_copies(table, self.verifiers_,
                               [v for v, why in self.dropped_.items()
                                if why.startswith("duplicate of")])
        self.dev_verifiers_ = [v for v in table.verifiers if v not in copies and (
            v not in self.dropped_ or self.dropped_[v].startswith("duplicate of"))]
        self.dev_normalizer_ = ScoreNormalizer().fit(
            table.scores[:, [table.verifiers.index(v) for v in self.dev_verifiers_]])
        X = self._dev_input(table)
        unseen = [v for v, seen in zip(self.dev_verifiers_, (X[rows] != 0).any(axis=0))
                  if not seen]
        if unseen:
            warnings.warn(f"verifiers {unseen} have no score (or no score that differs "
                          "within a problem) on the dev problems: their dev "
                          "weight is their label-free weight times the scale the dev labels "
                          "fit (zero if cross-validation prefers no prior)", DevSetWarning,
                          stacklevel=user_stacklevel())
        dev_starts = np.r_[0, np.cumsum(table.sizes[dev_mask])]
        self.dev_model_ = DevLogisticModel(random_state=self.random_state).fit(
            X[rows], y[rows], dev_starts, self._dev_prior(X.shape[1]))
        if self.answer_model_ is not None or not isinstance(self.model_, GaussianFactorModel):
            # the label-free selection is not one of the dev model's weightings (answer
            # level, or votes): the dev labels choose between the two
            label_free = expected_accuracy(self._selection_score(table), y, table.starts)
            self.selector_accuracy_ = {"label-free": float(label_free[mixed].mean()),
                                       "dev": self.dev_model_.cv_accuracy_}
            if self.dev_model_.cv_accuracy_ <= self.selector_accuracy_["label-free"]:
                return
        self.selector_ = "dev"
        self.report_["dev_weight"] = self.report_["verifier"].map(
            dict(zip(self.dev_verifiers_, self.dev_model_.coef_[:len(self.dev_verifiers_)])))

    def _dev_prior(self, n_features: int) -> np.ndarray | None:
        """The label-free weights on the dev features (0 on near-duplicates and answer
        features); none for a binary label model, whose weights act on votes."""
        if not isinstance(self.model_, GaussianFactorModel):
            return None
        weight = dict(zip(self.verifiers_, self.model_.weight_))
        prior = np.zeros(n_features)
        prior[:len(self.dev_verifiers_)] = [weight.get(v, 0.0) for v in self.dev_verifiers_]
        return prior

    def _levels(self, table: VerifierTable) -> np.ndarray:
        """Probits of the kept verifiers' ranks, before any centring (``NaN`` missing)."""
        cols = [table.verifiers.index(v) for v in self.verifiers_]
        return _probit(self.normalizer_.transform(table.scores[:, cols]))

    def _dev_input(self, table: VerifierTable) -> np.ndarray:
        """Features of the dev model: the within-problem centred probit ranks (0 where
        missing) of ``dev_verifiers_`` and, with an answer column, the answer's features
        (:func:`~wslib.weaver.dev.answer_features`)."""
        missing = [v for v in self.dev_verifiers_ if v not in table.verifiers]
        if missing:
            raise KeyError(f"the table lacks the fitted verifier columns {missing}")
        cols = [table.verifiers.index(v) for v in self.dev_verifiers_]
        levels = _probit(self.dev_normalizer_.transform(table.scores[:, cols]))
        X = np.nan_to_num(center_per_problem(levels, table.starts))
        if table.answers is None:
            return X
        return np.hstack([X, answer_features(X, table.answers, table.starts)])

    def _fit_answers(self, table: VerifierTable, U: np.ndarray, levels: np.ndarray | None
                     ) -> None:
        """The answer-level model (``aggregate="answer"``), started from the label
        model's weights and posterior; ``aggregate_`` says which selection
        :meth:`select` makes."""
        self.aggregate_ = self._option("aggregate")
        if self.aggregate_ == "answer" and table.answers is None:
            if self.aggregate is not None:
                raise ValueError("aggregate='answer' needs an answer column (answer=...)")
            self.aggregate_ = "candidate"  # the label-free default, without answers
        if self.aggregate is None and isinstance(self.model_, BinaryMomentModel):
            # signed votes are far from the answer model's Gaussian noise: on the
            # simulator its EM can lock onto popularity (docs/weaver.md)
            self.aggregate_ = "candidate"
        if self.aggregate_ == "candidate":
            self.answer_model_ = None
            return
        if self.mode == "label-free" and table.n_problems < SMALL_TABLE[0] \
                and len(self.verifiers_) < SMALL_TABLE[1]:
            warnings.warn(
                f"{table.n_problems} problems and {len(self.verifiers_)} kept verifiers: on "
                f"simulated tables under {SMALL_TABLE[0]} problems with under "
                f"{SMALL_TABLE[1]} verifiers, label-free answer selection fell below majority "
                "vote on some tables; "
                "check it against majority vote on a few labelled problems",
                SmallTableWarning, stacklevel=user_stacklevel())
        features = self._label_model_input(U, table.starts)
        X = self._answer_input(table, features, levels)
        self.answer_model_ = AnswerGroupModel().fit(
            X, table.answers, table.problem, self._linear_weight(),
            self.model_.predict_proba(features)[:, 1])

    def _label_model_input(self, U: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """Votes of the binary model; probits of the ranks, centred within problems
        (``center``), for the continuous one."""
        if isinstance(self.model_, BinaryMomentModel):
            return binarize(U, self.thresholds_)
        Z = _probit(U)
        return center_per_problem(Z, starts) if self._option("center") else Z

    def _answer_input(self, table: VerifierTable, features: np.ndarray,
                      levels: np.ndarray | None = None) -> np.ndarray:
        """Features of the answer-level model: signed votes (0 missing); or, for
        continuous scores, probits of each verifier's ranks *before* per-problem
        centring, a missing score filled from the candidate's other verifiers
        (:func:`~wslib.weaver.normalize.fill_by_regression`). The answer model
        compares answers within a problem and removes problem offsets itself, so it
        gets every problem's scores on one scale (ranking after centring stretches
        each problem differently). ``levels``: the filled probits, when computed."""
        if isinstance(self.model_, BinaryMomentModel):
            return np.where(features >= 0, 2.0 * features - 1.0, 0.0)
        if levels is None:
            levels = fill_by_regression(self._levels(table), table.starts)
        return levels - self.answer_center_

    def _linear_weight(self) -> np.ndarray:
        """The label model's log-odds as a linear function of :meth:`_answer_input`."""
        if isinstance(self.model_, BinaryMomentModel):
            m = self.model_
            return 0.5 * (np.log(m.positive_rate_) - np.log(m.false_positive_rate_)
                          - np.log1p(-m.positive_rate_) + np.log1p(-m.false_positive_rate_))
        return self.model_.weight_

    def _fill(self, U: np.ndarray) -> np.ndarray:
        fill = self._option("fill_missing")
        return U if fill is None else np.where(np.isnan(U), fill, U)

    def transform(self, table: VerifierTable | pd.DataFrame) -> np.ndarray:
        """The label model's input for each row: probits of the normalized scores of the
        kept verifiers, centred within problems (``NaN`` = missing), or their 0/1 votes
        (``-1`` = missing).

        Rows, here and in every per-row result below, come in the order of the input:
        a ``VerifierTable``'s sorted (problem, candidate) order, or a DataFrame's own
        row order (for Weaver's one-row-per-problem layout: its long form, problem by
        problem, sample by sample)."""
        source, table = table, _as_table(table)
        return _in_input_order(source, table, self._features(table))

    def _features(self, table: VerifierTable) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise NotFittedError("Weaver is not fitted; call fit first")
        missing = [v for v in self.verifiers_ if v not in table.verifiers]
        if missing:
            raise KeyError(f"the table lacks the fitted verifier columns {missing}")
        cols = [table.verifiers.index(v) for v in self.verifiers_]
        raw = self._normalizer_input(table.scores[:, cols], table.starts, self.representation_)
        return self._label_model_input(self._fill(self.normalizer_.transform(raw)),
                                       table.starts)

    # --------------------------------------------------------------- inference
    def decision_function(self, table: VerifierTable | pd.DataFrame) -> np.ndarray:
        """Log-odds that each row (in the input's order, see :meth:`transform`) is a
        correct candidate: the dev model's when it selects (``selector_ == "dev"``),
        else the label model's."""
        source, table = table, _as_table(table)
        return _in_input_order(source, table, self._log_odds(table))

    def predict_proba(self, table: VerifierTable | pd.DataFrame) -> np.ndarray:
        """``(n_rows, 2)`` P(incorrect), P(correct) per row (in the input's order)."""
        p1 = expit(self.decision_function(table))
        return np.column_stack([1.0 - p1, p1])

    def _log_odds(self, table: VerifierTable) -> np.ndarray:
        features = self._features(table)  # raises NotFittedError before fit
        if self.selector_ == "dev":
            return self.dev_model_.decision_function(self._dev_input(table))
        return self.model_.decision_function(features)

    def selection_score(self, table: VerifierTable | pd.DataFrame) -> np.ndarray:
        """Per row (in the input's order): a score whose largest value in each problem is
        what :meth:`select` picks (the row's log-odds; with ``aggregate_ == "answer"``,
        its answer's log-odds first, then its own). Pass it to
        ``selection_metrics(table, scores=...)`` for the expected accuracy over ties."""
        source, table = table, _as_table(table)
        return _in_input_order(source, table, self._selection_score(table))

    def _selection_score(self, table: VerifierTable) -> np.ndarray:
        log_odds = self._log_odds(table)
        if self.selector_ == "dev" or self.answer_model_ is None:
            return log_odds
        answer = self._answer_posterior(table, self._features(table), log=True)
        return lexicographic_score(answer, log_odds, table.starts)

    def select(self, table: VerifierTable | pd.DataFrame) -> np.ndarray:
        """The selected row of each problem (problems in sorted order): the best
        candidate, or (``aggregate_ == "answer"``) the best candidate of the answer most
        probably correct; ties go to a random candidate (a key hashed from
        ``random_state`` and the problem and candidate ids: the same pick whatever the
        input's row order or the other problems in the table). Rows are
        positions in the input: in a ``VerifierTable``'s sorted order, or in a
        DataFrame's own order (``df.iloc[weaver.select(df)]``)."""
        source, table = table, _as_table(table)
        tie_break = _tie_keys(table, self.random_state)
        rows = segment_argmax(self._selection_score(table), table.starts, tie_break)
        return rows if not isinstance(source, pd.DataFrame) else table.frame_index[rows]

    def predict_answer_proba(self, table: VerifierTable | pd.DataFrame) -> np.ndarray:
        """Per row (in the input's order): the probability that the row's final answer
        is correct, from the answer-level model (``aggregate="answer"``)."""
        source, table = table, _as_table(table)
        return _in_input_order(source, table,
                               self._answer_posterior(table, self._features(table), log=False))

    def _answer_posterior(self, table: VerifierTable, features: np.ndarray, log: bool
                          ) -> np.ndarray:
        if getattr(self, "answer_model_", None) is None:
            raise ValueError("this Weaver selects candidates; fit with aggregate='answer' for "
                             "answer-level posteriors")
        if table.answers is None:
            raise ValueError("aggregate='answer' needs an answer column (answer=...)")
        model = self.answer_model_
        method = model.answer_log_odds if log else model.answer_proba
        return method(self._answer_input(table, features), table.answers, table.problem)

    def _report(self, names: list[str], reasons: dict[str, str]) -> pd.DataFrame:
        """One row per input verifier: kept or why dropped, its family, and what the
        label model learned of it (for the continuous model: its loading, the loading's
        bootstrap standard error, ``status`` agrees / inverted (flipped) / no evidence of
        skill, and its weight)."""
        rows = pd.DataFrame({"verifier": names, "kept": [n not in reasons for n in names],
                             "reason": [reasons.get(n, "") for n in names]})
        learned = {"separation": self._separation()}
        fit = getattr(self.model_, "family_factor_", None)
        if fit is not None:
            learned.update(family=family_names(self.verifiers_, self.families),
                           loading=fit.loadings,
                           loading_se=fit.loading_se, status=verifier_status(fit),
                           weight=self.model_.weight_)
        for column, values in learned.items():
            rows[column] = rows["verifier"].map(dict(zip(self.verifiers_, values)))
        return rows

    def _separation(self) -> np.ndarray:
        """Learned quality per kept verifier: TPR - FPR of its votes (binary model) or
        its weight times its noise sd (continuous model; larger is better, negative
        counts against the verifier)."""
        model = self.model_
        if isinstance(model, BinaryMomentModel):
            return model.positive_rate_ - model.false_positive_rate_
        return model.weight_ * np.sqrt(model.unique_var_)


def _in_input_order(source, table: VerifierTable, per_row: np.ndarray) -> np.ndarray:
    """Per-row results in the input's order: a DataFrame's rows as given (a table's
    rows are sorted by problem and candidate, ``table.frame_index`` maps them back)."""
    if not isinstance(source, pd.DataFrame):
        return per_row
    out = np.empty_like(per_row)
    out[table.frame_index] = per_row
    return out


def _tie_keys(table: VerifierTable, seed: int) -> np.ndarray:
    """Per row, a key uniform in [0, 1) hashed from ``seed`` and the row's problem and
    candidate ids (SplitMix64's finaliser over pandas' stable hashes of the ids), so that
    a tie is broken the same way whatever the row order or the rest of the table.

    >>> t = VerifierTable.from_frame(pd.DataFrame({"problem_id": [1, 1, 2], "candidate_id":
    ...                                            ["a", "b", "a"], "v": [0.0, 0.0, 1.0]}))
    >>> keys = _tie_keys(t, 0)
    >>> bool(((keys >= 0) & (keys < 1)).all() and keys[0] != keys[2])
    True
    """
    def ids(values: np.ndarray) -> np.ndarray:
        return pd.util.hash_array(np.asarray(values, dtype=object).astype(str))

    with np.errstate(over="ignore"):
        h = mix(ids(table.problem_ids)[table.problem] * GOLDEN ^ ids(table.candidate_ids)
                ^ np.uint64(seed & 0xFFFFFFFFFFFFFFFF))
    return unit_interval(h)


def _exact_copies(table: VerifierTable, kept: list[str], candidates: list[str]) -> set[str]:
    """The ``candidates`` whose within-column ranks equal, or mirror, those of a ``kept``
    verifier on every row (missing on the same rows): a strictly monotone transform
    of it, which holds no information beside it."""
    if not candidates:
        return set()
    U = rank_normalize(table.scores[:, [table.verifiers.index(v) for v in kept + candidates]])
    ref, missing = U[:, :len(kept)], np.isnan(U)
    out = set()
    for j, name in enumerate(candidates):
        u, gone = U[:, len(kept) + j], missing[:, len(kept) + j]
        for k in range(len(kept)):
            if not np.array_equal(gone, missing[:, k]):
                continue
            r, seen = ref[:, k], ~gone
            if np.allclose(u[seen], r[seen], rtol=0.0, atol=1e-12) or np.allclose(
                    u[seen], 1.0 - r[seen], rtol=0.0, atol=1e-12):
                out.add(name)
                break
    return out


def _dev_problems(table: VerifierTable, dev) -> np.ndarray:
    """Boolean mask over the sorted problems named in ``dev`` (problem ids, whose labels
    may be read); ids absent from the table are ignored with a warning."""
    if table.labels is None:
        raise ValueError("dev names labelled problems, but the table has no labels column")
    if isinstance(dev, (set, frozenset)):
        dev = list(dev)
    wanted = pd.Index(np.asarray(dev).ravel()).unique()
    if wanted.empty:  # nothing to learn from: the class balance would be NaN
        raise ValueError("dev names no problem; pass dev=None for the label-free fit")
    index = pd.Index(table.problem_ids)
    found = index.get_indexer(wanted)
    if (found < 0).any():
        absent = list(wanted[found < 0])
        if (found < 0).all():
            raise ValueError(f"none of the {len(wanted)} dev problems is in the table (e.g. "
                             f"{absent[:5]}); problem ids are read from the table's "
                             f"{table.roles.get('problem') if table.roles else 'problem'!r} "
                             "column")
        warnings.warn(f"{len(absent)} dev problems are not in the table and are ignored "
                      f"(nothing is learned from them): {absent[:5]}", DevSetWarning,
                      stacklevel=user_stacklevel())
    mask = np.zeros(table.n_problems, dtype=bool)
    mask[found[found >= 0]] = True
    unknown = np.flatnonzero(mask & ~table.labelled)
    if unknown.size:
        raise ValueError(f"{unknown.size} dev problems have a candidate without a label "
                         f"(a missing cell), e.g. {list(table.problem_ids[unknown[:5]])}: "
                         "label every candidate of a dev problem")
    return mask


def _as_table(table: VerifierTable | pd.DataFrame) -> VerifierTable:
    if isinstance(table, VerifierTable):
        return table
    if isinstance(table, pd.DataFrame):
        return VerifierTable.from_frame(table)
    raise TypeError(f"expected a VerifierTable or DataFrame, got {type(table).__name__}")


def _probit(U: np.ndarray) -> np.ndarray:
    """Normal quantiles of normalized scores in (0, 1) (``NaN`` stays missing)."""
    return ndtri(np.clip(U, 1e-4, 1.0 - 1e-4))
