"""benchmarks/one_vs_rest.py: binary tasks keep every vote on its row, and the table."""

import argparse
import doctest
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import one_vs_rest
from wslib.bench import variants
from wslib.bench.data import parse_synthetic, wrench_specs
from wslib.bench.peers import all_methods
from wslib.matrix import to_dense


def test_docstring_examples():
    assert doctest.testmod(one_vs_rest).failed == 0


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 30), m=st.integers(1, 6), k=st.integers(2, 5), seed=st.integers(0, 99),
       data=st.data())
def test_votes_stay_on_their_cells(n, m, k, seed, data):
    L = np.random.default_rng(seed).integers(-1, k, size=(n, m)).astype(np.int8)
    target = data.draw(st.integers(0, k - 1))
    out = one_vs_rest.one_vs_rest_votes(L, target)
    assert out.dtype == L.dtype and out.shape == L.shape
    np.testing.assert_array_equal(out < 0, L < 0)          # abstains stay, nothing new
    np.testing.assert_array_equal(out[L >= 0], (L[L >= 0] == target).astype(np.int8))
    sparse = sp.csr_matrix(np.where(L < 0, 0, L + 1)).astype(np.int8)  # votes as stored cells
    sparse.data -= 1                                        # class 0 kept as a stored zero
    np.testing.assert_array_equal(to_dense(one_vs_rest.one_vs_rest_votes(sparse, target)), out)


def test_a_task_keeps_rows_and_reads_gold_as_the_target():
    data = parse_synthetic("n=60,m=5,k=4,seed=3").load()
    task = one_vs_rest.one_vs_rest(data, 2)
    assert (task.name, task.metric, task.cardinality) == (f"{data.name}:2", "f1", 2)
    assert task.same_rows and task.n_sources == data.n_sources
    np.testing.assert_array_equal(task.y_eval, (data.y_eval == 2).astype(int))
    np.testing.assert_array_equal(to_dense(task.L_fit) == 1, to_dense(data.L_fit) == 2)


def test_tasks_skip_rare_classes_and_binary_sets():
    data = parse_synthetic("n=200,m=5,k=3,seed=1").load()
    y = data.y_eval.copy()
    y[y == 1] = 0
    y[:2] = 1                                               # class 1: 1 % of the items
    rare = replace(data, y_eval=y)
    args = argparse.Namespace(min_share=0.05, seeds=2)
    listed = list(one_vs_rest.tasks(rare, args))
    assert [t.info["one_vs_rest"] for _, t in listed] == [0, 2]
    assert all(list(seeds) == [0, 1] for seeds, _ in listed)
    binary = parse_synthetic("n=50,m=4,k=2").load()
    assert list(one_vs_rest.tasks(binary, args)) == []


def test_each_task_gives_one_difference_per_method():
    data = parse_synthetic("n=300,m=8,k=3,seed=0").load()
    listed = list(one_vs_rest.tasks(data, argparse.Namespace(min_share=0.05, seeds=2)))
    methods = {m.name: m for m in all_methods()}
    diffs = variants.differences(listed, [methods["LabelModel"]], methods["MajorityVote"])
    assert len(diffs["LabelModel"]) == len(listed) == 3
    assert np.isfinite(diffs["LabelModel"]).all()
    header, rows = variants.table({data.name: (data.n_sources, diffs)}, ["LabelModel"],
                                  unit="tasks")
    assert "LabelModel: tasks below" in header and rows[0][3].endswith("of 3")


@pytest.mark.skipif("chemprot" not in [s.name for s in wrench_specs(None)],
                    reason="chemprot is not in the data folders (benchmarks/get_data.py)")
def test_table_against_majority_vote():
    text = one_vs_rest.main(["--datasets", "chemprot", "--seeds", "1", "--methods",
                             "LabelModel"])
    row = next(line for line in text.splitlines() if line.startswith("| chemprot |"))
    mean, below, worst = [cell.strip() for cell in row.split("|")[3:6]]
    assert below.endswith("of 4") and float(worst) <= float(mean)
    assert "tasks below" in text and "all sets" in text.splitlines()[-1]
