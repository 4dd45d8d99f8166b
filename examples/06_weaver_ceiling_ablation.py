"""What must a verifier-combining model know? Ablate the simulator's truth.

The benchmark's Bayes selector (``wslib.bench.weaver.bayes_ceiling``) knows how the
simulator drew every score. Leaving one element of that truth out of its model
(the tables stay the same) and watching selection accuracy fall says which
structure a label-free model has to learn. docs/weaver.md ("Which parts of the
truth matter") shows the full table; this reproduces it.

Two tables, one seed (about 10 s of CPU time, measured)::

    python examples/06_weaver_ceiling_ablation.py

The docs table (6 calibrated tables x 3 seeds; 157 s of CPU time, measured the same way)::

    python examples/06_weaver_ceiling_ablation.py --all --seeds 3
"""

import argparse

import numpy as np

from wslib.bench.weaver import ABLATIONS, BAR_TABLES, GRID, bayes_ceiling
from wslib.datasets.synthetic import make_verifier_table
from wslib.weaver import VerifierTable, selection_metrics

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--all", action="store_true", help="every calibrated table of the bar")
parser.add_argument("--seeds", type=int, default=1)
args = parser.parse_args()
tables = BAR_TABLES if args.all else ("math500-70b P500 N16 M20",
                                      "gpqa-diamond-70b P500 N16-64 M30")
LABELS = {"fooling": "no answer-level fooling", "families": "family errors independent",
          "offset": "no problem offset", "offset-direction": "offset free in every direction",
          "count-prior": "no answer-count prior"}
# the full truth, each element left out alone, and the answer model's earlier form
variants = {"full": ()} | {LABELS[name]: (name,) for name in ABLATIONS} | {
    "free offset, no count prior": ("offset-direction", "count-prior")}


def short(name: str) -> str:
    regime, _, size, *_ = name.split()
    return f"{regime.split('-')[0].upper()[:4]} {size}"


print(f"{'truth model':32s}" + "".join(f"{short(t):>12s}" for t in tables))
accuracy = {v: [] for v in variants}
for name in tables:
    per_seed = {v: [] for v in variants}
    for seed in range(args.seeds):
        frame, truth = make_verifier_table(**GRID[name], random_state=seed, return_truth=True)
        table = VerifierTable.from_frame(frame)
        for variant, drop in variants.items():
            rows = bayes_ceiling(table, truth, observed=True, drop=drop)
            per_seed[variant].append(selection_metrics(table, rows)["selection_accuracy"])
    for variant in variants:
        accuracy[variant].append(np.mean(per_seed[variant]))
for variant, values in accuracy.items():
    print(f"{variant:32s}" + "".join(f"{v:12.3f}" for v in values))
