"""apply_lfs: inputs, output layout, row order, multiprocessing, the chunk engine."""

import os
import signal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import scipy.sparse as sp

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.apply import WorkerDiedError, apply_chunk, compile_lfs
from wslib.lf import keyword_lf, threshold_lf


@labeling_function(columns=["text"])
def has_a(x):
    return 1 if "a" in x.text else ABSTAIN


@labeling_function()
def row_id(x):
    return int(x.id) % 3 - 1  # -1, 0, 1: depends on the row's identity, not its position


@labeling_function(batch=True, columns=["id"])
def batch_id(df):
    return (df["id"].to_numpy() % 3) - 1


def frame(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.permutation(n) * 7
    text = np.where(rng.random(n) < 0.5, "abc", "xyz")
    index = pd.Index([f"item{i}" for i in ids], name="key")
    return pd.DataFrame({"id": ids, "text": text, "score": rng.random(n)}, index=index)


def expected(df):
    return np.stack([np.where(df["text"].str.contains("a"), 1, -1),
                     df["id"].to_numpy() % 3 - 1, df["id"].to_numpy() % 3 - 1], axis=1)


LFS = [has_a, row_id, batch_id]


def test_dense_int8_aligned_with_input():
    df = frame()
    L = apply_lfs(df, LFS)
    assert L.dtype == np.int8 and L.shape == (len(df), 3)
    np.testing.assert_array_equal(L, expected(df))


def test_multiprocessing_preserves_row_order_and_index_exactly():
    df = frame(5000, seed=1)
    L1 = apply_lfs(df, LFS, n_jobs=1, chunk_size=333)
    L2 = apply_lfs(df, LFS, n_jobs=2, chunk_size=333)  # 16 chunks over 2 workers
    np.testing.assert_array_equal(L1, expected(df))
    np.testing.assert_array_equal(L2, L1)


def test_multiprocessing_error_names_index_label_from_worker():
    df = frame(4000, seed=2)
    target = df.index[3500]

    @labeling_function()
    def boom(x):
        if x.id == df.loc[target, "id"]:
            raise ZeroDivisionError("bad row")
        return ABSTAIN

    from wslib.apply import LFApplyError
    with pytest.raises(LFApplyError, match=f"'boom' raised ZeroDivisionError.*'{target}'.*"
                                           "position 3500") as info:
        apply_lfs(df, [has_a, boom], n_jobs=2, chunk_size=500)
    assert (info.value.lf, info.value.index, info.value.position) == ("boom", target, 3500)


def test_dead_worker_is_reported_not_hung():
    @labeling_function()
    def suicide(x):
        if x.id == 700:
            os.kill(os.getpid(), signal.SIGKILL)
        return ABSTAIN

    df = pd.DataFrame({"id": np.arange(2000)})
    with pytest.raises(WorkerDiedError, match="worker process died"):
        apply_lfs(df, [suicide], n_jobs=2, chunk_size=250)


@pytest.mark.parametrize("kind", ["arrow", "dict", "parquet_file", "parquet_dir"])
def test_other_inputs_give_same_votes(kind, tmp_path):
    df = frame(2500, seed=3).reset_index(drop=True)
    ref = expected(df)
    table = pa.Table.from_pandas(df, preserve_index=False)
    if kind == "arrow":
        data = table
    elif kind == "dict":
        data = {c: df[c].to_numpy() for c in df.columns}
    elif kind == "parquet_file":
        data = tmp_path / "d.parquet"
        pq.write_table(table, data, row_group_size=700)
    else:
        data = tmp_path / "parts"
        data.mkdir()
        pq.write_table(table.slice(0, 1000), data / "part-0.parquet")
        pq.write_table(table.slice(1000), data / "part-1.parquet")
    np.testing.assert_array_equal(apply_lfs(data, LFS, chunk_size=600), ref)
    np.testing.assert_array_equal(apply_lfs(data, LFS, chunk_size=600, n_jobs=2), ref)


def test_sparse_output_matches_dense():
    df = frame(1000, seed=4)
    L = apply_lfs(df, LFS)
    S = apply_lfs(df, LFS, sparse=True, chunk_size=128)
    assert sp.issparse(S) and S.dtype == np.int8
    assert S.nnz == int((L != -1).sum())
    from wslib.matrix import to_dense
    np.testing.assert_array_equal(to_dense(S), L)


def test_large_class_indices_upgrade_dtype():
    @labeling_function(batch=True)
    def big(df):
        return np.where(df["a"].to_numpy() == 5, 300, ABSTAIN)

    L = apply_lfs(pd.DataFrame({"a": range(10)}), [big], chunk_size=4)
    assert L.dtype == np.int16 and L[5, 0] == 300


def test_chunk_engine_directly():
    plan = compile_lfs([has_a, keyword_lf("y", 0, name="y"), threshold_lf("score", 0.5, 1)])
    chunk = pd.DataFrame({"text": ["a", "y", "b"], "score": [0.9, 0.1, np.nan]},
                         index=[10, 11, 12])
    res = apply_chunk(plan, chunk, start=100)
    assert res.votes.dtype == np.int16
    assert res.votes.tolist() == [[1, -1, 1], [-1, 0, -1], [-1, -1, -1]]
    assert res.faults.tolist() == [0, 0, 0] and res.first_fault == {}
    assert plan.columns == ("text", "score")


def test_progress_bar_runs():
    pytest.importorskip("tqdm")
    assert apply_lfs(frame(100), LFS, progress=True).shape == (100, 3)


def test_default_chunk_size_grows_only_for_batch_plans_in_one_process():
    from wslib.apply.api import DEFAULT_CHUNK_SIZE, _default_chunk_size

    batch_only = compile_lfs([keyword_lf(f"k{j}", 1, name=f"k{j}") for j in range(10)])
    many = compile_lfs([keyword_lf(f"k{j}", 1, name=f"k{j}") for j in range(200)])
    assert _default_chunk_size(batch_only, 10**6, 1) == 262_144  # capped
    assert _default_chunk_size(many, 10**6, 1) == DEFAULT_CHUNK_SIZE  # 8 MiB of votes
    assert _default_chunk_size(compile_lfs(LFS), 10**6, 1) == DEFAULT_CHUNK_SIZE  # row LFs
    assert _default_chunk_size(batch_only, 10**6, 2) == DEFAULT_CHUNK_SIZE  # workers
    assert _default_chunk_size(batch_only, 10_000, 2) == 1250


def test_batch_plan_votes_do_not_depend_on_chunking():
    df = frame(3000)
    lfs = [batch_id, keyword_lf("b", 1, name="b"), threshold_lf("score", 0.3, 0)]
    np.testing.assert_array_equal(apply_lfs(df, lfs), apply_lfs(df, lfs, chunk_size=7))


@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_row_lfs_see_the_same_values_as_tolist(dtype):
    """Arrow-backed string columns reach row LFs through an object array: the same
    strings and the same missing-value marker as ``Series.tolist``."""
    from wslib.apply.chunk import _pylist

    s = pd.Series(["a", None, "é", ""], dtype=dtype)
    got = _pylist(s)
    assert list(map(repr, got)) == list(map(repr, s.tolist()))
    assert [type(v) for v in got] == [type(v) for v in s.tolist()]

    @labeling_function()
    def missing(x):
        return 1 if x.text is s.tolist()[1] or x.text != x.text else ABSTAIN
    assert apply_lfs(pd.DataFrame({"text": s}), [missing])[:, 0].tolist() == [-1, 1, -1, -1]


def test_column_names_are_taken_as_they_are():
    """An integer column name is found (it used to be compared as a string and reported
    missing); duplicate names are refused, since an LF could not tell which it reads."""
    from wslib.lf import keyword_lf

    L = apply_lfs(pd.DataFrame({0: ["spam", "ham"]}), [keyword_lf("spam", 1, column=0)])
    assert L.ravel().tolist() == [1, -1]
    twice = pd.DataFrame([["spam", "x"], ["ham", "y"]], columns=["text", "text"])
    with pytest.raises(ValueError, match=r"duplicate column names \['text'\]"):
        apply_lfs(twice, [keyword_lf("spam", 1)])
