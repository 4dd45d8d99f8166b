"""Errors that name their real cause: bytes or non-string keywords for keyword_lf, and a
column dtype numba cannot compile for a numba LF."""

import numpy as np
import pandas as pd
import pytest

from wslib import apply_lfs, labeling_function
from wslib.lf import keyword_lf


@pytest.mark.parametrize("keywords", [b"spam", [b"spam"], ["spam", 1], 5, ["spam", ""], []])
def test_keyword_lf_refuses_non_strings_with_its_own_message(keywords):
    with pytest.raises(ValueError, match=r"keywords must be non-empty strings, got"):
        keyword_lf(keywords, 1)


def test_keyword_lf_names_the_bytes_it_got():
    with pytest.raises(ValueError, match=r"LF 'keyword_lf': .* got \(b'spam',\)"):
        keyword_lf(b"spam", 1)
    with pytest.raises(ValueError, match=r"LF 'mine': .*strings"):
        keyword_lf([b"spam"], 1, name="mine")


@labeling_function(numba=True)
def big(n):
    return 1 if n > 5 else -1


@pytest.mark.parametrize("errors", ["raise", "abstain"])
def test_numba_lf_on_a_float16_column_names_the_column_dtype(errors):
    df = pd.DataFrame({"n": np.array([7, 1], dtype=np.float16)})
    with pytest.raises(TypeError, match=r"numba LF\(s\) \['big'\] read column 'n', whose dtype "
                                        r"float16 numba does not support"):
        apply_lfs(df, [big], errors=errors)
    assert apply_lfs(df.astype(np.float32), [big])[:, 0].tolist() == [1, -1]
