"""A DataFrame of votes reaches the label model as given: its columns are matched to the
model's LFs by name, in EndModel.fit and through self-training."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wslib.datasets.synthetic import make_votes
from wslib.endmodel import EndModel
from wslib.endmodel.self_training import self_train
from wslib.labelmodel import LabelModel

pytestmark = pytest.mark.filterwarnings("ignore::wslib.exceptions.WslibWarning")

COLUMNS = [f"lf{i}" for i in range(6)]
QUICK = {"head": "logreg", "lr": 0.05, "max_epochs": 2}


@pytest.fixture(scope="module")
def named():
    """Votes of six unipolar LFs as a named frame, features, and a model fitted on them."""
    d = make_votes(400, 6, 2, random_state=0, n_unipolar=6)
    L = pd.DataFrame(d.L, columns=COLUMNS)
    X = (np.random.default_rng(0).normal(size=(400, 5)) + d.y[:, None]).astype(np.float32)
    return L, X, LabelModel().fit(L)


@settings(max_examples=15, deadline=None)
@given(order=st.permutations(COLUMNS))
def test_permuting_vote_columns_never_changes_the_soft_labels(named, order):
    L, X, lm = named
    reference = EndModel(**QUICK).fit(X, label_model=lm, L=L)
    shuffled = EndModel(**QUICK).fit(X, label_model=lm, L=L[list(order)])
    np.testing.assert_array_equal(shuffled.predict_proba(X), reference.predict_proba(X))
    assert shuffled.n_uncovered_ == reference.n_uncovered_


def test_vote_frame_with_an_unknown_column_is_refused(named):
    L, X, lm = named
    with pytest.raises(ValueError, match=r"missing \['lf0'\]; unexpected \['not_an_lf'\]"):
        EndModel(**QUICK).fit(X, label_model=lm, L=L.rename(columns={"lf0": "not_an_lf"}))


def test_vote_frame_with_other_rows_is_refused(named):
    L, X, lm = named
    with pytest.raises(ValueError, match="X has 399 rows but L has 400"):
        EndModel(**QUICK).fit(X[:399], label_model=lm, L=L)


def test_self_training_keeps_the_lf_names_and_fits_the_models_given(named):
    L, X, _ = named
    lm, em = LabelModel(), EndModel(**QUICK)
    res = self_train(lm, L, X, em, rounds=1, threshold=0.6)
    assert res.initial_label_model is lm and res.end_model is em
    assert lm.feature_names_in_.tolist() == COLUMNS
    assert res.label_model.feature_names_in_.tolist() == COLUMNS + ["student"]
    shuffled = L[COLUMNS[::-1]]
    np.testing.assert_array_equal(lm.predict_proba(shuffled), lm.predict_proba(L))
    with_student = pd.concat([shuffled, pd.Series(res.votes, name="student")], axis=1)
    np.testing.assert_array_equal(res.label_model.predict_proba(with_student),
                                  res.soft_labels)


def test_student_column_gets_a_name_no_lf_has(named):
    L, X, _ = named
    taken = L.rename(columns={"lf0": "student"})
    res = self_train(LabelModel(), taken, X, EndModel(**QUICK), rounds=1, threshold=0.6)
    assert res.label_model.feature_names_in_.tolist()[-2:] == ["lf5", "student_"]


def test_repeated_column_names_are_refused(named):
    """Columns matched by name must be unique: swapping two same-named columns would
    otherwise change the result without an error."""
    L, X, _ = named
    twice = L.set_axis(["lf0", "lf0", *COLUMNS[2:]], axis=1)
    with pytest.raises(ValueError, match=r"repeats the column names \['lf0'\]"):
        LabelModel().fit(twice)
    with pytest.raises(ValueError, match=r"repeats the column names \['x'\]"):
        EndModel(**QUICK).fit(pd.DataFrame(X[:, :2], columns=["x", "x"]), np.arange(400) % 2)
