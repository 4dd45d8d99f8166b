"""``wslib bench labelmodel`` end to end on a tiny configuration, and its bad-input paths.

No timing assertions: only that every record is complete and its numbers sane.
"""

import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from wslib.bench import core, data, labelmodel, peers, report
from wslib.bench.cli import main
from wslib.bench.core import REQUIRED_FIELDS, BenchmarkError
from wslib.bench.data import BenchData, parse_synthetic
from wslib.bench.peers import Method

ROOT = Path(__file__).resolve().parents[2]
QUICK_METHODS = "wslib,snorkel.MajorityLabelVoter,crowdkit.DawidSkene,flyingsquid"


def _write_split(path: Path, L: np.ndarray, y: np.ndarray) -> None:
    items = {str(i): {"label": int(t), "weak_labels": [int(v) for v in row], "data": {"text": "x"}}
             for i, (row, t) in enumerate(zip(L, y))}
    path.write_text(json.dumps(items))


def _write_dataset(folder: Path, splits: dict[str, int], k: int = 2, m: int = 5,
                   seed: int = 0, gold: bool = True) -> Path:
    """A WRENCH folder whose LFs vote the gold label with probability 0.8 when they fire."""
    folder.mkdir(parents=True)
    (folder / "label.json").write_text(json.dumps({str(c): f"class{c}" for c in range(k)}))
    rng = np.random.default_rng(seed)
    for split, n in splits.items():
        y = rng.integers(0, k, n)
        noise = rng.integers(0, k, (n, m))
        L = np.where(rng.random((n, m)) < 0.8, y[:, None], noise)
        L = np.where(rng.random((n, m)) < 0.6, L, -1)
        _write_split(folder / f"{split}.json", L, y if gold else np.full(n, -1))
    return folder


@pytest.fixture
def wrench_dir(tmp_path: Path) -> Path:
    root = tmp_path / "wrench"
    _write_dataset(root / "tiny", {"train": 250, "valid": 30, "test": 40})  # > WARMUP_ROWS
    _write_dataset(root / "notrain", {"valid": 50, "test": 60}, k=3, seed=1)
    return root


def _records_are_sane(records: list[dict]) -> None:
    for rec in records:
        assert set(REQUIRED_FIELDS) <= set(rec)
        assert rec["status"] in ("ok", "skipped", "error", "unscored"), rec
        if rec["status"] != "ok":
            assert rec["value"] is None and rec["note"], rec
            continue
        assert rec["seconds"] >= 0
        if rec["method"] == labelmodel.BASELINE:
            continue
        if rec["fit_split"] == "train":  # WRENCH train has gold: each method scored on it too
            assert 0.0 <= rec["fit_value"] <= 1.0, rec
        if rec["method"] == labelmodel.REFERENCE:
            assert rec["library"] == "reference" and 0.0 <= rec["value"] <= 1.0
            continue
        assert 0.0 <= rec["value"] <= 1.0
        assert 0.0 <= rec["coverage"] <= 1.0 and 0.0 <= rec["accuracy"] <= 1.0
        assert math.isfinite(rec["log_loss"]) and rec["log_loss"] >= 0
        assert 0.0 <= rec["brier"] <= 2.0 and 0.0 <= rec["ece"] <= 1.0
        assert rec["fit_seconds"] + rec["predict_seconds"] == pytest.approx(rec["seconds"])
        assert rec["peak_mem_mb"] is not None
        assert sum(n for _, _, n in rec["reliability"]) == rec["n_eval"]


def test_quick_suite_end_to_end(wrench_dir, tmp_path):
    out = tmp_path / "out"
    argv = ["labelmodel", "--quick", "--speed", "--data", str(wrench_dir), "--synthetic",
            "n=300,m=6,k=3,unipolar=2,correlated=1,balance=0.5:0.3:0.2", "--seeds", "2",
            "--methods", QUICK_METHODS, "--json", str(tmp_path / "lm.json"),
            "--csv", str(tmp_path / "lm.csv"), "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    records = json.loads((tmp_path / "lm.json").read_text())
    _records_are_sane(records)
    datasets = {r["dataset"] for r in records}
    assert {"tiny", "notrain", "synthetic-300x6-k3-u2-c1", "synthetic-3kx12-k2",
            "synthetic-3kx12-k5"} == datasets
    by = {(r["dataset"], r["method"], r["seed"]): r for r in records}
    assert by[("tiny", "MajorityVote", 0)]["fit_split"] == "train"
    assert by[("tiny", "MajorityVote", 0)]["eval_split"] == "test"
    assert by[("notrain", "MajorityVote", 1)]["fit_split"] == "valid+test (transductive)"
    assert by[("notrain", "MajorityVote", 0)]["metric"] == "accuracy"
    assert by[("tiny", "flyingsquid.LabelModel", 0)]["status"] == "skipped"
    assert by[("synthetic-3kx12-k2", labelmodel.BASELINE, 1)]["L_bytes"] == 3000 * 12
    # the fit-gold reference: only where the fit rows have gold, and unbeaten on them
    assert {r["dataset"] for r in records if r["method"] == labelmodel.REFERENCE} == {"tiny"}
    ceiling = by[("tiny", labelmodel.REFERENCE, 0)]["fit_value"]
    assert by[("tiny", labelmodel.REFERENCE, 1)]["fit_value"] == ceiling
    assert all(r["fit_value"] <= ceiling for r in records
               if r["dataset"] == "tiny" and r["status"] == "ok")
    assert all(r["status"] == "ok" for r in records if r["library"] == "wslib")
    # environment beside the results, CSV, plots
    env = json.loads((tmp_path / "lm.env.json").read_text())
    assert env["numpy"] == np.__version__ and env["cpus"]
    assert "--quick" in env["runs"][-1]["command"] and env["runs"][-1]["cpu_seconds"] >= 0
    assert (tmp_path / "lm.csv").read_text().startswith("dataset,method,metric,value,seconds")
    assert sorted(p.name for p in out.iterdir()) == [
        "labelmodel-calibration.png", "labelmodel-metric-vs-time.png", "labelmodel.csv",
        "labelmodel.env.json", "labelmodel.json"]
    # the docs page is regenerated from these results by benchmarks/make_docs.py
    page = tmp_path / "docs" / "benchmarks.md"
    proc = subprocess.run([sys.executable, "benchmarks/make_docs.py", "--results", str(out),
                           "--out", str(page)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    text = page.read_text()
    assert "## labelmodel" in text and "| MajorityVote |" in text and "#### tiny" in text
    assert "| tiny | train (fit) |" in text and "| tiny | test (eval) |" in text
    assert "](img/labelmodel-calibration.png)" in text and "numpy" in text
    assert (page.parent / "img" / "labelmodel-metric-vs-time.png").stat().st_size < 200_000


def test_python_m_benchmarks_dispatch(wrench_dir):
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "labelmodel", "--list",
                           "--data", str(wrench_dir)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "MajorityVote" in proc.stdout and "notrain, tiny" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "labelmodel", "--methods", "nope",
                           "--data", str(wrench_dir)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "unknown method 'nope'" in proc.stderr and "MajorityVote" in proc.stderr


@pytest.mark.parametrize("option, value, message", [
    ("--methods", "wslib,Nope", "valid methods: "),
    ("--datasets", "tiny,nope", "valid datasets: notrain, tiny"),
    ("--synthetic", "n=10,colour=red", "bad item 'colour=red'"),
    ("--synthetic", "n=10,k=3,balance=0.5:0.5", "balance needs 3 numbers"),
])
def test_bad_names_list_the_valid_ones(wrench_dir, capsys, option, value, message):
    assert main(["labelmodel", "--data", str(wrench_dir), option, value]) == 2
    err = capsys.readouterr().err
    assert message in err
    if option == "--methods":  # the list names every wslib model, whatever their order
        listed = err.split("valid methods: ", 1)[1]
        assert "MajorityVote" in listed and "LabelModel" in listed


def test_broken_dataset_folders_name_the_file(tmp_path, capsys):
    folder = _write_dataset(tmp_path / "bad", {"train": 20, "test": 10})
    _write_dataset(tmp_path / "other", {"train": 20, "test": 10}, m=4)
    (tmp_path / "other" / "test.json").replace(folder / "test.json")
    assert main(["labelmodel", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "train.json has 5" in err and "test.json has 4" in err
    (folder / "label.json").unlink()
    assert main(["labelmodel", "--data", str(folder)]) == 2
    assert "no WRENCH dataset" in capsys.readouterr().err
    (folder / "label.json").write_text("{}")
    for split in ("train", "test"):
        (folder / f"{split}.json").unlink()
    assert main(["labelmodel", "--data", str(folder)]) == 2
    assert "none of the split files" in capsys.readouterr().err


class _Failing:
    def __init__(self, k, seed):
        pass

    def fit(self, L):
        raise RuntimeError("peer exploded")


class _NaN:
    def __init__(self, k, seed):
        self.k = k

    def fit(self, L):
        return self

    def predict_proba(self, L):
        return np.full((L.shape[0], self.k), np.nan)


def _tiny_data() -> BenchData:
    return parse_synthetic("n=200,m=5,k=2").load()


def test_failing_peers_are_reported_not_raised(wrench_dir, tmp_path, monkeypatch):
    bad = [Method("peer.Fails", "peer", _Failing), Method("peer.NaN", "peer", _NaN)]
    monkeypatch.setattr(labelmodel, "all_methods", lambda max_votes=None: bad)
    assert main(["labelmodel", "--data", str(wrench_dir), "--datasets", "tiny", "--no-progress",
                 "--json", str(tmp_path / "r.json")]) == 0
    records = {r["method"]: r for r in json.loads((tmp_path / "r.json").read_text())}
    assert records["peer.Fails"]["status"] == "error"
    assert "RuntimeError: peer exploded" in records["peer.Fails"]["note"]
    assert records["peer.NaN"]["note"].startswith("error: non-finite soft labels in 40 of 40")
    table = labelmodel.terminal_table(list(records.values()))
    assert "peer exploded" in table and "error" in table


def test_missing_peer_package_and_size_cap_are_skips():
    method = Method("x", "x", _NaN, requires="no_such_package_wslib")
    assert "does not import" in method.skip_reason(2, 10)
    capped = Method("y", "y", _NaN, max_votes=5, binary_only=True)
    assert "binary-only" in capped.skip_reason(3, 1)
    assert "exceed this peer's cap of 5" in capped.skip_reason(2, 6)
    rec = labelmodel.run_method(_tiny_data(), capped)
    assert rec["status"] == "skipped" and rec["value"] is None


def test_unlabelled_eval_split_is_fit_only(tmp_path):
    folder = _write_dataset(tmp_path / "nogold", {"train": 50, "test": 20}, gold=False)
    spec = data.resolve_datasets(folder, [], None)[0]
    bench = spec.load()
    assert bench.eval_split is None and bench.fit_split == "train"
    rec = labelmodel.run_method(bench, peers.wslib_methods()[0])
    assert rec["status"] == "unscored" and rec["value"] is None


def test_seeds_are_summarised_by_median_and_spread():
    recs = [{"status": "ok", "value": v} for v in (0.5, 0.7, 0.6)]
    assert report.cell(recs) == "0.600 (0.500-0.700)"
    assert report.cell([{"status": "skipped", "note": "x"}]) == "skipped"
    assert report.summarize([None, 2.0, 4.0]) == (3.0, 2.0, 4.0, 2)


def test_reliability_bins_and_ece():
    proba = np.array([[0.95, 0.05], [0.55, 0.45], [0.15, 0.85], [0.5, 0.5]])
    correct = np.array([True, False, True, True])
    curve, ece = labelmodel._reliability(proba, correct)
    # bins [0.5, 0.6): two items, confidence 0.525, one right; [0.8, 0.9) and [0.9, 1]: one each
    np.testing.assert_allclose(curve, [[0.525, 0.5, 2], [0.85, 1.0, 1], [0.95, 1.0, 1]])
    assert ece == pytest.approx((2 * 0.025 + 0.15 + 0.05) / 4)


def test_measure_reports_memory_of_an_allocation():
    for method in ("rss", "tracemalloc"):
        with core.measure(method) as m:
            block = np.ones(4_000_000)
            block += 1
        assert m.peak_mb is not None and m.peak_mb >= (30 if method == "tracemalloc" else 0)
    with pytest.raises(BenchmarkError, match="unknown memory method"):
        with core.measure("psychic"):
            pass


def test_read_results_rejects_non_records(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps([{"dataset": "d"}]))
    with pytest.raises(BenchmarkError, match="not a list of benchmark records"):
        core.read_results(path)


def test_speed_table_ratios():
    common = {"status": "ok", "source": "synthetic", "seed": 0}
    recs = [core.record("s", labelmodel.BASELINE, "seconds", 0.1, 0.1, L_bytes=100 * 2**20,
                        **common),
            core.record("s", "LabelModel", "accuracy", 0.9, 0.5, peak_mem_mb=150.0,
                        returned_mb=38.1, **common),
            core.record("s", "snorkel.LabelModel-100ep", "accuracy", 0.85, 10.0, **common)]
    _, rows = labelmodel._speed_table(recs)
    assert rows == [["s", "0.50", "10.00", "20.0x", "0.100", "5.0x", "150", "38", "1.5x",
                     "0.900", "0.850"]]
    assert "| synthetic-" not in labelmodel.render_markdown(recs)
    assert "20.0x" in labelmodel.render_markdown(recs)


def test_merge_replaces_only_the_pairs_run_again(wrench_dir, tmp_path):
    path = tmp_path / "r.json"
    common = ["labelmodel", "--data", str(wrench_dir), "--datasets", "tiny", "--no-progress",
              "--json", str(path)]
    assert main(common + ["--methods", "MajorityVote,snorkel.MajorityLabelVoter"]) == 0
    first = {r["method"]: r for r in json.loads(path.read_text())}
    assert main(common + ["--methods", "MajorityVote", "--seeds", "2", "--merge"]) == 0
    records = json.loads(path.read_text())
    ref = labelmodel.REFERENCE  # every run writes the reference of its datasets again
    assert [(r["method"], r["seed"]) for r in records] == [
        ("snorkel.MajorityLabelVoter", 0), (ref, 0), (ref, 1), ("MajorityVote", 0),
        ("MajorityVote", 1)]
    assert records[0] == first["snorkel.MajorityLabelVoter"]
    env = json.loads(core.env_path(path).read_text())
    assert len(env["runs"]) == 2 and "--merge" in env["runs"][1]["command"]


def test_pattern_ceiling_labels_each_vote_pattern_by_its_fit_gold():
    L_fit = np.array([[0, -1, 1], [0, -1, 1], [0, -1, 1], [1, 1, -1], [1, 1, -1], [-1, 2, 2]])
    y_fit = np.array([0, 0, 2, 1, 1, 2])
    L = np.array([[1, 1, -1], [0, -1, 1], [2, 2, 2]])
    proba = labelmodel.pattern_ceiling_proba(L_fit, y_fit, L, 3)
    np.testing.assert_allclose(proba, [[0, 1, 0], [2 / 3, 0, 1 / 3], [1 / 3, 1 / 3, 1 / 3]])
    # on the fit rows themselves no relabelling of the patterns is more accurate
    fit_pred = labelmodel.pattern_ceiling_proba(L_fit, y_fit, L_fit, 3).argmax(axis=1)
    assert (fit_pred == y_fit).mean() == pytest.approx(5 / 6)


def test_pattern_ceiling_reads_sparse_abstains_as_abstains():
    rng = np.random.default_rng(0)
    L_fit, L_eval = (np.where(rng.random((n, 4)) < 0.5, rng.integers(0, 2, (n, 4)), -1)
                     for n in (60, 30))

    def csr(L):  # stored entries are the votes (class 0 included), implicit ones abstain
        rows, cols = np.nonzero(L >= 0)
        return sp.csr_matrix((L[rows, cols], (rows, cols)), shape=L.shape)

    dense = BenchData("d", "accuracy", 2, L_fit, L_eval, rng.integers(0, 2, 30), "train",
                      "test", "wrench", y_fit=rng.integers(0, 2, 60))
    sparse = replace(dense, L_fit=csr(L_fit), L_eval=csr(L_eval))
    a, b = (labelmodel._pattern_ceiling(d, 0, "random") for d in (dense, sparse))
    assert (a["value"], a["fit_value"]) == (b["value"], b["fit_value"])


def test_split_table_pairs_fit_and_eval_values():
    common = {"status": "ok", "source": "wrench", "seed": 0, "metric": "accuracy",
              "fit_split": "train", "eval_split": "test"}
    values = {labelmodel.REFERENCE: (0.95, 0.80), "LabelModel": (0.85, 0.82),
              "snorkel.LabelModel-500ep": (0.70, 0.84)}
    recs = [dict(common, dataset="a", method=m, value=v, fit_value=f, seconds=1.0)
            for m, (f, v) in values.items()]
    recs += [dict(common, dataset="a", method="MajorityVote", value=0.78, seconds=1.0)]
    header, rows = labelmodel._split_table(recs)
    assert header[:3] == ["dataset", "split", "fit-gold patterns"]
    assert rows == [["a", "train (fit)", "0.950", "0.850", "-", "-", "0.700"],
                    ["a", "test (eval)", "0.800", "0.820", "0.780", "-", "0.840"]]
    assert labelmodel._split_table([r for r in recs if r["method"] != labelmodel.REFERENCE]
                                   ) == (header, [])


def test_rule_votes_add_a_revoted_dataset(tmp_path):
    root = tmp_path / "wrench"
    folder = root / "toy"
    folder.mkdir(parents=True)
    (folder / "label.json").write_text(json.dumps({"0": "ham", "1": "spam"}))
    texts = ["win cash", "thanks", "hello", "win big", "thanks mate", "ok"] * 4
    y = [1, 0, 0, 1, 0, 0] * 4
    rules = {"spam": "win", "ham": "thanks", "SPAM": "big"}
    right = [[1 if "win" in t else -1, 0 if "thanks" in t else -1, 1 if "big" in t else -1]
             for t in texts]

    def write(split, votes):
        (folder / f"{split}.json").write_text(json.dumps(
            {str(i): {"label": y[i], "weak_labels": v, "data": {"text": texts[i]}}
             for i, v in enumerate(votes)}))

    write("train", right)
    write("test", right[1:] + right[:1])  # shipped with the votes of the next item
    (folder / "readme.txt").write_text("".join(f"{c}\t{p}\n" for c, p in rules.items()))
    specs = data.resolve_datasets(root, [], None, revote=["toy"])
    assert [s.name for s in specs] == ["toy", "toy-rules"]
    shipped, revoted = (s.load() for s in specs)
    np.testing.assert_array_equal(revoted.L_eval, right)
    assert revoted.info["rows_as_shipped"]["train"] == 1.0
    assert revoted.info["rows_as_shipped"]["test"] < 0.5
    assert revoted.metric == shipped.metric
    recs = [labelmodel.run_method(d, peers.wslib_methods()[0]) for d in (shipped, revoted)]
    notes = labelmodel._vote_audit(recs)
    assert len(notes) == 1 and notes[0].startswith("toy: the rules its readme lists")
    assert "--rule-votes toy" in notes[0]
    assert notes[0] in labelmodel.terminal_table(recs)
    assert "Data checks:\n\n- " + notes[0] in labelmodel.render_markdown(recs)
    with pytest.raises(BenchmarkError, match=r"no dataset \['sms'\]"):
        data.resolve_datasets(root, [], None, revote=["sms"])
