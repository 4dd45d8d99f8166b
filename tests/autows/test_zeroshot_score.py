"""``ZeroShotClassifier.score`` uses ``sample_weight`` and checks ``y`` against its classes."""

import numpy as np
import pytest

from wslib.autows import ZeroShotClassifier


def _fitted():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    X = np.eye(3)[y] * 2 + rng.normal(0, 0.7, (200, 3))
    return ZeroShotClassifier(np.eye(3)).fit(X), X, y


def test_score_weighs_rows_by_sample_weight():
    zs, X, y = _fitted()
    right = (zs.predict(X) == y).astype(float)
    assert zs.score(X, y) < 1.0
    assert zs.score(X, y, sample_weight=right) == 1.0
    assert zs.score(X, y, sample_weight=1.0 - right) == 0.0


def test_score_rejects_bad_weights_and_labels_outside_the_classes():
    zs, X, y = _fitted()
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[200, 200, 3\]"):
        zs.score(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="at least one non-zero"):
        zs.score(X, y, sample_weight=np.zeros(200))
    with pytest.raises(ValueError, match="5"):
        zs.score(X, np.r_[5, y[1:]])
