"""``wslib bench coldstart``: the README runs statement by statement, the records and
the docs section, and a quick end-to-end run in fresh processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wslib.bench import coldstart as bench
from wslib.bench.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_readme_statements_are_timed_as_their_steps():
    source = bench.readme_pipeline(ROOT / "README.md")
    program = bench.timed_program(source)
    for step in ("import", "load", "define LFs", "apply", "lf_summary", "fit",
                 "predict_proba", "score"):
        assert f"with _step({step!r}):" in program
    assert "    @labeling_function()" in program  # a decorator stays with its function


def test_a_timed_program_reports_each_step():
    source = ("import math\nx = [math.sqrt(i) for i in range(10)]\n"
              "@staticmethod\ndef f():\n    return 1\nprint(sum(x))\n")
    done = subprocess.run([sys.executable, "-c", bench.timed_program(source)],
                          capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(report["steps"]) == {"import", "define LFs"}


def _job(method: str, steps: dict[str, float], **extra) -> list[dict]:
    return [{"dataset": "youtube", "method": method, "metric": "seconds", "value": v,
             "seconds": v, "step": s, "repeats": 3, **extra} for s, v in steps.items()]


def test_markdown_shows_steps_ratios_and_the_bar():
    snorkel = _job(bench.SNORKEL, {"import": 6.0, "fit": 2.0, "total": 10.0}, accuracy=0.81)
    cold = _job(bench.README_COLD, {"import": 3.0, "fit": 0.02, "total": 4.0}, accuracy=0.85)
    for r in cold:
        r["ratio_vs_snorkel"] = r["value"] / {x["step"]: x["value"] for x in snorkel}[r["step"]]
    warm = [dict(r, method=bench.README_WARM, value=r["value"] * 2,
                 ratio_vs_snorkel=r["ratio_vs_snorkel"] * 2) for r in cold]
    extra = [{"dataset": "youtube", "method": bench.IMPORT, "metric": "seconds",
              "value": 0.15, "seconds": 0.15, "target": 0.2},
             {"dataset": "youtube", "method": bench.FIT, "metric": "seconds", "value": 0.03,
              "seconds": 0.03, "target": 0.02, "cpu_seconds": 0.01, "best": 0.008}]
    text = bench.render_markdown(snorkel + cold + warm + extra)
    assert "| fit | 0.02 | 0.04 | 2.00 | 0.01 | 0.02 |" in text
    assert "| total | 4.00 | 8.00 | 10.00 | 0.40 | 0.80 |" in text
    assert "wslib README pipeline 0.850, snorkel 0.10 0.810" in text
    assert bench.bar_rows(snorkel + cold + warm + extra) == [
        ["cold README job / Snorkel's", "0.40", "<= 1.0", "yes"],
        ["warm README job / Snorkel's", "0.80", "<= 0.5", "**no**"],
        [bench.IMPORT, "0.15 s", "<= 0.2 s", "yes"],
        [bench.FIT, "30 ms (CPU 10, best 8)", "<= 20 ms", "**no**"]]


def test_data_option_is_refused(tmp_path):
    assert main(["coldstart", "--quick", "--data", str(tmp_path)]) == 2


@pytest.mark.slow
def test_quick_run_in_fresh_processes(tmp_path):
    out = tmp_path / "coldstart.json"
    assert main(["coldstart", "--quick", "--jobs", "readme", "--no-snorkel",
                 "--json", str(out)]) == 0
    records = json.loads(out.read_text())
    steps = {(r["method"], r.get("step")): r for r in records}
    for method in (bench.README_COLD, bench.README_WARM):
        assert steps[(method, "total")]["value"] > steps[(method, "fit")]["value"] > 0
        assert steps[(method, "total")]["compiled"] is False  # small data: no compile
        assert steps[(method, "total")]["accuracy"] > 0.8
    assert steps[(bench.IMPORT, None)]["value"] > 0
    assert steps[(bench.FIT, None)]["shape"] == [1586, 10]
    env = json.loads(out.with_name("coldstart.env.json").read_text())
    assert "coldstart --quick" in env["runs"][-1]["command"]
