"""benchmarks/lf_halves.py: halves of the LFs keep every row where it was, and the table."""

import doctest
from argparse import Namespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import lf_halves
from wslib.bench.data import parse_synthetic


def test_docstring_examples():
    assert doctest.testmod(lf_halves).failed == 0


@settings(max_examples=25, deadline=None)
@given(m=st.integers(2, 12), draw=st.integers(0, 50))
def test_a_half_keeps_rows_and_columns_aligned(m, draw):
    data = parse_synthetic(f"n=40,m={m},k=3,seed={draw}").load()
    cols = lf_halves.draw_columns(m, draw)
    assert cols.size == max(2, round(m / 2)) and np.all(np.diff(cols) > 0)
    half = lf_halves.lf_columns(data, cols)
    for j, c in enumerate(cols):  # column j of the half is LF c, on every row
        np.testing.assert_array_equal(half.L_fit[:, j], data.L_fit[:, c])
    assert half.same_rows and half.y_eval is data.y_eval and half.info["lf_columns"] == list(cols)


@pytest.mark.parametrize("size", [[], ["--lfs", "4"]])
def test_table_against_majority_vote(capsys, size):
    text = lf_halves.main(["--draws", "2", "--datasets", "youtube", "--methods", "LabelModel",
                           *size])
    row = next(line for line in text.splitlines() if line.startswith("| youtube |"))
    mean, below, worst = [cell.strip() for cell in row.split("|")[3:6]]
    assert below.endswith("of 2") and float(worst) <= float(mean)
    assert "all sets" in text.splitlines()[-1]


@settings(max_examples=25, deadline=None)
@given(m=st.integers(2, 12), size=st.integers(2, 12), draw=st.integers(0, 50))
def test_a_draw_of_n_lfs_keeps_rows_and_columns_aligned(m, size, draw):
    data = parse_synthetic(f"n=30,m={m},k=2,seed={draw}").load()
    args = Namespace(draws=2, lfs=size)
    drawn = list(lf_halves.halves(data, args))
    if m <= size:  # nothing to draw from: the set is left out
        assert drawn == []
        return
    for seeds, subset in drawn:
        cols = subset.info["lf_columns"]
        assert len(cols) == size == subset.n_sources and seeds in ([0], [1])
        np.testing.assert_array_equal(subset.L_fit, data.L_fit[:, cols])
        np.testing.assert_array_equal(subset.L_eval, data.L_eval[:, cols])


def test_lf_count_below_two_is_refused(capsys):
    with pytest.raises(SystemExit):
        lf_halves.main(["--lfs", "1"])
    assert "needs at least 2 LFs" in capsys.readouterr().err
