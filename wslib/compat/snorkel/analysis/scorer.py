"""``Scorer``: several of Snorkel's metrics at once, abstains left out as Snorkel does."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial

import numpy as np

from wslib.compat.snorkel._support import closest
from wslib.compat.snorkel.analysis.metrics import METRICS, metric_score

__all__ = ["Scorer"]


class Scorer:
    """Score predictions with the named ``metrics`` and ``custom_metric_funcs``.

    Every metric but ``coverage`` skips rows whose gold label or prediction is
    ``abstain_label`` (``-1``), as in Snorkel: ``accuracy`` after
    ``tie_break_policy="abstain"`` is the accuracy of the rows not abstained on.

    >>> Scorer(["accuracy", "coverage"]).score(np.array([1, 0, 1]), np.array([1, -1, 1]))
    {'accuracy': 1.0, 'coverage': 0.6666666666666666}
    """

    def __init__(self, metrics: Sequence[str] | None = None,
                 custom_metric_funcs: Mapping[str, Callable[..., float]] | None = None,
                 abstain_label: int | None = -1) -> None:
        self.metrics: dict[str, Callable[..., float]] = {}
        for metric in metrics or ():
            if metric not in METRICS:
                raise ValueError(f"Unrecognized metric: {metric}{closest(metric, METRICS)}")
            skip = ({} if abstain_label is None or metric == "coverage"
                    else {"golds": [abstain_label], "preds": [abstain_label]})
            self.metrics[metric] = partial(metric_score, metric=metric, filter_dict=skip)
        self.metrics.update(custom_metric_funcs or {})
        self.abstain_label = abstain_label

    def score(self, golds: np.ndarray, preds: np.ndarray | None = None,
              probs: np.ndarray | None = None) -> dict[str, float]:
        """``{metric: value}``; a metric returning a dict contributes all its entries."""
        if len(golds) == 0:
            raise ValueError("Cannot score empty labels")
        out: dict[str, float] = {}
        for name, metric in self.metrics.items():
            value = metric(golds, preds, probs)
            if isinstance(value, dict):
                out.update(value)
            else:
                out[name] = value
        return out
