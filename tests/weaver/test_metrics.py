"""Best-of-N metrics: ties averaged exactly, never broken by row order or candidate ids."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wslib.weaver import VerifierTable, Weaver, selection_metrics
from wslib.weaver.metrics import expected_accuracy, problem_ranks

METRICS = ("pass_at_1", "majority_vote", "naive_mean", "best_single_verifier",
           "best_single_verifier_name", "oracle_pass_at_n", "selection_accuracy")


def test_expected_accuracy_by_hand():
    starts = np.array([0, 3, 5, 7])
    y = np.array([1, 0, 0, 0, 1, 1, 0])
    score = np.array([2.0, 2.0, 1.0, np.nan, np.nan, 3.0, 3.0])
    # problem 0: two tied tops, one correct; problem 1: no score at all, all tie
    assert expected_accuracy(score, y, starts).tolist() == [0.5, 0.5, 0.5]
    # a secondary key breaks the first key's ties, its own ties are averaged
    second = np.array([0.0, 1.0, 5.0, 0.0, 0.0, 1.0, 1.0])
    assert expected_accuracy(score, y, starts, second).tolist() == [0.0, 0.5, 0.5]
    both = expected_accuracy(np.column_stack([score, -np.arange(7.0)]), y, starts)
    assert both.tolist() == [[0.5, 1.0], [0.5, 0.0], [0.5, 1.0]]


def test_ties_do_not_favour_the_first_candidate():
    """The layout that once put the best single verifier at 0.77 and pass@1 at 1.0: the
    correct candidate listed first and verifiers full of ties."""
    rng = np.random.default_rng(0)
    n_problems, k = 300, 6
    frame = pd.DataFrame({"problem_id": np.repeat(np.arange(n_problems), k),
                          "candidate_id": np.tile(np.arange(k), n_problems),
                          "correct": np.tile([1, 0, 0, 0, 0, 0], n_problems),
                          "judge": rng.integers(1, 3, n_problems * k),  # 1 or 2, no signal
                          "flat": np.ones(n_problems * k)})
    m = selection_metrics(VerifierTable.from_frame(frame), scores=np.zeros(len(frame)))
    assert m["pass_at_1"] == pytest.approx(1 / 6)
    assert m["selection_accuracy"] == pytest.approx(1 / 6)  # every candidate ties
    # "flat" ties everywhere: exactly 1/6; "judge" picks among its 2s: about 1/6 too
    assert 0.1 < m["best_single_verifier"] < 0.25 and m["naive_mean"] < 0.25


@st.composite
def _tables(draw):
    n_problems = draw(st.integers(2, 6))
    sizes = draw(st.lists(st.integers(1, 5), min_size=n_problems, max_size=n_problems))
    n = sum(sizes)
    ints = st.lists(st.integers(0, 2), min_size=n, max_size=n)
    return pd.DataFrame({
        "problem_id": np.repeat([f"p{i}" for i in range(n_problems)], sizes),
        "candidate_id": np.concatenate([np.arange(s) for s in sizes]),
        "answer": draw(ints), "correct": draw(ints), "a": draw(ints),
        "b": [float(v) if v else np.nan for v in draw(ints)]}).assign(
        correct=lambda d: (d["correct"] > 0).astype(int))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=_tables(), seed=st.integers(0, 2**16))
def test_metrics_ignore_row_order_and_candidate_ids(frame, seed):
    rng = np.random.default_rng(seed)
    score = frame["a"].to_numpy(dtype=float)  # integer scores: many ties
    table = VerifierTable.from_frame(frame)
    before = selection_metrics(table, scores=score[table.frame_index])
    order = rng.permutation(len(frame))
    shuffled = frame.iloc[order].reset_index(drop=True)
    # new candidate ids too, so no sort can restore the old order
    shuffled["candidate_id"] = rng.permutation(len(frame))
    after = selection_metrics(shuffled, scores=score[order])
    assert {k: before[k] for k in METRICS} == {k: after[k] for k in METRICS}
    assert selection_metrics(frame, scores=score)["selection_accuracy"] == \
        before["selection_accuracy"]


def test_weaver_selection_ignores_row_order(sim_frame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weaver = Weaver().fit(sim_frame)
        shuffled = sim_frame.sample(frac=1.0, random_state=3)
        again = Weaver().fit(shuffled)
    keys = ["problem_id", "candidate_id"]
    picked = sim_frame.iloc[weaver.select(sim_frame)][keys].reset_index(drop=True)
    repicked = shuffled.iloc[again.select(shuffled)][keys].reset_index(drop=True)
    pd.testing.assert_frame_equal(picked, repicked)
    assert selection_metrics(sim_frame, scores=weaver.selection_score(sim_frame)) == \
        selection_metrics(shuffled, scores=again.selection_score(shuffled))


def test_problem_ranks_and_subsets(tiny_frame):
    table = VerifierTable.from_frame(tiny_frame)
    ranks = problem_ranks(table.scores, table.starts)
    assert ranks[:3, 0].tolist() == pytest.approx([1 / 6, 5 / 6, 1 / 2])  # 0.1, 0.9, 0.8
    assert ranks[5].tolist() == [0.5, 0.5]  # a single candidate sits in the middle
    whole = selection_metrics(table, scores=table.scores[:, 0])
    part = selection_metrics(table, scores=table.scores[:, 0], problems=[0, 1])
    assert part["n_problems"] == 2 and whole["n_problems"] == 3
    assert part["selection_accuracy"] == 1.0 and part["oracle_pass_at_n"] == 1.0
    with pytest.raises(ValueError, match="no problem left"):
        selection_metrics(table, problems=np.zeros(3, dtype=bool))
    with pytest.raises(ValueError, match="one per row"):
        selection_metrics(table, scores=np.zeros(2))
