"""LabelModel's class-balance estimate and the soft label of items without votes."""

import numpy as np
import pytest

from wslib.datasets.synthetic import make_votes
from wslib.exceptions import WslibWarning
from wslib.labelmodel import LabelModel

pytestmark = pytest.mark.filterwarnings("ignore::wslib.exceptions.CoverageWarning")


@pytest.mark.parametrize("n_unipolar", [0, 30])
def test_balance_estimate_moves_towards_the_truth_and_ranks_classes(n_unipolar):
    truth = np.array([0.4, 0.3, 0.15, 0.1, 0.05])
    d = make_votes(20_000, 30, 5, class_balance=truth, n_unipolar=n_unipolar, random_state=1)
    est = LabelModel(posterior="votes").fit(d.L).balance_estimate_
    assert est.shape == (5,) and np.isclose(est.sum(), 1.0)
    assert np.array_equal(np.argsort(est), np.argsort(truth))
    assert np.abs(est - truth).max() < 0.5 * np.abs(0.2 - truth).max()


def test_given_class_balance_is_the_estimate():
    d = make_votes(2000, 8, 2, random_state=0)
    model = LabelModel(posterior="votes", uncovered="prior").fit(d.L, class_balance=[0.7, 0.3])
    np.testing.assert_allclose(model.balance_estimate_, [0.7, 0.3])
    np.testing.assert_allclose(model.uncovered_proba_, [0.7, 0.3])


def _default_class_votes():
    """Only class-1 LFs: items of class 0 are the ones no LF votes on."""
    d = make_votes(20_000, 20, 2, n_unipolar=20, class_balance=[0.6, 0.4],
                   coverage=(0.1, 0.3), accuracy=(0.7, 0.95), random_state=3)
    return d.L[:, d.polarity == 1], d.y


def test_firing_posterior_labels_uncovered_items_as_the_silent_class():
    L, y = _default_class_votes()
    uncovered = (L < 0).all(axis=1)
    assert 0.1 < uncovered.mean() < 0.9
    with pytest.warns(WslibWarning, match="every LF votes class 1 only"):
        firing = LabelModel(posterior="votes", uncovered="firing").fit(L)
    assert firing.uncovered_proba_[0] > 0.7
    proba = firing.predict_proba(L)
    np.testing.assert_allclose(proba[uncovered], np.tile(firing.uncovered_proba_,
                                                         (uncovered.sum(), 1)))
    assert (proba[uncovered].argmax(axis=1) == y[uncovered]).mean() > 0.7
    with pytest.warns(WslibWarning):
        prior = LabelModel(posterior="votes").fit(L)  # uncovered="prior": the uniform balance
    np.testing.assert_allclose(prior.predict_proba(L)[uncovered], 0.5)
    np.testing.assert_allclose(proba[~uncovered], prior.predict_proba(L)[~uncovered])


def test_firing_posterior_survives_save_and_load(tmp_path):
    L, _ = _default_class_votes()
    with pytest.warns(WslibWarning):
        model = LabelModel(uncovered="firing").fit(L)
    model.save(tmp_path / "m.npz")
    again = LabelModel.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(again.predict_proba(L), model.predict_proba(L))


def test_unknown_uncovered_option_is_named():
    with pytest.raises(ValueError, match="uncovered must be 'prior' or 'firing'"):
        LabelModel(uncovered="zero").fit(make_votes(100, 4, 2, random_state=0).L)
