"""The torch kernels on the CPU and the NumPy kernels against a plain
loop over random vote matrices (shapes, cardinalities, abstain rates, int8/int16)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wslib.kernels import count_votes, pattern_hashes, row_coverage, row_vote_counts
from wslib.kernels.agreement import overlap_conflict_counts
from wslib.kernels.jit import jit_threshold
from wslib.matrix import to_sparse

tv = pytest.importorskip("wslib.kernels.torch_votes")


@st.composite
def vote_matrices(draw):
    n, m = draw(st.integers(1, 30)), draw(st.integers(1, 6))
    k = draw(st.sampled_from([2, 3, 7, 127, 300]))
    dtype = draw(st.sampled_from([np.int16] if k > 127 else [np.int8, np.int16]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    L = rng.integers(0, k, (n, m))
    L[rng.random((n, m)) < draw(st.floats(0, 1))] = -1
    return L.astype(dtype), k


def _reference(L, k):
    n, m = L.shape
    per_lf, per_row, overlap = np.zeros((m, k), int), np.zeros((n, k), int), np.zeros((m, 3), int)
    for i in range(n):
        votes = [(j, int(L[i, j])) for j in range(m) if L[i, j] >= 0]
        for j, v in votes:
            per_lf[j, v] += 1
            per_row[i, v] += 1
            overlap[j] += [1, len(votes) > 1, any(w != v for _, w in votes)]
    return per_lf, per_row, overlap


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(vote_matrices(), st.sampled_from([1, 4, 1000]))
def test_torch_and_numpy_kernels_equal_a_plain_loop(votes, block_rows):
    L, k = votes
    per_lf, per_row, overlap = _reference(L, k)
    with jit_threshold(2**62):  # the NumPy path (the numba one is checked in test_paths)
        h, nv, first = pattern_hashes(L, k)
        for X in (L, to_sparse(L)):
            np.testing.assert_array_equal(count_votes(X, k), per_lf)
            np.testing.assert_array_equal(row_vote_counts(X, k), per_row)
            np.testing.assert_array_equal(row_coverage(X), (L >= 0).sum(axis=1))
            np.testing.assert_array_equal(overlap_conflict_counts(X, k), overlap)
            np.testing.assert_array_equal(tv.count_votes(X, k, block_rows=block_rows), per_lf)
            np.testing.assert_array_equal(tv.row_vote_counts(X, k, block_rows=block_rows),
                                          per_row)
            np.testing.assert_array_equal(tv.row_coverage(X, block_rows=block_rows),
                                          (L >= 0).sum(axis=1))
            th, tnv, tfirst = tv.pattern_hashes(X, k, block_rows=block_rows)
            np.testing.assert_array_equal(th.numpy().view(np.uint64), h)
            np.testing.assert_array_equal(tnv.numpy(), nv)
            np.testing.assert_array_equal(tfirst.numpy(), first)
