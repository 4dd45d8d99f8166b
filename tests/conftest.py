"""Shared fixtures: small vote matrices and the shared WRENCH data when present."""

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from wslib.kernels.jit import jit_threshold

ROOT = Path(__file__).resolve().parents[1]
SHARED_WRENCH = ROOT.parent / "shared" / "data" / "wrench"


def shared_dataset(name: str) -> Path:
    """Path of a shared WRENCH dataset, or skip the test when it is absent."""
    path = SHARED_WRENCH / name
    if not (path / "label.json").exists():
        pytest.skip(f"shared dataset {name} not present at {path}")
    return path


def require_peer(module: str):
    """Import a peer library of the test extra (snorkel, crowdkit, hyperlm); its absence
    fails the test instead of skipping it, so the comparisons always run in CI."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        pytest.fail(f"{module} is in the test extra (pip install -e '.[test]'), and the checks "
                    f"against it must run: {exc}", pytrace=False)


@pytest.fixture
def small_votes() -> tuple[np.ndarray, np.ndarray]:
    """A 6-item, 3-LF binary vote matrix with gold labels."""
    L = np.array(
        [[0, 0, -1], [0, 1, 0], [1, 1, 1], [-1, 1, 1], [-1, -1, -1], [0, -1, 1]], dtype=np.int8
    )
    y = np.array([0, 0, 1, 1, 0, 0])
    return L, y


@pytest.fixture(params=["numpy", "compiled"])
def kernel_path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a test on each path of the kernels: vectorised NumPy (what small inputs
    take) and the numba kernels (large inputs), whatever the input's size."""
    with jit_threshold(2**62 if request.param == "numpy" else 0):
        yield request.param
