"""Audit of the benchmark references against independent definitions.

* The naive rank mean ties candidates whose mean rank is equal, whatever the float order
  of the sum (it depended on the order of the verifier columns).
* ``reference/best-single-dev-*`` averages the verifiers tied on the dev problems (it
  took the first column), and reads only the dev labels.
* HyperLM's wrapper puts the soft labels back on their rows when rows have no votes.
"""

from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wslib.bench.weaver_real import _best_single_dev
from wslib.weaver import read_table
from wslib.weaver.metrics import baseline_scores, expected_accuracy, selection_metrics

ROOT = Path(__file__).resolve().parents[2]
REWARDMATH = ROOT.parent / "shared" / "data" / "verifiers" / "rewardmath" / "rewardmath.csv"


def _latin_square_table() -> pd.DataFrame:
    """One problem, 3 candidates, 3 verifiers: candidate i has rank (i + j) % 3 under
    verifier j, so every candidate's mean rank is 1/2 (a three-way tie); in floating
    point the three sums are not all equal."""
    rows = [{"problem_id": 0, "candidate_id": i, "label": int(i == 1),
             **{f"v{j}": float((i + j) % 3) for j in range(3)}} for i in range(3)]
    return pd.DataFrame(rows)


def _exact_naive_accuracy(df: pd.DataFrame, verifiers: list[str]) -> float:
    """The naive rank mean's expected accuracy in exact rational arithmetic."""
    accs = []
    for _, g in df.groupby("problem_id"):
        ranks, counts = g[verifiers].rank(method="average"), g[verifiers].count()
        means = []
        for i in range(len(g)):
            terms = [Fraction(int(2 * ranks.iloc[i][v]) - 1, 2 * int(counts[v]))
                     for v in verifiers if not np.isnan(g[verifiers].iloc[i][v])]
            means.append(sum(terms) / len(terms) if terms else None)
        top = max(m for m in means if m is not None)
        accs.append(np.mean([y for y, m in zip(g["label"], means) if m == top]))
    return float(np.mean(accs))


def test_naive_rank_mean_ties_are_exact():
    df = _latin_square_table()
    for order in (["v0", "v1", "v2"], ["v2", "v1", "v0"], ["v1", "v0", "v2"]):
        m = selection_metrics(df[["problem_id", "candidate_id", "label", *order]])
        assert m["naive_mean"] == pytest.approx(1 / 3)  # was 1.0 for the first order


def test_naive_rank_mean_keeps_missing_scores_out():
    df = pd.DataFrame({"problem_id": [0, 0, 0], "candidate_id": [0, 1, 2],
                       "label": [0, 1, 0], "a": [1.0, 3.0, np.nan], "b": [np.nan, 1.0, 2.0]})
    naive = baseline_scores(read_table(df))["naive_mean"]
    # a: ranks 1/4, 3/4 (two present); b: 1/4, 3/4 -> means 1/4, (3/4+1/4)/2, 3/4
    np.testing.assert_allclose(naive, [0.25, 0.5, 0.75])
    assert _exact_naive_accuracy(df, ["a", "b"]) == 0.0


def test_best_single_dev_averages_verifiers_tied_on_dev():
    # two problems; p0 is the dev problem, where "a" and "b" both pick the correct row
    df = pd.DataFrame({"problem_id": [0, 0, 1, 1], "candidate_id": [0, 1, 0, 1],
                       "label": [1, 0, 1, 0], "a": [1.0, 0.0, 1.0, 0.0],
                       "b": [1.0, 0.0, 0.0, 1.0], "c": [0.0, 1.0, 1.0, 0.0]})
    dev = np.array([True, False])
    values = []
    for cols in (["a", "b", "c"], ["b", "a", "c"], ["c", "b", "a"]):
        table = read_table(df[["problem_id", "candidate_id", "label", *cols]])
        rec = _best_single_dev("t", table, table.labels.astype(float), dev, "50pct", {})
        assert rec["n_tied"] == 2 and set(rec["verifier"].split(" | ")) == {"a", "b"}
        values.append(rec["value"])
    assert values == [0.5, 0.5, 0.5]  # a scores 1 on p1, b scores 0: a uniform pick 0.5


def test_best_single_dev_reads_only_dev_labels():
    rng = np.random.default_rng(0)
    n, k, m = 40, 4, 5
    df = pd.DataFrame({"problem_id": np.repeat(np.arange(n), k),
                       "candidate_id": np.tile(np.arange(k), n),
                       "label": rng.integers(0, 2, n * k)})
    for j in range(m):
        df[f"v{j}"] = df["label"] * j * 0.3 + rng.normal(size=n * k)
    dev = np.zeros(n, dtype=bool)
    dev[rng.choice(n, 8, replace=False)] = True
    table = read_table(df)
    y = table.labels.astype(float)
    rec = _best_single_dev("t", table, y, dev, "20pct", {})
    held_rows = ~dev[table.problem]
    shuffled = y.copy()
    shuffled[held_rows] = rng.permutation(y[held_rows])  # other held labels, same dev labels
    again = _best_single_dev("t", table, shuffled, dev, "20pct", {})
    assert again["verifier"] == rec["verifier"]
    expected = expected_accuracy(table.scores, y, table.starts)[~dev]
    picked = [table.verifiers.index(v) for v in rec["verifier"].split(" | ")]
    assert rec["value"] == pytest.approx(expected[:, picked].mean())


def test_real_table_naive_rank_mean_does_not_depend_on_column_order():
    if not REWARDMATH.exists():
        pytest.skip(f"verifier table not present at {REWARDMATH}")
    df = pd.read_csv(REWARDMATH)
    verifiers = [c for c in df.columns if c not in ("problem_id", "candidate_id", "label")]
    values = set()
    for cols in (verifiers, verifiers[::-1], verifiers[1:] + verifiers[:1]):
        table = read_table(df[["problem_id", "candidate_id", "label", *cols]])
        values.add(float(expected_accuracy(baseline_scores(table)["naive_mean"],
                                           table.labels.astype(float), table.starts).mean()))
    assert len(values) == 1  # was 0.2847 / 0.2857 / 0.2836


def test_hyperlm_rows_without_votes_keep_their_place():
    pytest.importorskip("hyperlm")
    from wslib.bench.peers import _HyperLM

    rng = np.random.default_rng(0)
    n, m = 40, 5
    y = rng.integers(0, 3, n)
    L = np.where(rng.random((n, m)) < 0.85, y[:, None], rng.integers(0, 3, (n, m)))
    L = np.where(rng.random((n, m)) < 0.6, L, -1)
    L[[2, 20, 37, 38, 39]] = -1  # no votes, in the middle and trailing
    adapter = _HyperLM(3, 0)
    proba = adapter.fit(L).predict_proba(L)
    voted = (L >= 0).any(axis=1)
    assert proba.shape == (n, 3)
    np.testing.assert_allclose(proba[~voted], 1 / 3)
    perm = rng.permutation(n)  # the labels follow their rows
    again = _HyperLM(3, 0).fit(L[perm]).predict_proba(L[perm])
    np.testing.assert_array_equal(again[voted[perm]].argmax(1), proba[perm][voted[perm]].argmax(1))
