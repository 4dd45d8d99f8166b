"""``generate_simple_label_matrix``: LFs that vote independently given the class."""

from __future__ import annotations

import numpy as np

__all__ = ["generate_simple_label_matrix"]


def generate_simple_label_matrix(n: int, m: int, cardinality: int,
                                 abstain_multiplier: float = 1.0
                                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Random LF tables ``P``, balanced gold labels ``Y`` and the votes ``L`` they give.

    ``P[j, l + 1, y]`` is :math:`P(\lambda_j = l \mid Y = y)` (``l = -1``: abstain),
    drawn at random and tilted towards the right class; ``abstain_multiplier``
    scales the abstain weight before normalizing (large: sparse LFs). Draws
    from NumPy's global generator, as Snorkel's generator does (the same
    distribution, not the same draws).

    >>> np.random.seed(0)
    >>> P, Y, L = generate_simple_label_matrix(1000, 3, 2)
    >>> bool(np.allclose(P.sum(axis=1), 1.0)), int(L.min()) >= -1
    (True, True)
    """
    k = cardinality
    raw = np.random.rand(m, k + 1, k)
    raw[:, 1:, :] += (k - 1) * np.eye(k)  # non-adversarial: each class's own vote is likelier
    raw[:, 0, :] *= abstain_multiplier
    P = raw / raw.sum(axis=1, keepdims=True)
    Y = np.random.choice(k, n)
    cdf = np.cumsum(P[:, :, Y], axis=1)  # (m, k + 1, n): each LF's vote distribution per item
    u = np.random.rand(m, 1, n)
    L = (u > cdf).sum(axis=1).T - 1  # inverse CDF: the first outcome whose CDF exceeds u
    return P, Y, np.minimum(L, k - 1).astype(int)
