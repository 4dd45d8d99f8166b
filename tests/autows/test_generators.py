"""Generators learn accurate, deterministic, inspectable LFs."""

import numpy as np
import pytest
from sklearn.base import clone

from wslib.autows import PrototypeGenerator, SnubaGenerator, ZeroShotGenerator
from wslib.labelmodel import LabelModel


def _lf_precision(L, y_true):
    voted = L >= 0
    return (L == y_true[:, None])[voted].sum() / voted.sum(), voted.any(axis=1).mean()


# chance is 0.1; stumps on single pixels are weak (as AutoWS-Bench-101 reports for Snuba
# on images), cluster LFs on all pixels are strong
@pytest.mark.parametrize("gen,min_precision,min_coverage", [
    (SnubaGenerator(cardinality=10, max_lfs=15), 0.3, 0.2),
    (PrototypeGenerator(cardinality=10, n_restarts=1), 0.8, 0.9)], ids=["snuba", "goggles"])
def test_generated_lfs_beat_chance_on_unlabelled_items(digits, gen, min_precision, min_coverage):
    X, y, y_true = digits
    L = gen.fit(X, y).transform(X)
    assert L.shape == (800, len(gen.lfs_)) and 0 < L.shape[1] <= gen.max_lfs
    assert L.dtype == np.int8 and L.min() >= -1 and L.max() <= 9
    unlabelled = y < 0
    precision, coverage = _lf_precision(L[unlabelled], y_true[unlabelled])
    assert precision > min_precision
    assert coverage > min_coverage
    assert len(gen.describe().splitlines()) == L.shape[1]
    assert list(gen.get_feature_names_out()) == [r.name for r in gen.lfs_]


def test_goggles_with_label_model_beats_nearest_centroid_chance(digits):
    X, y, y_true = digits
    L = PrototypeGenerator(cardinality=10, n_restarts=1).fit_transform(X, y)
    pred = LabelModel(cardinality=10).fit(L, y_dev=y).predict(L, tie_break="first")
    assert np.mean(pred[y < 0] == y_true[y < 0]) > 0.8


@pytest.mark.parametrize("make", [lambda s: SnubaGenerator(cardinality=10, random_state=s),
                                  lambda s: PrototypeGenerator(cardinality=10, n_restarts=1,
                                                               random_state=s)],
                         ids=["snuba", "goggles"])
def test_generation_is_deterministic_for_a_seed(digits, make):
    X, y, _ = digits
    a = make(0).fit(X, y)
    b = make(0).fit(X, y)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert a.describe() == b.describe()
    c = clone(a).fit(X, y)
    np.testing.assert_array_equal(a.transform(X), c.transform(X))


@pytest.mark.parametrize("make", [lambda: SnubaGenerator(cardinality=10),
                                  lambda: PrototypeGenerator(cardinality=10, n_restarts=1)],
                         ids=["snuba", "goggles"])
def test_generated_rules_do_not_depend_on_the_row_order(digits, make):
    X, y, _ = digits
    order = np.random.default_rng(3).permutation(X.shape[0])
    a, b = make().fit(X, y), make().fit(X[order], y[order])
    assert a.describe() == b.describe()
    np.testing.assert_array_equal(a.transform(X)[order], b.transform(X[order]))


def test_rules_print_as_code_that_votes_like_the_rule(digits):
    X, y, _ = digits
    gen = SnubaGenerator(cardinality=10, max_lfs=10).fit(X, y)
    L = gen.transform(X[:20])
    for j, rule in enumerate(gen.lfs_):
        namespace: dict = {}
        exec(rule.to_code(), namespace)  # noqa: S102 - the generated code is the feature
        votes = [namespace[rule.name](x) for x in X[:20]]
        np.testing.assert_array_equal(votes, L[:, j])


def test_zero_shot_generator_votes_nearest_description():
    rng = np.random.default_rng(1)
    E = np.eye(3, 8)
    y_true = rng.integers(3, size=300)
    X = E[y_true] + 0.3 * rng.normal(size=(300, 8))
    y = np.full(300, -1)
    y[:30] = y_true[:30]
    gen = ZeroShotGenerator(E, cardinality=3).fit(X, y)
    L = gen.transform(X)
    voted = L[:, 0] >= 0
    assert np.mean(L[voted, 0] == y_true[voted]) > 0.9


def test_greedy_selection_skips_duplicates_and_inaccurate_candidates():
    from wslib.autows.selection import greedy_select

    y = np.array([0, 0, 1, 1, 0, 1, 0, 1])
    good = y.copy()
    bad = 1 - y
    V = np.column_stack([good, good, bad]).astype(np.int8)
    chosen = greedy_select(V, y, V, labelled=np.arange(8), max_lfs=3,
                           min_accuracy=0.6, min_support=3)
    assert chosen[0] in (0, 1)
    assert 2 not in chosen


def test_keyword_generator_finds_class_terms(texts):
    from sklearn.feature_extraction.text import CountVectorizer

    from wslib.autows import KeywordGenerator

    docs, y_true = texts
    vec = CountVectorizer(binary=True).fit(docs)
    y = y_true.copy()
    y[::3] = -1
    gen = KeywordGenerator(vec.get_feature_names_out(), cardinality=2).fit(vec.transform(docs), y)
    found = {r.term: r.label for r in gen.lfs_}
    assert found.get("free") == 1 or found.get("now") == 1
    assert all(label == (1 if term in {"free", "now", "cash", "win", "prize", "claim", "call"}
                         else 0) for term, label in found.items())


def test_keyword_lf_names_stay_unique_when_terms_write_the_same_identifier():
    """The bigram "free cash" and the token "free_cash" both read ``kw_free_cash``."""
    import scipy.sparse as sp

    from wslib.autows import KeywordGenerator

    X = sp.csr_matrix(np.array([[1, 1], [1, 1], [1, 1], [0, 0], [0, 0], [0, 0]]))
    gen = KeywordGenerator(["free cash", "free_cash"], cardinality=2, min_support=1)
    names = gen.fit(X, np.array([1, 1, 1, 0, 0, 0])).get_feature_names_out().tolist()
    assert sorted(names) == ["kw_free_cash", "kw_free_cash_2"]
