"""Bad input to EndModel.fit: specific exceptions whose messages name the culprit."""

import numpy as np
import pytest
import scipy.sparse as sp

from wslib.endmodel import EndModel

from .conftest import make_problem


@pytest.fixture
def data():
    X, y, P = make_problem(n=60)
    return X, y, P


def test_lengths_differ(data):
    X, y, P = data
    with pytest.raises(ValueError, match="X has 60 rows but y has 59 rows"):
        EndModel().fit(X, P[:59])
    with pytest.raises(ValueError, match="X has 60 rows but y has 61 labels"):
        EndModel().fit(X, np.r_[y, 0])


@pytest.mark.parametrize("row, value, match", [
    (7, [np.nan, 1.0], "row 7 .*non-finite"),
    (3, [-0.2, 1.2], "row 3 .*negative"),
    (11, [0.6, 0.6], "row 11 .*sums to 1.2"),
])
def test_soft_labels_not_probability_rows(data, row, value, match):
    X, _, P = data
    P = P.copy()
    P[row] = value
    with pytest.raises(ValueError, match=match):
        EndModel().fit(X, P)


def test_nan_features_name_row_and_column(data):
    X, _, P = data
    X = X.copy()
    X[5, 2] = np.nan
    with pytest.raises(ValueError, match="row 5, column 2"):
        EndModel().fit(X, P)
    Xs = sp.csr_matrix(np.abs(np.nan_to_num(X)) + 1)
    Xs.data[Xs.indptr[9] + 4] = np.inf
    with pytest.raises(ValueError, match="row 9, column 4"):
        EndModel().fit(Xs, P)


def test_text_features_rejected(data):
    _, _, P = data
    with pytest.raises(TypeError, match="not raw texts"):
        EndModel().fit(np.array([["a"]] * 60), P)


def test_dev_set_with_absent_class(data):
    X, y, P = data
    with pytest.raises(ValueError, match=r"y_dev has no example of class\(es\) \[1\]"):
        EndModel().fit(X, P, X_dev=X[:5], y_dev=np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="pass both X_dev and y_dev"):
        EndModel().fit(X, P, X_dev=X[:5])
    with pytest.raises(ValueError, match="X_dev has 3 features"):
        EndModel().fit(X, P, X_dev=X[:5, :3], y_dev=y[:5])


def test_bad_coverage_and_weights(data):
    X, _, P = data
    with pytest.raises(ValueError, match="coverage has shape"):
        EndModel().fit(X, P, coverage=np.ones(3, dtype=bool))
    with pytest.raises(ValueError, match="no training row is covered"):
        EndModel().fit(X, P, coverage=np.zeros(60, dtype=bool))
    with pytest.raises(ValueError, match=r"sample_weight\[4\]"):
        EndModel().fit(X, P, sample_weight=np.r_[np.ones(4), -1.0, np.ones(55)])


@pytest.mark.parametrize("balance, match", [
    ([0.5, 0.3, 0.2], r"class_balance has shape \(3,\)"),
    ([1.0, 0.0], r"class_balance\[1\] = 0.0"),
    ([np.nan, 1.0], r"class_balance\[0\] = nan"),
    ([0.6, 0.6], "class_balance must sum to 1, got sum 1.2"),
])
def test_bad_class_balance(data, balance, match):
    X, _, P = data
    with pytest.raises(ValueError, match=match):
        EndModel(target="balanced", class_balance=balance).fit(X, P)


def test_class_balance_needs_the_balanced_target(data):
    X, _, P = data
    with pytest.raises(ValueError, match="class_balance is only used by target='balanced'"):
        EndModel(class_balance=[0.5, 0.5]).fit(X, P)


def test_diverging_training_is_reported(data):
    """A learning rate that blows the weights up raises, instead of returning a model
    whose soft labels are all NaN."""
    X, _, P = data
    with pytest.raises(FloatingPointError, match=r"diverged.*lr=1e\+30.*lower lr"):
        with np.errstate(all="ignore"):
            EndModel(head="logreg", lr=1e30, max_epochs=5).fit(X, P)


@pytest.mark.parametrize("params, message", [
    ({"max_epochs": 2.5}, "max_epochs must be a positive integer, got 2.5"),
    ({"random_state": None}, "random_state must be a non-negative integer, got None"),
    ({"random_state": -1}, "random_state must be a non-negative integer, got -1"),
    ({"dev_metric": "auc"}, "unknown dev_metric 'auc'"),
])
def test_parameters_are_named(data, params, message):
    X, _, P = data
    with pytest.raises(ValueError, match=message):
        EndModel(**params).fit(X, P)
    with pytest.raises(TypeError, match="filter_uncovered must be True or False, got 'no'"):
        EndModel(filter_uncovered="no").fit(X, P)


def test_score_checks_sample_weight(data):
    X, y, P = data
    model = EndModel(max_epochs=2).fit(X, P)
    with pytest.raises(ValueError, match=r"sample_weight has shape \(3,\), expected \(60,\)"):
        model.score(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="not all zero"):
        model.score(X, y, sample_weight=np.zeros(60))
