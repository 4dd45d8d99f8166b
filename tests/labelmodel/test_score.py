"""score: the expected value over tie breaks, the same for every row order."""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wslib.labelmodel import LabelModel, MajorityVote
from wslib.labelmodel.base import tied_classes
from wslib.metrics import score_expected, score_predictions

HARD_METRICS = ("accuracy", "f1", "f1_macro", "f1_micro")


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 4), model=st.sampled_from([MajorityVote,
                                                                                  LabelModel]))
def test_score_is_the_same_for_every_row_order(seed, k, model):
    rng = np.random.default_rng(seed)
    n, m = 60, 4  # few LFs and classes: many tied rows
    L = np.where(rng.random((n, m)) < 0.5, rng.integers(0, k, (n, m)), -1).astype(np.int8)
    y = rng.integers(0, k, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model(cardinality=k).fit(L)
    order = rng.permutation(n)
    for metric in HARD_METRICS:
        assert fitted.score(L[order], y[order], metric=metric) == fitted.score(L, y, metric=metric)


def test_expected_accuracy_is_the_mean_over_every_tie_break():
    y = np.array([0, 1, 2, 1])
    tied = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 1], [1, 0, 1]], dtype=bool)
    choices = [np.flatnonzero(row) for row in tied]
    draws = [score_predictions(y, np.array(pred), cardinality=3)
             for pred in itertools.product(*choices)]
    assert score_expected(y, tied) == pytest.approx(np.mean(draws))


@pytest.mark.parametrize("metric", HARD_METRICS)
def test_without_ties_it_is_the_plain_score(metric):
    rng = np.random.default_rng(1)
    y, pred = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    assert score_expected(y, np.eye(3, dtype=bool)[pred], metric) == \
        pytest.approx(score_predictions(y, pred, metric, cardinality=3))


def test_f1_counts_a_tied_row_half_a_positive():
    # row 1 is tied: half a true positive and half a false negative
    y = np.array([1, 1, 0])
    tied = np.array([[False, True], [True, True], [True, False]])
    assert score_expected(y, tied, "f1") == pytest.approx(2 * 1.5 / (2 * 1.5 + 0 + 0.5))


def test_tied_classes_and_bad_input():
    assert tied_classes(np.array([[0.5, 0.5 - 1e-12], [0.9, 0.1]])).tolist() == \
        [[True, True], [True, False]]
    with pytest.raises(ValueError, match="a class in every row"):
        score_expected(np.array([0]), np.array([[False, False]]))
    model = MajorityVote().fit(np.array([[0, 1], [1, 1]]))
    with pytest.raises(ValueError, match="unknown tie_break 'coin'"):
        model.score(np.array([[0, 1]]), np.array([0]), tie_break="coin")
    with pytest.raises(ValueError, match="unknown metric 'auc'"):
        model.score(np.array([[0, 1]]), np.array([0]), metric="auc")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 4), model=st.sampled_from([MajorityVote,
                                                                                  LabelModel]))
def test_random_tie_breaks_follow_the_rows_whatever_their_order_or_batch(seed, k, model):
    from wslib.matrix import to_sparse

    rng = np.random.default_rng(seed)
    n, m = 60, 4
    L = np.where(rng.random((n, m)) < 0.5, rng.integers(0, k, (n, m)), -1).astype(np.int8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model(cardinality=k).fit(L)
    pred = fitted.predict(L)
    order = rng.permutation(n)
    assert (fitted.predict(L[order]) == pred[order]).all()
    assert (np.concatenate([fitted.predict(L[i:i + 7]) for i in range(0, n, 7)]) == pred).all()
    assert (fitted.predict(to_sparse(L)) == pred).all()
    assert fitted.score(L[order], pred[order], tie_break="random") == 1.0


def test_random_tie_breaks_spread_over_the_tied_classes():
    # 200 rows, each a tie: one LF votes 0 and another votes 1 (of 8 LFs, at random)
    rng = np.random.default_rng(0)
    L = np.full((200, 8), -1, dtype=np.int8)
    for row in L:
        row[rng.choice(8, 2, replace=False)] = [0, 1]
    pred = MajorityVote().fit(L).predict(L)
    assert 60 < (pred == 1).sum() < 140  # the distinct vote patterns draw independently
