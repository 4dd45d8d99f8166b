"""EndModel: the estimator contract, training behaviour, reproducibility."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline

from wslib.endmodel import EndModel
from wslib.exceptions import NotFittedError

from .conftest import make_problem

FAST = dict(max_epochs=15, batch_size=64)


@pytest.mark.parametrize("head", ["logreg", "mlp"])
def test_learns_from_noisy_soft_labels(problem, head):
    X, y, P = problem
    clf = EndModel(head=head, lr=1e-2, **FAST).fit(X, P)
    assert clf.score(X, y) > 0.95
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), proba.argmax(axis=1))
    assert clf.validation_ == "held-out"
    assert 0 <= clf.best_epoch_ < len(clf.history_)


def test_sparse_features_match_dense(problem, sparse_problem):
    Xs, y, P = sparse_problem
    dense = EndModel(head="logreg", lr=1e-2, **FAST).fit(Xs.toarray(), P)
    sparse = EndModel(head="logreg", lr=1e-2, **FAST).fit(Xs, P)
    np.testing.assert_allclose(dense.predict_proba(Xs.toarray()), sparse.predict_proba(Xs),
                               atol=1e-4)


def test_multiclass_and_hard_labels():
    X, y, P = make_problem(n=300, k=4, seed=1)
    clf = EndModel(head="mlp", lr=1e-2, **FAST).fit(X, y)
    assert clf.classes_.tolist() == [0, 1, 2, 3]
    assert clf.score(X, y) > 0.95
    assert clf.score(X, y, metric="f1_macro") > 0.95


def test_reproducible_and_leaves_global_rng_alone(problem):
    X, y, P = problem
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = EndModel(confidence_coef=0.5, random_state=7, **FAST).fit(X, P).predict_proba(X)
    after = torch.rand(1)
    b = EndModel(confidence_coef=0.5, random_state=7, **FAST).fit(X, P).predict_proba(X)
    c = EndModel(confidence_coef=0.5, random_state=8, **FAST).fit(X, P).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert before == after  # fitting drew nothing from torch's global generator


def test_threads_restored(problem):
    X, _, P = problem
    n = torch.get_num_threads()
    EndModel(n_threads=1, max_epochs=2).fit(X, P)
    assert torch.get_num_threads() == n


def test_uncovered_rows_filtered(problem):
    X, y, P = problem
    P = P.copy()
    P[:100] = 0.5  # uniform rows: what majority vote gives items without votes
    clf = EndModel(**FAST).fit(X, P)
    assert clf.n_uncovered_ == 100
    coverage = np.ones(300, dtype=bool)
    coverage[-10:] = False
    clf = EndModel(**FAST).fit(X, P, coverage=coverage)
    assert clf.n_uncovered_ == 10
    assert EndModel(filter_uncovered=False, **FAST).fit(X, P).n_uncovered_ == 0
    hard = np.where(np.arange(300) < 30, -1, y)
    assert EndModel(**FAST).fit(X, hard).n_uncovered_ == 30


def test_sample_weighting_changes_the_fit(problem):
    X, _, P = problem
    P = P.copy()
    P[:150] = [[0.55, 0.45]] * 150
    plain = EndModel(**FAST).fit(X, P).predict_proba(X)
    for kind in ("confidence", "entropy"):
        weighted = EndModel(sample_weighting=kind, **FAST).fit(X, P).predict_proba(X)
        assert not np.allclose(plain, weighted)
    zero_first = np.r_[np.zeros(150), np.ones(150)]
    clf = EndModel(**FAST).fit(X, P, sample_weight=zero_first)
    assert clf.n_uncovered_ == 0  # weighted out, not uncovered: those rows have votes


def test_dev_set_early_stopping(problem):
    X, y, P = problem
    clf = EndModel(max_epochs=40, patience=3).fit(X[:250], P[:250], X_dev=X[250:],
                                                  y_dev=y[250:])
    assert clf.validation_ == "dev"
    scores = [h["val_score"] for h in clf.history_]
    assert clf.history_[clf.best_epoch_]["val_score"] == max(scores) == clf.best_score_
    assert len(clf.history_) <= clf.best_epoch_ + 1 + 3
    unvalidated = EndModel(validation_fraction=0, max_epochs=4).fit(X, P)
    assert unvalidated.validation_ == "none" and unvalidated.best_score_ is None


def test_balanced_target_with_a_known_class_balance():
    """Soft labels leaning to class 0 (every row 0.6/0.4 when the items are half class 1):
    rescaled to the true balance 50/50 the student recovers class 1; unscaled it cannot."""
    X, y, _ = make_problem(n=400, noise=0.0, seed=3)
    P = np.where(y[:, None] == 1, [0.55, 0.45], [0.95, 0.05])
    plain = EndModel(**FAST, validation_fraction=0, confidence_coef=0.0).fit(X, P)
    balanced = EndModel(**FAST, validation_fraction=0, target="balanced", confidence_coef=0.0,
                        class_balance=np.bincount(y) / len(y)).fit(X, P)
    assert (plain.predict(X) == 0).mean() > 0.95
    assert balanced.score(X, y) > 0.9


def test_hard_balanced_target_weighs_classes_towards_the_balance():
    """Half of the class-1 items are labelled 0 (a broad LF), so the arg-max labels are 75 %
    class 0: plain hard labels leave class 1 a coin flip; weighted towards the known 50/50
    balance (class-1 rows x2, class-0 rows x2/3) class 1 wins its region."""
    X, y, _ = make_problem(n=400, noise=0.0, seed=5)
    wrong = (y == 1) & (np.random.default_rng(1).random(400) < 0.5)
    P = np.where(((y == 0) | wrong)[:, None], [0.9, 0.1], [0.1, 0.9])
    kw = {"head": "logreg", "lr": 0.05, "max_epochs": 30, "validation_fraction": 0,
          "confidence_coef": 0.0}
    hard = EndModel(**kw, target="hard").fit(X, P)
    weighted = EndModel(**kw, target="hard-balanced", class_balance=[0.5, 0.5]).fit(X, P)
    assert hard.score(X, y) < 0.85
    assert weighted.score(X, y) > 0.95
    with pytest.raises(ValueError, match="class_balance is only used"):
        EndModel(**kw, target="hard", class_balance=[0.5, 0.5]).fit(X, P)


def test_sharpened_soft_labels_recover_a_class_with_flat_but_right_labels():
    """Class-1 items: 60 % carry a right but nearly flat label (0.35/0.65), 40 % a confident
    wrong one (0.95/0.05). The mean soft target of class 1 leans to class 0, so plain soft
    cross-entropy mostly learns class 0 there; sharpened (T=0.1) the right labels outweigh."""
    X, y, _ = make_problem(n=400, noise=0.0, seed=5)
    wrong = np.random.default_rng(0).random(400) < 0.4
    P = np.where((y == 0)[:, None], [0.9, 0.1], np.where(wrong[:, None], [0.95, 0.05],
                                                          [0.35, 0.65]))
    kw = {"head": "logreg", "lr": 0.05, "max_epochs": 30, "validation_fraction": 0,
          "confidence_coef": 0.0}
    plain = EndModel(**kw).fit(X, P)
    sharp = EndModel(**kw, label_temperature=0.1).fit(X, P)
    assert plain.predict_proba(X[y == 1])[:, 1].mean() < 0.5
    assert sharp.predict_proba(X[y == 1])[:, 1].mean() > 0.6
    assert plain.score(X, y) < 0.8 and sharp.score(X, y) > 0.9
    hard = EndModel(**kw, target="hard", label_temperature=0.1).fit(X, P)
    np.testing.assert_array_equal(hard.predict_proba(X),
                                  EndModel(**kw, target="hard").fit(X, P).predict_proba(X))


def test_confidence_loss_records_alpha_warmup(problem):
    X, _, P = problem
    clf = EndModel(confidence_coef=0.6, confidence_warmup=0.5, max_epochs=10,
                   validation_fraction=0).fit(X, P)
    alphas = [h["alpha"] for h in clf.history_]
    assert alphas[0] < alphas[2] < alphas[4] < 0.6
    assert alphas[-1] == pytest.approx(0.6)


def test_sklearn_contract(problem):
    X, y, P = problem
    clf = EndModel(head="logreg", hidden=32)
    assert clf.get_params()["hidden"] == 32
    clf.set_params(hidden=16, max_epochs=3)
    assert clone(clf).get_params() == clf.get_params()
    with pytest.raises(NotFittedError, match="not fitted"):
        clf.predict(X)
    assert clf.fit(X, P) is clf
    with pytest.raises(ValueError, match="fitted with 8"):
        clf.predict(X[:, :5])


def test_in_a_pipeline_with_soft_labels():
    texts = ["free money click now", "win cash prize now", "see you at lunch",
             "lunch at noon tomorrow", "click to win money", "meeting moved to noon"] * 10
    P = np.array([[0.1, 0.9], [0.2, 0.8], [0.9, 0.1], [0.8, 0.2], [0.3, 0.7],
                  [0.7, 0.3]] * 10)
    pipe = make_pipeline(TfidfVectorizer(), EndModel(head="logreg", lr=0.05, max_epochs=30))
    pipe.fit(texts, P)
    assert pipe.predict(["win free money", "lunch at noon"]).tolist() == [1, 0]


def test_unavailable_device_is_an_error(problem):
    X, _, P = problem
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        EndModel(device="cuda").fit(X, P)
    with pytest.raises(ValueError, match="not a valid torch device"):
        EndModel(device="gpu0").fit(X, P)


@pytest.mark.parametrize("param, value, match", [
    ("head", "svm", "unknown head"),
    ("sample_weighting", "margin", "unknown sample_weighting"),
    ("confidence_coef", 1.5, "confidence_coef"),
    ("validation_fraction", 1.0, "validation_fraction"),
    ("max_epochs", 0, "max_epochs"),
    ("label_temperature", 0.0, "label_temperature"),
    ("label_temperature", float("nan"), "label_temperature"),
])
def test_bad_hyper_parameters(problem, param, value, match):
    X, _, P = problem
    with pytest.raises(ValueError, match=match):
        EndModel(**{param: value}).fit(X, P)
