"""Hot loops over vote matrices: numba kernels, and vectorised NumPy on small inputs.

Kernels take plain arrays (dense ``int8``/``int16`` matrices, or the three CSR
arrays) and trust them: validation happens once, at the public API boundary
(:func:`wslib.matrix.check_votes`). Each dispatcher here picks the dense or
CSR code for an already-validated :data:`wslib.matrix.VoteMatrix`, and NumPy
or a numba kernel compiled on first use by the input's size
(:mod:`wslib.kernels.jit`); both give the same results.
"""

from wslib.kernels.votes import (
    count_votes,
    row_vote_counts,
    accumulate_scores,
    softmax_rows,
    row_coverage,
    coverage_counts,
    vote_range,
)

from wslib.kernels.stats import (
    one_coin_proba,
    pairwise_agreement,
    pattern_hashes,
    weighted_vote_counts,
)

__all__ = ["count_votes", "row_vote_counts", "accumulate_scores", "softmax_rows", "row_coverage",
           "coverage_counts", "vote_range",
           "one_coin_proba", "pairwise_agreement", "pattern_hashes", "weighted_vote_counts"]
