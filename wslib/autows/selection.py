r"""Scoring candidate LFs on the labelled set and greedy accuracy x diversity x coverage selection.

Every generator proposes many candidate rules and keeps a few with
:func:`greedy_select`, a multi-class form of Snuba's pruner (Varma & Ré,
"Snuba: Automating Weak Supervision to Label Training Data", VLDB 2019).

Accuracy is judged by the Wilson lower bound of the candidate's precision on
the labelled items it votes on, so a rule that is right on 3 of 3 labelled
items ranks below one that is right on 28 of 30:

.. math:: \mathrm{lb}(a, n) = \frac{\hat p + \frac{z^2}{2n}
          - z\sqrt{\frac{\hat p(1-\hat p)}{n} + \frac{z^2}{4n^2}}}{1 + z^2/n},
          \quad \hat p = a / n

Each greedy round adds the candidate with the largest gain

.. math:: g_j = \ell_j \cdot b_j \cdot \frac{1}{n}\sum_i C_{ij}\, w_i, \qquad
          w_i = \frac{1 + \gamma\,[i \text{ labelled and vague}]}{(1 + \mathrm{cov}_i)^2},
          \qquad b_j = \sum_c f_{jc}\,\min\Big(4, \frac{\pi_c}{s_c}\Big)

where :math:`\ell_j = (\mathrm{lb}_j - \bar\pi_j) / (1 - \bar\pi_j)` is the
*lift* of the precision bound over the base rate
:math:`\bar\pi_j = \sum_c f_{jc}\pi_c` of the classes the candidate votes
(on imbalanced data an LF voting the majority class is "accurate" for free;
only candidates with positive lift and :math:`\mathrm{lb}_j \ge`
``min_accuracy`` are eligible), ``C`` is the candidate's coverage of *all* items (labelled and
unlabelled), ``cov_i`` counts the already selected rules voting on item
``i`` (diversity: items many rules already cover are worth little) and the
verifier term up-weights labelled items the selected rules still get wrong
or leave uncovered (Snuba's feedback loop on "vague" points). The class
balance term ``b_j`` keeps the selected votes near the labelled class
frequencies ``pi``: ``f_jc`` is the share of candidate ``j``'s votes for
class ``c`` and ``s_c`` the share of the selected rules' votes so far
(``b_j = 1`` before the first pick). Without it, the class with the most
distinctive features (spam keywords) takes every slot and the label model
sees one class only.

>>> import numpy as np
>>> from wslib.autows.selection import wilson_lower_bound
>>> round(float(wilson_lower_bound(np.array([28]), np.array([30]))[0]), 3)
0.872
"""

from __future__ import annotations

import numpy as np

from wslib.matrix import ABSTAIN

__all__ = ["wilson_lower_bound", "labelled_accuracy", "greedy_select"]


def wilson_lower_bound(correct: np.ndarray, total: np.ndarray, z: float = 1.0) -> np.ndarray:
    """Wilson score lower bound of ``correct / total`` (0 where ``total == 0``)."""
    correct = np.asarray(correct, dtype=np.float64)
    total = np.asarray(total, dtype=np.float64)
    n = np.maximum(total, 1.0)
    p = correct / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    lb = (centre - spread) / (1 + z2 / n)
    return np.where(total > 0, lb, 0.0)


def labelled_accuracy(V: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Votes cast and correct votes of each column of ``V`` (n_labelled x m) against ``y``."""
    voted = V != ABSTAIN
    correct = (V == y[:, None]) & voted
    return voted.sum(axis=0), correct.sum(axis=0)


def greedy_select(V_lab: np.ndarray, y_lab: np.ndarray, V_all: np.ndarray, *,
                  labelled: np.ndarray,
                  max_lfs: int, min_accuracy: float, min_support: int = 3,
                  feedback: float = 1.0) -> list[int]:
    """Indices of the selected candidates, in selection order (see the module docstring).

    Parameters
    ----------
    V_lab : int array (n_labelled, m)
        Each candidate's votes on the labelled items.
    y_lab : int array (n_labelled,)
    V_all : int array (n_items, m)
        Each candidate's votes on all items.
    labelled : int array (n_labelled,)
        Rows of ``coverage`` that are the labelled items.
    max_lfs : int
    min_accuracy : float
        Candidates whose precision lower bound is below this are never chosen.
    min_support : int
        Minimum number of labelled items a candidate must vote on.
    feedback : float
        Weight ``gamma`` of labelled items the selection still gets wrong.
    """
    n_votes, n_correct = labelled_accuracy(V_lab, y_lab)
    lb = wilson_lower_bound(n_correct, n_votes)
    k = int(max(y_lab.max(), V_all.max()) + 1)
    class_votes = np.stack([(V_all == c).sum(axis=0) for c in range(k)], axis=1).astype(float)
    frac = class_votes / np.maximum(class_votes.sum(axis=1, keepdims=True), 1.0)   # (m, k)
    prior = np.bincount(y_lab, minlength=k) / y_lab.shape[0]
    base = frac @ prior
    lift = (lb - base) / np.maximum(1.0 - base, 1e-9)
    eligible = (lb >= min_accuracy) & (lift > 0) & (n_votes >= min_support)
    if not eligible.any():
        return []
    C = (V_all != ABSTAIN).astype(np.float32)
    n = C.shape[0]
    selected_votes = np.zeros(k)
    covered = np.zeros(n, dtype=np.float32)
    lab_scores = np.zeros((y_lab.shape[0], k), dtype=np.float64)
    chosen: list[int] = []
    rows = np.arange(y_lab.shape[0])
    for _ in range(max_lfs):
        vague = np.ones(y_lab.shape[0], dtype=np.float32)
        balance = np.ones(C.shape[1])
        if chosen:
            top = lab_scores.max(axis=1)
            right = (lab_scores[rows, y_lab] == top) & (top > 0)
            unique = (lab_scores == top[:, None]).sum(axis=1) == 1
            vague = np.where(right & unique, 0.0, 1.0).astype(np.float32)
            share = selected_votes / max(selected_votes.sum(), 1.0)
            balance = frac @ np.minimum(4.0, prior / np.maximum(share, prior / 4.0 + 1e-12))
        w = 1.0 / (1.0 + covered) ** 2
        w[labelled] *= 1.0 + feedback * vague
        gain = (C.T @ w) / n * lift * balance
        gain[~eligible] = -np.inf
        if chosen:
            gain[chosen] = -np.inf
        j = int(np.argmax(gain))
        if not np.isfinite(gain[j]) or gain[j] <= 0:
            break
        chosen.append(j)
        covered += C[:, j]
        selected_votes += class_votes[j]
        votes = V_lab[:, j]
        hit = votes != ABSTAIN
        lab_scores[rows[hit], votes[hit]] += lb[j]
    return chosen
