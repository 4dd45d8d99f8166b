"""Synthetic vote matrices with known labeling-function parameters.

Each LF ``j`` is drawn from a class-conditional model with known parameters,
so label models can be checked for *recovery* (estimated vs true accuracies),
not just end accuracy:

* a **regular** LF fires with probability ``coverage[j]`` whatever the class,
  and then votes the true class with probability ``accuracy[j]``, otherwise a
  uniformly chosen wrong class;
* a **unipolar** LF only ever votes one class ``t`` (like a keyword LF for
  "spam"). It fires more often on items of class ``t``: with
  ``P(fire | y=t) = accuracy·coverage / π_t`` and
  ``P(fire | y≠t) = (1-accuracy)·coverage / (1-π_t)`` so that its coverage is
  ``coverage[j]`` and ``P(y = t | it fires) = accuracy[j]``. Its abstains carry
  information, which is what abstain-aware models exploit;
* a **correlated copy** repeats the votes of another LF except that, with
  probability ``copy_noise``, a cell is redrawn independently from the same
  per-LF distribution. Its marginal parameters equal its source's, but the
  pair violates conditional independence (listed in ``correlated_pairs``).

Accuracies below ``1/k`` (e.g. ``accuracy=(0.1, 0.9)``) make adversarial LFs.

Example
-------
>>> from wslib.datasets.synthetic import make_votes
>>> data = make_votes(1000, 10, 3, random_state=0)
>>> data.L.shape, data.L.dtype, data.confusion.shape
((1000, 10), dtype('int8'), (10, 3, 3))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from wslib.matrix import vote_dtype

__all__ = ["SyntheticVotes", "make_votes"]


@dataclass
class SyntheticVotes:
    """A synthetic vote matrix and the true parameters that generated it.

    Attributes
    ----------
    L : ndarray of int8 (int16 for k > 127), shape (n, m)
        Votes, ``-1`` = abstain.
    y : ndarray of int64, shape (n,)
        True classes.
    accuracy : ndarray, shape (m,)
        ``P(L_j = y | L_j ≠ -1)`` under the generating distribution.
    coverage : ndarray, shape (m,)
        ``P(L_j ≠ -1)``.
    confusion : ndarray, shape (m, k, k)
        ``confusion[j, c, v] = P(L_j = v | y = c, L_j ≠ -1)``.
    propensity : ndarray, shape (m, k)
        ``propensity[j, c] = P(L_j ≠ -1 | y = c)`` (class-dependent for unipolar LFs).
    class_balance : ndarray, shape (k,)
        ``P(y = c)``.
    polarity : ndarray of int64, shape (m,)
        The only class a unipolar LF votes, ``-1`` for the other LFs.
    correlated_pairs : list of (source, copy) tuples
    """

    L: np.ndarray
    y: np.ndarray
    accuracy: np.ndarray
    coverage: np.ndarray
    confusion: np.ndarray
    propensity: np.ndarray
    class_balance: np.ndarray
    polarity: np.ndarray
    correlated_pairs: list[tuple[int, int]] = field(default_factory=list)


def _check_range(name: str, value, low: float, high: float) -> tuple[float, float]:
    a, b = (float(value), float(value)) if np.isscalar(value) else map(float, value)
    if not (low <= a <= b <= high):
        raise ValueError(f"{name} must be a number or a (low, high) pair within "
                         f"[{low}, {high}], got {value!r}")
    return a, b


def make_votes(
    n: int,
    m: int,
    k: int = 2,
    *,
    accuracy: float | tuple[float, float] = (0.55, 0.9),
    coverage: float | tuple[float, float] = (0.05, 0.5),
    class_balance=None,
    n_unipolar: int = 0,
    n_correlated: int = 0,
    copy_noise: float = 0.05,
    random_state: int = 0,
) -> SyntheticVotes:
    """Draw ``n`` items and the votes of ``m`` LFs with known parameters.

    Parameters
    ----------
    n, m, k : int
        Items, labeling functions (all kinds together), classes.
    accuracy, coverage : float or (low, high)
        Per-LF accuracy ``P(vote correct | fires)`` and coverage ``P(fires)``,
        drawn uniformly from the range. A unipolar LF's coverage is capped so
        its firing rates stay probabilities.
    class_balance : array of shape (k,), optional
        Class prior; uniform when omitted.
    n_unipolar : int
        How many of the ``m`` LFs are unipolar (the first ones); their target
        classes cycle through ``0 .. k-1``.
    n_correlated : int
        How many of the ``m`` LFs are noisy copies (the last ones) of earlier LFs.
    copy_noise : float
        Probability that a copy's cell is redrawn independently of its source.
    random_state : int
        Seed; the same arguments give the same data.

    Returns
    -------
    SyntheticVotes
    """
    _check_counts(n, m, k, n_unipolar, n_correlated, copy_noise)
    acc_lo, acc_hi = _check_range("accuracy", accuracy, 0.0, 1.0)
    cov_lo, cov_hi = _check_range("coverage", coverage, 0.0, 1.0)
    rng = np.random.default_rng(random_state)
    prior = _check_prior(class_balance, k)

    n_source = m - n_correlated
    acc = rng.uniform(acc_lo, acc_hi, m)
    cov = rng.uniform(cov_lo, cov_hi, m)
    polarity = np.full(m, -1, dtype=np.int64)
    polarity[:n_unipolar] = np.arange(n_unipolar) % k
    sources = rng.integers(0, n_source, n_correlated)
    copies = np.arange(n_source, m)
    acc[copies], cov[copies], polarity[copies] = acc[sources], cov[sources], polarity[sources]
    propensity, confusion = _propensity_and_confusion(acc, cov, polarity, prior)

    y = rng.choice(k, size=n, p=prior)
    L = _draw_votes(rng, y, propensity, acc, polarity, k, sources, copies, copy_noise)
    return SyntheticVotes(
        L=L, y=y.astype(np.int64), accuracy=acc, coverage=propensity @ prior,
        confusion=confusion, propensity=propensity, class_balance=prior, polarity=polarity,
        correlated_pairs=[(int(s), int(c)) for s, c in zip(sources, copies)],
    )


def _check_counts(n: int, m: int, k: int, n_unipolar: int, n_correlated: int,
                  copy_noise: float) -> None:
    if n < 1 or m < 1 or k < 2:
        raise ValueError(f"need n >= 1, m >= 1 and k >= 2, got n={n}, m={m}, k={k}")
    if n_unipolar < 0 or n_correlated < 0 or n_unipolar + n_correlated > m:
        raise ValueError(f"n_unipolar ({n_unipolar}) + n_correlated ({n_correlated}) must be "
                         f"non-negative and at most m ({m})")
    if n_correlated and n_correlated >= m:
        raise ValueError("a correlated copy needs at least one source LF that is not a copy")
    if not 0.0 <= copy_noise <= 1.0:
        raise ValueError(f"copy_noise must be in [0, 1], got {copy_noise}")


def _check_prior(class_balance, k: int) -> np.ndarray:
    prior = np.full(k, 1.0 / k) if class_balance is None else np.asarray(class_balance, float)
    if prior.shape != (k,) or np.any(prior <= 0) or not np.isclose(prior.sum(), 1.0):
        raise ValueError(f"class_balance must be {k} positive numbers summing to 1, "
                         f"got {class_balance!r}")
    return prior / prior.sum()


def _propensity_and_confusion(acc: np.ndarray, cov: np.ndarray, polarity: np.ndarray,
                              prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every LF's firing propensity per true class ``(m, k)`` and confusion ``(m, k, k)``,
    from which votes are drawn; caps the unipolar LFs' coverage ``cov`` in place."""
    k = prior.size
    uni = polarity >= 0
    target = polarity[uni]
    pt = prior[target]
    cov[uni] = np.minimum(cov[uni], 0.999 * np.minimum(pt / np.maximum(acc[uni], 1e-12),
                                                         (1 - pt) / np.maximum(1 - acc[uni], 1e-12)))
    propensity = np.repeat(cov[:, None], k, axis=1)
    confusion = np.repeat(((1 - acc) / (k - 1))[:, None, None], k, axis=1).repeat(k, axis=2)
    diag = np.arange(k)
    confusion[:, diag, diag] = acc[:, None]
    rows = np.flatnonzero(uni)
    propensity[rows] = ((1 - acc[rows]) * cov[rows] / (1 - pt))[:, None]
    propensity[rows, target] = acc[rows] * cov[rows] / pt
    confusion[rows] = 0.0
    confusion[rows, :, target] = 1.0
    return propensity, confusion


def _draw_votes(rng: np.random.Generator, y: np.ndarray, propensity: np.ndarray,
                acc: np.ndarray, polarity: np.ndarray, k: int, sources: np.ndarray,
                copies: np.ndarray, copy_noise: float) -> np.ndarray:
    """The vote matrix: the source LFs' votes, then their noisy copies'."""
    n, m = y.size, acc.size
    dtype = vote_dtype(k)
    L = np.empty((n, m), dtype=dtype)
    for j in range(m - copies.size):  # one vectorised draw per LF: O(n) memory, not O(n m)
        L[:, j] = _draw_lf(rng, y, propensity[j], acc[j], polarity[j], k, dtype)
    for src, j in zip(sources, copies):
        redraw = rng.random(n, dtype=np.float32) < copy_noise
        col = L[:, src].copy()
        col[redraw] = _draw_lf(rng, y[redraw], propensity[j], acc[j], polarity[j], k, dtype)
        L[:, j] = col
    return L


def _draw_lf(rng: np.random.Generator, y: np.ndarray, propensity: np.ndarray, acc: float,
             polarity: int, k: int, dtype: np.dtype) -> np.ndarray:
    fires = rng.random(y.shape[0], dtype=np.float32) < propensity[y]
    if polarity >= 0:
        return np.where(fires, polarity, -1).astype(dtype)
    correct = rng.random(y.shape[0], dtype=np.float32) < acc
    wrong = (y + rng.integers(1, k, y.shape[0])) % k
    return np.where(fires, np.where(correct, y, wrong), -1).astype(dtype)
