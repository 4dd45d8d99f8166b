"""The AutoWS-Bench protocol and the ``wslib bench autows`` sub-command."""

import json
from importlib import resources

import numpy as np
import pytest

from wslib.autows.features import raw_view
from wslib.autows.protocol import PRIMARY_PIPELINE, AutoWSTask, draw_labels, run_protocol


def test_draw_labels_is_seeded_and_covers_every_class():
    y = np.array([0] * 95 + [1] * 3 + [2] * 2)
    a = draw_labels(y, 20, 3, seed=4)
    assert np.array_equal(a, draw_labels(y, 20, 3, seed=4))
    assert set(y[a]) == {0, 1, 2} and len(np.unique(a)) == 20


def test_draw_labels_rejects_impossible_budgets():
    y = np.array([0, 0, 1, 1])
    with pytest.raises(ValueError, match="fewer than the 3 classes"):
        draw_labels(y, 2, 3, seed=0)
    with pytest.raises(ValueError, match=r"classes \[2\] never occur"):
        draw_labels(y, 3, 3, seed=0)


def test_run_protocol_reports_every_method_and_metric():
    from sklearn.datasets import make_blobs

    X, y_true = make_blobs(500, n_features=8, centers=3, cluster_std=3.0, random_state=0)
    X = X / X.std()  # unit scale: the cross-validated few-shot baseline converges quickly
    task = AutoWSTask("blobs", {"x": raw_view(X[:400], X[400:], name="x")}, y_true[:400],
                      y_true[400:], ["a", "b", "c"], main_view="x", snuba_view="x")
    from wslib.endmodel import EndModel

    def fast_end_model(seed):
        return EndModel(head="logreg", lr=1e-2, max_epochs=5, random_state=seed)

    from wslib.labelmodel import LabelModel

    dev_sets = []

    def recording_label_model(k, seed):  # the protocol's default, noting the dev labels it gets
        model = LabelModel(cardinality=k, random_state=seed)
        fit = model.fit

        def recording_fit(L, **kw):
            dev_sets.append(kw.get("y_dev"))
            return fit(L, **kw)

        model.fit = recording_fit
        return model

    records = run_protocol(task, seed=0, n_labels=100, label_model=recording_label_model,
                           end_model=fast_end_model)
    # each label model (snuba, goggles, all) gets the 100 drawn gold labels as its dev set,
    # aligned with the fit rows, -1 elsewhere: on blobs this easy it labels as well without
    # them, so the scores below cannot show their loss
    for y_dev in dev_sets:
        assert y_dev is not None, "a label model was fitted without the labelled items"
        known = y_dev >= 0
        assert y_dev.shape == (400,) and known.sum() == 100
        np.testing.assert_array_equal(y_dev[known], y_true[:400][known])
    assert len(dev_sets) == 3
    methods = {r["method"] for r in records}
    assert {"fewshot/logreg", "fewshot/end", "autows/snuba", "autows/goggles", "autows/all",
            PRIMARY_PIPELINE} <= methods
    by = {(r["method"], r["metric"]): r["value"] for r in records}
    assert by[("autows/goggles", "coverage")] > 0.9
    assert by[("autows/goggles", "accuracy_covered")] > 0.7
    # independent references on the same split: these blobs are linearly separable (a
    # logistic regression on all 400 gold labels scores 1.0), and the same end model
    # trained on the gold labels scores 0.85; the weak labels must come close to both
    from sklearn.linear_model import LogisticRegression

    supervised = LogisticRegression(max_iter=2000).fit(X[:400], y_true[:400])
    assert by[("autows/all", "accuracy")] >= supervised.score(X[400:], y_true[400:]) - 0.05
    gold_end = fast_end_model(0).fit(X[:400], y_true[:400]).predict(X[400:])
    assert by[(PRIMARY_PIPELINE, "accuracy")] >= np.mean(gold_end == y_true[400:]) - 0.05
    assert by[(PRIMARY_PIPELINE, "coverage")] == 1.0
    assert all(r["seed"] == 0 and r["n_labels"] == 100 for r in records)


@pytest.mark.slow
def test_bench_autows_quick_cli(tmp_path, capsys):
    from wslib.bench.autows import render_markdown
    from wslib.cli import main

    with resources.as_file(resources.files("wslib.datasets") / "data" / "youtube") as folder:
        out = tmp_path / "autows.json"
        rc = main(["bench", "autows", "--quick", "--data", str(folder), "--datasets", "youtube",
                   "--json", str(out)])
    assert rc == 0
    records = json.loads(out.read_text())
    methods = {r["method"] for r in records}
    assert {"fewshot/logreg", "autows/keywords", "autows/goggles", PRIMARY_PIPELINE} <= methods
    assert {r["metric"] for r in records} == {"accuracy", "accuracy_covered", "coverage"}
    md = render_markdown(records)
    assert "| youtube | accuracy |" in md and PRIMARY_PIPELINE in md


@pytest.mark.slow
def test_bench_autows_without_data_runs_the_embedded_youtube(tmp_path, monkeypatch, capsys):
    """No --data and no shared folder: the default datasets that exist (embedded youtube,
    digits) run instead of failing; names may be given as ``a,b`` or ``a b``."""
    from wslib.bench import autows
    from wslib.cli import main

    monkeypatch.setattr(autows, "default_data_dir", lambda kind="wrench": None)
    out = tmp_path / "autows.json"
    assert main(["bench", "autows", "--quick", "--generators", "snuba,goggles",
                 "--json", str(out)]) == 0
    records = json.loads(out.read_text())
    assert {r["dataset"] for r in records} == {"youtube", "digits"}
    assert "datasets: youtube, digits" in capsys.readouterr().out
    assert main(["bench", "autows", "--quick", "--datasets", "youtube,", "digits",
                 "--generators", "snuba", "--json", str(out)]) == 0
    assert {r["dataset"] for r in json.loads(out.read_text())} == {"youtube", "digits"}


def test_bench_rejects_unknown_dataset(tmp_path):
    from wslib.cli import main

    assert main(["bench", "autows", "--quick", "--datasets", "nope"]) == 2


def test_run_protocol_rejects_unknown_generators():
    task = AutoWSTask("t", {"x": raw_view(np.eye(4), np.eye(4), name="x")}, np.array([0, 1] * 2),
                      np.array([0, 1] * 2), ["a", "b"], main_view="x", snuba_view="x")
    with pytest.raises(ValueError, match=r"unknown generators \['snubaa'\]"):
        run_protocol(task, n_labels=2, generators=["snubaa"])
