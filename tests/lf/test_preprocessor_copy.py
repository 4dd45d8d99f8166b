"""A preprocessor works on its own deep copy of the row (or chunk): editing a list cell
in place never reaches LFs that do not use it, the caller's data or the next run."""

import time

import numpy as np
import pandas as pd

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.lf import preprocessor


def _frame():
    return pd.DataFrame({"text": ["a", "b"], "tags": [["x"], []],
                         "meta": [{"k": [1]}, {"k": []}]})


@preprocessor()
def add_tag(x):
    x.tags.append("spam")
    x.meta["k"].append(2)
    return x


@preprocessor(batch=True)
def add_tag_batch(df):
    for tags in df["tags"]:
        tags.append("spam")
    return df


def _uses(pre):
    if pre.batch:
        @labeling_function(batch=True, pre=[pre], columns=["tags"])
        def uses_pre(df):
            return np.array([1 if "spam" in t else ABSTAIN for t in df["tags"]])
    else:
        @labeling_function(pre=[pre])
        def uses_pre(x):
            return 1 if "spam" in x.tags else ABSTAIN
    return uses_pre


@labeling_function()
def no_pre(x):
    return 1 if "spam" in x.tags or 2 in x.meta["k"] else ABSTAIN


def _lfs(pre):
    return [_uses(pre), no_pre]


def test_row_preprocessor_edits_stay_in_its_copy():
    df = _frame()
    L = apply_lfs(df, _lfs(add_tag))
    assert L[:, 0].tolist() == [1, 1] and L[:, 1].tolist() == [-1, -1]
    assert df["tags"].tolist() == [["x"], []] and df["meta"].tolist() == [{"k": [1]}, {"k": []}]
    assert apply_lfs(df, _lfs(add_tag)).tolist() == L.tolist()  # a second run: the same


def test_batch_preprocessor_edits_stay_in_its_copy():
    df = _frame()
    L = apply_lfs(df, _lfs(add_tag_batch))
    assert L[:, 0].tolist() == [1, 1] and L[:, 1].tolist() == [-1, -1]
    assert df["tags"].tolist() == [["x"], []]


def test_chained_preprocessors_keep_earlier_fields():
    @preprocessor()
    def words(x):
        x.words = x.text.split()
        return x

    @preprocessor()
    def more(x):
        x.words.append("extra")
        return x

    @labeling_function(pre=[words, more])
    def both(x):
        return len(x.words)

    @labeling_function(pre=[words])
    def first_only(x):
        return len(x.words)

    L = apply_lfs(pd.DataFrame({"text": ["a b", "c"]}), [both, first_only])
    assert L.tolist() == [[3, 2], [2, 1]]


def test_copy_stays_cheap_on_10k_rows():
    n = 10_000
    df = pd.DataFrame({"text": [f"row {i}" for i in range(n)], "n": np.arange(n),
                       "tags": [["a", "b"] for _ in range(n)]})

    @preprocessor()
    def tagged(x):
        x.tags.append("c")
        return x

    @labeling_function(pre=[tagged])
    def three(x):
        return 1 if len(x.tags) == 3 else 0

    t = time.perf_counter()
    L = apply_lfs(df, [three])
    assert time.perf_counter() - t < 1.5
    assert (L[:, 0] == 1).all() and all(len(t) == 2 for t in df["tags"])
