"""Shared pieces of the reliability suite: model discovery, hypothesis settings,
random vote matrices.

Models are discovered from ``wslib.labelmodel.__all__``, so a model added
later is held to the same contract without touching these tests.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from wslib import labelmodel
from wslib.exceptions import WslibWarning

#: every property runs at least 200 examples, in the same order on every run (CI)
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)


def label_models() -> list[type[labelmodel.BaseLabelModel]]:
    """Every concrete label-model class exported by :mod:`wslib.labelmodel`."""
    found = []
    for name in labelmodel.__all__:
        obj = getattr(labelmodel, name)
        if (isinstance(obj, type) and issubclass(obj, labelmodel.BaseLabelModel)
                and not inspect.isabstract(obj)):
            found.append(obj)
    return found


LABEL_MODELS = label_models()
LABEL_MODEL_IDS = [cls.__name__ for cls in LABEL_MODELS]


def min_sources(cls: type) -> int:
    return int(getattr(cls, "_min_sources", 1))


def permutation_invariant(cls: type) -> bool:
    """Whether a model claims that permuting LF columns permutes nothing in its output."""
    return bool(getattr(cls, "permutation_invariant", False))


@contextmanager
def quiet() -> Iterator[None]:
    """Silence wslib's own warnings (coverage, convergence) inside property bodies;
    numpy RuntimeWarnings stay errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WslibWarning)
        yield


def as_layout(L: np.ndarray, layout: str, rng: np.random.Generator) -> np.ndarray | sp.csr_matrix:
    """``L`` dense, or CSR with abstains implicit (``sparse``) or partly stored as
    explicit ``-1`` (``sparse-explicit``)."""
    if layout == "dense":
        return L
    keep = L != -1
    if layout == "sparse-explicit":
        keep |= rng.random(L.shape) < 0.3
    rows, cols = np.nonzero(keep)
    return sp.csr_matrix((L[rows, cols], (rows, cols)), shape=L.shape, dtype=L.dtype)


@st.composite
def vote_problems(draw, max_n: int = 40, max_m: int = 12, max_k: int = 50) -> dict:
    """A random vote matrix with its cardinality and the way to present it.

    Covers all-abstain rows and LFs, a single class present, ``k`` up to 50,
    dense / sparse (implicit and explicit abstains), int8 / int16 / int64.
    """
    # mostly few classes (the common case), a quarter of the draws up to max_k
    bands = [(2, 3), (2, 4), (5, 12), (13, max_k)]
    k = draw(st.one_of([st.integers(lo, min(hi, max_k)) for lo, hi in bands if lo <= max_k]))
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    density = draw(st.sampled_from([0.0, 0.15, 0.5, 0.9, 1.0]))
    L = np.where(rng.random((n, m)) < density, rng.integers(0, k, (n, m)), -1)
    if draw(st.booleans()):
        L[rng.random(n) < 0.25] = -1                      # uncovered rows
    if draw(st.booleans()):
        L[:, rng.random(m) < 0.25] = -1                   # silent LFs
    if draw(st.booleans()):
        L[L >= 0] = draw(st.integers(0, k - 1))           # a single class present
    dtype = draw(st.sampled_from([np.int8, np.int16, np.int64]))
    layout = draw(st.sampled_from(["dense", "sparse", "sparse-explicit"]))
    L = L.astype(dtype)
    return {
        "L": L,
        "votes": as_layout(L, layout, rng),
        "layout": layout,
        # with cardinality omitted, wslib infers it from the largest vote
        "cardinality": k if draw(st.booleans()) else None,
        "k": k,
        "random_state": draw(st.integers(0, 2**31 - 1)),
    }


def effective_k(problem: dict) -> int:
    """The cardinality a model fitted on ``problem`` must report."""
    if problem["cardinality"] is not None:
        return problem["cardinality"]
    return max(2, int(problem["L"].max()) + 1)


def assert_proba(P: np.ndarray, n: int, k: int) -> None:
    """Finite probabilities in [0, 1], one row per item, each summing to 1."""
    assert isinstance(P, np.ndarray) and P.dtype == np.float64, (type(P), getattr(P, "dtype", None))
    assert P.shape == (n, k), (P.shape, (n, k))
    assert np.all(np.isfinite(P)), "non-finite probabilities"
    assert P.min() >= 0.0 and P.max() <= 1.0 + 1e-12, (P.min(), P.max())
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-9)
