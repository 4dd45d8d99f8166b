"""``metric_score``: Snorkel's metrics by name, computed with scikit-learn as Snorkel does."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from wslib.compat.snorkel._support import closest
from wslib.compat.snorkel.utils.core import filter_labels, to_int_label_array

__all__ = ["METRICS", "Metric", "metric_score"]


class Metric(NamedTuple):
    """A metric function and the label sets (``golds``, ``preds``, ``probs``) it reads."""

    func: Callable[..., float]
    inputs: Sequence[str] = ("golds", "preds")


def _sk(name: str, **fixed: Any) -> Callable[..., float]:
    """The scikit-learn metric ``name`` (imported when first used)."""
    def score(*args: Any, **kwargs: Any) -> float:
        import sklearn.metrics
        return getattr(sklearn.metrics, name)(*args, **fixed, **kwargs)
    return score


def _coverage(preds: np.ndarray) -> float:
    return float(np.sum(preds != -1) / len(preds))


def _f1(golds: np.ndarray, preds: np.ndarray, **kwargs: Any) -> float:
    if golds.max() > 1:
        raise ValueError("f1 not supported for multiclass. Try f1_micro or f1_macro instead.")
    return _sk("f1_score")(golds, preds, **kwargs)


def _roc_auc(golds: np.ndarray, probs: np.ndarray, **kwargs: Any) -> float:
    if probs.shape[1] != 2:
        raise ValueError("Metric roc_auc is currently only defined for binary problems.")
    return _sk("roc_auc_score")(golds, probs[:, 1], **kwargs)


METRICS: dict[str, Metric] = {
    "accuracy": Metric(_sk("accuracy_score")),
    "coverage": Metric(_coverage, ("preds",)),
    "precision": Metric(_sk("precision_score")),
    "recall": Metric(_sk("recall_score")),
    "f1": Metric(_f1),
    "f1_micro": Metric(_sk("f1_score", average="micro")),
    "f1_macro": Metric(_sk("f1_score", average="macro")),
    "fbeta": Metric(_sk("fbeta_score")),
    "matthews_corrcoef": Metric(_sk("matthews_corrcoef")),
    "roc_auc": Metric(_roc_auc, ("golds", "probs")),
}


def metric_score(golds: np.ndarray | None = None, preds: np.ndarray | None = None,
                 probs: np.ndarray | None = None, metric: str = "accuracy",
                 filter_dict: Mapping[str, Sequence[int]] | None = None, **kwargs: Any) -> float:
    """The metric ``metric`` of :data:`METRICS`, after dropping the rows ``filter_dict``
    names (e.g. ``{"golds": [-1], "preds": [-1]}``: unknown gold, abstained predictions).

    >>> metric_score(np.array([1, 0, 1]), np.array([1, 1, -1]), metric="accuracy",
    ...              filter_dict={"preds": [-1]})
    0.5
    """
    if metric not in METRICS:
        raise ValueError(f"The metric you provided ({metric}) is not currently implemented"
                         f"{closest(metric, METRICS)}.")
    labels: dict[str, Any] = {
        "golds": None if golds is None else to_int_label_array(golds),
        "preds": None if preds is None else to_int_label_array(preds), "probs": probs}
    if filter_dict:
        if set(filter_dict) - set(labels):
            raise ValueError("filter_dict must only include keys in ['golds', 'preds', 'probs']")
        labels = filter_labels(labels, filter_dict)
    func, inputs = METRICS[metric]
    for name in inputs:
        if labels[name] is None:
            raise ValueError(f"Metric {metric} requires access to {name}.")
    return func(*(labels[name] for name in inputs), **kwargs)
