"""Train an end model on a label model's soft labels and compare it with the label model.

YouTube spam comments shipped with wslib: the WRENCH labeling functions' votes ->
LabelModel -> soft labels -> TF-IDF + MLP end model -> test accuracy, with the
weak-to-strong confidence loss, a gold-label ceiling for the PGR, and the
WRENCH protocol (a small gold dev set selects the model); 47 s of CPU time (user +
system time from ``/usr/bin/time`` on a 2-core machine, numba's kernels cached)::

    python examples/03_end_model.py
"""

import warnings

import numpy as np

from wslib.datasets import load_embedded
from wslib.endmodel import EndModel, tfidf_features
from wslib.endmodel.features import texts_of
from wslib.exceptions import CoverageWarning
from wslib.labelmodel import LabelModel
from wslib.metrics import performance_gap_recovered
from wslib.pipeline import run_wrench

warnings.simplefilter("ignore", CoverageWarning)  # 12% of comments get no LF vote

# 1. data: votes of 10 LFs, raw texts, gold labels (used only to score)
ds = load_embedded("youtube")
train, test = ds["train"], ds["test"]
X_train, X_test = tfidf_features(texts_of(train.data), texts_of(test.data))
print(f"{len(train)} train / {len(test)} test comments, {X_train.shape[1]} TF-IDF features")

# 2. label model -> soft labels for the training comments
lm = LabelModel().fit(train.L)
P, covered = lm.predict_proba(train.L), lm.coverage(train.L)
weak = lm.score(test.L, test.y)
print(f"label model        test accuracy {weak:.3f}  (train coverage {covered.mean():.0%})")

# 3. the same end model on gold train labels: the ceiling
ceiling = EndModel(random_state=0).fit(X_train, train.y).score(X_test, test.y)

# 4. end models on the label model's labels; comments without a vote are dropped
variants = {
    "defaults (soft + confidence)": EndModel(),
    "soft CE, no confidence": EndModel(confidence_coef=0.0),
    "hard labels": EndModel(target="hard", confidence_coef=0.0),
    "sharpened soft (T=0.25)": EndModel(label_temperature=0.25, confidence_coef=0.0),
}
for name, model in variants.items():
    acc = model.fit(X_train, label_model=lm, L=train.L).score(X_test, test.y)
    pgr = performance_gap_recovered(acc, weak, ceiling)
    print(f"end model {name:28s} test accuracy {acc:.3f}  PGR {pgr:+.2f}  "
          f"(best epoch {model.best_epoch_}, selection: {model.validation_})")
print(f"ceiling (gold labels) test accuracy {ceiling:.3f}")

# 5. with a small gold dev set (the WRENCH protocol): early stopping on its accuracy,
#    and soft labels rescaled to its class balance (target="balanced")
valid = ds["valid"]
X_train, X_valid, X_test = tfidf_features(*(texts_of(s.data) for s in (train, valid, test)))
dev_balance = np.bincount(valid.y, minlength=ds.cardinality) / len(valid.y)
model = EndModel(target="balanced", class_balance=dev_balance, confidence_coef=0.5)
model.fit(X_train, P, coverage=covered, X_dev=X_valid, y_dev=valid.y)
print(f"end model balanced + confidence, dev-selected: test accuracy "
      f"{model.score(X_test, test.y):.3f}  (valid accuracy {model.best_score_:.3f})")

# 6. the same in one call
res = run_wrench(ds, end_model=EndModel(target="hard"))
print("run_wrench:", {k: round(v, 3) for k, v in res.scores.items()})
