r"""A Gaussian label model over verifier scores: is each candidate correct?

The model assumes the verifiers are **conditionally independent given the
candidate's correctness** ``Y in {0, 1}`` and need no gold label.

:class:`GaussianFactorModel` uses the scores themselves (probits of
rank-normalized scores): given ``Y``, verifier ``j`` is Gaussian with mean
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
>>> from wslib.weaver.gaussian_factor import GaussianFactorModel
>>> y = np.random.default_rng(0).random(3000) < 0.4        # is each candidate correct?
>>> noise = np.random.default_rng(1).normal(size=(3000, 4))
>>> Z = y[:, None] * np.array([1.0, 0.8, 0.6, 0.5]) + noise  # four verifiers' scores
>>> model = GaussianFactorModel().fit(Z, starts=np.arange(0, 3001, 10))  # 300 problems of 10
>>> float(np.mean((model.predict_proba(Z)[:, 1] > 0.5) == y)) > 0.7
True
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import eigh
from scipy.special import expit
from sklearn.base import BaseEstimator

from wslib.weaver._posterior import EPS, PosteriorMixin, settled
from wslib.weaver.factor import fit_family_factor
from wslib.weaver.normalize import center_per_problem

__all__ = ["GaussianFactorModel"]


class GaussianFactorModel(PosteriorMixin, BaseEstimator):
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
        with offsets ``starts``, the last one ``n``); returns ``self``.

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
            pi = float(np.clip(r.mean() if balance is None else balance, EPS, 1.0 - EPS))
            mu1 = float((r * t).sum() / max(r.sum(), EPS))
            mu0 = float(((1 - r) * t).sum() / max((1 - r).sum(), EPS))
            var = max(float((r * (t - mu1) ** 2 + (1 - r) * (t - mu0) ** 2).mean()), 1e-12)
            self.slope_ = (mu1 - mu0) / var
            self.intercept_ = np.log(pi) - np.log1p(-pi) - self.slope_ * (mu0 + mu1) / 2.0
            new = expit(self.slope_ * t + self.intercept_)
            shift = float(np.max(np.abs(new - r))) if t.size else 0.0
            r = new
            if settled(self, it, shift, "GaussianFactorModel calibration EM"):
                break
        if self.slope_ < 0:  # the upper component is "correct" by construction of the weights
            self.slope_, self.intercept_, r = -self.slope_, -self.intercept_, 1.0 - r
        self.class_balance_ = float(np.clip(r.mean(), EPS, 1.0 - EPS)
                                    if balance is None else balance)


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
