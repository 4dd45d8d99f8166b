"""Turn generated rules into ordinary wslib labeling functions.

Generated rules read a feature matrix; wslib LFs read raw data (a DataFrame
chunk). :func:`to_lfs` bridges the two with one memoized batch
:class:`~wslib.lf.Preprocessor` that computes the features of a chunk once
(``featurize(chunk) -> X``, e.g. a fitted vectorizer or the sentence
encoder) and stores them in ``chunk.attrs``; every generated LF is a batch LF
that applies its rule to those features. The LFs are inspectable
(``lf.resources["rule"]`` is the rule: ``print(rule)``, ``rule.to_code()``),
work with :func:`wslib.apply_lfs` and mix with hand-written LFs.

>>> import numpy as np, pandas as pd
>>> from sklearn.feature_extraction.text import CountVectorizer
>>> from wslib import apply_lfs
>>> from wslib.autows import KeywordGenerator
>>> from wslib.autows.lfs import to_lfs
>>> df = pd.DataFrame({"text": ["win free cash", "free prize", "lunch at noon", "noon lunch"]})
>>> vec = CountVectorizer().fit(df.text)
>>> gen = KeywordGenerator(vec.get_feature_names_out(), min_support=2, min_accuracy=0.3)
>>> gen = gen.fit(vec.transform(df.text), [1, 1, 0, 0])
>>> lfs = to_lfs(gen, lambda chunk: vec.transform(chunk["text"]))
>>> [lf.name for lf in lfs]
['kw_free', 'kw_lunch', 'kw_noon']
>>> print(lfs[0].resources["rule"])
kw_free: 'free' in text -> 1
>>> apply_lfs(df, lfs).tolist()
[[1, -1, -1], [1, -1, -1], [-1, 0, 0], [-1, 0, 0]]
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from wslib.autows.base import BaseGenerator
from wslib.autows.rules import Rule

__all__ = ["to_lfs"]

_KEY = "wslib.autows.features"


def _vote(df: pd.DataFrame, *, rule: Rule, key: str) -> np.ndarray:
    return rule.votes(df.attrs[key])


def to_lfs(generator: BaseGenerator, featurize: Callable[[pd.DataFrame], Any], *,
           columns: Sequence[str] = ("text",), name: str = "autows_features") -> list:
    """wslib batch LFs for a fitted generator's rules.

    Parameters
    ----------
    generator : fitted BaseGenerator
    featurize : callable
        ``featurize(chunk) -> X``: the *same* feature builder the generator was
        fitted on, applied to a DataFrame chunk (sparse matrix or dense
        array-like: an array, ``np.matrix`` or DataFrame; one row per chunk row).
    columns : sequence of str
        Input columns ``featurize`` reads (lets appliers check the schema).
    name : str
        Name of the shared preprocessor (memoized once per chunk).
    """
    from wslib.lf import LabelingFunction, Preprocessor

    generator._check_fitted()
    key = f"{_KEY}.{name}"
    n_features = generator.n_features_in_

    def add_features(df: pd.DataFrame) -> pd.DataFrame:
        X = featurize(df)
        if not hasattr(X, "tocsr"):  # dense: an np.matrix, a DataFrame or a list, as transform
            X = np.asarray(X)
        if X.shape != (len(df), n_features):
            raise ValueError(f"preprocessor {name!r}: featurize returned shape {X.shape} for "
                             f"{len(df)} rows; the generator expects {n_features} features "
                             "per row")
        df.attrs[key] = X
        return df

    pre = Preprocessor(name, add_features, batch=True)
    return [LabelingFunction(rule.name, _vote, kind="batch", resources={"rule": rule, "key": key},
                             pre=[pre], columns=columns)
            for rule in generator.lfs_]
