r"""Label-free verifier weights: a one-factor model of within-problem scores with
verifier families.

Scores are centred within each problem (which cancels per-problem offsets), and
each verifier is put on unit variance, giving correlations ``R``. If verifier
``j`` moves by ``l_j`` (in its own standard deviations) when a candidate is
correct, and its errors are shared only with the members of its family ``f(j)``,

.. math:: R_{ij} = l_i l_j \quad (f(i) \ne f(j)), \qquad
          R_{ij} = l_i l_j + N_{ij} \quad (f(i) = f(j)),

with ``N`` the noise covariance, block-diagonal by family. The loadings ``l`` are
fitted by least squares on the pairs *from different families only* (a family's
shared error cannot pose as correctness), and the likelihood-ratio weights are
``w = N^{-1} l`` block by block: a family of ``k`` near-copies counts about once,
and its members' complementary parts (a process reward model's ``_min`` against
its ``_mean``) are kept. Families are declared by the caller, and otherwise read
from the names: columns that differ only by a step-aggregate suffix
(:data:`STEP_SUFFIXES`, as in ``prm_min`` / ``prm_mean`` / ``prm_last``) are one
model. With fewer than three families every pair is used.

The sign of ``l`` is fixed by assuming the families are better than random on
balance (the mean loading of the families is positive); a verifier whose loading
is negative is *inverted* and gets a negative weight (it is flipped). A bootstrap
over problems gives each loading a standard error; :func:`verifier_status` names a
loading within two standard errors of zero "no evidence of skill" (it keeps its
small weight: dropping such verifiers lost selection accuracy on simulated tables
of six binary judges).

Example
-------
>>> import numpy as np
>>> from wslib.weaver.factor import fit_family_factor
>>> from wslib.weaver.normalize import center_per_problem
>>> starts = np.arange(0, 3001, 10)                 # 300 problems of 10 candidates
>>> shift = np.array([1.0, 0.8, 0.6, -0.7])          # the last verifier is inverted
>>> y = np.random.default_rng(0).random((3000, 1)) < 0.3
>>> Z = center_per_problem(y * shift + np.random.default_rng(1).normal(size=(3000, 4)), starts)
>>> fit = fit_family_factor(Z, np.ones(Z.shape, bool), starts, families=np.arange(4))
>>> np.sign(fit.weights).tolist()     # the inverted verifier is flipped
[1.0, 1.0, 1.0, -1.0]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["MIN_MASKED_FAMILIES", "STEP_SUFFIXES", "FamilyFactor", "family_codes",
           "family_names", "fit_family_factor", "verifier_status"]

#: suffixes that name one aggregate of a process reward model's step scores
STEP_SUFFIXES = ("min", "max", "mean", "avg", "last", "first", "sum", "prod", "median")
_SUFFIX = re.compile(r"[_\-.](?:%s)$" % "|".join(STEP_SUFFIXES), re.IGNORECASE)
#: families needed to fit the loadings on cross-family pairs only (with fewer, every pair
#: is used, and members of one family count as independent verifiers)
MIN_MASKED_FAMILIES = 3
_MAX_LOADING = 0.99
_N_BOOTSTRAP = 20
_MAX_BLOCKS = 200


@dataclass(frozen=True)
class FamilyFactor:
    """A fitted one-factor model (:func:`fit_family_factor`), in standard-deviation units.

    ``loadings`` and ``loading_se`` per verifier, ``weights`` (``N^{-1} l``, for
    standardised scores), ``noise`` (the noise variance ``1 - l^2``, floored),
    ``families`` (codes), ``scale`` (each verifier's within-problem standard
    deviation: divide ``weights`` by it for raw scores), ``masked`` (whether the
    within-family pairs were left out of the fit)."""

    loadings: np.ndarray
    loading_se: np.ndarray
    weights: np.ndarray
    noise: np.ndarray
    families: np.ndarray
    scale: np.ndarray
    masked: bool


def family_names(names: list[str], families: dict[str, str] | None = None) -> list[str]:
    """The family of each verifier: ``families[name]`` when given, else the name without
    a step-aggregate suffix (``prm_min`` and ``prm_last`` are family ``prm``).

    >>> family_names(["prm_min", "prm_last", "rm"], {"rm": "rewards"})
    ['prm', 'prm', 'rewards']
    """
    families = families or {}
    return [str(families.get(n, _SUFFIX.sub("", n))) for n in names]


def family_codes(names: list[str], families: dict[str, str] | None = None) -> np.ndarray:
    """:func:`family_names` as integer codes, in order of first appearance.

    >>> family_codes(["prm_min", "prm_last", "rm", "judge"]).tolist()
    [0, 0, 1, 2]
    """
    first: dict[str, int] = {}
    return np.array([first.setdefault(k, len(first)) for k in family_names(names, families)],
                    dtype=np.int64)


def fit_family_factor(within: np.ndarray, observed: np.ndarray, starts: np.ndarray,
                      families: np.ndarray, min_noise: float = 0.05, random_state: int = 0
                      ) -> FamilyFactor:
    """Fit the model of the module docstring on scores centred within problems
    (``within``: ``(n, m)``, 0 where missing; ``observed``: where present; rows grouped
    by problem with offsets ``starts``)."""
    within = np.asarray(within, dtype=np.float64)
    families = np.asarray(families, dtype=np.int64)
    blocks = _block_crossproducts(within, observed, starts, random_state)
    cov = blocks[0].sum(axis=0) / np.maximum(blocks[1].sum(axis=0), 1.0)
    scale = np.sqrt(np.maximum(np.diag(cov), 0.0))
    cross = families[:, None] != families[None, :]
    masked = np.unique(families).size >= MIN_MASKED_FAMILIES
    if not masked:
        cross = ~np.eye(families.size, dtype=bool)
    loadings = _oriented(_masked_loadings(_correlation(cov), cross), families)
    boot = _bootstrap_loadings(blocks, cross, loadings, random_state)
    noise = np.maximum(1.0 - loadings ** 2, min_noise)
    weights = _block_weights(_correlation(cov), loadings, noise, families)
    return FamilyFactor(loadings, boot, weights, noise, families, scale, masked)


def verifier_status(fit: FamilyFactor) -> list[str]:
    """Per verifier: ``"inverted (flipped)"`` when its loading is more than two standard
    errors below zero, ``"no evidence of skill"`` within two standard errors of zero,
    else ``"agrees"`` (its family name codes are in ``fit.families``)."""
    out = []
    for load, se in zip(fit.loadings, fit.loading_se):
        if abs(load) <= 2.0 * se:
            out.append("no evidence of skill")
        else:
            out.append("inverted (flipped)" if load < 0 else "agrees")
    return out


def _block_crossproducts(within, observed, starts, random_state):
    """Cross-products and co-observation counts summed over random blocks of whole
    problems: the covariance is their total, a bootstrap resamples the blocks."""
    n_problems = starts.size - 1
    n_blocks = max(min(n_problems, _MAX_BLOCKS), 1)
    block_of = np.random.default_rng(random_state).permutation(n_problems) % n_blocks
    row_block = np.repeat(block_of, np.diff(starts))
    order = np.argsort(row_block, kind="stable")
    bounds = np.searchsorted(row_block[order], np.arange(n_blocks + 1))
    x, mask = within[order], observed[order].astype(np.float64)
    m = within.shape[1]
    sums, counts = np.zeros((n_blocks, m, m)), np.zeros((n_blocks, m, m))
    for b in range(n_blocks):  # at most _MAX_BLOCKS products of (rows x m)
        lo, hi = bounds[b], bounds[b + 1]
        sums[b] = x[lo:hi].T @ x[lo:hi]
        counts[b] = mask[lo:hi].T @ mask[lo:hi]
    return sums, counts


def _correlation(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    scale = np.where(sd > 0, sd, 1.0)
    return cov / np.outer(scale, scale)


def _masked_loadings(corr: np.ndarray, cross: np.ndarray, n_iter: int = 500,
                     tol: float = 1e-7, start: np.ndarray | None = None) -> np.ndarray:
    """Least-squares rank-one fit ``corr_ij ~ l_i l_j`` over the ``cross`` pairs
    (alternating updates, started from ``start`` or the leading eigenvector)."""
    m = corr.shape[0]
    if m == 1:
        return np.ones(1)
    if start is None:
        vals, vecs = np.linalg.eigh(corr - np.diag(np.diag(corr))
                                    + np.diag(np.abs(corr * cross).max(axis=1)))
        start = vecs[:, -1] * np.sqrt(max(vals[-1], 1e-6))
    loads = start.copy()
    weight = cross.astype(np.float64)
    target = corr * weight
    for _ in range(n_iter):
        den = weight @ loads ** 2
        new = np.clip(np.divide(target @ loads, den, out=np.zeros(m), where=den > 0),
                      -_MAX_LOADING, _MAX_LOADING)
        new = 0.5 * (new + loads)  # damped: plain alternating updates can oscillate
        done = np.max(np.abs(new - loads)) < tol
        loads = new
        if done:
            break
    return loads


def _oriented(loadings: np.ndarray, families: np.ndarray) -> np.ndarray:
    """Sign so that the families' mean loadings sum to a positive number."""
    sizes = np.bincount(families).astype(np.float64)
    family_mean = np.bincount(families, loadings) / np.maximum(sizes, 1)
    return -loadings if family_mean[sizes > 0].sum() < 0 else loadings


def _bootstrap_loadings(blocks, cross, loadings, random_state) -> np.ndarray:
    """Standard error of each loading over bootstrap resamples of the problem blocks
    (each resample started from the full fit, so their signs agree)."""
    sums, counts = blocks
    rng = np.random.default_rng(random_state + 1)
    n_blocks = sums.shape[0]
    draws = []
    for _ in range(_N_BOOTSTRAP if n_blocks > 1 else 0):
        w = np.bincount(rng.integers(0, n_blocks, n_blocks), minlength=n_blocks).astype(float)
        cov = np.tensordot(w, sums, 1) / np.maximum(np.tensordot(w, counts, 1), 1.0)
        draws.append(_masked_loadings(_correlation(cov), cross, tol=1e-5, start=loadings))
    return np.std(draws, axis=0) if draws else np.zeros_like(loadings)


def _block_weights(corr: np.ndarray, loadings: np.ndarray, noise: np.ndarray,
                   families: np.ndarray) -> np.ndarray:
    """``N^{-1} l`` with ``N`` the within-family noise covariance (``corr - l l^T`` on
    each family block, its diagonal the floored noise variances)."""
    weights = np.zeros_like(loadings)
    for f in np.unique(families):
        idx = np.flatnonzero(families == f)
        block = corr[np.ix_(idx, idx)] - np.outer(loadings[idx], loadings[idx])
        block[np.diag_indices(idx.size)] = noise[idx]
        vals, vecs = np.linalg.eigh(block)  # keep the block positive definite
        vals = np.maximum(vals, noise[idx].min() * 0.1)
        weights[idx] = vecs @ ((vecs.T @ loadings[idx]) / vals)
    return weights
