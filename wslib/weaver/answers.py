r"""Answer-level label model: which final answers of a problem are correct?

All candidates that reach one final answer are right or wrong together, so the
evidence for an answer is its candidates' *mean* verifier vector, not a sum of
independent votes. Writing ``x_c`` for a candidate's (normalized) verifier
scores, the model of an answer ``g`` of problem ``i`` with ``n_g`` candidates is

.. math::

   \bar x_g = \kappa_i + \mu \, y_g + \eta_g + \bar\varepsilon_g, \qquad
   \varepsilon_c \sim N(0, S), \quad \eta_g \sim N(0, \varphi \, \mu \mu^\top),

* ``kappa_i``: the problem's level. EM leaves it free (it fits on contrasts
  between the answers of a problem, which no level can move); the posterior then
  models it as ``kappa_i = m_0 + c \, o_i``, ``o_i \sim N(0, 1)``
  (``problem_level="factor"``): a baseline and one random effect along a loading
  vector ``c`` (reward models that score some problems higher across the board),
  so the answers' *absolute* level is evidence too: a problem whose answers all
  sit low in every direction but ``c`` probably has no correct answer;
* ``mu``: how far a correct answer moves each verifier;
* ``S``: the candidates' own noise (correlated errors of verifier families
  included), measured without labels as the scatter *within* answers;
* ``eta_g``: fooling shared by every candidate of the answer (a plausible wrong
  answer fools all verifiers along ``mu``), which more candidates do not average
  away: the noise of ``\bar x_g`` is ``\varphi \mu\mu^\top + S / n_g``;
* noise shared by the answer's candidates in every direction, ``S s``: solutions
  that reach one answer often reason alike, and verifiers that judge the solution
  score them alike. ``S / n_g`` becomes ``S (s + 1 / n_g)``, i.e. ``n_g`` is read as
  ``n_g / (1 + s n_g)`` independent candidates. ``s`` (``shared_noise_``) is
  measured after a first EM from the contrasts of two answers of a problem off
  ``mu`` (where correctness, fooling and the problem's level do not enter), and EM
  is run again with it.

Because ``eta_g`` lies along ``mu``, ``w = S^{-1} \mu`` is the likelihood-ratio
direction for every answer size, and the model reduces to the scalar
``t_g = w^\top \bar x_g`` with separation ``\Delta = \mu^\top S^{-1} \mu``,
noise ``\varphi \Delta^2 + \Delta / n_g``. A popularity prior ``logit P(y_g = 1)
= \beta_0 + \beta_1 \log(n_g / N_i)`` carries the self-consistency signal
(majority vote). Answers are *not* assumed exclusive: each problem's posterior
runs over every assignment of correct answers with at most ``max_correct``
correct ones. ``mu``, ``varphi``, ``beta`` are fitted by EM without labels; each
M-step is closed-form (``mu``: a weighted regression of answer contrasts on the
expected correctness contrasts; ``varphi``: residual moments; ``beta``: Newton
steps of a logistic regression on the posteriors). ``varphi`` is kept at or
below ``max_fooling``: with weak verifiers the likelihood barely separates
fooling from correctness and EM can otherwise explain every difference between
answers as fooling (docs/weaver.md measures the effect of this bound).

After EM, ``m_0`` and ``c`` are fitted without labels from the problems' mean
candidate vectors ``u_i = \bar x_i - \mu \hat s_i`` (``\hat s_i`` the expected
share of correct candidates): ``m_0`` their mean, ``c c^\top`` the leading
factor of their covariance net of the sampling noise ``S \, E[1/N_i]``. With
``o_i`` integrated out, the log-likelihood of an assignment ``y`` of problem ``i``
is, up to terms free of ``y`` (``V_g = \varphi \mu\mu^\top + S/n_g``, ``z_g =
\bar x_g - m_0``),

.. math::

   \sum_g y_g \big(\mu^\top V_g^{-1} z_g - \tfrac12 \mu^\top V_g^{-1} \mu\big)
   + \frac{\big(\sum_g c^\top V_g^{-1} (z_g - \mu y_g)\big)^2}
          {2 \, (1 + \sum_g c^\top V_g^{-1} c)},

each term a closed form in ``t_g``, ``c^\top S^{-1} \bar x_g`` and three
constants (Sherman-Morrison on ``V_g``).

Example
-------
>>> import numpy as np
>>> from wslib.weaver.answers import AnswerGroupModel
>>> rng = np.random.default_rng(0)
>>> problem = np.repeat(np.arange(300), 6)
>>> answer = problem * 3 + rng.integers(0, 3, problem.size)       # three answers each
>>> y = (answer % 3 == 0).astype(float)                           # answer 0 is right
>>> X = y[:, None] * 0.8 + rng.normal(size=(problem.size, 5))
>>> model = AnswerGroupModel().fit(X, answer, problem, np.ones(5), np.full(problem.size, 0.5))
>>> correct = model.answer_proba(X, answer, problem) > 0.5
>>> float(np.mean(correct == (y == 1))) > 0.8
True
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from scipy.special import expit, logsumexp
from sklearn.base import BaseEstimator

from wslib.exceptions import NotFittedError
from wslib.weaver._posterior import settled

__all__ = ["AnswerGroupModel"]

_CHUNK = 2_000_000  # problems x assignments x answers per E-step block


class AnswerGroupModel(BaseEstimator):
    """Label-free posterior that each final answer of a problem is correct.

    Parameters
    ----------
    max_correct : int
        Most answers of one problem that can be correct together (the posterior
        sums over all such assignments).
    max_answers : int
        Of a problem with more distinct answers, only the ``max_answers`` most
        frequent can be correct (the others still enter the contrasts); answers of
        equal frequency at the cut are ranked by the starting weights' score of their
        mean, never by candidate order.
    max_fooling : float
        Upper bound on ``varphi``, the answer-level fooling variance as a share of
        the squared separation of correct from incorrect answers.
    use_popularity : bool
        Include the popularity prior (``beta_1 log share``); without it every answer
        has the same prior.
    problem_level : {"factor", "free"}
        How the posterior treats a problem's level: ``"factor"``, a baseline plus
        one random effect along a fitted loading (the answers' absolute level is
        evidence); ``"free"``, an unknown offset (only contrasts between the
        answers of a problem count, as in EM).
    max_iter, tol : int, float
        EM stops after ``max_iter`` steps or when no posterior moves by more than
        ``tol``.
    ridge : float
        Added to the within-answer covariance, as a share of its mean variance.
    """

    def __init__(self, max_correct: int = 3, max_answers: int = 12, max_fooling: float = 0.5,
                 use_popularity: bool = True, problem_level: str = "factor",
                 max_iter: int = 200, tol: float = 1e-3, ridge: float = 1e-3):
        self.max_correct = max_correct
        self.max_answers = max_answers
        self.max_fooling = max_fooling
        self.use_popularity = use_popularity
        self.problem_level = problem_level
        self.max_iter = max_iter
        self.tol = tol
        self.ridge = ridge

    def fit(self, X: np.ndarray, answers: np.ndarray, problem: np.ndarray,
            init_weight: np.ndarray, init_proba: np.ndarray) -> AnswerGroupModel:
        """Fit by EM on features ``X`` (rows x verifiers, no NaN), the rows' answer codes
        (equal codes = same answer of the same problem) and problem indices; the EM
        starts from a candidate-level weight vector and posterior (a label model's).
        Returns ``self``."""
        if self.problem_level not in ("factor", "free"):
            raise ValueError(f"problem_level must be 'factor' or 'free', got "
                             f"{self.problem_level!r}")
        X = np.asarray(X, dtype=np.float64)
        # answers of equal size are ranked by this evidence at the ``max_answers`` cut,
        # not by their codes (which follow the candidates' ids)
        self.rank_weight_ = np.asarray(init_weight, dtype=np.float64)
        groups = _Groups(answers, problem, X, self.rank_weight_)
        m = X.shape[1]
        resid = X - groups.means[groups.row]
        within = resid.T @ resid / max(X.shape[0] - groups.size, 1)
        within += self.ridge * max(np.trace(within) / m, 1e-12) * np.eye(m)
        self.within_cov_ = within
        precision = np.linalg.inv(within)
        mu = self._initial_shift(X, within, np.asarray(init_weight, dtype=np.float64),
                                 np.asarray(init_proba, dtype=np.float64))
        prior = _popularity_features(groups, self.use_popularity)
        beta = np.zeros(prior.shape[1])
        fooling = min(0.05, self.max_fooling)
        self.shared_noise_ = 0.0
        mu, fooling, beta = self._em(groups, prior, precision, mu, fooling, beta)
        self.shared_noise_ = _shared_noise(groups, precision, mu)
        if self.shared_noise_ > 0:  # refit with the noise that more candidates keep
            mu, fooling, beta = self._em(groups, prior, precision, mu, fooling, beta)
        self._set(mu, precision, fooling, beta)
        self._fit_level(groups, self._e_step(groups, prior)[0])
        return self

    def _em(self, groups: _Groups, prior: np.ndarray, precision: np.ndarray,
            mu: np.ndarray, fooling: float, beta: np.ndarray):
        """EM for ``mu``, ``varphi`` and ``beta`` from the given start; sets ``n_iter_``."""
        post = np.full(groups.size, 0.5)
        self.n_iter_ = 0
        for it in range(1, self.max_iter + 1):
            self._set(mu, precision, fooling, beta)
            if self.separation_ <= 1e-12:
                break  # the verifiers carry no signal: the prior decides
            new, stats = self._e_step(groups, prior, moments=True)
            mu, fooling = self._m_step(groups, stats, mu)
            beta = _logistic_steps(prior, new, beta)
            shift = float(np.max(np.abs(new - post)))
            post = new
            if settled(self, it, shift, "AnswerGroupModel EM"):
                break
        return mu, fooling, beta

    def answer_log_odds(self, X: np.ndarray, answers: np.ndarray, problem: np.ndarray
                        ) -> np.ndarray:
        """Per row: the posterior log-odds that the row's answer is correct."""
        p = self.answer_proba(X, answers, problem)
        p = np.clip(p, 1e-15, 1.0 - 1e-15)
        return np.log(p) - np.log1p(-p)

    def answer_proba(self, X: np.ndarray, answers: np.ndarray, problem: np.ndarray
                     ) -> np.ndarray:
        """Per row: the posterior probability that the row's answer is correct."""
        if not hasattr(self, "mean_shift_"):
            raise NotFittedError("AnswerGroupModel is not fitted; call fit first")
        groups = _Groups(answers, problem, np.asarray(X, dtype=np.float64),
                         getattr(self, "rank_weight_", None))
        post, _ = self._e_step(groups, _popularity_features(groups, self.use_popularity),
                               level=self.problem_level == "factor")
        return post[groups.row]

    # ------------------------------------------------------------------ EM steps
    def _set(self, mu, precision, fooling, beta) -> None:
        self.mean_shift_ = mu
        self.weight_ = precision @ mu
        self.separation_ = float(max(self.weight_ @ mu, 0.0))
        self.fooling_ = float(fooling)
        self.popularity_coef_ = beta

    def _fit_level(self, groups: _Groups, post: np.ndarray) -> None:
        """Baseline ``m_0`` (``level_``) and loading ``c`` (``level_loading_``) of the
        problems' level, from their mean candidate vectors given the posterior."""
        n = np.bincount(groups.owner, groups.counts, groups.n_problems)
        level = np.zeros((groups.n_problems, groups.means.shape[1]))
        np.add.at(level, groups.owner, groups.counts[:, None] * (
            groups.means - post[:, None] * self.mean_shift_[None, :]))
        level /= n[:, None]
        self.level_ = level.mean(axis=0)
        dev = level - self.level_
        cov = dev.T @ dev / max(groups.n_problems - 1, 1) - self.within_cov_ * np.mean(1.0 / n)
        lam, vec = np.linalg.eigh(cov)
        self.level_loading_ = vec[:, -1] * np.sqrt(max(lam[-1], 0.0))

    def _initial_shift(self, X, within, weight, proba) -> np.ndarray:
        """``mu`` along ``within @ weight`` (so ``w`` starts as the label model's weight),
        scaled to the separation of the label model's two classes on that score."""
        t = X @ weight
        r = np.clip(proba, 1e-6, 1.0 - 1e-6)
        gap = float((r * t).sum() / r.sum() - ((1 - r) * t).sum() / (1 - r).sum())
        shift = within @ weight
        scale = float(weight @ shift)
        return shift * (gap / scale) if scale > 0 and gap > 0 else shift

    def _noise(self, groups: _Groups) -> np.ndarray:
        delta = self.separation_
        return self.fooling_ * delta ** 2 + delta / self._counts(groups)

    def _counts(self, groups: _Groups) -> np.ndarray:
        """Each answer's candidates as independent draws: ``n_g / (1 + s n_g)`` with ``s``
        the noise its candidates share (``shared_noise_``), so that ``S / n`` becomes
        ``S (s + 1 / n_g)``."""
        return groups.counts / (1.0 + self.shared_noise_ * groups.counts)

    def _e_step(self, groups: _Groups, prior: np.ndarray, moments: bool = False,
                level: bool = False):
        """Posterior of every assignment of correct answers, per problem; returns the
        answers' marginals and (``moments``) the expectations the M-step needs. With
        ``level`` the problem's level is the fitted factor (every problem, one-answer
        ones included); otherwise only contrasts count."""
        t = groups.means @ self.weight_
        wt = 1.0 / np.maximum(self._noise(groups), 1e-300)
        log_prior = prior @ self.popularity_coef_
        post = np.where(groups.n_answers[groups.owner] == 1, expit(log_prior), 0.0)
        stats = {k: np.zeros(groups.size) for k in ("ey", "ey2", "res")} if moments else None
        counts = self._counts(groups)
        if level:
            gain, load, c_sum, scale = self._level_terms(groups, wt)
        for idx, assign in groups.blocks(self.max_correct, self.max_answers, single=level):
            if level:  # the level factor integrated out (module docstring)
                own = groups.owner[idx[:, 0]]
                dev = c_sum[own][:, None] - load[idx] @ assign.T
                ll = gain[idx] @ assign.T + 0.5 * dev ** 2 / scale[own][:, None] \
                    + log_prior[idx] @ assign.T
                post[idx] = _softmax(ll) @ assign
                continue
            w, tb = wt[idx], t[idx]
            total = w.sum(axis=1, keepdims=True)
            tc = tb - (w * tb).sum(axis=1, keepdims=True) / total
            yc = assign[None] - (assign[None] * w[:, None]).sum(axis=2, keepdims=True) \
                / total[:, None]
            err = tc[:, None] - self.separation_ * yc
            ll = -0.5 * (w[:, None] * err ** 2).sum(axis=2) + log_prior[idx] @ assign.T
            q = _softmax(ll)
            post[idx] = q @ assign
            if moments:
                stats["ey"][idx] = np.einsum("pa,pak->pk", q, yc)
                stats["ey2"][idx] = np.einsum("pa,pak->pk", q, yc ** 2)
                r2 = np.einsum("pa,pak->pk", q, err ** 2)
                stats["res"][idx] = r2 / (1.0 - w / total) - self.separation_ / counts[idx]
        return post, stats

    def _level_terms(self, groups: _Groups, wt: np.ndarray):
        """Per answer ``mu' V^-1 z - mu' V^-1 mu / 2``, ``c' V^-1 mu``, ``c' V^-1 z``
        and per problem ``sum_g c' V^-1 z`` and ``1 + sum_g c' V^-1 c`` (Sherman-Morrison:
        ``n_g / (1 + n_g varphi Delta) = Delta wt_g``)."""
        delta = self.separation_
        c = self.level_loading_
        c_prec = np.linalg.solve(self.within_cov_, c)
        z = groups.means - self.level_
        t, s = z @ self.weight_, z @ c_prec
        kappa, cc = float(c_prec @ self.mean_shift_), float(c_prec @ c)
        shrink = delta * wt  # n_g / (1 + n_g varphi Delta)
        counts = self._counts(groups)
        fool = self.fooling_ * counts * shrink
        gain = shrink * (t - 0.5 * delta)
        load = shrink * kappa
        c_sum = np.bincount(groups.owner, counts * s - fool * kappa * t, groups.n_problems)
        scale = 1.0 + np.bincount(groups.owner, counts * cc - fool * kappa ** 2,
                                  groups.n_problems)
        return gain, load, c_sum, scale

    def _m_step(self, groups: _Groups, stats: dict, mu: np.ndarray):
        wt = 1.0 / self._noise(groups)
        centred = groups.means - groups.weighted_problem_mean(groups.means, wt)
        den = float(np.sum(wt * stats["ey2"]))
        if den > 0:
            mu = (wt * stats["ey"]) @ centred / den
        multi = groups.n_answers[groups.owner] > 1
        delta = float(mu @ np.linalg.solve(self.within_cov_, mu))
        fooling = self.fooling_
        if multi.any() and delta > 0:
            fooling = float(np.clip(np.mean(stats["res"][multi]) / delta ** 2, 1e-3,
                                    self.max_fooling))
        return mu, fooling


def _shared_noise(groups: _Groups, precision: np.ndarray, mu: np.ndarray) -> float:
    """``s`` of the noise ``S (s + 1 / n_g)`` of an answer's mean vector, by moments:
    for two answers ``g, h`` of one problem, the part of ``x_g - x_h`` that ``mu``
    cannot explain (the ``S^-1``-projection off ``mu``, where neither correctness, nor
    fooling along ``mu``, nor the problem's level enters) has expected squared
    ``S^-1``-norm ``(m - 1) (2 s + 1 / n_g + 1 / n_h)``; summed over the pairs of a
    problem's ``k`` answers, ``k sum_g |x_g|^2 - |sum_g x_g|^2`` in that norm. 0 with
    fewer than two verifiers or no problem with two answers."""
    m = mu.size
    v = precision @ mu
    delta = float(v @ mu)
    k = groups.n_answers.astype(np.float64)
    pairs = float(np.sum(k * (k - 1) / 2))
    if m < 2 or delta <= 0 or pairs == 0:
        return 0.0
    project = precision - np.outer(v, v) / delta
    own = np.einsum("gi,ij,gj->g", groups.means, project, groups.means)
    sums = np.zeros((groups.n_problems, m))
    np.add.at(sums, groups.owner, groups.means)
    spread = k * np.bincount(groups.owner, own, groups.n_problems) \
        - np.einsum("pi,ij,pj->p", sums, project, sums)
    sampling = (k - 1) * np.bincount(groups.owner, 1.0 / groups.counts, groups.n_problems)
    return max(float(np.sum(spread / (m - 1) - sampling)) / (2 * pairs), 0.0)


class _Groups:
    """The answer groups of a table: row -> group, group sizes, owning problem, mean
    feature vector; answers of each problem ordered by size (largest first), answers
    of one size by their mean feature vector times ``rank_weight`` (largest first), so
    that the order never depends on the answers' codes or the candidates' ids."""

    def __init__(self, answers: np.ndarray, problem: np.ndarray, X: np.ndarray,
                 rank_weight: np.ndarray | None = None):
        _, self.row, counts = np.unique(np.asarray(answers), return_inverse=True,
                                        return_counts=True)
        self.counts = counts.astype(np.float64)
        self.size = counts.size
        problem = np.asarray(problem, dtype=np.int64)
        self.owner = np.zeros(self.size, dtype=np.int64)
        self.owner[self.row] = problem
        self.n_problems = int(problem.max()) + 1 if problem.size else 0
        self.n_answers = np.bincount(self.owner, minlength=self.n_problems)
        self.means = np.zeros((self.size, X.shape[1]))
        np.add.at(self.means, self.row, X)
        self.means /= self.counts[:, None]
        evidence = (np.zeros(self.size) if rank_weight is None
                    else self.means @ np.asarray(rank_weight, dtype=np.float64))
        # by problem, largest first, then most supported first
        self.order = np.lexsort((-evidence, -self.counts, self.owner))
        self.first = np.concatenate([[0], np.cumsum(self.n_answers)])
        self.total = np.bincount(self.owner, self.counts, self.n_problems)[self.owner]

    def weighted_problem_mean(self, values: np.ndarray, weight: np.ndarray) -> np.ndarray:
        sums = np.zeros((self.n_problems, values.shape[1]))
        np.add.at(sums, self.owner, weight[:, None] * values)
        norm = np.bincount(self.owner, weight, self.n_problems)
        return (sums / np.maximum(norm, 1e-300)[:, None])[self.owner]

    def blocks(self, max_correct: int, max_answers: int, single: bool = False):
        """(answer indices (problems x k), assignments (a x k)) for the problems with
        ``k > 1`` answers (``single``: ``k >= 1``), in blocks of bounded size."""
        for k in np.unique(self.n_answers[self.n_answers > (0 if single else 1)]):
            problems = np.flatnonzero(self.n_answers == k)
            idx = self.order[self.first[problems][:, None] + np.arange(k)[None, :]]
            assign = _assignments(int(k), max_correct, max_answers)
            step = max(1, _CHUNK // (assign.size))
            for s in range(0, problems.size, step):
                yield idx[s:s + step], assign


def _assignments(k: int, max_correct: int, max_answers: int) -> np.ndarray:
    """Rows: every 0/1 assignment of ``k`` answers with at most ``max_correct`` ones,
    ones only among the first ``max_answers``."""
    free = min(k, max_answers)
    rows = [np.zeros(k)]
    for n_correct in range(1, min(max_correct, free) + 1):
        for chosen in combinations(range(free), n_correct):
            row = np.zeros(k)
            row[list(chosen)] = 1.0
            rows.append(row)
    return np.array(rows)


def _softmax(ll: np.ndarray) -> np.ndarray:
    return np.exp(ll - logsumexp(ll, axis=1, keepdims=True))


def _popularity_features(groups: _Groups, use_popularity: bool) -> np.ndarray:
    ones = np.ones(groups.size)
    if not use_popularity:
        return ones[:, None]
    return np.column_stack([ones, np.log(groups.counts / groups.total)])


def _logistic_steps(X: np.ndarray, target: np.ndarray, beta: np.ndarray, steps: int = 5
                    ) -> np.ndarray:
    """Newton steps of a logistic regression of soft targets on ``X``."""
    beta = beta.copy()
    for _ in range(steps):
        p = expit(X @ beta)
        hess = X.T @ (X * (p * (1.0 - p))[:, None]) + 1e-6 * np.eye(X.shape[1])
        beta += np.linalg.solve(hess, X.T @ (target - p))
    return beta
