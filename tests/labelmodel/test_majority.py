import numpy as np
import pytest

from wslib.exceptions import CoverageWarning, NotFittedError
from wslib.labelmodel import BaseLabelModel, MajorityVote
from wslib.matrix import to_sparse


def test_majority_vote_probabilities(small_votes):
    L, _ = small_votes
    with pytest.warns(CoverageWarning, match="1 of 6 items"):
        model = MajorityVote().fit(L)
    P = model.predict_proba(L)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(P[0], [1, 0])
    np.testing.assert_allclose(P[1], [1, 0])
    np.testing.assert_allclose(P[4], [0.5, 0.5])  # uncovered -> prior
    np.testing.assert_allclose(P[5], [0.5, 0.5])  # tie


def test_sparse_equals_dense(small_votes):
    L, _ = small_votes
    model = MajorityVote().fit(L)
    np.testing.assert_array_equal(model.predict_proba(to_sparse(L)), model.predict_proba(L))


def test_tie_break_policies(small_votes):
    L, _ = small_votes
    model = MajorityVote(random_state=3).fit(L)
    assert model.predict(L, tie_break="abstain").tolist() == [0, 0, 1, 1, -1, -1]
    assert model.predict(L, tie_break="first").tolist() == [0, 0, 1, 1, 0, 0]
    a = model.predict(L, tie_break="random")
    np.testing.assert_array_equal(a, model.predict(L, tie_break="random"))
    with pytest.raises(ValueError, match="unknown tie_break"):
        model.predict(L, tie_break="coin")


def test_class_balance_used_for_uncovered(small_votes):
    L, _ = small_votes
    model = MajorityVote().fit(L, class_balance=[0.8, 0.2])
    np.testing.assert_allclose(model.predict_proba(L)[4], [0.8, 0.2])
    assert model.predict(L, tie_break="prior")[5] == 0
    with pytest.raises(ValueError, match="sum to 1"):
        MajorityVote().fit(L, class_balance=[0.8, 0.8])
    with pytest.raises(ValueError, match="shape"):
        MajorityVote().fit(L, class_balance=[1.0])


def test_score_metrics(small_votes):
    L, y = small_votes
    model = MajorityVote().fit(L)
    assert 0 <= model.score(L, y) <= 1
    assert model.score(L, y, metric="log_loss") > 0
    with pytest.raises(ValueError, match="6 items"):
        model.score(L, y[:3])


def test_not_fitted_and_wrong_width(small_votes):
    L, _ = small_votes
    with pytest.raises(NotFittedError, match="not fitted"):
        MajorityVote().predict_proba(L)
    model = MajorityVote().fit(L)
    with pytest.raises(ValueError, match="fitted with 3"):
        model.predict_proba(L[:, :2])


def test_save_load_roundtrip(tmp_path, small_votes):
    L, _ = small_votes
    model = MajorityVote(random_state=7).fit(L, class_balance=[0.3, 0.7])
    model.save(tmp_path / "mv.npz")
    back = BaseLabelModel.load(tmp_path / "mv.npz")
    assert isinstance(back, MajorityVote) and back.random_state == 7
    np.testing.assert_array_equal(back.predict_proba(L), model.predict_proba(L))
