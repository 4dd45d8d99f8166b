"""Input checks of the end model: features, soft labels, coverage masks, dev sets.

Every check names the culprit (row, column, class) and raises a specific
exception type; they run once, at the public boundary of
:class:`~wslib.endmodel.EndModel`.

>>> import numpy as np
>>> check_soft_labels(np.array([[0.2, 0.8], [1.0, 0.0]]), n=2).shape
(2, 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wslib._validation import check_class_balance
from wslib.metrics import check_labels, score_predictions

__all__ = ["LABEL_METRICS", "check_class_balance", "check_coverage", "check_dev_labels",
           "check_sample_weight", "check_soft_labels", "check_two_classes", "score_labels"]

#: metrics of predicted labels a classifier's ``score`` takes (higher is better)
LABEL_METRICS = ("accuracy", "f1", "f1_binary", "f1_macro", "f1_micro")

#: Tolerance on a soft-label row's sum and on tiny negative entries.
SUM_TOL = 1e-4


def _first_row(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def check_soft_labels(y: Any, *, n: int, name: str = "y",
                      n_classes: int | None = None) -> np.ndarray:
    """Soft labels ``(n, k)`` with probability rows, or hard labels ``(n,)`` made one-hot.

    Hard labels may contain ``-1`` (abstain); those rows become all-zero and
    are treated as uncovered. Raises ``ValueError`` naming the first row that
    is negative, non-finite or does not sum to 1, and for a length mismatch.
    """
    arr = np.asarray(y)
    if arr.ndim == 1:
        labels = check_labels(arr, cardinality=n_classes, name=name, allow_abstain=True)
        if labels.shape[0] != n:
            raise ValueError(f"X has {n} rows but {name} has {labels.shape[0]} labels")
        k = n_classes or max(2, int(labels.max()) + 1)
        out = np.zeros((n, k), dtype=np.float64)
        known = labels >= 0
        out[np.flatnonzero(known), labels[known]] = 1.0
        return out
    if arr.ndim != 2:
        raise ValueError(f"{name} must be hard labels (n,) or soft labels (n, k), "
                         f"got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"X has {n} rows but {name} has {arr.shape[0]} rows")
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name} has dtype {arr.dtype}; soft labels must be numbers")
    P = arr.astype(np.float64)
    if P.shape[1] < 2:
        raise ValueError(f"{name} has {P.shape[1]} column(s); soft labels need one per class "
                         "(at least 2)")
    if n_classes is not None and P.shape[1] != n_classes:
        raise ValueError(f"{name} has {P.shape[1]} classes but the model has {n_classes}")
    finite = np.isfinite(P).all(axis=1)
    if not finite.all():
        r = _first_row(~finite)
        raise ValueError(f"{name} row {r} is not a probability row: it holds a non-finite "
                         f"value {P[r].tolist()}")
    negative = (P < -SUM_TOL).any(axis=1)
    if negative.any():
        r = _first_row(negative)
        raise ValueError(f"{name} row {r} is not a probability row: it has a negative "
                         f"entry {P[r].tolist()}")
    sums = P.sum(axis=1)
    off = np.abs(sums - 1.0) > SUM_TOL
    if off.any():
        r = _first_row(off)
        raise ValueError(f"{name} row {r} is not a probability row: it sums to "
                         f"{sums[r]:.6g}, not 1 ({P[r].tolist()})")
    P = np.clip(P, 0.0, None)
    return P / P.sum(axis=1, keepdims=True)


def check_coverage(coverage: Any, P: np.ndarray, *, filter_uncovered: bool) -> np.ndarray:
    """Boolean mask of rows to train on.

    All-zero rows (abstaining hard labels) are always dropped. With
    ``filter_uncovered``, a given ``coverage`` mask (e.g.
    ``label_model.coverage(L)``) drops the rows it flags False; without a mask,
    exactly uniform rows are dropped (what majority vote gives an item no LF
    voted on). Label models that give uncovered items their class prior need
    the explicit mask.
    """
    n = P.shape[0]
    informative = P.sum(axis=1) > 0
    if not filter_uncovered:
        mask = informative
    elif coverage is not None:
        mask = np.asarray(coverage)
        if mask.shape != (n,):
            raise ValueError(f"coverage has shape {mask.shape}, expected ({n},): one flag "
                             "per training row")
        if mask.dtype != bool:
            if not np.isin(mask, (0, 1)).all():
                raise ValueError("coverage must be a boolean mask (True = at least one vote)")
            mask = mask.astype(bool)
        mask = mask & informative
    else:
        mask = informative & ((P.max(axis=1) - P.min(axis=1)) > 1e-9)
    if not mask.any():
        raise ValueError("no training row is covered: every soft label is uninformative "
                         "(uniform, abstaining or masked out by coverage)")
    return mask


def check_dev_labels(y_dev: Any, *, n: int, n_classes: int) -> np.ndarray:
    """Gold dev labels: integers ``0..k-1`` and every class present at least once."""
    y_dev = check_labels(y_dev, n=n, cardinality=n_classes, name="y_dev")
    missing = np.setdiff1d(np.arange(n_classes), y_dev)
    if missing.size:
        raise ValueError(f"y_dev has no example of class(es) {missing.tolist()} (of 0.."
                         f"{n_classes - 1}); a dev set used for model selection must contain "
                         "every class")
    return y_dev


def check_two_classes(P: np.ndarray, keep: np.ndarray, *, hard: bool, name: str = "y") -> None:
    """Raise ``ValueError`` unless the rows trained on (``keep``) give mass to two classes
    or more: a model fitted on one class could only invent the others."""
    present = np.flatnonzero(P[keep].sum(axis=0) > 0)
    if present.size >= 2:
        return
    what = f"holds only class {present[0]}" if hard else \
        f"puts all its probability mass on class {present[0]}"
    raise ValueError(f"{name} {what} on the {int(keep.sum())} rows trained on (covered, "
                     "weight > 0); an end model needs at least two classes")


def check_sample_weight(sample_weight: Any, n: int) -> np.ndarray:
    """``sample_weight`` as ``n`` finite non-negative floats."""
    sw = np.asarray(sample_weight, dtype=np.float64)
    if sw.shape != (n,):
        raise ValueError(f"sample_weight has shape {sw.shape}, expected ({n},)")
    if not np.all(np.isfinite(sw)) or np.any(sw < 0):
        r = _first_row(~np.isfinite(sw) | (sw < 0))
        raise ValueError(f"sample_weight[{r}] = {sw[r]} must be finite and >= 0")
    return sw


def score_labels(y: Any, pred: np.ndarray, *, n_classes: int, metric: str = "accuracy",
                 sample_weight: Any = None) -> float:
    """``metric`` (one of :data:`LABEL_METRICS`) of predicted classes ``pred`` against
    gold ``y`` in ``0..n_classes-1``; ``sample_weight`` weighs the rows (accuracy only).

    >>> score_labels([0, 1, 1], np.array([0, 1, 0]), n_classes=2, sample_weight=[1, 1, 0])
    1.0
    """
    if metric not in LABEL_METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(LABEL_METRICS)}; "
                         "score probabilities with wslib.metrics.score_proba(y, "
                         "model.predict_proba(X), metric='log_loss' or 'brier')")
    y = check_labels(y, n=pred.shape[0], cardinality=n_classes)
    if sample_weight is None:
        return score_predictions(y, pred, metric=metric, cardinality=n_classes)
    if metric != "accuracy":
        raise ValueError("sample_weight is only supported with metric='accuracy'")
    w = check_sample_weight(sample_weight, y.size)
    if w.sum() <= 0:
        raise ValueError("sample_weight must be finite, >= 0 and not all zero")
    return float(np.sum(w * (pred == y)) / np.sum(w))
