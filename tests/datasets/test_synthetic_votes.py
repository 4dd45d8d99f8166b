import numpy as np
import pytest

from wslib.datasets.synthetic import make_votes


def test_shapes_and_dtype():
    d = make_votes(500, 12, 4, n_unipolar=4, n_correlated=2, random_state=1)
    assert d.L.shape == (500, 12) and d.L.dtype == np.int8
    assert d.y.shape == (500,) and d.y.min() >= 0 and d.y.max() < 4
    assert d.confusion.shape == (12, 4, 4) and d.propensity.shape == (12, 4)
    np.testing.assert_allclose(d.confusion.sum(axis=2), 1.0)
    assert d.L.min() >= -1 and d.L.max() < 4
    assert len(d.correlated_pairs) == 2 and all(c >= 10 for _, c in d.correlated_pairs)


def test_empirical_parameters_match_truth():
    d = make_votes(200_000, 8, 3, class_balance=[0.6, 0.3, 0.1], n_unipolar=3, random_state=2)
    voted = d.L >= 0
    np.testing.assert_allclose(voted.mean(axis=0), d.coverage, atol=0.01)
    emp_acc = np.array([(d.L[voted[:, j], j] == d.y[voted[:, j]]).mean() for j in range(8)])
    np.testing.assert_allclose(emp_acc, d.accuracy, atol=0.02)
    np.testing.assert_allclose(np.bincount(d.y, minlength=3) / d.y.size, d.class_balance,
                               atol=0.01)


def test_unipolar_lfs_vote_one_class():
    d = make_votes(2000, 6, 3, n_unipolar=6, random_state=0)
    for j in range(6):
        votes = np.unique(d.L[:, j])
        assert set(votes.tolist()) <= {-1, int(d.polarity[j])}


def test_correlated_copies_agree_with_source():
    d = make_votes(5000, 6, 2, n_correlated=2, copy_noise=0.05, random_state=0)
    for src, copy in d.correlated_pairs:
        assert np.mean(d.L[:, src] == d.L[:, copy]) > 0.9


def test_deterministic_and_seed_dependent():
    a = make_votes(300, 5, 2, random_state=4)
    b = make_votes(300, 5, 2, random_state=4)
    c = make_votes(300, 5, 2, random_state=5)
    np.testing.assert_array_equal(a.L, b.L)
    assert not np.array_equal(a.L, c.L)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=0, m=3, k=2), "n >= 1"),
    (dict(n=10, m=3, k=2, n_unipolar=2, n_correlated=2), "at most m"),
    (dict(n=10, m=3, k=2, accuracy=(0.9, 0.5)), "accuracy"),
    (dict(n=10, m=3, k=2, class_balance=[0.5, 0.6]), "class_balance"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_votes(**kwargs)
