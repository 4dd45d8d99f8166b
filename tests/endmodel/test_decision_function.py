"""``EndModel.decision_function`` follows scikit-learn: shape (n,) for two classes."""

import warnings

import numpy as np
from sklearn.metrics import get_scorer, roc_auc_score
from sklearn.model_selection import cross_val_score

from wslib.endmodel import EndModel


def _binary(n=120):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    X = (np.eye(2)[y] + rng.normal(0, 0.7, (n, 2))).astype(np.float32)
    return X, y


def test_binary_decision_function_is_the_positive_class_margin():
    X, y = _binary()
    model = EndModel(head="logreg", max_epochs=3).fit(X, y)
    score = model.decision_function(X)
    assert score.shape == (X.shape[0],)
    np.testing.assert_array_equal(model.predict(X), (score > 0).astype(int))
    proba = model.predict_proba(X)
    np.testing.assert_allclose(score, np.log(proba[:, 1]) - np.log(proba[:, 0]), atol=1e-6)
    assert get_scorer("roc_auc")(model, X, y) == roc_auc_score(y, score)


def test_roc_auc_cross_validation_gives_numbers():
    X, y = _binary()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # sklearn only warns when a scorer fails
        scores = cross_val_score(EndModel(head="logreg", max_epochs=2), X, y, cv=2,
                                 scoring="roc_auc")
    assert np.isfinite(scores).all()


def test_multiclass_decision_function_keeps_one_column_per_class():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 90)
    X = (np.eye(3)[y] + rng.normal(0, 0.5, (90, 3))).astype(np.float32)
    model = EndModel(head="logreg", max_epochs=2).fit(X, y)
    assert model.decision_function(X).shape == (90, 3)
