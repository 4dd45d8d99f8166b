"""Fault isolation and order preservation in ``apply_lfs`` and consistency of
``lf_summary``: one faulty LF never damages another LF's votes, faults are
counted per LF identically in one process and across workers, a hanging LF is
cut off by ``timeout=`` and a dying worker is reported (never a hang), and
random data gives the votes a plain Python reference gives, in input order,
whatever the engine."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.analysis import lf_summary
from wslib.apply.errors import LFTimeoutError
from wslib.exceptions import LFFaultWarning
from wslib.lf import keyword_lf
from wslib.matrix import to_dense, to_sparse

from ._support import PROPERTY, as_layout, vote_problems

WORDS = ["spam", "free", "win", "hello", "thanks", "video", "click", "sub", "love", "song"]


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    texts = [" ".join(rng.choice(WORDS, size=rng.integers(0, 6))) for _ in range(n)]
    index = rng.permutation(n) * 3 + 7  # shuffled, non-contiguous labels
    return pd.DataFrame({"text": texts, "n": rng.integers(0, 50, n)}, index=index)


@labeling_function()
def lf_odd_raises(x):
    if x.n % 2:
        raise ArithmeticError(f"odd n={x.n}")
    return 0


@labeling_function()
def lf_garbage(x):
    return {0: "spam", 1: 0.5, 2: None, 3: 99}.get(x.n % 7, 1)


GOOD = [keyword_lf("spam", 1, name="kw_spam"), keyword_lf(["love", "song"], 0, name="kw_love")]


def _apply_quietly(df, lfs, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LFFaultWarning)
        return apply_lfs(df, lfs, errors="abstain", return_faults=True, cardinality=3, **kw)


def test_faulty_lfs_do_not_touch_other_columns_and_are_counted_per_lf():
    df = _frame(3000, seed=1)
    alone = apply_lfs(df, GOOD)
    with pytest.warns(LFFaultWarning, match=r"'lf_odd_raises': \d+ row\(s\), first: "
                                             r"ArithmeticError") as record:
        L, faults = apply_lfs(df, [GOOD[0], lf_odd_raises, lf_garbage, GOOD[1]],
                              errors="abstain", return_faults=True, cardinality=3)
    np.testing.assert_array_equal(L[:, [0, 3]], alone)
    odd = (df["n"] % 2 == 1).to_numpy()
    np.testing.assert_array_equal(L[:, 1], np.where(odd, ABSTAIN, 0))
    garbage = (df["n"] % 7 <= 3).to_numpy()
    np.testing.assert_array_equal(L[:, 2], np.where(garbage, ABSTAIN, 1))
    assert faults.to_dict() == {"kw_spam": 0, "lf_odd_raises": int(odd.sum()),
                                "lf_garbage": int(garbage.sum()), "kw_love": 0}
    assert "'lf_garbage'" in str(record[0].message)


def test_fault_counts_and_votes_identical_across_workers():
    df = _frame(4000, seed=2)
    lfs = [GOOD[0], lf_odd_raises, lf_garbage, GOOD[1]]
    L1, f1 = _apply_quietly(df, lfs)
    L2, f2 = _apply_quietly(df, lfs, n_jobs=2, chunk_size=300)
    np.testing.assert_array_equal(L2, L1)
    pd.testing.assert_series_equal(f2, f1)
    Ls, fs = _apply_quietly(df, lfs, n_jobs=2, chunk_size=300, sparse=True)
    np.testing.assert_array_equal(to_dense(Ls), L1)
    pd.testing.assert_series_equal(fs, f1)


def test_dying_worker_is_reported_even_with_errors_abstain():
    """A worker killed at any point (while the parent waits for a result or submits the
    next chunk) gives WorkerDiedError. Run in a child interpreter with a deadline, so
    a hang fails instead of stalling CI."""
    script = textwrap.dedent("""
        import os, signal
        import numpy as np, pandas as pd
        from wslib import ABSTAIN, apply_lfs, labeling_function
        from wslib.apply import WorkerDiedError

        for kill_at in range(50, 3000, 150):
            @labeling_function()
            def killer(x, kill_at=kill_at):
                if x.id == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
                return ABSTAIN

            try:
                apply_lfs(pd.DataFrame({"id": np.arange(3000)}), [killer], n_jobs=2,
                          chunk_size=100, errors="abstain")
            except WorkerDiedError as exc:
                assert "row position" in str(exc), exc
            else:
                raise AssertionError(f"no error for a worker killed at row {kill_at}")
        print("ALL REPORTED")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ALL REPORTED" in proc.stdout


@labeling_function()
def lf_hangs_on_n_equal_5(x):
    if x.n == 5:
        time.sleep(30)  # far beyond the timeout below; the test fails in 30 s, not hangs
    return 2


def test_hanging_lf_is_cut_off_and_reported_per_lf_and_row():
    df = _frame(300, seed=4)
    hangs = (df["n"] == 5).to_numpy()
    first = df.index[np.flatnonzero(hangs)[0]]
    with pytest.raises(LFTimeoutError, match=rf"LF 'lf_hangs_on_n_equal_5' exceeded the timeout "
                                             rf"of 0\.5 s on row {first} ") as info:
        apply_lfs(df, [GOOD[0], lf_hangs_on_n_equal_5], timeout=0.5, chunk_size=100)
    assert (info.value.lf, info.value.index) == ("lf_hangs_on_n_equal_5", first)
    with pytest.warns(LFFaultWarning, match=r"'lf_hangs_on_n_equal_5': \d+ row\(s\), first: "
                                             r"exceeded the timeout"):
        L, faults = apply_lfs(df, [GOOD[0], lf_hangs_on_n_equal_5], timeout=0.5,
                              chunk_size=100, errors="abstain", return_faults=True)
    np.testing.assert_array_equal(L[:, 0], apply_lfs(df, GOOD[:1])[:, 0])
    np.testing.assert_array_equal(L[:, 1], np.where(hangs, ABSTAIN, 2))
    assert faults.to_dict() == {"kw_spam": 0, "lf_hangs_on_n_equal_5": int(hangs.sum())}


# ------------------------------------------------------------------------ properties
@st.composite
def keyword_problems(draw):
    n = draw(st.integers(1, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    n_lfs = draw(st.integers(1, 6))
    specs = [(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3, unique=True)),
              draw(st.integers(0, 2))) for _ in range(n_lfs)]
    return _frame(n, seed), specs


def _reference(df: pd.DataFrame, specs) -> np.ndarray:
    """Plain Python: LF j votes its label when any of its keywords is a substring."""
    return np.array([[label if any(w in text.lower() for w in words) else ABSTAIN
                      for words, label in specs] for text in df["text"]],
                    dtype=np.int64).reshape(len(df), len(specs))


@PROPERTY
@given(problem=keyword_problems(), chunk_size=st.integers(1, 120))
def test_keyword_votes_match_reference_in_input_order(problem, chunk_size):
    df, specs = problem
    lfs = [keyword_lf(words, label, name=f"lf{j}") for j, (words, label) in enumerate(specs)]
    expected = _reference(df, specs)
    L = apply_lfs(df, lfs, chunk_size=chunk_size)
    assert L.shape == expected.shape and L.dtype == np.int8
    np.testing.assert_array_equal(L, expected)
    L_sparse = apply_lfs(df, lfs, chunk_size=chunk_size, sparse=True)
    assert sp.issparse(L_sparse)
    np.testing.assert_array_equal(to_dense(L_sparse), expected)
    shuffled = df.sample(frac=1.0, random_state=0)
    position = df.index.get_indexer(shuffled.index)
    np.testing.assert_array_equal(apply_lfs(shuffled, lfs, chunk_size=chunk_size),
                                  expected[position])


def test_keyword_votes_identical_with_two_workers():
    """The multiprocessing engine on the same property's data (forking is too slow to
    repeat 200 times; 20 varied problems cover chunk boundaries)."""
    rng = np.random.default_rng(5)
    for trial in range(20):
        n = int(rng.integers(50, 2000))
        df = _frame(n, seed=trial)
        specs = [(list(rng.choice(WORDS, size=2, replace=False)), int(rng.integers(0, 3)))
                 for _ in range(4)]
        lfs = [keyword_lf(w, c, name=f"lf{j}") for j, (w, c) in enumerate(specs)]
        chunk = int(rng.integers(7, 400))
        np.testing.assert_array_equal(apply_lfs(df, lfs, n_jobs=2, chunk_size=chunk),
                                      _reference(df, specs), err_msg=f"trial {trial}")


@PROPERTY
@given(problem=vote_problems(max_n=60, max_m=10, max_k=6), with_gold=st.booleans())
def test_lf_summary_matches_brute_force(problem, with_gold):
    L = problem["L"].astype(np.int64)
    n, m = L.shape
    rng = np.random.default_rng(n * 31 + m)
    k = problem["k"]
    y = rng.integers(-1, k, n) if with_gold else None
    summary = lf_summary(problem["votes"], y=y, cardinality=k)
    voted = L != ABSTAIN
    others = voted.sum(axis=1, keepdims=True) - voted
    np.testing.assert_allclose(summary["coverage"], voted.mean(axis=0))
    np.testing.assert_allclose(summary["overlaps"], (voted & (others > 0)).mean(axis=0))
    # (i, j, t): LF t votes on item i, differently from LF j
    disagree = voted[:, None, :] & (L[:, None, :] != L[:, :, None])
    conflict = voted & disagree.any(axis=2)
    np.testing.assert_allclose(summary["conflicts"], conflict.mean(axis=0))
    assert summary["polarity"].tolist() == [sorted(set(L[voted[:, j], j].tolist()))
                                            for j in range(m)]
    if with_gold:
        known = (y >= 0)[:, None] & voted
        correct = (known & (L == y[:, None])).sum(axis=0)
        np.testing.assert_array_equal(summary["correct"], correct)
        np.testing.assert_array_equal(summary["incorrect"], known.sum(axis=0) - correct)
    dense_again = lf_summary(to_sparse(L) if not sp.issparse(problem["votes"]) else L,
                             y=y, cardinality=k)
    pd.testing.assert_frame_equal(dense_again, summary)


def test_layouts_helper_keeps_votes():
    """The sparse layouts used by the properties hold exactly the dense votes."""
    L = np.array([[0, -1, 2], [-1, -1, -1], [1, 0, -1]], dtype=np.int8)
    rng = np.random.default_rng(0)
    for layout in ("dense", "sparse", "sparse-explicit"):
        np.testing.assert_array_equal(to_dense(as_layout(L, layout, rng)), L)
