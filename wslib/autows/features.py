"""Feature views for AutoWS: raw numeric columns, PCA, term counts / TF-IDF, sentence embeddings.

A :class:`FeatureView` holds one representation of the fit split and the
evaluation split, fitted on the fit split only. Generators read the view that
suits them (stumps: raw or PCA columns; prototypes and zero-shot: embeddings;
keywords: binary term counts with their vocabulary).

>>> import numpy as np
>>> from wslib.autows.features import raw_view, pca_view
>>> raw = raw_view(np.random.default_rng(0).normal(size=(50, 8)), np.zeros((5, 8)))
>>> pca_view(raw, n_components=3).train.shape
(50, 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from wslib._validation import check_features

__all__ = ["FeatureView", "raw_view", "pca_view", "term_view", "tfidf_view", "embedding_view"]


@dataclass
class FeatureView:
    """One representation of the items: ``train`` and ``test`` matrices with the same columns.

    ``vocabulary`` names the columns of term-count views (for keyword LFs).
    """

    name: str
    train: np.ndarray | sp.csr_matrix
    test: np.ndarray | sp.csr_matrix
    vocabulary: Sequence[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.train = check_features(self.train, name=f"{self.name} view (train)")
        self.test = check_features(self.test, name=f"{self.name} view (test)",
                                   n_columns=self.train.shape[1], model="the generator")


def raw_view(X_train: Any, X_test: Any, name: str = "raw") -> FeatureView:
    """Numeric columns as given (validated: finite, 2-D, same width)."""
    return FeatureView(name, X_train, X_test)


def pca_view(view: FeatureView, n_components: int = 32, random_state: int = 0,
             name: str | None = None) -> FeatureView:
    """PCA of another view, fitted on its train split (truncated SVD for sparse views)."""
    from sklearn.decomposition import PCA, TruncatedSVD

    n_components = min(n_components, view.train.shape[1] - 1 if sp.issparse(view.train)
                       else view.train.shape[1], view.train.shape[0])
    model = (TruncatedSVD(n_components, random_state=random_state) if sp.issparse(view.train)
             else PCA(n_components, random_state=random_state))
    train = model.fit_transform(view.train)
    return FeatureView(name or f"pca({view.name})", train, model.transform(view.test))


def term_view(train_texts: Sequence[str], test_texts: Sequence[str], *, min_df: int = 2,
              ngram_range: tuple[int, int] = (1, 1), name: str = "terms") -> FeatureView:
    """Binary term occurrences (word unigrams by default) with their vocabulary."""
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(binary=True, min_df=min(min_df, len(train_texts)),
                          ngram_range=ngram_range, dtype=np.float32)
    train = vec.fit_transform(list(train_texts))
    return FeatureView(name, train, vec.transform(list(test_texts)),
                       vocabulary=vec.get_feature_names_out().tolist())


def tfidf_view(train_texts: Sequence[str], test_texts: Sequence[str], name: str = "tfidf",
               **options: Any) -> FeatureView:
    """TF-IDF (``wslib.endmodel.features.tfidf_features``), fitted on the train texts."""
    from wslib.endmodel.features import tfidf_features

    train, test = tfidf_features(train_texts, test_texts, **options)
    return FeatureView(name, train, test)


def embedding_view(train_texts: Sequence[str], test_texts: Sequence[str], *,
                   device: str = "cpu", cache_dir: str | Path | None = None,
                   name: str = "minilm") -> FeatureView:
    """MiniLM sentence embeddings (``wslib.endmodel.features.embed_texts``, cached on disk)."""
    from wslib.endmodel.features import embed_texts

    train = embed_texts(train_texts, device=device, cache_dir=cache_dir)
    test = embed_texts(test_texts, device=device, cache_dir=cache_dir)
    return FeatureView(name, train, test)
