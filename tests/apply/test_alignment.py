"""Batch LFs and batch preprocessors that reorder the rows: votes land on the rows they
were computed from, whatever the index and the chunking.

pandas keeps a ``RangeIndex`` through sorts and takes, so sorting a chunk indexed
``RangeIndex(n - 1, -1, -1)`` (``df[::-1]``, a descending sort of a default index)
returns ``RangeIndex(0, n)``, the index of a fresh frame; such a chunk reaches batch
code as a plain integer index, so its reorders are matched by label while a fresh
``0..n-1`` output is still read by position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.lf import preprocessor

INDEX_KINDS = ("range", "range-descending", "range-descending-from-0", "range-stepped",
               "range-stepped-descending", "shuffled-0..n-1", "shuffled", "strings",
               "repeated")


def rule(x: np.ndarray) -> np.ndarray:
    """The vote of a row with value ``x``: depends on the row, not on its position."""
    return x % 3 - 1


@labeling_function(batch=True, columns=["x"])
def label_sorted(df):
    return pd.Series(rule(df["x"].to_numpy()), index=df.index).sort_index()


@labeling_function(batch=True, columns=["x", "ts"])
def time_sorted(df):
    return pd.Series(rule(df["x"].to_numpy()), index=df.index).loc[df["ts"].sort_values().index]


@labeling_function(batch=True, columns=["x"])
def in_row_order(df):
    return rule(df["x"].to_numpy())


@labeling_function(batch=True, columns=["x"])
def fresh_series(df):  # a new Series: 0..n-1, read by position
    return pd.Series(rule(df["x"].to_numpy()))


@preprocessor(batch=True)
def by_label(df):
    return df.sort_index()


@preprocessor(batch=True)
def by_time(df):
    return df.sort_values("ts", kind="stable")


@labeling_function(batch=True, pre=[by_label], columns=["x"])
def after_label_sort(df):
    return rule(df["x"].to_numpy())


@labeling_function(batch=True, pre=[by_time], columns=["x", "ts"])
def after_time_sort(df):
    return rule(df["x"].to_numpy())


LFS = [label_sorted, time_sorted, in_row_order, fresh_series, after_label_sort,
       after_time_sort]

#: every property runs 150 examples, in the same order on every run
PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def make_index(kind: str, n: int, rng: np.random.Generator) -> pd.Index:
    offset, step = int(rng.integers(-20, 20)), int(rng.integers(2, 5))
    return {
        "range": lambda: pd.RangeIndex(n),
        "range-descending": lambda: pd.RangeIndex(offset + n - 1, offset - 1, -1),
        "range-descending-from-0": lambda: pd.RangeIndex(n - 1, -1, -1),
        "range-stepped": lambda: pd.RangeIndex(offset, offset + step * n, step),
        "range-stepped-descending": lambda: pd.RangeIndex(offset, offset - step * n, -step),
        "shuffled-0..n-1": lambda: pd.Index(rng.permutation(n)),
        "shuffled": lambda: pd.Index(rng.choice(10 * n, size=n, replace=False) - 5 * n),
        "strings": lambda: pd.Index([f"r{i}" for i in rng.permutation(n)]),
        "repeated": lambda: pd.Index(rng.integers(0, max(1, n // 2), n)),
    }[kind]()


@st.composite
def problems(draw):
    n = draw(st.integers(1, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    index = make_index(draw(st.sampled_from(INDEX_KINDS)), n, rng)
    frame = pd.DataFrame({"x": rng.integers(0, 100, n), "ts": rng.permutation(n)}, index=index)
    if draw(st.booleans()):  # newest first: a descending sort keeps a RangeIndex
        frame = frame.sort_values("ts", ascending=False)
    return frame, draw(st.integers(1, n)), draw(st.sampled_from([1, 2]))


@PROPERTY
@given(problem=problems())
def test_reordered_batch_output_lands_on_its_rows(problem):
    frame, chunk_size, n_jobs = problem
    L = apply_lfs(frame, LFS, chunk_size=chunk_size, n_jobs=n_jobs)
    expected = np.repeat(rule(frame["x"].to_numpy())[:, None], len(LFS), axis=1)
    np.testing.assert_array_equal(L, expected)


def test_reversed_default_index_sorted_by_a_batch_preprocessor():
    """A frame sorted newest first (its index becomes ``RangeIndex(5, -1, -1)``) and a
    batch preprocessor that sorts it back by time: each row keeps its own vote."""
    df = pd.DataFrame({"ts": np.arange(6), "x": np.arange(6) * 10})
    df = df.sort_values("ts", ascending=False)
    assert isinstance(df.index, pd.RangeIndex) and df.index.step == -1

    @labeling_function(batch=True, pre=[by_time], columns=["x"])
    def big(d):
        return np.where(d["x"] >= 40, 1, ABSTAIN)

    @labeling_function(batch=True, columns=["x"])
    def big_sorted(d):
        return pd.Series(np.where(d["x"] >= 40, 1, ABSTAIN), index=d.index).sort_index()

    L = apply_lfs(df, [big, big_sorted])
    assert L.T.tolist() == [[1, 1, -1, -1, -1, -1]] * 2
    chunked = pd.DataFrame({"x": [0, 50, 0, 0, 0, 0, 0, 0, 0, 50]}).iloc[::-1]
    assert apply_lfs(chunked, [big_sorted], chunk_size=4)[:, 0].tolist() == \
        [1, -1, -1, -1, -1, -1, -1, -1, 1, -1]


def test_batch_code_sees_the_labels_of_a_reversed_range_index():
    """The labels are the chunk's own (in a plain integer index); errors name them."""
    seen = []

    @labeling_function(batch=True)
    def spy(d):
        seen.append(d.index)
        return np.full(len(d), ABSTAIN)

    @labeling_function(batch=True)
    def short(d):
        return [ABSTAIN] * (len(d) - 1)

    df = pd.DataFrame({"x": range(4)}).iloc[::-1]
    apply_lfs(df, [spy])
    assert seen[0].tolist() == [3, 2, 1, 0] and not isinstance(seen[0], pd.RangeIndex)
    from wslib.apply import LFOutputError
    with pytest.raises(LFOutputError, match=r"'short' returned output of shape \(3,\), "
                                            r"expected \(4,\).*rows 3\.\.0"):
        apply_lfs(df, [short])
