"""Class names: templates, row and batch LFs, label models and end models share one
``classes`` list that maps names to indices."""

import warnings

import numpy as np
import pandas as pd
import pytest

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.apply import LFApplyError, LFOutputError
from wslib.classes import check_classes, decode_labels, encode_labels
from wslib.exceptions import CoverageWarning, LFFaultWarning
from wslib.labelmodel import LabelModel, MajorityVote, load
from wslib.lf import keyword_lf, regex_lf, similarity_lf, threshold_lf, with_classes

CLASSES = ["HAM", "SPAM"]
DF = pd.DataFrame({"text": ["free money now", "nice song", "hi", "check out my song"],
                   "n": [1.0, 5.0, 9.0, 2.0],
                   "emb": [np.array([1.0, 0.0]), np.array([0.0, 1.0])] * 2})


@labeling_function()
def short(x):
    return "HAM" if len(x.text) < 5 else ABSTAIN


@labeling_function(batch=True, columns=["n"])
def big(df):
    return (df["n"] > 4).map({True: "SPAM", False: ABSTAIN})


def named_lfs():
    return [keyword_lf("free", "SPAM", name="free"), regex_lf(r"so.g", "HAM", name="song"),
            threshold_lf("n", 8, "SPAM", name="n8"),
            similarity_lf("emb", 0.9, "HAM", prototype=[1.0, 0.1], name="near"), short, big]


def index_lfs():
    return [keyword_lf("free", 1, name="free"), regex_lf(r"so.g", 0, name="song"),
            threshold_lf("n", 8, 1, name="n8"),
            similarity_lf("emb", 0.9, 0, prototype=[1.0, 0.1], name="near"),
            labeling_function(name="short")(lambda x: 0 if len(x.text) < 5 else ABSTAIN),
            labeling_function(batch=True, name="big")(
                lambda df: np.where(df["n"] > 4, 1, ABSTAIN))]


def test_names_vote_as_their_index_in_classes():
    L = apply_lfs(DF, named_lfs(), classes=CLASSES)
    np.testing.assert_array_equal(L, apply_lfs(DF, index_lfs()))
    flipped = apply_lfs(DF, named_lfs(), classes=["SPAM", "HAM"])
    np.testing.assert_array_equal(flipped, np.where(L >= 0, 1 - L, L))
    [lf] = with_classes([keyword_lf("free", "SPAM")], CLASSES)
    assert lf.template.label == 1 and lf.class_name is None


def test_names_without_classes_or_missing_from_them_are_named():
    with pytest.raises(ValueError, match=r"LFs \['free', 'n8', 'near', 'song'\] vote class "
                                         r"names \['HAM', 'SPAM'\]: pass classes="):
        apply_lfs(DF, named_lfs())
    with pytest.raises(ValueError, match=r"class names \['SPAM'\] \(of LFs \['free', 'n8'\]\) "
                                         r"are not in classes \['HAM', 'SPAMM'\]"):
        apply_lfs(DF, named_lfs(), classes=["HAM", "SPAMM"])
    with pytest.raises(ValueError, match="LF 'free' votes the class name 'SPAM': pass classes"):
        keyword_lf("free", "SPAM", name="free").apply_batch(DF)
    bad = labeling_function(name="bad")(lambda x: "EGGS")
    with pytest.raises(LFApplyError, match=r"LF 'bad' raised ValueError: returned the class "
                                           r"name 'EGGS', which is not in classes"):
        apply_lfs(DF, [bad], classes=CLASSES)
    with pytest.raises(ValueError, match="cardinality=3 but classes lists 2 names"):
        apply_lfs(DF, named_lfs(), classes=CLASSES, cardinality=3)
    with pytest.raises(ValueError, match="not valid RE2"):  # other arguments checked at once
        regex_lf(r"(?<=a)b", "SPAM")


BATCH_OUTPUTS = {
    "array": lambda values, d: np.array(values, dtype=object),
    "series": lambda values, d: pd.Series(values, index=d.index, dtype=object),
    "reordered-series": lambda values, d: pd.Series(values, index=d.index, dtype=object)[::-1],
    "list": lambda values, d: list(values),
}


@pytest.mark.parametrize("container", sorted(BATCH_OUTPUTS))
def test_batch_votes_are_checked_as_without_classes(container):
    """Names become their indices; None, NaN, bools and names not in classes are faults on
    their rows (raised naming the LF, row and value, or counted), never silent abstains."""
    df = pd.DataFrame({"text": list("abcdef")}, index=list("uvwxyz"))
    values = ["SPAM", ABSTAIN, None, np.nan, True, "EGGS"]
    mixed = labeling_function(batch=True, name="mixed")(
        lambda d: BATCH_OUTPUTS[container](values, d))
    with pytest.raises(LFOutputError, match=r"LF 'mixed' returned None \(object output\), not "
                                            r"an integer vote on row 'w' \(position 2\)"):
        apply_lfs(df, [mixed], classes=CLASSES)
    with pytest.warns(LFFaultWarning, match="'mixed': 4 row"):
        L, faults = apply_lfs(df, [mixed], classes=CLASSES, errors="abstain",
                              return_faults=True)
    assert L[:, 0].tolist() == [1, -1, -1, -1, -1, -1] and faults["mixed"] == 4
    ints = labeling_function(batch=True, name="mixed")(
        lambda d: BATCH_OUTPUTS[container]([1, 0, None, np.nan, True, np.int64(1)], d))
    with pytest.warns(LFFaultWarning):
        same = [apply_lfs(df, [ints], classes=c, errors="abstain", return_faults=True)
                for c in (CLASSES, None)]
    np.testing.assert_array_equal(same[0][0], same[1][0])
    assert same[0][0][:, 0].tolist() == [1, 0, -1, -1, -1, 1] and same[0][1]["mixed"] == 3


def test_batch_names_follow_their_rows():
    """A Series of names re-sorted by value is matched to the rows by label; names the
    pandas map leaves out (NaN) are faults, not abstains."""
    df = pd.DataFrame({"text": ["b", "a", "c", "a"]}, index=[7, 3, 5, 1])

    @labeling_function(batch=True)
    def sorted_names(d):
        return pd.Series(np.where(d["text"] == "a", "HAM", "SPAM"), index=d.index).sort_values()

    @labeling_function(batch=True)
    def mapped(d):
        return d["text"].map({"a": "HAM", "b": "SPAM"})

    assert apply_lfs(df, [sorted_names], classes=CLASSES)[:, 0].tolist() == [1, 0, 1, 0]
    with pytest.raises(LFOutputError, match=r"'mapped' returned nan .* on row 5 \(position 2\)"):
        apply_lfs(df, [mapped], classes=CLASSES)


@pytest.mark.parametrize(("classes", "error"), [
    ("HAM", TypeError), (["HAM"], ValueError), (["HAM", "HAM"], ValueError),
    ([0, 1], TypeError), (["HAM", ""], TypeError)])
def test_bad_class_lists(classes, error):
    with pytest.raises(error):
        check_classes(classes)


def test_encode_and_decode():
    assert encode_labels(np.array(["SPAM", "HAM"]), CLASSES).tolist() == [1, 0]
    assert encode_labels(pd.Series(["HAM", None, np.nan]), CLASSES).tolist() == [0, -1, -1]
    assert encode_labels([1, -1], CLASSES).tolist() == [1, -1]
    assert decode_labels(np.array([0, -1]), CLASSES).tolist() == ["HAM", None]
    with pytest.raises(ValueError, match=r"holds class names \['EGGS', 'SPAMM'\]"):
        encode_labels(["SPAMM", "EGGS", "HAM"], CLASSES)


def test_label_models_and_end_models_speak_names(tmp_path):
    from wslib.endmodel import EndModel

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=400)
    L = np.where(rng.random((400, 4)) < 0.8, y[:, None], 1 - y[:, None])
    L[rng.random((400, 4)) < 0.3] = -1
    names = np.array(CLASSES)[y]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        plain = LabelModel().fit(L, y_dev=y)
        model = LabelModel().fit(L, classes=CLASSES, y_dev=names)
        assert MajorityVote().fit(L, classes=CLASSES).predict(L[:1]).dtype == object
    assert model.classes_.tolist() == CLASSES and plain.classes_.tolist() == [0, 1]
    np.testing.assert_array_equal(model.predict(L), np.array(CLASSES)[plain.predict(L)])
    assert model.score(L, names) == plain.score(L, y)
    model.save(tmp_path / "lm.npz")
    assert load(tmp_path / "lm.npz").predict(L[:3]).tolist() == model.predict(L[:3]).tolist()
    with pytest.raises(ValueError, match=r"y holds class names \['EGGS'\]"):
        model.score(L, np.r_[names[:-1], ["EGGS"]])
    with pytest.raises(ValueError, match="cardinality=3 but classes lists 2"):
        LabelModel(cardinality=3).fit(L, classes=CLASSES)
    X = (y[:, None] + rng.normal(scale=0.5, size=(400, 3))).astype(np.float32)
    end = EndModel(head="logreg", lr=0.05, max_epochs=10).fit(X, label_model=model, L=L)
    assert set(end.predict(X)) <= set(CLASSES) and end.score(X, names) > 0.8
    end.save(tmp_path / "end.npz")
    assert EndModel.load(tmp_path / "end.npz").classes_.tolist() == CLASSES
