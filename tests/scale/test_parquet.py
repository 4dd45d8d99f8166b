"""apply_parquet: streamed votes equal apply_lfs; schema errors; no partial output."""

import numpy as np
import pandas as pd
import pyarrow.dataset as pds
import pytest

from wslib import apply_lfs
from wslib.apply import LFApplyError, MissingColumnError
from wslib.apply.parquet import apply_parquet, read_votes
from wslib.exceptions import LFFaultWarning
from wslib.vote_stats import VoteStats
from wslib.lf import keyword_lf, threshold_lf

from .conftest import fails_late


@pytest.mark.parametrize("suffix", [".npy", ".parquet", ".arrow"])
def test_streamed_votes_equal_in_memory(parquet_dir, corpus, lfs, tmp_path, suffix):
    res = apply_parquet(parquet_dir, lfs, tmp_path / f"L{suffix}", batch_size=256)
    expected = apply_lfs(corpus, lfs)
    got = read_votes(res.path)
    assert got.dtype == expected.dtype == np.int8
    np.testing.assert_array_equal(got, expected)
    assert res.n_rows == len(corpus) and res.lf_names == [lf.name for lf in lfs]
    assert res.n_batches >= len(corpus) // 256  # really streamed, in small batches
    assert list(tmp_path.iterdir()) == [tmp_path / f"L{suffix}"]  # no temporary left


def test_npy_output_is_memory_mappable_and_stats_equal_whole_matrix(parquet_dir, lfs, tmp_path):
    res = apply_parquet(parquet_dir, lfs, tmp_path / "L.npy", cardinality=2, stats=True,
                        batch_size=500, capacity=50)
    L = res.votes()
    assert isinstance(L, np.memmap)
    whole = VoteStats.from_votes(np.asarray(L), 2, capacity=50)
    assert not whole.exact  # the sketch is exercised, not only exact counting
    for name in ("n_items", "n_empty", "n_multi"):
        assert getattr(res.stats, name) == getattr(whole, name)
    np.testing.assert_array_equal(res.stats.singles, whole.singles)
    np.testing.assert_array_equal(res.stats.hashes, whole.hashes)
    np.testing.assert_array_equal(res.stats.counts, whole.counts)
    assert (res.stats.patterns != whole.patterns).nnz == 0


def test_stats_only_and_dataset_and_file_list_inputs(parquet_dir, corpus, lfs, tmp_path):
    files = sorted(parquet_dir.glob("*.parquet"))
    a = apply_parquet(files, lfs, None, cardinality=2, stats=True)
    assert a.path is None and a.stats.n_items == len(corpus)
    b = apply_parquet(pds.dataset([str(f) for f in files]), lfs, tmp_path / "L.npy")
    np.testing.assert_array_equal(b.votes(), apply_lfs(corpus, lfs))


def test_missing_column_names_column_lf_and_file(parquet_dir, corpus, tmp_path):
    lf = threshold_lf("clicks", 3, 1, name="many_clicks")
    with pytest.raises(MissingColumnError, match=r"'clicks' needed by LF 'many_clicks'") as err:
        apply_parquet(parquet_dir, [lf], tmp_path / "L.npy")
    assert err.value.column == "clicks" and err.value.lf == "many_clicks"
    assert not (tmp_path / "L.npy").exists()


def test_one_file_lacking_a_column_is_named(tmp_path, corpus):
    folder = tmp_path / "data"
    folder.mkdir()
    corpus.iloc[:10].to_parquet(folder / "a.parquet")
    corpus.iloc[10:20].drop(columns="score").to_parquet(folder / "b.parquet")
    lf = threshold_lf("score", 0.0, 1, name="positive")
    with pytest.raises(MissingColumnError, match=r"'score' needed by LF 'positive'.*b\.parquet"):
        apply_parquet(folder, [keyword_lf("free", 1), lf], tmp_path / "L.npy")
    # the first file (whose schema the dataset takes) is named as well
    (folder / "b.parquet").rename(folder / "0.parquet")
    with pytest.raises(MissingColumnError, match=r"'score' needed by LF 'positive'.*0\.parquet"):
        apply_parquet(folder, [keyword_lf("free", 1), lf], tmp_path / "L.npy")


@pytest.mark.parametrize("suffix", [".npy", ".parquet"])
def test_failing_batch_leaves_no_partial_output(parquet_dir, corpus, tmp_path, suffix):
    out = tmp_path / f"L{suffix}"
    with pytest.raises(LFApplyError, match=r"LF 'fails_late' raised ZeroDivisionError"):
        apply_parquet(parquet_dir, [keyword_lf("free", 1), fails_late], out, batch_size=300)
    assert list(tmp_path.iterdir()) == []


def test_abstain_counts_faults_like_apply_lfs(parquet_dir, corpus, tmp_path):
    lfs = [keyword_lf("free", 1), fails_late]
    with pytest.warns(LFFaultWarning):
        res = apply_parquet(parquet_dir, lfs, tmp_path / "L.npy", batch_size=300,
                            errors="abstain")
    with pytest.warns(LFFaultWarning):
        L, faults = apply_lfs(corpus, lfs, chunk_size=300, errors="abstain", return_faults=True)
    assert res.faults["fails_late"] > 0
    pd.testing.assert_series_equal(res.faults, faults)
    np.testing.assert_array_equal(res.votes(), L)


def test_bad_arguments(parquet_dir, lfs, tmp_path):
    with pytest.raises(ValueError, match="out=None writes nothing"):
        apply_parquet(parquet_dir, lfs, None)
    with pytest.raises(ValueError, match="stats=True needs cardinality"):
        apply_parquet(parquet_dir, lfs, tmp_path / "L.npy", stats=True)
    with pytest.raises(ValueError, match="cannot tell the vote-matrix format"):
        apply_parquet(parquet_dir, lfs, tmp_path / "L.csv")
    with pytest.raises(ValueError, match="batch_size"):
        apply_parquet(parquet_dir, lfs, tmp_path / "L.npy", batch_size=0)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        apply_parquet(tmp_path / "nope", lfs, tmp_path / "L.npy")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="holds no"):
        apply_parquet(empty, lfs, tmp_path / "L.npy")


def test_votes_beyond_int8_need_cardinality(parquet_dir, tmp_path):
    from wslib import labeling_function

    @labeling_function(batch=True, columns=["n_links"])
    def big(df):
        return np.full(len(df), 200)

    with pytest.raises(ValueError, match=r"LF 'big' voted 200.*pass cardinality"):
        apply_parquet(parquet_dir, [big], tmp_path / "L.npy")
    res = apply_parquet(parquet_dir, [big], tmp_path / "L.npy", cardinality=300)
    assert res.votes().dtype == np.int16 and int(res.votes().max()) == 200


def test_row_and_numba_lfs_and_in_memory_dataset(corpus, tmp_path):
    import pyarrow as pa

    from wslib import ABSTAIN, labeling_function

    @labeling_function()  # no declared columns: every column is read
    def many_links(x):
        return 1 if x.n_links > 1 else ABSTAIN

    @labeling_function(numba=True, columns=["length", "n_links"])
    def long_no_link(length, n_links):
        return 0 if length > 50 and n_links == 0 else -1

    lfs = [many_links, long_no_link, keyword_lf("free", 1)]
    dataset = pds.dataset(pa.Table.from_pandas(corpus, preserve_index=False))
    res = apply_parquet(dataset, lfs, tmp_path / "L.npy", batch_size=700)
    np.testing.assert_array_equal(res.votes(), apply_lfs(corpus, lfs))


def test_hive_partition_keys_count_as_columns(tmp_path):
    import pyarrow as pa

    df = pd.DataFrame({"text": ["free a", "b", "free c", "d"], "year": [2020, 2020, 2021, 2021]})
    pds.write_dataset(pa.Table.from_pandas(df), tmp_path / "h", format="parquet",
                      partitioning=["year"], partitioning_flavor="hive")
    dataset = pds.dataset(tmp_path / "h", format="parquet", partitioning="hive")
    lfs = [keyword_lf("free", 1), threshold_lf("year", 2021, 0)]
    res = apply_parquet(dataset, lfs, tmp_path / "L.npy")
    assert res.votes().tolist() == [[1, -1], [-1, -1], [1, 0], [-1, 0]]
