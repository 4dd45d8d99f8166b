"""Parquet and Arrow inputs: a folder's files and their order are those of
``pd.read_parquet(folder)``, and repeated column names are refused as for a DataFrame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from wslib import apply_lfs, labeling_function
from wslib.apply import apply_parquet
from wslib.lf import keyword_lf, threshold_lf


@labeling_function(columns=["id"])
def ident(x):
    return int(x.id)


@labeling_function(batch=True, columns=["id"])
def ident_batch(df):
    return df["id"].to_numpy()


def write(path, ids):
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"id": ids}).to_parquet(path)


@pytest.fixture
def folder(tmp_path):
    """Nested folders whose names sort differently as paths and as strings, Spark's
    leftovers and hidden files, a file without the .parquet suffix."""
    root = tmp_path / "out"
    write(root / "2024" / "p.parquet", [0, 1])
    write(root / "2024-b" / "p.parquet", [2, 3])
    write(root / "2024.x" / "part-0", [4])
    write(root / "part-1.snappy.parquet", [5, 6])
    write(root / "_temporary" / "0" / "part-1.parquet", [100])
    write(root / "2024" / "_temporary" / "part-9.parquet", [101])
    write(root / ".hidden.parquet", [102])
    write(root / ".cache" / "p.parquet", [103])
    (root / "_SUCCESS").write_text("")
    return root


def test_folder_rows_are_those_of_pandas_in_its_order(folder, tmp_path):
    expected = pd.read_parquet(folder)["id"].tolist()
    assert sorted(expected) == list(range(7)) and expected != list(range(7))
    lfs = [ident, ident_batch]
    for kwargs in ({}, {"chunk_size": 2}, {"chunk_size": 3, "n_jobs": 2}):
        L = apply_lfs(folder, lfs, **kwargs)
        assert L[:, 0].tolist() == expected and L[:, 1].tolist() == expected
    res = apply_parquet(folder, lfs, tmp_path / "L.npy", batch_size=2)
    assert res.votes()[:, 0].tolist() == expected and res.n_rows == 7


def test_folder_without_readable_files_is_named(tmp_path):
    write(tmp_path / "spark" / "_temporary" / "p.parquet", [1])
    for run in (lambda p: apply_lfs(p, [ident]),
                lambda p: apply_parquet(p, [ident], tmp_path / "L.npy")):
        with pytest.raises(FileNotFoundError, match=r"spark holds no Parquet files \(names "
                                                     r"starting with '_' or '\.' are skipped"):
            run(tmp_path / "spark")
    write(tmp_path / "mixed" / "a.parquet", [1])
    (tmp_path / "mixed" / "notes.txt").write_text("not Parquet")
    with pytest.raises(ValueError, match=r"cannot read Parquet input .*notes\.txt"):
        apply_lfs(tmp_path / "mixed", [ident])
    with pytest.raises(pa.ArrowInvalid, match=r"notes\.txt"):
        apply_parquet(tmp_path / "mixed", [ident], tmp_path / "L.npy")


def twice():
    return pa.Table.from_arrays([pa.array(["free", "x"]), pa.array(["x", "free"]),
                                 pa.array([1, 5])], names=["text", "text", "v"])


@pytest.mark.parametrize("lf", [keyword_lf("free", 1), ident, threshold_lf("v", 2, 1)])
def test_repeated_column_names_are_refused_as_for_a_dataframe(lf, tmp_path):
    """Arrow tables and Parquet files get the DataFrame's error, naming the columns (and
    the file), whether or not the LFs read them."""
    table = twice()
    with pytest.raises(ValueError, match=r"^data has duplicate column names \['text'\]: an LF"):
        apply_lfs(table, [lf])
    with pytest.raises(ValueError, match=r"^data has duplicate column names \['text'\]"):
        apply_lfs(table.to_batches()[0], [lf])
    pq.write_table(table, tmp_path / "twice.parquet")
    write(tmp_path / "folder" / "a.parquet", [1])
    pq.write_table(table, tmp_path / "folder" / "b.parquet")
    for source in ("twice.parquet", "folder"):
        name = "twice.parquet" if source == "twice.parquet" else "b.parquet"
        with pytest.raises(ValueError, match=rf"Parquet input .*{name} has duplicate column "
                                             r"names \['text'\]"):
            apply_lfs(tmp_path / source, [lf])
        with pytest.raises(ValueError, match=rf"Parquet input .*{name} has duplicate column "
                                             r"names \['text'\]"):
            apply_parquet(tmp_path / source, [lf], tmp_path / "L.npy")
    assert not (tmp_path / "L.npy").exists()
    np.testing.assert_array_equal(apply_lfs(tmp_path / "folder" / "a.parquet", [ident]), [[1]])
