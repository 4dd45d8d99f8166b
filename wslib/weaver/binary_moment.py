r"""A binary label model over verifier votes: is each candidate correct?

The model assumes the verifiers are **conditionally independent given the
candidate's correctness** ``Y in {0, 1}`` and need no gold label.

:class:`BinaryMomentModel` (the Weaver paper's model) takes binary votes
``x_j in {-1, +1}`` (missing = abstain). Writing ``E[x_j | Y] = mu_j + Delta_j Y``
and ``p = P(Y = 1)``, conditional independence makes the off-diagonal vote
covariance rank one and the third central moments a product:

.. math::

   \mathrm{Cov}(x_i, x_j) = d_i d_j, \qquad d_j = \Delta_j \sqrt{p (1-p)},

   E[\bar x_i \bar x_j \bar x_k] = d_i d_j d_k \, \frac{1 - 2p}{\sqrt{p(1-p)}}.

``d`` is fitted by moment matching (median of triplet ratios
``Cov_ij Cov_ik / Cov_jk``, robust to a minority of dependent verifiers; the
closed-form counterpart of the published matrix-completion fit), its sign fixed
by assuming the verifiers are better than random on balance;
``p`` is given, or solved from the ratio of third to second moments. Each
verifier's ``P(x_j = +1 | Y = y)`` follows, and the posterior log-odds is
``logit p + sum_j log P(x_j | Y=1) / P(x_j | Y=0)``.

Example
-------
>>> import numpy as np
>>> from wslib.weaver.binary_moment import BinaryMomentModel
>>> rng = np.random.default_rng(0)
>>> y = rng.random(4000) < 0.3
>>> acc = np.array([0.9, 0.8, 0.75, 0.7, 0.65])
>>> votes = np.where(rng.random((4000, 5)) < acc, y[:, None], ~y[:, None]).astype(np.int8)
>>> m = BinaryMomentModel().fit(votes)
>>> round(float(m.class_balance_), 1)
0.3
>>> float(np.mean((m.predict_proba(votes)[:, 1] > 0.5) == y)) > 0.9
True
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from wslib.weaver._posterior import EPS, PosteriorMixin

__all__ = ["BinaryMomentModel"]

_SE_FACTOR = 0.01  # denominators must be this many standard errors from zero


class BinaryMomentModel(PosteriorMixin, BaseEstimator):
    """Conditionally independent binary label model fitted by moment matching.

    Parameters
    ----------
    class_balance : float, optional
        Known share of correct candidates ``P(Y=1)``; estimated when omitted.
    n_iter : int
        Principal-factor iterations.
    """

    def __init__(self, class_balance: float | None = None, n_iter: int = 50):
        self.class_balance = class_balance
        self.n_iter = n_iter

    def fit(self, votes: np.ndarray) -> BinaryMomentModel:
        """Fit on votes (n x m, int: 1 positive, 0 negative, -1 missing); returns ``self``."""
        x, observed = _signed(votes)
        n_obs = observed.sum(axis=0)
        mean = x.sum(axis=0) / np.maximum(n_obs, 1)
        centred = np.where(observed, x - mean, 0.0)
        d, _ = _fit_factor(centred, observed, self.n_iter)
        if self.class_balance is not None:
            p = float(self.class_balance)
            if not 0.0 < p < 1.0:
                raise ValueError(f"class_balance must lie in (0, 1), got {p}")
        else:
            p = _balance_from_third_moments(centred, d, n_obs / max(x.shape[0], 1))
        delta = d / np.sqrt(p * (1.0 - p))
        mu1 = np.clip(mean + (1.0 - p) * delta, -1.0 + EPS, 1.0 - EPS)
        mu0 = np.clip(mean - p * delta, -1.0 + EPS, 1.0 - EPS)
        self.class_balance_ = p
        self.factor_ = d
        self.positive_rate_ = (1.0 + mu1) / 2.0   # P(vote 1 | correct)
        self.false_positive_rate_ = (1.0 + mu0) / 2.0  # P(vote 1 | incorrect)
        return self

    def decision_function(self, votes: np.ndarray) -> np.ndarray:
        """Posterior log-odds that each candidate is correct."""
        self._check_fitted()
        x, observed = _signed(votes)
        tpr, fpr = self.positive_rate_, self.false_positive_rate_
        w_pos = np.log(tpr) - np.log(fpr)
        w_neg = np.log1p(-tpr) - np.log1p(-fpr)
        contrib = np.where(x > 0, w_pos, w_neg) * observed
        p = self.class_balance_
        return np.log(p) - np.log1p(-p) + contrib.sum(axis=1)


def _signed(votes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    votes = np.asarray(votes)
    observed = votes >= 0
    return np.where(observed, 2.0 * (votes == 1) - 1.0, 0.0), observed


def _fit_factor(centred: np.ndarray, observed: np.ndarray, n_iter: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Rank-one factor of the pairwise-complete covariance of ``centred`` (0 where
    missing), signed so that the verifiers agree with it on balance; and the covariance."""
    mask = observed.astype(np.float64)
    n_pairs = mask.T @ mask
    cov = (centred.T @ centred) / np.maximum(n_pairs, 1.0)
    factor = _rank_one_factor(cov, n_iter, n_pairs)
    return (-factor if factor.sum() < 0 else factor), cov


def _rank_one_factor(cov: np.ndarray, n_iter: int, n_pairs: np.ndarray) -> np.ndarray:
    """``d`` with ``cov[i, j] ~ d_i d_j`` off the diagonal.

    Magnitudes are the median over verifier pairs ``(j, k)`` of the triplet
    ratios ``cov[i, j] cov[i, k] / cov[j, k]``, which a block of mutually
    dependent verifiers cannot pull far while it is a minority; pairs whose
    covariance is numerically zero (``n_pairs``: rows observed by both sets the
    scale) are skipped as denominators. (A stricter cut keeps only the large
    covariances, i.e. the dependent blocks, and does worse on our simulator.)
    Signs come from principal-factor iterations, then agreement with the other
    verifiers.
    """
    m = cov.shape[0]
    if m < 3:
        return _principal_factor(cov, n_iter)
    scale = np.sqrt(np.outer(np.diag(cov), np.diag(cov)) / np.maximum(n_pairs, 1.0))
    usable = np.abs(cov) > _SE_FACTOR * scale
    np.fill_diagonal(usable, False)
    magnitude = np.zeros(m)
    for i in range(m):  # m x m ratios per verifier: memory stays O(m^2)
        pair = usable & usable[i][:, None] & usable[i][None, :]
        pair[i, :] = pair[:, i] = False
        if pair.any():
            ratios = np.outer(cov[i], cov[i])[pair] / cov[pair]
            magnitude[i] = np.sqrt(max(float(np.median(ratios)), 0.0))
    sign = np.sign(_principal_factor(cov, n_iter))
    sign[sign == 0] = 1.0
    off = cov - np.diag(np.diag(cov))
    for _ in range(3):
        vote = off @ (sign * magnitude)
        sign = np.where(vote != 0, np.sign(vote), sign)
    return sign * magnitude


def _principal_factor(cov: np.ndarray, n_iter: int) -> np.ndarray:
    """Leading factor of ``cov`` with its diagonal replaced by communalities."""
    m = cov.shape[0]
    if m == 1:
        return np.sqrt(np.maximum(np.diag(cov), 0.0))
    work = cov.copy()
    communality = np.abs(cov - np.diag(np.diag(cov))).max(axis=1)
    for _ in range(n_iter):
        np.fill_diagonal(work, communality)
        vals, vecs = np.linalg.eigh(work)
        d = vecs[:, -1] * np.sqrt(max(vals[-1], 0.0))
        communality = np.minimum(d ** 2, np.diag(cov))
    return d


def _balance_from_third_moments(centred: np.ndarray, d: np.ndarray, coverage: np.ndarray
                                ) -> float:
    """Solve ``(1 - 2p) / sqrt(p (1 - p)) = T / (d d d)`` over distinct verifier triples."""
    if d.size < 3:
        return 0.5
    z = centred * d
    p1, p2, p3 = z.sum(axis=1), (z ** 2).sum(axis=1), (z ** 3).sum(axis=1)
    num = float(np.mean((p1 ** 3 - 3 * p1 * p2 + 2 * p3) / 6.0))
    w = d ** 2 * coverage
    q1, q2, q3 = w.sum(), (w ** 2).sum(), (w ** 3).sum()
    den = float((q1 ** 3 - 3 * q1 * q2 + 2 * q3) / 6.0)
    if den <= 1e-12:
        return 0.5
    s = num / den
    return float(np.clip(0.5 - s / (2.0 * np.sqrt(s * s + 4.0)), 0.02, 0.98))
