"""benchmarks/mixed_sources.py: classifier votes join each row's own votes, and the table."""

import doctest
from argparse import Namespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import mixed_sources
from wslib.bench.data import parse_synthetic


def test_docstring_examples():
    assert doctest.testmod(mixed_sources).failed == 0


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 8), extra=st.integers(1, 4), seed=st.integers(0, 50))
def test_classifier_columns_are_appended_on_the_same_rows(m, extra, seed):
    data = parse_synthetic(f"n=30,m={m},k=3,seed={seed}").load()
    rng = np.random.default_rng(seed)
    V_fit = rng.integers(0, 3, size=(30, extra)).astype(np.int8)
    V_eval = rng.integers(0, 3, size=(30, extra)).astype(np.int8)
    mixed = mixed_sources.with_classifiers(data, V_fit, V_eval)
    np.testing.assert_array_equal(mixed.L_fit[:, :m], data.L_fit)
    np.testing.assert_array_equal(mixed.L_fit[:, m:], V_fit)
    assert mixed.n_sources == m + extra and mixed.y_eval is data.y_eval
    assert mixed.L_valid is None and mixed.info["classifiers"] == extra


def test_sets_without_text_give_no_draws():
    data = parse_synthetic("n=30,m=4,k=2").load()
    assert list(mixed_sources.draws(data, Namespace(draws=2))) == []


def test_table_against_majority_vote():
    text = mixed_sources.main(["--draws", "2", "--datasets", "youtube", "--methods",
                               "LabelModel", "--classifiers", "3"])
    row = next(line for line in text.splitlines() if line.startswith("| youtube |"))
    mean, below, worst = [cell.strip() for cell in row.split("|")[3:6]]
    assert below.endswith("of 2") and float(worst) <= float(mean)
