"""lf_examples: the rows an LF fires on, conflicts on, gets wrong or abstains on."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from wslib import apply_lfs
from wslib.analysis import lf_examples
from wslib.lf import keyword_lf
from wslib.matrix import to_sparse

DATA = pd.DataFrame({"text": ["buy now", "nice song", "buy this song", "hello", "song buy"]},
                    index=[10, 11, 12, 13, 14])
LFS = [keyword_lf("buy", 1, name="spam"), keyword_lf("song", 0, name="song"),
       keyword_lf("hello", 0, name="hello")]
Y = np.array([1, 0, 0, 0, -1])


@pytest.fixture(params=["dense", "sparse"])
def L(request):
    L = apply_lfs(DATA, LFS)
    return L if request.param == "dense" else to_sparse(L)


@pytest.mark.parametrize(("which", "rows"), [("fires", [10, 12, 14]), ("conflicts", [12, 14]),
                                             ("wrong", [12]), ("abstains", [11, 13])])
def test_each_selection_matches_its_definition(L, which, rows):
    out = lf_examples(L, DATA, "spam", which=which, y=Y, lfs=LFS)
    assert out.index.tolist() == rows
    assert out["text"].tolist() == DATA.loc[rows, "text"].tolist()
    assert out["vote"].tolist() == [1 if which != "abstains" else -1] * len(rows)
    assert out["gold"].tolist() == Y[DATA.index.get_indexer(rows)].tolist()


def test_lf_by_name_index_or_object_and_the_other_votes(L):
    by_name = lf_examples(L, DATA, "song", lfs=LFS)
    pd.testing.assert_frame_equal(by_name, lf_examples(L, DATA, 1, lfs=LFS))
    pd.testing.assert_frame_equal(by_name, lf_examples(L, DATA, LFS[1], lfs=LFS))
    assert by_name["others"].tolist() == ["", "spam=1", "spam=1"]
    assert "gold" not in by_name
    assert lf_examples(L, DATA, 1)["others"].tolist() == ["", "0=1", "0=1"]  # no names: indices


def test_sample_is_seeded_in_data_order_and_input_kinds():
    rng = np.random.default_rng(0)
    texts = rng.choice(["buy", "song", "x"], size=500)
    df = pd.DataFrame({"text": texts})
    L = apply_lfs(df, LFS)
    out = lf_examples(L, df, "spam", n=7, lfs=LFS)
    assert len(out) == 7 and out.index.is_monotonic_increasing
    assert (out["text"] == "buy").all()
    pd.testing.assert_frame_equal(out, lf_examples(L, df, "spam", n=7, lfs=LFS))
    assert len(lf_examples(L, df, "spam", n=None, lfs=LFS)) == int((texts == "buy").sum())
    table = lf_examples(L, pa.table({"text": texts}), "spam", n=7, lfs=LFS)
    assert table["text"].tolist() == out["text"].tolist() and table.index.tolist() == \
        out.index.tolist()
    as_dict = lf_examples(L, {"text": texts}, "spam", n=7, lfs=LFS)
    assert as_dict["text"].tolist() == out["text"].tolist()


@pytest.mark.parametrize("kind", ["frame", "arrow", "dict"])
def test_existing_column_names_are_kept(kind):
    """The data's own vote, gold and others columns are kept whatever its container; the
    LF's columns get the prefix lf_."""
    df = DATA.assign(vote="mine", gold=[5, 6, 7, 8, 9], others=list("abcde"))
    data = {"frame": df, "arrow": pa.Table.from_pandas(df, preserve_index=False),
            "dict": {c: df[c].tolist() for c in df.columns}}[kind]
    out = lf_examples(apply_lfs(DATA, LFS), data, "spam", y=Y, lfs=LFS)
    assert out.columns.tolist() == ["text", "vote", "gold", "others", "lf_vote", "lf_gold",
                                    "lf_others"]
    assert (out["vote"] == "mine").all() and out["gold"].tolist() == [5, 7, 9]
    assert out["others"].tolist() == ["a", "c", "e"]
    assert out["lf_vote"].tolist() == [1, 1, 1] and out["lf_gold"].tolist() == [1, 0, -1]
    assert out["lf_others"].tolist() == ["", "song=0", "song=0"]


def test_bad_input_is_named():
    L = apply_lfs(DATA, LFS)
    with pytest.raises(ValueError, match=r"LF 'links' is not in L: its LFs are \['spam'"):
        lf_examples(L, DATA, "links", lfs=LFS)
    with pytest.raises(ValueError, match=r"LF 'other' is not in L"):
        lf_examples(L, DATA, keyword_lf("x", 1, name="other"), lfs=LFS)
    with pytest.raises(ValueError, match=r"lf=3 is not a column of L, which has 3 LFs"):
        lf_examples(L, DATA, 3)
    with pytest.raises(ValueError, match="pass lfs="):
        lf_examples(L, DATA, "spam")
    with pytest.raises(ValueError, match="data has 4 rows but L has 5"):
        lf_examples(L, DATA.iloc[:4], "spam", lfs=LFS)
    with pytest.raises(ValueError, match="which='wrong' .* pass y="):
        lf_examples(L, DATA, "spam", which="wrong", lfs=LFS)
    with pytest.raises(ValueError, match="which must be one of"):
        lf_examples(L, DATA, "spam", which="fired", lfs=LFS)
    with pytest.raises(ValueError, match="y has 4 labels but there are 5 items"):
        lf_examples(L, DATA, "spam", y=Y[:4], lfs=LFS)
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        lf_examples(L, DATA["text"].tolist(), "spam", lfs=LFS)
