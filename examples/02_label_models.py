"""Compare label models on the YouTube spam data shipped with wslib, then stream statistics.

4.5 s of CPU time (user + system time from ``/usr/bin/time`` on a 2-core machine,
numba's kernels cached)::

    python examples/02_label_models.py
"""

import warnings

import numpy as np

from wslib.datasets import load_embedded
from wslib.datasets.synthetic import make_votes
from wslib.exceptions import CoverageWarning
from wslib.labelmodel import (
    DawidSkene,
    LabelModel,
    MajorityVote,
    Triplet,
    VoteStats,
    WeightedMajorityVote,
    load,
)

warnings.simplefilter("ignore", CoverageWarning)  # some comments get no votes; that is fine

# 1. fit every model on the train votes, score on the test split with the WRENCH metric
ds = load_embedded("youtube")
train, test = ds["train"], ds["test"]
for model in [MajorityVote(), WeightedMajorityVote(), Triplet(), DawidSkene(), LabelModel()]:
    model.fit(train.L)
    print(f"{type(model).__name__:22s} {ds.metric} = {model.score(test.L, test.y, metric=ds.metric):.3f}")

# 2. what the default model learned: one accuracy per LF, and the LF pairs it treats as nested
model = LabelModel().fit(train.L)
print("estimated LF accuracies:", np.round(model.accuracy_, 2))
print("nested (fixer, fixed) LF pairs:", model.fixes_.tolist())
# keyword LFs vote one class each, so the soft label is the weighted vote of their precisions
print(f"share of votes from LFs voting several classes: {model.multipolar_share_:.2f} "
      f"-> posterior {model.posterior_!r}; precisions identified: {model.identified_.sum()} "
      f"of {model.n_sources_} LFs")

# 3. a few gold labels sharpen the estimates; they are just extra votes of evidence
dev = ds["valid"]
tuned = LabelModel().fit(train.L, y_dev=dev.y, L_dev=dev.L)
print(f"with {len(dev)} dev labels: {tuned.score(test.L, test.y):.3f}")

# 4. soft labels for an end model, and persistence without pickle
soft = model.predict_proba(test.L)
model.save("/tmp/label_model.npz")
assert np.array_equal(load("/tmp/label_model.npz").predict_proba(test.L), soft)

# 5. streaming: statistics of chunks merge exactly, so fitting once at the end is the same fit
big = make_votes(200_000, 30, 3, n_unipolar=10, random_state=0)
stats = None
for start in range(0, big.L.shape[0], 50_000):
    chunk = VoteStats.from_votes(big.L[start:start + 50_000], 3)
    stats = chunk if stats is None else stats + chunk
streamed = LabelModel().fit_stats(stats)
print(f"streamed fit accuracy on synthetic data: {streamed.score(big.L, big.y):.3f}; "
      f"max |accuracy - truth| = {np.abs(streamed.accuracy_ - big.accuracy).max():.3f}; "
      f"these sources vote every class, so the posterior is {streamed.posterior_!r}")
