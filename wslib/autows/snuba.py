"""Snuba-style generator: decision stumps and small logistic regressions with abstain bands."""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from wslib._validation import integer, number, sequence
from wslib.autows.base import BaseGenerator
from wslib.autows.rules import LinearRule, Rule, ThresholdRule
from wslib.autows.selection import wilson_lower_bound

__all__ = ["SnubaGenerator", "best_stumps", "fit_small_logistic"]


def best_stumps(X_lab: np.ndarray, y_lab: np.ndarray, k: int, min_support: int
                ) -> dict[str, np.ndarray]:
    """Best threshold for every (feature, class, side) on the labelled items.

    Returns arrays of shape ``(n_features, k, 2)`` (side 0: ``>``, side 1: ``<=``):
    ``score``, ``threshold``, ``lb`` (precision lower bound) and ``votes``.
    """
    n, d = X_lab.shape
    order = np.argsort(X_lab, axis=0, kind="stable")
    xs = np.take_along_axis(X_lab, order, axis=0)
    onehot = np.eye(k, dtype=np.int32)[y_lab]                     # (n, k)
    below = np.cumsum(onehot[order], axis=0)[:-1]                  # (n-1, d, k)
    total = onehot.sum(axis=0)                                     # (k,)
    n_below = np.arange(1, n)[:, None, None]                       # (n-1, 1, 1)
    valid = (xs[1:] > xs[:-1])[:, :, None]                         # split between distinct values
    thresholds = (xs[1:] + xs[:-1]) / 2.0                          # (n-1, d)
    sides = [(total - below, n - n_below), (below, n_below)]       # above, below
    out = {name: np.zeros((d, k, 2)) for name in ("score", "threshold", "lb", "votes")}
    for s, (correct, votes) in enumerate(sides):
        votes = np.broadcast_to(votes, correct.shape)
        lb = wilson_lower_bound(correct, votes)
        score = np.where(valid & (votes >= min_support), lb * np.sqrt(votes / n), -1.0)
        best = score.argmax(axis=0)                                # (d, k)
        pick = lambda a: np.take_along_axis(a, best[None], axis=0)[0]  # noqa: E731
        out["score"][:, :, s] = pick(score)
        out["lb"][:, :, s] = pick(lb)
        out["votes"][:, :, s] = pick(votes)
        out["threshold"][:, :, s] = np.take_along_axis(thresholds.T, best, axis=1)
    return out


class SnubaGenerator(BaseGenerator):
    r"""Snuba-style generator: decision stumps and small logistic regressions with abstain bands.

    Snuba (Varma & Ré, VLDB 2019) synthesises heuristics from a small labelled
    set: models over one or a few *primitive* features, each abstaining inside a
    confidence band chosen on the labelled set, and a pruner that keeps the ones
    that are accurate, cover much and add something new.

    Candidates here:

    * **stumps** (``D = 1``): for every feature ``f``, class ``c`` and side,
      the rule ``x_f > t -> c`` (or ``x_f <= t -> c``) with the threshold ``t``
      (a midpoint between labelled values) that maximises
      :math:`\mathrm{lb}(\text{correct}, \text{votes}) \cdot \sqrt{\text{votes} / n_\ell}`;
      the ``max_stumps`` best stumps (shared fairly between classes) are kept.
    * **small logistic regressions** (``D = subset_size``): a multinomial
      logistic regression on every ``D``-subset of the ``n_top_features``
      features whose stumps scored best, giving one rule per class ``c``
      that votes ``c`` where :math:`p_c(x) \ge \beta_c`; the band
      :math:`\beta_c` is the quantile (among ``bands``) of :math:`p_c` on the
      labelled items of class ``c`` with the best labelled-set score.

    :func:`~wslib.autows.selection.greedy_select` then keeps up to ``max_lfs``
    of them (accuracy lower bound x diversity x coverage, with Snuba's feedback
    on labelled items the chosen rules still get wrong).

    Parameters
    ----------
    cardinality : int, optional
        Number of classes; inferred from ``y`` when omitted.
    max_lfs : int
        At most this many LFs are kept.
    subset_size : int
        Features per logistic-regression heuristic (``1`` = stumps only).
    n_top_features : int
        How many of the best stump features the regressions combine.
    max_stumps : int
        Stump candidates kept before selection.
    bands : sequence of float
        Quantiles of the labelled confidences used as abstain bands.
    min_accuracy : float, optional
        Precision lower bound a rule needs; default halfway between chance and 1.
    min_support : int
        Labelled items a rule must vote on.
    validation_fraction : float
        Share of each class's labelled items held out to score the candidates
        learned on the rest (searching thousands of thresholds on the same
        items would inflate their precision); ``0`` uses all items for both.
    class_names : sequence of str, optional
        For messages and :meth:`describe`.
    random_state : int

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> import numpy as np
    >>> from wslib.autows import SnubaGenerator
    >>> X, y_true = load_digits(return_X_y=True)
    >>> y = np.full_like(y_true, -1); y[:100] = y_true[:100]
    >>> gen = SnubaGenerator(cardinality=10, max_lfs=20).fit(X, y)
    >>> L = gen.transform(X)
    >>> L.shape[0], 0 < L.shape[1] <= 20
    (1797, True)
    """

    _parameter_constraints = {"subset_size": integer(1), "n_top_features": integer(1),
                              "max_stumps": integer(1), "bands": sequence(number(0, 1))}

    def __init__(self, cardinality: int | None = None, *, max_lfs: int = 30,
                 subset_size: int = 2, n_top_features: int = 10, max_stumps: int = 300,
                 bands: Sequence[float] = (0.0, 0.25, 0.5, 0.75),
                 min_accuracy: float | None = None, min_support: int = 3,
                 validation_fraction: float = 0.5,
                 class_names: Sequence[str] | None = None, random_state: int = 0):
        super().__init__(cardinality, max_lfs, min_accuracy, min_support, class_names, random_state)
        self.subset_size = subset_size
        self.validation_fraction = validation_fraction
        self.n_top_features = n_top_features
        self.max_stumps = max_stumps
        self.bands = bands

    def _candidates(self, X, y_lab, labelled, k, rng) -> list[Rule]:
        X_lab = X[labelled]
        X_lab = X_lab.toarray() if sp.issparse(X_lab) else np.asarray(X_lab, dtype=np.float64)
        stumps = best_stumps(X_lab, y_lab, k, self.min_support)
        rules: list[Rule] = self._stump_rules(stumps, k)
        if self.subset_size >= 2:
            feature_score = stumps["score"].max(axis=(1, 2))
            top = np.argsort(-feature_score, kind="stable")[: self.n_top_features]
            rules += self._regression_rules(X_lab, y_lab, np.sort(top), k)
        return rules

    def _stump_rules(self, stumps: dict[str, np.ndarray], k: int) -> list[Rule]:
        score = stumps["score"]
        per_class = max(1, self.max_stumps // k)
        rules: list[Rule] = []
        for c in range(k):
            flat = score[:, c, :].ravel()
            keep = np.argsort(-flat, kind="stable")[:per_class]
            for idx in keep[flat[keep] > 0]:
                f, side = divmod(int(idx), 2)
                rules.append(ThresholdRule(
                    f"snuba_stump_x{f}_{'gt' if side == 0 else 'le'}_c{c}", feature=f,
                    threshold=float(stumps["threshold"][f, c, side]), label=c,
                    above=side == 0))
        return rules

    def _regression_rules(self, X_lab, y_lab, top: np.ndarray, k: int) -> list[Rule]:
        subsets = np.array(list(combinations(top.tolist(), self.subset_size)), dtype=np.int64)
        if subsets.size == 0:
            return []
        coef, intercept = fit_small_logistic(X_lab[:, subsets].transpose(1, 0, 2), y_lab, k)
        rules: list[Rule] = []
        for s, subset in enumerate(subsets):
            proba = LinearRule("", features=subset, coef=coef[s], intercept=intercept[s],
                               confidence=0.0).proba(X_lab)
            name = "snuba_lr_" + "_".join(f"x{f}" for f in subset)
            for c in range(k):
                band = _best_band(proba[:, c], y_lab == c, self.bands, self.min_support)
                if band is not None:
                    rules.append(LinearRule(f"{name}_c{c}", features=subset, coef=coef[s],
                                            intercept=intercept[s], confidence=band, label=c))
        return rules


def _best_band(p: np.ndarray, is_class: np.ndarray, quantiles: Sequence[float],
               min_support: int) -> float | None:
    """Abstain band for a one-class rule ``p >= band``: among the ``quantiles`` of
    ``p`` on the class's labelled items, the one with the best
    ``lb(precision) * sqrt(votes)`` on the labelled set (``None`` if none votes enough)."""
    bands = np.quantile(p[is_class], quantiles)
    hits = p[:, None] >= bands[None, :]
    votes = hits.sum(axis=0)
    correct = (hits & is_class[:, None]).sum(axis=0)
    score = np.where(votes >= min_support, wilson_lower_bound(correct, votes) * np.sqrt(votes),
                     -1.0)
    j = int(score.argmax())
    return float(bands[j]) if score[j] > 0 else None


def fit_small_logistic(X: np.ndarray, y: np.ndarray, k: int, *, l2: float = 1e-2,
                       n_iter: int = 300, step: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Fit one multinomial logistic regression per feature subset, all at once.

    ``X`` has shape ``(n_subsets, n, D)``; returns ``coef (n_subsets, k, D)`` and
    ``intercept (n_subsets, k)`` in the original feature scale. Features are
    standardised on ``X`` and the L2-penalised mean cross-entropy is minimised
    by full-batch gradient descent (a convex problem; tiny ``n`` and ``D``
    make a few hundred batched steps cheaper than one solver call per subset).
    """
    mean = X.mean(axis=1, keepdims=True)
    std = X.std(axis=1, keepdims=True)
    std = np.where(std > 0, std, 1.0)
    Z = (X - mean) / std
    n = Z.shape[1]
    onehot = np.eye(k)[y]
    W = np.zeros((Z.shape[0], Z.shape[2], k))
    b = np.zeros((Z.shape[0], 1, k))
    for _ in range(n_iter):
        logits = Z @ W + b
        logits -= logits.max(axis=2, keepdims=True)
        P = np.exp(logits)
        P /= P.sum(axis=2, keepdims=True)
        G = (P - onehot) / n
        W -= step * (Z.transpose(0, 2, 1) @ G + l2 * W)
        b -= step * G.sum(axis=1, keepdims=True)
    coef = (W / std.transpose(0, 2, 1)).transpose(0, 2, 1)          # (S, k, D)
    intercept = b[:, 0, :] - np.einsum("skd,sd->sk", coef, mean[:, 0, :])
    return coef, intercept
