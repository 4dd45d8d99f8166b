"""What the weaver's label models share: the posterior from the log-odds, and the
end of their EM loops."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.special import expit

from wslib.exceptions import ConvergenceWarning, NotFittedError, user_stacklevel

EPS = 1e-4  # probabilities and shares are kept this far from 0 and 1


class PosteriorMixin:
    """``predict_proba`` from ``decision_function`` (log-odds of "correct")."""

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """``(n, 2)`` probabilities of incorrect / correct."""
        p1 = expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def _check_fitted(self) -> None:
        if not hasattr(self, "class_balance_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit first")


def settled(model: Any, it: int, shift: float, what: str) -> bool:
    """After EM step ``it`` of ``model`` (``max_iter``, ``tol``): record ``n_iter_`` and
    say whether no posterior moved by more than ``tol``; the last allowed step that
    does not settle warns (:class:`~wslib.exceptions.ConvergenceWarning`)."""
    model.n_iter_ = it
    if shift < model.tol:
        return True
    if it >= model.max_iter:
        warnings.warn(f"{what} stopped after {model.max_iter} steps (largest posterior "
                      f"change {shift:.2g} > tol {model.tol})", ConvergenceWarning,
                      stacklevel=user_stacklevel())
    return False
