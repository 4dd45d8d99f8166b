"""Weaver end to end: selection quality, invariances, modes, bad input, metrics."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from tests.weaver.conftest import FIXTURES
from wslib.cli import main
from wslib.datasets.synthetic import make_verifier_table
from wslib.exceptions import NotFittedError
from wslib.weaver import (
    SmallTableWarning,
    VerifierDroppedWarning,
    VerifierTable,
    Weaver,
    selection_metrics,
)
from wslib.weaver.distill import DistilledScorer
from wslib.weaver.metrics import gap_closed

KEYS = ("selection_accuracy", "pass_at_1", "majority_vote", "naive_mean",
        "best_single_verifier", "oracle_pass_at_n")


def _selected_pairs(table, rows):
    return list(zip(table.problem_ids.tolist(), table.candidate_ids[rows].tolist()))


def test_label_free_beats_baselines_on_the_simulator():
    """The calibrated MATH-500 regime (the default), fixed seed: the bar's comparisons."""
    table = VerifierTable.from_frame(make_verifier_table(500, 16, 20, random_state=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerifierDroppedWarning)
        weaver = Weaver().fit(table)
        candidate = Weaver(aggregate="candidate").fit(table)
        factor = Weaver(use_answers=False, aggregate="candidate").fit(table)
    m = selection_metrics(table, weaver.select(table))
    assert weaver.aggregate_ == "answer" and candidate.answer_model_ is None
    assert weaver.model_.weights_from_ == "answer groups"
    assert factor.model_.weights_from_ == "factor"
    assert m["selection_accuracy"] >= m["naive_mean"] + 0.03
    assert m["selection_accuracy"] >= m["majority_vote"]
    assert m["selection_accuracy"] >= m["best_single_verifier"]
    assert m["selection_accuracy"] <= m["oracle_pass_at_n"]
    # answers pooled by the answer-level model beat the best single candidate ...
    by_candidate = selection_metrics(table, candidate.select(table))["selection_accuracy"]
    assert m["selection_accuracy"] > by_candidate
    # ... and the answer groups' weights beat the factor weights (shared family errors)
    assert by_candidate > selection_metrics(table, factor.select(table))["selection_accuracy"]


@pytest.mark.parametrize("regime, majority, oracle", [("math500-70b", (0.80, 0.88), 0.97),
                                                      ("gpqa-diamond-70b", (0.42, 0.52), 0.90)])
def test_calibrated_regimes_land_in_the_documented_ranges(regime, majority, oracle):
    """docs/weaver.md, "simulator calibration": 500 problems x 100 samples, fixed seed."""
    from wslib.datasets.synthetic.verifiers import REGIMES

    m = selection_metrics(VerifierTable.from_frame(
        make_verifier_table(500, 100, 30, **REGIMES[regime], random_state=0)))
    assert majority[0] <= m["majority_vote"] <= majority[1]
    assert m["majority_vote"] - 0.08 <= m["naive_mean"] <= m["majority_vote"] + 0.02
    assert m["oracle_pass_at_n"] >= oracle
    assert m["pass_at_1"] < m["majority_vote"] + 0.03
    assert m["naive_mean"] < m["best_single_verifier"] < m["oracle_pass_at_n"]


def test_shuffled_rows_give_the_same_selection(sim_frame):
    table = VerifierTable.from_frame(sim_frame)
    shuffled = VerifierTable.from_frame(sim_frame.sample(frac=1.0, random_state=5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerifierDroppedWarning)
        a = Weaver().fit(table)
        b = Weaver().fit(shuffled)
    assert _selected_pairs(table, a.select(table)) == _selected_pairs(shuffled,
                                                                     b.select(shuffled))
    assert np.allclose(a.decision_function(table), b.decision_function(shuffled))


def test_dataframe_results_come_in_the_frames_row_order(sim_frame):
    """Given a DataFrame, per-row results and selected rows index that frame as given, so
    ``df.iloc[weaver.select(df)]`` and ``df.assign(p=...)`` line up with its rows."""
    shuffled = sim_frame.sample(frac=1.0, random_state=5).reset_index(drop=True)
    table = VerifierTable.from_frame(shuffled)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weaver = Weaver().fit(shuffled)
    rows = weaver.select(shuffled)
    picked = shuffled.iloc[rows]
    assert picked["problem_id"].tolist() == list(table.problem_ids)  # one per problem, sorted
    assert (table.frame_index[weaver.select(table)] == rows).all()
    by_table = weaver.predict_proba(table)[:, 1]
    by_frame = weaver.predict_proba(shuffled)[:, 1]
    assert np.allclose(by_frame[table.frame_index], by_table)
    assert np.allclose(weaver.decision_function(shuffled)[table.frame_index],
                       weaver.decision_function(table))
    assert np.allclose(weaver.predict_answer_proba(shuffled)[table.frame_index],
                       weaver.predict_answer_proba(table))
    # metrics read the rows in the same order as the input they are given with
    assert selection_metrics(shuffled, rows) == selection_metrics(table, weaver.select(table))
    with pytest.raises(ValueError, match="is not a candidate of problem"):
        selection_metrics(table, rows)  # frame positions against the sorted table


def test_selection_metrics_checks_the_rows(tiny_frame):
    table = VerifierTable.from_frame(tiny_frame)  # problems a (rows 0-2), b (3-4), c (5)
    # correct column: a 0 1 1, b 1 0, c 1
    assert selection_metrics(table, [1, 3, 5])["selection_accuracy"] == 1.0
    assert selection_metrics(table, [0, 4, 5])["selection_accuracy"] == pytest.approx(1 / 3)
    assert selection_metrics(table, [2, 4, 5])["oracle_pass_at_n"] == 1.0
    with pytest.raises(ValueError, match=r"selected\[1\] = 0 is not a candidate of problem"):
        selection_metrics(table, [0, 0, 5])
    with pytest.raises(ValueError, match=r"selected\[0\] = -1 is not a row position"):
        selection_metrics(table, [-1, 3, 5])
    with pytest.raises(TypeError, match="integer row positions"):
        selection_metrics(table, [0.9, 3, 5])
    with pytest.raises(ValueError, match="expected one row per problem"):
        selection_metrics(table, [0, 3])


def test_label_free_never_reads_labels(sim_frame):
    flipped = sim_frame.assign(correct=1 - sim_frame["correct"])
    t1, t2 = VerifierTable.from_frame(sim_frame), VerifierTable.from_frame(flipped)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerifierDroppedWarning)
        for params in ({}, {"representation": "binary"}):
            assert (Weaver(**params).fit(t1).select(t1) ==
                    Weaver(**params).fit(t2).select(t2)).all()


def test_degenerate_columns_dropped_with_named_warning(sim_frame):
    frame = sim_frame.assign(dead=np.nan, flat=3.0, zcopy=2.0 * sim_frame["rm00_scores"] + 1.0)
    with pytest.warns(VerifierDroppedWarning) as caught:
        weaver = Weaver().fit(VerifierTable.from_frame(frame))
    messages = " ".join(str(w.message) for w in caught)
    assert "'dead' dropped: all missing" in messages
    assert "'flat' dropped: constant" in messages
    assert "dead" not in weaver.verifiers_ and "flat" not in weaver.verifiers_
    report = weaver.report_.set_index("verifier")
    assert report.loc["dead", "reason"] == "all missing" and not report.loc["flat", "kept"]
    # a rescaled copy of a verifier (a second checkpoint) is reported as a duplicate
    assert weaver.dropped_["zcopy"].startswith("duplicate of rm00_scores")
    # ... unless it is declared one family with it: the family weights count them once
    kin = Weaver(families={"zcopy": "rm00", "rm00_scores": "rm00"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kin.fit(VerifierTable.from_frame(frame))
    assert "zcopy" in kin.verifiers_ and np.isfinite(kin.model_.weight_).all()


def test_single_candidate_problem_selects_it(tiny_frame):
    table = VerifierTable.from_frame(tiny_frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = Weaver(max_correlation=1.0).fit(table).select(table)
    assert rows.tolist() == [1, 3, 5]


def test_only_single_candidate_problems_is_refused(tiny_frame):
    single = tiny_frame.groupby("problem_id").head(1)
    with pytest.raises(ValueError, match="every problem has a single candidate"):
        Weaver().fit(VerifierTable.from_frame(single))
    with pytest.raises(ValueError, match="class_balance must lie strictly between 0 and 1"):
        Weaver(class_balance=1.5).fit(VerifierTable.from_frame(tiny_frame))
    with pytest.raises(ValueError, match="max_iter must be a positive integer, got 0"):
        Weaver(max_iter=0).fit(tiny_frame)
    with pytest.raises(ValueError, match=r"max_correlation must lie in \(0, 1\]"):
        Weaver(max_correlation=0).fit(tiny_frame)
    with pytest.raises(ValueError, match="zero rows"):
        Weaver().fit(tiny_frame.iloc[:0])
    for params, message in [({"class_balance": "a"}, "class_balance must lie strictly"),
                            ({"threshold": float("nan")}, "threshold must lie strictly"),
                            ({"positive_rate": 0.5}, r"positive_rate must be a pair"),
                            ({"positive_rate": (0.9, 0.1)}, r"0 <= low < high <= 1")]:
        with pytest.raises(ValueError, match=message):
            Weaver(**params).fit(tiny_frame)
    with pytest.raises(TypeError, match="center must be True or False"):
        Weaver(center="no").fit(tiny_frame)


def test_answer_pooling(tiny_frame):
    table = VerifierTable.from_frame(tiny_frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weaver = Weaver(aggregate="answer", max_correlation=1.0).fit(table)
    assert weaver.select(table)[0] in (1, 2)  # the pooled answer "2"
    no_answers = VerifierTable.from_frame(tiny_frame, answer=None)
    with pytest.raises(ValueError, match="needs an answer column"):
        weaver.select(no_answers)


def test_faithful_mode_needs_a_class_balance(tiny_frame, sim_frame):
    with pytest.raises(ValueError, match="faithful mode takes the class balance"):
        Weaver("faithful").fit(VerifierTable.from_frame(tiny_frame, labels=None))
    table = VerifierTable.from_frame(sim_frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerifierDroppedWarning)
        weaver = Weaver("faithful").fit(table)
    assert weaver.class_balance_ == pytest.approx(table.labels.mean())
    assert weaver.model_.__class__.__name__ == "BinaryMomentModel"
    assert any("positive rate" in r or "duplicate" in r for r in weaver.dropped_.values())


def test_bad_parameters_and_unfitted(sim_frame):
    table = VerifierTable.from_frame(sim_frame)
    with pytest.raises(ValueError, match="unknown mode"):
        Weaver("magic").fit(table)
    with pytest.raises(ValueError, match="unknown representation"):
        Weaver(representation="ternary").fit(table)
    with pytest.raises(NotFittedError):
        Weaver().decision_function(table)
    with pytest.raises(TypeError, match="VerifierTable or DataFrame"):
        Weaver().fit(np.zeros((3, 3)))
    assert clone(Weaver(aggregate="answer")).get_params()["aggregate"] == "answer"


def test_scores_new_tables_and_names_missing_verifiers(sim_frame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerifierDroppedWarning)
        weaver = Weaver().fit(sim_frame)
    proba = weaver.predict_proba(sim_frame.head(40))
    assert proba.shape == (40, 2) and np.allclose(proba.sum(axis=1), 1.0)
    kept = weaver.verifiers_[0]
    with pytest.raises(KeyError, match=kept):
        weaver.decision_function(sim_frame.drop(columns=kept))


def test_metrics_by_hand():
    df = pd.DataFrame({"problem_id": [0, 0, 0, 1, 1], "candidate_id": [0, 1, 2, 0, 1],
                       "answer": ["7", "8", "8", "x", "y"], "correct": [1, 0, 0, 0, 0],
                       "v1": [0.9, 0.1, 0.2, 0.5, 0.4], "v2": [0.1, 0.8, 0.9, 0.3, 0.2]})
    m = selection_metrics(VerifierTable.from_frame(df), selected=np.array([0, 3]))
    assert m["selection_accuracy"] == 0.5 and m["oracle_pass_at_n"] == 0.5
    assert m["pass_at_1"] == pytest.approx((1 / 3 + 0) / 2)  # a random candidate
    assert m["majority_vote"] == 0.0              # answer "8" wins problem 0
    assert m["best_single_verifier"] == 0.5 and m["best_single_verifier_name"] == "v1"
    assert m["gap_closed"] is None                # best single already reaches the oracle
    assert gap_closed(0.9, 0.8, 1.0) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="one row per problem"):
        selection_metrics(VerifierTable.from_frame(df), selected=np.array([0]))


def test_distilled_scorer_reproduces_weaver(sim_frame):
    table = VerifierTable.from_frame(sim_frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerifierDroppedWarning)
        weaver = Weaver().fit(table)
    teacher = weaver.predict_proba(table)[:, 1]
    features = np.nan_to_num(weaver.transform(table))  # what the student sees
    train = table.problem % 2 == 0
    scorer = DistilledScorer(hidden=16, epochs=10, batch_size=128, lr=1e-2,
                             device="cpu").fit(features[train], teacher[train])
    student = scorer.decision_function(features[~train])  # log-odds, like the teacher's
    assert np.corrcoef(student, weaver.decision_function(table)[~train])[0, 1] > 0.9
    with pytest.raises(ValueError, match="probabilities"):
        DistilledScorer().fit(features, teacher * 2)
    with pytest.raises(ValueError, match="row 0"):
        scorer.decision_function(np.full((2, features.shape[1]), np.nan))


def test_cli_writes_selection_and_metrics(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["weaver", str(FIXTURES / "weaver_layout.parquet"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "GRM_scores" in printed and "selection_accuracy" in printed
    assert "answer=extracted_answers, labels=answer_correct" in printed
    assert "warning: 24 problems and" in printed  # warnings are shown, not swallowed
    metrics = json.loads((out / "metrics.json").read_text())
    assert all(k in metrics for k in KEYS) and "gap_closed" in metrics
    selected = pd.read_csv(out / "selected.csv")
    assert len(selected) == 24 and selected["correct"].mean() == metrics["selected_accuracy"]
    assert (out / "verifiers.csv").exists() and (out / "scores.csv").exists()


def test_cli_long_csv_without_labels_and_bad_input(tmp_path, capsys, tiny_frame):
    out = tmp_path / "out"
    assert main(["weaver", str(FIXTURES / "long.csv"), "--labels", "none", "--aggregate",
                 "answer", "--out", str(out)]) == 0
    assert not (out / "metrics.json").exists() and (out / "selected.csv").exists()
    bad = tiny_frame.astype({"rm": object})
    bad.loc[0, "rm"] = "n/a?"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    assert main(["weaver", str(tmp_path / "bad.csv"), "--out", str(out), "--force"]) == 2
    assert "'rm'" in capsys.readouterr().err
    # the faithful mode without labels says which flag gives it the class balance
    args = ["weaver", str(FIXTURES / "long.csv"), "--labels", "none", "--mode", "faithful"]
    assert main([*args, "--out", str(out), "--force"]) == 2
    assert "--class-balance" in capsys.readouterr().err
    assert main([*args, "--class-balance", "0.4", "--out", str(out), "--force"]) == 0
    # JSON lines saved under a .json name are read as JSON lines
    tiny_frame.to_json(tmp_path / "t.json", orient="records", lines=True)
    assert main(["weaver", str(tmp_path / "t.json"), "--out", str(out), "--force"]) == 0
    bad = tiny_frame.assign(correct=[0, 2.0, 1, 1, 0, 1])
    bad.to_csv(tmp_path / "labels.csv", index=False)
    assert main(["weaver", str(tmp_path / "labels.csv"), "--out", str(out), "--force"]) == 2
    assert "row 1 holds 2.0" in capsys.readouterr().err


def test_bench_quick_records_and_markdown(tmp_path):
    from wslib.bench.weaver import render_markdown

    path = tmp_path / "weaver.json"
    assert main(["bench", "weaver", "--quick", "--suite", "simulator", "--json", str(path)]) == 0
    records = json.loads(path.read_text())
    methods = {r["method"] for r in records}
    assert {"weaver", "weaver-faithful", "naive_mean", "oracle_pass_at_n"} <= methods
    assert all(0.0 <= r["value"] <= 1.0 for r in records)
    text = render_markdown(records)
    assert text.count("|") > 20 and "weaver" in text


def test_bench_report_keeps_the_stress_regime_apart_from_the_bar():
    from wslib.bench.core import record
    from wslib.bench.weaver import BAR_TABLES, STRESS_TABLES, SUPERVISED, render_markdown

    records = []
    for table in (BAR_TABLES[0], STRESS_TABLES[0]):
        stats = dict(seed=0, sample_accuracy=0.7, verifier_accuracy_min=0.5,
                     verifier_accuracy_median=0.6, verifier_accuracy_max=0.8,
                     rank_correlation_median=0.1, rank_correlation_p90=0.5)
        for method, value in (("naive_mean", 0.70), ("majority_vote", 0.72),
                              ("best_single_verifier", 0.75), ("pass_at_1", 0.6),
                              ("oracle_pass_at_n", 0.95)):
            records.append(record(table, method, "selection_accuracy", value, None, **stats))
        records.append(record(table, "weaver", "selection_accuracy", 0.85, 0.1, fit_seconds=0.1,
                              fit_cpu_seconds=0.1, **stats))
        records.append(record(table, SUPERVISED, "selection_accuracy", 0.8, None, **stats))
    text = render_markdown(records)
    bar, stress = text.index("The simulator bar on the calibrated"), text.index("stress regime")
    assert bar < text.index(f"| {BAR_TABLES[0]} | 15.0 (>= +3) | 13.0 | 0.850 |") < stress
    assert text.index(f"| {STRESS_TABLES[0]} | 15.0 (>= +3)") > stress
    assert "0.500 / 0.600 / 0.800" in text  # the verifier pool's accuracy spread


def test_small_labelled_subset(sim_frame):
    table = VerifierTable.from_frame(sim_frame)
    dev = table.problem_ids[:25]
    rows = np.isin(table.problem, np.arange(25))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerifierDroppedWarning)
        weaver = Weaver(representation="auto").fit(table, dev=dev)
        plain = Weaver().fit(table)
    assert weaver.class_balance_ == pytest.approx(table.labels[rows].mean())
    assert set(weaver.dev_accuracy_) == {"continuous", "binary"}
    assert weaver.representation_ == max(weaver.dev_accuracy_, key=weaver.dev_accuracy_.get)
    assert plain.representation_ == "continuous" and not hasattr(plain, "dev_accuracy_")
    with pytest.raises(ValueError, match="none of the 1 dev problems is in the table"):
        Weaver().fit(table, dev=["no-such-problem"])
    with pytest.raises(ValueError, match="no labels column"):
        Weaver().fit(VerifierTable.from_frame(sim_frame, labels=None), dev=dev)


def test_small_tables_warn_that_label_free_selection_is_unreliable(sim_frame):
    table = VerifierTable.from_frame(sim_frame)  # 200 problems, 16 verifiers
    with pytest.warns(SmallTableWarning, match="200 problems and 1[0-6] kept verifiers"):
        Weaver().fit(table)
    big = VerifierTable.from_frame(make_verifier_table(300, 8, 20, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallTableWarning)
        Weaver().fit(big)  # 300 problems: at the documented size, no warning
        Weaver(mode="faithful").fit(table)  # the faithful mode reproduces the paper as is


def test_distilled_scorer_names_an_absent_device():
    import torch

    from wslib.device import DeviceUnavailableError

    if torch.cuda.is_available():
        pytest.skip("CUDA is present here")
    with pytest.raises(DeviceUnavailableError, match="pass device='cpu'"):
        DistilledScorer(device="cuda").fit(np.zeros((4, 2)), np.full(4, 0.5))


def test_the_old_spelling_of_normalization_is_named():
    """Weaver(normalisation=...) (the spelling before wslib settled on scikit-learn's)
    says what to write instead, with no Snorkel pointer."""
    with pytest.raises(TypeError, match=r"no argument 'normalisation': wslib spells it "
                                        r"normalization=") as err:
        Weaver(normalisation="rank")
    assert "Snorkel" not in str(err.value)
    assert Weaver(normalization="rank").get_params()["normalization"] == "rank"
