"""Per-verifier normalization: put scores on different scales onto one footing.

* ``rank`` (default of the label-free mode): the mid-rank of each score among
  the verifier's observed scores, divided by their number, so every verifier
  is uniform on ``(0, 1)`` whatever its scale (ties, as in binary verdicts and
  Likert grades, share their mean rank).
* ``minmax``: ``(x - min) / (max - min)``; with ``skip_unit=True`` a column
  already inside ``[0, 1]`` is left as it is (the published Weaver pipeline).
* ``center_per_problem``: subtract each problem's mean score before the above,
  removing per-problem offsets (a reward model that scores all answers to an
  easy problem high); within-problem order is unchanged.
* ``fill_per_problem``: a missing score takes its problem's mean, so that it
  adds nothing to the comparison of one problem's candidates.
* ``fill_by_regression``: a missing score takes its problem's mean plus what
  the candidate's other verifiers predict of its deviation from that mean.

Missing scores (``NaN``) stay missing.

Example
-------
>>> import numpy as np
>>> from wslib.weaver.normalize import normalize_scores
>>> normalize_scores(np.array([[10.0], [30.0], [20.0], [np.nan]]), "rank").ravel().tolist()
[0.16666666666666666, 0.8333333333333334, 0.5, nan]
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "METHODS",
    "ScoreNormalizer",
    "center_per_problem",
    "fill_by_regression",
    "fill_per_problem",
    "minmax_bounds",
    "minmax_normalize",
    "normalize_scores",
    "problem_means",
    "rank_normalize",
    "rank_reference",
]

METHODS = ("rank", "minmax")


def normalize_scores(scores: np.ndarray, method: str = "rank", *, skip_unit: bool = False
                     ) -> np.ndarray:
    """Normalize each column of ``scores`` (n x m, ``NaN`` = missing) by ``method``."""
    return ScoreNormalizer(method, skip_unit=skip_unit).fit_transform(scores)


def rank_normalize(scores: np.ndarray, reference: list[np.ndarray] | None = None) -> np.ndarray:
    """Mid-rank of each score among a column's observed scores, scaled into ``(0, 1)``.

    ``reference`` (from :func:`rank_reference`) ranks new scores against the
    scores a model was fitted on; by default each column is ranked against itself.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if reference is None:
        reference = rank_reference(scores)
    out = np.full(scores.shape, np.nan)
    for j, ref in enumerate(reference):  # one vectorised search per verifier column
        if ref.size == 0:
            continue
        order = np.argsort(scores[:, j])  # sorted keys search faster
        out[order, j] = _mid_ranks(ref, scores[order, j])
    return out


def _mid_ranks(ref: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Mid-rank of each key among the sorted non-empty ``ref``, in ``(0, 1)``; NaN stays."""
    mid = 0.5 * (np.searchsorted(ref, keys, "left") + np.searchsorted(ref, keys, "right"))
    half = 0.5 / ref.size
    return np.where(np.isnan(keys), np.nan, np.clip(mid / ref.size, half, 1.0 - half))


def rank_reference(scores: np.ndarray) -> list[np.ndarray]:
    """The sorted observed scores of each column, to rank new scores against."""
    scores = np.asarray(scores, dtype=np.float64)
    return [np.sort(col[~np.isnan(col)]) for col in scores.T]


def minmax_normalize(scores: np.ndarray, *, skip_unit: bool = False,
                     bounds: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """``(x - min) / (max - min)`` per column; a constant column maps to 0.5.

    ``bounds`` (from :func:`minmax_bounds`) scales new scores like the fitted ones.
    """
    scores = np.asarray(scores, dtype=np.float64)
    lo, hi = minmax_bounds(scores) if bounds is None else bounds
    span = hi - lo
    out = np.where(span > 0, (scores - lo) / np.where(span > 0, span, 1.0), 0.5)
    out[np.isnan(scores)] = np.nan
    if skip_unit:
        unit = (lo >= 0.0) & (hi <= 1.0)
        out[:, unit] = scores[:, unit]
    return out


def minmax_bounds(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest observed score of each column (0 and 1 when none)."""
    scores = np.asarray(scores, dtype=np.float64)
    observed = ~np.isnan(scores)
    has = observed.any(axis=0)
    lo = np.where(has, np.min(np.where(observed, scores, np.inf), axis=0), 0.0)
    hi = np.where(has, np.max(np.where(observed, scores, -np.inf), axis=0), 1.0)
    return lo, hi


class ScoreNormalizer:
    """Learn a normalization on fitted scores and apply it to new ones.

    >>> import numpy as np
    >>> norm = ScoreNormalizer("rank").fit(np.array([[1.0], [2.0], [3.0]]))
    >>> norm.transform(np.array([[2.5]])).tolist()
    [[0.6666666666666666]]
    """

    def __init__(self, method: str = "rank", skip_unit: bool = False):
        if method not in METHODS:
            raise ValueError(f"unknown normalization {method!r}; choose one of {METHODS}")
        self.method = method
        self.skip_unit = skip_unit

    def fit(self, scores: np.ndarray) -> ScoreNormalizer:
        self.state_ = rank_reference(scores) if self.method == "rank" else minmax_bounds(scores)
        return self

    def fit_transform(self, scores: np.ndarray) -> np.ndarray:
        """``fit(scores).transform(scores)`` with one sort per column."""
        if self.method != "rank":
            return self.fit(scores).transform(scores)
        scores = np.asarray(scores, dtype=np.float64)
        self.state_ = []
        out = np.full(scores.shape, np.nan)
        for j, col in enumerate(scores.T):  # one sort per verifier column
            order = np.argsort(col)
            keys = col[order]
            ref = keys[: int(np.sum(~np.isnan(keys)))]  # NaN sort last
            self.state_.append(ref)
            if ref.size:
                out[order, j] = _mid_ranks(ref, keys)
        return out

    def take(self, columns: np.ndarray) -> ScoreNormalizer:
        """The fitted normalizer restricted to ``columns`` (indices or a bool mask)."""
        idx = np.arange(len(self.state_[0]) if self.method == "minmax" else len(self.state_))
        idx = idx[columns]
        out = ScoreNormalizer(self.method, self.skip_unit)
        out.state_ = ([self.state_[j] for j in idx] if self.method == "rank"
                      else (self.state_[0][idx], self.state_[1][idx]))
        return out

    def transform(self, scores: np.ndarray) -> np.ndarray:
        if self.method == "rank":
            return rank_normalize(scores, self.state_)
        return minmax_normalize(scores, skip_unit=self.skip_unit, bounds=self.state_)


def center_per_problem(scores: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Subtract each problem's mean observed score (per verifier) from its rows."""
    return np.asarray(scores, dtype=np.float64) - problem_means(scores, starts)


def fill_per_problem(scores: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Replace each missing score by its problem's mean observed score of that verifier
    (0 when the problem has none): a filled score adds nothing to the contrasts
    between one problem's candidates."""
    scores = np.asarray(scores, dtype=np.float64)
    return np.where(np.isnan(scores), problem_means(scores, starts), scores)


def fill_by_regression(scores: np.ndarray, starts: np.ndarray, sweeps: int = 3,
                       ridge: float = 1e-3) -> np.ndarray:
    r"""Replace each missing score by its problem's mean plus the deviation the
    candidate's other verifiers predict for it.

    Within-problem deviations ``d`` (score minus its problem's mean observed score)
    are treated as jointly Gaussian; a missing ``d_j`` becomes its conditional
    expectation given the row's other deviations, :math:`\Sigma_{j,-j}
    \Sigma_{-j,-j}^{-1} d_{-j}`, with :math:`\Sigma` their covariance over the
    table (no labels; ``ridge`` times the mean variance is added to its diagonal).
    Rows missing several scores start from 0 and are re-predicted ``sweeps``
    times. Verifiers that agree on which candidates are good thus fill each
    other's gaps; with uncorrelated verifiers this is :func:`fill_per_problem`.

    >>> import numpy as np
    >>> scores = np.array([[0.0, 0.0], [2.0, 2.0], [1.0, np.nan], [3.0, 3.0]])
    >>> out = fill_by_regression(scores, np.array([0, 4]))
    >>> bool(out[2, 1] < 5 / 3)  # below the problem's mean: its other score is low
    True
    """
    scores = np.asarray(scores, dtype=np.float64)
    missing = np.isnan(scores)
    means = problem_means(scores, starts)
    dev = np.where(missing, 0.0, scores - means)
    m = scores.shape[1]
    cols = np.flatnonzero(missing.any(axis=0)) if m > 1 else np.zeros(0, dtype=np.int64)
    for _ in range(sweeps if cols.size else 0):
        cov = dev.T @ dev / max(dev.shape[0] - 1, 1)
        cov += ridge * max(np.trace(cov) / m, 1e-12) * np.eye(m)
        for j in cols:
            rest = np.arange(m) != j
            beta = np.linalg.solve(cov[np.ix_(rest, rest)], cov[rest, j])
            rows = missing[:, j]
            dev[rows, j] = dev[rows][:, rest] @ beta
    return np.where(missing, means + dev, scores)


def problem_means(scores: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each problem's mean observed score per verifier, repeated on its rows (0 where
    the problem has no observed score)."""
    scores = np.asarray(scores, dtype=np.float64)
    observed = ~np.isnan(scores)
    sizes = np.diff(starts)
    nonempty = sizes > 0
    seg = starts[:-1][nonempty]
    sums = _sorted_sums(np.where(observed, scores, 0.0), starts)[nonempty]
    counts = np.add.reduceat(observed.astype(np.float64), seg, axis=0)
    return np.repeat(sums / np.maximum(counts, 1.0), sizes[nonempty], axis=0)


def _sorted_sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each problem's column sums, added in sorted order: the floating-point result
    depends only on the problem's values, not on its candidates' order, so problems
    with the same scores get bit-identical means (ties across problems stay ties)."""
    sizes = np.diff(starts)
    problem = np.repeat(np.arange(sizes.size), sizes)
    padded = np.zeros((sizes.size, int(sizes.max(initial=0)), values.shape[1]))
    padded[problem, np.arange(values.shape[0]) - starts[problem]] = values
    padded.sort(axis=1)  # the zero padding adds exactly nothing wherever it sorts
    return padded.sum(axis=1)
