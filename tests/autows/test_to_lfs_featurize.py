"""``to_lfs`` accepts the dense outputs ``transform`` accepts (np.matrix, DataFrame)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from wslib import apply_lfs
from wslib.autows import KeywordGenerator, to_lfs

DF = pd.DataFrame({"text": ["win free cash", "free prize", "lunch at noon", "noon lunch"]})
VEC = CountVectorizer().fit(DF.text)
GEN = KeywordGenerator(VEC.get_feature_names_out(), min_support=2, min_accuracy=0.3).fit(
    VEC.transform(DF.text), [1, 1, 0, 0])


@pytest.mark.parametrize("featurize", [
    lambda c: VEC.transform(c["text"]).todense(),
    lambda c: pd.DataFrame(VEC.transform(c["text"]).toarray(), index=c.index),
    lambda c: VEC.transform(c["text"]).toarray().tolist(),
], ids=["matrix", "frame", "list"])
def test_dense_featurize_outputs_vote_like_transform(featurize):
    expected = GEN.transform(VEC.transform(DF.text))
    np.testing.assert_array_equal(np.asarray(apply_lfs(DF, to_lfs(GEN, featurize))), expected)
