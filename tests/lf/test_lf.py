"""LF authoring: the decorator's three kinds, rows, resources, preprocessors."""

import numpy as np
import pandas as pd
import pytest

from wslib import ABSTAIN, LabelingFunction, apply_lfs, labeling_function, preprocessor
from wslib.apply import LFApplyError, LFOutputError
from wslib.exceptions import LFFaultWarning
from wslib.lf import row_type


@pytest.fixture
def df():
    return pd.DataFrame({"text": ["Check out my channel", "nice song", "SUBSCRIBE now"],
                         "n_links": [1, 0, 2], "user id": [10, 11, 12]})


def test_row_lf_attribute_and_item_access(df):
    @labeling_function()
    def lf(x):
        return 1 if "check" in x.text.lower() and x["user id"] == 10 else ABSTAIN

    assert lf.name == "lf" and lf.kind == "row" and lf.columns is None
    assert apply_lfs(df, [lf])[:, 0].tolist() == [1, -1, -1]


def test_bare_decorator_and_name():
    @labeling_function
    def bare(x):
        return 0

    @labeling_function("renamed")
    def other(x):
        return 0

    assert isinstance(bare, LabelingFunction) and bare.name == "bare"
    assert other.name == "renamed"


def test_row_type_handles_non_identifier_columns():
    Row = row_type(("text", "user id", "class", "_private"))
    x = Row._make(["a", 1, 2, 3])
    assert (x.text, x["user id"], x["class"], x["_private"], x[1]) == ("a", 1, 2, 3, 1)
    x.extra = 5  # preprocessors may add fields
    assert x["extra"] == 5


def test_resources_are_injected(df):
    @labeling_function(resources={"words": {"song", "nice"}})
    def lf(x, words):
        return 0 if set(x.text.split()) & words else ABSTAIN

    assert apply_lfs(df, [lf])[:, 0].tolist() == [-1, 0, -1]
    assert lf(df.iloc[1]) == 0  # a pd.Series row works too (Snorkel style)


def test_batch_lf(df):
    @labeling_function(batch=True, columns=["n_links"])
    def links(chunk):
        return np.where(chunk["n_links"] > 1, 1, ABSTAIN)

    assert links.columns == ("n_links",)
    assert apply_lfs(df, [links])[:, 0].tolist() == [-1, -1, 1]
    assert links({"n_links": 5}) == 1  # calling on one row


def test_numba_lfs_are_fused_and_correct():
    rng = np.random.default_rng(0)
    data = {"a": rng.normal(size=5000), "b": rng.integers(0, 5, 5000)}

    @labeling_function(numba=True)
    def pos(a):
        return 1 if a > 0.5 else -1

    @labeling_function(numba=True)
    def both(a, b):
        if b >= 3 and a < 0:
            return 0
        return -1

    L = apply_lfs(data, [pos, both])
    assert both.columns == ("a", "b")
    np.testing.assert_array_equal(L[:, 0], np.where(data["a"] > 0.5, 1, -1))
    np.testing.assert_array_equal(L[:, 1], np.where((data["b"] >= 3) & (data["a"] < 0), 0, -1))
    assert pos({"a": 0.9}) == 1


def test_numba_lf_must_return_integers():
    @labeling_function(numba=True)
    def half(a):
        return a / 2

    from wslib.apply import LFOutputError
    # compiled, numba names the array's dtype (float64); on the small-data path, where
    # the body runs row by row, the message names the returned value (0.0, float)
    with pytest.raises(LFOutputError, match=r"half.*(float64|0\.0 \(float\))"):
        apply_lfs({"a": np.arange(4.0)}, [half])


def test_numba_lf_on_text_column_names_it():
    @labeling_function(numba=True)
    def f(text):
        return 1

    with pytest.raises(TypeError, match="'text'.*non-numeric"):
        apply_lfs(pd.DataFrame({"text": ["a"]}), [f])


def test_preprocessor_runs_once_per_row_for_many_lfs(df):
    calls = []

    @preprocessor()
    def words(x):
        calls.append(1)
        x.words = x.text.lower().split()
        return x

    lfs = [labeling_function(f"lf{i}", pre=[words])(
        lambda x, i=i: 1 if len(x.words) > i else ABSTAIN) for i in range(5)]

    @labeling_function()
    def untouched(x):
        return 0 if hasattr(x, "words") else 1  # other LFs never see the added field

    L = apply_lfs(df, lfs + [untouched])
    assert len(calls) == len(df)
    assert L[:, 0].tolist() == [1, 1, 1] and L[:, 3].tolist() == [1, -1, -1]
    assert L[:, 5].tolist() == [1, 1, 1]


def test_batch_preprocessor(df):
    @preprocessor(batch=True)
    def length(chunk):
        return chunk.assign(length=chunk["text"].str.len())

    @labeling_function(batch=True, pre=[length])
    def long(chunk):
        return np.where(chunk["length"] > 12, 1, ABSTAIN)

    assert apply_lfs(df, [long])[:, 0].tolist() == [1, -1, 1]


def test_batch_votes_are_matched_to_rows_not_to_positions():
    """A preprocessor that sorts the rows, or an LF that returns a re-sorted Series, still
    gives each row its own vote; rows that cannot be matched are a named fault."""
    frame = pd.DataFrame({"n": [3, 1, 2, 0]}, index=["d", "a", "c", "b"])
    expected = [1, -1, 1, -1]

    @preprocessor(batch=True)
    def by_n(chunk):
        return chunk.sort_values("n")

    @labeling_function(batch=True, pre=[by_n])
    def big(chunk):
        return np.where(chunk["n"].to_numpy() >= 2, 1, ABSTAIN)

    @labeling_function(batch=True)
    def big_sorted(chunk):
        return pd.Series(np.where(chunk["n"] >= 2, 1, ABSTAIN), index=chunk.index).sort_index()

    @labeling_function(batch=True)
    def big_fresh(chunk):  # a new Series: 0..n-1, read by position
        return pd.Series(np.where(chunk["n"].to_numpy() >= 2, 1, ABSTAIN))

    L = apply_lfs(frame, [big, big_sorted, big_fresh])
    assert L.T.tolist() == [expected] * 3

    @preprocessor(batch=True)
    def drops_one(chunk):
        return chunk.iloc[1:]

    @labeling_function(batch=True, pre=[drops_one])
    def after_drop(chunk):
        return np.ones(len(chunk), dtype=int)

    with pytest.raises(LFApplyError, match="drops_one.*could not be matched to rows"):
        apply_lfs(frame, [after_drop])

    @labeling_function(batch=True)
    def relabelled(chunk):
        return pd.Series(1, index=[f"x{i}" for i in range(len(chunk))])

    with pytest.raises(LFOutputError, match="relabelled.*cannot be matched to rows"):
        apply_lfs(frame, [relabelled])


def test_preprocessor_kind_must_match_lf_kind():
    @preprocessor()
    def p(x):
        return x

    with pytest.raises(TypeError, match="batch LF.*preprocessor 'p'"):
        labeling_function(batch=True, pre=[p])(lambda df: df)


def test_bad_definitions():
    with pytest.raises(ValueError, match="either batch=True or numba=True"):
        labeling_function(batch=True, numba=True)
    def g(a):
        return 1

    with pytest.raises(TypeError, match="numba LF 'g'.*resources"):
        labeling_function(numba=True, resources={"a": 1})(g)
    with pytest.raises(TypeError, match="one positional parameter per"):
        labeling_function(numba=True)(lambda *cols: 1)
    with pytest.raises(ValueError, match="non-empty string name"):
        LabelingFunction("", lambda x: 1)


def test_batch_preprocessor_chain_runs_once_per_chunk_for_many_lfs(df):
    calls = []

    @preprocessor(batch=True)
    def lower(chunk):
        calls.append(len(chunk))
        return chunk.assign(lower=chunk["text"].str.lower())

    @preprocessor(batch=True)
    def broken(chunk):
        raise ValueError("no luck")

    lfs = [labeling_function(f"has_{c}", batch=True, pre=[lower])(
        lambda chunk, c=c: np.where(chunk["lower"].str.contains(c, regex=False), 1, ABSTAIN))
        for c in "aeiou"]
    bad = [labeling_function(f"bad{i}", batch=True, pre=[lower, broken])(lambda chunk: 0)
           for i in range(2)]
    with pytest.warns(LFFaultWarning, match="'bad1': 12 row"):
        L, faults = apply_lfs(pd.concat([df] * 4), lfs + bad, chunk_size=5, errors="abstain",
                              return_faults=True)
    assert calls == [5, 5, 2]  # one call per chunk, shared by 7 LFs
    expected = [[1 if c in t.lower() else -1 for c in "aeiou"] for t in df["text"]] * 4
    assert L[:, :5].tolist() == expected
    assert (L[:, 5:] == -1).all() and faults.tolist() == [0] * 5 + [12, 12]
    with pytest.raises(LFApplyError, match="'bad0'.*no luck"):
        apply_lfs(df, bad)


def test_votes_beyond_int64_are_faults_not_wrapped():
    huge_row = labeling_function(name="huge_row")(lambda x: 2**64)
    huge_batch = labeling_function(batch=True, name="huge_batch")(
        lambda d: np.full(len(d), 2**64 - 1, dtype=np.uint64))
    frame = pd.DataFrame({"a": [1, 2]})
    for lf in (huge_row, huge_batch):
        with pytest.raises(LFOutputError, match=f"'{lf.name}' returned 1844674407370955161"):
            apply_lfs(frame, [lf])
    with pytest.warns(LFFaultWarning, match="4 faulty vote"):
        L = apply_lfs(frame, [huge_row, huge_batch], errors="abstain")
    assert (L == ABSTAIN).all()
