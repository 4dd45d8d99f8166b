"""Scale paths at their edges: where a Dask failure is reported, column labels,
Parquet files with another column type, vote DataFrames as streaming sources."""

import time

import numpy as np
import pandas as pd
import pytest

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.apply import apply_parquet
from wslib.labelmodel import DawidSkene
from wslib.labelmodel.streaming import fit_streaming, predict_proba_streaming
from wslib.lf import keyword_lf, threshold_lf


@labeling_function()
def fails_on_nines(x):
    """Fails on every row whose n ends in 9; partition 0's failure comes last in time."""
    if x.n % 10 == 9:
        if x.n < 10:
            time.sleep(0.2)
        raise RuntimeError("boom")
    return ABSTAIN


@pytest.mark.parametrize("what", ["votes", "stats"])
def test_local_scheduler_names_the_first_failing_partition(what):
    dd = pytest.importorskip("dask.dataframe")
    from wslib.apply.dask import PartitionError, apply_lfs_dask, vote_stats_dask

    ddf = dd.from_pandas(pd.DataFrame({"n": np.arange(100)}), npartitions=5)
    call = (lambda: apply_lfs_dask(ddf, [fails_on_nines])) if what == "votes" else \
        (lambda: vote_stats_dask(ddf, [fails_on_nines], cardinality=2))
    with pytest.raises(PartitionError) as info:
        call()
    assert (info.value.partition, info.value.n_partitions) == (0, 5)
    assert (info.value.lf, info.value.position) == ("fails_on_nines", 9)


def test_dask_matches_columns_by_their_labels_as_apply_lfs_does():
    dd = pytest.importorskip("dask.dataframe")
    from wslib.apply.dask import apply_lfs_dask

    df = pd.DataFrame({0: ["buy now", "hi", "buy"], "n": [1, 2, 3]})
    lfs = [keyword_lf("buy", 1, column=0, name="kw")]
    np.testing.assert_array_equal(apply_lfs_dask(dd.from_pandas(df, npartitions=2), lfs),
                                  apply_lfs(df, lfs))


def test_parquet_file_with_another_column_type_is_named(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    pd.DataFrame({"text": ["a"], "n": [1]}).to_parquet(folder / "a.parquet")
    pd.DataFrame({"text": ["b"], "n": ["many"]}).to_parquet(folder / "b.parquet")
    with pytest.raises(ValueError, match=r"b\.parquet"):
        apply_parquet(folder, [threshold_lf("n", 5, 1)], tmp_path / "L.npy")
    assert not list(tmp_path.glob("*.npy")) and not list(tmp_path.glob(".L.npy*"))


@pytest.mark.filterwarnings("ignore::wslib.exceptions.ConvergenceWarning")
def test_vote_dataframe_streams_like_its_array(tmp_path):
    rng = np.random.default_rng(0)
    L = rng.integers(-1, 3, (301, 4)).astype(np.int8)
    frame = pd.DataFrame(L, columns=["a", "b", "c", "d"])
    ref = DawidSkene(cardinality=3).fit(L)
    model = fit_streaming(DawidSkene(cardinality=3), frame, batch_size=50)
    np.testing.assert_allclose(model.predict_proba(L), ref.predict_proba(L), atol=1e-6)
    out = predict_proba_streaming(model, frame, tmp_path / "P.npy", batch_size=64)
    np.testing.assert_allclose(np.load(out), model.predict_proba(L))
