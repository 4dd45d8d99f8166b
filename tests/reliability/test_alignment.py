"""Row alignment, the first invariant: votes follow the input's row order, whatever the
index, the container, the LF kind and the engine.

The rule (docs/contract.md, "Row alignment"): a Series or frame an LF or batch
preprocessor returns is matched to the chunk's rows by label when its index holds
the chunk's labels (in any order), read by position when it is a fresh 0..n-1
``RangeIndex``, and refused otherwise, naming the LF or preprocessor; dict columns
given as Series must share their labels. Each property draws an index kind
(default, permuted, duplicated, string, MultiIndex, non-zero-based), a container
(DataFrame, dict of arrays, dict of Series, pyarrow Table, Parquet file), LF kinds
(row, batch, template, preprocessor) and a chunk size, and compares the vote
matrix with a per-row reference computed in plain Python.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.apply import LFApplyError
from wslib.lf import keyword_lf, preprocessor, threshold_lf

from ._support import PROPERTY

WORDS = ["spam", "ham", "win", "song", "free", "love"]
INDEX_KINDS = ("default", "permuted", "duplicated", "string", "multi", "offset")
CONTAINERS = ("frame", "dict-arrays", "dict-series", "arrow", "parquet")


# ------------------------------------------------------------------------ the LFs
def _spam(text: str) -> int:
    return 1 if "spam" in text else ABSTAIN


def _big(n: int) -> int:
    return 0 if n > 5 else ABSTAIN


@labeling_function()
def row_spam(x):
    return _spam(x.text)


@labeling_function(batch=True, columns=["text"])
def batch_on_index(df):
    return pd.Series([_spam(t) for t in df["text"]], index=df.index)


@labeling_function(batch=True, columns=["text"])
def batch_fresh(df):  # a new Series: 0..n-1, read by position
    return pd.Series([_spam(t) for t in df["text"]])


@labeling_function(batch=True, columns=["n"])
def batch_sorted(df):  # the chunk's labels in another order: matched by label
    return pd.Series([_big(n) for n in df["n"]], index=df.index).sort_values(kind="stable")


@preprocessor(batch=True)
def fresh_frame(df):  # a new frame of computed columns: 0..n-1, rows in input order
    return pd.DataFrame({"loud": df["text"].str.upper().to_numpy()})


@labeling_function(batch=True, pre=[fresh_frame], columns=["text"])
def after_fresh_frame(df):
    return pd.Series(np.where(df["loud"].str.contains("SPAM"), 1, ABSTAIN), index=df.index)


@preprocessor(batch=True)
def sorted_frame(df):  # the chunk's rows in another order
    return df.sort_values("n", kind="stable")


@labeling_function(batch=True, pre=[sorted_frame], columns=["n"])
def after_sorted_frame(df):
    return np.where(df["n"].to_numpy() > 5, 0, ABSTAIN)


@preprocessor()
def add_loud(x):
    x.loud = x.text.upper()
    return x


@labeling_function(pre=[add_loud])
def row_after_pre(x):
    return 1 if "SPAM" in x.loud else ABSTAIN


#: name -> (LF, reference vote of a row (text, n))
LFS = {
    "row": (row_spam, lambda t, n: _spam(t)),
    "row-preprocessor": (row_after_pre, lambda t, n: _spam(t)),
    "keyword": (keyword_lf("spam", 1, name="kw_spam"), lambda t, n: _spam(t)),
    "threshold": (threshold_lf("n", 5, 0, op=">", name="big"), lambda t, n: _big(n)),
    "batch-on-index": (batch_on_index, lambda t, n: _spam(t)),
    "batch-fresh": (batch_fresh, lambda t, n: _spam(t)),
    "batch-sorted": (batch_sorted, lambda t, n: _big(n)),
    "preprocessor-fresh": (after_fresh_frame, lambda t, n: _spam(t)),
    "preprocessor-sorted": (after_sorted_frame, lambda t, n: _big(n)),
}


# ------------------------------------------------------------------- the inputs
def make_index(kind: str, n: int, rng: np.random.Generator) -> pd.Index:
    if kind == "default":
        return pd.RangeIndex(n)
    if kind == "permuted":
        return pd.Index(rng.permutation(n))
    if kind == "duplicated":
        return pd.Index(rng.integers(0, max(1, n // 2), n))
    if kind == "string":
        return pd.Index([f"r{i}" for i in rng.permutation(n)])
    if kind == "multi":
        return pd.MultiIndex.from_arrays([rng.integers(0, 3, n), rng.permutation(n)])
    return pd.RangeIndex(1000, 1000 + 3 * n, 3)  # non-zero-based


def make_container(kind: str, frame: pd.DataFrame, folder: Path):
    if kind == "frame":
        return frame
    if kind == "dict-arrays":
        return {c: frame[c].to_numpy() for c in frame.columns}
    if kind == "dict-series":
        return {c: frame[c] for c in frame.columns}
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if kind == "arrow":
        return table
    path = folder / "rows.parquet"
    import pyarrow.parquet as pq

    pq.write_table(table, path, row_group_size=max(1, len(frame) // 3))
    return path


@st.composite
def problems(draw):
    n = draw(st.integers(1, 25))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    texts = [" ".join(rng.choice(WORDS, size=rng.integers(0, 4))) for _ in range(n)]
    frame = pd.DataFrame({"text": texts, "n": rng.integers(0, 11, n)},
                         index=make_index(draw(st.sampled_from(INDEX_KINDS)), n, rng))
    names = draw(st.lists(st.sampled_from(sorted(LFS)), min_size=1, max_size=4, unique=True))
    return frame, draw(st.sampled_from(CONTAINERS)), names, draw(st.integers(1, n))


def reference(frame: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Each LF's rule applied to each row, in the input's row order."""
    rows = list(zip(frame["text"], frame["n"]))
    return np.array([[LFS[name][1](t, int(n)) for name in names] for t, n in rows],
                    dtype=np.int64).reshape(len(rows), len(names))


# ------------------------------------------------------------------- properties
@PROPERTY
@given(problem=problems())
def test_votes_equal_a_per_row_reference_for_every_index_container_and_lf(problem):
    frame, container, names, chunk_size = problem
    lfs = [LFS[name][0] for name in names]
    with tempfile.TemporaryDirectory() as tmp:
        data = make_container(container, frame, Path(tmp))
        L = apply_lfs(data, lfs, chunk_size=chunk_size)
    np.testing.assert_array_equal(L, reference(frame, names))


@PROPERTY
@given(problem=problems(), shuffle_seed=st.integers(0, 2**32 - 1))
def test_dict_of_series_is_aligned_by_label_or_refused(problem, shuffle_seed):
    """Series columns holding the same labels in another order are aligned to the first
    column's order; Series with other labels are refused, never read by position for
    one column and by label for another."""
    frame, _, names, chunk_size = problem
    if not frame.index.is_unique:  # repeated labels cannot be matched to another order
        frame = frame.set_axis(pd.Index(np.arange(len(frame))[::-1] * 2 + 5))
    lfs = [LFS[name][0] for name in names]
    order = np.random.default_rng(shuffle_seed).permutation(len(frame))
    shuffled_n = frame["n"].iloc[order]
    L = apply_lfs({"text": frame["text"], "n": shuffled_n}, lfs, chunk_size=chunk_size)
    np.testing.assert_array_equal(L, reference(frame, names))
    if len(frame) > 1:
        other = frame["n"].set_axis([f"other{i}" for i in range(len(frame))])
        with pytest.raises(ValueError, match="'text' and 'n' are Series with different indexes"):
            apply_lfs({"text": frame["text"], "n": other}, lfs)


def test_repeated_labels_reach_batch_lfs_as_positions_and_errors_name_the_labels():
    """A reordering among repeated labels cannot be seen in the labels (the sorted
    index [0, 0, 1] equals the chunk's): batch LFs and preprocessors see the rows'
    positions instead, so their output is matched; errors still name the labels."""
    frame = pd.DataFrame({"text": ["spam", "ham", "spam"], "n": [9, 1, 7]}, index=[0, 0, 1])
    L = apply_lfs(frame, [batch_sorted, after_sorted_frame, batch_on_index])
    np.testing.assert_array_equal(L, [[0, 0, 1], [-1, -1, -1], [0, 0, 1]])

    @labeling_function(batch=True)
    def fails_on_row_1(df):
        raise ValueError("no")

    @labeling_function()
    def row_fails(x):
        if x.text == "ham":
            raise ValueError("no")
        return 1

    with pytest.raises(LFApplyError, match=r"row 0 \(position 1\)"):
        apply_lfs(frame, [row_fails])
    with pytest.raises(LFApplyError, match=r"rows 0\.\.1 \(positions 0\.\.2\)"):
        apply_lfs(frame, [fails_on_row_1])


# ------------------------------------------------------------------ concurrency
def test_concurrent_callers_in_threads_get_their_own_votes():
    """Two threads apply LFs with two worker processes each at the same time, one on
    all-spam rows, one on all-ham rows: neither sees the other's data (a module-level
    state shared by callers gave the ham rows spam votes in 13 of 15 trials)."""
    spam = pd.DataFrame({"text": ["spam here"] * 2000})
    ham = pd.DataFrame({"text": ["ham here"] * 2000})
    lfs = [keyword_lf("spam", 1, name="kw_spam"), row_spam]
    for trial in range(3):
        results: dict[str, np.ndarray] = {}
        errors: list[BaseException] = []

        def run(name: str, frame: pd.DataFrame) -> None:
            try:
                results[name] = apply_lfs(frame, lfs, n_jobs=2, chunk_size=250)
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=("spam", spam)),
                   threading.Thread(target=run, args=("ham", ham))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        assert (results["spam"] == 1).all(), f"trial {trial}: spam rows lost votes"
        assert (results["ham"] == ABSTAIN).all(), f"trial {trial}: ham rows got spam votes"
