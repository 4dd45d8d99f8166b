"""``wslib bench endmodel --quick`` end to end, and its docs section."""

import json

import pytest

from wslib.bench.endmodel import render_markdown
from wslib.cli import main


@pytest.mark.slow
def test_quick_bench_records_and_markdown(tmp_path):
    out = tmp_path / "endmodel.json"
    assert main(["bench", "endmodel", "--quick", "--json", str(out)]) == 0
    records = json.loads(out.read_text())
    methods = {r["method"] for r in records}
    assert methods == {"labelmodel/LabelModel", "endmodel/mlp-tfidf",
                       "endmodel/mlp-tfidf+confidence", "endmodel/mlp-tfidf[hard]",
                       "ceiling/mlp-tfidf"}
    for r in records:
        assert r["dataset"] == "youtube"
        assert r["value"] is not None
        if r["metric"] == "accuracy":
            assert 0.0 <= r["value"] <= 1.0
    pgr = [r for r in records if r["metric"] == "pgr"]
    assert len(pgr) == 3 and all(r["selection"] == "held-out" for r in pgr)
    ceiling = next(r for r in records if r["method"] == "ceiling/mlp-tfidf"
                   and r["seed"] == "median")
    assert ceiling["value"] > 0.85
    md = render_markdown(records)
    assert "| youtube | accuracy |" in md and "mlp-tfidf" in md


def test_bad_options(tmp_path):
    assert main(["bench", "endmodel", "--quick", "--targets", "fuzzy"]) == 2
    assert main(["bench", "endmodel", "--data", str(tmp_path), "--datasets", "nope"]) == 2


def test_markdown_without_results():
    assert "No end-model results" in render_markdown([])
