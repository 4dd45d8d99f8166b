"""A batch LF's output is checked value by value in the dtype it came in: string,
datetime and timedelta arrays, bools inside lists and huge integral floats are faults
named by LF and row, counted as abstains with errors="abstain"."""

import warnings

import numpy as np
import pandas as pd
import pytest

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.apply import LFOutputError
from wslib.exceptions import LFFaultWarning

DF = pd.DataFrame({"text": ["buy now", "nice song", "hello"], "n": [1.0, 1e20, -3e30]},
                  index=["a", "b", "c"])


def _batch(name, output):
    @labeling_function(batch=True, name=name)
    def lf(chunk):
        return output
    return lf


def _abstained(lf, **kwargs):
    with pytest.warns(LFFaultWarning, match=f"'{lf.name}': (\\d+) row"):
        L, faults = apply_lfs(DF, [lf], errors="abstain", return_faults=True, **kwargs)
    return L[:, 0].tolist(), int(faults[lf.name])


@pytest.mark.parametrize("output", [
    np.array(["1", "-1", "0"]),
    np.array(["x", "y", "z"]),
    np.array(["2020-01-01", "2020-01-02", "NaT"], dtype="datetime64[ns]"),
    np.array([1, 0, -1], dtype="timedelta64[ns]"),
    np.array([b"1", b"0", b"1"]),
])
def test_non_integer_arrays_are_faults_on_every_row(output):
    lf = _batch("odd", output)
    assert _abstained(lf) == ([ABSTAIN] * 3, 3)
    with pytest.raises(LFOutputError, match=r"LF 'odd' returned .* not an integer vote on "
                                            r"row 'a' \(position 0\)"):
        apply_lfs(DF, [lf])


def test_unknown_class_name_in_a_string_array_abstains_on_its_row_only():
    @labeling_function(batch=True, columns=["text"])
    def typo(d):
        return np.where(d["text"].str.contains("buy"), "SPAMM", "HAM")

    assert _abstained(typo, classes=["HAM", "SPAM"]) == ([ABSTAIN, 0, 0], 1)
    with pytest.raises(LFOutputError, match=r"LF 'typo' returned 'SPAMM' .* row 'a'"):
        apply_lfs(DF, [typo], classes=["HAM", "SPAM"])


def test_huge_integral_floats_are_named_as_returned_without_numpy_warnings():
    @labeling_function(batch=True, columns=["n"])
    def raw_value(d):
        return d["n"].to_numpy()

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(LFOutputError, match=r"LF 'raw_value' returned 1e\+20, outside -1 "
                                                r".* on row 'b' \(position 1\)"):
            apply_lfs(DF, [raw_value])
        with pytest.raises(LFOutputError, match=r"returned 1e\+20, outside -1\.\.1 on row 'b'"):
            apply_lfs(DF, [raw_value], cardinality=2)
        assert _abstained(raw_value) == ([1, ABSTAIN, ABSTAIN], 2)


def test_huge_python_ints_in_a_list_are_named():
    lf = _batch("huge", [10**30, 0, 2**63])
    with pytest.raises(LFOutputError, match=r"LF 'huge' returned 10{30}, outside -1 .* row 'a'"):
        apply_lfs(DF, [lf])
    assert _abstained(lf) == ([ABSTAIN, 0, ABSTAIN], 2)


@pytest.mark.parametrize("output", [[True, 0, ABSTAIN], (np.True_, 0, -1), [1.0, True, 0.0],
                                    pd.Series([True, 0, -1], dtype=object, index=DF.index)])
def test_a_bool_among_votes_is_a_fault_like_a_row_lf_returning_true(output):
    lf = _batch("mixed", output)
    with pytest.raises(LFOutputError, match=r"LF 'mixed' returned (True|np.True_) \(.*\), not "
                                            r"an integer vote on row '[ab]'"):
        apply_lfs(DF, [lf])
    votes, faults = _abstained(lf)
    assert faults == 1 and votes.count(ABSTAIN) >= 1 and 0 in votes


def test_a_row_lf_returning_a_timedelta_is_a_fault():
    @labeling_function()
    def span(x):
        return np.timedelta64(1, "ns")

    with pytest.raises(LFOutputError, match=r"LF 'span' returned .*timedelta.* not an integer "
                                            r"vote on row 'a'"):
        apply_lfs(DF, [span])


def test_valid_outputs_still_vote():
    for output in ([1, 0, -1], np.array([1.0, 0.0, -1.0]), np.array([1, 0, -1], np.int8),
                   np.array([1, 0, -1], dtype=object), pd.Series([1, 0, -1], index=DF.index)):
        assert apply_lfs(DF, [_batch("ok", output)])[:, 0].tolist() == [1, 0, -1]
    assert apply_lfs(DF, [_batch("u8", np.array([1, 0, 2], np.uint8))])[:, 0].tolist() == \
        [1, 0, 2]
    big = np.array([2**64 - 1, 0, 1], np.uint64)
    with pytest.raises(LFOutputError, match=r"returned 18446744073709551615, outside"):
        apply_lfs(DF, [_batch("u", big)])
