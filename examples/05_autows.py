"""AutoWS: generate labeling functions from 100 labels, then label model -> end model.

1. Digits (scikit-learn's bundled 8x8 images): cluster/prototype and Snuba
   LFs from 100 labels -> LabelModel -> end model, against few-shot logistic
   regression on the same 100 labels and pixels.
2. YouTube comments (embedded in wslib): keyword LFs mined from 100 labels,
   turned into ordinary wslib LFs, applied with ``apply_lfs`` next to a
   hand-written LF.

Run: ``python examples/05_autows.py``; 10.0 s of CPU time (user + system time from
``/usr/bin/time`` on a 2-core machine, numba's kernels cached).
"""

import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from wslib import ABSTAIN
from wslib.apply import apply_lfs
from wslib.autows import KeywordGenerator, PrototypeGenerator, SnubaGenerator, to_lfs
from wslib.datasets import load_embedded
from wslib.endmodel import EndModel
from wslib.exceptions import WslibWarning
from wslib.labelmodel import LabelModel
from wslib.lf import labeling_function

warnings.simplefilter("ignore", WslibWarning)  # coverage notes on purposely partial LFs

# ---------------------------------------------------------------- 1. digits
X, y_true = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y_true, test_size=0.3,
                                                    random_state=0, stratify=y_true)
rng = np.random.default_rng(0)
labelled = rng.choice(len(y_train), size=100, replace=False)
y = np.full(len(y_train), -1)          # -1 = unlabelled, as in sklearn.semi_supervised
y[labelled] = y_train[labelled]

goggles = PrototypeGenerator(cardinality=10).fit(X_train, y)
snuba = SnubaGenerator(cardinality=10, max_lfs=20).fit(X_train, y)
print(f"generated {len(goggles.lfs_)} prototype LFs and {len(snuba.lfs_)} Snuba LFs, e.g.")
print("  " + goggles.describe().splitlines()[0])
print("  " + snuba.describe().splitlines()[0])

L_train = np.hstack([goggles.transform(X_train), snuba.transform(X_train)])
L_test = np.hstack([goggles.transform(X_test), snuba.transform(X_test)])
label_model = LabelModel(cardinality=10).fit(L_train, y_dev=y)
soft = label_model.predict_proba(L_train)
soft[labelled] = np.eye(10)[y_train[labelled]]       # gold rows for the labelled items
covered = label_model.coverage(L_train)              # train on voted or labelled items only
covered[labelled] = True
end = EndModel(head="mlp", lr=3e-3, batch_size=256, random_state=0).fit(X_train, soft,
                                                                        coverage=covered)

few = LogisticRegression(max_iter=2000).fit(X_train[labelled], y_train[labelled])
print(f"digits test accuracy: few-shot logreg {few.score(X_test, y_test):.3f} | "
      f"label model {np.mean(label_model.predict(L_test) == y_test):.3f} | "
      f"AutoWS end model {np.mean(end.predict(X_test) == y_test):.3f}")

# ---------------------------------------------------------------- 2. youtube keywords
ds = load_embedded("youtube")
df = ds["train"].data
vec = CountVectorizer(binary=True, min_df=2).fit(df["text"])
y_yt = np.full(len(df), -1)
pick = np.random.default_rng(0).choice(len(df), size=100, replace=False)
y_yt[pick] = ds["train"].y[pick]
keywords = KeywordGenerator(vec.get_feature_names_out(), cardinality=2, max_lfs=10,
                            class_names=ds.label_names).fit(vec.transform(df["text"]), y_yt)
print("mined keyword LFs:")
print("\n".join("  " + line for line in keywords.describe().splitlines()))

lfs = to_lfs(keywords, lambda chunk: vec.transform(chunk["text"]))


@labeling_function()
def lf_short_comment(x):
    """Hand-written: very short comments are rarely spam."""
    return 0 if len(x.text.split()) < 5 else ABSTAIN


L = np.asarray(apply_lfs(df, lfs + [lf_short_comment]))
print(f"apply_lfs: {L.shape[1]} LFs (generated + hand-written), coverage "
      f"{np.mean((L >= 0).any(axis=1)):.2f}")
print("the first generated LF as code:")
print(lfs[0].resources["rule"].to_code())
