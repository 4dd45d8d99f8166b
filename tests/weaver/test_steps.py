"""Normalization, binarization, filtering and the two label models."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wslib.exceptions import NotFittedError
from wslib.weaver import BinaryMomentModel, GaussianFactorModel, VerifierDroppedWarning
from wslib.weaver.binarize import binarize, thresholds_for_rate
from wslib.weaver.filter import filter_verifiers, rank_correlation
from wslib.weaver.normalize import (
    ScoreNormalizer,
    center_per_problem,
    fill_by_regression,
    fill_per_problem,
    minmax_normalize,
    normalize_scores,
    problem_means,
)


def test_rank_normalize_ties_missing_and_new_scores():
    X = np.array([[3.0, 1.0], [1.0, 1.0], [2.0, np.nan], [2.0, 0.0]])
    U = normalize_scores(X, "rank")
    assert U[:, 0].tolist() == [0.875, 0.125, 0.5, 0.5]  # tied 2.0s share their mid-rank
    assert np.isnan(U[2, 1]) and U[0, 1] == U[1, 1] > U[3, 1]
    norm = ScoreNormalizer("rank").fit(X)
    new = norm.transform(np.array([[10.0, -5.0]]))
    assert 0.0 < new[0, 1] < new[0, 0] < 1.0  # beyond the fitted range: clipped inside (0, 1)
    assert np.allclose(norm.take([1]).transform(X[:, [1]]), U[:, [1]], equal_nan=True)


def test_minmax_keeps_unit_columns_when_asked():
    X = np.array([[0.2, 10.0, 5.0], [0.6, 30.0, 5.0], [np.nan, 20.0, 5.0]])
    plain = minmax_normalize(X)
    assert plain[:, 1].tolist() == [0.0, 1.0, 0.5] and plain[:, 2].tolist() == [0.5] * 3
    assert np.allclose(minmax_normalize(X, skip_unit=True)[:2, 0], [0.2, 0.6])


def test_center_per_problem_removes_problem_offsets():
    X = np.array([[1.0], [3.0], [10.0], [np.nan], [14.0]])
    out = center_per_problem(X, np.array([0, 2, 5]))
    assert out[[0, 1, 2, 4], 0].tolist() == [-1.0, 1.0, -2.0, 2.0] and np.isnan(out[3, 0])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=9), min_size=1,
                max_size=6), st.randoms(use_true_random=False))
def test_problem_means_do_not_depend_on_candidate_order(problems, rnd):
    """Reordering a problem's candidates (renaming them) moves no centred score by even
    one ulp, so exact ties across problems stay ties."""
    starts = np.cumsum([0] + [len(p) for p in problems])
    values = np.concatenate(problems)[:, None]
    shuffled = np.concatenate([rnd.sample(p, len(p)) for p in problems])[:, None]
    assert np.array_equal(problem_means(values, starts), problem_means(shuffled, starts))


def test_fill_per_problem_uses_the_problem_mean():
    X = np.array([[1.0, np.nan], [3.0, np.nan], [10.0, 1.0], [np.nan, 3.0], [14.0, np.nan]])
    out = fill_per_problem(X, np.array([0, 2, 5]))
    assert out[:, 0].tolist() == [1.0, 3.0, 10.0, 12.0, 14.0]
    assert out[:, 1].tolist() == [0.0, 0.0, 1.0, 3.0, 2.0]  # none observed in problem 0


def test_fill_by_regression_predicts_a_missing_score_from_correlated_verifiers():
    rng = np.random.default_rng(0)
    starts = np.arange(0, 2001, 10)
    quality = rng.normal(size=2000)  # what the verifiers agree on
    truth = np.column_stack([quality + 0.3 * rng.normal(size=2000) for _ in range(3)]
                            + [rng.normal(size=2000)])  # the last verifier is pure noise
    X = truth.copy()
    hidden = rng.random(X.shape) < 0.2
    X[hidden] = np.nan
    regress, mean = fill_by_regression(X, starts), fill_per_problem(X, starts)
    np.testing.assert_array_equal(regress[~hidden], truth[~hidden])

    def err(out, j):
        return np.abs(out[hidden[:, j], j] - truth[hidden[:, j], j]).mean()

    assert err(regress, 0) < 0.7 * err(mean, 0)  # filled from the two correlated verifiers
    assert abs(err(regress, 3) - err(mean, 3)) < 0.05 * err(mean, 3)  # nothing to learn
    complete = np.nan_to_num(X)
    np.testing.assert_array_equal(fill_by_regression(complete, starts), complete)
    single = X[:, :1]  # one verifier: nothing to regress on
    np.testing.assert_array_equal(fill_by_regression(single, starts),
                                  fill_per_problem(single, starts))


def test_binarize_and_rate_thresholds():
    U = np.array([[0.1], [0.3], [0.6], [0.9], [np.nan]])
    assert binarize(U, 0.5).ravel().tolist() == [0, 0, 1, 1, -1]
    t = thresholds_for_rate(U, 0.25)
    assert binarize(U, t).ravel().tolist() == [0, 0, 0, 1, -1]
    with pytest.raises(ValueError, match="positive rate"):
        thresholds_for_rate(U, 1.0)


def test_filter_reports_every_reason():
    rng = np.random.default_rng(0)
    s = rng.normal(size=300)
    X = np.column_stack([s, -s + 0.01 * rng.normal(size=300), np.full(300, np.nan),
                         np.r_[np.zeros(299), 1.0], rng.normal(size=300)])
    names = ["a", "neg_copy", "empty", "almost_flat", "b"]
    with pytest.warns(VerifierDroppedWarning) as caught:
        keep, reasons = filter_verifiers(X, names)
    assert len(caught) == 3 and "verifier 'empty' dropped: all missing" in str(caught[0].message)
    assert keep.tolist() == [True, False, False, False, True]
    assert reasons["neg_copy"].startswith("duplicate of a (rho=-1.00")
    assert reasons["almost_flat"].startswith("near-constant")
    votes = binarize(normalize_scores(X), 0.5)
    votes[:, 4] = 1
    _, reasons = filter_verifiers(X, names, votes=votes, positive_rate=(0.1, 0.9), warn=False)
    assert reasons["b"] == "positive rate 1.00 outside [0.1, 0.9]"


def test_near_duplicates_within_a_masked_family_are_kept():
    # one process reward model's step aggregates share errors by construction: with three
    # families or more the family model counts them about once, so the filter keeps them;
    # a near-copy from another family, or any copy with fewer families, is still dropped
    rng = np.random.default_rng(2)
    s = rng.normal(size=(400, 3))
    X = np.column_stack([s[:, 0], s[:, 0] + 0.05 * rng.normal(size=400), s[:, 1], s[:, 2],
                         s[:, 1] + 0.05 * rng.normal(size=400)])
    names = ["prm_min", "prm_last", "rm", "judge", "rm_copy"]
    families = np.array([0, 0, 1, 2, 3])
    keep, reasons = filter_verifiers(X, names, families=families, warn=False)
    assert keep.tolist() == [True, True, True, True, False]
    assert reasons == {"rm_copy": reasons["rm_copy"]} and "duplicate of rm" in reasons["rm_copy"]
    two = np.array([0, 0, 1, 1, 1])  # two families: the model would count every pair
    keep, reasons = filter_verifiers(X, names, families=two, warn=False)
    # of an equally covered pair the first name in sorted order is kept (never the column
    # order: tests/weaver/test_invariances.py)
    assert keep.tolist() == [False, True, True, True, False]
    # three families, but dropping the cross-family copy leaves two: the copy within a
    # family is dropped too, as the model will not mask families
    keep, reasons = filter_verifiers(X[:, [0, 1, 2, 4]], ["prm_min", "prm_last", "rm", "c"],
                                     families=np.array([0, 0, 1, 2]), warn=False)
    assert keep.tolist() == [False, True, False, True]
    assert reasons["prm_min"].startswith("duplicate of prm_last")


def test_rank_correlation_uses_common_rows():
    rng = np.random.default_rng(1)
    s = rng.normal(size=400)
    X = np.column_stack([s, s ** 3, rng.normal(size=400)])
    X[:100, 1] = np.nan
    rho = rank_correlation(X)
    assert rho[0, 1] > 0.99 and abs(rho[0, 2]) < 0.15


def _ci_votes(n, acc, p, rng):
    y = rng.random(n) < p
    right = rng.random((n, acc.size)) < acc
    votes = np.where(right, y[:, None], ~y[:, None]).astype(np.int8)
    votes[rng.random(votes.shape) < 0.1] = -1
    return votes, y


def test_binary_moment_model_recovers_parameters():
    rng = np.random.default_rng(0)
    acc = np.array([0.9, 0.85, 0.8, 0.7, 0.65, 0.6, 0.35])  # the last one is adversarial
    votes, y = _ci_votes(20000, acc, 0.3, rng)
    model = BinaryMomentModel().fit(votes)
    assert model.class_balance_ == pytest.approx(0.3, abs=0.03)
    assert np.allclose(model.positive_rate_, acc, atol=0.04)       # P(vote 1 | correct)
    assert np.allclose(model.false_positive_rate_, 1 - acc, atol=0.04)
    fixed = BinaryMomentModel(class_balance=0.3).fit(votes)
    assert np.mean((fixed.predict_proba(votes)[:, 1] > 0.5) == y) > 0.9
    with pytest.raises(NotFittedError):
        BinaryMomentModel().decision_function(votes)


def test_gaussian_factor_model_weights_and_balance():
    rng = np.random.default_rng(0)
    sizes = rng.integers(2, 20, size=600)
    starts = np.r_[0, np.cumsum(sizes)]
    n = starts[-1]
    y = (rng.random(n) < np.repeat(rng.uniform(0.1, 0.9, 600), sizes)).astype(float)
    delta = np.array([1.5, 1.0, 0.7, 0.4, 0.0, -0.6])
    offset = np.repeat(rng.normal(size=(600, 6)) * 2, sizes, axis=0)  # per-problem shifts
    Z = y[:, None] * delta + offset + rng.normal(size=(n, 6))
    Z[rng.random(Z.shape) < 0.05] = np.nan
    model = GaussianFactorModel().fit(Z, starts)
    order = np.argsort(-model.weight_)
    assert order[0] == 0 and order[-1] == 5 and model.weight_[5] < 0
    ratio = model.loading_ / model.loading_[0]
    assert np.allclose(ratio[[1, 2, 5]], (delta / delta[0])[[1, 2, 5]], atol=0.15)
    assert abs(ratio[4]) < 0.05
    # within a problem (all selection needs) the score ranks like the true log-odds
    complete = ~np.isnan(Z).any(axis=1)
    keep = np.r_[0, np.cumsum(complete)][starts]
    score = center_per_problem(model.decision_function(Z)[complete, None], keep)[:, 0]
    truth = center_per_problem((Z[complete] @ delta)[:, None], keep)[:, 0]
    assert np.corrcoef(score, truth)[0, 1] > 0.9
    assert 0.3 < model.class_balance_ < 0.7


def test_answer_groups_discount_shared_verifier_errors():
    """Two verifiers share a large error (one family); the answer-group discriminant
    weighs them like the true likelihood ratio ``Sigma_W^{-1} delta``, the factor
    weights do not."""
    rng = np.random.default_rng(1)
    sizes = rng.integers(8, 24, size=400)
    starts = np.r_[0, np.cumsum(sizes)]
    n = starts[-1]
    problem = np.repeat(np.arange(400), sizes)
    right = rng.integers(0, 4, size=400)[problem]  # four answers per problem; the right
    wrong = (right + rng.integers(1, 4, size=n)) % 4  # one is sampled most often
    choice = np.where(rng.random(n) < 0.4, right, wrong)
    answer = problem * 10 + choice
    y = (choice == right).astype(float)
    delta = np.array([0.6, 0.6, 0.5, 0.4, 0.3])
    loading = np.array([1.5, 1.5, 0.0, 0.0, 0.0])  # verifiers 0 and 1: one family
    Z = y[:, None] * delta + rng.normal(size=(n, 1)) * loading + rng.normal(size=(n, 5))
    truth = np.linalg.solve(np.outer(loading, loading) + np.eye(5), delta)
    grouped = GaussianFactorModel().fit(Z, starts, groups=answer)
    plain = GaussianFactorModel().fit(Z, starts)
    assert grouped.weights_from_ == "answer groups" and plain.weights_from_ == "factor"

    def cosine(w):
        return float(w @ truth / np.linalg.norm(w) / np.linalg.norm(truth))

    assert cosine(grouped.weight_) > 0.95 > cosine(plain.weight_)
    # too few rows per answer group to estimate the noise: the factor weights are kept
    few = GaussianFactorModel().fit(Z[:200], np.r_[starts[starts < 200], 200], groups=np.arange(200))
    assert few.weights_from_ == "factor"


def test_class_balance_from_uncentred_levels():
    """Centring within problems hides how many candidates are correct; the same
    scores before centring (``levels``) recover it."""
    rng = np.random.default_rng(2)
    sizes = rng.integers(8, 24, size=500)
    starts = np.r_[0, np.cumsum(sizes)]
    n = starts[-1]
    p = 1 / (1 + np.exp(-rng.normal(2.0, 2.0, 500)))  # most problems easy
    y = (rng.random(n) < np.repeat(p, sizes)).astype(float)
    delta = np.array([1.2, 1.0, 0.8, 0.6, 0.5, 0.4])
    offset = np.repeat(rng.normal(size=(500, 1)), sizes, axis=0) * 0.3
    levels = y[:, None] * delta + offset + rng.normal(size=(n, 6))
    Z = center_per_problem(levels, starts)
    centred_only = GaussianFactorModel().fit(Z, starts)
    with_levels = GaussianFactorModel().fit(Z, starts, levels=levels)
    assert abs(with_levels.class_balance_ - y.mean()) < 0.05
    assert abs(centred_only.class_balance_ - y.mean()) > 0.1
    # the weights, hence the selection, do not depend on it
    assert np.allclose(with_levels.weight_, centred_only.weight_)


def test_models_are_sklearn_estimators():
    from sklearn.base import clone

    m = clone(GaussianFactorModel(min_unique=0.1))
    assert m.get_params()["min_unique"] == 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert clone(BinaryMomentModel(class_balance=0.2)).class_balance == 0.2


def test_em_loops_that_do_not_settle_warn_and_count_their_steps():
    from wslib.exceptions import ConvergenceWarning
    from wslib.weaver import AnswerGroupModel

    rng = np.random.default_rng(0)
    problem = np.repeat(np.arange(200), 6)
    answer = problem * 3 + rng.integers(0, 3, problem.size)
    y = (answer % 3 == 0).astype(float)
    X = y[:, None] * 0.8 + rng.normal(size=(problem.size, 5))
    with pytest.warns(ConvergenceWarning, match="AnswerGroupModel EM stopped after 1 steps"):
        answers = AnswerGroupModel(max_iter=1, tol=0.0).fit(
            X, answer, problem, np.ones(5), np.full(problem.size, 0.5))
    assert answers.n_iter_ == 1
    with pytest.warns(ConvergenceWarning, match="GaussianFactorModel calibration EM stopped "
                                                "after 2 steps"):
        gauss = GaussianFactorModel(max_iter=2, tol=0.0).fit(X, np.arange(0, problem.size + 1, 6))
    assert gauss.n_iter_ == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        assert GaussianFactorModel().fit(X, np.arange(0, problem.size + 1, 6)).n_iter_ < 200
