"""LabelModel: precision estimated with abstains, prediction without them."""

from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wslib.datasets import load_embedded, load_wrench
from wslib.datasets.synthetic import make_votes
from wslib.exceptions import WslibWarning
from wslib.labelmodel import BaseLabelModel, DawidSkene, LabelModel, MajorityVote
from wslib.labelmodel.base import break_ties
from wslib.labelmodel.label_model import CROWD_VOTE_SHARE, POSTERIORS
from wslib.metrics import score_predictions

from ..conftest import shared_dataset

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
    model = LabelModel(posterior="votes").fit(d.L)
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
    assert isinstance(model, LabelModel)
    assert model.posterior_ == "votes"  # saved before the Dawid-Skene posterior existed
    # saved before items without votes got the firing posterior: they keep the prior
    np.testing.assert_array_equal(model.uncovered_proba_, model.class_balance_)
    no_votes = np.full((1, model.n_sources_), -1, np.int8)
    np.testing.assert_allclose(model.predict_proba(no_votes)[0], model.class_balance_)
    # saved before the estimates said what set them: every one counts as from the votes
    assert not model.at_bound_.any() and set(model.estimate_basis_) == {"votes"}


@pytest.mark.parametrize("n_unipolar", [0, 20])
def test_a_known_class_balance_helps(n_unipolar):
    balance = [0.85, 0.15]
    d = make_votes(20_000, 20, 2, class_balance=balance, n_unipolar=n_unipolar, random_state=1)
    make = partial(LabelModel, posterior="votes", uncovered="prior")
    plain = (make().fit(d.L).predict(d.L) == d.y).mean()
    informed = make().fit(d.L, class_balance=balance)
    assert (informed.predict(d.L) == d.y).mean() > plain
    np.testing.assert_allclose(informed.predict_proba(np.full((1, 20), -1, np.int8))[0], balance)


def test_one_unipolar_vote_gives_its_precision_whatever_the_prior():
    d = make_votes(5000, 10, 2, n_unipolar=10, random_state=0)
    row = np.full((1, 10), -1, dtype=np.int8)
    row[0, 3] = d.polarity[3]
    for balance in (None, [0.7, 0.3]):
        model = LabelModel(posterior="votes").fit(d.L, class_balance=balance)
        assert model.unipolar_.all()
        assert model.predict_proba(row)[0, d.polarity[3]] == pytest.approx(model.accuracy_[3])


def _positive_only(random_state: int = 3):
    """Class-1 keyword-like LFs firing independently given the class; class 0 is silent."""
    d = make_votes(8_000, 20, 2, n_unipolar=20, class_balance=[0.85, 0.15],
                   coverage=(0.05, 0.2), random_state=random_state)
    return d.L[:, d.polarity == 1], d.y


def test_lfs_of_one_class_warn_and_give_covered_items_that_class():
    L, y = _positive_only()
    with pytest.warns(WslibWarning, match="every LF votes class 1 only"):
        model = LabelModel().fit(L)
    proba = model.predict_proba(L)
    covered = (L >= 0).any(axis=1)
    assert (proba[covered].argmax(axis=1) == 1).all()
    np.testing.assert_allclose(proba[~covered], 0.5)  # no evidence: the uniform prior
    # posterior="dawid-skene" reads silence as evidence, right when LFs fire independently
    with pytest.warns(WslibWarning):
        silent = LabelModel(posterior="dawid-skene").fit(L)
    ds = DawidSkene().fit(L)
    np.testing.assert_allclose(silent.predict_proba(L), ds.predict_proba(L), rtol=0, atol=1e-10)
    f1 = score_predictions(y, silent.predict(L), "f1")
    assert f1 > score_predictions(y, model.predict(L), "f1") + 0.2


def test_polarity_of_the_sources_picks_the_posterior():
    # sources voting every class (crowd workers): the vote-only Dawid-Skene posterior
    d = make_votes(6_000, 12, 3, random_state=0)
    crowd = LabelModel().fit(d.L)
    assert crowd.posterior_ == "confusion" and crowd.multipolar_share_ == 1.0
    vote_only = DawidSkene(abstain_aware=False).fit(d.L)
    np.testing.assert_allclose(crowd.predict_proba(d.L), vote_only.predict_proba(d.L),
                               rtol=0, atol=1e-10)
    # unipolar LFs (keyword rules): the weighted vote of their precisions
    lfs = make_votes(6_000, 12, 3, n_unipolar=12, random_state=0)
    model = LabelModel().fit(lfs.L)
    assert model.posterior_ == "votes" and model.multipolar_share_ == 0.0
    np.testing.assert_array_equal(model.predict_proba(lfs.L),
                                  LabelModel(posterior="votes").fit(lfs.L).predict_proba(lfs.L))


def test_real_keyword_lfs_get_the_vote_posterior():
    ds = load_wrench(shared_dataset("youtube"))
    assert LabelModel().fit(ds["train"].L).posterior_ == "votes"


def test_keyword_rules_mixed_with_classifiers_keep_their_votes():
    """Three classifiers cast most votes, but the crowd posterior would read every
    keyword rule's vote as no evidence: the vote posterior weighs both, and stays at
    least as good as majority vote on the embedded youtube data."""
    from benchmarks.mixed_sources import classifier_votes

    ds = load_embedded("youtube")
    train, test = ds["train"], ds["test"]
    V_fit, V_eval = classifier_votes(train.data["text"].tolist(), test.data["text"].tolist(),
                                     train.y, n_classifiers=3, n_labels=100, k=2, seed=0)
    L_fit, L_test = np.hstack([train.L, V_fit]), np.hstack([test.L, V_eval])
    model = LabelModel().fit(L_fit)
    assert 0.5 <= model.multipolar_share_ < CROWD_VOTE_SHARE and model.posterior_ == "votes"
    assert model.score(L_test, test.y) >= MajorityVote().fit(L_fit).score(L_test, test.y) - 0.005


@pytest.mark.parametrize("name", ["youtube", "trec", "semeval"])
def test_never_below_majority_vote_on_real_lfs(name):
    ds = load_wrench(shared_dataset(name))
    train, test = ds["train"], ds["test"]

    def metric(model):  # the WRENCH metric, ties broken at random over ten seeds
        proba = model.fit(train.L).predict_proba(test.L)
        return np.mean([score_predictions(test.y, break_ties(proba, "random",
                                                             np.random.default_rng(s)),
                                          ds.metric, ds.cardinality) for s in range(10)])

    assert metric(LabelModel()) >= metric(MajorityVote()) - 0.005


def test_one_lf_per_class_is_a_majority_vote():
    # a unipolar LF without two same-class LFs voting beside it has no identified precision:
    # with one LF per class every LF shares one weight, and the model is a majority vote
    d = make_votes(5_000, 5, 5, n_unipolar=5, accuracy=(0.3, 0.95), random_state=1)
    L = d.L[:, np.argsort(d.polarity)]
    assert sorted(d.polarity.tolist()) == [0, 1, 2, 3, 4]
    model = LabelModel().fit(L)
    assert not model.identified_.any() and np.ptp(model.weights_) == 0
    mv = MajorityVote().fit(L)
    np.testing.assert_array_equal(model.predict(L), mv.predict(L))


@pytest.mark.parametrize("class_balance", [None, [0.1, 0.1, 0.1, 0.1, 0.6]])
def test_an_lf_firing_beyond_its_class_share_loses_its_conflicts(class_balance):
    # one LF per class, none identified; the class-4 rule fires on 90% of the items, more
    # than even the largest of five classes is expected to hold (H_5 / 5 = 0.457), so its
    # precision is at most 0.457 / 0.9 and the narrow rules win where they clash with it
    # (a majority vote breaks those ties at random)
    rng = np.random.default_rng(0)
    n, k = 20_000, 5
    y = rng.integers(0, k, n)
    L = np.full((n, k), -1, dtype=np.int8)
    narrow = rng.random((n, k)) < 0.5
    for c in range(k - 1):
        L[(y == c) & narrow[:, c], c] = c
    L[rng.random(n) < 0.9, k - 1] = k - 1
    model = LabelModel(cardinality=k).fit(L, class_balance=class_balance)
    assert not model.identified_.any()
    share = (L[:, k - 1] >= 0).mean()
    prior = sum(1 / np.arange(1, k + 1)) / k if class_balance is None else class_balance[k - 1]
    shared = model.accuracy_[0]  # the narrow rules share one precision, under the cap
    assert np.ptp(model.accuracy_[:k - 1]) == 0
    assert model.accuracy_[k - 1] == pytest.approx(max(min(shared, prior / share),
                                                       1 / k + 1e-3))
    if class_balance is None:  # the cap binds: the narrow rules win every clash
        clash = (L[:, :k - 1] >= 0).any(axis=1) & (L[:, k - 1] >= 0)
        assert (model.predict(L)[clash] == y[clash]).all()
    # the ceiling follows the LF, not its column: permuting columns permutes the estimates
    order = rng.permutation(k)
    permuted = LabelModel(cardinality=k).fit(L[:, order], class_balance=class_balance)
    np.testing.assert_allclose(permuted.accuracy_, model.accuracy_[order])


def test_posterior_option_is_checked_and_survives_save_and_load(tmp_path):
    d = make_votes(3_000, 8, 3, random_state=0)
    with pytest.raises(ValueError, match="posterior must be one of"):
        LabelModel(posterior="mixed").fit(d.L)
    for posterior in POSTERIORS:
        model = LabelModel(posterior=posterior).fit(d.L)
        model.save(tmp_path / "m.npz")
        again = LabelModel.load(tmp_path / "m.npz")
        assert again.posterior_ == model.posterior_
        np.testing.assert_array_equal(again.predict_proba(d.L), model.predict_proba(d.L))


def test_given_dependencies_count_a_copy_once(tmp_path):
    d = make_votes(8_000, 20, 2, n_correlated=6, random_state=0)
    pairs = d.correlated_pairs  # (source, copy)
    plain = LabelModel(posterior="votes").fit(d.L[:4000])
    told = LabelModel(dependencies=pairs).fit(d.L[:4000])
    assert told.posterior_ == "votes"  # dependencies keep the vote posterior
    assert {tuple(p) for p in told.fixes_} >= set(pairs)
    acc = {name: (m.predict(d.L[4000:]) == d.y[4000:]).mean()
           for name, m in (("plain", plain), ("told", told))}
    assert acc["told"] > acc["plain"]
    as_array = LabelModel(dependencies=np.array(pairs)).fit(d.L[:4000])
    as_array.save(tmp_path / "m.npz")  # numpy pairs are saved as JSON lists
    again = LabelModel.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(again.predict_proba(d.L), told.predict_proba(d.L))


@pytest.mark.parametrize("pairs, match", [([(0, 0)], "two different"), ([(0, 20)], "0..19"),
                                          ([(1,)], "pairs of LF indices")])
def test_bad_dependencies_are_named(pairs, match):
    L = make_votes(500, 20, 2, random_state=0).L
    with pytest.raises(ValueError, match=match):
        LabelModel(dependencies=pairs).fit(L)
    if match == "two different":
        return
    with pytest.raises(ValueError, match=match):
        LabelModel(dependencies=pairs, posterior="dawid-skene").fit(L)


def test_dependencies_need_the_vote_posterior():
    L = make_votes(500, 6, 2, random_state=0).L
    with pytest.raises(ValueError, match="vote posterior"):
        LabelModel(dependencies=[(0, 1)], posterior="dawid-skene").fit(L)


def _assert_votes_point_at_their_class(model: DawidSkene, L: np.ndarray) -> None:
    k = model.cardinality_
    pi, votes = model.class_balance_, model.confusion_[:, :, :k]  # (m, c, v)
    for j in range(L.shape[1]):
        cast = np.unique(L[:, j][L[:, j] >= 0])
        if cast.size == 1:
            v = cast[0]
            assert np.all(pi * votes[j, :, v] <= pi[v] * votes[j, v, v] * (1 + 1e-9)), j


def test_unipolar_votes_keep_pointing_at_their_class():
    d = make_votes(6_000, 30, 5, n_unipolar=30, random_state=0)
    _assert_votes_point_at_their_class(DawidSkene().fit(d.L), d.L)


def test_trec_number_rules_are_not_label_switched():
    # without the bound, EM gave the rare class ABBR the questions two NUM rules vote on,
    # and put those rules (right on 97 % and 99 % of their train votes) at chance, 1/6
    ds = load_wrench(shared_dataset("trec"))
    L = ds["train"].L
    _assert_votes_point_at_their_class(DawidSkene().fit(L), L)
    assert LabelModel().fit(L).accuracy_[[34, 36]].min() > 0.4


def test_crowd_posterior_needs_triangles_of_co_voting_sources():
    """Multipolar sources identify confusion matrices through triangles of co-voting
    sources: with one answer per item, or pairs of answers that only chain workers into
    a ring, the vote posterior is used instead."""
    rng = np.random.default_rng(0)
    n, m = 3000, 6
    y = rng.integers(0, 2, n)
    right = rng.random((n, m)) < 0.75
    crowd = np.where(right, y[:, None], 1 - y[:, None]).astype(np.int8)
    assert LabelModel().fit(crowd).posterior_ == "confusion"
    sparse = np.full_like(crowd, -1)
    one = rng.integers(0, m, n)
    sparse[np.arange(n), one] = crowd[np.arange(n), one]
    model = LabelModel().fit(sparse)
    assert model.multipolar_share_ == 1.0 and model.posterior_ == "votes"
    two = sparse.copy()
    other = (one + 1) % m
    two[np.arange(n), other] = crowd[np.arange(n), other]
    assert LabelModel().fit(two).posterior_ == "votes"  # a ring of pairs: not identified
    # two answers per item, but from any two workers: the pairs close triangles, which
    # identify every worker's confusion matrix although no item has three answers
    anyone = rng.permuted(np.tile(np.arange(m), (n, 1)), axis=1)[:, :2]
    pairs = np.full_like(crowd, -1)
    for c in range(2):
        pairs[np.arange(n), anyone[:, c]] = crowd[np.arange(n), anyone[:, c]]
    assert LabelModel().fit(pairs).posterior_ == "confusion"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(3, 9), n=st.integers(5, 60))
def test_triangle_share_matches_its_definition(seed, m, n):
    # the sparse computation against the definition, pair by pair, on random crowds
    from wslib.labelmodel.label_model import _triangle_share
    from wslib.vote_stats import VoteStats

    rng = np.random.default_rng(seed)
    L = np.where(rng.random((n, m)) < 0.3, rng.integers(0, 2, (n, m)), -1).astype(np.int8)
    sources = rng.random(m) < 0.8
    P, w = VoteStats.from_votes(L, 2).compressed()
    voted = L >= 0
    shared = voted.T.astype(int) @ voted.astype(int)
    linked = [[a != b and sources[a] and sources[b] and shared[a, b] >= 2 for b in range(m)]
              for a in range(m)]
    triangle = [any(linked[a][b] and linked[a][c] and linked[b][c]
                    for b in range(m) for c in range(m)) for a in range(m)]
    votes = voted.sum(axis=0).astype(float)
    cast = votes * sources
    expected = (cast * np.array(triangle)).sum() / max(cast.sum(), 1e-12)
    assert _triangle_share(P, w, votes, sources) == pytest.approx(expected)


def test_snorkel_sparse_synthetic_keeps_the_vote_posterior():
    # Snorkel's own sparse test: ten LFs, about one vote per covered item; the few items
    # with two votes link pairs by a single item each, which says nothing about agreement
    from wslib.compat.snorkel.synthetic.synthetic_data import generate_simple_label_matrix

    np.random.seed(123)
    _, y, L = generate_simple_label_matrix(10_000, 10, 2, abstain_multiplier=1000.0)
    model = LabelModel(cardinality=2).fit(L)
    pred = model.predict(L, tie_break="abstain")
    voted = (L >= 0).any(axis=1)
    assert model.posterior_ == "votes"
    assert ((pred != -1) == voted).all() and (pred[voted] == y[voted]).mean() >= 0.65


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(3, 8), k=st.integers(2, 4))
def test_estimate_basis_follows_the_lfs_and_their_columns(seed, m, k):
    # what set each precision is a property of the LF: it agrees with identified_ and
    # at_bound_, is "at bound" only for identified unipolar LFs, and permuting the
    # columns permutes it
    from wslib.datasets.synthetic import make_votes

    d = make_votes(1500, m, k, n_unipolar=m, coverage=(0.05, 0.5), random_state=seed)
    model = LabelModel(cardinality=k).fit(d.L)
    basis = model.estimate_basis_
    assert set(basis) <= {"votes", "at bound", "shared"}
    np.testing.assert_array_equal(basis == "shared", ~model.identified_)
    np.testing.assert_array_equal(basis == "at bound", model.at_bound_)
    assert not (model.at_bound_ & ~(model.unipolar_ & model.identified_)).any()
    order = np.random.default_rng(seed).permutation(m)
    permuted = LabelModel(cardinality=k).fit(d.L[:, order])
    np.testing.assert_array_equal(permuted.estimate_basis_, basis[order])
    np.testing.assert_array_equal(permuted.at_bound_, model.at_bound_[order])
