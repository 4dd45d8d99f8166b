"""Best-of-N with weak verifiers: combine 30 imperfect verifiers without any gold
label, pick one answer per problem, compare with the usual baselines, then distil
the ensemble into one small scorer.

Runs in about 15-18 s of CPU time (measured, first run included)::

    python examples/04_weaver_best_of_n.py

To run Weaver on your own table (one row per candidate, or Weaver's published
one-row-per-problem layout) use the command line instead::

    wslib weaver my_table.parquet --labels correct --out weaver_out/
"""

import warnings

import numpy as np

from wslib.datasets.synthetic import make_verifier_table
from wslib.weaver import (DevSetWarning, VerifierDroppedWarning, VerifierTable, Weaver,
                          selection_metrics)
from wslib.weaver.distill import DistilledScorer
from wslib.weaver.normalize import normalize_scores
from wslib.weaver.select import segment_argmax

# 1. a verifier table: 500 problems, 16-64 sampled answers each, 30 verifiers on their
#    own scales (raw rewards, probabilities, 0/1 verdicts, Likert grades, missing values)
frame = make_verifier_table(n_problems=500, n_candidates=(16, 64), n_verifiers=30,
                            random_state=0)
print(frame.iloc[:3, :8].to_string(), "\n")
table = VerifierTable.from_frame(frame)   # problem_id / candidate_id / answer / correct

# 2. fit without labels (the "correct" column is only used for the metrics below)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", VerifierDroppedWarning)  # reasons are in report_
    weaver = Weaver().fit(table)
print(weaver.report_.sort_values("separation", ascending=False).head(8).to_string(), "\n")
print(f"estimated share of correct candidates: {weaver.class_balance_:.2f} "
      f"(true {table.labels.mean():.2f})\n")

# 3. select one candidate per problem and compare with the baselines (metrics average
#    over tied candidates: selection_score gives Weaver's own per-row score)
selected = weaver.select(table)
metrics = selection_metrics(table, scores=weaver.selection_score(table))
for key in ("selection_accuracy", "naive_mean", "majority_vote", "best_single_verifier",
            "pass_at_1", "oracle_pass_at_n", "gap_closed"):
    print(f"{key:>22}: {metrics[key]:.3f}")

# Weaver picked the answer most probably correct (answers pool their candidates'
# evidence); picking the single best-scored candidate instead:
with warnings.catch_warnings():
    warnings.simplefilter("ignore", VerifierDroppedWarning)
    by_candidate = Weaver(aggregate="candidate").fit(table).select(table)
print(f"{'best candidate':>22}: "
      f"{selection_metrics(table, by_candidate)['selection_accuracy']:.3f}")

# 4. a few labelled problems (10 %): their labels teach which verifiers to trust;
#    score the selection on the other problems only
dev = np.isin(table.problem, np.arange(0, table.n_problems, 10))
dev_problems = np.unique(table.problem[dev])
with warnings.catch_warnings():
    warnings.simplefilter("ignore", VerifierDroppedWarning)
    warnings.simplefilter("ignore", DevSetWarning)  # some dev problems are all right or wrong
    few = Weaver().fit(table, dev=table.problem_ids[dev_problems])
outside = ~np.isin(np.arange(table.n_problems), dev_problems)
for name, model in (("label-free", weaver), ("10 % labelled", few)):
    m = selection_metrics(table, scores=model.selection_score(table), problems=outside)
    print(f"{name:>22}: {m['selection_accuracy']:.3f} on the {m['n_problems']} other problems"
          f" (selector: {model.selector_})")

# 5. distil: a small scorer trained on Weaver's P(correct) from the six verifiers it
#    trusts most, trained on the even problems and used alone on the odd ones
teacher = weaver.predict_proba(table)[:, 1]
top6 = weaver.report_.dropna().nlargest(6, "separation")["verifier"]
cheap = [table.verifiers.index(v) for v in top6]
features = np.nan_to_num(normalize_scores(table.scores[:, cheap], "rank"), nan=0.5)
train = table.problem % 2 == 0
student = DistilledScorer(epochs=10).fit(features[train], teacher[train])
picked = segment_argmax(student.decision_function(features), table.starts)
held_out = np.arange(1, table.n_problems, 2)
print(f"\ndistilled scorer on held-out problems: {table.labels[picked[held_out]].mean():.3f} "
      f"(Weaver {table.labels[selected[held_out]].mean():.3f})")
