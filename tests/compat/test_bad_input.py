"""What the compat layer and the native API say when Snorkel code asks for something else."""

import importlib
import pickle
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from wslib.compat.snorkel import SnorkelCompatWarning
from wslib.compat.snorkel.labeling import (LFApplier, LabelingFunction, PandasLFApplier,
                                           labeling_function)
from wslib.compat.snorkel.labeling.model import LabelModel, MajorityLabelVoter
from wslib.compat.snorkel.preprocess import preprocessor

L = np.array([[0, 0, -1], [1, 1, 1], [0, -1, 0], [-1, -1, -1], [1, 0, 1], [0, 0, 0]])


def test_ignored_fit_options_give_one_warning_naming_them():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LabelModel(verbose=False).fit(L, n_epochs=500, log_freq=100, seed=123)
    ours = [w for w in caught if issubclass(w.category, SnorkelCompatWarning)]
    assert len(ours) == 1
    assert all(name in str(ours[0].message) for name in ("n_epochs", "log_freq", "seed"))
    assert ours[0].filename == __file__  # points at the caller's line


def test_no_warning_without_ignored_options():
    with warnings.catch_warnings():
        warnings.simplefilter("error", SnorkelCompatWarning)
        LabelModel(verbose=False).fit(L, class_balance=[0.5, 0.5], mu_eps=0.01)


@pytest.mark.parametrize("call, match", [
    (lambda m: m.fit(L, n_epoch=5), "did you mean 'n_epochs'"),
    (lambda m: m.fit(L, optimizer="adma"), "Unrecognized optimizer option 'adma'; did you mean"),
    (lambda m: m.fit(L, lr_scheduler="stepp"), "did you mean 'step'"),
    (lambda m: m.fit(L, prec_init="high"), "prec_init is of type"),
    (lambda m: m.fit(L, prec_init=[0.7, 0.7]), "prec_init must have shape 3"),
    (lambda m: m.fit(L, class_balance=[0.0, 1.0]), "Class balance prior is 0"),
    (lambda m: m.fit(L, Y_dev=[1, 1, 1]), "Y_dev has 1 class"),
    (lambda m: m.fit(L).predict(L, tie_break_policy="randon"), "did you mean 'random'"),
    (lambda m: m.fit(L).score(L, L[:, 0].clip(0), metrics=["acc"]), "Unrecognized metric"),
])
def test_snorkel_errors_name_the_closest_supported_call(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call(LabelModel(verbose=False))


def test_snorkel_internals_name_the_supported_accessor():
    model = LabelModel(verbose=False).fit(L)
    with pytest.raises(AttributeError, match="get_conditional_probs"):
        model.mu
    with pytest.raises(AttributeError, match="did you mean 'get_weights'"):
        model.get_weight()


def test_prediction_before_fit_says_so():
    with pytest.raises(ValueError, match="not fitted yet; call fit"):
        LabelModel().predict(L)


@pytest.mark.parametrize("module, hint", [
    ("wslib.compat.snorkel.labeling.apply.spark", "DaskLFApplier"),
    ("wslib.compat.snorkel.labeling.lf.nlp_spark", "nlp_labeling_function"),
    ("wslib.compat.snorkel.slicing", "get_label_buckets"),
    ("wslib.compat.snorkel.classification", "wslib.endmodel"),
])
def test_unsupported_modules_name_the_closest_supported_one(module, hint):
    with pytest.raises(ImportError, match=hint):
        importlib.import_module(module)


def test_unknown_names_suggest_the_closest_public_one():
    import wslib.compat.snorkel.labeling as labeling

    with pytest.raises(AttributeError, match="did you mean 'LFApplier'"):
        labeling.LFApplyer
    with pytest.raises(ImportError, match="DaskLFApplier"):
        from wslib.compat.snorkel.labeling.apply import spark  # noqa: F401


def test_lf_applier_refuses_points_without_fields():
    @labeling_function()
    def lower(x):
        return 0

    with pytest.raises(TypeError, match="PandasLFApplier"):
        LFApplier([lower]).apply(["some text", "more"], progress_bar=False)


def test_spacy_preprocessor_without_spacy_names_the_extra():
    pytest.importorskip("wslib")
    if importlib.util.find_spec("spacy") is not None:
        pytest.skip("spaCy is installed")
    from wslib.compat.snorkel.preprocess.nlp import SpacyPreprocessor

    with pytest.raises(ImportError, match=r"wslib\[spacy\]"):
        SpacyPreprocessor("text", "doc")


def test_a_snorkel_pickle_is_refused(tmp_path):
    path = tmp_path / "label_model.pkl"
    path.write_bytes(pickle.dumps({"mu": [1.0]}))
    with pytest.raises(ValueError, match="never unpickles"):
        LabelModel().load(str(path))


def test_an_lf_exception_keeps_its_type_and_names_the_row():
    @labeling_function()
    def typo(x):
        return 0 if x.nmu > 1 else -1

    with pytest.raises(AttributeError) as info:
        PandasLFApplier([typo]).apply(pd.DataFrame({"num": [1, 2]}), progress_bar=False)
    assert "LF 'typo'" in "".join(getattr(info.value, "__notes__", []))


# ------------------------------------------------------------------------ native spellings
def test_native_label_model_names_wslib_spellings():
    from wslib.labelmodel import DawidSkene
    from wslib.labelmodel import LabelModel as Native

    with pytest.raises(TypeError, match="no argument 'n_epochs'.*closed form or EM.*compat"):
        Native().fit(L, n_epochs=500)
    with pytest.raises(TypeError, match="y_dev"):
        Native().fit(L, Y_dev=[0, 1])
    with pytest.raises(TypeError, match="LabelModel.*verbose"):
        Native(cardinality=2, verbose=True)
    with pytest.raises(TypeError, match="tie_break="):
        Native().fit(L).predict(L, tie_break_policy="abstain")
    with pytest.raises(TypeError, match=r"DawidSkene.score\(\).*'Y'"):
        DawidSkene().fit(L).score(L, Y=L[:, 0].clip(0))
    with pytest.raises(TypeError, match="keyword-only"):
        Native().fit(L, None, [0.5, 0.5])


def test_native_apply_analysis_and_lfs_name_wslib_spellings():
    from wslib import LabelingFunction as Native
    from wslib import apply_lfs
    from wslib import preprocessor as native_preprocessor
    from wslib.analysis import lf_summary

    df = pd.DataFrame({"num": [1, 2]})
    lf = Native("big", lambda x: 0)
    with pytest.raises(TypeError, match="errors='abstain'"):
        apply_lfs(df, [lf], fault_tolerant=True)
    with pytest.raises(TypeError, match="return_faults=True"):
        apply_lfs(df, [lf], return_meta=True)
    with pytest.raises(TypeError, match="gold labels y"):
        lf_summary(L, Y=L[:, 0])
    with pytest.raises(TypeError, match="keyword-only"):
        Native("big", lambda x, n: 0, {"n": 1})
    with pytest.raises(TypeError, match="memoizes"):
        native_preprocessor(memoize=True)


def test_native_calls_are_untouched_by_the_hints():
    from wslib.labelmodel import LabelModel as Native

    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Native().fit(L, colour=1)


# ------------------------------------------------------------------------ semantics kept
def test_rows_without_votes_get_the_prior_and_abstain():
    model = LabelModel(verbose=False).fit(L)
    assert model.predict_proba(L)[3].tolist() == [0.5, 0.5]
    assert model.predict(L)[3] == -1
    balanced = LabelModel(verbose=False).fit(L, class_balance=[0.3, 0.7])
    np.testing.assert_allclose(balanced.predict_proba(L)[3], [0.3, 0.7])
    assert MajorityLabelVoter().predict(L)[3] == -1


def test_save_and_load_round_trip(tmp_path):
    model = LabelModel(verbose=False).fit(L, class_balance=[0.4, 0.6])
    path = str(tmp_path / "label_model.pkl")
    model.save(path)
    loaded = LabelModel().load(path)
    np.testing.assert_array_equal(loaded.predict_proba(L), model.predict_proba(L))
    np.testing.assert_array_equal(loaded.get_conditional_probs(), model.get_conditional_probs())


def test_memoized_preprocessor_caches_by_content_across_runs_and_copies():
    calls = []

    @preprocessor(memoize=True)
    def lower(x):
        calls.append(x.text)
        x.text = x.text.lower()
        return x

    @labeling_function(pre=[lower])
    def has_check(x):
        return 1 if "check" in x.text else -1

    df = pd.DataFrame({"text": ["Check it", "hi", "Check it"]})
    for _ in range(2):
        np.testing.assert_array_equal(
            PandasLFApplier([has_check]).apply(df, progress_bar=False).ravel(), [1, -1, 1])
    assert calls == ["Check it", "hi"]
    point = SimpleNamespace(text="CHECK")
    assert has_check(point) == 1 and point.text == "CHECK"  # the caller's point is untouched


def test_positional_labeling_function_and_resources():
    lf = LabelingFunction("kw", lambda x, word: 1 if word in x.text else -1, dict(word="my"))
    out = PandasLFApplier([lf]).apply(pd.DataFrame({"text": ["my video", "hi"]}),
                                      progress_bar=False)
    np.testing.assert_array_equal(out.ravel(), [1, -1])
    assert out.dtype == np.int_
