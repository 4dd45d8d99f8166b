import json

import numpy as np
import pytest

from tests.conftest import shared_dataset
from wslib.datasets import find_datasets, load_embedded, load_wrench


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
    folder.mkdir(exist_ok=True)
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
