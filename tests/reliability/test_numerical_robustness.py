"""Numerical robustness of every label model (many LFs on one row, many classes,
near-perfect and near-adversarial sources, degenerate constant votes), of the end
model (one-hot labels, extreme feature scales) and of Weaver (degenerate verifiers).

numpy RuntimeWarnings (overflow, underflow to log(0), 0/0) are errors under
pytest, so any non-log-space arithmetic fails these tests, not only NaN output.
"""

from __future__ import annotations

import numpy as np
import pytest

from wslib.datasets.synthetic import make_votes
from wslib.exceptions import CoverageWarning
from wslib.matrix import to_sparse

from ._support import LABEL_MODEL_IDS, LABEL_MODELS, assert_proba, min_sources, quiet

each_model = pytest.mark.parametrize("cls", LABEL_MODELS, ids=LABEL_MODEL_IDS)

M_WIDE = 1000


@pytest.fixture(scope="module")
def wide_votes() -> tuple[np.ndarray, np.ndarray]:
    """300 items x 1000 accurate LFs; row 0: all 1000 vote 1; row 1: 500 vote 0 and
    500 vote 1; row 2: nobody votes."""
    data = make_votes(300, M_WIDE, 2, accuracy=(0.7, 0.95), coverage=(0.05, 0.2),
                      random_state=11)
    L = data.L.copy()
    L[0] = 1
    L[1, : M_WIDE // 2] = 0
    L[1, M_WIDE // 2:] = 1
    L[2] = -1
    return L, data.y


def _fit(cls, L, **params):
    with quiet():
        return cls(random_state=0, **params).fit(L)


@each_model
@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_thousand_lfs_on_one_row(cls, wide_votes, layout):
    L, _ = wide_votes
    votes = L if layout == "dense" else to_sparse(L)
    model = _fit(cls, votes)
    P = model.predict_proba(votes)
    assert_proba(P, *L.shape[:1], 2)
    # 1000 accurate sources agreeing: certain, not NaN and not a flat 0.5
    assert P[0, 1] > 0.99, P[0]
    # a single new item on which all 1000 LFs vote 0
    P_new = model.predict_proba(np.zeros((1, M_WIDE), dtype=np.int8))
    assert_proba(P_new, 1, 2)
    assert P_new[0, 0] > 0.99, P_new


@each_model
def test_fifty_classes(cls):
    data = make_votes(600, 30, 50, accuracy=(0.6, 0.95), coverage=(0.2, 0.6), random_state=3)
    model = _fit(cls, data.L, cardinality=50)
    P = model.predict_proba(data.L)
    assert_proba(P, 600, 50)
    covered = (data.L >= 0).any(axis=1)
    assert np.mean(P[covered].argmax(axis=1) == data.y[covered]) > 0.9


@each_model
def test_near_perfect_sources(cls):
    data = make_votes(400, 12, 3, accuracy=(0.999, 1.0), coverage=(0.3, 0.9), random_state=5)
    model = _fit(cls, data.L)
    P = model.predict_proba(data.L)
    assert_proba(P, 400, 3)
    covered = (data.L >= 0).any(axis=1)
    assert np.mean(model.predict(data.L, tie_break="first")[covered] == data.y[covered]) > 0.98


@each_model
def test_perfect_full_coverage_identical_sources(cls):
    """Every LF votes the true class on every item: zero variance, perfectly
    correlated columns, accuracies of exactly 1 (log 0 waiting to happen)."""
    y = np.tile(np.arange(3), 50)
    L = np.repeat(y[:, None], max(5, min_sources(cls)), axis=1).astype(np.int8)
    model = _fit(cls, L)
    P = model.predict_proba(L)
    assert_proba(P, L.shape[0], 3)
    np.testing.assert_array_equal(P.argmax(axis=1), y)


@each_model
@pytest.mark.parametrize("accuracy", [(0.0, 0.001), (0.999, 1.0)], ids=["adversarial", "perfect"])
def test_extreme_accuracy_many_lfs(cls, accuracy):
    data = make_votes(300, 200, 2, accuracy=accuracy, coverage=(0.5, 0.9), random_state=8)
    P = _fit(cls, data.L).predict_proba(data.L)
    assert_proba(P, 300, 2)


@each_model
def test_mixed_perfect_and_adversarial_sources(cls):
    good = make_votes(300, 20, 2, accuracy=(0.999, 1.0), coverage=(0.5, 0.9), random_state=1)
    bad_L = np.where(good.L >= 0, 1 - good.L, -1).astype(np.int8)[:, :10]
    L = np.hstack([good.L, bad_L])
    P = _fit(cls, L).predict_proba(L)
    assert_proba(P, 300, 2)


@each_model
def test_a_class_of_prior_zero_is_never_chosen_and_warns_nothing(cls):
    import warnings

    L = make_votes(300, 8, 2, random_state=2).L.copy()
    L[:10] = -1  # items without votes: the prior alone labels them
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # log(0) must not leak from numpy
        warnings.simplefilter("ignore", CoverageWarning)
        P = cls(cardinality=2).fit(L, class_balance=[1.0, 0.0]).predict_proba(L)
    assert_proba(P, 300, 2)
    if cls.__name__ != "MajorityVote":
        assert (P[:, 1] < 1e-12).all()
        return
    # majority vote reads the prior only where nobody votes: the vote shares elsewhere
    counts = np.stack([(L == c).sum(axis=1) for c in range(2)], axis=1)
    top = (counts == counts.max(axis=1, keepdims=True)).astype(float)
    covered = counts.sum(axis=1) > 0
    np.testing.assert_allclose(P[covered], (top / top.sum(axis=1, keepdims=True))[covered])
    np.testing.assert_allclose(P[~covered], np.tile([1.0, 0.0], ((~covered).sum(), 1)))


# ------------------------------------------------------ end model and Weaver
@pytest.mark.parametrize("scale", [1.0, 1e-30, 1e6], ids=["unit", "tiny", "huge"])
@pytest.mark.parametrize("head", ["logreg", "mlp"])
def test_end_model_on_one_hot_labels_and_extreme_features(head, scale):
    """One-hot soft labels (log 0 in a naive cross-entropy) and features far from unit scale."""
    from wslib.endmodel import EndModel

    rng = np.random.default_rng(0)
    X = (rng.normal(size=(200, 4)) * scale).astype(np.float32)
    P = np.eye(2)[(X[:, 0] > 0).astype(int)]
    with quiet():
        Q = EndModel(head=head, max_epochs=3, hidden=8).fit(X, P).predict_proba(X)
    assert_proba(np.asarray(Q, dtype=np.float64), 200, 2)


@pytest.mark.parametrize("mode", ["label-free", "faithful"])
@pytest.mark.parametrize("damage", ["constant", "all-missing", "huge"])
def test_weaver_with_degenerate_verifiers(mode, damage):
    from wslib.datasets.synthetic import make_verifier_table
    from wslib.weaver import Weaver

    table = make_verifier_table(30, 8, 6, random_state=0)
    column = next(c for c in table.columns
                  if c not in ("problem_id", "candidate_id", "answer", "correct"))
    table[column] = {"constant": 1.0, "all-missing": np.nan,
                     "huge": table[column] * 1e200}[damage]
    with quiet():
        weaver = Weaver(mode=mode).fit(table)
        proba = weaver.predict_proba(table)
    assert_proba(proba, len(table), 2)
    assert len(weaver.select(table)) == table["problem_id"].nunique()
