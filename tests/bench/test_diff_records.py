"""benchmarks/diff_records.py: records equal but for measured fields, and every difference named."""

import doctest
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("diff_records", ROOT / "benchmarks" / "diff_records.py")
diff_records = importlib.util.module_from_spec(spec)
spec.loader.exec_module(diff_records)


def test_docstring_examples():
    assert doctest.testmod(diff_records).failed == 0


def test_measured_fields_are_ignored_and_the_rest_compared(tmp_path):
    before = [{"dataset": "youtube", "method": "LabelModel", "metric": "accuracy", "seed": 0,
               "value": 0.849, "seconds": 0.01, "peak_mem_mb": 3.0, "params": {"k": 2}},
              {"dataset": "trec", "method": "MajorityVote", "metric": "accuracy", "seed": 0,
               "value": 0.6}]
    after = [dict(before[0], seconds=0.5, peak_mem_mb=9.0),
             dict(before[1], value=0.61),
             {"dataset": "sms", "method": "MajorityVote", "metric": "f1", "value": 0.3}]
    diff = diff_records.differences(before, after)
    assert diff == ["sms / MajorityVote / f1: only after",
                    "trec / MajorityVote / accuracy / 0: value 0.6 -> 0.61"]
    assert diff_records.differences(before, list(reversed(after[:2]))) == [diff[1]]
    assert diff_records.differences(before, [dict(before[0], params={"k": 3}), before[1]]) == [
        "youtube / LabelModel / accuracy / 0: params {'k': 2} -> {'k': 3}"]
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(before))
    b.write_text(json.dumps([dict(r, seconds=1.0) for r in before]))
    assert diff_records.main([str(a), str(b)]) == 0
    b.write_text(json.dumps(after))
    assert diff_records.main([str(a), str(b)]) == 1
    assert diff_records.main([str(a), str(b), "--tolerance", "0.02"]) == 1  # sms only after


def test_records_with_one_identity_are_refused():
    twice = [{"dataset": "d", "method": "m", "metric": "acc", "value": 0.5}] * 2
    with pytest.raises(ValueError, match="two records before are both d / m / acc"):
        diff_records.differences(twice, twice[:1])
