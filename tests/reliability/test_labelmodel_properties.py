"""Properties every label model in ``wslib.labelmodel.__all__`` must satisfy on
any valid vote matrix (hypothesis, 200 derandomized examples per property)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numba
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, note
from hypothesis import strategies as st

from wslib.labelmodel import BaseLabelModel
from wslib.matrix import to_sparse

from ._support import (
    LABEL_MODEL_IDS,
    LABEL_MODELS,
    PROPERTY,
    assert_proba,
    effective_k,
    min_sources,
    permutation_invariant,
    quiet,
    vote_problems,
)

pytestmark = pytest.mark.parametrize("cls", LABEL_MODELS, ids=LABEL_MODEL_IDS)


def _fit(cls, problem: dict, votes=None):
    model = cls(cardinality=problem["cardinality"], random_state=problem["random_state"])
    with quiet():
        return model.fit(problem["votes"] if votes is None else votes)


def _fits(cls, problem: dict) -> bool:
    """Whether ``cls`` can be fitted on ``problem``; if not, the refusal must be clear."""
    note(f"layout={problem['layout']} dtype={problem['L'].dtype} k={problem['k']} "
         f"cardinality={problem['cardinality']}\nL=\n{problem['L']!r}")
    if problem["L"].shape[1] >= min_sources(cls):
        return True
    with pytest.raises(ValueError, match=rf"at least {min_sources(cls)} labeling functions"):
        _fit(cls, problem)
    return False


@PROPERTY
@given(problem=vote_problems(), tie_break=st.sampled_from(["random", "first", "prior", "abstain"]))
def test_probabilities_are_finite_rows_summing_to_one(cls, problem, tie_break):
    if not _fits(cls, problem):
        return
    model = _fit(cls, problem)
    n, m = problem["L"].shape
    k = effective_k(problem)
    assert model.cardinality_ == k and model.n_sources_ == m
    P = model.predict_proba(problem["votes"])
    assert_proba(P, n, k)
    pred = model.predict(problem["votes"], tie_break=tie_break)
    assert pred.shape == (n,)
    low = -1 if tie_break == "abstain" else 0
    assert pred.min() >= low and pred.max() < k
    # a hard label is always one of the most probable classes
    chosen = pred >= 0
    top = P.max(axis=1)
    np.testing.assert_allclose(P[chosen, pred[chosen]], top[chosen], atol=1e-9)


@PROPERTY
@given(problem=vote_problems())
def test_fit_is_deterministic_for_a_seed(cls, problem):
    if not _fits(cls, problem):
        return
    first = _fit(cls, problem)
    P = first.predict_proba(problem["votes"])
    np.testing.assert_array_equal(_fit(cls, problem).predict_proba(problem["votes"]), P)
    # refitting the same instance gives the same model (no state carried over)
    with quiet():
        first.fit(problem["votes"])
    np.testing.assert_array_equal(first.predict_proba(problem["votes"]), P)
    np.testing.assert_array_equal(first.predict(problem["votes"]),
                                  _fit(cls, problem).predict(problem["votes"]))


@PROPERTY
@given(problem=vote_problems())
def test_sparse_and_dense_votes_give_the_same_model(cls, problem):
    if not _fits(cls, problem):
        return
    dense = problem["L"]
    sparse = problem["votes"] if sp.issparse(problem["votes"]) else to_sparse(dense)
    P_dense = _fit(cls, problem, dense).predict_proba(dense)
    P_sparse = _fit(cls, problem, sparse).predict_proba(sparse)
    np.testing.assert_allclose(P_sparse, P_dense, rtol=1e-7, atol=1e-9)


@PROPERTY
@given(problem=vote_problems(), data=st.data())
def test_lf_column_permutation(cls, problem, data):
    """Models declaring ``permutation_invariant = True`` give the same soft labels
    when the LF columns are shuffled; the others must still give valid output."""
    if not _fits(cls, problem):
        return
    L = problem["L"]
    perm = np.array(data.draw(st.permutations(range(L.shape[1]))), dtype=np.int64)
    shuffled = dict(problem, votes=L[:, perm], layout="dense")
    P = _fit(cls, problem, L).predict_proba(L)
    P_perm = _fit(cls, shuffled, L[:, perm]).predict_proba(L[:, perm])
    if permutation_invariant(cls):
        # an EM fit stops once the objective moves by < tol (1e-6): near a flat optimum
        # that pins parameters to about sqrt(tol), and summation order moves them within it
        np.testing.assert_allclose(P_perm, P, rtol=0, atol=1e-3)
    else:
        assert_proba(P_perm, *P.shape)


@PROPERTY
@given(problem=vote_problems())
def test_save_load_round_trip_is_exact(cls, problem):
    if not _fits(cls, problem):
        return
    model = _fit(cls, problem)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.npz"
        model.save(path)
        back = BaseLabelModel.load(path)
        again = cls.load(path)
    for loaded in (back, again):
        assert type(loaded) is cls
        assert loaded.get_params() == model.get_params()
        for name in ("cardinality_", "n_sources_") + tuple(cls._learned):
            np.testing.assert_array_equal(getattr(loaded, name), getattr(model, name),
                                          err_msg=name)
        np.testing.assert_array_equal(loaded.predict_proba(problem["votes"]),
                                      model.predict_proba(problem["votes"]))
        np.testing.assert_array_equal(loaded.predict(problem["votes"]),
                                      model.predict(problem["votes"]))


def test_thread_count_does_not_change_results(cls):
    """Parallel kernels reduce in a fixed order: 1 thread and all threads agree exactly."""
    from wslib.datasets.synthetic import make_votes

    L = make_votes(20_000, 12, 3, n_unipolar=3, random_state=1).L
    with quiet():
        one = cls(random_state=0).fit(L).predict_proba(L)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = cls(random_state=0).fit(L).predict_proba(L)
    np.testing.assert_array_equal(many, one)
