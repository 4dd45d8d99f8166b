"""apply_lfs(timeout=): a row LF that hangs on a row is a fault naming the LF and row."""

import os
import time

import numpy as np
import pandas as pd
import pytest

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.apply.errors import LFTimeoutError, WorkerDiedError
from wslib.exceptions import LFFaultWarning
from wslib.lf import keyword_lf


@labeling_function()
def hangs_on_3(x):
    if x.n == 3:
        time.sleep(10_000)  # forever, as far as the test is concerned
    return 1 if x.n % 2 else ABSTAIN


@labeling_function()
def parity(x):
    return x.n % 2


@pytest.fixture
def df():
    return pd.DataFrame({"n": range(10), "text": ["a b", "c"] * 5}, index=range(100, 110))


def test_hanging_call_is_an_abstain_fault_and_the_run_completes(df):
    lfs = [hangs_on_3, keyword_lf("b", 0, name="kw_b"), parity]
    with pytest.warns(LFFaultWarning, match=r"'hangs_on_3': 1 row\(s\), first: exceeded the "
                                            r"timeout of 0\.2 s on row 103 \(position 3\)"):
        L, faults = apply_lfs(df, lfs, timeout=0.2, errors="abstain", return_faults=True,
                              chunk_size=4)
    hang_votes = np.where(df["n"] % 2 == 1, 1, ABSTAIN)
    hang_votes[3] = ABSTAIN
    np.testing.assert_array_equal(L[:, 0], hang_votes)
    np.testing.assert_array_equal(L[:, 1:], apply_lfs(df, lfs[1:]))  # other LFs untouched
    assert faults.to_dict() == {"hangs_on_3": 1, "kw_b": 0, "parity": 0}


def test_hanging_call_raises_naming_lf_and_row(df):
    with pytest.raises(LFTimeoutError, match=r"LF 'hangs_on_3' exceeded the timeout of 0\.2 s "
                                             r"on row 103 \(position 3\)") as info:
        apply_lfs(df, [parity, hangs_on_3], timeout=0.2)
    assert (info.value.lf, info.value.index, info.value.position) == ("hangs_on_3", 103, 3)


def test_timeout_without_slow_calls_gives_the_plain_result(df):
    np.testing.assert_array_equal(apply_lfs(df, [parity], timeout=5, chunk_size=3),
                                  apply_lfs(df, [parity]))


def test_other_faults_still_surface_under_timeout(df):
    @labeling_function()
    def broken(x):
        raise ValueError("bad row")

    with pytest.raises(Exception, match=r"LF 'broken' raised ValueError: bad row on row 100"):
        apply_lfs(df, [broken], timeout=5)


def test_a_dying_child_is_reported(df):
    @labeling_function()
    def dies(x):
        os._exit(3)

    with pytest.raises(WorkerDiedError, match="row position 0"):
        apply_lfs(df, [dies], timeout=5)


@pytest.mark.parametrize("bad", [0, -1.5, float("nan")])
def test_bad_timeout(df, bad):
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        apply_lfs(df, [parity], timeout=bad)
