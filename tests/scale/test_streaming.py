"""Label models fitted from streamed statistics equal in-memory fits; batch-wise predict."""

import numpy as np
import pytest

from wslib.apply.parquet import apply_parquet
from wslib.datasets.synthetic import make_votes
from wslib.labelmodel import LabelModel, MajorityVote, Triplet, WeightedMajorityVote
from wslib.labelmodel.dawid_skene import DawidSkene
from wslib.labelmodel.streaming import (
    accumulate_stats,
    fit_streaming,
    iter_vote_batches,
    predict_proba_streaming,
)

from .conftest import assert_same_learned

#: EM iterations are capped (equal on both sides) to keep the suite fast
pytestmark = [pytest.mark.filterwarnings("ignore::wslib.exceptions.ConvergenceWarning"),
              pytest.mark.filterwarnings("ignore::wslib.exceptions.CoverageWarning")]


def DS(**params):
    return DawidSkene(max_iter=25, **params)


@pytest.fixture(scope="module")
def votes():
    return make_votes(4_000, 10, 3, random_state=3).L


STREAMABLE = {"DawidSkene": DS, "LabelModel": LabelModel}


@pytest.mark.parametrize("model", sorted(STREAMABLE))
@pytest.mark.parametrize("capacity", [20_000, 60])  # exact statistics, then a hash sample
def test_streamed_fit_equals_in_memory_fit(votes, tmp_path, capacity, model):
    np.save(tmp_path / "L.npy", votes)
    make = STREAMABLE[model]
    ref = make(cardinality=3, max_patterns=capacity).fit(votes)
    got = fit_streaming(make(cardinality=3, max_patterns=capacity), tmp_path / "L.npy",
                        batch_size=333)
    assert_same_learned(got, ref)
    if capacity == 60:
        assert not accumulate_stats(votes, 3, capacity=60).exact


def test_fit_from_parquet_stream_stats_equals_in_memory(parquet_dir, lfs, tmp_path):
    res = apply_parquet(parquet_dir, lfs, tmp_path / "L.parquet", cardinality=2, stats=True,
                        batch_size=400)
    ref = DS(cardinality=2).fit(res.votes())
    assert_same_learned(fit_streaming(DS(), res.stats), ref)
    assert_same_learned(fit_streaming(DS(cardinality=2), res, batch_size=700), ref)


def test_class_balance_is_passed_through(votes):
    prior = [0.5, 0.3, 0.2]
    ref = DS(cardinality=3).fit(votes, class_balance=prior)
    got = fit_streaming(DS(), iter(np.array_split(votes, 7)), cardinality=3,
                        class_balance=prior)
    assert_same_learned(got, ref)


@pytest.mark.parametrize("suffix", [".npy", ".parquet", ".arrow"])
def test_predict_proba_streaming_writes_every_row(votes, tmp_path, suffix):
    model = DS(cardinality=3).fit(votes)
    np.save(tmp_path / "L.npy", votes)
    path = predict_proba_streaming(model, tmp_path / "L.npy", tmp_path / f"P{suffix}",
                                   batch_size=999)
    from wslib.apply.parquet import read_votes
    np.testing.assert_allclose(read_votes(path), model.predict_proba(votes), atol=1e-12)


def test_iter_vote_batches_sources(votes, tmp_path):
    np.save(tmp_path / "L.npy", votes)
    for source in (votes, tmp_path / "L.npy", [votes[:10], votes[10:]]):
        np.testing.assert_array_equal(np.concatenate(list(iter_vote_batches(source, 1234))),
                                      votes)


@pytest.fixture(scope="module")
def dev_set():
    """A small gold-labelled set: votes and labels, separate from the streamed votes."""
    d = make_votes(300, 10, 3, random_state=30)
    return d.L, d.y


def test_majority_vote_from_stats_equals_in_memory(votes, tmp_path):
    np.save(tmp_path / "L.npy", votes)
    for prior in (None, [0.6, 0.3, 0.1]):
        ref = MajorityVote().fit(votes, class_balance=prior)
        got = fit_streaming(MajorityVote(), tmp_path / "L.npy", cardinality=3,
                            class_balance=prior, batch_size=777)
        assert (got.cardinality_, got.n_sources_) == (3, 10)
        assert_same_learned(got, ref, atol=0)
        np.testing.assert_array_equal(got.predict_proba(votes), ref.predict_proba(votes))


@pytest.mark.parametrize("source", ["accuracy", "dev"])
def test_weighted_vote_from_stats_equals_in_memory(votes, dev_set, tmp_path, source):
    np.save(tmp_path / "L.npy", votes)
    L_dev, y_dev = dev_set
    params = {"accuracy": np.linspace(0.55, 0.95, 10)} if source == "accuracy" else {}
    dev = {"L_dev": L_dev, "y_dev": y_dev} if source == "dev" else {}
    ref = WeightedMajorityVote(**params).fit(votes, class_balance=[0.5, 0.25, 0.25], **dev)
    got = fit_streaming(WeightedMajorityVote(**params), tmp_path / "L.npy", cardinality=3,
                        class_balance=[0.5, 0.25, 0.25], batch_size=999, **dev)
    assert_same_learned(got, ref, atol=0)
    assert not np.allclose(got.accuracy_, got.accuracy_[0])  # the weights were learned / given
    np.testing.assert_allclose(got.predict_proba(votes), ref.predict_proba(votes), atol=1e-12)


def test_dawid_skene_dev_labels_from_stats(votes, dev_set):
    _, y_dev = dev_set
    ref = DS(cardinality=3).fit(votes[:300], y_dev=y_dev)
    got = DS().fit_stats(accumulate_stats(votes[:300], 3), y_dev=y_dev)
    assert_same_learned(got, ref)


def test_bad_dev_sets(votes, dev_set):
    L_dev, y_dev = dev_set
    with pytest.raises(ValueError, match="y_dev was given without L_dev"):
        fit_streaming(WeightedMajorityVote(), votes, cardinality=3, y_dev=y_dev)
    with pytest.raises(ValueError, match="L_dev was given without y_dev"):
        fit_streaming(WeightedMajorityVote(), votes, cardinality=3, L_dev=L_dev)
    with pytest.raises(ValueError, match="L_dev"):
        fit_streaming(WeightedMajorityVote(), votes, cardinality=3, L_dev=L_dev[:, :4],
                      y_dev=y_dev)
    with pytest.raises(ValueError, match="y_dev"):
        fit_streaming(WeightedMajorityVote(), votes, cardinality=3, L_dev=L_dev,
                      y_dev=y_dev[:10])
    with pytest.raises(TypeError, match="MajorityVote.fit_stats takes no L_dev or y_dev"):
        fit_streaming(MajorityVote(), votes, cardinality=3, L_dev=L_dev, y_dev=y_dev)


def test_bad_sources_and_models(votes, tmp_path):
    with pytest.raises(TypeError, match="Triplet cannot be fitted from streamed"):
        fit_streaming(Triplet(), votes, cardinality=3)
    from wslib.labelmodel import MatrixCompletion
    with pytest.raises(TypeError, match="MatrixCompletion cannot be fitted from streamed"):
        fit_streaming(MatrixCompletion(), votes, cardinality=3)
    with pytest.raises(ValueError, match="cannot infer the number of classes"):
        fit_streaming(DS(), votes)
    with pytest.raises(ValueError, match="cardinality=2 but the statistics have 3"):
        fit_streaming(DS(cardinality=2), accumulate_stats(votes, 3))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        list(iter_vote_batches(tmp_path / "missing.npy"))
    with pytest.raises(TypeError, match="cannot read votes from a int"):
        list(iter_vote_batches(5))
    with pytest.raises(ValueError, match="yielded no rows"):
        accumulate_stats([], 3)
    bad = votes.copy()
    bad[2500, 4] = 7
    with pytest.raises(ValueError, match="7"):
        fit_streaming(DS(cardinality=3), bad, batch_size=1000)
    model = DS(cardinality=3).fit(votes)
    with pytest.raises(TypeError, match="known length"):
        predict_proba_streaming(model, iter([votes]), tmp_path / "P.npy")


def test_truncated_npy_is_reported(votes, tmp_path):
    path = tmp_path / "L.npy"
    np.save(path, votes)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="L.npy is truncated"):
        list(iter_vote_batches(path, 1000))
    model = DS(cardinality=3).fit(votes)
    with pytest.raises(ValueError, match="truncated"):
        predict_proba_streaming(model, path, tmp_path / "P.npy", batch_size=1000)
    assert not (tmp_path / "P.npy").exists()
