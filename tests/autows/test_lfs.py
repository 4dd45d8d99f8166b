"""Generated rules become ordinary wslib LFs that mix with hand-written ones."""

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from wslib import ABSTAIN
from wslib.apply import apply_lfs
from wslib.autows import KeywordGenerator, PrototypeGenerator, to_lfs
from wslib.lf import labeling_function


def test_keyword_lfs_apply_like_transform_and_mix_with_handwritten(texts):
    docs, y_true = texts
    df = pd.DataFrame({"text": docs})
    vec = CountVectorizer(binary=True).fit(docs)
    gen = KeywordGenerator(vec.get_feature_names_out(), cardinality=2).fit(
        vec.transform(docs), y_true)
    lfs = to_lfs(gen, lambda chunk: vec.transform(chunk["text"]))

    @labeling_function()
    def lf_question(x):
        return 0 if "?" in x.text else ABSTAIN

    L = np.asarray(apply_lfs(df, lfs + [lf_question]))
    np.testing.assert_array_equal(L[:, :-1], gen.transform(vec.transform(docs)))
    assert L.shape == (len(docs), len(gen.lfs_) + 1)
    rule = lfs[0].resources["rule"]
    assert rule.term in str(rule) and rule.to_code().startswith(f"def {rule.name}(")


def test_feature_lfs_on_numeric_columns(digits):
    X, y, _ = digits
    gen = PrototypeGenerator(cardinality=10, n_clusters=(1,), n_restarts=1).fit(X, y)
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    cols = list(df.columns)
    lfs = to_lfs(gen, lambda chunk: chunk[cols].to_numpy(), columns=cols)
    np.testing.assert_array_equal(np.asarray(apply_lfs(df, lfs)), gen.transform(X))
