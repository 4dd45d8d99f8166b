"""Label-free weights: families counted once, inverted verifiers flipped, status reported."""

import warnings

import numpy as np
import pandas as pd
import pytest

from wslib.weaver import VerifierTable, Weaver, selection_metrics
from wslib.weaver.factor import family_codes, fit_family_factor, verifier_status
from wslib.weaver.normalize import center_per_problem


def _table(rng, n_problems=400, k=8, family_size=3):
    """Two independent good verifiers, one process reward model reported three ways
    (a shared error twice its signal), one inverted and one random verifier."""
    problem = np.repeat(np.arange(n_problems), k)
    y = (rng.random(problem.size) < 0.3).astype(float)
    noise = lambda: rng.normal(size=y.size)  # noqa: E731
    shared = 2.0 * noise()
    cols = {"good_a": 1.0 * y + noise(), "good_b": 1.0 * y + noise(),
            "inverted": -0.8 * y + noise(), "random": noise()}
    for suffix in ("min", "mean", "last")[:family_size]:
        cols[f"prm_{suffix}"] = 0.6 * y + shared + 0.5 * noise()
    return pd.DataFrame({"problem_id": problem, "candidate_id": np.tile(np.arange(k), n_problems),
                         "correct": y.astype(int), **cols})


def test_family_codes_from_names_and_declared():
    assert family_codes(["prm_min", "prm_last", "rm", "judge"]).tolist() == [0, 0, 1, 2]
    assert family_codes(["a", "b", "c"], {"a": "x", "c": "x"}).tolist() == [0, 1, 0]
    assert family_codes(["Shepherd-MEAN", "Shepherd.last", "Shepherd"]).tolist() == [0, 0, 0]


def test_inverted_and_random_verifiers_are_reported():
    frame = _table(np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weaver = Weaver().fit(frame)
    report = weaver.report_.set_index("verifier")
    assert report.loc["inverted", "status"] == "inverted (flipped)"
    assert report.loc["inverted", "weight"] < 0 < report.loc["good_a", "weight"]
    assert report.loc["random", "status"] == "no evidence of skill"
    assert report.loc["good_a", "status"] == "agrees"
    assert report.loc["prm_min", "family"] == report.loc["prm_last", "family"] == "prm"
    assert (report["loading_se"] > 0).all()


def test_a_family_counts_about_once():
    """Declared through their names, the three aggregates of one model share less weight
    than when each is taken for an independent verifier, and selection improves."""
    frame = _table(np.random.default_rng(1))
    table = VerifierTable.from_frame(frame)
    Z = center_per_problem(table.scores, table.starts)
    observed = np.ones(Z.shape, dtype=bool)
    names = table.verifiers
    grouped = fit_family_factor(Z, observed, table.starts, family_codes(names))
    alone = fit_family_factor(Z, observed, table.starts, np.arange(len(names)))
    prm = np.array([n.startswith("prm") for n in names])

    def prm_share(fit):
        w = np.abs(fit.weights / fit.scale)
        return w[prm].sum() / w.sum()

    assert prm_share(grouped) < 0.5 * prm_share(alone)
    assert grouped.masked and not np.any(np.isnan(grouped.loadings))

    def accuracy(fit):
        return selection_metrics(table, scores=Z @ (fit.weights / fit.scale))[
            "selection_accuracy"]

    assert accuracy(grouped) > accuracy(alone) + 0.02
    assert verifier_status(grouped)[names.index("inverted")] == "inverted (flipped)"


def test_few_families_use_every_pair():
    rng = np.random.default_rng(2)
    y = (rng.random(2000) < 0.4).astype(float)
    Z = np.column_stack([y + rng.normal(size=2000), y + rng.normal(size=2000)])
    fit = fit_family_factor(Z, np.ones(Z.shape, bool), np.arange(0, 2001, 10),
                            np.array([0, 1]))
    assert not fit.masked and (fit.weights > 0).all()
    assert fit.loadings == pytest.approx(fit.loadings[::-1], rel=0.2)
