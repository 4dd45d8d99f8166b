"""Metrics for hard and soft labels: accuracy, F1, log-loss, Brier, coverage, PGR.

Example
-------
>>> import numpy as np
>>> from wslib.metrics import score_predictions
>>> score_predictions(np.array([0, 1, 1]), np.array([0, 1, 0]), metric="accuracy")
0.6666666666666666
"""

from __future__ import annotations

import numpy as np

from wslib._validation import check_unmasked

METRICS = ("accuracy", "f1", "f1_binary", "f1_macro", "f1_micro", "log_loss", "brier", "coverage")
PROBA_METRICS = ("log_loss", "brier")

__all__ = ["METRICS", "PROBA_METRICS", "score_predictions", "score_expected", "score_proba",
           "performance_gap_recovered", "check_labels", "reliability_curve"]


def check_labels(y, n: int | None = None, cardinality: int | None = None, name: str = "y",
                 allow_abstain: bool = False) -> np.ndarray:
    """Validate gold labels: 1-D integers in ``0..k-1`` (``-1`` only if allowed)."""
    check_unmasked(y, name)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {y.shape}")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            bad = int(np.flatnonzero(~np.isfinite(y) | (y != np.round(y)))[0])
            raise ValueError(f"{name}[{bad}] = {y[bad]!r} is not an integer class label")
        y = y.astype(np.int64)
    elif y.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    if n is not None and y.shape[0] != n:
        raise ValueError(f"{name} has {y.shape[0]} labels but there are {n} items")
    low = -1 if allow_abstain else 0
    if y.size and (y.min() < low or (cardinality is not None and y.max() >= cardinality)):
        bad = int(np.flatnonzero((y < low) | ((y >= cardinality) if cardinality else False))[0])
        allowed = f"0..{cardinality - 1}" if cardinality is not None else "0, 1, ..."
        if allow_abstain:
            allowed = f"-1 (unlabelled) or {allowed}"
        raise ValueError(f"{name}[{bad}] = {int(y[bad])} is not a class label: expected "
                         f"{allowed}")
    return y.astype(np.int64, copy=False)


def _f1(y_true: np.ndarray, y_pred: np.ndarray, cls: int) -> float:
    tp = np.sum((y_pred == cls) & (y_true == cls))
    fp = np.sum((y_pred == cls) & (y_true != cls))
    fn = np.sum((y_pred != cls) & (y_true == cls))
    return 0.0 if tp == 0 else float(2 * tp / (2 * tp + fp + fn))


def score_predictions(y_true, y_pred, metric: str = "accuracy", cardinality: int | None = None
                      ) -> float:
    """Score hard predictions; ``-1`` predictions (abstains) count as wrong.

    ``f1`` / ``f1_binary`` is the F1 of class 1 (the positive class in
    WRENCH's binary sets); ``coverage`` is the fraction not abstained.
    """
    y_true = check_labels(y_true, cardinality=cardinality)
    y_pred = check_labels(y_pred, cardinality=cardinality, name="y_pred", allow_abstain=True)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y has {y_true.shape[0]} labels but {y_pred.shape[0]} predictions")
    if metric == "accuracy":
        return float(np.mean(y_true == y_pred))
    if metric in ("f1", "f1_binary"):
        return _f1(y_true, y_pred, 1)
    if metric == "f1_macro":
        k = cardinality or int(max(y_true.max(), y_pred.max()) + 1)
        present = [c for c in range(k) if np.any(y_true == c) or np.any(y_pred == c)]
        return float(np.mean([_f1(y_true, y_pred, c) for c in present]))
    if metric == "f1_micro":
        return float(np.mean(y_true == y_pred))
    if metric == "coverage":
        return float(np.mean(y_pred != -1))
    raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")


def score_expected(y_true, tied, metric: str = "accuracy") -> float:
    """The expected score of hard labels drawn uniformly among each row's tied classes
    (``tied``: boolean ``(n, k)``, at least one class per row): accuracy exactly, F1
    from the expected counts of true positives, false positives and false negatives. No
    draw is made, so the score depends on neither a seed nor the order of the rows (the
    counts are summed exactly). A row with one tied class is a plain prediction.

    >>> import numpy as np
    >>> score_expected(np.array([0, 1]), np.array([[True, False], [True, True]]))
    0.75
    """
    tied = np.asarray(tied, dtype=bool)
    if tied.ndim != 2 or not tied.any(axis=1).all():
        raise ValueError("tied must be a boolean (n_items, k) matrix with a class in every row")
    k = tied.shape[1]
    y_true = check_labels(y_true, n=tied.shape[0], cardinality=k)
    onehot = np.eye(k)[y_true]
    n_tied = tied.sum(axis=1)
    confusion = np.zeros((k, k))  # expected counts: true class x predicted class
    for t in np.unique(n_tied):  # whole counts per tie size, divided once: exact sums
        rows = n_tied == t
        confusion += (onehot[rows].T @ tied[rows]) / t
    if metric in ("accuracy", "f1_micro"):
        return float(np.trace(confusion) / max(y_true.size, 1))
    if metric == "coverage":
        return 1.0
    tp = np.diag(confusion)
    f1 = np.divide(2 * tp, confusion.sum(axis=0) + confusion.sum(axis=1),
                   out=np.zeros(k), where=tp > 0)
    if metric in ("f1", "f1_binary"):
        return float(f1[1])
    if metric == "f1_macro":
        present = (confusion.sum(axis=0) > 0) | (confusion.sum(axis=1) > 0)
        return float(f1[present].mean())
    raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")


def score_proba(y_true, proba, metric: str = "log_loss", eps: float = 1e-12) -> float:
    """Score soft labels: mean ``log_loss`` (natural log) or multi-class ``brier``."""
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2:
        raise ValueError(f"proba must be 2-D (n_items, k), got shape {proba.shape}")
    y_true = check_labels(y_true, n=proba.shape[0], cardinality=proba.shape[1])
    rows = np.arange(y_true.shape[0])
    if metric == "log_loss":
        return float(-np.mean(np.log(np.clip(proba[rows, y_true], eps, 1.0))))
    if metric == "brier":
        onehot = np.zeros_like(proba)
        onehot[rows, y_true] = 1.0
        return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))
    raise ValueError(f"unknown probability metric {metric!r}; choose one of {PROBA_METRICS}")


def performance_gap_recovered(student: float, weak: float, ceiling: float) -> float:
    """PGR = (student - weak) / (ceiling - weak) (Burns et al., weak-to-strong).

    >>> performance_gap_recovered(0.75, 0.5, 1.0)
    0.5
    """
    gap = ceiling - weak
    if gap == 0:
        return float("nan")
    return (student - weak) / gap


def reliability_curve(confidence, correct, n_bins: int = 10
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Confidence against accuracy in ``n_bins`` equal-width bins of ``[0, 1]``.

    ``confidence`` is each item's top-class probability and ``correct`` whether
    that class was right. Returns the mean confidence, the accuracy and the
    count of every non-empty bin, and the expected calibration error (the
    count-weighted mean gap between the two).

    >>> conf, acc, count, ece = reliability_curve([0.9, 0.9, 0.6, 0.6], [1, 1, 1, 0])
    >>> conf.tolist(), acc.tolist(), count.tolist(), round(ece, 3)
    ([0.6, 0.9], [0.5, 1.0], [2, 2], 0.1)
    """
    conf = np.asarray(confidence, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    bins = np.minimum((conf * n_bins).astype(np.int64), n_bins - 1)
    count = np.bincount(bins, minlength=n_bins)
    conf_sum = np.bincount(bins, weights=conf, minlength=n_bins)
    hit_sum = np.bincount(bins, weights=hit, minlength=n_bins)
    used = count > 0
    mean_conf, mean_hit = conf_sum[used] / count[used], hit_sum[used] / count[used]
    ece = float(np.sum(count[used] * np.abs(mean_conf - mean_hit)) / max(count.sum(), 1))
    return mean_conf, mean_hit, count[used], ece
