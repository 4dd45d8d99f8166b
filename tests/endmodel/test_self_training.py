"""Self-training: the student's out-of-fold votes extend coverage; the label model refits."""

import numpy as np
import pytest

from wslib.endmodel import EndModel
from wslib.endmodel.self_training import self_train
from wslib.labelmodel import MajorityVote

from .conftest import make_problem


@pytest.mark.filterwarnings("ignore::wslib.exceptions.CoverageWarning")
def test_rounds_extend_coverage_and_record_history():
    X, y, _ = make_problem(n=300, seed=3)
    rng = np.random.default_rng(0)
    L = np.where(rng.random((300, 3)) < 0.3, y[:, None], -1).astype(np.int8)
    base = (L != -1).any(axis=1).mean()
    res = self_train(MajorityVote(), L, X, EndModel(head="logreg", lr=0.02, max_epochs=10),
                     rounds=2, threshold=0.8)
    assert [h["round"] for h in res.history] == [0, 1, 2]
    assert res.history[0]["coverage"] == pytest.approx(base)
    assert res.coverage.mean() > base
    assert res.label_model.n_sources_ == 4 and res.initial_label_model.n_sources_ == 3
    agree = res.votes != -1
    assert (res.votes[agree] == y[agree]).mean() > 0.9
    assert res.end_model.score(X, y) > 0.9


def test_bad_arguments():
    X, y, _ = make_problem(n=40)
    L = y[:, None].astype(np.int8)
    em = EndModel(max_epochs=2)
    with pytest.raises(ValueError, match="cv must be >= 2"):
        self_train(MajorityVote(), L, X, em, cv=1)
    with pytest.raises(ValueError, match="X has 39 rows but L has 40"):
        self_train(MajorityVote(), L, X[:39], em)
    with pytest.raises(ValueError, match="y_dev"):
        self_train(MajorityVote(), L, X, em, y_dev=y)
