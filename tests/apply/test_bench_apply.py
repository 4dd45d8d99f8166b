"""``wslib bench apply --quick`` runs, checks Snorkel equivalence, and renders its docs section."""

import json

import pytest

from wslib.bench import apply as bench
from wslib.bench.cli import main


def test_quick_bench_writes_records_and_markdown(tmp_path, capsys):
    out = tmp_path / "apply.json"
    assert main(["apply", "--quick", "--json", str(out)]) == 0
    records = json.loads(out.read_text())
    speed = {r["method"]: r for r in records
             if r["metric"] == "rows_per_s" and not r["method"].startswith("bare ")}
    assert {"wslib row LFs", "wslib batch LFs", "wslib template LFs",
            "snorkel PandasLFApplier"} <= set(speed)  # snorkel is in the test extra
    assert all(r["identical"] for r in speed.values())
    assert all(r["ratio_vs_snorkel"] > 0 for r in speed.values())
    memory = [r for r in records if r["metric"] == "vote_matrix_MB"]
    assert memory[0]["dtype"] == "int8"
    assert memory[0]["value"] == pytest.approx(2_000 * 20 / 1e6)
    ceilings = [r for r in records if r["method"].startswith("bare ")]
    assert len(ceilings) == 4 and all(r["rows_per_cpu_s"] > 0 for r in ceilings)
    text = bench.render_markdown(records)
    assert "| wslib template LFs |" in text and "Dense vote matrix of 2,000 rows × 20" in text
    summary = next(line for line in text.splitlines() if line.startswith("| templates |"))
    assert summary.count("×") == 7  # target; CPU (wall) and n_jobs=2 wall, for both LF sets
    assert "| ceiling: row bodies alone |" in text


def test_corpus_is_deterministic():
    a, b = bench.make_corpus(300, seed=1), bench.make_corpus(300, seed=1)
    assert a.equals(b) and not a.equals(bench.make_corpus(300, seed=2))


def test_data_option_picks_the_corpus_texts(tmp_path):
    """``--data`` builds the corpus from that dataset's texts; a folder without texts, or
    ``bench scale`` (which generates its data), refuses it instead of ignoring it."""
    from importlib import resources

    from wslib.datasets import load_embedded

    with resources.as_file(resources.files("wslib.datasets") / "data" / "youtube") as folder:
        name, texts = bench.corpus_texts(folder)
    assert name == "youtube" and len(texts) == sum(
        len(s.data) for s in load_embedded("youtube").splits.values())
    corpus = bench.make_corpus(50, texts=texts.iloc[:3])
    assert corpus["text"].str.rsplit(" ", n=1).str[0].isin(texts.iloc[:3]).all()
    (tmp_path / "empty").mkdir()
    assert main(["apply", "--quick", "--data", str(tmp_path / "empty")]) == 2
    assert main(["scale", "--quick", "--data", str(tmp_path)]) == 2
