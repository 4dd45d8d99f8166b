"""Bad input: clear errors that name the culprit."""

import numpy as np
import pytest
import scipy.sparse as sp

from wslib.autows import KeywordGenerator, PrototypeGenerator, SnubaGenerator, ZeroShotGenerator
from wslib.exceptions import NotFittedError

GENERATORS = [SnubaGenerator, PrototypeGenerator]


@pytest.mark.parametrize("cls", GENERATORS)
def test_fewer_labels_than_classes(cls):
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = np.full(20, -1)
    y[:2] = [0, 1]
    with pytest.raises(ValueError, match="only 2 labelled items for 3 classes"):
        cls(cardinality=3).fit(X, y)


@pytest.mark.parametrize("cls", GENERATORS)
def test_class_without_labelled_example_is_named(cls):
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = np.full(20, -1)
    y[:6] = [0, 0, 0, 2, 2, 2]
    with pytest.raises(ValueError, match=r"class 1 \('HUM'\) has no labelled example"):
        cls(cardinality=3, class_names=["DESC", "HUM", "LOC"]).fit(X, y)


@pytest.mark.parametrize("cls", GENERATORS)
def test_nan_feature_names_row_and_column(cls):
    X = np.random.default_rng(0).normal(size=(20, 3))
    X[7, 2] = np.nan
    y = np.array([0, 1] * 10)
    with pytest.raises(ValueError, match="non-finite value nan at row 7, column 2"):
        cls().fit(X, y)


def test_nan_in_sparse_features_names_row_and_column():
    X = sp.csr_matrix(np.eye(6, dtype=np.float64))
    X.data[3] = np.inf
    with pytest.raises(ValueError, match="row 3, column 3"):
        KeywordGenerator([f"t{i}" for i in range(6)]).fit(X, [0, 1, 0, 1, 0, 1])


@pytest.mark.parametrize("cls", GENERATORS)
def test_mismatched_lengths(cls):
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="X has 20 rows but y has 19 entries"):
        cls().fit(X, np.array([0, 1] * 9 + [0]))


def test_label_outside_cardinality():
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"y\[3\] = 5 is not a class"):
        SnubaGenerator(cardinality=2).fit(X, [0, 1, 0, 5])


def test_object_features_rejected():
    with pytest.raises(TypeError, match="object dtype"):
        SnubaGenerator().fit(np.array([["a"], ["b"]], dtype=object), [0, 1])


def test_transform_checks_width_and_fit(digits):
    X, y, _ = digits
    gen = PrototypeGenerator(cardinality=10, n_clusters=(1,), n_restarts=1)
    with pytest.raises(NotFittedError):
        gen.transform(X)
    gen.fit(X, y)
    with pytest.raises(ValueError, match="X has 63 features but the generator was fitted with 64"):
        gen.transform(X[:, :63])


def test_vocabulary_must_match_columns():
    X = sp.csr_matrix(np.eye(4))
    with pytest.raises(ValueError, match="vocabulary has 3 terms but X has 4 columns"):
        KeywordGenerator(["a", "b", "c"]).fit(X, [0, 1, 0, 1])


def test_zero_shot_embedding_width_mismatch():
    X = np.random.default_rng(0).normal(size=(10, 4))
    with pytest.raises(ValueError, match="class_embeddings has 3 dimensions but X has 4"):
        ZeroShotGenerator(np.eye(2, 3)).fit(X, [0, 1] * 5)


@pytest.mark.parametrize("cls", GENERATORS)
@pytest.mark.parametrize("names", [["DESC", "HUM"], ["DESC", "HUM", "LOC", "NUM"]])
def test_class_names_must_name_every_class(cls, names):
    X = np.random.default_rng(0).normal(size=(30, 3))
    y = np.array([0, 1, 2] * 10)
    with pytest.raises(ValueError, match=f"class_names has {len(names)} names for 3 classes"):
        cls(class_names=names).fit(X, y)
