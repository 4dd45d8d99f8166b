"""``self_train``: balanced folds (none empty) and array-like features."""

import numpy as np
import pytest

from wslib.endmodel import EndModel
from wslib.endmodel.self_training import self_train, student_votes
from wslib.labelmodel import MajorityVote


def _data(n=30):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    X = (y[:, None] + rng.normal(0, 0.3, (n, 3))).astype("f4")
    L = np.where(rng.random((n, 3)) < 0.5, y[:, None], -1)
    return X, L


def test_many_folds_are_never_empty():
    X, L = _data()
    res = self_train(MajorityVote(), L, X, EndModel(head="logreg", max_epochs=2), rounds=1,
                     cv=10)
    assert res.votes.shape == (30,)


def test_more_folds_than_rows_is_refused():
    X, L = _data(8)
    with pytest.raises(ValueError, match="cv=10 folds need at least 10 rows; X has 8"):
        self_train(MajorityVote(), L, X, EndModel(head="logreg", max_epochs=2), rounds=1,
                   cv=10)


def test_every_training_part_has_covered_rows():
    X, _ = _data(12)
    coverage = np.zeros(12, dtype=bool)
    coverage[[0, 5]] = True  # two covered rows must land in different folds
    P = np.full((12, 2), 0.5)
    P[0], P[5] = [0.9, 0.1], [0.1, 0.9]
    for seed in range(5):
        votes = student_votes(EndModel(head="logreg", max_epochs=2), X, P, coverage,
                              threshold=0.5, cv=2, random_state=seed)
        assert votes.shape == (12,)


def test_features_as_a_list_of_rows():
    X, L = _data()
    student = EndModel(head="logreg", max_epochs=2)
    res = self_train(MajorityVote(), L, X.tolist(), student, rounds=1)
    assert res.votes.shape == (30,)
    with pytest.raises(ValueError, match="X has 29 rows but L has 30"):
        self_train(MajorityVote(), L, X.tolist()[:29], student, rounds=1)
