"""Inputs left intact (a CSR matrix with unsorted indices) and refits from statistics."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from wslib.exceptions import WslibWarning
from wslib.labelmodel import DawidSkene, LabelModel, MajorityVote, WeightedMajorityVote
from wslib.vote_stats import VoteStats

MODELS = [MajorityVote, DawidSkene, LabelModel]


def _unsorted_csr(L):
    """``L`` (dense, ``-1`` = abstain) as CSR with int64 votes whose column indices are
    stored in descending order within each row (a valid, non-canonical CSR matrix)."""
    r, c = np.nonzero(L >= 0)
    order = np.lexsort((-c, r))
    indptr = np.r_[0, np.cumsum(np.bincount(r, minlength=L.shape[0]))]
    S = sp.csr_matrix((L[r, c][order].astype(np.int64), c[order], indptr), shape=L.shape)
    assert not S.has_sorted_indices
    return S


def _dense(S):
    out = np.full(S.shape, -1)
    coo = S.tocoo()
    out[coo.row, coo.col] = coo.data
    return out


@st.composite
def vote_matrices(draw):
    n, m = draw(st.integers(2, 12)), draw(st.integers(3, 5))
    cells = draw(st.lists(st.integers(-1, 2), min_size=n * m, max_size=n * m))
    L = np.array(cells).reshape(n, m)
    L[:, 0] = np.where(L[:, 0] < 0, 0, L[:, 0])  # one vote per row: some pairs to sort
    L[:, -1] = np.where(L[:, -1] < 0, 1, L[:, -1])
    return L


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@settings(max_examples=15, deadline=None)
@given(L=vote_matrices())
def test_unsorted_csr_votes_are_left_intact_and_read_right(model, L):
    S = _unsorted_csr(L)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model(cardinality=3).fit(S)
        assert (_dense(S) == L).all(), "fit changed the caller's vote matrix"
        first = fitted.predict_proba(S)
        assert (_dense(S) == L).all(), "predict_proba changed the caller's vote matrix"
        np.testing.assert_allclose(first, fitted.predict_proba(S), atol=1e-12)
        np.testing.assert_allclose(first, model(cardinality=3).fit(L).predict_proba(L),
                                   atol=1e-9)


def test_unsorted_csr_dev_votes_are_left_intact():
    L = np.array([[0, 1, -1], [1, -1, 1], [0, 0, 1], [1, 1, 0]])
    S = _unsorted_csr(L)
    WeightedMajorityVote().fit(L, L_dev=S, y_dev=np.array([0, 1, 0, 1]))
    assert (_dense(S) == L).all()


@pytest.mark.parametrize("model", [MajorityVote, WeightedMajorityVote, DawidSkene, LabelModel],
                         ids=lambda m: m.__name__)
def test_fit_stats_forgets_class_and_lf_names_of_an_earlier_fit(model):
    """A refit from statistics (which keep no names) must not decode its new classes
    with the names of an earlier fit: class 2 came back as None, an abstain."""
    rng = np.random.default_rng(0)
    L2 = rng.integers(-1, 2, size=(60, 4))
    frame = pd.DataFrame(L2, columns=["a", "b", "c", "d"])
    L3 = rng.integers(-1, 3, size=(90, 5))
    L3[:, 0] = 2
    kw = {"L_dev": L3[:30], "y_dev": np.arange(30) % 3} if model is WeightedMajorityVote else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model().fit(frame, classes=["HAM", "SPAM"])
        fitted.fit_stats(VoteStats.from_votes(L3, 3), **kw)
    assert fitted.classes_.tolist() == [0, 1, 2]
    assert not hasattr(fitted, "feature_names_in_")
    pred = fitted.predict(L3, tie_break="first")
    assert pred.dtype.kind == "i" and set(pred.tolist()) <= {0, 1, 2}
    fitted.predict_proba(pd.DataFrame(L3, columns=list("vwxyz")))  # no stale LF names


@pytest.mark.parametrize("model", [MajorityVote, DawidSkene, LabelModel], ids=lambda m: m.__name__)
def test_fit_stats_sets_classes(model):
    L = np.array([[0, 1, 1], [1, 1, -1], [0, 0, 1], [1, -1, 0]] * 5)
    assert model().fit_stats(VoteStats.from_votes(L, 2)).classes_.tolist() == [0, 1]


def test_frame_without_string_names_after_a_named_fit_is_read_by_position_with_a_warning():
    votes = np.array([[0, 1], [1, 1], [1, -1]])
    model = MajorityVote().fit(pd.DataFrame(votes, columns=["a", "b"]))
    with pytest.warns(WslibWarning, match=r"without string column names \(\[0, 1\]\).*"
                                          r"read by position"):
        proba = model.predict_proba(pd.DataFrame(votes))
    assert np.array_equal(proba, model.predict_proba(votes))


def test_n_features_in_is_the_lf_count_after_fit_and_absent_before():
    model = LabelModel()
    assert not hasattr(model, "n_features_in_")
    model.fit(np.array([[0, 1, -1], [1, 1, 0], [0, -1, 0]]))
    assert model.n_features_in_ == model.n_sources_ == 3
