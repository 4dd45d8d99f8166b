"""wslib.analysis and wslib.matrix against brute-force references: the statistics on
every layout and row order, the row alignment of lf_examples, and column names."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from wslib.analysis import lf_examples, lf_summary
from wslib.kernels.jit import jit_threshold
from wslib.matrix import check_votes, to_dense


def _reference(L, y):
    """lf_summary's numbers with plain loops."""
    n, m = L.shape
    rows = []
    for j in range(m):
        cov = ov = cf = ok = bad = 0
        polarity = set()
        for i in range(n):
            v = L[i][j]
            if v == -1:
                continue
            polarity.add(int(v))
            cov += 1
            others = [L[i][o] for o in range(m) if o != j and L[i][o] != -1]
            ov += bool(others)
            cf += any(o != v for o in others)
            if y is not None and y[i] != -1:
                ok += y[i] == v
                bad += y[i] != v
        rows.append({"polarity": sorted(polarity), "coverage": cov / n, "overlaps": ov / n,
                     "conflicts": cf / n, "correct": ok, "incorrect": bad,
                     "emp_acc": ok / (ok + bad) if ok + bad else np.nan})
    return rows


def _layout(L, how):
    if how == "csr":
        r, c = np.nonzero(L != -1)
        return sp.csr_matrix((L[r, c], (r, c)), shape=L.shape)
    if how == "csr_stored_abstains":
        r, c = np.nonzero(np.ones_like(L))
        return sp.csr_matrix((L[r, c], (r, c)), shape=L.shape)
    if how == "frame":
        return pd.DataFrame(L, columns=[f"lf{j}" for j in range(L.shape[1])])
    return L


@st.composite
def _cases(draw):
    n, m, k = draw(st.integers(1, 20)), draw(st.integers(1, 5)), draw(st.integers(2, 3))
    L = draw(arrays(np.int64, (n, m), elements=st.integers(-1, k - 1)))
    y = draw(st.none() | arrays(np.int64, (n,), elements=st.integers(-1, k - 1)))
    return (L, y, k, draw(st.sampled_from(["dense", "csr", "csr_stored_abstains", "frame"])),
            draw(st.booleans()), np.array(draw(st.permutations(range(n)))))


@pytest.mark.filterwarnings("ignore::wslib.exceptions.CardinalityWarning")
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(_cases())
def test_lf_summary_matches_loops_for_every_layout_and_row_order(case):
    L, y, k, how, jit, perm = case
    with jit_threshold(0 if jit else 10**9):
        got = lf_summary(_layout(L, how), y, cardinality=k)
        shuffled = lf_summary(_layout(L[perm], how), None if y is None else y[perm],
                              cardinality=k)
    for table in (got, shuffled):
        for j, expected in enumerate(_reference(L, y)):
            for key, value in expected.items():
                if y is None and key in ("correct", "incorrect", "emp_acc"):
                    continue
                if key == "polarity":
                    assert table.iloc[j][key] == value
                else:
                    np.testing.assert_allclose(table.iloc[j][key], value, equal_nan=True)


INDEXES = ["default", "shuffled", "string", "multi", "duplicate", "arrow", "dict"]


def _data(index, n):
    text = [f"t{i}" for i in range(n)]
    if index == "arrow":
        return pa.table({"text": text, "pos": list(range(n))})
    if index == "dict":
        return {"text": np.array(text, dtype=object), "pos": np.arange(n)}
    df = pd.DataFrame({"text": text, "pos": np.arange(n)})
    pos = np.arange(n)
    df.index = {"default": df.index,
                "shuffled": np.random.default_rng(n).permutation(n) * 3,
                "string": [f"s{i}" for i in range(n)][::-1],
                "multi": pd.MultiIndex.from_arrays([pos % 2, pos[::-1]]),
                "duplicate": pos // 2}[index]
    return df


@pytest.mark.filterwarnings("ignore::wslib.exceptions.CardinalityWarning")
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_lf_examples_rows_line_up_with_their_votes(data):
    n, m = data.draw(st.integers(1, 15)), data.draw(st.integers(1, 4))
    L = data.draw(arrays(np.int64, (n, m), elements=st.integers(-1, 2)))
    y = data.draw(arrays(np.int64, (n,), elements=st.integers(-1, 2)))
    j = data.draw(st.integers(0, m - 1))
    which = data.draw(st.sampled_from(["fires", "conflicts", "wrong", "abstains"]))
    index = data.draw(st.sampled_from(INDEXES))
    names = [f"lf{c}" for c in range(m)]
    out = lf_examples(_layout(L, data.draw(st.sampled_from(["dense", "csr", "frame"]))),
                      _data(index, n), j, which=which, y=y, n=None, lfs=names)
    fires = L[:, j] != -1
    expected = {"fires": fires, "abstains": ~fires,
                "conflicts": fires & ((L != -1) & (L != L[:, [j]])).any(axis=1),
                "wrong": fires & (y != -1) & (L[:, j] != y)}[which]
    assert out["pos"].tolist() == np.flatnonzero(expected).tolist()
    for _, row in out.iterrows():
        i = int(row["pos"])
        assert (row["text"], row["vote"], row["gold"]) == (f"t{i}", L[i, j], y[i])
        assert row["others"] == ", ".join(f"lf{c}={L[i, c]}" for c in range(m)
                                          if c != j and L[i, c] != -1)


# ---------------------------------------------------------------- fixed findings
L3 = np.array([[1, -1], [-1, 0], [1, 0]])


@pytest.mark.parametrize("arrow", [False, True])
def test_lf_examples_never_overwrites_a_data_column(arrow):
    columns = {"text": ["a", "b", "c"], "vote": [9, 9, 9], "lf_vote": [7, 7, 7],
               "others": ["o", "o", "o"], "lf_others": ["p", "p", "p"]}
    data = pa.table(columns) if arrow else pd.DataFrame(columns)
    out = lf_examples(L3, data, 0)
    assert out["vote"].tolist() == [9, 9] and out["lf_vote"].tolist() == [7, 7]
    assert out["lf_others"].tolist() == ["p", "p"]
    assert out["lf_lf_vote"].tolist() == [1, 1]
    assert out["lf_lf_others"].tolist() == ["", "1=0"]


def test_lf_examples_names_lfs_by_the_columns_of_a_dataframe_L():
    L = pd.DataFrame(L3, columns=["spam", "song"])
    data = pd.DataFrame({"text": ["buy now", "nice song", "buy this song"]})
    out = lf_examples(L, data, "song", which="fires")
    assert out["text"].tolist() == ["nice song", "buy this song"]
    assert out["others"].tolist() == ["", "spam=1"]
    assert lf_examples(L, data, 0)["others"].tolist() == ["", "song=0"]


@pytest.mark.parametrize("fill", [-1, 0])
def test_check_votes_reads_sparse_dataframe_columns(fill):
    frame = pd.DataFrame(L3).astype(pd.SparseDtype(int, fill))
    votes, k = check_votes(frame)
    assert k == 2 and to_dense(votes).tolist() == L3.tolist()
    assert lf_summary(frame)["coverage"].tolist() == lf_summary(L3)["coverage"].tolist()
