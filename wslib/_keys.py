"""Deterministic random keys from hashes: ties broken at random, yet the same for a row
or a candidate whatever the order of the data or the batch it comes in."""

from __future__ import annotations

import numpy as np

__all__ = ["GOLDEN", "mix", "seed_hash", "unit_interval"]

#: 2**64 / golden ratio: spreads consecutive integers before :func:`mix`
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def mix(h: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: well-spread 64-bit hashes of ``h`` (uint64, wrapping).

    >>> int(mix(np.uint64(1))) != int(mix(np.uint64(2)))
    True
    """
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def seed_hash(seed: int) -> np.uint64:
    """The hash of a non-negative integer seed."""
    with np.errstate(over="ignore"):
        return mix(np.uint64(seed & 0xFFFFFFFFFFFFFFFF) + GOLDEN)


def unit_interval(h: np.ndarray) -> np.ndarray:
    """Hashes as floats uniform in [0, 1) (their top 53 bits).

    >>> float(unit_interval(np.array([0], dtype=np.uint64))[0])
    0.0
    """
    return (h >> np.uint64(11)).astype(np.float64) / float(2 ** 53)
