"""Models without a class-prior estimate take it from gold dev labels when given."""

import numpy as np
import pytest

from wslib.datasets.synthetic import make_votes
from wslib.exceptions import WslibWarning
from wslib.labelmodel import MajorityVote, MatrixCompletion, Triplet, WeightedMajorityVote
from wslib.vote_stats import VoteStats

pytestmark = pytest.mark.filterwarnings("ignore::wslib.exceptions.CoverageWarning")

PRIOR_FROM_DEV = [MajorityVote, WeightedMajorityVote, Triplet, MatrixCompletion]


@pytest.fixture(scope="module")
def skewed():
    """Votes on a 0.9 / 0.1 class balance, a few items without votes."""
    return make_votes(3000, 6, 2, random_state=0, class_balance=[0.9, 0.1])


@pytest.mark.parametrize("cls", PRIOR_FROM_DEV, ids=lambda c: c.__name__)
def test_dev_labels_set_the_class_balance(cls, skewed):
    d, dev = skewed, np.arange(300)
    plain = cls().fit(d.L)
    tuned = cls().fit(d.L, y_dev=d.y[dev], L_dev=d.L[dev])
    counts = np.bincount(d.y[dev], minlength=2) + 1.0  # add-one smoothed dev shares
    np.testing.assert_allclose(tuned.class_balance_, counts / counts.sum())
    np.testing.assert_allclose(plain.class_balance_, 0.5)
    assert not np.array_equal(tuned.predict_proba(d.L), plain.predict_proba(d.L))
    # the same dev labels aligned with the rows of L (-1 = unlabelled)
    y_rows = np.full(d.y.shape, -1)
    y_rows[dev] = d.y[dev]
    np.testing.assert_array_equal(cls().fit(d.L, y_dev=y_rows).predict_proba(d.L),
                                  tuned.predict_proba(d.L))
    # a class_balance given to fit comes first
    given = cls().fit(d.L, class_balance=[0.3, 0.7], y_dev=d.y[dev], L_dev=d.L[dev])
    np.testing.assert_allclose(given.class_balance_, [0.3, 0.7])


def test_majority_vote_gives_uncovered_items_the_dev_prior(skewed):
    d = skewed
    model = MajorityVote().fit(d.L, y_dev=d.y[:300], L_dev=d.L[:300])
    uncovered = (d.L < 0).all(axis=1)
    assert uncovered.any()
    np.testing.assert_allclose(model.predict_proba(d.L)[uncovered],
                               np.tile(model.class_balance_, (uncovered.sum(), 1)))


@pytest.mark.parametrize("cls", PRIOR_FROM_DEV, ids=lambda c: c.__name__)
def test_a_dev_set_of_one_class_warns_and_keeps_the_uniform_prior(cls, skewed):
    d = skewed
    one = np.flatnonzero(d.y == 0)[:100]
    with pytest.warns(WslibWarning, match="y_dev holds only class 0: it cannot set the class"):
        model = cls().fit(d.L, y_dev=d.y[one], L_dev=d.L[one])
    np.testing.assert_allclose(model.class_balance_, 0.5)


def test_weighted_vote_from_statistics_takes_the_dev_prior_too(skewed):
    d, dev = skewed, np.arange(300)
    stats = VoteStats.from_votes(d.L, 2)
    streamed = WeightedMajorityVote().fit_stats(stats, y_dev=d.y[dev], L_dev=d.L[dev])
    direct = WeightedMajorityVote().fit(d.L, y_dev=d.y[dev], L_dev=d.L[dev])
    np.testing.assert_allclose(streamed.class_balance_, direct.class_balance_)
    np.testing.assert_allclose(streamed.predict_proba(d.L), direct.predict_proba(d.L))
