"""The scale benchmark's corpus, LFs and docs section (the 10M-row run is not a test)."""

import json
from pathlib import Path

import numpy as np
import pytest

from wslib.bench.scale import make_corpus_table, render_markdown, scale_lfs, write_corpus

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "scale.json"


def test_corpus_is_deterministic_and_lfs_all_vote(tmp_path):
    a, b = make_corpus_table(2_000, seed=1), make_corpus_table(2_000, seed=1)
    assert a.equals(b) and not a.equals(make_corpus_table(2_000, seed=2))
    assert a.column_names == ["text", "n_links", "score", "length"]
    from wslib import apply_lfs
    lfs = scale_lfs()
    assert len(lfs) == 20 and all(lf.kind == "batch" for lf in lfs)
    L = apply_lfs(make_corpus_table(20_000).to_pandas(), lfs)
    assert (L >= 0).any(axis=0).all()  # every LF fires somewhere
    folder = write_corpus(tmp_path / "c", 2_500, rows_per_file=1_000)
    assert sorted(p.name for p in folder.iterdir()) == [
        "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]


def test_render_markdown_from_results():
    if not RESULTS.exists():
        pytest.skip("benchmarks/results/scale.json not generated")
    records = json.loads(RESULTS.read_text())
    text = render_markdown(records)
    assert text.startswith("## Scale")
    stream = next(r for r in records if r["method"].startswith("apply_parquet (stream"))
    assert f"{stream['rows']:,}" in text and f"{stream['peak_rss_MB']:,.0f}" in text
    for method in ("apply_lfs_dask", "torch count_votes", "DawidSkene"):
        assert method.split()[-1] in text
    assert "**no**" not in text  # every equality check of the run passed
    assert np.isfinite([r["value"] for r in records]).all()
    device = [r for r in records if r["metric"] == "max_abs_diff_vs_cpu_path"]
    assert {r["method"].split(" (")[0] for r in device} == {
        "DawidSkene.fit", "DawidSkene.predict_proba", "similarity_lf", "threshold_lf"}
    assert all(r["value"] < 1e-8 for r in device)  # the torch paths equal the CPU paths
    assert all(r["identical"] for r in device if "identical" in r)
    assert all(r["method"] in text for r in device)


def test_peak_rss_is_at_least_the_current_rss():
    psutil = pytest.importorskip("psutil")
    from wslib.bench.scale import _peak_rss_mb

    assert _peak_rss_mb() >= psutil.Process().memory_info().rss / 2**20 - 1
