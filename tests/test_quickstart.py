"""``wslib quickstart`` runs end to end and prints what the docs promise."""

import argparse
import json

import pytest

from tests.conftest import shared_dataset
from wslib import quickstart


def run_quickstart(argv, capsys):
    parser = argparse.ArgumentParser()
    quickstart.add_arguments(parser)
    assert quickstart.run(parser.parse_args(argv)) == 0
    return capsys.readouterr().out


def test_quickstart_on_embedded_youtube(capsys):
    out = run_quickstart([], capsys)
    assert "dataset youtube: 1586 train items" in out
    for lf in quickstart.youtube_lfs():
        assert lf.name in out  # one summary row per LF
    assert "emp_acc" in out and "P(SPAM)" in out
    acc = float(out.split("MajorityVote  test accuracy:")[1].split()[0])
    assert acc > 0.85  # the LFs are real: far better than the 0.5 of chance


def test_quickstart_lfs_mix_every_kind():
    kinds = {"template" if lf.template is not None else lf.kind
             for lf in quickstart.youtube_lfs()}
    assert {"template", "row", "batch"} <= kinds
    assert any(lf.pre for lf in quickstart.youtube_lfs())


def test_quickstart_on_another_wrench_folder(capsys):
    out = run_quickstart(["--data", str(shared_dataset("sms"))], capsys)
    assert "dataset sms" in out and "test accuracy" in out


def test_quickstart_rejects_data_without_text(tmp_path):
    (tmp_path / "label.json").write_text(json.dumps({"0": "a", "1": "b"}))
    (tmp_path / "train.json").write_text(json.dumps(
        {"0": {"data": {"feature": 1}, "label": 0, "weak_labels": [0]}}))
    with pytest.raises(ValueError, match="no 'text' column"):
        quickstart.run(argparse.Namespace(data=tmp_path))
