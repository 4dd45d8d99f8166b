"""End models: train a classifier on the label model's soft labels.

The last step of the pipeline: features ``X`` (TF-IDF, sentence embeddings, any
numeric matrix) plus soft labels ``P`` from a label model give a classifier
that generalises beyond the labeling functions' coverage.

>>> from wslib.endmodel.features import tfidf_features
"""

from wslib.endmodel.features import embed_texts, tfidf_features

__all__ = ["embed_texts", "tfidf_features"]
