"""Write labeling functions of every kind, apply them, and look at what they do.

Runs on the YouTube spam comments shipped with wslib; 4.8 s of CPU time (user +
system time from ``/usr/bin/time`` on a 2-core machine, numba's kernels cached)::

    python examples/01_write_and_apply_lfs.py
"""

import numpy as np
import pandas as pd

from wslib import ABSTAIN, apply_lfs, labeling_function, preprocessor
from wslib.analysis import lf_confusion, lf_summary
from wslib.datasets import load_embedded
from wslib.labelmodel import MajorityVote
from wslib.lf import keyword_lf, regex_lf, threshold_lf

HAM, SPAM = 0, 1

# 1. data: raw comments (a DataFrame with a "text" column) and gold labels for checking
ds = load_embedded("youtube")
train, test = ds["train"], ds["test"]
df = train.data.assign(n_words=train.data["text"].str.split().str.len())

# 2. templates: vectorized, and all keyword LFs on "text" cost one pass over the text
check_out = keyword_lf(["check out", "check my"], SPAM, name="check_out")
subscribe = keyword_lf("subscribe", SPAM, name="subscribe")
song = keyword_lf(["song", "love this"], HAM, name="song", word_boundary=True)
please = regex_lf(r"\b(please|plz|pls)\b", SPAM, name="please")
wordy = threshold_lf("n_words", 30, SPAM, op=">", name="wordy")


# 3. a row LF, Snorkel style: x.text and x["text"] both work; a memoized preprocessor
@preprocessor()
def lowered(x):
    x.lower = x.text.lower()
    return x


@labeling_function(pre=[lowered], resources={"ham_words": {"views", "billion", "lyrics"}})
def mentions_video(x, ham_words):
    return HAM if ham_words & set(x.lower.split()) else ABSTAIN


# 4. a batch LF: one call per chunk, pandas column operations
@labeling_function(batch=True, columns=["text"])
def has_link(chunk: pd.DataFrame) -> np.ndarray:
    return np.where(chunk["text"].str.contains("http", regex=False), SPAM, ABSTAIN)


# 5. a numba LF over numeric columns (all numba LFs are fused into one compiled loop)
@labeling_function(numba=True)
def very_short(n_words):
    return HAM if n_words <= 3 else ABSTAIN


lfs = [check_out, subscribe, song, please, wordy, mentions_video, has_link, very_short]

# 6. apply: an int8 matrix, one row per comment, one column per LF (-1 = abstain)
L = apply_lfs(df, lfs, n_jobs=2)
print(f"L: shape {L.shape}, dtype {L.dtype}, {L.nbytes} bytes")

# 7. analyse: coverage, overlaps, conflicts and (with gold) empirical accuracy
with pd.option_context("display.width", 120, "display.max_columns", None,
                       "display.precision", 3):
    print(lf_summary(L, train.y, lfs))
    print(lf_confusion(L, train.y, lfs=lfs).loc["song"])

# 8. faults: errors="abstain" turns exceptions into abstains and counts them
@labeling_function()
def fragile(x):
    return SPAM if 1 / (len(x.text) % 7) > 0.5 else ABSTAIN


_, faults = apply_lfs(df, [fragile], errors="abstain", return_faults=True)
print(f"'fragile' faulted on {faults['fragile']} of {len(df)} rows")

# 9. labels: majority vote on the test split
L_test = apply_lfs(test.data.assign(n_words=test.data["text"].str.split().str.len()), lfs)
mv = MajorityVote().fit(L)
print(f"majority vote test accuracy: {mv.score(L_test, test.y):.3f}")
