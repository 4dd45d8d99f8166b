"""lf_examples reads a dict of columns as apply_lfs does: the rows it shows are the rows
the votes belong to, whatever order each Series holds its labels in."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.analysis import lf_examples


@labeling_function()
def parity(x):
    """Votes the parity of ``n`` on rows whose text starts with "s"."""
    return int(x.n) % 2 if x.text.startswith("s") else ABSTAIN


def _vote(text: str, n: int) -> int:
    return n % 2 if text.startswith("s") else ABSTAIN


@st.composite
def dict_inputs(draw):
    """A dict of Series over the same unique labels, each in its own order."""
    n = draw(st.integers(1, 12))
    labels = draw(st.one_of(
        st.lists(st.integers(-50, 50), min_size=n, max_size=n, unique=True),
        st.lists(st.text("abcxyz", min_size=1, max_size=3), min_size=n, max_size=n,
                 unique=True)))
    texts = draw(st.lists(st.sampled_from(["spam", "song", "hello", "sun", "no"]),
                          min_size=n, max_size=n))
    numbers = draw(st.lists(st.integers(0, 99), min_size=n, max_size=n))
    text = pd.Series(texts, index=labels)
    order = draw(st.permutations(range(n)))
    number = pd.Series(numbers, index=labels).iloc[list(order)]
    return {"text": text, "n": number} if draw(st.booleans()) else {"n": number, "text": text}


@settings(max_examples=40, deadline=None)
@given(dict_inputs())
def test_shown_rows_are_the_rows_the_votes_belong_to(data):
    L = apply_lfs(data, [parity])
    first = next(iter(data.values()))
    for label, vote in zip(first.index, L[:, 0]):  # apply_lfs: the first Series' order
        assert vote == _vote(data["text"][label], data["n"][label])
    out = lf_examples(L, data, "parity", which="fires", n=None, lfs=[parity])
    expected = [label for label, vote in zip(first.index, L[:, 0]) if vote != ABSTAIN]
    assert out.index.tolist() == expected
    for label, row in out.iterrows():
        assert row["text"] == data["text"][label] and row["n"] == data["n"][label]
        assert row["vote"] == _vote(row["text"], row["n"])


def test_reported_example():
    data = {"text": pd.Series(["spam here", "nice song", "hello"], index=[2, 0, 1]),
            "n": pd.Series([10, 20, 30], index=[0, 1, 2])}

    @labeling_function()
    def spam(x):
        return 1 if "spam" in x.text else ABSTAIN

    L = apply_lfs(data, [spam])
    assert L[:, 0].tolist() == [1, -1, -1]
    out = lf_examples(L, data, "spam", lfs=[spam])
    assert out["text"].tolist() == ["spam here"] and out["n"].tolist() == [30]
    assert out.index.tolist() == [2]
    assert np.array_equal(out["vote"], [1])
