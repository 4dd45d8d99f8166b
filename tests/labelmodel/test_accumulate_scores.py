"""The scoring kernel behind every conditionally independent posterior."""

import numpy as np
import pytest

from wslib.datasets.synthetic import make_votes
from wslib.kernels import accumulate_scores
from wslib.matrix import to_sparse


@pytest.mark.parametrize("k", [2, 5, 9])  # the per-class dense kernel, and the vector one
def test_accumulate_scores_matches_its_definition(k):
    d = make_votes(3_000, 12, k, random_state=k)
    rng = np.random.default_rng(k)
    w_vote, w_abstain = rng.normal(size=(12, k, k)), rng.normal(size=(12, k))
    base = rng.normal(size=k)
    voted = d.L >= 0
    expected = base + np.where(voted[:, :, None],
                               w_vote[np.arange(12)[None, :], np.maximum(d.L, 0)],
                               w_abstain[None, :, :]).sum(axis=1)
    for L in (d.L, to_sparse(d.L)):
        np.testing.assert_allclose(accumulate_scores(L, w_vote, w_abstain, base), expected,
                                   rtol=0, atol=1e-10)
