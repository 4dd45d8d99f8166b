"""Keyword-mining generator: terms with high class precision in the labelled set."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from wslib._validation import integer, sequence, text
from wslib.autows.base import BaseGenerator
from wslib.autows.rules import KeywordRule, Rule
from wslib.autows.selection import wilson_lower_bound

__all__ = ["KeywordGenerator"]


class KeywordGenerator(BaseGenerator):
    r"""``"term" in text -> class`` LFs mined from a term-count (or TF-IDF) matrix.

    For every term ``t`` that occurs in at least ``min_support`` labelled
    items, the candidate LF votes the class ``c`` most frequent among them;
    its quality is the Wilson lower bound of that precision
    :math:`\mathrm{lb}(n_{t,c}, n_t)`. The ``max_candidates`` terms with the
    best :math:`\mathrm{lb}\cdot\sqrt{n_t}` go to
    :func:`~wslib.autows.selection.greedy_select`, which also rewards terms
    frequent in the *unlabelled* items (coverage) that other chosen terms do
    not already cover (diversity).

    Parameters
    ----------
    vocabulary : sequence of str
        The term of each column of ``X`` (e.g. ``vectorizer.get_feature_names_out()``).
    cardinality : int, optional
    max_lfs : int
    max_candidates : int
    min_accuracy : float, optional
        Precision lower bound a keyword needs; default halfway between chance and 1.
    min_support : int
        Labelled items a term must occur in.
    class_names : sequence of str, optional
    random_state : int
        Unused by the (deterministic) search; kept for the common contract.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> from wslib.autows import KeywordGenerator
    >>> texts = ["win a free prize", "free entry now", "see you at lunch", "lunch at noon?",
    ...          "free cash prize", "call me at noon"]
    >>> vec = CountVectorizer().fit(texts)
    >>> gen = KeywordGenerator(vec.get_feature_names_out(), min_support=2, min_accuracy=0.3)
    >>> print(gen.fit(vec.transform(texts), [1, 1, 0, 0, -1, -1]).describe())
    kw_at: 'at' in text -> 0
    kw_free: 'free' in text -> 1
    kw_lunch: 'lunch' in text -> 0
    """

    _parameter_constraints = {"vocabulary": sequence(text()), "max_candidates": integer(1)}

    def __init__(self, vocabulary: Sequence[str], cardinality: int | None = None, *,
                 max_lfs: int = 40, max_candidates: int = 400,
                 min_accuracy: float | None = None, min_support: int = 2,
                 class_names: Sequence[str] | None = None, random_state: int = 0):
        super().__init__(cardinality, max_lfs, min_accuracy, min_support, class_names, random_state)
        self.vocabulary = vocabulary
        self.max_candidates = max_candidates

    def _candidates(self, X, y_lab, labelled, k, rng) -> list[Rule]:
        vocab = np.asarray(self.vocabulary, dtype=object)
        if vocab.shape[0] != X.shape[1]:
            raise ValueError(f"vocabulary has {vocab.shape[0]} terms but X has {X.shape[1]} "
                             "columns; pass the vectorizer's get_feature_names_out()")
        present = sp.csr_matrix(X[labelled] > 0, dtype=np.float64)
        onehot = sp.csr_matrix(np.eye(k)[y_lab])
        counts = np.asarray((present.T @ onehot).todense())           # (n_terms, k)
        support = counts.sum(axis=1)
        label = counts.argmax(axis=1)
        lb = wilson_lower_bound(counts.max(axis=1), support)
        score = np.where(support >= self.min_support, lb * np.sqrt(support), -1.0)
        keep = np.argsort(-score, kind="stable")[: self.max_candidates]
        keep = keep[score[keep] > 0]
        names = _unique_names([f"kw_{_identifier(vocab[t])}" for t in keep])
        return [KeywordRule(name, feature=int(t), term=str(vocab[t]), label=int(label[t]))
                for name, t in zip(names, keep)]


def _identifier(term: str) -> str:
    """A Python-identifier-like form of a term (for LF names)."""
    return "".join(ch if ch.isalnum() else "_" for ch in term)


def _unique_names(names: list[str]) -> list[str]:
    """``names`` with a repeat (``"free cash"`` and ``"free_cash"`` give one identifier)
    suffixed ``_2``, ``_3``, ...: LF names must be unique.

    >>> _unique_names(["kw_a", "kw_b", "kw_a", "kw_a_2"])
    ['kw_a', 'kw_b', 'kw_a_2', 'kw_a_2_2']
    """
    taken: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate in taken:
            n += 1
            candidate = f"{name}_{n}"
        taken.add(candidate)
        out.append(candidate)
    return out
