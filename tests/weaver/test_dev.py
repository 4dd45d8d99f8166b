"""Weaver with a few labelled problems: what it learns, scored outside the dev set, and
every bad dev set."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from wslib.cli import main
from wslib.weaver import VerifierDroppedWarning, VerifierTable, Weaver, selection_metrics
from wslib.weaver.dev import (DevLogisticModel, _penalised_logistic, answer_features,
                              selection_log_likelihood)
from wslib.weaver.weaver import DevSetWarning


def _misleading(rng, n_problems=400, k=8):
    """Label-free Weaver is misled: four copies of one confidently wrong reward model (no
    name ties them) outvote two honest verifiers. A few labels say which to trust."""
    problem = np.repeat(np.arange(n_problems), k)
    y = (rng.random(problem.size) < 0.25).astype(float)
    liar = -0.8 * y + rng.normal(size=y.size)
    cols = {f"copy{i}": liar + 0.3 * rng.normal(size=y.size) for i in range(4)}
    cols.update(honest_a=1.0 * y + rng.normal(size=y.size),
                honest_b=0.8 * y + rng.normal(size=y.size))
    return pd.DataFrame({"problem_id": problem, "candidate_id": np.tile(np.arange(k), n_problems),
                         "correct": y.astype(int), **cols})


def _fit(frame, dev=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerifierDroppedWarning)
        return Weaver().fit(frame, dev=dev)


def test_dev_labels_teach_which_verifiers_to_trust():
    frame = _misleading(np.random.default_rng(0))
    table = VerifierTable.from_frame(frame)
    dev = np.zeros(table.n_problems, dtype=bool)
    dev[:40] = True  # 10 % of the problems
    free = _fit(frame)
    learned = _fit(frame, dev=table.problem_ids[dev])
    held = ~dev
    free_acc = selection_metrics(table, scores=free.selection_score(table),
                                 problems=held)["selection_accuracy"]
    dev_acc = selection_metrics(table, scores=learned.selection_score(table),
                                problems=held)["selection_accuracy"]
    assert learned.selector_ == "dev" and dev_acc > free_acc + 0.2
    weights = learned.report_.set_index("verifier")["dev_weight"]
    assert weights["honest_a"] > 0 and weights[["copy0", "copy1", "copy2", "copy3"]].sum() < 0
    # the class balance comes from the dev labels
    assert learned.class_balance_ == pytest.approx(table.labels[dev[table.problem]].mean())
    # as good as a logistic regression on the same labels and features
    rows = dev[table.problem]
    X = learned._dev_input(table)
    lr = LogisticRegression().fit(X[rows], table.labels[rows])
    lr_acc = selection_metrics(table, scores=X @ lr.coef_[0], problems=held)[
        "selection_accuracy"]
    assert dev_acc >= lr_acc - 0.02


def test_dev_logistic_model_prior_and_cross_validation():
    rng = np.random.default_rng(1)
    starts = np.arange(0, 2001, 10)
    y = (rng.random(2000) < 0.3).astype(float)
    X = y[:, None] * np.array([1.0, 0.6, 0.0, -0.5]) + rng.normal(size=(2000, 4))
    model = DevLogisticModel().fit(X, y, starts, prior=np.array([1.0, 0.6, 0.0, -0.5]))
    assert model.prior_ in ("label-free", "none") and model.alpha_ in model.alphas
    assert np.sign(model.coef_[[0, 1, 3]]).tolist() == [1, 1, -1]
    assert 0.0 < model.cv_accuracy_ <= 1.0 and model.n_contrast_problems_ > 150
    p = 1 / (1 + np.exp(-model.decision_function(X)))
    assert p.mean() == pytest.approx(y.mean(), abs=0.01)  # the intercept sets the balance
    with pytest.raises(ValueError, match="same rows"):
        DevLogisticModel().fit(X, y[:-1], starts)
    with pytest.raises(ValueError, match="alphas"):
        DevLogisticModel(alphas=(0.0,)).fit(X, y, starts)
    with pytest.raises(ValueError, match="no dev problem has both"):
        DevLogisticModel().fit(X[:20], np.zeros(20), np.array([0, 10, 20]))
    ll = selection_log_likelihood(np.array([0.0, 0.0, 5.0, 0.0]), np.array([1, 0, 1, 1]),
                                  np.array([0, 2, 4]))
    assert ll == pytest.approx([np.log(0.5), 0.0])
    # a correct candidate far below the best one: a large finite penalty, not log(0)
    far = selection_log_likelihood(np.array([-800.0, 800.0, 0.0]), np.array([1, 0, 0]),
                                   np.array([0, 3]))
    assert far == pytest.approx([-1600.0])


def test_a_prior_must_earn_its_place():
    # 30 dev problems, 10 verifiers: a label-free prior pointing the right way is kept
    # on most dev sets (its scale beta is penalised like the other weights, so it pulls
    # less than a free scale would: 7 of 12 here, 9 with beta free), a random one never,
    # although on some dev sets it scores higher by luck
    truth = np.array([1.0, 0.8, 0.6, 0.4, 0.2, 0.0, 0.0, 0.0, -0.3, -0.6])
    kept = {"truth": 0, "random": 0}
    for seed in range(12):
        rng = np.random.default_rng(seed)
        starts = np.arange(0, 301, 10)
        y = np.zeros(300)
        y[starts[:-1] + rng.integers(0, 10, 30)] = 1
        X = y[:, None] * truth + rng.normal(size=(300, 10))
        for kind, prior in (("truth", truth), ("random", rng.normal(size=10))):
            kept[kind] += DevLogisticModel().fit(X, y, starts, prior=prior).prior_ == "label-free"
    assert kept["truth"] >= 6 and kept["random"] == 0


def test_answer_features_pool_each_answer():
    X = np.array([[1.0], [3.0], [-4.0], [2.0]])
    out = answer_features(X, np.array([0, 0, 1, 2]), np.array([0, 3, 4]))
    assert out[:, 0].tolist() == [2.0, 2.0, -4.0, 2.0]
    assert out[0, 1] > out[2, 1] and out[3, 1] == 0.0  # popular answers rank higher


def test_bad_dev_sets(sim_frame):
    table = VerifierTable.from_frame(sim_frame)
    ids = table.problem_ids
    y = table.labels
    n_correct = np.add.reduceat(y, table.starts[:-1])
    mixed = np.flatnonzero((n_correct > 0) & (n_correct < table.sizes))
    single = np.flatnonzero((n_correct == 0) | (n_correct == table.sizes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerifierDroppedWarning)
        # ids absent from the table are ignored, with a warning naming them
        with pytest.warns(DevSetWarning, match="not in the table.*'nope'"):
            Weaver().fit(table, dev=[*ids[mixed[:20]], "nope"])
        with pytest.raises(ValueError, match="none of the 2 dev problems"):
            Weaver().fit(table, dev=["nope", "never"])
        # problems of one class set the class balance, not the weights
        with pytest.warns(DevSetWarning, match="only correct or only incorrect"):
            Weaver().fit(table, dev=ids[np.r_[mixed[:20], single[:5]]])
        # a dev set of one class only: the label-free selection is kept
        all_correct = ids[np.flatnonzero(n_correct == table.sizes)[:5]]
        with pytest.warns(DevSetWarning, match="only correct candidates"):
            kept = Weaver().fit(table, dev=all_correct)
        assert kept.selector_ == "label-free" and kept.dev_model_ is None
        # a verifier with no score on the dev problems: named, weight from the prior
        frame = sim_frame.copy()
        dev = ids[mixed[:20]]
        frame.loc[frame["problem_id"].isin(dev), "rm01_scores"] = np.nan
        with pytest.warns(DevSetWarning, match="rm01_scores"):
            Weaver().fit(frame, dev=dev)
        with pytest.raises(ValueError, match="no labels column"):
            Weaver().fit(VerifierTable.from_frame(sim_frame, labels=None), dev=dev)
    # a verifier constant within every problem cannot rank candidates: dropped
    flat = sim_frame.assign(level=sim_frame["problem_id"].astype("category").cat.codes)
    with pytest.warns(VerifierDroppedWarning, match="'level' dropped: constant within every"):
        weaver = Weaver().fit(flat)
    assert not weaver.report_.set_index("verifier").loc["level", "kept"]


def test_cli_dev_file_and_fraction(tmp_path, sim_frame, capsys):
    path = tmp_path / "table.csv"
    sim_frame.to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["weaver", str(path), "--dev-fraction", "0.2", "--seed", "3",
                 "--out", str(out)]) == 0
    dev = pd.read_csv(out / "dev.txt", header=None)[0].astype(str).tolist()
    metrics = json.loads((out / "metrics.json").read_text())
    selected = pd.read_csv(out / "selected.csv")
    assert len(dev) == 40 and metrics["n_problems"] == 160 and metrics["n_dev_problems"] == 40
    assert len(selected) == 200 and selected["dev"].sum() == 40
    assert set(selected.loc[selected["dev"] == 1, "problem_id"].astype(str)) == set(dev)
    held = selected[selected["dev"] == 0]
    assert held["correct"].mean() == pytest.approx(metrics["selected_accuracy"])
    # the same problems from a file give the same selection
    (tmp_path / "dev.txt").write_text("\n".join(dev) + "\nnot-a-problem\n")
    again = tmp_path / "again"
    assert main(["weaver", str(path), "--dev", str(tmp_path / "dev.txt"), "--seed", "3",
                 "--out", str(again)]) == 0
    assert "1 problem ids in" in capsys.readouterr().out
    assert json.loads((again / "metrics.json").read_text())["selection_accuracy"] == \
        metrics["selection_accuracy"]
    assert main(["weaver", str(path), "--dev-fraction", "1.5", "--out",
                 str(tmp_path / "bad1")]) == 2
    assert "--dev-fraction" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="2"):
        main(["weaver", str(path), "--seed", "-1", "--out", str(tmp_path / "bad3")])
    assert "--seed: must be a non-negative integer, got '-1'" in capsys.readouterr().err
    (tmp_path / "none.txt").write_text("x\ny\n")
    assert main(["weaver", str(path), "--dev", str(tmp_path / "none.txt"), "--out",
                 str(tmp_path / "bad2")]) == 2
    assert "none of the 2 problem ids" in capsys.readouterr().err


def test_cli_dev_txt_reads_back_ids_with_commas_and_quotes(tmp_path, sim_frame):
    """``dev.txt`` holds the ids as ``--dev`` reads them: one per line, no CSV quoting."""
    frame = sim_frame.assign(problem_id='what is "' + sim_frame["problem_id"].astype(str)
                             + ', really?')
    path = tmp_path / "table.parquet"
    frame.to_parquet(path)
    first, again = tmp_path / "first", tmp_path / "again"
    assert main(["weaver", str(path), "--dev-fraction", "0.2", "--out", str(first)]) == 0
    assert main(["weaver", str(path), "--dev", str(first / "dev.txt"), "--out",
                 str(again)]) == 0
    dev = [pd.read_csv(out / "selected.csv").set_index("problem_id")["dev"]
           for out in (first, again)]
    assert dev[0].sum() == 40 and dev[0].equals(dev[1])



def test_prior_scale_stays_finite_when_the_prior_splits_the_dev_rows():
    """beta is penalised like v: on dev rows that the label-free direction separates
    perfectly, an unpenalised beta would run off to infinity (157 after Newton's steps),
    and the held-out log-likelihood would reward that overconfidence."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(float)
    prior = np.array([1.0, 0.0, 0.0])
    for alpha in (0.1, 1.0):
        with_prior, _, _ = _penalised_logistic(X, y, prior, alpha)
        ridge, _, _ = _penalised_logistic(X, y, None, alpha)
        assert np.all(np.isfinite(with_prior))
        assert np.linalg.norm(with_prior) < 2 * np.linalg.norm(ridge) + 1.0
