r"""Label models over verifier outputs: is each candidate correct?

Both models assume the verifiers are **conditionally independent given the
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

:class:`GaussianFactorModel` uses the scores themselves (probits of
rank-normalised scores): given ``Y``, verifier ``j`` is Gaussian with mean
``m_j + Delta_j Y`` and variance ``psi_j``, independently of the others outside
its family. The log-odds is then linear in the scores. Scores are centred
within each problem first, which removes per-problem offsets and leaves a
rank-one covariance between families

.. math:: \mathrm{Cov}_{within}(z_i, z_j) = \lambda_i \lambda_j, \qquad
          \lambda_j = \Delta_j \sqrt{E[\mathrm{Var}(Y \mid problem)]},

so the loadings are moment-matched without labels on the pairs of verifiers from
different families, and the weights are ``N^{-1} lambda`` with ``N`` the noise
covariance within each family (:mod:`wslib.weaver.factor`: a family of
near-copies counts about once); a two-component Gaussian mixture on the
weighted sum then calibrates the posterior and estimates the class balance.

Verifiers that share errors with no declared family (reward models from one
base model) still break the noise model and pull the rank-one fit. When the candidates' final
answers are known, the model does not need it: all candidates with one answer
are right or wrong together, so the scatter of scores *within* an answer group
is pure verifier noise ``Sigma_W`` (correlated errors included), while the
scatter of the answer groups' means within a problem, ``Sigma_B``, carries
correctness. The weights are then Fisher's discriminant across answer groups,
the leading solution of

.. math:: \Sigma_B w = \rho \, \Sigma_W w,

which is ``w ∝ Sigma_W^{-1} lambda`` (the likelihood-ratio direction under
correlated Gaussian noise) when correctness dominates ``Sigma_B``. Its sign makes
the combined score rise with the answer's popularity within the problem
(majority vote beats a random sample), a signal whose errors are not the
verifiers': with many weak or adversarial verifiers their average can point
the wrong way.

Example
-------
>>> import numpy as np
>>> from wslib.weaver.model import BinaryMomentModel
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

import warnings

import numpy as np
from scipy.linalg import eigh
from scipy.special import expit
from sklearn.base import BaseEstimator

from wslib.exceptions import ConvergenceWarning, NotFittedError, user_stacklevel
from wslib.weaver.factor import fit_family_factor
from wslib.weaver.normalise import center_per_problem

__all__ = ["BinaryMomentModel", "GaussianFactorModel"]

_EPS = 1e-4
_SE_FACTOR = 0.01  # denominators must be this many standard errors from zero


class _PosteriorMixin:
    """``predict_proba`` from ``decision_function`` (log-odds of "correct")."""

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """``(n, 2)`` probabilities of incorrect / correct."""
        p1 = expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def _check_fitted(self) -> None:
        if not hasattr(self, "class_balance_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit first")


class BinaryMomentModel(_PosteriorMixin, BaseEstimator):
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
        mu1 = np.clip(mean + (1.0 - p) * delta, -1.0 + _EPS, 1.0 - _EPS)
        mu0 = np.clip(mean - p * delta, -1.0 + _EPS, 1.0 - _EPS)
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


class GaussianFactorModel(_PosteriorMixin, BaseEstimator):
    """Conditionally independent Gaussian model of continuous scores, fitted by
    moment matching *within problems*.

    Parameters
    ----------
    class_balance : float, optional
        Known share of correct candidates; estimated by the calibration when omitted.
    max_iter, tol : int, float
        EM of the one-dimensional calibration stops after ``max_iter`` steps or
        when no posterior moves by more than ``tol``.
    min_unique : float
        Floor on each verifier's noise variance, as a share of its variance.
    random_state : int
        Seed of the bootstrap that gives the loadings' standard errors.
    """

    def __init__(self, class_balance: float | None = None, max_iter: int = 200,
                 tol: float = 1e-3, min_unique: float = 0.05, random_state: int = 0):
        self.class_balance = class_balance
        self.max_iter = max_iter
        self.tol = tol
        self.min_unique = min_unique
        self.random_state = random_state

    def fit(self, Z: np.ndarray, starts: np.ndarray, groups: np.ndarray | None = None,
            levels: np.ndarray | None = None, families: np.ndarray | None = None
            ) -> GaussianFactorModel:
        """Fit on scores ``Z`` (n x m, ``NaN`` missing; rows grouped by problem
        with offsets ``starts``); returns ``self``.

        ``families`` (optional, m ints): verifiers with one code share errors (one
        model's step aggregates, checkpoints of one reward model); the factor weights
        count such a family about once (:mod:`wslib.weaver.factor`). By default every
        verifier is its own family.

        ``groups`` (optional, n ints): the candidates' final answers, equal codes
        meaning the same answer of the same problem. With them the weights are the
        answer-group discriminant (module docstring), which accounts for correlated
        verifier errors; ``weights_from_`` says which estimate was used.

        ``levels`` (optional, like ``Z``): the same scores before any per-problem
        centring. Centring hides the share of correct candidates (a problem whose
        candidates are all right looks like one whose candidates are all wrong), so
        when ``Z`` is centred the class balance is estimated on ``levels`` and the
        calibration on ``Z`` keeps it fixed.
        """
        Z = np.asarray(Z, dtype=np.float64)
        observed = ~np.isnan(Z)
        filled = np.where(observed, Z, 0.0)
        within = np.where(observed, center_per_problem(Z, starts), 0.0)
        if families is None:
            families = np.arange(Z.shape[1])
        fit = fit_family_factor(within, observed, starts, families, self.min_unique,
                                self.random_state)
        scale = np.where(fit.scale > 0, fit.scale, 1.0)
        self.family_factor_ = fit
        self.loading_ = fit.loadings * fit.scale
        self.unique_var_ = fit.noise * fit.scale ** 2
        self.weight_ = fit.weights / scale
        self.weights_from_ = "factor"
        if groups is not None:
            weight = _answer_discriminant(within, np.asarray(groups, dtype=np.int64),
                                          starts)
            if weight is not None:
                self.weight_, self.weights_from_ = weight, "answer groups"
        self.center_ = filled.sum(axis=0) / np.maximum(observed.sum(axis=0), 1)
        balance = self.class_balance
        if balance is None and levels is not None:
            levels = np.asarray(levels, dtype=np.float64)
            seen = ~np.isnan(levels)
            level_mean = np.where(seen, levels, 0.0).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
            self._calibrate(np.where(seen, levels - level_mean, 0.0) @ self.weight_, None)
            balance = self.class_balance_
        self._calibrate(self._project(Z), balance)
        return self

    def decision_function(self, Z: np.ndarray) -> np.ndarray:
        """Posterior log-odds that each candidate is correct."""
        self._check_fitted()
        t = self._project(np.asarray(Z, dtype=np.float64))
        return self.slope_ * t + self.intercept_

    def _project(self, Z: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(Z), 0.0, (Z - self.center_) * self.weight_).sum(axis=1)

    def _calibrate(self, t: np.ndarray, balance: float | None) -> None:
        """Two equal-variance Gaussians on the projection ``t`` (EM; share of the upper
        one fixed to ``balance`` when given): the upper one is "correct"; sets
        ``class_balance_`` and the log-odds ``slope_`` / ``intercept_``."""
        r = (t > np.median(t)).astype(np.float64) if t.size else t
        self.n_iter_ = 0
        for it in range(1, self.max_iter + 1):
            pi = float(np.clip(r.mean() if balance is None else balance, _EPS, 1.0 - _EPS))
            mu1 = float((r * t).sum() / max(r.sum(), _EPS))
            mu0 = float(((1 - r) * t).sum() / max((1 - r).sum(), _EPS))
            var = max(float((r * (t - mu1) ** 2 + (1 - r) * (t - mu0) ** 2).mean()), 1e-12)
            self.slope_ = (mu1 - mu0) / var
            self.intercept_ = np.log(pi) - np.log1p(-pi) - self.slope_ * (mu0 + mu1) / 2.0
            new = expit(self.slope_ * t + self.intercept_)
            shift = float(np.max(np.abs(new - r))) if t.size else 0.0
            r = new
            self.n_iter_ = it
            if shift < self.tol:
                break
        else:
            warnings.warn(f"GaussianFactorModel calibration stopped after {self.max_iter} EM "
                          f"steps (largest posterior change {shift:.2g} > tol {self.tol})",
                          ConvergenceWarning, stacklevel=user_stacklevel())
        if self.slope_ < 0:  # the upper component is "correct" by construction of the weights
            self.slope_, self.intercept_, r = -self.slope_, -self.intercept_, 1.0 - r
        self.class_balance_ = float(np.clip(r.mean(), _EPS, 1.0 - _EPS)
                                    if balance is None else balance)


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


def _answer_discriminant(within: np.ndarray, groups: np.ndarray, starts: np.ndarray,
                         ridge: float = 1e-3) -> np.ndarray | None:
    """Fisher's discriminant across answer groups: the leading ``w`` of
    ``Sigma_B w = rho Sigma_W w`` (``within``: scores centred per problem, 0 where
    missing). ``None`` when the groups leave too few rows to estimate the
    within-group scatter (50 per verifier).

    The sign makes the combined score rise with the answer's popularity within its
    problem (self-consistency: majority vote beats a random sample), the one
    label-free signal whose errors are not the verifiers'; the verifiers' average
    decides where popularity says nothing."""
    n, m = within.shape
    _, codes = np.unique(groups, return_inverse=True)
    counts = np.bincount(codes).astype(np.float64)
    if n - counts.size < 50 * m or counts.size < 2:
        return None
    sums = np.zeros((counts.size, m))
    np.add.at(sums, codes, within)
    means = sums / counts[:, None]
    resid = within - means[codes]
    scatter_w = resid.T @ resid / n
    scatter_b = (means * counts[:, None]).T @ means / n
    scatter_w += ridge * max(np.trace(scatter_w) / m, 1e-12) * np.eye(m)
    _, vecs = eigh(scatter_b, scatter_w)
    weight = vecs[:, -1]
    score = within @ weight
    popularity = center_per_problem(counts[codes][:, None], starts)[:, 0]
    agreement = score @ popularity
    if agreement == 0.0:
        agreement = score @ within.sum(axis=1)
    return -weight if agreement < 0 else weight


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
