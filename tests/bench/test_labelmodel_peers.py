"""The label-model benchmark's peers, dev-label methods, memory measurement and bar.

The peers (Snorkel, crowd-kit, HyperLM) are in the test extra, so they run here:
a peer that is skipped fails unless its method declares why it may be missing.
"""

import json
from dataclasses import replace

import numpy as np
import pytest

from wslib.bench import labelmodel, labelmodel_bar, peers
from wslib.bench.cli import main
from wslib.bench.data import BenchData, from_wrench, parse_synthetic
from wslib.bench.peers import Method
from wslib.datasets import load_wrench, write_wrench

METHODS = {m.name: m for m in peers.all_methods()}


def _dataset(rng: np.random.Generator, n: int, m: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Votes that are right with probability 0.75 where they fire (60 %)."""
    y = rng.integers(0, k, n)
    L = np.where(rng.random((n, m)) < 0.75, y[:, None], rng.integers(0, k, (n, m)))
    return np.where(rng.random((n, m)) < 0.6, L, -1), y


@pytest.fixture(scope="module")
def crowd_dir(tmp_path_factory):
    """A WRENCH folder with train, labelled valid and test: 3 classes, 6 sources."""
    rng = np.random.default_rng(3)
    splits = {name: _dataset(rng, n, 6, 3) for name, n in
              (("train", 300), ("valid", 120), ("test", 150))}
    return write_wrench(tmp_path_factory.mktemp("wrench") / "crowd", splits, ["a", "b", "c"])


def _check_ran(records: list[dict]) -> None:
    """Every record ok, or skipped for a reason its method declares (``optional``) or a
    limit it states (binary-only, vote cap); never an error."""
    for rec in records:
        assert rec["status"] != "error", rec
        if rec["status"] == "skipped":
            assert rec["optional"] or "does not import" not in rec["note"], rec
            assert METHODS[rec["method"]].optional == rec["optional"]


def test_every_peer_runs(crowd_dir, tmp_path):
    """The quick peer benchmark: Snorkel, crowd-kit, HyperLM and the dev-label methods
    run and are scored; only a peer declared optional may be skipped."""
    out = tmp_path / "peers.json"
    assert main(["labelmodel", "--data", str(crowd_dir), "--methods",
                 "peers,reference,MajorityVote,LabelModel,LabelModel+dev100", "--no-progress",
                 "--json", str(out)]) == 0
    records = json.loads(out.read_text())
    _check_ran(records)
    ok = {r["method"] for r in records if r["status"] == "ok"}
    assert {m.name for m in peers.peer_methods() if not m.optional} <= ok
    by = {r["method"]: r for r in records}
    for name in ("snorkel.LabelModel-100ep", "crowdkit.GLAD", "hyperlm.HyperLM"):
        assert by[name]["value"] > by["MajorityVote"]["value"] - 0.15, by[name]
    assert by["snorkel.LabelModel-100ep"]["prepare_seconds"] >= 0
    assert by["crowdkit.DawidSkene"]["fit_split"] == "train+test (transductive)"
    dev = by["LabelModel+dev100"]
    assert dev["dev_split"] == "valid" and dev["n_dev"] == 100 and dev["n_eval"] == 150
    assert dev["mv_value"] == pytest.approx(by["MajorityVote"]["value"])
    assert by["LabelModel"]["posterior"] == "confusion"  # every source votes every class
    assert by["LabelModel"]["n_identified"] == 6 and by["LabelModel"]["multipolar_share"] == 1.0


def test_peak_memory_covers_what_the_call_returns():
    """The reported peak of every method includes the soft labels it returns (here
    40,000 x 5 float64, 1.5 MiB), whatever allocator they come from."""
    data = parse_synthetic("n=40000,m=10,k=5,seed=1").load()
    names = [m.name for m in peers.wslib_methods()] + [
        "snorkel.LabelModel-100ep", "snorkel.MajorityLabelVoter", "crowdkit.DawidSkene",
        "hyperlm.HyperLM"]
    for name in names:
        rec = labelmodel.run_method(data, METHODS[name], memory="rss")
        assert rec["status"] == "ok", rec
        if rec["memory"] == "sampled-rss":
            pytest.skip("no resettable peak-RSS mark here: sampling is a lower bound")
        assert rec["returned_mb"] == pytest.approx(40_000 * 5 * 8 / 2**20)
        assert rec["peak_mem_mb"] >= rec["returned_mb"], (name, rec["peak_mem_mb"])


class _Recorder:
    seen: list = []

    def __init__(self, k, seed):
        self.k = k

    def fit(self, X):
        _Recorder.seen.append(X)
        return self

    def predict_proba(self, X):
        _Recorder.seen.append(X)
        return np.full((X[1].shape[0], self.k), 1.0 / self.k)


def test_conversions_run_before_the_timed_fit():
    data = parse_synthetic("n=300,m=4,k=2").load()
    method = Method("peer.Recorder", "peer", _Recorder, prepare=lambda L: ("prepared", L))
    rec = labelmodel.run_method(data, method)
    assert rec["status"] == "ok" and rec["prepare_seconds"] >= 0
    assert [x[0] for x in _Recorder.seen] == ["prepared", "prepared"]
    assert data.same_rows  # one conversion serves fit and predict
    assert data.L_fit.nbytes <= rec["prepared_mb"] * 2**20 < 2 * data.L_fit.nbytes


def test_hyperlm_pads_missing_classes_and_rows_without_votes():
    L = np.array([[0, 0, 1], [1, 1, 1], [-1, 1, 0], [0, -1, 0], [-1, -1, -1]])
    adapter = METHODS["hyperlm.HyperLM"].make(3, 0).fit(peers._dense_int64(L))
    proba = adapter.predict_proba(L)
    assert proba.shape == (5, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba[4], 1 / 3)  # trailing row without votes
    assert (proba[:4, 2] == 0).all()  # class 2 is never voted
    assert proba[1, 1] > 0.5 and proba[3, 0] > 0.5
    with pytest.raises(ValueError, match="only the rows it was fitted on"):
        adapter.predict_proba(L[:3])


def test_dev_items_come_from_valid_then_fit_rows_then_evaluation_rows():
    rng = np.random.default_rng(0)
    L, y = _dataset(rng, 400, 5, 2)
    base = BenchData("d", "accuracy", 2, L[:200], L[200:300], y[200:300], "train", "test",
                     "wrench", y_fit=y[:200], L_valid=L[300:], y_valid=y[300:])
    dev = base.dev_sample(100, seed=1)
    assert dev.split == "valid" and dev.keep is None and len(dev.y) == 100
    assert {tuple(r) for r in dev.L} <= {tuple(r) for r in L[300:]}
    assert not np.array_equal(dev.y, base.dev_sample(100, seed=2).y)  # seeds vary the sample
    fit_only = replace(base, L_valid=None, y_valid=None)
    assert fit_only.dev_sample(100, 0).split == "train"
    same = BenchData("d", "accuracy", 2, L[:150], None, y[:150], "test (transductive)", "test",
                     "wrench")
    same = replace(same, L_eval=same.L_fit)
    dev = same.dev_sample(100, 0)
    assert len(dev.y) == 75 and dev.keep.sum() == 75  # at most half of the scored rows
    assert dev.split == "test (left out of scoring)"
    rec = labelmodel.run_method(same, METHODS["LabelModel+dev100"])
    assert rec["status"] == "ok" and rec["n_eval"] == 75 and rec["n_dev"] == 75
    mv = labelmodel.run_method(same.without(dev.keep), METHODS["MajorityVote"])
    assert rec["mv_value"] == pytest.approx(mv["value"])
    logreg = labelmodel.run_method(same, METHODS["reference.logreg-dev100"])
    assert logreg["status"] == "ok" and logreg["value"] > 0.6


def test_logreg_with_one_dev_class_predicts_it():
    adapter = peers._LogRegDev(3, 0).fit(None, np.array([[0, 1]]), np.array([2]))
    np.testing.assert_array_equal(adapter.predict_proba(np.array([[1, 1], [0, 0]])),
                                  [[0, 0, 1], [0, 0, 1]])


def test_a_single_split_is_fitted_and_scored_on_the_same_rows(tmp_path):
    rng = np.random.default_rng(1)
    folder = write_wrench(tmp_path / "one", {"test": _dataset(rng, 50, 4, 2)}, ["a", "b"])
    data = from_wrench(load_wrench(folder))
    assert data.same_rows and data.fit_split == "test (transductive)"
    rec = labelmodel.run_method(data, METHODS["crowdkit.DawidSkene"])
    assert rec["n_fit"] == 50 and rec["n_eval"] == 50  # not stacked twice


def test_data_is_repeatable_and_defaults_to_the_present_folders(crowd_dir, tmp_path,
                                                                 monkeypatch, capsys):
    rng = np.random.default_rng(2)
    other = write_wrench(tmp_path / "more" / "other", {"test": _dataset(rng, 40, 4, 2)},
                         ["a", "b"])
    assert main(["labelmodel", "--list", "--data", str(crowd_dir),
                 "--data", str(other.parent)]) == 0
    assert "datasets: crowd, other" in capsys.readouterr().out
    monkeypatch.chdir(tmp_path)
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "more").rename(tmp_path / "benchmarks" / "data")
    from wslib.bench import data as bench_data

    monkeypatch.setattr(bench_data, "default_data_dir", lambda kind="wrench": crowd_dir.parent)
    monkeypatch.setattr(bench_data, "_repo_root", lambda: tmp_path)
    assert bench_data.default_data_dirs() == [crowd_dir.parent, tmp_path / "benchmarks" / "data"]
    (tmp_path / "benchmarks" / "data" / "other" / "label.json").unlink()
    assert bench_data.default_data_dirs() == [crowd_dir.parent]  # no dataset in it: skipped


def _rec(dataset, method, value, library="wslib", **extra):
    return dict({"dataset": dataset, "method": method, "value": value, "status": "ok",
                 "library": library, "source": "wrench", "seed": 0, "n_sources": 4}, **extra)


def test_bar_checks_read_the_records():
    values = {"a": (0.80, 0.70, 0.75, 0.79), "b": (0.60, 0.61, 0.66, 0.50),
              "b-rules": (0.70, 0.69, 0.60, 0.68)}
    recs = []
    for d, (lm, mv, snorkel, hyper) in values.items():
        recs += [_rec(d, "LabelModel", lm, posterior="votes", n_identified=3,
                      multipolar_share=0.0),
                 _rec(d, "MajorityVote", mv), _rec(d, "DawidSkene", 0.99),
                 _rec(d, "snorkel.LabelModel-100ep", snorkel, "snorkel"),
                 _rec(d, "hyperlm.HyperLM", hyper, "hyperlm"),
                 _rec(d, "LabelModel+dev100", lm + 0.05, mv_value=mv, n_dev=100,
                      dev_split="valid", posterior="votes", n_dev_trusted=2),
                 _rec(d, "reference.logreg-dev100", lm, "reference")]
    _, rows = labelmodel_bar.bar_checks(recs)
    shipped = [r for r in rows if r[1] == "as shipped (2)"]
    assert shipped[0][2:] == ["min difference -0.010 (b); below: b", "no"]
    # single peers over a and b: MV 0.655, Snorkel 0.705, HyperLM 0.645; LabelModel 0.700
    assert shipped[1][2:] == ["0.700 vs 0.705 (snorkel.LabelModel-100ep): -0.005", "no"]
    assert shipped[2][2:] == ["0.700 vs 0.725: -0.025", "no"]  # best per set: 0.79, 0.66
    assert shipped[3][2:] == ["0.750 vs 0.655: +0.095", "yes"]
    revoted = [r for r in rows if r[1] == "-rules sets in place (2)"]
    assert revoted[0][2:] == ["min difference +0.010 (b-rules); below: none", "yes"]
    # a and b-rules: HyperLM 0.735 beats MV 0.695 and Snorkel 0.675, by less than 0.02
    assert revoted[1][2:] == ["0.750 vs 0.735 (hyperlm.HyperLM): +0.015", "no"]
    _, table = labelmodel_bar.bar_table(recs)
    assert table[0] == ["a", "0.800", "votes, 3/4 identified, multipolar 0.00", "0.700",
                        "+0.100", "hyperlm.HyperLM", "0.790", "+0.010"]
    _, dev = labelmodel_bar.dev_table(recs)
    assert dev[0] == ["a", "valid", "100", "0.850", "0.700", "+0.150", "0.800", "+0.050",
                      "0.800", "2/4"]
    assert labelmodel.render_block(recs, "bar-checks").startswith("The bar:")
