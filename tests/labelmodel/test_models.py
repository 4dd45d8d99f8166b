"""Contract tests run once for every label model, plus bad-input checks."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from wslib.datasets.synthetic import make_votes
from wslib.exceptions import CoverageWarning
from wslib.labelmodel import (
    BaseLabelModel,
    DawidSkene,
    LabelModel,
    MajorityVote,
    MatrixCompletion,
    Triplet,
    WeightedMajorityVote,
)
from wslib.matrix import to_sparse

MODELS = [LabelModel, DawidSkene, MatrixCompletion, Triplet, WeightedMajorityVote, MajorityVote]
LEARNED = [LabelModel, DawidSkene, MatrixCompletion]


@pytest.fixture(scope="module")
def votes():
    return make_votes(3000, 12, 3, n_unipolar=4, random_state=0)


@pytest.mark.parametrize("cls", MODELS)
def test_proba_rows_finite_and_sum_to_one(cls, votes):
    model = cls().fit(votes.L)
    P = model.predict_proba(votes.L)
    assert P.shape == (3000, 3) and np.all(np.isfinite(P))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


@pytest.mark.parametrize("cls", MODELS)
def test_sparse_input_equals_dense(cls, votes):
    dense = cls().fit(votes.L).predict_proba(votes.L)
    sparse = cls().fit(to_sparse(votes.L)).predict_proba(sp.csc_matrix(to_sparse(votes.L)))
    np.testing.assert_allclose(sparse, dense, atol=1e-10)


@pytest.mark.parametrize("cls", MODELS)
def test_save_load_roundtrip_exact(cls, votes, tmp_path):
    model = cls(random_state=5).fit(votes.L)
    model.save(tmp_path / "m.npz")
    back = BaseLabelModel.load(tmp_path / "m.npz")
    assert type(back) is cls and back.get_params() == model.get_params()
    np.testing.assert_array_equal(back.predict_proba(votes.L), model.predict_proba(votes.L))
    np.testing.assert_array_equal(back.predict(votes.L), model.predict(votes.L))


@pytest.mark.parametrize("cls", MODELS)
def test_deterministic(cls, votes):
    a = cls(random_state=1).fit(votes.L)
    b = cls(random_state=1).fit(votes.L)
    np.testing.assert_array_equal(a.predict_proba(votes.L), b.predict_proba(votes.L))
    np.testing.assert_array_equal(a.predict(votes.L), b.predict(votes.L))


@pytest.mark.parametrize("cls", LEARNED)
def test_learned_models_beat_majority_on_synthetic(cls):
    d = make_votes(5000, 15, 3, accuracy=(0.4, 0.95), random_state=3)
    mv = MajorityVote().fit(d.L).score(d.L, d.y, tie_break="first")
    assert cls().fit(d.L).score(d.L, d.y, tie_break="first") > mv


def test_label_model_recovers_accuracies():
    # 20k items, coverage 10-40%: each LF has >= 2000 votes, most overlapping others, so the
    # sampling error of an accuracy is ~0.01; 0.05 leaves room for the shrinkage of the prior
    # and for the leave-one-out posterior being an imperfect label.
    d = make_votes(20_000, 10, 2, accuracy=(0.6, 0.9), coverage=(0.1, 0.4), random_state=0)
    model = LabelModel().fit(d.L)
    err = np.abs(model.accuracy_ - d.accuracy)
    assert err.mean() < 0.03 and err.max() < 0.06, err
    assert np.corrcoef(model.accuracy_, d.accuracy)[0, 1] > 0.9


def test_dawid_skene_recovers_confusion_with_unipolar_lfs():
    # abstain-aware DS is the correctly specified model here; same tolerance reasoning as above
    d = make_votes(20_000, 10, 2, coverage=(0.1, 0.4), n_unipolar=6, random_state=1)
    model = DawidSkene().fit(d.L)
    assert np.abs(model.accuracy_ - d.accuracy).mean() < 0.05
    np.testing.assert_allclose(model.class_balance_, d.class_balance, atol=0.05)


def test_label_model_uses_dev_labels():
    d = make_votes(3000, 10, 2, random_state=2)
    model = LabelModel().fit(d.L, y_dev=d.y[:500], L_dev=d.L[:500])
    assert np.abs(model.accuracy_ - d.accuracy).mean() < 0.05
    y_partial = np.full(3000, -1)
    y_partial[:500] = d.y[:500]
    aligned = LabelModel().fit(d.L, y_dev=y_partial)
    np.testing.assert_allclose(aligned.accuracy_, model.accuracy_)


def test_weighted_majority_vote_given_accuracies():
    L = np.array([[0, 1, 1], [1, 0, 0], [0, -1, 1]])
    model = WeightedMajorityVote(accuracy=[0.95, 0.6, 0.6]).fit(L)
    assert model.predict(L).tolist() == [0, 1, 0]
    with pytest.raises(ValueError, match="3 numbers in"):
        WeightedMajorityVote(accuracy=[0.9, 0.9]).fit(L)


# --------------------------------------------------------------------- robustness / edge cases
@pytest.mark.parametrize("cls", MODELS)
def test_all_abstain_rows_and_lfs_warn_and_work(cls):
    d = make_votes(500, 6, 2, random_state=0)
    L = d.L.copy()
    L[:, 2] = -1
    L[:50] = -1
    with pytest.warns(CoverageWarning) as rec:
        model = cls().fit(L)
    text = " ".join(str(w.message) for w in rec)
    assert "items" in text and "have no votes" in text and "[2]" in text
    P = model.predict_proba(L)
    assert np.all(np.isfinite(P))
    np.testing.assert_allclose(P[:50], np.broadcast_to(P[0], (50, 2)))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


@pytest.mark.parametrize("cls", MODELS)
def test_many_classes_and_many_lfs_on_one_row(cls):
    rng = np.random.default_rng(0)
    L = np.where(rng.random((400, 8)) < 0.5, rng.integers(0, 50, (400, 8)), -1).astype(np.int8)
    P = cls(cardinality=50).fit(L).predict_proba(L)
    assert P.shape == (400, 50) and np.all(np.isfinite(P))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    L = np.full((20, 1000), -1, dtype=np.int8)
    L[0] = 1  # 1,000 LFs agree on one row: scores overflow unless computed in log space
    L[1:, ::2] = rng.integers(0, 2, (19, 500))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        P = cls().fit(L).predict_proba(L)
    assert np.all(np.isfinite(P)) and P[0, 1] > 0.99
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


@pytest.mark.parametrize("cls", MODELS)
@pytest.mark.parametrize("bad, exc, match", [
    (np.array([[0.0, 1.5, 1.0]] * 4), ValueError, "non-integer vote 1.5 at row 0, column 1"),
    (np.array([[0.0, np.nan, 1.0]] * 4), ValueError, "non-finite vote at row 0, column 1"),
    (np.array([[0, -2, 1]] * 4), ValueError, "vote -2 at row 0, column 1"),
    (np.zeros((0, 3), dtype=int), ValueError, "zero rows"),
])
def test_bad_votes_rejected(cls, bad, exc, match):
    with pytest.raises(exc, match=match):
        cls().fit(bad)


@pytest.mark.parametrize("cls", MODELS)
def test_vote_at_or_above_cardinality_and_wrong_width(cls, votes):
    with pytest.raises(ValueError, match="vote 3 at row 0, column 0, outside 0..2"):
        cls(cardinality=3).fit(np.array([[3, 0, 1]] * 4))
    model = cls().fit(votes.L)
    with pytest.raises(ValueError, match="11 columns but the model was fitted with 12"):
        model.predict_proba(votes.L[:, :11])
    with pytest.raises(ValueError, match="vote 5 at row 0"):
        model.predict_proba(np.full((2, 12), 5))


@pytest.mark.parametrize("cls", MODELS)
def test_mismatched_y_dev(cls, votes):
    with pytest.raises(ValueError, match="y_dev has 10 labels but there are 3000 items"):
        cls().fit(votes.L, y_dev=np.zeros(10, dtype=int))
    with pytest.raises(ValueError, match=r"y_dev\[0\] = 7 is not a class"):
        cls().fit(votes.L, y_dev=np.full(5, 7), L_dev=votes.L[:5])


def test_too_few_lfs_for_dawid_skene():
    L = np.array([[0, 1], [1, 1], [0, 0]])
    with pytest.raises(ValueError, match="at least 3 labeling functions.*MajorityVote"):
        DawidSkene().fit(L)
    assert LabelModel().fit(L).predict_proba(L).shape == (3, 2)


def test_bad_hyper_parameters(votes):
    with pytest.raises(ValueError, match="smoothing"):
        LabelModel(smoothing=-1).fit(votes.L)
    with pytest.raises(ValueError, match="max_iter"):
        LabelModel(max_iter=0).fit(votes.L)
    with pytest.raises(ValueError, match="smoothing"):
        DawidSkene(smoothing=-1).fit(votes.L)


def test_triplet_says_which_lfs_get_the_default_accuracy():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    acc = np.array([0.95, 0.9, 0.6, 0.55, 0.85, 0.52])
    votes = np.where(rng.random((2000, 6)) < acc, y[:, None], 1 - y[:, None])
    L = np.where(rng.random((2000, 6)) < 0.06, votes, -1)  # ~7 co-votes per pair
    with pytest.warns(CoverageWarning, match=r"LFs \[0, 1, 2, 3, 4, 5\].*default_accuracy=0.7"):
        model = Triplet().fit(L)
    assert np.allclose(model.accuracy_, 0.7)


def test_triplet_recovers_accuracies_multiclass():
    # multi-polar LFs with large overlaps: moment estimates from 5k items are within ~0.02
    d = make_votes(5000, 10, 3, coverage=(0.3, 0.8), random_state=0)
    err = np.abs(Triplet().fit(d.L).accuracy_ - d.accuracy)
    assert err.mean() < 0.03 and err.max() < 0.08


def test_matrix_completion_recovers_accuracies_and_limits_size():
    # conditionally independent LFs: the overlap moments of 5k items pin accuracies to ~0.02
    d = make_votes(5000, 10, 3, coverage=(0.3, 0.8), random_state=0)
    err = np.abs(MatrixCompletion().fit(d.L).accuracy_ - d.accuracy)
    assert err.mean() < 0.03
    with pytest.raises(ValueError, match="overlap matrix .* use LabelModel"):
        MatrixCompletion(cardinality=100).fit(np.zeros((5, 70), dtype=np.int8))


def test_label_model_learns_nested_fixing_pairs():
    # LF 3 is a narrow rule that fires only inside broad LF 2 and corrects it there
    d = make_votes(4000, 6, 2, accuracy=(0.75, 0.9), coverage=(0.2, 0.4), random_state=4)
    L = d.L.copy()
    broad = np.random.default_rng(0).random(4000) < 0.4
    L[:, 2] = np.where(broad, 0, -1)
    narrow = broad & (d.y == 1)
    L[:, 3] = np.where(narrow, 1, -1)
    model = LabelModel(posterior="votes").fit(L)
    assert [3, 2] in model.fixes_.tolist()
    assert model.score(L[narrow], d.y[narrow]) > 0.95
    np.testing.assert_allclose(model.predict_proba(to_sparse(L)), model.predict_proba(L))
    assert LabelModel(posterior="votes", fix_nested=False).fit(L).fixes_.shape == (0, 2)


@pytest.mark.parametrize("cls", MODELS)
def test_models_share_the_base_not_each_other(cls):
    """Maths is shared through functions: every model derives from the base alone, and
    declares which of its learned arrays have one entry per LF or per class."""
    assert cls.__bases__ == (BaseLabelModel,)
    assert set(cls._per_source) | set(cls._per_class) <= set(cls._learned)


@pytest.mark.parametrize("cls", [DawidSkene, LabelModel, MatrixCompletion, Triplet,
                                 WeightedMajorityVote])
def test_declared_per_source_arrays_have_one_row_per_lf(cls, votes):
    model = cls().fit(votes.L)
    assert cls._per_source
    for name in cls._per_source:
        assert getattr(model, name).shape[0] == votes.L.shape[1], name
    for name in cls._per_class:
        assert getattr(model, name).shape == (3,), name
