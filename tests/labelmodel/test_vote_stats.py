"""VoteStats: one-pass, mergeable pattern statistics, and fits from them."""

import numpy as np
import pytest
import scipy.sparse as sp

from wslib.datasets.synthetic import make_votes
from wslib.kernels import pattern_hashes
from wslib.labelmodel import DawidSkene, LabelModel, VoteStats
from wslib.matrix import to_sparse


def _same(a: VoteStats, b: VoteStats) -> None:
    assert (a.n_items, a.n_empty, a.n_multi) == (b.n_items, b.n_empty, b.n_multi)
    np.testing.assert_array_equal(a.singles, b.singles)
    np.testing.assert_array_equal(a.hashes, b.hashes)
    np.testing.assert_array_equal(a.counts, b.counts)
    assert (a.patterns != b.patterns).nnz == 0


@pytest.mark.parametrize("capacity", [100_000, 300])
def test_merge_equals_one_shot(capacity):
    L = make_votes(6000, 12, 3, n_unipolar=4, random_state=0).L
    whole = VoteStats.from_votes(L, 3, capacity=capacity)
    parts = [VoteStats.from_votes(L[i:i + 1500], 3, capacity=capacity) for i in range(0, 6000, 1500)]
    merged = parts[0] + parts[1] + parts[2] + parts[3]
    _same(merged, whole)
    assert whole.exact == (capacity == 100_000)
    _, w = whole.compressed()
    assert w.sum() == pytest.approx(6000)  # sampled patterns are reweighted to all rows


def test_streamed_fit_equals_batch_fit():
    d = make_votes(8000, 10, 2, n_unipolar=3, random_state=1)
    stats = VoteStats.from_votes(d.L[:3000], 2) + VoteStats.from_votes(d.L[3000:], 2)
    for cls in (LabelModel, DawidSkene):
        a = cls().fit_stats(stats).predict_proba(d.L)
        b = cls().fit(d.L).predict_proba(d.L)
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_sampled_stats_give_close_fit():
    d = make_votes(40_000, 15, 3, random_state=2)
    exact = LabelModel().fit(d.L)
    # 5,000 of ~40,000 distinct patterns: ~1,400 sampled votes per LF, so an accuracy has a
    # sampling s.d. of ~0.012 and the largest of 15 deviations stays well under 0.06
    sampled = LabelModel(max_patterns=5000).fit(d.L)
    assert np.abs(exact.accuracy_ - sampled.accuracy_).max() < 0.06


def test_hash_layout_independent():
    L = make_votes(500, 8, 3, random_state=3).L
    dense = pattern_hashes(L, 3)
    csr = to_sparse(L)
    rows, cols = np.indices(L.shape).reshape(2, -1)
    stored_abstain = sp.csr_matrix((L.ravel(), (rows, cols)), shape=L.shape)  # explicit -1s
    for other in (pattern_hashes(csr, 3), pattern_hashes(stored_abstain, 3)):
        for x, y in zip(dense, other):
            np.testing.assert_array_equal(x, y)


def test_merge_rejects_incompatible():
    a = VoteStats.from_votes(np.array([[0, 1, -1]]), 2)
    with pytest.raises(ValueError, match="different cardinality"):
        a + VoteStats.from_votes(np.array([[0, 1, -1]]), 3)
    with pytest.raises(ValueError, match="different n_sources"):
        a + VoteStats.from_votes(np.array([[0, 1]]), 2)
    with pytest.raises(TypeError, match="only merge VoteStats"):
        a.merge(np.zeros(3))
