"""Weaver: combine weak verifiers into one strong verifier, select the best of N.

Pipeline: filter verifiers -> normalise each one -> (binarise) -> fit a label
model on all candidates, without gold -> posterior log-odds that a candidate is
correct -> arg-max per problem (or per answer group).

Two modes set the defaults of every option left as ``None``:

==================  ==============================  ==================================
option              ``"label-free"`` (default)      ``"faithful"`` (published pipeline)
==================  ==============================  ==================================
center              per-problem mean removed        no
use_answers         weights from answer groups      no
                    (when an answer column exists)
normalisation       ``"rank"``                      ``"minmax"`` (columns in [0, 1] kept)
missing scores      left out of the likelihood      replaced by 0
representation      ``"continuous"``                ``"binary"``
threshold           matched to the estimated        0.5 on the normalised scale
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

Both modes drop all-missing, (near-)constant and duplicated verifiers (see
:mod:`wslib.weaver.filter`), reported in ``report_``.

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
from scipy.special import ndtri
from sklearn.base import BaseEstimator, clone
from threadpoolctl import threadpool_limits

from wslib.exceptions import NotFittedError, WslibWarning, user_stacklevel
from wslib.labelmodel.base import check_bool, check_integer
from wslib.weaver.answers import AnswerGroupModel
from wslib.weaver.binarise import binarise, thresholds_for_rate
from wslib.weaver.filter import filter_verifiers
from wslib.weaver.io import VerifierTable
from wslib.weaver.model import BinaryMomentModel, GaussianFactorModel
from wslib.weaver.normalise import ScoreNormaliser, center_per_problem, fill_by_regression
from wslib.weaver.select import AGGREGATES, select_best

__all__ = ["MODES", "REPRESENTATIONS", "SmallTableWarning", "Weaver"]

MODES = ("label-free", "faithful")
REPRESENTATIONS = ("continuous", "binary")
#: below both sizes the label-free answer model can fall far below majority vote
#: (docs/weaver.md, "Known limits"): (problems, kept verifiers)
SMALL_TABLE = (300, 20)


class SmallTableWarning(WslibWarning):
    """The table is small enough that label-free selection is unreliable."""


_DEFAULTS = {
    "label-free": {"center": True, "normalisation": "rank", "representation": "continuous",
                   "fill_missing": None, "positive_rate": None, "use_answers": True,
                   "aggregate": "answer"},
    "faithful": {"center": False, "normalisation": "minmax", "representation": "binary",
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
        Model the normalised scores themselves or 0/1 votes; ``"auto"`` picks the
        one that selects best on the ``dev`` problems given to :meth:`fit`
        (continuous without them).
    normalisation : {"rank", "minmax"}, optional
    center : bool, optional
        Remove each problem's mean score per verifier before normalising.
    use_answers : bool, optional
        Continuous model only: when the table has an answer column, weight the
        verifiers by the answer-group discriminant, which accounts for verifiers
        that share errors (see :class:`GaussianFactorModel`); the label-free
        default. The answers are not labels: no gold is read.
    threshold : float, optional
        Binarisation threshold on the normalised scale; by default (label-free)
        each verifier is cut at the quantile matching the estimated share of
        correct candidates.
    class_balance : float, optional
        Known share of correct candidates; the faithful mode otherwise reads it
        from the table's labels, the label-free mode estimates it.
    positive_rate : (low, high), optional
        Keep only verifiers whose binary votes are positive on a share in the band.
    max_correlation : float
        Drop a verifier at least this rank-correlated with a kept one.
    aggregate : {"candidate", "answer"}, optional
        Select the best candidate, or the best final answer by the answer-level
        model (:class:`~wslib.weaver.answers.AnswerGroupModel`: an answer's
        candidates pool their mean evidence, answer popularity enters as a prior
        learned without labels), then its best candidate. The label-free default is
        ``"answer"`` when the table has an answer column and the scores are modelled
        as continuous, else ``"candidate"``.
    max_iter : int
        EM steps of the continuous model's calibration.
    """

    def __init__(self, mode: str = "label-free", *, representation: str | None = None,
                 normalisation: str | None = None, center: bool | None = None,
                 use_answers: bool | None = None, threshold: float | None = None,
                 class_balance: float | None = None,
                 positive_rate: tuple[float, float] | None = None,
                 max_correlation: float = 0.95, aggregate: str | None = None,
                 max_iter: int = 200):
        self.mode = mode
        self.representation = representation
        self.normalisation = normalisation
        self.center = center
        self.use_answers = use_answers
        self.threshold = threshold
        self.class_balance = class_balance
        self.positive_rate = positive_rate
        self.max_correlation = max_correlation
        self.aggregate = aggregate
        self.max_iter = max_iter

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
        for name in ("center", "use_answers"):
            check_bool(name, getattr(self, name), optional=True)
        if not 0.0 < self.max_correlation <= 1.0:
            raise ValueError(f"max_correlation must lie in (0, 1] (1 keeps every verifier), "
                             f"got {self.max_correlation!r}")
        for name in ("class_balance", "threshold"):  # shares / normalised scores in (0, 1)
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
        ``class_balance`` is set), and ``representation="auto"`` picks the
        representation that selects best on them.
        """
        self._check_params()
        table = _as_table(table)
        if table.n_problems and table.sizes.max() < 2:
            raise ValueError("every problem has a single candidate: there is nothing to select, "
                             "and no candidates to compare within a problem; best-of-N "
                             "selection needs problems with two or more candidates")
        dev_rows = None if dev is None else _dev_rows(table, dev)
        # the products are small (m x m): extra BLAS threads only contend for cores
        with threadpool_limits(limits=1, user_api="blas"):
            if self._option("representation") != "auto":
                return self._fit(table, self._option("representation"), dev_rows)
            if dev_rows is None:
                return self._fit(table, "continuous", None)
            candidates = {r: clone(self)._fit(table, r, dev_rows) for r in REPRESENTATIONS}
        dev_problems = np.unique(table.problem[dev_rows])
        self.dev_accuracy_ = {r: float(table.labels[w.select(table)[dev_problems]].mean())
                              for r, w in candidates.items()}
        best = max(REPRESENTATIONS, key=lambda r: self.dev_accuracy_[r])  # ties: continuous
        self.__dict__.update({k: v for k, v in vars(candidates[best]).items() if k.endswith("_")
                              and k != "dev_accuracy_"})
        return self

    def _fit(self, table: VerifierTable, representation: str, dev_rows) -> Weaver:
        self.representation_ = representation
        faithful_prior = None
        if dev_rows is not None and self.class_balance is None:
            faithful_prior = float(np.clip(table.labels[dev_rows].mean(), 0.01, 0.99))
        elif self.mode == "faithful" and self.class_balance is None:
            if table.labels is None:
                raise ValueError("faithful mode takes the class balance from the correctness "
                                 "labels, as the published code does; pass class_balance= "
                                 "(--class-balance) or use mode='label-free' (--mode "
                                 "label-free)")
            faithful_prior = float(np.clip(table.labels.mean(), 0.01, 0.99))
        raw = self._centred(table)
        self.normaliser_ = ScoreNormaliser(self._option("normalisation"),
                                           skip_unit=self.mode == "faithful")
        U = self._fill(self.normaliser_.fit_transform(raw))
        threshold = self._option("threshold")
        positive_rate = self._option("positive_rate")
        keep, reasons = filter_verifiers(
            raw, table.verifiers, max_correlation=self.max_correlation,
            positive_rate=positive_rate, ranks=U if self.normaliser_.method == "rank" else None,
            votes=None if positive_rate is None else binarise(U, 0.5 if threshold is None
                                                              else threshold))
        if not keep.any():
            raise ValueError(f"every verifier was dropped: {reasons}")
        self.verifiers_ = [v for v, k in zip(table.verifiers, keep) if k]
        self.dropped_ = reasons
        self.normaliser_ = self.normaliser_.take(keep)
        U = U[:, keep]
        prior = self.class_balance if self.class_balance is not None else faithful_prior
        self.answer_normaliser_ = None
        if representation == "binary":
            model = BinaryMomentModel(class_balance=prior)
            if threshold is None:  # cut each verifier at the estimated share of correct
                rate = model.fit(binarise(U, 0.5)).class_balance_
                self.thresholds_ = thresholds_for_rate(U, rate)
            else:
                self.thresholds_ = np.full(U.shape[1], float(threshold))
            self.model_ = model.fit(binarise(U, self.thresholds_))
        else:
            self.thresholds_ = None
            groups = table.answers if self._option("use_answers") else None
            # scores without the per-problem centring: for the class balance, and the
            # answer-level model's input
            self.answer_normaliser_ = ScoreNormaliser(self.normaliser_.method)
            levels = _probit(self.answer_normaliser_.fit_transform(table.scores[:, keep]))
            self.model_ = GaussianFactorModel(class_balance=prior, max_iter=self.max_iter).fit(
                _probit(U), table.starts, groups,
                self._fill(levels) if self._option("center") else None)
            levels = fill_by_regression(levels, table.starts)
            self.answer_center_ = levels.mean(axis=0)
        self.class_balance_ = float(self.model_.class_balance_)
        self._fit_answers(table, U, None if representation == "binary" else levels)
        self.report_ = self._report(table.verifiers, reasons)
        return self

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
                "vote on some tables (by up to 44 points); "
                "check it against majority vote on a few labelled problems",
                SmallTableWarning, stacklevel=user_stacklevel())
        features = self._label_model_input(U)
        X = self._answer_input(table, features, levels)
        self.answer_model_ = AnswerGroupModel().fit(
            X, table.answers, table.problem, self._linear_weight(),
            self.model_.predict_proba(features)[:, 1])

    def _label_model_input(self, U: np.ndarray) -> np.ndarray:
        if isinstance(self.model_, BinaryMomentModel):
            return binarise(U, self.thresholds_)
        return _probit(U)

    def _answer_input(self, table: VerifierTable, features: np.ndarray,
                      levels: np.ndarray | None = None) -> np.ndarray:
        """Features of the answer-level model: signed votes (0 missing); or, for
        continuous scores, probits of each verifier's ranks *before* per-problem
        centring, a missing score filled from the candidate's other verifiers
        (:func:`~wslib.weaver.normalise.fill_by_regression`). The answer model
        compares answers within a problem and removes problem offsets itself, so it
        gets every problem's scores on one scale (ranking after centring stretches
        each problem differently). ``levels``: the filled probits, when computed."""
        if isinstance(self.model_, BinaryMomentModel):
            return np.where(features >= 0, 2.0 * features - 1.0, 0.0)
        if levels is None:
            cols = [table.verifiers.index(v) for v in self.verifiers_]
            levels = fill_by_regression(
                _probit(self.answer_normaliser_.transform(table.scores[:, cols])), table.starts)
        return levels - self.answer_center_

    def _linear_weight(self) -> np.ndarray:
        """The label model's log-odds as a linear function of :meth:`_answer_input`."""
        if isinstance(self.model_, BinaryMomentModel):
            m = self.model_
            return 0.5 * (np.log(m.positive_rate_) - np.log(m.false_positive_rate_)
                          - np.log1p(-m.positive_rate_) + np.log1p(-m.false_positive_rate_))
        return self.model_.weight_

    def _centred(self, table: VerifierTable) -> np.ndarray:
        if self._option("center"):
            return center_per_problem(table.scores, table.starts)
        return table.scores

    def _fill(self, U: np.ndarray) -> np.ndarray:
        fill = self._option("fill_missing")
        return U if fill is None else np.where(np.isnan(U), fill, U)

    def transform(self, table: VerifierTable | pd.DataFrame) -> np.ndarray:
        """The label model's input for each row: probits of the normalised scores of the
        kept verifiers (``NaN`` = missing), or their 0/1 votes (``-1`` = missing).

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
        centred = self._centred(table.with_scores(table.scores[:, cols], self.verifiers_))
        return self._label_model_input(self._fill(self.normaliser_.transform(centred)))

    # --------------------------------------------------------------- inference
    def decision_function(self, table: VerifierTable | pd.DataFrame) -> np.ndarray:
        """Log-odds that each row (in the input's order, see :meth:`transform`) is a
        correct candidate."""
        source, table = table, _as_table(table)
        features = self._features(table)
        return _in_input_order(source, table, self.model_.decision_function(features))

    def predict_proba(self, table: VerifierTable | pd.DataFrame) -> np.ndarray:
        """``(n_rows, 2)`` P(incorrect), P(correct) per row (in the input's order)."""
        source, table = table, _as_table(table)
        features = self._features(table)
        return _in_input_order(source, table, self.model_.predict_proba(features))

    def select(self, table: VerifierTable | pd.DataFrame) -> np.ndarray:
        """The selected row of each problem (problems in sorted order): the best
        candidate, or (``aggregate_ == "answer"``) the best candidate of the answer most
        probably correct. Rows are positions in the input: in a ``VerifierTable``'s
        sorted order, or in a DataFrame's own order (``df.iloc[weaver.select(df)]``)."""
        source, table = table, _as_table(table)
        features = self._features(table)
        log_odds = self.model_.decision_function(features)
        if self.answer_model_ is None:
            rows = select_best(log_odds, table)
        else:
            rows = select_best(log_odds, table,
                               self._answer_posterior(table, features, log=True))
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
        """One row per input verifier: kept or why dropped, and learned quality."""
        rows = pd.DataFrame({"verifier": names, "kept": [n not in reasons for n in names],
                             "reason": [reasons.get(n, "") for n in names]})
        quality = pd.Series(self._separation(), index=self.verifiers_)
        rows["separation"] = rows["verifier"].map(quality)
        return rows

    def _separation(self) -> np.ndarray:
        """Learned quality per kept verifier: TPR - FPR of its votes (binary model) or
        its weight times its noise sd (continuous model: loading over noise sd for the
        factor weights; larger is better, negative counts against the verifier)."""
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


def _dev_rows(table: VerifierTable, dev) -> np.ndarray:
    """Rows of the problems named in ``dev`` (problem ids), whose labels may be read."""
    if table.labels is None:
        raise ValueError("dev names labelled problems, but the table has no labels column")
    wanted = pd.Index(np.asarray(dev).ravel())
    unknown = wanted.difference(pd.Index(table.problem_ids))
    if len(unknown):
        raise KeyError(f"dev problems not in the table: {list(unknown[:5])}")
    problems = pd.Index(table.problem_ids).get_indexer(wanted)
    return np.flatnonzero(np.isin(table.problem, problems))


def _as_table(table: VerifierTable | pd.DataFrame) -> VerifierTable:
    if isinstance(table, VerifierTable):
        return table
    if isinstance(table, pd.DataFrame):
        return VerifierTable.from_frame(table)
    raise TypeError(f"expected a VerifierTable or DataFrame, got {type(table).__name__}")



def _probit(U: np.ndarray) -> np.ndarray:
    """Normal quantiles of normalised scores in (0, 1) (``NaN`` stays missing)."""
    return ndtri(np.clip(U, 1e-4, 1.0 - 1e-4))
