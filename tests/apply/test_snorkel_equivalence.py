"""Same LFs, same votes as Snorkel's PandasLFApplier (snorkel is in the test extra)."""

import numpy as np

from tests.conftest import require_peer
from wslib import apply_lfs
from wslib.bench.apply import lf_sets, make_corpus

require_peer("snorkel")


def test_all_wslib_forms_match_snorkel_on_resampled_youtube():
    from snorkel.labeling import PandasLFApplier

    corpus = make_corpus(1500, seed=7)
    sets = lf_sets()
    L_ref = PandasLFApplier(sets["snorkel"]).apply(corpus, progress_bar=False)
    assert (L_ref != -1).any(axis=0).all()  # every LF fires somewhere: a real comparison
    for kind in ("row", "batch", "template"):
        np.testing.assert_array_equal(apply_lfs(corpus, sets[kind]), L_ref, err_msg=kind)
    np.testing.assert_array_equal(apply_lfs(corpus, sets["row"], n_jobs=2, chunk_size=200),
                                  L_ref)


def test_snorkel_lf_bodies_port_by_changing_the_import():
    from snorkel.labeling import PandasLFApplier
    from snorkel.labeling import labeling_function as snorkel_lf
    from snorkel.preprocess import preprocessor as snorkel_pre

    from wslib import labeling_function, preprocessor

    def body(x):
        return 1 if len(x.words) > 8 and x["text"].lower().startswith("check") else -1

    def words(x):
        x.words = x.text.split()
        return x

    corpus = make_corpus(500, seed=3)
    theirs = snorkel_lf(pre=[snorkel_pre(memoize=True)(words)])(body)
    ours = labeling_function(pre=[preprocessor()(words)])(body)
    np.testing.assert_array_equal(apply_lfs(corpus, [ours]),
                                  PandasLFApplier([theirs]).apply(corpus, progress_bar=False))
