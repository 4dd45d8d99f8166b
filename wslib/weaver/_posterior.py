"""What the weaver's label models share: the posterior from the log-odds."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from wslib.exceptions import NotFittedError

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
