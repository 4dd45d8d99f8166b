"""The simulator's truth and the Bayes ceiling of ``wslib bench weaver``."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal

from wslib.bench.weaver import (
    _count_log_prior,
    _free_offset_log_lr,
    _noise_covariances,
    _observed_latent,
    _verifier_log_lr,
    bayes_ceiling,
)
from wslib.datasets.synthetic import make_verifier_table
from wslib.datasets.synthetic.verifiers import REGIMES, VerifierTruth
from wslib.weaver import VerifierTable, selection_metrics


def _truth(m=3, fool_sd=0.5, difficulty_mean=0.0, **kw):
    rng = np.random.default_rng(0)
    params = dict(latent=np.zeros((0, m)), a=rng.uniform(0.2, 1.0, m),
                  b=rng.uniform(0.5, 1.0, m), c=rng.uniform(0.0, 1.0, m),
                  family=np.array([0, 0, 1][:m]), duplicate_of=np.full(m, -1),
                  fool_sd=fool_sd, duplicate_noise=0.15, difficulty_mean=difficulty_mean,
                  difficulty_sd=1.0, max_wrong_answers=3, wrong_poisson=2.5,
                  wrong_concentration=0.5)
    params.update(kw)
    return VerifierTruth(**params)


def test_truth_comes_with_the_same_table():
    params = dict(n_problems=40, n_candidates=(4, 9), n_verifiers=8, random_state=5)
    frame, truth = make_verifier_table(**params, return_truth=True)
    pd.testing.assert_frame_equal(frame, make_verifier_table(**params))
    assert truth.latent.shape == (len(frame), 8)
    for j, (name, info) in enumerate(frame.attrs["verifiers"].items()):
        assert info["a"] == truth.a[j] and info["family"] == truth.family[j]
        if info["format"] == "reward":  # rendered by an increasing affine map
            seen = frame[name].notna().to_numpy()
            assert np.all(np.diff(frame[name].to_numpy()[seen][np.argsort(
                truth.latent[seen, j])]) > 0)


def test_verifier_evidence_is_the_exact_gaussian_likelihood_ratio():
    """Answer means + Woodbury give the likelihood ratio of the full candidate vectors."""
    truth = _truth()
    shared, noise = _noise_covariances(truth)
    sizes = [2, 1]  # one problem: an answer with two candidates, one with one
    group = np.repeat(np.arange(2), sizes)
    n, m = group.size, truth.a.size
    offset = np.outer(truth.c, truth.c)
    cov = np.block([[offset + shared * (group[i] == group[k]) + noise * (i == k)
                     for k in range(n)] for i in range(n)])
    x = np.random.default_rng(1).normal(size=(n, m))
    means = np.array([x[group == g].mean(axis=0) for g in range(2)])
    ours = _verifier_log_lr(truth, shared, noise, np.array(sizes, float), means,
                            np.zeros(2, dtype=np.int64), 1)
    null = multivariate_normal(np.zeros(n * m), cov).logpdf(x.ravel())
    for g in range(2):
        mean = (truth.a[None, :] * (group == g)[:, None]).ravel()
        exact = multivariate_normal(mean, cov).logpdf(x.ravel()) - null
        assert np.isclose(ours[g], exact)


def test_count_prior_follows_the_problem_difficulty():
    counts = np.array([15.0, 1.0])
    owner = np.zeros(2, dtype=np.int64)
    easy = _count_log_prior(_truth(difficulty_mean=4.0), counts, owner, 1)
    hard = _count_log_prior(_truth(difficulty_mean=-4.0), counts, owner, 1)
    assert easy[0] > easy[1]  # most samples right: the popular answer
    assert hard[1] > hard[0]  # most samples wrong: a right answer is a rare one


def test_observed_latent_inverts_continuous_formats():
    frame, truth = make_verifier_table(60, 6, 10, missing_rate=0.0, random_state=2,
                                       return_truth=True)
    table = VerifierTable.from_frame(frame)
    latent, lost = _observed_latent(table, truth)
    for j, info in enumerate(frame.attrs["verifiers"].values()):
        complete = not np.isnan(table.scores[:, j]).any()
        if info["format"] == "reward" and complete:
            assert np.allclose(latent[:, j], truth.latent[table.frame_index, j])
            assert lost[j] < 1e-12
        if info["format"] == "verdict":  # two values: the latent is only known in mean
            assert np.unique(latent[~np.isnan(table.scores[:, j]), j]).size == 2
            assert lost[j] > 0


def test_latent_ceiling_beats_the_best_single_verifier():
    frame, truth = make_verifier_table(300, 16, 12, **REGIMES["math500-70b"], random_state=0,
                                       return_truth=True)
    table = VerifierTable.from_frame(frame)
    m = selection_metrics(table, bayes_ceiling(table, truth))
    assert m["best_single_verifier"] < m["selection_accuracy"] <= m["oracle_pass_at_n"]
    observed = selection_metrics(table, bayes_ceiling(table, truth, observed=True))
    assert observed["selection_accuracy"] > m["naive_mean"]


def test_free_offset_evidence_is_the_limit_of_a_wide_offset_prior():
    """Offset free in every direction = an offset prior N(0, tau^2 I) with tau -> inf."""
    truth = _truth()
    shared, noise = _noise_covariances(truth)
    sizes = [2, 1, 3]
    group = np.repeat(np.arange(3), sizes)
    n, m = group.size, truth.a.size
    tau2 = 1e6
    cov = np.block([[tau2 * np.eye(m) + shared * (group[i] == group[k]) + noise * (i == k)
                     for k in range(n)] for i in range(n)])
    x = np.random.default_rng(3).normal(size=(n, m))
    means = np.array([x[group == g].mean(axis=0) for g in range(3)])
    ours = _free_offset_log_lr(truth.a, shared, noise, np.array(sizes, float), means,
                               np.zeros(3, dtype=np.int64), 1)
    null = multivariate_normal(np.zeros(n * m), cov).logpdf(x.ravel())
    for g in range(3):
        mean = (truth.a[None, :] * (group == g)[:, None]).ravel()
        exact = multivariate_normal(mean, cov).logpdf(x.ravel()) - null
        assert np.isclose(ours[g], exact, atol=1e-4)


def test_ceiling_ablations_change_the_selector_not_the_table():
    frame, truth = make_verifier_table(120, 12, 10, **REGIMES["gpqa-diamond-70b"],
                                       random_state=1, return_truth=True)
    table = VerifierTable.from_frame(frame)
    full = bayes_ceiling(table, truth, observed=True)
    assert np.array_equal(full, bayes_ceiling(table, truth, observed=True, drop=()))
    free = bayes_ceiling(table, truth, observed=True, drop=("offset-direction", "count-prior"))
    assert free.shape == full.shape and not np.array_equal(free, full)
    with pytest.raises(ValueError, match="unknown ablation"):
        bayes_ceiling(table, truth, drop=("offsets",))
