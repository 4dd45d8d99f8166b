"""The compat layer against real Snorkel 0.10: same votes, statistics, rows and tie handling
(skipped when snorkel is not installed)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

pytest.importorskip("snorkel")

from wslib.bench.snorkel import run_tutorial  # noqa: E402
from wslib.compat.snorkel import analysis as compat_analysis  # noqa: E402
from wslib.compat.snorkel import labeling as compat_labeling  # noqa: E402
from wslib.compat.snorkel import utils as compat_utils  # noqa: E402

votes = arrays(np.int64, st.tuples(st.integers(1, 30), st.integers(1, 6)),
               elements=st.integers(-1, 2))


@pytest.fixture(scope="module")
def tutorials():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_tutorial("snorkel")[0], run_tutorial("wslib.compat.snorkel")[0]


@pytest.mark.parametrize("name", ["L_train", "L_test"])
def test_tutorial_votes_are_identical(tutorials, name):
    theirs, ours = tutorials
    np.testing.assert_array_equal(ours[name], theirs[name])
    assert ours[name].dtype == theirs[name].dtype


@pytest.mark.parametrize("name", ["first_summary", "summary", "test_summary"])
def test_tutorial_lf_summaries_are_identical(tutorials, name):
    theirs, ours = tutorials
    pd.testing.assert_frame_equal(ours[name], theirs[name], check_dtype=False)


def test_tutorial_buckets_are_identical(tutorials):
    theirs, ours = tutorials
    assert ours["buckets"].keys() == theirs["buckets"].keys()
    for key, rows in theirs["buckets"].items():
        np.testing.assert_array_equal(ours["buckets"][key], rows)


def test_abstain_idioms_keep_the_same_rows(tutorials):
    """filter_unlabeled_dataframe, and predict(tie_break_policy="abstain") then dropping
    the abstains, keep Snorkel's rows: no vote means the prior, a tie means -1."""
    theirs, ours = tutorials
    pd.testing.assert_frame_equal(ours["df_train_filtered"], theirs["df_train_filtered"])
    np.testing.assert_array_equal(ours["kept_by_abstain"], theirs["kept_by_abstain"])
    assert ours["kept_by_abstain"].sum() < len(ours["L_train"])  # uncovered rows are dropped


def test_label_model_is_at_least_as_accurate_as_snorkels(tutorials):
    theirs, ours = tutorials
    assert ours["majority_acc"] == theirs["majority_acc"]
    assert ours["label_model_acc"] >= theirs["label_model_acc"]


@settings(max_examples=40, deadline=None)
@given(votes)
def test_lf_analysis_matches_snorkel(L):
    from snorkel.labeling import LFAnalysis

    y = (np.arange(L.shape[0]) % 3)
    theirs, ours = LFAnalysis(L), compat_labeling.LFAnalysis(L)
    for method in ("label_coverage", "label_overlap", "label_conflict"):
        assert getattr(ours, method)() == pytest.approx(getattr(theirs, method)()), method
    assert ours.lf_polarities() == theirs.lf_polarities()
    for method, kw in (("lf_coverages", {}), ("lf_overlaps", {"normalize_by_coverage": True}),
                       ("lf_conflicts", {"normalize_by_overlaps": True})):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Snorkel divides by zero coverage
            np.testing.assert_allclose(getattr(ours, method)(**kw), getattr(theirs, method)(**kw))
    np.testing.assert_allclose(ours.lf_empirical_accuracies(y), theirs.lf_empirical_accuracies(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Snorkel divides by zero for a class absent from y
        expected = theirs.lf_empirical_probs(y, 3)
    np.testing.assert_allclose(ours.lf_empirical_probs(y, 3), expected)
    pd.testing.assert_frame_equal(ours.lf_summary(y), theirs.lf_summary(y), check_dtype=False)


@settings(max_examples=60, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 40), st.integers(2, 4)),
              elements=st.integers(0, 3)))
def test_probs_to_preds_matches_snorkel_with_ties(counts):
    from snorkel.utils import probs_to_preds

    probs = (counts + 1) / (counts + 1).sum(axis=1, keepdims=True)  # many exact ties
    for policy in ("abstain", "random"):
        np.testing.assert_array_equal(compat_utils.probs_to_preds(probs, policy),
                                      probs_to_preds(probs, policy))


@settings(max_examples=40, deadline=None)
@given(votes)
def test_label_buckets_match_snorkel(L):
    from snorkel.analysis import get_label_buckets

    theirs = get_label_buckets(*L.T)
    ours = compat_analysis.get_label_buckets(*L.T)
    assert list(ours) == list(theirs)
    for key in theirs:
        np.testing.assert_array_equal(ours[key], theirs[key])


def test_majority_label_voter_matches_snorkel():
    from snorkel.labeling.model import MajorityLabelVoter

    from wslib.compat.snorkel.labeling.model import MajorityLabelVoter as Compat

    L = np.random.default_rng(0).integers(-1, 3, size=(300, 5))
    np.testing.assert_allclose(Compat(cardinality=3).predict_proba(L),
                               MajorityLabelVoter(cardinality=3).predict_proba(L))
    y = np.random.default_rng(1).integers(0, 3, size=300)
    assert Compat(cardinality=3).score(L, y, metrics=["accuracy", "coverage", "f1_macro"]) == \
        pytest.approx(MajorityLabelVoter(cardinality=3).score(
            L, y, metrics=["accuracy", "coverage", "f1_macro"]))
