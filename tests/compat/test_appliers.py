"""Row alignment of the compat appliers: row i of L is always the votes on data point i."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from wslib.compat.snorkel.labeling import LFApplier, PandasLFApplier, labeling_function
from wslib.compat.snorkel.labeling.apply.core import ApplierMetadata
from wslib.compat.snorkel.preprocess import preprocessor


@preprocessor()
def halve(x):
    x.half = x.num // 2
    return x


@labeling_function()
def odd(x):
    return 1 if x.num % 2 else -1


@labeling_function(pre=[halve])
def big_half(x):
    return 0 if x.half > 10 else -1


@labeling_function()
def fails_on_7(x):
    return 1 // (x.num - 7)


def _expected(nums):
    return np.array([[1 if n % 2 else -1, 0 if n // 2 > 10 else -1] for n in nums])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=60), st.randoms())
def test_pandas_applier_keeps_row_order_whatever_the_index(nums, rnd):
    index = list(range(len(nums)))
    rnd.shuffle(index)
    df = pd.DataFrame({"num": nums}, index=index)
    np.testing.assert_array_equal(PandasLFApplier([odd, big_half]).apply(df, progress_bar=False),
                                  _expected(nums))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=60))
def test_lf_applier_keeps_order_for_objects_dicts_and_arrays(nums):
    expected = _expected(nums)
    applier = LFApplier([odd, big_half])
    for points in ([SimpleNamespace(num=n) for n in nums], [{"num": n} for n in nums]):
        np.testing.assert_array_equal(applier.apply(points, progress_bar=False), expected)

    @labeling_function()
    def first_odd(x):
        return 1 if x[0] % 2 else -1

    np.testing.assert_array_equal(
        LFApplier([first_odd]).apply(np.array(nums)[:, None], progress_bar=False).ravel(),
        expected[:, 0])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=60))
def test_fault_tolerant_counts_faults_on_their_rows(nums):
    L, meta = PandasLFApplier([odd, fails_on_7]).apply(
        pd.DataFrame({"num": nums}), progress_bar=False, fault_tolerant=True, return_meta=True)
    sevens = np.array(nums) == 7
    assert meta == ApplierMetadata({"fails_on_7": int(sevens.sum())} if sevens.any() else {})
    assert (L[sevens, 1] == -1).all()
    np.testing.assert_array_equal(L[:, 0], _expected(nums)[:, 0])


def test_empty_input_gives_an_empty_matrix():
    assert LFApplier([odd]).apply([], progress_bar=False).shape == (0, 1)
