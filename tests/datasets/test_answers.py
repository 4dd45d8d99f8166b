"""Crowd answer tables -> vote matrices (``from_answers``) and the WRENCH writer."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wslib.datasets import Split, from_answers, load_wrench, write_wrench

ANSWERS = pd.DataFrame({"question": [3, 1, 1, 2, 3], "worker": ["b", "a", "b", "a", "a"],
                        "answer": [2, 0, 1, 1, 2]})


def test_answers_land_on_their_item_and_source():
    truth = pd.DataFrame({"question": [2, 1, 9], "truth": [1, 0, 2]})
    votes = from_answers(ANSWERS, truth)
    assert votes.item_ids.tolist() == [1, 2, 3, 9]  # 9: gold only, a row without votes
    assert votes.source_ids.tolist() == ["a", "b"]
    np.testing.assert_array_equal(votes.L, [[0, 1], [1, -1], [2, 2], [-1, -1]])
    np.testing.assert_array_equal(votes.y, [0, 1, -1, 2])
    assert votes.L.dtype == np.int8


def test_truth_as_series_and_class_names():
    answers = ANSWERS.assign(answer=ANSWERS["answer"].map({0: "cat", 1: "dog", 2: "owl"}))
    truth = pd.Series(["dog", "owl"], index=[2, 3])
    votes = from_answers(answers, truth, classes=["cat", "dog", "owl", "emu"])
    np.testing.assert_array_equal(votes.L, [[0, 1], [1, -1], [2, 2]])
    np.testing.assert_array_equal(votes.y, [-1, 1, 2])
    assert from_answers(answers, classes=["cat", "dog", "owl", "emu"]).L.dtype == np.int8


def test_other_column_names():
    table = ANSWERS.rename(columns={"question": "task", "worker": "annotator", "answer": "v"})
    votes = from_answers(table, item="task", source="annotator", label="v")
    np.testing.assert_array_equal(votes.L, from_answers(ANSWERS).L)


@pytest.mark.parametrize("answers, truth, kwargs, message", [
    (ANSWERS.drop(columns="worker"), None, {}, "answers has no column 'worker'"),
    (ANSWERS.assign(answer=[2, 0, 1.5, 1, 2]), None, {}, r"row 2 holds 1\.5, not a class id"),
    (ANSWERS.assign(answer=[2, 0, -1, 1, 2]), None, {}, "row 2 holds -1"),
    (ANSWERS.assign(answer=[2, 0, None, 1, 2]), None, {}, "row 2 holds nan"),
    (ANSWERS.assign(worker=["b", "a", None, "a", "a"]), None, {}, "row 2 has no 'worker'"),
    (pd.concat([ANSWERS, ANSWERS.iloc[[1]]], ignore_index=True), None, {},
     r"source 'a' answers item 1 more than once \(rows \[1, 5\]\)"),
    (ANSWERS, pd.DataFrame({"question": [1, 1], "truth": [0, 1]}), {},
     "item 1 has more than one gold label"),
    (ANSWERS, pd.DataFrame({"question": [1], "gold": [0]}), {}, "truth has no column 'truth'"),
    (ANSWERS, None, {"cardinality": 2}, r"label 2 is outside 0\.\.1"),
    (ANSWERS, None, {"classes": ["x", "y", "z"]}, r"row 0 holds 2, not one of the classes"),
])
def test_bad_tables_name_the_culprit(answers, truth, kwargs, message):
    with pytest.raises(ValueError, match=message):
        from_answers(answers, truth, **kwargs)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 4), st.integers(0, 2)),
                min_size=1, max_size=30, unique_by=lambda t: t[:2]),
       st.randoms(use_true_random=False))
def test_row_order_of_the_table_does_not_matter(triples, rnd):
    table = pd.DataFrame(triples, columns=["question", "worker", "answer"])
    shuffled = table.sample(frac=1.0, random_state=rnd.randint(0, 2**31)).reset_index(drop=True)
    a, b = from_answers(table), from_answers(shuffled)
    np.testing.assert_array_equal(a.L, b.L)
    np.testing.assert_array_equal(a.item_ids, b.item_ids)
    for item, worker, answer in triples:  # every answer at its own item and source, once
        row = a.item_ids.tolist().index(item)
        assert a.L[row, a.source_ids.tolist().index(worker)] == answer
    assert (a.L >= 0).sum() == len(triples)


def test_write_wrench_round_trip(tmp_path):
    data = pd.DataFrame({"text": ["a", "b", "c"]}, index=pd.Index(["x", "y", "z"], name="id"))
    train = Split(np.array([[0, -1], [1, 1], [-1, -1]], dtype=np.int8), np.array([0, 1, -1]),
                  data, ["x", "y", "z"])
    folder = write_wrench(tmp_path / "ds", {"train": train,
                                            "test": (np.array([[1, 0]]), np.array([1]))},
                          ["neg", "pos"])
    ds = load_wrench(folder)
    assert ds.label_names == ["neg", "pos"] and ds.name == "ds"
    np.testing.assert_array_equal(ds["train"].L, train.L)
    np.testing.assert_array_equal(ds["train"].y, [0, 1, -1])
    assert ds["train"].ids == ["x", "y", "z"] and ds["train"].data["text"].tolist() == ["a", "b",
                                                                                          "c"]
    assert ds["test"].ids == ["0"] and ds.eval_split == "test"


def test_write_wrench_keeps_data_cells_exactly(tmp_path):
    """Floats at full precision (lists of floats too), missing values as null."""
    data = pd.DataFrame({"score": [0.1 + 0.2, 1 / 3, np.nan],
                         "vec": [[1 / 3, 2 / 3], [0.1], []], "n": [1, 2, 3],
                         "when": pd.to_datetime(["2024-01-02 03:04:05.123456", None,
                                                 "2024-02-01 00:00:00.5"])})
    split = Split(np.zeros((3, 1), dtype=np.int8), np.array([0, 1, 0]), data, ["a", "b", "c"])
    loaded = load_wrench(write_wrench(tmp_path / "ds", {"train": split}, ["x", "y"]))["train"].data
    assert loaded["score"].tolist()[:2] == [0.1 + 0.2, 1 / 3] and np.isnan(loaded["score"].iloc[2])
    assert loaded["vec"].tolist() == [[1 / 3, 2 / 3], [0.1], []]
    assert loaded["n"].tolist() == [1, 2, 3]
    assert loaded["when"].tolist()[0] == "2024-01-02T03:04:05.123456"
    assert loaded["when"].isna().tolist() == [False, True, False]


def test_write_wrench_round_trips_answer_tables(tmp_path):
    votes = from_answers(ANSWERS, pd.Series([0, 1, 2], index=[1, 2, 3]))
    ds = load_wrench(write_wrench(tmp_path / "crowd", {"test": (votes.L, votes.y)},
                                  ["a", "b", "c"]))
    np.testing.assert_array_equal(ds["test"].L, votes.L)
    np.testing.assert_array_equal(ds["test"].y, votes.y)


@pytest.mark.parametrize("splits, message", [
    ({"dev": (np.zeros((1, 2)), np.zeros(1))}, r"among \['train', 'valid', 'test'\]"),
    ({"train": (np.zeros((1, 2)), np.zeros(1)), "test": (np.zeros((1, 3)), np.zeros(1))},
     "train has 2, test has 3"),
    ({"test": (np.array([[0, 2]]), np.array([0]))},
     r"row 0 has vote 2 in column 1, outside -1\.\.1"),
    ({"test": (np.array([[0, 1]]), np.array([5]))}, "row 0 has label 5 in its label"),
    ({"test": (np.array([[0, 1]]), np.array([0, 1]))}, "one label per row"),
])
def test_write_wrench_checks_before_writing(tmp_path, splits, message):
    """Bad splits are refused before anything is written."""
    with pytest.raises(ValueError, match=message):
        write_wrench(tmp_path / "bad", splits, ["a", "b"])
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize("ids", [["x", "x", "y"], [1, "1", 2]])
def test_write_wrench_refuses_ids_that_write_the_same_key(tmp_path, ids):
    """The file is keyed by the id as text: a repeated key would keep one row's votes."""
    split = Split(np.array([[0], [1], [1]], dtype=np.int8), np.array([0, 1, 1]),
                  pd.DataFrame(index=range(3)), ids)
    with pytest.raises(ValueError, match="row 1 has id"):
        write_wrench(tmp_path / "bad", {"train": split}, ["a", "b"])
    assert not (tmp_path / "bad").exists()



def test_ids_that_differ_only_in_type_are_refused():
    """Integer ids from a CSV and string ids from JSON would otherwise be two items,
    every vote without its gold label."""
    answers = pd.DataFrame({"question": [1, 1, 2], "worker": ["w1", "w2", "w1"],
                            "answer": [1, 1, 0]})
    with pytest.raises(ValueError, match="item ids 1 and '1' differ only in type"):
        from_answers(answers, pd.DataFrame({"question": ["1", "2"], "truth": [1, 0]}))
    mixed = answers.assign(worker=["w1", 7, "7"])
    with pytest.raises(ValueError, match="source ids 7 and '7' differ only in type"):
        from_answers(mixed)


@pytest.mark.parametrize("which", ["votes", "labels"])
def test_write_wrench_refuses_boolean_votes_and_labels(tmp_path, which):
    votes, gold = np.array([[0, 1], [1, -1]]), np.array([0, 1])
    if which == "votes":
        votes = votes > 0
    else:
        gold = gold > 0
    with pytest.raises(TypeError, match=f"the {which} have boolean dtype"):
        write_wrench(tmp_path / "ds", {"test": (votes, gold)}, ["no", "yes"])
    assert not (tmp_path / "ds").exists()
