"""Shared verifier tables for the Weaver tests."""

from pathlib import Path

import pandas as pd
import pytest

from wslib.datasets.synthetic import make_verifier_table

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def sim_frame() -> pd.DataFrame:
    """A simulated table: 200 problems, 4-16 candidates (ragged), 16 verifiers."""
    return make_verifier_table(n_problems=200, n_candidates=(4, 16), n_verifiers=16,
                               random_state=3)


@pytest.fixture
def tiny_frame() -> pd.DataFrame:
    """Three problems (one with a single candidate), two verifiers, labels and answers."""
    return pd.DataFrame({
        "problem_id": ["a", "a", "a", "b", "b", "c"],
        "candidate_id": [0, 1, 2, 0, 1, 0],
        "answer": ["1", "2", "2", "x", "y", "z"],
        "correct": [0, 1, 1, 1, 0, 1],
        "rm": [0.1, 0.9, 0.8, 0.7, 0.2, 0.5],
        "judge": [0, 1, 1, 1, 0, 1],
    })
