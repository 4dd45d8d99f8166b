"""``SnubaGenerator`` says so when ``validation_fraction`` can hold out no labelled item."""

import numpy as np
import pytest

from wslib.autows import SnubaGenerator


def _one_per_class(k):
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, k, 120)
    X = np.eye(k)[y_true] * 2 + rng.normal(0, 0.7, (120, k))
    y = np.full(120, -1)
    y[:k] = np.arange(k)
    return X, y


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("min_support", [0, 1, 3])
def test_one_labelled_item_per_class_names_the_hold_out(k, min_support):
    X, y = _one_per_class(k)
    with pytest.raises(ValueError, match="validation_fraction=0.5 holds out none of the "
                                         f"{k} labelled items"):
        SnubaGenerator(min_support=min_support).fit(X, y)


def test_without_hold_out_one_item_per_class_fits():
    X, y = _one_per_class(3)
    gen = SnubaGenerator(min_support=1, validation_fraction=0, min_accuracy=0.0).fit(X, y)
    assert gen.transform(X).shape[0] == 120
