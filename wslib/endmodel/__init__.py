"""End models: train a classifier on the label model's soft labels.

The last step of the pipeline: features ``X`` (TF-IDF, sentence embeddings, any
numeric matrix) plus soft labels ``P`` from a label model give a classifier
that generalises beyond the labeling functions' coverage.

* :class:`EndModel` — scikit-learn classifier (logistic regression or MLP head,
  torch, ``device=``) trained with soft cross-entropy, confidence weighting,
  uncovered-row filtering, early stopping and the weak-to-strong confidence loss;
* :mod:`wslib.endmodel.features` — :func:`tfidf_features`, :func:`embed_texts`;
* :mod:`wslib.endmodel.losses` — the losses, usable in your own torch loop;
* :func:`self_train` — student relabels, label model refits (coverage grows).

>>> import numpy as np
>>> from wslib.endmodel import EndModel
>>> X = np.eye(4, dtype=np.float32).repeat(10, axis=0)
>>> P = np.tile([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8]], (1, 1)).repeat(10, axis=0)
>>> EndModel(head="logreg", lr=0.05, max_epochs=20).fit(X, P).predict(np.eye(4)).tolist()
[0, 0, 1, 1]
"""

from wslib.endmodel.estimator import EndModel
from wslib.endmodel.features import embed_texts, tfidf_features
from wslib.endmodel.self_training import self_train

__all__ = ["EndModel", "embed_texts", "self_train", "tfidf_features"]
