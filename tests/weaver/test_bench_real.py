"""The real-table suite of ``wslib bench weaver`` and the docs blocks it feeds."""

import json

import numpy as np
import pandas as pd
import pytest

from wslib.bench.docs import fill_blocks
from wslib.bench.weaver import render_block, render_markdown
from wslib.bench.weaver_real import real_tables, supervised_reference
from wslib.cli import main
from wslib.datasets.synthetic import make_verifier_table
from wslib.weaver import VerifierTable, selection_metrics

REFERENCES = {"random", "naive-rank-mean", "majority-answer", "best-single-dev-10pct",
              "best-single-gold", "lr-dev-10pct", "lr-cv", "supervised", "oracle"}


@pytest.fixture
def tables_dir(tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    make_verifier_table(80, (4, 8), 6, random_state=2).to_csv(folder / "small.csv",
                                                               index=False)
    return folder


def test_tables_are_found_recursively_and_named_apart(tmp_path):
    for sub in ("a", "b/c"):
        (tmp_path / sub).mkdir(parents=True)
        (tmp_path / sub / "t.csv").write_text(f"problem_id,candidate_id,v\n0,0,{len(sub)}\n")
    (tmp_path / "notes.txt").write_text("not a table")
    assert [name for name, _ in real_tables([tmp_path])] == ["a/t", "c/t"]
    # a folder reached twice (the shared folder also given as --data) is read once
    assert [name for name, _ in real_tables([tmp_path, tmp_path / "b"])] == ["a/t", "c/t"]


def test_a_copy_of_a_table_is_read_once(tmp_path, capsys):
    for sub in ("shared", "data"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "t.csv").write_text("problem_id,candidate_id,v\n0,0,1\n")
    (tmp_path / "data" / "u.csv").write_text("problem_id,candidate_id,v\n0,0,2\n")
    assert [name for name, _ in real_tables([tmp_path / "shared", tmp_path / "data"])] \
        == ["t", "u"]
    assert "the same bytes as" in capsys.readouterr().out


def test_real_suite_records(tables_dir, tmp_path, monkeypatch):
    monkeypatch.setattr("wslib.bench.weaver.default_data_dir", lambda kind: None)
    path = tmp_path / "weaver.json"
    assert main(["bench", "weaver", "--suite", "real", "--data", str(tables_dir),
                 "--dev-seeds", "2", "--json", str(path)]) == 0
    records = json.loads(path.read_text())
    with_answers = [r for r in records if r["dataset"] == "small"]
    methods = {r["method"] for r in with_answers}
    assert {f"reference/{m}" for m in REFERENCES} <= methods
    assert {"weaver/label-free", "weaver/dev-1pct", "weaver/dev-5pct",
            "weaver/dev-10pct"} <= methods
    dev = [r for r in with_answers if r["method"] == "weaver/dev-10pct"]
    assert [r["seed"] for r in dev] == [0, 1]
    assert all(r["n_dev"] == 8 and r["n_scored"] == 72 and r["reads_gold"] is False
               for r in dev)
    gold = {r["method"] for r in with_answers if r["reads_gold"]}
    assert gold == {"reference/best-single-gold", "reference/lr-cv", "reference/supervised",
                    "reference/oracle"}
    table = VerifierTable.from_frame(pd.read_csv(tables_dir / "small.csv"))
    value = {r["method"]: r["value"] for r in with_answers if "seed" not in r}
    assert value["reference/random"] == pytest.approx(selection_metrics(table)["pass_at_1"])
    assert value["reference/oracle"] >= value["reference/supervised"] >= 0
    text = render_markdown(records)
    assert "### Real tables: the bar" in text and "mean over the tables" in text
    assert "| small | 80 x" in text


def test_generated_blocks_quote_the_results(tables_dir, tmp_path, monkeypatch):
    monkeypatch.setattr("wslib.bench.weaver.default_data_dir", lambda kind: None)
    results = tmp_path / "results"
    results.mkdir()
    assert main(["bench", "weaver", "--suite", "real", "--data", str(tables_dir),
                 "--dev-seeds", "1", "--json", str(results / "weaver.json")]) == 0
    page = tmp_path / "page.md"
    page.write_text("intro\n<!-- generated: weaver.real -->\nstale 0.123\n<!-- end generated -->\nend\n")
    assert fill_blocks(page, results)
    text = page.read_text()
    records = json.loads((results / "weaver.json").read_text())
    assert "stale" not in text and render_block(records, "real").strip() in text
    assert text.startswith("intro\n") and text.endswith("<!-- end generated -->\nend\n")
    assert not fill_blocks(page, results)  # already current
    with pytest.raises(ValueError, match="unknown weaver block"):
        render_block(records, "nope")
    page.write_text("<!-- generated: missing.real -->\n<!-- end generated -->\n")
    with pytest.raises(ValueError, match="missing"):
        fill_blocks(page, results)


def test_supervised_reference_reads_the_answers():
    """Verifiers that carry nothing, answers that do: the supervised reference (answer-aware
    features, tuned regularisation) finds the popular answer; the plain cross-validated
    regression on the verifiers cannot."""
    rng = np.random.default_rng(0)
    n_problems, k = 300, 10
    problem = np.repeat(np.arange(n_problems), k)
    answer = np.where(rng.random(problem.size) < 0.5, 0, rng.integers(1, 6, problem.size))
    frame = pd.DataFrame({"problem_id": problem, "candidate_id": np.tile(np.arange(k), n_problems),
                          "answer": answer, "correct": (answer == 0).astype(int),
                          **{f"v{j}": rng.normal(size=problem.size) for j in range(4)}})
    table = VerifierTable.from_frame(frame)
    majority = selection_metrics(table)["majority_vote"]
    assert supervised_reference(table) > 0.9 * majority > 0.8
    assert supervised_reference(VerifierTable.from_frame(frame, answer=None)) < 0.7
