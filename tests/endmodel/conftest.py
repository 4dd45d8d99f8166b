"""Small synthetic soft-label problems for the end-model tests."""

import numpy as np
import pytest
import scipy.sparse as sp


def make_problem(n: int = 300, d: int = 8, k: int = 2, noise: float = 0.2, seed: int = 0):
    """Features with a linear class signal, gold labels, and noisy soft labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, size=n)
    centers = rng.normal(scale=3.0, size=(k, d))
    X = (centers[y] + rng.normal(size=(n, d))).astype(np.float32)
    flip = rng.random(n) < noise
    y_weak = np.where(flip, rng.integers(0, k, size=n), y)
    P = np.full((n, k), 0.1 / (k - 1))
    P[np.arange(n), y_weak] = 0.9
    return X, y, P


@pytest.fixture
def problem():
    return make_problem()


@pytest.fixture
def sparse_problem():
    X, y, P = make_problem()
    return sp.csr_matrix(np.where(X > 1.0, X, 0.0)), y, P
