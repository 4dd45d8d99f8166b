"""Bad input gets a clear error naming the culprit; errors="abstain" counts faults."""

import warnings

import numpy as np
import pandas as pd
import pytest

from wslib import ABSTAIN, apply_lfs, labeling_function, preprocessor
from wslib.apply import LFApplyError, LFOutputError, MissingColumnError
from wslib.exceptions import LFFaultWarning
from wslib.lf import keyword_lf


@pytest.fixture
def df():
    return pd.DataFrame({"text": ["a", "bb", "ccc", "dddd"], "n": [0, 1, 2, 0]},
                        index=pd.Index(["w", "x", "y", "z"], name="key"))


@labeling_function()
def inverse(x):
    return 1 if 1 / x.n > 0.4 else ABSTAIN


def test_raising_lf_names_lf_label_and_position(df):
    with pytest.raises(LFApplyError, match=r"LF 'inverse' raised ZeroDivisionError.*"
                                           r"row 'w' \(position 0\)") as info:
        apply_lfs(df, [inverse])
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    assert (info.value.index, info.value.position) == ("w", 0)


def test_abstain_mode_counts_faults_and_warns(df):
    ok = keyword_lf("c", 1, name="ok")
    with pytest.warns(LFFaultWarning, match=r"'inverse': 2 row\(s\), first: ZeroDivisionError"):
        L, faults = apply_lfs(df, [ok, inverse], errors="abstain", return_faults=True)
    assert L.tolist() == [[-1, -1], [-1, 1], [1, 1], [-1, -1]]
    assert faults.to_dict() == {"ok": 0, "inverse": 2}


def test_no_warning_without_faults(df):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, faults = apply_lfs(df, [keyword_lf("c", 1)], errors="abstain", return_faults=True)
    assert faults.sum() == 0


@pytest.mark.parametrize("value, message", [
    (None, r"returned None \(NoneType\), not an integer vote"),
    (1.5, r"returned 1.5 \(float\), not an integer"),
    ("1", r"returned '1' \(str\)"),
    (True, r"returned True \(bool\)"),
])
def test_row_lf_non_integer_output(df, value, message):
    @labeling_function()
    def odd(x):
        return value if x.n == 2 else ABSTAIN

    with pytest.raises(LFOutputError, match=f"LF 'odd' {message}.*row 'y' \\(position 2\\)"):
        apply_lfs(df, [odd])
    L, faults = apply_lfs(df, [odd], errors="abstain", return_faults=True)
    assert L[:, 0].tolist() == [-1, -1, -1, -1] and faults["odd"] == 1


def test_out_of_range_votes(df):
    @labeling_function()
    def three(x):
        return 3 if x.n == 1 else 0

    assert apply_lfs(df, [three])[:, 0].tolist() == [0, 3, 0, 0]  # k inferred as 4
    with pytest.raises(LFOutputError, match=r"'three' returned 3, outside -1..1 on row 'x'"):
        apply_lfs(df, [three], cardinality=2)

    @labeling_function(batch=True)
    def minus_two(chunk):
        return np.full(len(chunk), -2)

    with pytest.raises(LFOutputError, match=r"'minus_two' returned -2.*row 'w' \(position 0\)"):
        apply_lfs(df, [minus_two])
    L, faults = apply_lfs(df, [three], cardinality=2, errors="abstain", return_faults=True)
    assert L[:, 0].tolist() == [0, -1, 0, 0] and faults["three"] == 1


def test_batch_output_checks(df):
    @labeling_function(batch=True)
    def short(chunk):
        return np.zeros(len(chunk) - 1, dtype=int)

    with pytest.raises(LFOutputError, match=r"'short' returned output of shape \(3,\), "
                                            r"expected \(4,\).*rows 'w'..'z'"):
        apply_lfs(df, [short])

    @labeling_function(batch=True)
    def mask(chunk):
        return chunk["n"] > 0  # a boolean mask is not a vote

    with pytest.raises(LFOutputError, match="'mask' returned .*bool.*not an integer vote"):
        apply_lfs(df, [mask])

    @labeling_function(batch=True)
    def fractional(chunk):
        return chunk["n"].to_numpy() / 2.0

    with pytest.raises(LFOutputError, match=r"'fractional' returned 0.5 .*row 'x'"):
        apply_lfs(df, [fractional])

    @labeling_function(batch=True)
    def integral_floats(chunk):
        return np.zeros(len(chunk))  # 0.0 is a valid vote for class 0

    assert apply_lfs(df, [integral_floats])[:, 0].tolist() == [0, 0, 0, 0]


def test_batch_lf_raising_names_chunk(df):
    @labeling_function(batch=True)
    def broken(chunk):
        raise KeyError("nope")

    with pytest.raises(LFApplyError, match=r"'broken' raised KeyError.*rows 'w'..'z' "
                                           r"\(positions 0..3\)"):
        apply_lfs(df, [broken])
    _, faults = apply_lfs(df, [broken], errors="abstain", return_faults=True)
    assert faults["broken"] == 4


def test_duplicate_names(df):
    with pytest.raises(ValueError, match=r"duplicate labeling function names \['k'\]"):
        apply_lfs(df, [keyword_lf("a", 1, name="k"), keyword_lf("b", 1, name="k")])


def test_empty_inputs(df):
    with pytest.raises(ValueError, match="zero rows"):
        apply_lfs(df.iloc[:0], [keyword_lf("a", 1)])
    with pytest.raises(ValueError, match="no labeling functions"):
        apply_lfs(df, [])


def test_missing_column_names_column_and_lf(df):
    with pytest.raises(MissingColumnError, match="column 'body' needed by LF 'kw' is missing"):
        apply_lfs(df, [keyword_lf("a", 1, column="body", name="kw")])

    @labeling_function()
    def undeclared(x):
        return 1 if x.body else 0

    with pytest.raises(LFApplyError, match="'undeclared' raised AttributeError.*body"):
        apply_lfs(df, [undeclared])


def test_preprocessor_failure_names_preprocessor(df):
    @preprocessor()
    def fragile(x):
        if x.n == 1:
            raise ValueError("cannot parse")
        return x

    @labeling_function(pre=[fragile])
    def uses(x):
        return 0

    @labeling_function(pre=[fragile])
    def reads(x):
        return 1 if x.text else 0

    with pytest.raises(LFApplyError, match="'uses' raised .*preprocessor 'fragile' failed: "
                                           "ValueError: cannot parse.*row 'x'"):
        apply_lfs(df, [uses])
    L, faults = apply_lfs(df, [uses, reads], errors="abstain", return_faults=True)
    assert L.tolist() == [[0, 1], [-1, -1], [0, 1], [0, 1]]
    assert faults.tolist() == [1, 1]  # every LF that lost a vote counts it


def test_numba_lf_fault_is_located(df):
    @labeling_function(numba=True)
    def nb_inverse(n):
        return 1 if 1 // n > 0 else -1

    with pytest.raises(LFApplyError, match=r"'nb_inverse' raised ZeroDivisionError.*row 'w'"):
        apply_lfs(df, [nb_inverse])
    _, faults = apply_lfs(df, [nb_inverse], errors="abstain", return_faults=True)
    assert faults["nb_inverse"] == 2


def test_bad_arguments(df):
    lf = keyword_lf("a", 1)
    with pytest.raises(TypeError, match=r"lfs\[1\] is a function, not a LabelingFunction"):
        apply_lfs(df, [lf, lambda x: 1])
    with pytest.raises(ValueError, match="errors must be one of"):
        apply_lfs(df, [lf], errors="ignore")
    with pytest.raises(ValueError, match="n_jobs must be"):
        apply_lfs(df, [lf], n_jobs=0)
    with pytest.raises(ValueError, match="chunk_size must be"):
        apply_lfs(df, [lf], chunk_size=0)
    with pytest.raises(TypeError, match="cannot apply LFs to a list"):
        apply_lfs([{"text": "a"}], [lf])
    with pytest.raises(ValueError, match=r"'text' has 2 rows, 'n' has 3"):
        apply_lfs({"text": np.array(["a", "b"]), "n": np.arange(3)}, [lf])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        apply_lfs("/nonexistent/data.parquet", [lf])


def test_arrow_output_with_nulls_is_a_named_fault(df):
    import pyarrow as pa

    @labeling_function(batch=True)
    def arrow_out(chunk):
        return pa.array([1, None, 0, 1])

    with pytest.raises(LFOutputError, match=r"'arrow_out' returned nan .*row 'x' \(position 1\)"):
        apply_lfs(df, [arrow_out])

    @labeling_function(batch=True)
    def arrow_ok(chunk):
        return pa.array([1, -1, 0, 1], pa.int8())

    assert apply_lfs(df, [arrow_ok])[:, 0].tolist() == [1, -1, 0, 1]


def test_template_label_outside_cardinality(df):
    with pytest.raises(LFOutputError, match=r"'big' returned 3, outside -1..1"):
        apply_lfs(df, [keyword_lf("c", 3, name="big")], cardinality=2)


def test_chunk_span_prints_plain_index_labels():
    @labeling_function(batch=True)
    def broken(chunk):
        raise KeyError("nope")

    data = pd.DataFrame({"text": ["a", "b"]}, index=np.array([570, 571], dtype=np.int64))
    with pytest.raises(LFApplyError, match=r"rows 570\.\.571 \(positions 0\.\.1\)") as info:
        apply_lfs(data, [broken])
    assert "np.int64" not in str(info.value)
