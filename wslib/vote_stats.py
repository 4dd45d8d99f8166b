"""Mergeable sufficient statistics of a vote matrix: compressed vote patterns.

Every conditionally independent label model's likelihood depends on a row
only through its *pattern* (which LFs voted what), so a vote matrix can be
replaced by its distinct patterns and their counts. :class:`VoteStats` keeps

* the exact number of all-abstain rows and of each single-vote pattern
  ``(LF j voted v)`` — the heavy hitters of real, sparse vote matrices;
* for rows with two or more votes, a *bottom-k sketch*: the ``capacity``
  distinct patterns with the smallest 64-bit hash, with their exact counts,
  plus the exact number of such rows. When there are at most ``capacity``
  distinct patterns the statistics are exact; beyond,
  the kept patterns are a deterministic uniform sample of distinct patterns,
  reweighted to the true number of rows, so the cost of a fit is bounded
  whatever ``n``.

The statistics are **mergeable**: ``VoteStats.from_votes(L1) + VoteStats.from_votes(L2)``
equals ``VoteStats.from_votes(vstack([L1, L2]))`` exactly (same patterns, same
counts), because a pattern among the ``capacity`` smallest hashes overall is
among the smallest of every chunk containing it. A streaming pipeline can
therefore accumulate batches and fit once, getting the same model as a fit on
the concatenated matrix (see ``DawidSkene.fit_stats``).

Example
-------
>>> import numpy as np
>>> from wslib.vote_stats import VoteStats
>>> L = np.array([[0, 0, -1], [0, 0, -1], [1, -1, -1], [-1, -1, -1]])
>>> s = VoteStats.from_votes(L[:2], 2) + VoteStats.from_votes(L[2:], 2)
>>> s.n_items, s.n_empty, int(s.counts.sum())
(4, 1, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from wslib.kernels.stats import pattern_hashes
from wslib.matrix import VoteMatrix, check_votes, to_sparse, vote_dtype

__all__ = ["DEFAULT_CAPACITY", "VoteStats"]

#: Default number of distinct multi-vote patterns kept (EM cost is linear in it).
DEFAULT_CAPACITY = 20_000


@dataclass
class VoteStats:
    """Compressed, mergeable statistics of a vote matrix (see the module docstring).

    Attributes
    ----------
    cardinality, n_sources, capacity : int
    n_items : int
        Rows summarised.
    n_empty : int
        Rows where every LF abstained.
    singles : ndarray of int64, shape (n_sources * cardinality,)
        ``singles[j * k + v]``: rows whose only vote is LF ``j`` voting ``v``.
    n_multi : int
        Rows with two or more votes.
    hashes, counts : ndarray, shape (n_kept,)
        Sorted hashes of the kept multi-vote patterns and their exact counts.
    patterns : scipy.sparse.csr_matrix, shape (n_kept, n_sources)
        The kept patterns, one row each.
    """

    cardinality: int
    n_sources: int
    capacity: int
    n_items: int
    n_empty: int
    singles: np.ndarray
    n_multi: int
    hashes: np.ndarray
    counts: np.ndarray
    patterns: sp.csr_matrix

    @classmethod
    def from_votes(cls, L, cardinality: int | None = None, *,
                   capacity: int = DEFAULT_CAPACITY, device: Any = None) -> VoteStats:
        """Summarise a vote matrix in one pass (validated with ``check_votes``).

        ``device`` (``"cpu"``, ``"cuda"``, ...; see :func:`wslib.device.resolve_device`)
        runs the pass with the torch kernels on that device, block by block,
        instead of the numba kernels; the statistics are identical.

        >>> import numpy as np
        >>> L = np.array([[0, 1, -1], [0, 1, -1], [1, -1, -1]])
        >>> VoteStats.from_votes(L, 2, device="cpu").counts.tolist()
        [2]
        """
        if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)) \
                or capacity < 1:
            raise ValueError(f"capacity must be a positive integer, got {capacity!r}")
        L, k = check_votes(L, cardinality=cardinality, allow_empty=True)
        return cls._from_checked(L, k, capacity, device)

    @classmethod
    def _from_checked(cls, L: VoteMatrix, k: int, capacity: int, device: Any = None
                      ) -> VoteStats:
        if device is not None:
            return cls._from_device(L, k, capacity, device)
        n, m = L.shape
        h, nv, first = pattern_hashes(L, k)
        multi = np.flatnonzero(nv >= 2)
        hashes, rows, counts = _bottom_distinct(h[multi], capacity)
        rows = multi[rows]
        patterns = L[rows] if sp.issparse(L) else to_sparse(L[rows])
        return cls(
            cardinality=k, n_sources=m, capacity=int(capacity), n_items=int(n),
            n_empty=int(np.count_nonzero(nv == 0)),
            singles=np.bincount(first[nv == 1], minlength=m * k).astype(np.int64),
            n_multi=int(multi.size), hashes=hashes, counts=counts,
            patterns=_canonical(patterns, k, m),
        )

    @classmethod
    def _from_device(cls, L: VoteMatrix, k: int, capacity: int, device: Any) -> VoteStats:
        """Blocks reduced to pattern summaries by the torch kernels, merged here."""
        from wslib.kernels import torch_votes as tv

        m = L.shape[1]
        total = cls(cardinality=k, n_sources=m, capacity=int(capacity), n_items=0, n_empty=0,
                    singles=np.zeros(m * k, dtype=np.int64), n_multi=0,
                    hashes=np.zeros(0, dtype=np.uint64), counts=np.zeros(0, dtype=np.int64),
                    patterns=_canonical(sp.csr_matrix((0, m), dtype=vote_dtype(k)), k, m))
        for b in tv.pattern_blocks(L, k, capacity, device=device,
                                   block_rows=tv.DEFAULT_BLOCK_ROWS):
            total = total.merge(cls(
                cardinality=k, n_sources=m, capacity=int(capacity), n_items=b.n_rows,
                n_empty=b.n_empty, singles=b.singles, n_multi=b.n_multi, hashes=b.hashes,
                counts=b.counts, patterns=_canonical(to_sparse(b.patterns), k, m)))
        return total

    @property
    def exact(self) -> bool:
        """True when every multi-vote pattern is kept (no sampling)."""
        return int(self.counts.sum()) == self.n_multi

    @property
    def multi_scale(self) -> float:
        """Rows each kept multi-vote row stands for: ``n_multi / kept rows`` (1.0 when exact)."""
        kept = int(self.counts.sum())
        return self.n_multi / kept if kept else 1.0

    def merge(self, other: VoteStats) -> VoteStats:
        """Statistics of the concatenation of the two summarised matrices."""
        if not isinstance(other, VoteStats):
            raise TypeError(f"can only merge VoteStats, got {type(other).__name__}")
        for attr in ("cardinality", "n_sources", "capacity"):
            a, b = getattr(self, attr), getattr(other, attr)
            if a != b:
                raise ValueError(f"cannot merge VoteStats with different {attr}: {a} vs {b}")
        hashes = np.concatenate([self.hashes, other.hashes])
        uniq, idx, inv = np.unique(hashes, return_index=True, return_inverse=True)
        counts = np.zeros(uniq.size, dtype=np.int64)
        np.add.at(counts, inv, np.concatenate([self.counts, other.counts]))
        keep = slice(0, self.capacity)
        patterns = sp.vstack([self.patterns, other.patterns], format="csr")[idx[keep]]
        return VoteStats(
            cardinality=self.cardinality, n_sources=self.n_sources, capacity=self.capacity,
            n_items=self.n_items + other.n_items, n_empty=self.n_empty + other.n_empty,
            singles=self.singles + other.singles, n_multi=self.n_multi + other.n_multi,
            hashes=uniq[keep], counts=counts[keep],
            patterns=_canonical(patterns, self.cardinality, self.n_sources),
        )

    __add__ = merge

    def compressed(self) -> tuple[sp.csr_matrix, np.ndarray]:
        """Distinct patterns as CSR rows and their (re-weighted) row counts.

        Row order: the all-abstain pattern, the single-vote patterns, the kept
        multi-vote patterns, whose counts are scaled by ``n_multi / kept rows``.
        Built once per statistics object (every fit step reads it): treat the
        arrays as read-only.
        """
        if "_compressed" not in self.__dict__:
            self.__dict__["_compressed"] = self._compress()
        return self.__dict__["_compressed"]

    def _compress(self) -> tuple[sp.csr_matrix, np.ndarray]:
        m, k = self.n_sources, self.cardinality
        cells = np.flatnonzero(self.singles)
        multi = self.patterns  # canonical: sorted indices, no stored abstain
        indptr = np.concatenate([[0], np.arange(cells.size + 1),  # empty row, one vote each
                                 cells.size + multi.indptr[1:]]).astype(np.int64)
        P = sp.csr_matrix((np.concatenate([cells % k, multi.data]).astype(vote_dtype(k)),
                           np.concatenate([cells // k, multi.indices]).astype(np.int32), indptr),
                          shape=(indptr.size - 1, m))
        P.indptr = indptr  # scipy narrows it to int32: keep the kernels' one index dtype
        weights = np.concatenate([[float(self.n_empty)], self.singles[cells].astype(np.float64),
                                  self.counts * self.multi_scale])
        return P, weights


def _canonical(P: sp.csr_matrix, k: int, m: int) -> sp.csr_matrix:
    P = sp.csr_matrix(P, shape=(P.shape[0], m))
    if P.nnz and P.data.min() < 0:  # stored abstains of a sparse input: make them implicit
        rows = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
        keep = P.data >= 0
        P = sp.csr_matrix((P.data[keep], (rows[keep], P.indices[keep])), shape=P.shape)
    P.data = P.data.astype(vote_dtype(k), copy=False)
    P.indices = P.indices.astype(np.int32, copy=False)
    P.indptr = P.indptr.astype(np.int64, copy=False)
    P.sort_indices()
    return P


def _bottom_distinct(h: np.ndarray, capacity: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``capacity`` smallest distinct values of ``h`` with a row index and count each.

    Hashes are uniform on ``[0, 2**64)``, so a threshold a little above the
    expected ``capacity``-th smallest value keeps the ``np.unique`` sort small;
    it is raised until enough distinct values fall below it.
    """
    frac = 2.0 * capacity / max(h.size, 1)
    while True:
        if frac >= 1.0:
            cand = np.arange(h.size)
        else:
            cand = np.flatnonzero(h < np.uint64(int(frac * 2.0**64)))
        uniq, idx, counts = np.unique(h[cand], return_index=True, return_counts=True)
        if uniq.size >= capacity or frac >= 1.0:
            keep = slice(0, capacity)
            return uniq[keep], cand[idx[keep]], counts[keep].astype(np.int64)
        frac *= 4.0
