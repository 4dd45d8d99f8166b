"""LabelModel with a few gold dev labels: accuracies, class prior, uncovered items, bad input."""

import numpy as np
import pytest

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.datasets import load_embedded
from wslib.datasets.synthetic import make_votes
from wslib.exceptions import CoverageWarning, WslibWarning
from wslib.labelmodel import LabelModel
from wslib.lf import keyword_lf, regex_lf, threshold_lf

SPAM, HAM = 1, 0


def _newcomer_lfs():
    """A newcomer's eight LFs on the embedded youtube data, the url rule among them."""

    @labeling_function()
    def short(x):
        return HAM if len(x.text.split()) <= 4 else ABSTAIN

    @labeling_function(batch=True)
    def money(df):
        return np.where(df.text.str.contains(r"(?i)\b(free|money|win|earn|cash|\$)"), SPAM,
                        ABSTAIN)

    return [keyword_lf(["check out", "check my", "my channel", "my video"], SPAM, name="promo"),
            keyword_lf(["subscribe", "sub to", "sub 4 sub"], SPAM, name="subscribe"),
            regex_lf(r"https?://|www\.|\.com\b", SPAM, name="url"),
            keyword_lf(["song", "love this", "lyrics", "beat", "voice"], HAM, name="music",
                       word_boundary=True),
            regex_lf(r"\b(19|20)\d\d\b", HAM, name="year"),
            threshold_lf("n_chars", 200, SPAM, name="long_msg"), short, money]


@pytest.fixture(scope="module")
def youtube_votes():
    ds = load_embedded("youtube")
    lfs = _newcomer_lfs()
    out = {}
    for split in ("train", "valid", "test"):
        data = ds[split].data.assign(n_chars=ds[split].data.text.str.len())
        out[split] = (apply_lfs(data, lfs), ds[split].y)
    return out


def test_dev_labels_fix_an_estimate_the_votes_cannot_identify(youtube_votes):
    (L, y), (L_dev, y_dev) = youtube_votes["train"], youtube_votes["valid"]
    url = 2
    fired = L[:, url] >= 0
    empirical = (L[fired, url] == y[fired]).mean()
    assert empirical > 0.9
    plain = LabelModel().fit(L)
    assert abs(plain.accuracy_[url] - empirical) > 0.3  # the votes alone get it wrong
    # ... and the model says so: the bound, not the votes, set that estimate
    assert plain.estimate_basis_[url] == "at bound"
    assert plain.at_bound_.sum() == 1
    tuned = LabelModel().fit(L, y_dev=y_dev, L_dev=L_dev)
    assert abs(tuned.accuracy_[url] - empirical) < 0.1
    assert tuned.estimate_basis_[url] == "dev labels"
    L_test, y_test = youtube_votes["test"]
    assert tuned.score(L_test, y_test) >= plain.score(L_test, y_test) - 0.02


def test_dev_labels_that_agree_keep_the_estimate():
    d = make_votes(20_000, 12, 2, n_unipolar=12, random_state=0)
    plain = LabelModel().fit(d.L)
    dev = np.arange(200)
    tuned = LabelModel().fit(d.L, y_dev=d.y[dev], L_dev=d.L[dev])
    assert tuned.dev_trust_.all()
    assert np.abs(tuned.accuracy_ - d.accuracy).max() < 0.06
    assert np.abs(tuned.accuracy_ - plain.accuracy_).max() < 0.05


def test_dev_labels_set_the_prior_of_uncovered_items():
    d = make_votes(6_000, 12, 2, n_unipolar=12, class_balance=[0.85, 0.15],
                   coverage=(0.02, 0.1), random_state=1)
    uncovered = (d.L < 0).all(axis=1)
    assert uncovered.mean() > 0.3
    plain = LabelModel().fit(d.L)
    np.testing.assert_allclose(plain.uncovered_proba_, 0.5)  # no evidence: uniform
    dev = np.arange(300)
    tuned = LabelModel().fit(d.L, y_dev=d.y[dev], L_dev=d.L[dev])
    assert tuned.uncovered_proba_[0] > 0.7 and tuned.class_balance_[0] > 0.7
    proba = tuned.predict_proba(d.L)
    np.testing.assert_allclose(proba[uncovered], np.tile(tuned.uncovered_proba_,
                                                         (uncovered.sum(), 1)))
    # y_dev aligned with the rows of L (-1 = unlabelled) is the same dev set
    y_rows = np.full(d.y.shape, -1)
    y_rows[dev] = d.y[dev]
    again = LabelModel().fit(d.L, y_dev=y_rows)
    np.testing.assert_allclose(again.predict_proba(d.L), proba)


def test_dev_labels_of_a_class_no_lf_votes_are_named():
    d = make_votes(3_000, 8, 3, random_state=0)
    L = np.where(d.L == 2, -1, d.L).astype(d.L.dtype)  # no LF votes class 2 any more
    with pytest.warns(CoverageWarning, match=r"y_dev holds classes \[2\] that no LF votes"):
        model = LabelModel(cardinality=3).fit(L, y_dev=d.y[:300], L_dev=L[:300])
    assert model.class_balance_[2] > 0.2


def test_dev_labels_with_other_lfs_are_refused():
    d = make_votes(1_000, 8, 2, random_state=0)
    with pytest.raises(ValueError, match="L_dev"):
        LabelModel().fit(d.L, y_dev=d.y[:100], L_dev=d.L[:100, :7])


def test_a_dev_set_of_one_class_keeps_the_class_prior():
    d = make_votes(3_000, 10, 2, n_unipolar=10, random_state=0)
    one = np.flatnonzero(d.y == 1)[:100]
    with pytest.warns(WslibWarning, match="y_dev holds only class 1"):
        model = LabelModel().fit(d.L, y_dev=d.y[one], L_dev=d.L[one])
    np.testing.assert_allclose(model.class_balance_, 0.5)
    np.testing.assert_allclose(model.uncovered_proba_, 0.5)


def test_dev_labels_mark_the_estimates_they_move():
    # the vote posterior combines an LF's estimate with its dev votes: "dev labels" where it
    # has some; the crowd posterior takes only the class prior from them
    d = make_votes(5_000, 8, 2, n_unipolar=8, coverage=(0.05, 0.4), random_state=3)
    dev = np.arange(100)
    lfs = LabelModel().fit(d.L, y_dev=d.y[dev], L_dev=d.L[dev])
    assert lfs.posterior_ == "votes"
    np.testing.assert_array_equal(lfs.estimate_basis_ == "dev labels",
                                  (d.L[dev] >= 0).any(axis=0))
    crowd = make_votes(5_000, 8, 3, random_state=3)
    model = LabelModel().fit(crowd.L, y_dev=crowd.y[dev], L_dev=crowd.L[dev])
    assert model.posterior_ == "confusion" and set(model.estimate_basis_) == {"votes"}
