"""Fixtures of the scale tests: a small multi-file Parquet corpus and its LFs."""

import numpy as np
import pandas as pd
import pytest

from wslib import ABSTAIN, labeling_function
from wslib.bench.scale import make_corpus_table, scale_lfs


@pytest.fixture(scope="session")
def corpus() -> pd.DataFrame:
    """3,000 synthetic rows (text, n_links, score, length); deterministic."""
    return make_corpus_table(3_000, seed=7).to_pandas()


@pytest.fixture(scope="session")
def lfs():
    return scale_lfs()


@pytest.fixture(scope="session")
def parquet_dir(tmp_path_factory, corpus) -> "Path":  # noqa: F821
    """The corpus as three Parquet files of uneven sizes (and small row groups)."""
    folder = tmp_path_factory.mktemp("corpus")
    for i, (a, b) in enumerate([(0, 1_100), (1_100, 1_150), (1_150, 3_000)]):
        corpus.iloc[a:b].to_parquet(folder / f"part-{i}.parquet", row_group_size=400,
                                    index=False)
    return folder


@labeling_function(batch=True, columns=["score"])
def fails_late(df):
    """Raises on rows whose score is very high (a few rows late in the corpus)."""
    if (df["score"].to_numpy() > 3.2).any():
        raise ZeroDivisionError("score overflow")
    return np.full(len(df), ABSTAIN)


def assert_same_learned(a, b, atol: float = 1e-6) -> None:
    """Every learned attribute of two fitted label models agrees (arrays to ``atol``)."""
    for name in a._learned:
        got, ref = getattr(a, name), getattr(b, name)
        if isinstance(ref, str):
            assert got == ref, name
        elif isinstance(ref, np.ndarray) and ref.dtype.kind in "USO":  # labels, not numbers
            np.testing.assert_array_equal(got, ref, err_msg=name)
        else:
            np.testing.assert_allclose(got, ref, rtol=0, atol=atol, err_msg=name)
