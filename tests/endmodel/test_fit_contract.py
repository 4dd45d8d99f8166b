"""EndModel contract: score before fit, dev labels as names, inputs left intact, frames."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from wslib.endmodel import EndModel
from wslib.endmodel.self_training import self_train
from wslib.exceptions import NotFittedError
from wslib.labelmodel import MajorityVote


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = (y[:, None] + rng.normal(0, 0.3, (n, 3))).astype(np.float32)
    L = np.where(rng.random((n, 3)) < 0.6, y[:, None], -1)
    return X, L, y


def test_score_before_fit_raises_not_fitted():
    X, _, y = _data()
    with pytest.raises(NotFittedError):
        EndModel(head="logreg").score(X, y)


def test_dev_labels_may_be_class_names_like_score():
    X, L, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lm = MajorityVote().fit(L, classes=["neg", "pos"])
    names = np.array(["neg", "pos"])[y]
    model = EndModel(head="logreg", max_epochs=3).fit(X, label_model=lm, L=L, X_dev=X[:30],
                                                      y_dev=names[:30])
    assert model.validation_ == "dev"
    same = EndModel(head="logreg", max_epochs=3).fit(X, label_model=lm, L=L, X_dev=X[:30],
                                                     y_dev=y[:30])
    np.testing.assert_array_equal(model.predict_proba(X), same.predict_proba(X))


def test_unsorted_csr_votes_are_left_intact():
    X, L, _ = _data()
    L[:, 2] = np.where(L[:, 2] >= 0, 1 - L[:, 2], -1)  # rows whose votes differ by LF
    r, c = np.nonzero(L >= 0)
    order = np.lexsort((-c, r))
    indptr = np.r_[0, np.cumsum(np.bincount(r, minlength=L.shape[0]))]
    S = sp.csr_matrix((L[r, c][order].astype(np.int64), c[order], indptr), shape=L.shape)
    assert not S.has_sorted_indices
    before = {(i, j): v for i, j, v in zip(*sp.find(S))}
    P = np.where(L.max(axis=1, keepdims=True) == 1, [0.2, 0.8], [0.8, 0.2])
    EndModel(head="logreg", max_epochs=1).fit(X, P, L=S)
    assert {(i, j): v for i, j, v in zip(*sp.find(S))} == before


@pytest.mark.parametrize("columns", [list("abc"), None], ids=["str", "int"])
def test_self_train_takes_a_feature_frame(columns):
    X, L, _ = _data(200)
    frame = pd.DataFrame(X, columns=columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        on_frame = self_train(MajorityVote(), L, frame, EndModel(head="logreg", max_epochs=3))
        on_array = self_train(MajorityVote(), L, X, EndModel(head="logreg", max_epochs=3))
    np.testing.assert_array_equal(on_frame.votes, on_array.votes)
    np.testing.assert_allclose(on_frame.soft_labels, on_array.soft_labels)
