"""write_wrench refuses ±inf data cells (JSON has no infinity) naming the split, row and
column, instead of writing them as null; NaN stays a missing value (null)."""

import json

import numpy as np
import pandas as pd
import pytest

from wslib.datasets import Split, load_wrench, write_wrench


def _split(values):
    n = len(values)
    return Split(np.zeros((n, 1), dtype=np.int8), np.zeros(n, dtype=np.int64),
                 pd.DataFrame({"text": ["t"] * n, "x": values}), [f"id{i}" for i in range(n)])


@pytest.mark.parametrize("cell", [np.inf, -np.inf, np.float32("inf"), [1.0, np.inf],
                                  np.array([0.5, -np.inf])])
def test_infinite_cells_are_refused_naming_split_row_and_column(tmp_path, cell):
    values = [1.5, 2.5, cell]
    with pytest.raises(ValueError, match=r"split 'train': row 2 \(id 'id2'\) has .*inf.* in "
                                         r"data column 'x'"):
        write_wrench(tmp_path / "ds", {"train": _split(values)}, ["no", "yes"])
    assert not (tmp_path / "ds" / "train.json").exists()


def test_finite_and_missing_cells_round_trip(tmp_path):
    path = write_wrench(tmp_path / "ds", {"train": _split([0.1 + 0.2, np.nan, -1e308])},
                        ["no", "yes"])
    assert load_wrench(path)["train"].data["x"].tolist()[::2] == [0.1 + 0.2, -1e308]
    assert pd.isna(load_wrench(path)["train"].data["x"].tolist()[1])
    json.loads((path / "train.json").read_text(), parse_constant=pytest.fail)  # plain JSON
