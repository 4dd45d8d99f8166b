"""Training targets and confidence weights."""

import numpy as np
import pytest

from wslib.endmodel.targets import class_weights, confidence_weights, make_targets, sharpen

P = np.array([[0.55, 0.45], [0.02, 0.98], [0.6, 0.4], [0.1, 0.9], [0.5, 0.5]])
COVERED = np.array([True, True, True, True, False])


def test_soft_is_identity_and_hard_is_argmax():
    assert make_targets(P, COVERED, "soft") is P
    hard = make_targets(P, COVERED, "hard")
    assert hard[:4].tolist() == [[1, 0], [0, 1], [1, 0], [0, 1]]
    assert hard[4].tolist() == [0.5, 0.5]  # uncovered rows are left alone


def test_balanced_matches_argmax_balance_and_keeps_argmax():
    Q = make_targets(P, COVERED, "balanced")
    np.testing.assert_allclose(Q[:4].mean(axis=0), [0.5, 0.5], atol=1e-6)
    np.testing.assert_allclose(Q.sum(axis=1), 1.0)
    assert (Q[:4].argmax(axis=1) == P[:4].argmax(axis=1)).all()
    assert Q[0, 0] > P[0, 0]  # the weak class's rows become more confident


def test_weights():
    np.testing.assert_allclose(confidence_weights(P, None), 1.0)
    conf = confidence_weights(P, "confidence")
    assert conf[4] == 0.0 and conf[1] == pytest.approx(0.96)
    ent = confidence_weights(P, "entropy")
    assert ent[4] == pytest.approx(0.0) and 0 < ent[0] < ent[1] < 1
    with pytest.raises(ValueError, match="unknown sample_weighting"):
        confidence_weights(P, "margin")
    with pytest.raises(ValueError, match="unknown target"):
        make_targets(P, COVERED, "smooth")


def test_balanced_towards_a_given_class_balance():
    Q = make_targets(P, COVERED, "balanced", balance=np.array([0.7, 0.3]))
    np.testing.assert_allclose(Q[:4].mean(axis=0), [0.7, 0.3], atol=1e-6)
    np.testing.assert_allclose(Q.sum(axis=1), 1.0)
    assert Q[4].tolist() == [0.5, 0.5]  # uncovered rows are left alone
    assert (np.argsort(Q[:4, 1]) == np.argsort(P[:4, 1])).all()  # order of rows kept


def test_temperature_sharpens_or_flattens_covered_rows_and_keeps_the_argmax():
    cold = make_targets(P, COVERED, "soft", temperature=0.5)
    warm = make_targets(P, COVERED, "soft", temperature=4.0)
    np.testing.assert_allclose(cold[0], [0.55 ** 2, 0.45 ** 2] / np.float64(0.55 ** 2 + 0.45 ** 2))
    assert (cold[:4].max(axis=1) > P[:4].max(axis=1)).all()
    assert (warm[:4].max(axis=1) < P[:4].max(axis=1)).all()
    for Q in (cold, warm):
        assert (Q.argmax(axis=1)[:4] == P.argmax(axis=1)[:4]).all()
        np.testing.assert_allclose(Q.sum(axis=1), 1.0)
        assert Q[4].tolist() == [0.5, 0.5]  # uncovered rows are left alone
    assert make_targets(P, COVERED, "hard", temperature=0.5).tolist() == \
        make_targets(P, COVERED, "hard").tolist()
    balanced = make_targets(P, COVERED, "balanced", temperature=0.5)
    np.testing.assert_allclose(balanced[:4].mean(axis=0), [0.5, 0.5], atol=1e-6)


def test_sharpen_extremes():
    tiny = sharpen(np.array([[0.5, 0.3, 0.2, 0.0], [0.25, 0.25, 0.25, 0.25]]), 1e-4)
    np.testing.assert_allclose(tiny, [[1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25]])  # no underflow
    with pytest.raises(ValueError, match="temperature must be > 0"):
        sharpen(P, 0.0)


def test_hard_balanced_is_one_hot_with_class_weights():
    assert make_targets(P, COVERED, "hard-balanced").tolist() == \
        make_targets(P, COVERED, "hard").tolist()
    np.testing.assert_allclose(class_weights(P, COVERED, "soft"), 1.0)
    w = class_weights(P, COVERED, "hard-balanced", balance=np.array([0.25, 0.75]))
    # arg-max shares on the covered rows: 50/50; weighted towards 25/75; uncovered row left at 1
    np.testing.assert_allclose(w, [0.5, 1.5, 0.5, 1.5, 1.0])
    top = P[:4].argmax(axis=1)
    np.testing.assert_allclose(np.bincount(top, weights=w[:4]) / w[:4].sum(), [0.25, 0.75])
    skewed = np.array([[0.9, 0.1]] * 3 + [[0.2, 0.8]])
    w = class_weights(skewed, np.ones(4, bool), "hard-balanced")  # default: equal shares
    np.testing.assert_allclose(np.bincount(skewed.argmax(axis=1), weights=w), [2.0, 2.0])
    np.testing.assert_allclose(w.mean(), 1.0)
