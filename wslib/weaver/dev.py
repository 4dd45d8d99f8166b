r"""Few-label verifier weights: a logistic regression on a labelled dev set, shrunk
toward the label-free weights.

Given features ``x_c`` of the candidates of a few labelled problems (within-problem
centred probit ranks, see :class:`~wslib.weaver.weaver.Weaver`) and a label-free
weight vector ``w_0`` fitted on every problem without labels, the model is

.. math:: \operatorname{logit} P(y_c = 1) = b + (\beta w_0 + v)^\top x_c, \qquad
          \text{penalty } \tfrac{\alpha}{2} \big(\lVert v \rVert^2
          + \lVert \beta w_0 \rVert^2\big),

a logistic regression whose weights are pulled toward the label-free direction
rather than toward zero: the labels set ``beta``, the scale and sign of that
direction, under the same penalty as ``v`` (so the label-free direction has
twice the prior variance of any other). ``beta`` needs the penalty: when the
label-free direction splits the dev problems perfectly, its unpenalised value is
infinite, and the held-out log-likelihood then rewards that overconfidence. The
prior (``w_0`` or none, a plain ridge) and ``alpha`` are chosen by
cross-validation over the dev *problems* (folds never split a problem), scoring
each held-out problem by how well the weights pick its correct candidates: the
log of the softmax mass its correct candidates receive. Each prior takes its best
``alpha``; the label-free prior is kept only when its held-out gain over the plain
ridge exceeds one standard error of the per-problem differences (on a few dozen
problems the larger of two noisy scores is often the luckier one). Only problems
with both a correct and an incorrect candidate carry such a contrast; the others
(all correct or all wrong) only set the intercept ``b``, i.e. the share of correct
candidates.

Example
-------
>>> import numpy as np
>>> from wslib.weaver.dev import DevLogisticModel
>>> rng = np.random.default_rng(0)
>>> starts = np.arange(0, 1001, 10)                      # 100 problems x 10 candidates
>>> y = (rng.random(1000) < 0.3).astype(float)
>>> X = y[:, None] * np.array([1.0, 0.5, 0.0]) + rng.normal(size=(1000, 3))
>>> model = DevLogisticModel().fit(X, y, starts, prior=np.array([1.0, 1.0, 1.0]))
>>> bool(model.coef_[0] > model.coef_[1] > abs(model.coef_[2]))
True
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator

from wslib.exceptions import NotFittedError
from wslib._validation import check_integer
from wslib.weaver.metrics import expected_accuracy
from wslib.weaver.normalize import center_per_problem

__all__ = ["ALPHAS", "DevLogisticModel", "answer_features", "selection_log_likelihood"]

#: penalty strengths tried by cross-validation (per dev row: the penalty grows with them)
ALPHAS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 1e3, 1e5)
_NEWTON_STEPS = 30


class DevLogisticModel(BaseEstimator):
    """Logistic regression on labelled dev rows, shrunk toward label-free weights.

    Parameters
    ----------
    alphas : tuple of float
        Penalty strengths tried (``alpha`` above, for the sum of the row losses).
    n_folds, n_repeats : int
        Cross-validation folds over the dev problems (at most one per problem with a
        contrast), repeated with ``n_repeats`` fold assignments.
    random_state : int
        Seed of the fold assignment.
    """

    def __init__(self, alphas: tuple[float, ...] = ALPHAS, n_folds: int = 10,
                 n_repeats: int = 3, random_state: int = 0):
        self.alphas = alphas
        self.n_folds = n_folds
        self.n_repeats = n_repeats
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: np.ndarray, starts: np.ndarray,
            prior: np.ndarray | None = None) -> DevLogisticModel:
        """Fit on dev rows ``X`` (n x d, no NaN), labels ``y`` and problem offsets
        ``starts`` (rows grouped by problem); ``prior`` is the label-free weight vector
        (``None``: a plain ridge). Returns ``self``.

        Sets ``coef_``, ``intercept_``, ``alpha_``, ``prior_`` (``"label-free"`` or
        ``"none"``), ``cv_score_`` (held-out selection log-likelihood per problem),
        ``cv_accuracy_`` (held-out expected selection accuracy of the chosen setting, on
        the problems with a contrast) and ``n_contrast_problems_``."""
        check_integer("n_folds", self.n_folds, minimum=2)
        check_integer("n_repeats", self.n_repeats)
        if not len(self.alphas) or min(self.alphas) <= 0:
            raise ValueError(f"alphas must be positive penalty strengths, got {self.alphas!r}")
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        starts = np.asarray(starts, dtype=np.int64)
        if X.ndim != 2 or X.shape[0] != y.size or starts[-1] != y.size:
            raise ValueError(f"X {X.shape}, y ({y.size},) and starts (ending at {starts[-1]}) "
                             "must describe the same rows")
        mixed = _mixed_problems(y, starts)
        self.n_contrast_problems_ = int(mixed.sum())
        if self.n_contrast_problems_ == 0:
            raise ValueError("no dev problem has both a correct and an incorrect candidate: "
                             "the labels say nothing about which verifiers rank candidates "
                             "well")
        rows = np.repeat(mixed, np.diff(starts))
        sub_starts = np.r_[0, np.cumsum(np.diff(starts)[mixed])]
        priors = {"none": None}
        if prior is not None and np.any(prior != 0):
            priors["label-free"] = np.asarray(prior, dtype=np.float64)
        splits = self._folds(mixed.sum())
        best = {}  # per prior: (per-problem held-out log-likelihood, accuracy, alpha)
        for name, w0 in priors.items():
            warm = [{} for _ in splits]  # each fold's solution starts the next alpha's
            for alpha in sorted(self.alphas):
                score, accuracy = np.mean([_cv_score(X[rows], y[rows], sub_starts, w0, alpha,
                                                     folds, start)
                                           for folds, start in zip(splits, warm)], axis=0)
                if name not in best or score.mean() > best[name][0].mean() + 1e-12:
                    best[name] = (score, accuracy, alpha)
        self.prior_ = "none"
        if "label-free" in best:  # the prior must earn its place: one standard error
            gain = best["label-free"][0] - best["none"][0]
            if gain.mean() > gain.std(ddof=1) / np.sqrt(gain.size):
                self.prior_ = "label-free"
        score, accuracy, self.alpha_ = best[self.prior_]
        self.cv_score_, self.cv_accuracy_ = float(score.mean()), float(accuracy.mean())
        coef, _, _ = _penalised_logistic(X[rows], y[rows], priors[self.prior_], self.alpha_)
        self.coef_ = coef
        self.intercept_ = _intercept(X @ coef, y)  # every dev row sets the class balance
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Log-odds that each row is a correct candidate."""
        if not hasattr(self, "coef_"):
            raise NotFittedError("DevLogisticModel is not fitted; call fit first")
        return np.asarray(X, dtype=np.float64) @ self.coef_ + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """``(n, 2)`` P(incorrect), P(correct) per row."""
        p1 = expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def _folds(self, n_problems: int) -> list[np.ndarray]:
        """``n_repeats`` fold assignments of the problems (repeats smooth the choice)."""
        k = max(2, min(self.n_folds, n_problems))
        rng = np.random.default_rng(self.random_state)
        return [rng.permutation(n_problems) % k for _ in range(self.n_repeats)]


def _mixed_problems(y: np.ndarray, starts: np.ndarray) -> np.ndarray:
    n_correct = np.add.reduceat(y, starts[:-1])
    return (n_correct > 0) & (n_correct < np.diff(starts))


def _penalised_logistic(X, y, w0, alpha, start=None):
    """Newton's method on the logistic loss + ``alpha/2 (|v|^2 + |beta w0|^2)``, weights
    ``beta w0 + v``; returns (weights, intercept, parameters: a ``start`` for a nearby
    alpha). ``beta`` is penalised too: when the prior direction splits the dev rows
    perfectly its unpenalised value is infinite."""
    n, d = X.shape
    cols = [np.ones(n)] + ([X @ w0] if w0 is not None else []) + [X]
    A = np.column_stack(cols)
    free = A.shape[1] - d
    penalty = np.r_[0.0, [] if w0 is None else [alpha * float(w0 @ w0)], np.full(d, alpha)]
    theta = np.zeros(A.shape[1]) if start is None else start
    for _ in range(_NEWTON_STEPS):
        p = expit(A @ theta)
        grad = A.T @ (p - y) + penalty * theta
        hess = (A * (p * (1.0 - p))[:, None]).T @ A
        hess[np.diag_indices_from(hess)] += penalty + 1e-8
        step = np.linalg.solve(hess, grad)
        theta = theta - step
        if np.max(np.abs(step)) < 1e-7:
            break
    v = theta[free:]
    return (v if w0 is None else theta[1] * w0 + v), theta[0], theta


def _intercept(z: np.ndarray, y: np.ndarray) -> float:
    """Intercept that makes the predicted share of correct rows match ``y``'s."""
    b = 0.0
    for _ in range(_NEWTON_STEPS):
        p = expit(z + b)
        step = (p - y).sum() / max(float((p * (1.0 - p)).sum()), 1e-12)
        b -= step
        if abs(step) < 1e-9:
            break
    return float(b)


def _cv_score(X, y, starts, w0, alpha, folds, warm: dict) -> tuple[np.ndarray, np.ndarray]:
    """Held-out selection log-likelihood and expected accuracy of each problem, folds
    over problems (``warm``: each fold's last parameters, updated)."""
    sizes = np.diff(starts)
    fold_of_row = np.repeat(folds, sizes)
    loglik, correct = np.zeros(folds.size), np.zeros(folds.size)
    for k in np.unique(folds):
        train = fold_of_row != k
        coef, _, warm[k] = _penalised_logistic(X[train], y[train], w0, alpha, warm.get(k))
        held = ~train
        held_starts = np.r_[0, np.cumsum(sizes[folds == k])]
        z = X[held] @ coef
        loglik[folds == k] = selection_log_likelihood(z, y[held], held_starts)
        correct[folds == k] = expected_accuracy(z, y[held], held_starts)
    return loglik, correct


def selection_log_likelihood(z: np.ndarray, y: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per problem: ``log`` of the softmax mass that the scores ``z`` put on the correct
    candidates (0 for a problem whose candidates are all correct; ``-inf`` where none
    is correct), computed as a difference of log-sum-exps, so a correct candidate
    scored far below the best one gives a large finite penalty, not ``log(0)``.

    >>> import numpy as np
    >>> selection_log_likelihood(np.array([0.0, 2000.0]), np.array([1.0, 0.0]),
    ...                          np.array([0, 2])).tolist()
    [-2000.0]
    """
    first = starts[:-1]
    sizes = np.diff(starts)
    masked = np.where(y > 0, z, -np.inf)
    return _log_sum_exp(masked, first, sizes) - _log_sum_exp(z, first, sizes)


def _log_sum_exp(z: np.ndarray, first: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``log(sum(exp(z)))`` within each problem (``-inf`` where every ``z`` is)."""
    top = np.maximum.reduceat(z, first)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.add.reduceat(np.exp(z - np.repeat(safe, sizes)), first)) + safe


def answer_features(X: np.ndarray, answers: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Answer-aware features of each row: the mean of ``X`` over the row's answer group
    (its candidates are right or wrong together), and the answer's log share of its
    problem's candidates (self-consistency), centred within the problem.

    >>> import numpy as np
    >>> answer_features(np.array([[1.0], [3.0], [-4.0]]), np.array([0, 0, 1]),
    ...                 np.array([0, 3])).round(3).tolist()
    [[2.0, 0.231], [2.0, 0.231], [-4.0, -0.462]]
    """
    _, group, counts = np.unique(answers, return_inverse=True, return_counts=True)
    sums = np.zeros((counts.size, X.shape[1]))
    np.add.at(sums, group, X)
    share = np.log(counts[group] / np.repeat(np.diff(starts), np.diff(starts)))
    popularity = center_per_problem(share[:, None], starts)
    return np.hstack([sums[group] / counts[group][:, None], popularity])
