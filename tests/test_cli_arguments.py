"""CLI arguments: `wslib bench` refuses bad --seeds and unusable
outputs before the benchmark runs, with a one-line error naming the path."""

import json

import pytest

from wslib.cli import main


@pytest.fixture
def bench_calls(monkeypatch):
    """The label-model benchmark replaced by a recorder: the tests see whether it ran."""
    import wslib.bench.labelmodel as module

    calls = []
    monkeypatch.setattr(module, "run", lambda args: calls.append(args) or [
        {"dataset": "d", "method": "m", "metric": "accuracy", "value": 1.0, "seconds": 0.0}])
    return calls


@pytest.mark.parametrize("seeds", ["0", "-2"])
def test_bench_refuses_seeds_below_one(seeds, bench_calls, capsys):
    with pytest.raises(SystemExit) as info:
        main(["bench", "labelmodel", "--seeds", seeds])
    assert info.value.code == 2 and not bench_calls
    err = capsys.readouterr().err
    assert f"--seeds: must be at least 1, got '{seeds}'" in err and "Traceback" not in err


def test_bench_refuses_a_json_folder_before_running(tmp_path, bench_calls, capsys):
    folder = tmp_path / "res ü.json"
    folder.mkdir()
    assert main(["bench", "labelmodel", "--json", str(folder)]) == 2
    assert not bench_calls
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "is a folder" in err and "res ü.json" in err


def test_bench_refuses_unreadable_results_to_merge_before_running(tmp_path, bench_calls, capsys):
    old = tmp_path / "old.json"
    old.write_text('[{"dataset": "d"', encoding="utf-8")
    assert main(["bench", "labelmodel", "--json", str(old), "--merge"]) == 2
    assert not bench_calls
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "old.json" in err
    assert old.read_text(encoding="utf-8") == '[{"dataset": "d"'  # left as it was


def test_bench_still_writes_valid_json(tmp_path, bench_calls):
    out = tmp_path / "new dir" / "r.json"
    assert main(["bench", "labelmodel", "--json", str(out), "--seeds", "2"]) == 0
    assert len(bench_calls) == 1 and bench_calls[0].seeds == 2
    records = json.loads(out.read_text(encoding="utf-8"))
    assert {"dataset", "method", "metric", "value", "seconds"} <= set(records[0])


@pytest.fixture
def verifier_table(tmp_path):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 40
    frame = pd.DataFrame({"problem_id": np.repeat(np.arange(10), 4),
                          "candidate_id": np.tile(np.arange(4), 10),
                          "correct": rng.integers(0, 2, n), "v1": rng.random(n),
                          "v2": rng.random(n)})
    path = tmp_path / "table ü.csv"
    frame.to_csv(path, index=False)
    return path


def test_weaver_refuses_a_verifier_named_twice(verifier_table, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["weaver", str(verifier_table), "--out", str(out), "--verifiers", "v1,v1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'v1' more than once" in err
    assert not out.exists()


def test_weaver_refuses_a_dev_folder(verifier_table, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["weaver", str(verifier_table), "--out", str(out), "--dev", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "is not a file" in err
