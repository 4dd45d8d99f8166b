"""Feature views and the zero-shot classifier."""

import numpy as np
import pytest
import scipy.sparse as sp

from wslib.autows import ZeroShotClassifier
from wslib.autows.features import FeatureView, pca_view, raw_view, term_view
from wslib.exceptions import NotFittedError


def test_term_view_names_its_columns(texts):
    docs, _ = texts
    view = term_view(docs[:8], docs[8:])
    assert sp.issparse(view.train) and view.train.shape[1] == len(view.vocabulary)
    col = view.vocabulary.index("free")
    assert view.train[0, col] == 1 and view.test.shape == (4, view.train.shape[1])


def test_pca_view_of_dense_and_sparse_views(texts):
    rng = np.random.default_rng(0)
    dense = pca_view(raw_view(rng.normal(size=(40, 6)), rng.normal(size=(5, 6))), n_components=3)
    assert dense.train.shape == (40, 3) and dense.test.shape == (5, 3)
    docs, _ = texts
    sparse = pca_view(term_view(docs, docs[:3]), n_components=4)
    assert sparse.train.shape == (12, 4) and sparse.name == "pca(terms)"


def test_feature_view_checks_width_and_values():
    with pytest.raises(ValueError, match=r"raw view \(test\) has 2 features but .* fitted with 3"):
        raw_view(np.zeros((4, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="non-finite value inf at row 1, column 0"):
        FeatureView("emb", np.array([[0.0], [np.inf]]), np.zeros((1, 1)))


def test_zero_shot_classifier_uses_no_labels_and_checks_shapes():
    E = np.array([[1.0, 0.0], [0.0, 1.0]])
    X = np.array([[0.9, 0.1], [0.2, 0.7], [0.6, 0.5]])
    zs = ZeroShotClassifier(E)
    with pytest.raises(NotFittedError):
        zs.predict(X)
    zs.fit(X)
    np.testing.assert_array_equal(zs.predict(X), [0, 1, 0])
    proba = zs.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert zs.score(X, [0, 1, 0]) == 1.0
    with pytest.raises(ValueError, match="class_embeddings has 2 dimensions but X has 3"):
        ZeroShotClassifier(E).fit(np.zeros((2, 3)))
