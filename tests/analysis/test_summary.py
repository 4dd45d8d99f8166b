"""lf_summary and friends: definitions, dense == sparse, Snorkel agreement, bad input."""

import re

import numpy as np
import pandas as pd
import pytest

from tests.conftest import require_peer
from wslib.analysis import (
    lf_conflicts,
    lf_confusion,
    lf_coverages,
    lf_empirical_accuracies,
    lf_overlaps,
    lf_polarities,
    lf_summary,
)
from wslib.matrix import to_sparse


def random_votes(n=400, m=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    L = rng.integers(0, k, size=(n, m))
    L[rng.random((n, m)) < 0.6] = -1
    L[:, -1] = -1  # one silent LF
    return L.astype(np.int8), rng.integers(0, k, size=n)


def brute_force(L, y):
    m = L.shape[1]
    rows = []
    for j in range(m):
        votes = L[:, j] >= 0
        others = np.delete(L, j, axis=1)
        overlap = votes & (others >= 0).any(axis=1)
        conflict = votes & ((others >= 0) & (others != L[:, [j]])).any(axis=1)
        correct = int((votes & (L[:, j] == y)).sum())
        incorrect = int((votes & (L[:, j] != y)).sum())
        rows.append((sorted(set(L[votes, j].tolist())), votes.mean(), overlap.mean(),
                     conflict.mean(), correct, incorrect))
    return rows


def test_summary_matches_definitions(small_votes):
    for L, y in [small_votes, random_votes()]:
        table = lf_summary(L, y)
        for j, (pol, cov, ovl, cfl, cor, inc) in enumerate(brute_force(L, y)):
            row = table.iloc[j]
            assert row["polarity"] == pol
            assert row[["coverage", "overlaps", "conflicts"]].tolist() == pytest.approx(
                [cov, ovl, cfl])
            assert (row["correct"], row["incorrect"]) == (cor, inc)
    assert np.isnan(lf_summary(*random_votes())["emp_acc"].iloc[-1])  # silent LF


def test_dense_and_sparse_agree():
    L, y = random_votes(seed=1)
    pd.testing.assert_frame_equal(lf_summary(L, y), lf_summary(to_sparse(L), y))
    pd.testing.assert_frame_equal(lf_confusion(L, y), lf_confusion(to_sparse(L), y))


def test_helpers_agree_with_summary():
    L, y = random_votes(seed=2)
    table = lf_summary(L, y)
    np.testing.assert_allclose(lf_coverages(L), table["coverage"])
    np.testing.assert_allclose(lf_overlaps(L), table["overlaps"])
    np.testing.assert_allclose(lf_conflicts(L), table["conflicts"])
    np.testing.assert_allclose(lf_empirical_accuracies(L, y), table["emp_acc"])
    assert lf_polarities(L) == table["polarity"].tolist()


def test_unknown_gold_is_skipped_and_confusion_counts_abstains():
    L = np.array([[0, 1], [1, -1], [1, 1]])
    y = np.array([0, -1, 1])
    table = lf_summary(L, y, lfs=["a", "b"])
    assert table.loc["a", ["correct", "incorrect"]].tolist() == [2, 0]
    conf = lf_confusion(L, y, lfs=["a", "b"])
    assert conf.loc[("b", 0)].tolist() == [0, 0, 1]  # gold 0: b voted 1
    assert conf.loc[("a", 1)].tolist() == [0, 0, 1]
    assert conf.to_numpy().sum() == 2 * 2  # two LFs x two labelled items


def test_matches_snorkel_lfanalysis():
    LFAnalysis = require_peer("snorkel.labeling").LFAnalysis

    L, y = random_votes(seed=3)
    theirs = LFAnalysis(L.astype(np.int64)).lf_summary(Y=y)
    ours = lf_summary(L, y)
    for col, their_col in [("coverage", "Coverage"), ("overlaps", "Overlaps"),
                           ("conflicts", "Conflicts"), ("correct", "Correct"),
                           ("incorrect", "Incorrect")]:
        np.testing.assert_allclose(ours[col].to_numpy(dtype=float),
                                   theirs[their_col].to_numpy(dtype=float), err_msg=col)


def test_bad_input_named():
    L, y = random_votes()
    with pytest.raises(ValueError, match="lfs has 2 entries but L has 6 columns"):
        lf_summary(L, lfs=["a", "b"])
    with pytest.raises(ValueError, match="y has 3 labels but there are 400 items"):
        lf_summary(L, y[:3])
    with pytest.raises(ValueError, match=r"row 0, column 0"):
        lf_summary(np.full((2, 2), -3))


def test_summary_displays_rounded_and_in_full():
    """Printed and in HTML: three decimals, every column, however wide the table."""
    L, y = random_votes(m=30)
    names = [f"a_rather_long_labeling_function_name_{j}" for j in range(30)]
    summary = lf_summary(L, y, names)
    text = repr(summary)
    lines = text.splitlines()
    assert "..." not in text and len(lines) == 31
    assert lines[0].split() == ["j", "polarity", "coverage", "overlaps", "conflicts", "correct",
                                "incorrect", "emp_acc"]
    assert f"{summary['coverage'].iloc[0]:.3f}" in lines[1]
    assert not re.search(r"\d\.\d{4}", text)  # no value shown with more than 3 decimals
    html = summary._repr_html_()
    assert "emp_acc" in html and "..." not in html
    assert f"{summary['coverage'].iloc[0]:.3f}" in html
    assert isinstance(summary.sort_values("coverage").head(3), type(summary))
    assert summary["coverage"].iloc[0] == lf_coverages(L)[0]  # values are not rounded


def test_label_model_accuracies_by_name():
    from wslib.analysis import lf_accuracies
    from wslib.datasets.synthetic import make_votes
    from wslib.labelmodel import LabelModel, MajorityVote

    data = make_votes(3000, 5, 2, random_state=0)
    model = LabelModel().fit(data.L)
    names = ["a", "b", "c", "d", "e"]
    acc = lf_accuracies(model, names)
    assert acc.index.tolist() == names and acc.name == "est_acc"
    np.testing.assert_array_equal(acc.to_numpy(), model.accuracy_)
    summary = lf_summary(data.L, data.y, names, model=model)
    assert summary.columns[-3:].tolist() == ["emp_acc", "est_acc", "est_basis"]
    np.testing.assert_array_equal(summary["est_acc"].to_numpy(), model.accuracy_)
    assert summary["est_basis"].tolist() == model.estimate_basis_.tolist()
    from wslib.labelmodel import DawidSkene  # says nothing about its estimates' basis

    other = lf_summary(data.L, data.y, names, model=DawidSkene().fit(data.L))
    assert other.columns[-2:].tolist() == ["emp_acc", "est_acc"]
    assert "est_acc" in lf_summary(data.L, lfs=names, model=model)
    with pytest.raises(ValueError, match="MajorityVote learns no per-LF accuracies"):
        lf_accuracies(MajorityVote().fit(data.L))
    with pytest.raises(ValueError, match="not a fitted label model"):
        lf_accuracies(LabelModel())
    with pytest.raises(ValueError, match="fitted on 5 LFs but L has 4 columns"):
        lf_summary(data.L[:, :4], model=model)
    with pytest.raises(ValueError, match="lfs has 2 entries but L has 5 columns"):
        lf_accuracies(model, ["a", "b"])
