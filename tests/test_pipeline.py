"""wslib.pipeline: LFs or votes -> label model -> end model -> metrics."""

import numpy as np
import pandas as pd
import pytest

from wslib.apply import apply_lfs
from wslib.datasets import load_embedded
from wslib.datasets.synthetic import make_votes
from wslib.endmodel import EndModel
from wslib.exceptions import CoverageWarning
from wslib.labelmodel import LabelModel, MajorityVote
from wslib.lf import keyword_lf
from wslib.pipeline import make_features, run_pipeline, run_wrench

FAST = dict(head="logreg", lr=0.02, max_epochs=10, target="hard")


@pytest.fixture(scope="module")
def youtube():
    return load_embedded("youtube")


def test_votes_path_beats_label_model(youtube):
    res = run_wrench(youtube, end_model=EndModel(**FAST))
    assert set(res.scores) == {"labelmodel", "endmodel"}
    assert res.scores["endmodel"] > res.scores["labelmodel"]
    assert res.metric == "accuracy"
    assert res.test_proba.shape == (len(youtube["test"]), 2)
    assert res.coverage.shape == (len(youtube["train"]),)


def test_lfs_path_applies_lfs(youtube):
    train, test = youtube["train"], youtube["test"]
    lfs = [keyword_lf(["check out", "subscribe", "http"], 1, name="spammy"),
           keyword_lf(["song", "love"], 0, name="song")]
    res = run_pipeline(lfs=lfs, data_train=train.data, data_test=test.data, y_test=test.y,
                       label_model=MajorityVote(), end_model=EndModel(**FAST))
    # the reference: majority vote of the same LFs on test (0.776; the end model 0.804)
    L_test = apply_lfs(test.data, lfs, cardinality=2)
    with pytest.warns(CoverageWarning):  # 43 % of the test comments get no vote
        majority = MajorityVote(cardinality=2).fit(L_test).score(L_test, test.y)
    assert res.scores["labelmodel"] == pytest.approx(majority)
    assert res.scores["endmodel"] > majority + 0.01
    assert 0 < res.coverage.mean() < 1
    assert set(res.seconds) == {"apply", "features", "labelmodel", "endmodel"}


def test_own_features_and_no_test_split(youtube):
    train = youtube["train"]
    X, = make_features("tfidf", train.data["text"].tolist())
    res = run_pipeline(L_train=train.L, X_train=X, end_model=EndModel(**FAST))
    assert res.scores == {} and res.test_proba is None
    assert res.end_model.n_features_in_ == X.shape[1]


def test_self_training_round(youtube):
    res = run_wrench(youtube, end_model=EndModel(**FAST), self_training_rounds=1)
    base_cov = (youtube["train"].L != -1).any(axis=1).mean()
    assert res.coverage.mean() > base_cov
    assert res.scores["endmodel"] > 0.8


def test_bad_calls(youtube):
    train = youtube["train"]
    with pytest.raises(ValueError, match="pass L_train"):
        run_pipeline(data_train=train.data)
    with pytest.raises(ValueError, match="X_train was given without X_test"):
        run_pipeline(L_train=train.L, L_test=train.L, X_train=np.eye(len(train), 3))
    with pytest.raises(ValueError, match="unknown features"):
        make_features("bow", ["a"])


@pytest.mark.filterwarnings("ignore::wslib.exceptions.WslibWarning")
@pytest.mark.parametrize("rounds", [0, 1])
def test_named_votes_are_scored_by_name_and_the_models_given_are_fitted(rounds):
    d = make_votes(900, 6, 2, random_state=0, n_unipolar=6)
    columns = [f"lf{i}" for i in range(6)]
    L_train, L_test = (pd.DataFrame(part, columns=columns) for part in (d.L[:600], d.L[600:]))
    X = (np.random.default_rng(0).normal(size=(900, 5)) + d.y[:, None]).astype(np.float32)
    scores = []
    for test_columns in (columns, columns[::-1]):
        lm, em = LabelModel(), EndModel(**FAST)
        res = run_pipeline(L_train=L_train, L_test=L_test[test_columns], X_train=X[:600],
                           X_test=X[600:], y_test=d.y[600:], label_model=lm, end_model=em,
                           self_training_rounds=rounds)
        assert res.label_model is lm and res.end_model is em
        assert lm.feature_names_in_.tolist() == columns and hasattr(em, "head_")
        scores.append(res.scores["labelmodel"])
    assert scores[0] == scores[1]
