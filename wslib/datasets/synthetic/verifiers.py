r"""Simulated verifier tables for best-of-N selection (Weaver), with known truth.

A generator samples ``N`` candidate answers per problem and several weak
verifiers score every candidate. The simulator is meant to be hard in the ways
real tables are hard, not to suit one aggregation method:

* **Problem difficulty.** Each problem has its own chance ``p`` that a sample is
  correct (``logit p ~ N(difficulty_mean, difficulty_sd)``), so some problems
  are solved by almost every sample and some by none (oracle Pass@N < 1).
* **Answer groups.** Wrong samples fall into a few distinct wrong answers with
  Dirichlet(0.5) popularity, so a popular wrong answer often wins majority vote
  on hard problems. Candidates with the same final answer share a
  *plausibility*, and each candidate has a *presentation* term (a well-written
  wrong proof); together they form ``f_c``, which fools every verifier in
  proportion to its skill, so no amount of verifiers removes it.
* **Verifier families.** Verifiers come in ``n_families`` families (reward
  models from one base model, judges sharing a prompt) whose members share an
  error ``h_{k(j), c}`` unrelated to correctness: errors are correlated, not
  conditionally independent.
* **Verifier quality.** The latent score of verifier ``j`` on candidate ``c`` of
  problem ``i`` is

  .. math:: s_{jc} = a_j (y_c + \sigma_f f_c) + b_j h_{k(j), c} + c_j o_i
            + \varepsilon_{jc}, \quad \varepsilon_{jc} \sim N(0, 1)

  with discriminability ``a_j = skill_median * exp(skill_spread * N(0, 1))``
  (clipped to [0.02, 2]: many weak verifiers, a few strong) for most, a share of
  near-random ones (``a_j ~ U(0, 0.08)``) and adversarial ones (``a_j < 0``:
  a reward model that prefers confident wrong answers), family loading
  ``b_j ~ U(shared_error)`` and a per-problem offset ``o_i`` (reward models
  score some problems higher across the board).
* **Formats.** Each verifier reports on its own scale: raw reward (random affine
  scale and shift), probability (sigmoid), binary verdict (thresholded at a
  verifier-specific rate), or a 1-5 / 1-10 Likert grade; values are missing at
  random at a verifier-specific rate, and one verifier skips whole problems.
* **Near-duplicates.** A share of verifiers are noisy copies of others, in the
  same format (two checkpoints of one reward model).

**Regimes.** :data:`REGIMES` names settings calibrated on the Weaver paper's
baselines for a 70B generator: ``"math500-70b"`` (the defaults) and
``"gpqa-diamond-70b"`` (four-option multiple choice, weaker verifiers), and a
stress setting, ``"stress-shared-fooling"``. docs/weaver.md ("simulator
calibration") compares their Pass@1, majority vote, naive mean, oracle and
supervised-ensemble figures with the paper's.

Example
-------
>>> from wslib.datasets.synthetic import make_verifier_table
>>> df = make_verifier_table(n_problems=20, n_candidates=8, n_verifiers=6, random_state=0)
>>> sorted(df.columns[:4])
['answer', 'candidate_id', 'correct', 'problem_id']
>>> len(df)
160
>>> from wslib.datasets.synthetic.verifiers import REGIMES
>>> gpqa = make_verifier_table(20, 8, 6, **REGIMES["gpqa-diamond-70b"], random_state=0)
>>> int(gpqa.groupby("problem_id")["answer"].nunique().max()) <= 4  # four options
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["FORMATS", "REGIMES", "VerifierTruth", "make_verifier_table"]

#: verifier formats and the share of verifiers drawn in each
FORMATS = {"reward": 0.4, "probability": 0.2, "verdict": 0.25, "likert": 0.15}
_MAX_WRONG = 8
_WRONG_POISSON = 2.5  # mean extra wrong answers per problem
_WRONG_CONCENTRATION = 0.5  # Dirichlet concentration of the wrong answers' popularity
_DUPLICATE_NOISE = 0.15  # a near-duplicate's extra noise sd on the latent scale
#: named simulator settings (keyword arguments of :func:`make_verifier_table`).
#: The two calibrated regimes put the baselines (Pass@1, majority vote, naive
#: mean, oracle Pass@N, the supervised weighted ensemble) where the Weaver paper
#: reports them for a 70B generator (docs/weaver.md, "simulator calibration"); they
#: share one verifier pool, weaker on graduate-level science than on mathematics.
#: The stress regime is the MATH-500 one with strong shared fooling.
REGIMES: dict[str, dict] = {
    "math500-70b": dict(difficulty_mean=2.3, difficulty_sd=2.6, max_wrong_answers=8),
    "gpqa-diamond-70b": dict(difficulty_mean=-0.5, difficulty_sd=2.0, max_wrong_answers=3,
                             skill_median=0.05),
    "stress-shared-fooling": dict(difficulty_mean=2.3, difficulty_sd=2.6, fool_sd=1.0),
}


def make_verifier_table(n_problems: int = 500, n_candidates: int | tuple[int, int] = 64,
                        n_verifiers: int = 30, *, difficulty_mean: float = 2.3,
                        difficulty_sd: float = 2.6, max_wrong_answers: int = 8,
                        skill_median: float = 0.15, skill_spread: float = 1.0,
                        fool_sd: float = 0.25, n_families: int = 3,
                        shared_error: tuple[float, float] = (0.8, 1.5),
                        near_random: float = 0.3, adversarial: float = 0.1,
                        duplicates: float = 0.1, missing_rate: float = 0.1,
                        random_state: int = 0, return_truth: bool = False
                        ) -> pd.DataFrame | tuple[pd.DataFrame, VerifierTruth]:
    """Sample a long verifier table: one row per (problem, candidate).

    Parameters
    ----------
    n_problems : int
        Number of problems.
    n_candidates : int or (low, high)
        Candidates per problem; a pair draws a ragged count uniformly in ``[low, high]``.
    n_verifiers : int
        Number of verifier columns.
    difficulty_mean, difficulty_sd : float
        Mean and spread of the per-problem logit of the chance a sample is correct.
    max_wrong_answers : int
        Most distinct wrong final answers per problem (3 for four-option multiple
        choice; at most 8).
    skill_median, skill_spread : float
        Median and log-scale spread of the verifiers' discriminability ``a_j``.
    fool_sd : float
        Scale ``sigma_f`` of the answer plausibility / presentation that fools all verifiers.
    n_families, shared_error : int, (low, high)
        Number of verifier families and the range of the loadings ``b_j`` on the
        error shared within a family.
    near_random, adversarial, duplicates : float
        Shares of near-random, adversarial and near-duplicate verifiers.
    missing_rate : float
        Average share of missing scores per verifier.
    random_state : int
        Seed.
    return_truth : bool
        Also return the generative truth (:class:`VerifierTruth`: latent scores and
        every parameter), for oracle selectors that bound what any method can
        recover. The table is the same either way.

    Returns
    -------
    DataFrame with ``problem_id``, ``candidate_id``, ``answer``, ``correct`` (0/1)
    and one column per verifier. ``df.attrs["verifiers"]`` holds each verifier's
    truth (``format``, ``kind``, ``a``, ``b``, ``family``, ``duplicate_of``).
    With ``return_truth=True``, the pair ``(df, truth)``.
    """
    low, high = _check_sizes(n_problems, n_candidates, n_verifiers, max_wrong_answers)
    rng = np.random.default_rng(random_state)
    problem, candidate, y, slot, answer = _sample_answers(
        rng, n_problems, low, high, difficulty_mean, difficulty_sd, max_wrong_answers)
    v = _sample_latent_scores(rng, y, problem, slot, n_problems, n_verifiers,
                              skill=(skill_median, skill_spread), fool_sd=fool_sd,
                              n_families=n_families, shared_error=shared_error,
                              near_random=near_random, adversarial=adversarial,
                              duplicates=duplicates)
    columns, truth = _render_columns(rng, v, problem, n_problems, missing_rate)
    df = pd.DataFrame({"problem_id": [f"p{i:05d}" for i in problem], "candidate_id": candidate,
                       "answer": answer.astype(str), "correct": y, **columns})
    df.attrs["verifiers"] = truth
    if not return_truth:
        return df
    return df, VerifierTruth(latent=v.latent, a=v.a, b=v.b, c=v.c, family=v.family,
                             duplicate_of=v.dup_of, fool_sd=fool_sd,
                             duplicate_noise=_DUPLICATE_NOISE,
                             difficulty_mean=difficulty_mean, difficulty_sd=difficulty_sd,
                             max_wrong_answers=max_wrong_answers, wrong_poisson=_WRONG_POISSON,
                             wrong_concentration=_WRONG_CONCENTRATION)


def _check_sizes(n_problems: int, n_candidates: int | tuple[int, int], n_verifiers: int,
                 max_wrong_answers: int) -> tuple[int, int]:
    """The range of candidates per problem, once the sizes are checked."""
    if n_problems < 1 or n_verifiers < 1:
        raise ValueError(f"need n_problems >= 1 and n_verifiers >= 1, got {n_problems}, "
                         f"{n_verifiers}")
    low, high = (n_candidates, n_candidates) if np.isscalar(n_candidates) else n_candidates
    if not 1 <= max_wrong_answers <= _MAX_WRONG:
        raise ValueError(f"max_wrong_answers must lie in [1, {_MAX_WRONG}], got "
                         f"{max_wrong_answers}")
    if not 1 <= low <= high:
        raise ValueError(f"n_candidates must be >= 1 (or a pair low <= high), got {n_candidates}")
    return low, high


def _sample_answers(rng: np.random.Generator, n_problems: int, low: int, high: int,
                    difficulty_mean: float, difficulty_sd: float, max_wrong_answers: int
                    ) -> tuple[np.ndarray, ...]:
    """Candidates per problem, their correctness and final answers: ``(problem,
    candidate, y, slot, answer)`` per row (``slot`` 0 is the right answer, the
    others the problem's wrong ones by popularity)."""
    sizes = rng.integers(low, high + 1, size=n_problems)
    problem = np.repeat(np.arange(n_problems), sizes)
    n = problem.size
    candidate = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    # problems: chance of a correct sample, popularity of the wrong answers
    p_correct = 1.0 / (1.0 + np.exp(-rng.normal(difficulty_mean, difficulty_sd, n_problems)))
    n_wrong = 1 + np.minimum(rng.poisson(_WRONG_POISSON, n_problems), max_wrong_answers - 1)
    weights = rng.gamma(_WRONG_CONCENTRATION, size=(n_problems, _MAX_WRONG)) + 1e-12
    weights[np.arange(_MAX_WRONG)[None, :] >= n_wrong[:, None]] = 0.0
    cum = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
    y = (rng.random(n) < p_correct[problem]).astype(np.int8)
    wrong_slot = 1 + (rng.random(n)[:, None] > cum[problem]).sum(axis=1)
    slot = np.where(y == 1, 0, np.minimum(wrong_slot, _MAX_WRONG))
    labels = np.argsort(rng.random((n_problems, _MAX_WRONG + 1)), axis=1)
    return problem, candidate, y, slot, labels[problem, slot]


@dataclass
class _Verifiers:
    """The sampled verifiers: latent scores (n x m) and each one's parameters."""

    latent: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    family: np.ndarray
    kind: list[str]
    dup_of: np.ndarray


def _sample_latent_scores(rng: np.random.Generator, y: np.ndarray, problem: np.ndarray,
                          slot: np.ndarray, n_problems: int, n_verifiers: int, *,
                          skill: tuple[float, float], fool_sd: float, n_families: int,
                          shared_error: tuple[float, float], near_random: float,
                          adversarial: float, duplicates: float) -> _Verifiers:
    """Latent scores: skill times (correctness + shared fooling), plus family error,
    problem offset and noise; then near-duplicate columns."""
    n = problem.size
    # shared terms: answer plausibility + presentation, family errors, problem offset
    plaus = rng.normal(size=(n_problems, _MAX_WRONG + 1))[problem, slot]
    fool = (plaus + rng.normal(size=n)) / np.sqrt(2.0)
    family_error = rng.normal(size=(n, max(n_families, 1)))
    offset = rng.normal(size=n_problems)[problem]
    a, kind = _verifier_quality(rng, n_verifiers, *skill, near_random, adversarial)
    b = rng.uniform(*shared_error, size=n_verifiers)
    c = rng.uniform(0.0, 1.5, size=n_verifiers)
    family = rng.integers(0, max(n_families, 1), size=n_verifiers)
    latent = ((y[:, None] + fool_sd * fool[:, None]) * a[None, :]
              + family_error[:, family] * b[None, :] + offset[:, None] * c[None, :]
              + rng.normal(size=(n, n_verifiers)))
    v = _Verifiers(latent, a, b, c, family, kind, np.full(n_verifiers, -1))
    n_dup = int(round(duplicates * n_verifiers))
    if n_dup and n_verifiers > n_dup:
        copies = rng.choice(np.arange(1, n_verifiers), size=n_dup, replace=False)
        originals = np.setdiff1d(np.arange(n_verifiers), copies)
        for j in copies:  # a handful of columns, not a hot loop
            src = v.dup_of[j] = rng.choice(originals)
            latent[:, j] = latent[:, src] + _DUPLICATE_NOISE * rng.normal(size=n)
            a[j], b[j], c[j] = a[src], b[src], c[src]
            family[j], kind[j] = family[src], "duplicate"
    return v


def _render_columns(rng: np.random.Generator, v: _Verifiers, problem: np.ndarray,
                    n_problems: int, missing_rate: float
                    ) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
    """Each verifier's column on its reporting scale, with missing scores and one
    verifier that skips a fifth of the problems; and each one's truth."""
    m, n = v.latent.shape[1], v.latent.shape[0]
    formats = rng.choice(list(FORMATS), size=m, p=list(FORMATS.values()))
    is_copy = v.dup_of >= 0
    formats[is_copy] = formats[v.dup_of[is_copy]]  # a second checkpoint reports on one scale
    columns: dict[str, np.ndarray] = {}
    truth = {}
    for j in range(m):
        name, values = _render(rng, v.latent[:, j], formats[j], j)
        values[rng.random(n) < rng.uniform(0, 2 * missing_rate)] = np.nan
        columns[name] = values
        truth[name] = {"format": str(formats[j]), "kind": v.kind[j], "a": float(v.a[j]),
                       "b": float(v.b[j]), "family": int(v.family[j]),
                       "duplicate_of": int(v.dup_of[j])}
    skipper = list(columns)[int(rng.integers(m))]
    skipped = rng.random(n_problems) < 0.2
    columns[skipper][skipped[problem]] = np.nan
    return columns, truth


@dataclass(frozen=True)
class VerifierTruth:
    r"""The generative truth behind a simulated table (``return_truth=True``).

    ``latent`` (rows x verifiers, in the frame's row order, before rendering,
    quantisation and missing values) is ``s_jc`` of the module docstring;
    ``a``, ``b``, ``c``, ``family`` its loadings (a near-duplicate column copies
    its original's and adds ``N(0, duplicate_noise^2)``, ``duplicate_of`` its
    original or -1). The problem model: ``logit P(correct sample) ~
    N(difficulty_mean, difficulty_sd)``; ``1 + min(Poisson(wrong_poisson),
    max_wrong_answers - 1)`` wrong answers with Dirichlet(``wrong_concentration``)
    popularity; the fooling term ``fool_sd * (plausibility_answer + presentation_c)
    / sqrt(2)``. Meant for oracle selectors in benchmarks, never for a method.
    """

    latent: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    family: np.ndarray
    duplicate_of: np.ndarray
    fool_sd: float
    duplicate_noise: float
    difficulty_mean: float
    difficulty_sd: float
    max_wrong_answers: int
    wrong_poisson: float
    wrong_concentration: float


def _verifier_quality(rng: np.random.Generator, m: int, median: float, spread: float,
                      near_random: float, adversarial: float) -> tuple[np.ndarray, list[str]]:
    a = np.clip(median * np.exp(spread * rng.normal(size=m)), 0.02, 2.0)
    kind = ["informative"] * m
    n_random = int(round(near_random * m))
    n_adv = int(round(adversarial * m))
    order = rng.permutation(m)
    for j in order[:n_random]:
        a[j], kind[j] = rng.uniform(0.0, 0.08), "near_random"
    for j in order[n_random:n_random + n_adv]:
        a[j], kind[j] = -rng.uniform(0.2, 0.6), "adversarial"
    return a, kind


def _render(rng: np.random.Generator, s: np.ndarray, fmt: str, j: int) -> tuple[str, np.ndarray]:
    """Put latent scores on the verifier's own reporting scale."""
    if fmt == "reward":
        return f"rm{j:02d}_scores", s * rng.lognormal(0.0, 1.0) + rng.normal(0.0, 5.0)
    if fmt == "probability":
        return f"prm{j:02d}_prob", 1.0 / (1.0 + np.exp(-(s - np.median(s)) * rng.uniform(0.5, 2.0)))
    if fmt == "verdict":
        cut = np.quantile(s, rng.uniform(0.3, 0.8))
        return f"judge{j:02d}_verdicts", (s > cut).astype(np.float64)
    levels = int(rng.choice([5, 10]))
    cuts = np.quantile(s, np.sort(rng.uniform(0.05, 0.95, size=levels - 1)))
    return f"likert{j:02d}_grade", 1.0 + np.searchsorted(cuts, s).astype(np.float64)
