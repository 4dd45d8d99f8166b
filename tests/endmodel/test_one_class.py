"""``EndModel.fit`` refuses labels that show a single class instead of inventing another."""

import numpy as np
import pytest

from wslib.endmodel import EndModel

X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)


@pytest.mark.parametrize("label", [0, 1, 2])
def test_hard_labels_of_one_class_are_refused(label):
    with pytest.raises(ValueError, match=f"y holds only class {label}.*at least two classes"):
        EndModel(head="logreg", max_epochs=2).fit(X, np.full(40, label))


def test_one_class_among_the_covered_rows_is_refused():
    y = np.r_[np.ones(30, int), -np.ones(10, int)]  # the others abstain
    with pytest.raises(ValueError, match="y holds only class 1"):
        EndModel(head="logreg", max_epochs=2).fit(X, y)


def test_soft_labels_with_all_mass_on_one_class_are_refused():
    P = np.tile([0.0, 1.0, 0.0], (40, 1))
    with pytest.raises(ValueError, match="all its probability mass on class 1"):
        EndModel(head="logreg", max_epochs=2).fit(X, P)


def test_two_classes_still_fit():
    y = np.r_[np.zeros(20, int), np.full(20, 2)]
    assert EndModel(head="logreg", max_epochs=2).fit(X, y).classes_.tolist() == [0, 1, 2]
