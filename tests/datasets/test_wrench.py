import json

import numpy as np
import pytest

from tests.conftest import shared_dataset
from wslib.datasets import find_datasets, load_embedded, load_wrench
from wslib.datasets.wrench import readme_rules, rule_agreement, rule_votes
from wslib.exceptions import WslibWarning


def test_embedded_youtube():
    ds = load_embedded()
    assert ds.label_names == ["HAM", "SPAM"]
    assert ds["train"].L.shape == (1586, 10) and ds["train"].L.dtype == np.int8
    assert list(ds["test"].data.columns) == ["text"]
    assert ds.metric == "accuracy" and ds.eval_split == "test"


def test_unknown_embedded_lists_available():
    with pytest.raises(ValueError, match="available: \\['youtube'\\]"):
        load_embedded("imdb")


def _write(folder, split, records, labels=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "label.json").write_text(json.dumps(labels or {"0": "a", "1": "b"}))
    (folder / f"{split}.json").write_text(json.dumps(records))


def test_inconsistent_lf_counts_name_the_files(tmp_path):
    d = tmp_path / "toy"
    _write(d, "train", {"0": {"label": 0, "weak_labels": [0, 1], "data": {}}})
    _write(d, "test", {"0": {"label": 0, "weak_labels": [0, 1, 1], "data": {}}})
    with pytest.raises(ValueError, match="train.json has 2, test.json has 3"):
        load_wrench(d)


def test_missing_label_file_named(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(FileNotFoundError, match="label.json"):
        load_wrench(tmp_path / "x")


def test_ragged_rows_named(tmp_path):
    d = tmp_path / "toy"
    _write(d, "train", {"0": {"label": 0, "weak_labels": [0, 1], "data": {}},
                        "7": {"label": 0, "weak_labels": [0], "data": {}}})
    with pytest.raises(ValueError, match="item '7'"):
        load_wrench(d)


def test_out_of_range_weak_label_named(tmp_path):
    d = tmp_path / "toy"
    _write(d, "train", {"0": {"label": 0, "weak_labels": [0, 4], "data": {}}})
    with pytest.raises(ValueError, match="item '0' has weak label 4 in column 1"):
        load_wrench(d)


@pytest.mark.parametrize("votes, label, shown", [
    ([" 1 ", 0], 0, "weak label ' 1 ' in column 0"),
    ([True, 0], 0, "weak label True in column 0"),
    ([[0, 1]], 0, r"weak label \[0, 1\] in column 0"),
    ([1e20, 0], 0, "weak label 1e\\+20 in column 0"),
    ([0, 1], "1", "label '1' in column 0"),
])
def test_values_that_are_not_integers_are_named(tmp_path, votes, label, shown):
    """Strings, booleans, nested lists and huge numbers are refused, never converted."""
    d = tmp_path / "toy"
    _write(d, "train", {"0": {"label": label, "weak_labels": votes, "data": {}}})
    with pytest.raises(ValueError, match=f"item '0' has {shown}; expected an integer"):
        load_wrench(d)


def test_split_without_labels_and_no_train(tmp_path):
    d = tmp_path / "toy"
    _write(d, "valid", {"0": {"label": None, "weak_labels": [0, 1], "data": {}}})
    ds = load_wrench(d)
    assert ds.fit_split == "valid" and ds.eval_split is None


def test_find_datasets(tmp_path):
    _write(tmp_path / "a", "train", {"0": {"label": 0, "weak_labels": [0], "data": {}}})
    assert [p.name for p in find_datasets(tmp_path)] == ["a"]
    assert find_datasets(tmp_path / "a") == [tmp_path / "a"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="holds no WRENCH dataset"):
        find_datasets(tmp_path / "empty")


def test_shared_semeval_has_many_classes():
    ds = load_wrench(shared_dataset("semeval"))
    assert ds.cardinality == 9 and ds.n_sources == 164


def _rule_folder(tmp_path, test_votes):
    """Two readme rules (class 'SPM' written out as 'SPAM', on 'win'; 'HAM' as 'ham', on
    'thanks') and a test split whose shipped votes are ``test_votes``."""
    d = tmp_path / "rules"
    texts = {"train": ["win cash now", "thanks a lot", "see you"],
             "test": ["you win", "thanks", "later"]}
    votes = {"train": [[1, -1], [-1, 0], [-1, -1]], "test": test_votes}
    for split in ("train", "test"):
        _write(d, split, {str(i): {"label": 0, "weak_labels": v, "data": {"text": t}}
                          for i, (t, v) in enumerate(zip(texts[split], votes[split]))},
               labels={"0": "HAM", "1": "SPM"})
    (d / "readme.txt").write_text("Rules\n\nSPAM\twin\tWin a prize\nham\tthanks\tThanks!\n"
                                  "other\tnot a class\n")
    return d


def test_readme_rules_are_regex_lfs_for_named_or_abbreviated_classes(tmp_path):
    ds = load_wrench(_rule_folder(tmp_path, [[1, -1], [-1, 0], [-1, -1]]))
    lfs = readme_rules(ds)
    assert [lf.name for lf in lfs] == ["rule_0", "rule_1"]
    np.testing.assert_array_equal(rule_votes(ds)["test"].L, ds["test"].L)
    assert readme_rules(load_embedded()) == []  # youtube's LFs are code, not listed rules


def test_rule_votes_replace_votes_shipped_with_the_wrong_rows(tmp_path):
    ds = load_wrench(_rule_folder(tmp_path, [[-1, 0], [-1, -1], [1, -1]]))  # rows rotated
    revoted = rule_votes(ds)
    np.testing.assert_array_equal(revoted["test"].L, [[1, -1], [-1, 0], [-1, -1]])
    assert revoted["test"].L.dtype == ds["test"].L.dtype
    np.testing.assert_array_equal(revoted["train"].L, ds["train"].L)
    assert rule_agreement(ds) == {"train": 1.0, "test": 0.0}


def test_rules_that_do_not_reproduce_train_are_refused(tmp_path):
    d = _rule_folder(tmp_path, [[1, -1], [-1, 0], [-1, -1]])
    (d / "readme.txt").write_text("SPM\tcash\nHAM\tthanks\n")
    (d / "train.json").write_text(json.dumps(
        {"0": {"label": 1, "weak_labels": [-1, -1], "data": {"text": "win cash now"}},
         "1": {"label": 0, "weak_labels": [-1, 0], "data": {"text": "thanks"}}}))
    with pytest.raises(ValueError, match="do not reproduce the train votes.*item '0'"):
        rule_votes(load_wrench(d))
    (d / "readme.txt").write_text("SPM\tcash\n")
    with pytest.raises(ValueError, match="lists 1 rules for 2 LFs"):
        rule_votes(load_wrench(d))


def test_shared_sms_votes_re_applied_from_its_rules():
    ds = load_wrench(shared_dataset("sms"))
    revoted = rule_votes(ds)
    rows_kept = (revoted["test"].L == ds["test"].L).all(axis=1).mean()
    assert rows_kept < 0.5  # the shipped test votes belong to other messages
    spam = revoted["test"].L == 1
    assert (spam & (ds["test"].y[:, None] == 1)).sum() > 0.9 * spam.sum()


def test_dataset_and_split_reprs_are_short():
    from wslib.datasets import load_embedded

    ds = load_embedded("youtube")
    for obj in (ds, ds["train"]):
        text = repr(obj)
        assert len(text) < 160 and "\n" not in text, text
        assert str(obj) == text
    assert "train=1586" in repr(ds) and "1586 items" in repr(ds["train"])


def test_an_empty_split_has_the_other_splits_lfs(tmp_path):
    d = tmp_path / "toy"
    _write(d, "train", {})
    _write(d, "test", {"0": {"label": 0, "weak_labels": [0, 1], "data": {}}})
    ds = load_wrench(d)
    assert ds.n_sources == 2 and ds["train"].L.shape == (0, 2)


def test_one_split_named_as_text(tmp_path):
    d = tmp_path / "toy"
    _write(d, "train", {"0": {"label": 1, "weak_labels": [1], "data": {}}})
    _write(d, "test", {"0": {"label": 0, "weak_labels": [0], "data": {}}})
    assert list(load_wrench(d, splits="test").splits) == ["test"]


def test_find_datasets_names_the_folders_it_skips(tmp_path):
    item = {"0": {"label": 0, "weak_labels": [0], "data": {}}}
    _write(tmp_path / "good", "train", item)
    (tmp_path / "no_labels").mkdir()
    (tmp_path / "no_labels" / "train.json").write_text(json.dumps(item))
    _write(tmp_path / "nested" / "inner", "test", item)
    (tmp_path / "notes").mkdir()  # nothing of a dataset: not mentioned
    with pytest.warns(WslibWarning) as caught:
        assert [p.name for p in find_datasets(tmp_path)] == ["good"]
    text = str(caught[0].message)
    assert "no_labels (train.json but no label.json)" in text
    assert "nested (it holds datasets one level down" in text and "notes" not in text
    (tmp_path / "good" / "label.json").unlink()
    with pytest.raises(FileNotFoundError, match="skipped: good"):
        find_datasets(tmp_path)
