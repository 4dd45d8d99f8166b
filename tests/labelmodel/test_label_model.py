"""LabelModel: precision estimated with abstains, prediction without them."""

import numpy as np
import pytest

from wslib.datasets.synthetic import make_votes
from wslib.exceptions import WslibWarning
from wslib.labelmodel import BaseLabelModel, LabelModel, MajorityVote
from wslib.labelmodel.base import break_ties

FIXTURE = __import__("pathlib").Path(__file__).parents[1] / "fixtures" / "persistence"


@pytest.mark.parametrize("class_balance", [None, [0.8, 0.2]])
def test_unipolar_precisions_are_identified(class_balance):
    # every LF votes one class: the votes alone say nothing about accuracy, the firing does
    d = make_votes(20_000, 12, 2, n_unipolar=12, class_balance=class_balance, random_state=2)
    model = LabelModel().fit(d.L)
    assert np.abs(model.accuracy_ - d.accuracy).max() < 0.05
    if class_balance is None:  # uniform prior at prediction: compare where it is the truth
        covered = (d.L >= 0).any(axis=1)
        pred = break_ties(model.predict_proba(d.L), "random", np.random.default_rng(0))
        mv = MajorityVote().fit(d.L).predict(d.L, tie_break="random")
        assert (pred == d.y)[covered].mean() > (mv == d.y)[covered].mean()


def test_prediction_ignores_abstains():
    # the soft label of a row depends only on the LFs that voted on it
    d = make_votes(3000, 8, 3, random_state=0)
    model = LabelModel().fit(d.L)
    row = np.full((1, 8), -1, dtype=d.L.dtype)
    row[0, 2] = 1
    other = row.copy()
    np.testing.assert_allclose(model.predict_proba(row), model.predict_proba(other))
    w = model.weights_[2]
    expected = np.exp([0.0, w, 0.0]) / np.exp([0.0, w, 0.0]).sum()
    np.testing.assert_allclose(model.predict_proba(row)[0], expected)


def test_dev_labels_pull_a_bad_estimate_towards_the_truth():
    d = make_votes(4000, 6, 2, accuracy=(0.6, 0.9), random_state=5)
    L = d.L.copy()
    L[:, 0] = np.where(L[:, 0] >= 0, 1 - d.y, -1)  # an always-wrong LF
    plain = LabelModel().fit(L)
    dev = LabelModel().fit(L, y_dev=d.y[:2000], L_dev=L[:2000])
    assert dev.accuracy_[0] <= plain.accuracy_[0]
    assert dev.accuracy_[0] < 0.55


def test_file_from_the_one_coin_version_loads_with_a_warning():
    path = FIXTURE / "LabelModel-format1.npz"
    with pytest.warns(WslibWarning, match=r"\['balance', 'prior_accuracy', 'prior_strength'\]"):
        model = BaseLabelModel.load(path)
    assert isinstance(model, LabelModel) and model.uncovered == "prior"


@pytest.mark.parametrize("n_unipolar", [0, 20])
def test_a_known_class_balance_helps(n_unipolar):
    balance = [0.85, 0.15]
    d = make_votes(20_000, 20, 2, class_balance=balance, n_unipolar=n_unipolar, random_state=1)
    plain = (LabelModel().fit(d.L).predict(d.L) == d.y).mean()
    informed = LabelModel().fit(d.L, class_balance=balance)
    assert (informed.predict(d.L) == d.y).mean() > plain
    np.testing.assert_allclose(informed.predict_proba(np.full((1, 20), -1, np.int8))[0], balance)


def test_one_unipolar_vote_gives_its_precision_whatever_the_prior():
    d = make_votes(5000, 10, 2, n_unipolar=10, random_state=0)
    row = np.full((1, 10), -1, dtype=np.int8)
    row[0, 3] = d.polarity[3]
    for balance in (None, [0.7, 0.3]):
        model = LabelModel().fit(d.L, class_balance=balance)
        assert model.unipolar_.all()
        assert model.predict_proba(row)[0, d.polarity[3]] == pytest.approx(model.accuracy_[3])
