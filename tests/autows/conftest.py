"""Small fixtures for the AutoWS tests: digits with 100 labels, tiny texts."""

import numpy as np
import pytest
from sklearn.datasets import load_digits


@pytest.fixture(scope="session")
def digits():
    """(X scaled to [0, 1], partial labels with 100 labelled items, gold labels)."""
    X, y_true = load_digits(return_X_y=True)
    X = X[:800] / 16.0
    y_true = y_true[:800]
    lab = np.random.default_rng(0).choice(800, 100, replace=False)
    y = np.full(800, -1)
    y[lab] = y_true[lab]
    return X, y, y_true


@pytest.fixture
def texts():
    spam = ["win a free prize now", "free cash call now", "claim your free prize",
            "call now to win cash", "free entry win now", "cash prize claim now"]
    ham = ["see you at lunch", "lunch at noon then", "are you at home",
           "see you at noon", "home for lunch soon", "at the office until noon"]
    return spam + ham, np.array([1] * 6 + [0] * 6)
