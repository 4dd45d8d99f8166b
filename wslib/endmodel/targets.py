r"""What the end model is trained towards: target rows and per-row weights.

Targets (``EndModel(target=...)``), computed on the covered rows :math:`C`:

* ``"soft"`` — the label model's probabilities :math:`\tilde p_i` as they are;
* ``"balanced"`` — the probabilities rescaled per class,
  :math:`p'_{ic} \propto \tilde p_{ic}\, s_c`, with :math:`s` found by
  iterative proportional fitting so that the mean target equals a class
  balance :math:`\pi`: a known one (``balance=``, e.g. the class frequencies
  of a gold dev set) or, by default, the distribution of the label model's
  arg-max labels. This repairs a label model whose probabilities lean towards
  one class (e.g. one broad LF pulls many items of other classes to it, or the
  items of the class with weak LFs all sit just above 0.5), which plain soft
  cross-entropy would turn into a student that over-predicts that class;
* ``"hard"`` — one-hot arg-max labels (a confident student, no calibration);
* ``"hard-balanced"`` — the same one-hot labels, with each row weighted by
  :math:`\pi_c / \hat\pi_c` for its arg-max class :math:`c` (:func:`class_weights`;
  :math:`\hat\pi` = the arg-max labels' class shares), so that the classes
  weigh in the loss as the class balance :math:`\pi` says (``balance=``, or
  equal shares by default, as scikit-learn's ``class_weight="balanced"``).
  Unlike ``"balanced"`` it never moves a row to another class: a label
  model whose arg-max is right but whose probabilities are nearly uniform
  (``"balanced"`` would flip such rows) keeps its labels.

Before any of them, ``temperature`` :math:`T` (``EndModel(label_temperature=...)``)
reshapes each covered row, :math:`p_{ic} \propto \tilde p_{ic}^{1/T}`: :math:`T < 1`
sharpens (towards ``"hard"``; the arg-max is kept), :math:`T > 1` flattens
(towards uniform, a label smoothing that trusts the label model less). A label
model whose arg-max is right more often than its probabilities say (rows with
several conflicting votes come out nearly uniform yet correct) gives those
rows more weight in the soft cross-entropy once sharpened.

Weights (``sample_weighting=``): ``None`` -> 1; ``"confidence"`` -> the top
probability rescaled from :math:`[1/k, 1]` to :math:`[0, 1]`; ``"entropy"`` ->
:math:`1 - H(\tilde p_i) / \log k`.

>>> import numpy as np
>>> P = np.array([[0.55, 0.45], [0.02, 0.98], [0.6, 0.4], [0.1, 0.9]])
>>> make_targets(P, np.ones(4, bool), "balanced").mean(axis=0).round(3).tolist()
[0.5, 0.5]
>>> make_targets(P, np.ones(4, bool), "balanced", balance=np.array([0.25, 0.75])
...              ).mean(axis=0).round(3).tolist()
[0.25, 0.75]
>>> make_targets(P[:1], np.ones(1, bool), "soft", temperature=0.5).round(3).tolist()
[[0.599, 0.401]]
"""

from __future__ import annotations

import numpy as np

__all__ = ["ONE_HOT_TARGETS", "SAMPLE_WEIGHTINGS", "TARGETS", "class_weights",
           "confidence_weights", "make_targets", "sharpen"]

TARGETS = ("soft", "balanced", "hard", "hard-balanced")
#: Targets made of one-hot arg-max rows (a temperature does not change them).
ONE_HOT_TARGETS = ("hard", "hard-balanced")
SAMPLE_WEIGHTINGS = (None, "confidence", "entropy")


def sharpen(P: np.ndarray, temperature: float) -> np.ndarray:
    """Rows of ``P`` raised to the power ``1 / temperature`` and renormalized.

    Computed relative to each row's maximum, so no row underflows to zeros
    however small ``temperature`` is; zero entries stay zero.

    >>> sharpen(np.array([[0.6, 0.3, 0.1]]), 0.5).round(3).tolist()
    [[0.783, 0.196, 0.022]]
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    Q = np.power(P / P.max(axis=1, keepdims=True), 1.0 / temperature)
    return Q / Q.sum(axis=1, keepdims=True)


def make_targets(P: np.ndarray, covered: np.ndarray, kind: str, *,
                 balance: np.ndarray | None = None, temperature: float = 1.0,
                 iters: int = 100, min_share: float = 1e-3) -> np.ndarray:
    """Training targets from validated soft labels ``P``; only ``covered`` rows change.

    ``balance`` (a validated probability vector of length ``k``) is the class
    balance of ``"balanced"``; ``None`` uses the arg-max labels' balance.
    ``temperature`` reshapes the covered rows first (:func:`sharpen`).
    """
    if kind not in TARGETS:
        raise ValueError(f"unknown target {kind!r}; choose one of {TARGETS}")
    if temperature != 1.0 and kind not in ONE_HOT_TARGETS:
        P = P.copy()
        P[covered] = sharpen(P[covered], temperature)
    if kind == "soft":
        return P
    k = P.shape[1]
    out = P.copy()
    rows = np.flatnonzero(covered)
    top = P[rows].argmax(axis=1)
    if kind in ONE_HOT_TARGETS:
        out[rows] = 0.0
        out[rows, top] = 1.0
        return out
    share = np.bincount(top, minlength=k) / max(rows.size, 1) if balance is None else balance
    share = np.maximum(share, min_share)
    share /= share.sum()
    Q = np.maximum(P[rows], 1e-12)
    for _ in range(iters):
        Q *= share / Q.mean(axis=0)
        Q /= Q.sum(axis=1, keepdims=True)
    out[rows] = Q
    return out


def class_weights(P: np.ndarray, covered: np.ndarray, kind: str, *,
                  balance: np.ndarray | None = None) -> np.ndarray:
    r"""Per-row weights of ``"hard-balanced"`` (ones for every other target).

    A covered row whose arg-max is class :math:`c` weighs
    :math:`\pi_c / \hat\pi_c`, with :math:`\hat\pi` the arg-max shares over the
    covered rows and :math:`\pi` = ``balance`` (equal shares when ``None``);
    the weights of the covered rows average 1.

    >>> P = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.2, 0.8]])
    >>> class_weights(P, np.ones(4, bool), "hard-balanced").tolist()
    [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0]
    """
    weights = np.ones(P.shape[0])
    if kind != "hard-balanced":
        return weights
    k = P.shape[1]
    rows = np.flatnonzero(covered)
    top = P[rows].argmax(axis=1)
    share = np.bincount(top, minlength=k) / max(rows.size, 1)
    goal = np.full(k, 1.0 / k) if balance is None else np.asarray(balance, dtype=np.float64)
    per_class = np.divide(goal, share, out=np.zeros(k), where=share > 0)
    weights[rows] = per_class[top]
    mean = weights[rows].mean() if rows.size else 0.0
    if mean > 0:
        weights[rows] /= mean
    return weights


def confidence_weights(P: np.ndarray, kind: str | None) -> np.ndarray:
    """Per-row weights from soft labels (see the module docstring)."""
    k = P.shape[1]
    if kind is None:
        return np.ones(P.shape[0])
    if kind == "confidence":
        return np.clip((P.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    if kind == "entropy":
        logp = np.log(np.where(P > 0, P, 1.0))
        return np.clip(1.0 + (P * logp).sum(axis=1) / np.log(k), 0.0, 1.0)
    raise ValueError(f"unknown sample_weighting {kind!r}; choose one of {SAMPLE_WEIGHTINGS}")
