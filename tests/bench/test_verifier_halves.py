"""benchmarks/verifier_halves.py: halves of the verifiers keep every score on its row,
and the table."""

import doctest

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import verifier_halves
from wslib.datasets.synthetic import make_verifier_table
from wslib.weaver import read_table


def test_docstring_examples():
    assert doctest.testmod(verifier_halves).failed == 0


@settings(max_examples=20, deadline=None)
@given(m=st.integers(2, 8), draw=st.integers(0, 50))
def test_a_half_keeps_rows_and_columns_aligned(m, draw):
    table = read_table(make_verifier_table(12, (2, 5), m, random_state=draw))
    cols = verifier_halves.draw_columns(m, draw)
    half = verifier_halves.verifier_columns(table, cols)
    for j, c in enumerate(cols):  # column j of the half is verifier c, on every row
        np.testing.assert_array_equal(half.scores[:, j], table.scores[:, c])
        assert half.verifiers[j] == table.verifiers[c]
    np.testing.assert_array_equal(half.labels, table.labels)
    np.testing.assert_array_equal(half.starts, table.starts)


def test_table_against_the_naive_rank_mean(tmp_path):
    make_verifier_table(60, 6, 8, random_state=1).to_csv(tmp_path / "simulated.csv",
                                                         index=False)
    text = verifier_halves.main(["--data", str(tmp_path), "--draws", "2"])
    row = next(line for line in text.splitlines() if line.startswith("| simulated |"))
    cells = [cell.strip() for cell in row.split("|")[1:-1]]
    assert cells[1] == "8" and cells[5].endswith("of 2") and cells[8].endswith("of 2")
    assert float(cells[6]) <= float(cells[4])  # the worst half is at most the mean gap
