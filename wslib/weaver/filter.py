"""Verifier filtering: drop columns that cannot help, and say why.

A verifier is dropped when it is

* ``all missing``: no observed score;
* ``constant`` / ``near-constant``: one value covers at least ``max_mode_share``
  of its observed scores (it cannot rank candidates);
* ``constant within every problem``: (given the problem offsets ``starts``) it
  gives every candidate of a problem the same score, whatever the problem, so it
  never tells a problem's candidates apart;
* ``positive rate``: (faithful mode) its binary votes are positive on a share
  outside ``positive_rate`` (the published pipeline keeps [0.1, 0.9]);
* ``duplicate of X``: its Spearman correlation with an already kept verifier
  ``X`` is at least ``max_correlation`` in absolute value (two checkpoints of
  one reward model would otherwise count twice in a conditionally independent
  model). Of a pair, the verifier with fewer missing scores is kept (equal
  coverage: the first name in sorted order, whatever the columns' order). Members of
  one declared ``family`` are not duplicates of each other while the verifiers
  left span :data:`~wslib.weaver.factor.MIN_MASKED_FAMILIES` families or more:
  the family-masked factor model (:mod:`wslib.weaver.factor`) counts a family
  about once and keeps its members' complementary parts (a process reward
  model's ``_min`` and ``_last``).

Every dropped verifier is reported once with a :class:`VerifierDroppedWarning`.

Example
-------
>>> import numpy as np, warnings
>>> from wslib.weaver.filter import filter_verifiers
>>> rng = np.random.default_rng(0)
>>> s = rng.normal(size=(200, 1))
>>> X = np.hstack([s, s + 0.01 * rng.normal(size=(200, 1)), np.ones((200, 1)),
...                rng.normal(size=(200, 1))])
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     keep, reasons = filter_verifiers(X, ["a", "a_copy", "flat", "b"])
>>> keep.tolist(), reasons
([True, False, False, True], {'flat': 'constant', 'a_copy': 'duplicate of a (rho=1.00)'})
"""

from __future__ import annotations

import warnings

import numpy as np

from wslib.exceptions import WslibWarning, user_stacklevel
from wslib.weaver.factor import MIN_MASKED_FAMILIES
from wslib.weaver.normalize import rank_normalize

__all__ = ["VerifierDroppedWarning", "filter_verifiers", "rank_correlation"]


class VerifierDroppedWarning(WslibWarning):
    """A verifier column was dropped (all missing, constant, duplicate, ...)."""


def filter_verifiers(scores: np.ndarray, names: list[str], *, max_mode_share: float = 0.99,
                     max_correlation: float = 0.95, votes: np.ndarray | None = None,
                     positive_rate: tuple[float, float] | None = None, warn: bool = True,
                     ranks: np.ndarray | None = None, starts: np.ndarray | None = None,
                     families: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, str]]:
    """Decide which verifier columns to keep.

    Parameters
    ----------
    scores : float array (n, m), ``NaN`` = missing
    names : verifier names, one per column
    max_mode_share : float
        Drop a verifier whose most common value covers this share of its scores.
    max_correlation : float
        Drop a verifier this rank-correlated with a kept one (``1`` disables).
    votes, positive_rate : optional
        Binary votes (``-1`` missing) and the ``(low, high)`` band of positive
        rate a kept verifier must lie in.
    ranks : float array (n, m), optional
        ``rank_normalize(scores)`` when already computed.
    starts : int array (n_problems + 1,), optional
        Row offsets of the problems (rows grouped by problem): enables the
        ``constant within every problem`` check.
    families : int array (m,), optional
        Family code of each verifier, for a model that accounts for a family's
        shared errors: near-duplicates within one family are then kept (above).

    Returns
    -------
    keep : bool array (m,)
    reasons : dict verifier name -> reason it was dropped
    """
    scores = np.asarray(scores, dtype=np.float64)
    m = scores.shape[1]
    if len(names) != m:
        raise ValueError(f"{len(names)} names for {m} verifier columns")
    reasons: dict[str, str] = {}
    observed = ~np.isnan(scores)
    n_obs = observed.sum(axis=0)
    for j in range(m):  # per column, vectorised within
        if n_obs[j] == 0:
            reasons[names[j]] = "all missing"
            continue
        _, counts = np.unique(scores[observed[:, j], j], return_counts=True)
        if counts.size == 1:
            reasons[names[j]] = "constant"
        elif counts.max() >= max_mode_share * n_obs[j]:
            reasons[names[j]] = f"near-constant ({counts.max() / n_obs[j]:.1%} one value)"
    if starts is not None:
        flat = ~_varies_within_problems(scores, observed, starts)
        for j in np.flatnonzero(flat):
            reasons.setdefault(names[j], "constant within every problem")
    if votes is not None and positive_rate is not None:
        low, high = positive_rate
        seen = votes >= 0
        rate = (votes == 1).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
        for j in np.flatnonzero((rate < low) | (rate > high)):
            reasons.setdefault(names[j], f"positive rate {rate[j]:.2f} outside [{low}, {high}]")
    alive = np.array([name not in reasons for name in names])
    if max_correlation < 1.0 and alive.sum() > 1:
        rho = rank_correlation(scores, ranks)
        order = _keep_first(n_obs, names)
        close = np.abs(rho) >= max_correlation
        twins = _duplicates(close, alive, order)
        if families is not None:  # pairs of one family: the model handles their shared errors
            kin = families[:, None] == families[None, :]
            within = _duplicates(close & ~kin, alive, order)
            left = alive.copy()
            left[list(within)] = False
            if np.unique(families[left]).size >= MIN_MASKED_FAMILIES:  # the model masks
                twins = within
        for j, k in twins.items():
            reasons[names[j]] = f"duplicate of {names[k]} (rho={rho[j, k]:.2f})"
    keep = np.array([name not in reasons for name in names])
    if warn:
        for name, why in reasons.items():
            warnings.warn(f"verifier {name!r} dropped: {why}", VerifierDroppedWarning,
                          stacklevel=user_stacklevel())
    return keep, reasons


def _keep_first(n_obs: np.ndarray, names: list[str]) -> np.ndarray:
    """The columns in the order a duplicate pair is kept: the better covered first;
    equal coverage, the first name in sorted order (never the order of the columns).

    >>> _keep_first(np.array([5, 9, 9]), ["c", "b", "a"]).tolist()
    [2, 1, 0]
    """
    by_name = np.argsort(np.argsort(np.array([str(n) for n in names]), kind="stable"),
                         kind="stable")
    return np.lexsort((by_name, -n_obs))


def _duplicates(close: np.ndarray, alive: np.ndarray, order: np.ndarray) -> dict[int, int]:
    """Greedy in ``order``: each alive column ``close`` to an already kept one (``close``:
    ``(m, m)`` bool) maps to the first such kept column; the others are kept."""
    kept: list[int] = []
    twins: dict[int, int] = {}
    for j in order:
        if not alive[j]:
            continue
        near = [k for k in kept if close[j, k]]
        if near:
            twins[int(j)] = near[0]
        else:
            kept.append(int(j))
    return twins


def _varies_within_problems(scores, observed, starts) -> np.ndarray:
    """Per column: whether some problem has two different present scores."""
    first = starts[:-1]
    high = np.maximum.reduceat(np.where(observed, scores, -np.inf), first, axis=0)
    low = np.minimum.reduceat(np.where(observed, scores, np.inf), first, axis=0)
    return np.any(np.isfinite(high) & (high > low), axis=0)


def rank_correlation(scores: np.ndarray, ranks: np.ndarray | None = None) -> np.ndarray:
    """Spearman correlation of every pair of columns over their commonly observed rows
    (``ranks``: ``rank_normalize(scores)`` when already computed)."""
    u = rank_normalize(scores) if ranks is None else ranks
    observed = ~np.isnan(u)
    mask = observed.astype(np.float64)
    centred = np.where(observed, u - 0.5, 0.0)
    common = mask.T @ mask
    cov = centred.T @ centred
    var_in = (centred ** 2).T @ mask  # var of column i over rows where j is observed
    denom = np.sqrt(var_in * var_in.T)
    rho = np.divide(cov, denom, out=np.zeros_like(cov), where=(denom > 0) & (common > 2))
    return np.clip(rho, -1.0, 1.0)
