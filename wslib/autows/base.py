"""The contract every LF generator shares (a scikit-learn transformer).

A generator learns labeling rules from a feature matrix ``X`` of *all*
items and a partial label vector ``y`` (a class id for the few labelled
items, ``-1`` for the rest, as in :class:`sklearn.semi_supervised.LabelSpreading`):

* ``__init__`` stores hyper-parameters only; ``random_state`` has a fixed default;
* ``fit(X, y)`` validates (NaN, shapes, fewer labels than classes, a class
  without a labelled example), generates candidates from the labelled items
  (or, with ``validation_fraction``, from part of each class), keeps the best
  with :func:`~wslib.autows.selection.greedy_select` scored on the others
  and returns ``self``;
  the rules are in ``lfs_``;
* ``transform(X)`` returns the vote matrix (n_items x n_lfs, ``-1`` = abstain)
  ready for any :mod:`wslib.labelmodel`; ``describe()`` prints the rules;
  :func:`wslib.autows.to_lfs` turns them into ordinary wslib LFs.

Subclasses implement ``_candidates(X, y_lab, labelled, k, rng)`` returning
rules; selection and validation are shared.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from wslib._validation import CheckedParams, check_params, integer, number, sequence, text
from wslib._validation import check_features
from wslib.autows.inputs import check_partial_labels
from wslib.autows.rules import Rule
from wslib.autows.selection import greedy_select
from wslib.exceptions import CoverageWarning, NotFittedError, user_stacklevel
from wslib.matrix import ABSTAIN, vote_dtype

__all__ = ["BaseGenerator", "canonical_order", "stack_votes"]


def stack_votes(rules: Sequence[Rule], X, k: int) -> np.ndarray:
    """Vote matrix of ``rules`` on ``X`` in the smallest vote dtype for ``k`` classes."""
    out = np.full((X.shape[0], len(rules)), ABSTAIN, dtype=vote_dtype(k))
    if sp.issparse(X):
        X = sp.csc_matrix(X)  # rules read columns
    for j, rule in enumerate(rules):
        out[:, j] = rule.votes(X)
    return out


def canonical_order(X: Any, y: np.ndarray, digits: int = 10) -> np.ndarray:
    """An order of the rows that depends on their contents only: by a fixed random
    projection of each feature row (rounded to ``digits`` significant digits, so that
    equal rows tie), then by label. Rows equal in features and label are interchangeable,
    so a generator that draws over row positions makes the same rules from any
    permutation of the rows.

    >>> import numpy as np
    >>> X, y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), np.array([1, 0, 0])
    >>> a, b = canonical_order(X, y), canonical_order(X[::-1], y[::-1])
    >>> bool((X[a] == X[::-1][b]).all() and (y[a] == y[::-1][b]).all())
    True
    """
    direction = np.random.default_rng(0).standard_normal(X.shape[1])
    key = np.asarray(X @ direction, dtype=np.float64).ravel()
    scale = np.where(key == 0, 1.0, 10.0 ** (np.floor(np.log10(np.abs(key) + 1e-300))
                                              - digits + 1))
    return np.lexsort((y, np.round(key / scale) * scale))


class BaseGenerator(CheckedParams, TransformerMixin, BaseEstimator, ABC):
    """Base class of LF generators; see the module docstring for the contract."""

    _parameter_constraints = {
        "cardinality": integer(2, optional=True), "max_lfs": integer(1),
        "min_accuracy": number(0, 1, optional=True), "min_support": integer(0),
        "class_names": sequence(text(), optional=True), "random_state": integer(0),
        "margins": sequence(number(0, 1)), "validation_fraction": number(0, 1, open_high=True)}

    def __init__(self, cardinality: int | None, max_lfs: int, min_accuracy: float | None,
                 min_support: int, class_names: Sequence[str] | None, random_state: int):
        # the hyper-parameters every generator has; scikit-learn reads each generator's
        # own signature, so a generator declares them (with its defaults) and passes them on
        self.cardinality = cardinality
        self.max_lfs = max_lfs
        self.min_accuracy = min_accuracy
        self.min_support = min_support
        self.class_names = class_names
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> "BaseGenerator":
        """Generate LFs from features of all items and their partial labels; returns ``self``."""
        check_params(self)
        y_arr = np.asarray(y)
        n_rows = y_arr.shape[0] if y_arr.ndim == 1 else None
        X = check_features(X, n_rows=n_rows)
        y_arr, k, labelled = check_partial_labels(
            y_arr, n_rows=X.shape[0], cardinality=self.cardinality,
            class_names=self.class_names)
        order = canonical_order(X, y_arr)  # the same rules whatever the order of the rows
        X, y_arr = X[order], y_arr[order]
        labelled = np.flatnonzero(y_arr >= 0)
        rng = np.random.default_rng(self.random_state)
        fit_rows, score_rows = self._split_labelled(y_arr[labelled], k, rng)
        candidates = self._candidates(X, y_arr[labelled[fit_rows]], labelled[fit_rows], k, rng)
        self.cardinality_ = k
        self.n_features_in_ = X.shape[1]
        self.n_candidates_ = len(candidates)
        self.lfs_ = self._select(candidates, X, y_arr[labelled[score_rows]],
                                 labelled[score_rows], k)
        if not self.lfs_:
            warnings.warn(
                f"{type(self).__name__} found no rule whose precision lower bound on the "
                f"{labelled.size} labelled items reaches min_accuracy; it generates no LFs",
                CoverageWarning, stacklevel=user_stacklevel())
        return self

    def _split_labelled(self, y_lab: np.ndarray, k: int, rng: np.random.Generator
                        ) -> tuple[np.ndarray, np.ndarray]:
        """Positions (into the labelled items) to learn candidates on and to score them on.

        By default both are all labelled items; generators that search many
        candidates hold out ``validation_fraction`` of each class for scoring, so
        the precision estimates are not inflated by the search (at least one item
        of each class is kept for learning; ``ValueError`` when none is left to score).
        """
        fraction = getattr(self, "validation_fraction", 0.0)
        everything = np.arange(y_lab.shape[0])
        if not fraction:
            return everything, everything
        fit, score = [], []
        for c in range(k):
            members = rng.permutation(np.flatnonzero(y_lab == c))
            n_fit = max(1, int(round(members.size * (1.0 - fraction))))
            fit.append(members[:n_fit])
            score.append(members[n_fit:])
        score = np.concatenate(score)
        if score.size == 0:  # every class has too few items to spare one for scoring
            raise ValueError(
                f"{type(self).__name__}: validation_fraction={fraction:g} holds out none of "
                f"the {y_lab.size} labelled items, so no candidate could be scored; label "
                "more items per class (2 each for 0.5), or set validation_fraction=0 to "
                "score on the items the candidates were learned from")
        return np.sort(np.concatenate(fit)), np.sort(score)

    def _select(self, candidates: list[Rule], X, y_lab: np.ndarray, labelled: np.ndarray,
                k: int) -> list[Rule]:
        if not candidates:
            return []
        V = self._candidate_votes(candidates, X, k)
        chosen = greedy_select(V[labelled], y_lab, V, labelled=labelled,
                               max_lfs=self.max_lfs, min_accuracy=self._min_accuracy(k),
                               min_support=self.min_support)
        return [candidates[j] for j in chosen]

    def _candidate_votes(self, candidates: list[Rule], X, k: int) -> np.ndarray:
        """Votes of every candidate on all items (subclasses may share work across rules)."""
        return stack_votes(candidates, X, k)

    def _min_accuracy(self, k: int) -> float:
        """``min_accuracy`` or, when ``None``, halfway between chance (1/k) and 1."""
        return float(self.min_accuracy) if self.min_accuracy is not None else 0.5 + 0.5 / k

    @abstractmethod
    def _candidates(self, X, y_lab: np.ndarray, labelled: np.ndarray, k: int,
                    rng: np.random.Generator) -> list[Rule]:
        """Candidate rules learned from the labelled rows (and, if useful, all rows)."""

    def _check_fitted(self) -> None:
        if not hasattr(self, "lfs_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit(X, y)")

    def transform(self, X: Any) -> np.ndarray:
        """Vote matrix of the generated LFs on ``X`` (n_items x n_lfs, ``-1`` = abstain)."""
        self._check_fitted()
        X = check_features(X, n_columns=self.n_features_in_, model="the generator")
        return stack_votes(self.lfs_, X, self.cardinality_)

    def describe(self) -> str:
        """One line per generated LF: ``name: rule``."""
        self._check_fitted()
        return "\n".join(f"{r.name}: {r.describe(self.class_names)}" for r in self.lfs_)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The generated LFs' names (the columns of :meth:`transform`)."""
        self._check_fitted()
        return np.array([r.name for r in self.lfs_], dtype=object)
