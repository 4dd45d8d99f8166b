"""Snorkel semantics the compat layer keeps: copied data points, row order, how LF
outputs and gold labels are read.

Tests that compare with the real Snorkel 0.10 skip when it is not installed.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from wslib.compat.snorkel import labeling as compat_labeling
from wslib.compat.snorkel import preprocess as compat_preprocess


def _mutating_run(labeling, preprocess, memoize):
    """A preprocessor editing list / dict fields in place, an LF reading them and an LF
    reading the raw row; applied twice. Returns both L, and the data afterwards."""
    df = pd.DataFrame({"tokens": [["A", "b"], ["c"], ["A"]],
                       "meta": [{"k": 1}, {"k": 2}, {"k": 3}]})

    @preprocess.preprocessor(memoize=memoize)
    def add_end(x):
        x.tokens.append("END")
        x.meta["k"] += 10
        return x

    @labeling.labeling_function(pre=[add_end])
    def n_tokens(x):
        return min(len(x.tokens), 5) - 1 if x.meta["k"] < 100 else -1

    @labeling.labeling_function()
    def raw_len(x):
        return min(len(x.tokens), 5) - 1

    applier = labeling.PandasLFApplier([n_tokens, raw_len])
    first = applier.apply(df, progress_bar=False)
    second = applier.apply(df, progress_bar=False)
    return first.tolist(), second.tolist(), df["tokens"].tolist(), df["meta"].tolist()


@pytest.mark.parametrize("memoize", [False, True])
def test_preprocessor_in_place_edits_stay_in_its_output(memoize):
    first, second, tokens, meta = _mutating_run(compat_labeling, compat_preprocess, memoize)
    assert first == second == [[2, 1], [1, 0], [1, 0]]
    assert tokens == [["A", "b"], ["c"], ["A"]]
    assert meta == [{"k": 1}, {"k": 2}, {"k": 3}]


def test_preprocessor_in_place_edits_match_snorkel():
    pytest.importorskip("snorkel")
    import snorkel.labeling
    import snorkel.preprocess

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _mutating_run(compat_labeling, compat_preprocess, False) == \
            _mutating_run(snorkel.labeling, snorkel.preprocess, False)


def test_preprocessor_call_does_not_touch_its_input():
    from types import SimpleNamespace

    @compat_preprocess.preprocessor()
    def add(x):
        x.values.append(1)
        return x

    x = SimpleNamespace(values=[0])
    assert add(x).values == [0, 1]
    assert add(x).values == [0, 1]
    assert x.values == [0]


OUTPUTS = [True, False, 1.0, 0.0, np.float32(1.0), np.float64(0.0), np.bool_(True)]


def _votes(labeling, value):
    lf = labeling.LabelingFunction("out", lambda x: value)
    return labeling.PandasLFApplier([lf]).apply(pd.DataFrame({"n": [1, 2]}),
                                                progress_bar=False)


@pytest.mark.parametrize("value", OUTPUTS, ids=repr)
def test_lf_bool_and_whole_float_outputs_vote_as_in_snorkel(value):
    L = _votes(compat_labeling, value)
    assert L.dtype == np.int_ and L.ravel().tolist() == [int(value)] * 2


@pytest.mark.parametrize("value", OUTPUTS, ids=repr)
def test_lf_outputs_match_snorkel(value):
    pytest.importorskip("snorkel")
    import snorkel.labeling

    np.testing.assert_array_equal(_votes(compat_labeling, value),
                                  _votes(snorkel.labeling, value))


@pytest.mark.parametrize("value", [None, "1", 0.5, float("nan")], ids=repr)
def test_lf_outputs_that_are_not_votes_still_fault(value):
    lf = compat_labeling.LabelingFunction("out", lambda x: value)
    with pytest.raises(Exception, match="out"):
        compat_labeling.PandasLFApplier([lf]).apply(pd.DataFrame({"n": [1]}),
                                                    progress_bar=False)


def test_pandas_parallel_applier_rows_follow_the_frame():
    pytest.importorskip("dask.dataframe")
    from wslib.compat.snorkel.labeling.apply.dask import PandasParallelLFApplier

    @compat_labeling.labeling_function()
    def has_a(x):
        return 1 if "a" in x.text else -1

    df = pd.DataFrame({"text": ["a", "b", "ab", "c", "ca", "x", "a", "q"]},
                      index=[7, 3, 5, 1, 0, 2, 4, 6])
    expected = compat_labeling.PandasLFApplier([has_a]).apply(df, progress_bar=False)
    L = PandasParallelLFApplier([has_a]).apply(df, n_parallel=2, scheduler="sync")
    np.testing.assert_array_equal(L, expected)
    assert L.ravel().tolist() == [1, -1, 1, -1, 1, -1, 1, -1]


def test_label_model_y_dev_with_unknown_gold_is_refused():
    """Snorkel takes the share of -1 in Y_dev as the prior of class 0 (here 0.6 for a
    class no dev item has): an error instead of a silently wrong prior."""
    from wslib.compat.snorkel.labeling.model import LabelModel

    L = np.array([[0, 0, -1], [1, 1, 1], [-1, -1, -1], [0, 1, 0]] * 5)
    with pytest.raises(ValueError, match="-1"):
        LabelModel(verbose=False).fit(L, Y_dev=np.array([-1, -1, -1, 1, 1]))
    model = LabelModel(verbose=False).fit(L, Y_dev=np.array([0, 1, 1, 1, 0]))
    np.testing.assert_allclose(model.predict_proba(L[2:3]), [[0.4, 0.6]])
