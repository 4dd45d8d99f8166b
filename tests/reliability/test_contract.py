"""The promises of docs/contract.md that are not properties of random matrices:
how uncovered items are labelled and reported, tie-breaking policies, dtype
invariance."""

from __future__ import annotations

import numpy as np
import pytest

from wslib.datasets.synthetic import make_votes
from wslib.exceptions import CoverageWarning
from wslib.labelmodel import (
    DawidSkene,
    LabelModel,
    MajorityVote,
    MatrixCompletion,
    Triplet,
    WeightedMajorityVote,
)
from wslib.matrix import to_sparse

from ._support import LABEL_MODEL_IDS, LABEL_MODELS, assert_proba, quiet

each_model = pytest.mark.parametrize("cls", LABEL_MODELS, ids=LABEL_MODEL_IDS)


@pytest.fixture(scope="module")
def votes() -> np.ndarray:
    """400 items, 8 LFs (3 unipolar), 3 classes; rows 0-9 uncovered, LF 7 silent."""
    L = make_votes(400, 8, 3, n_unipolar=3, coverage=(0.2, 0.6), random_state=9).L.copy()
    L[:10] = -1
    L[:, 7] = -1
    return L


@each_model
def test_uncovered_items_are_kept_reported_and_labelled_alike(cls, votes):
    covered = (votes >= 0).any(axis=1)
    n_uncovered = int((~covered).sum())
    with pytest.warns(CoverageWarning) as record:
        model = cls().fit(votes)
    messages = [str(w.message) for w in record]
    share = f"{n_uncovered / 400:.1%}"
    assert any(f"{n_uncovered} of 400 items ({share}) have no votes" in m for m in messages), (
        messages)
    assert any("labeling functions [7] never vote" in m for m in messages), messages
    P = model.predict_proba(votes)
    assert_proba(P, 400, 3)
    np.testing.assert_array_equal(model.coverage(votes), covered)
    np.testing.assert_allclose(P[:10], np.repeat(P[:1], 10, axis=0), rtol=0, atol=1e-12)


@pytest.mark.parametrize("make, prior", [
    (MajorityVote, None),
    (MajorityVote, [0.5, 0.3, 0.2]),
    (lambda: DawidSkene(abstain_aware=False), None),
    (WeightedMajorityVote, None),
    (lambda: LabelModel(posterior="votes", uncovered="prior"), None),
    (lambda: LabelModel(posterior="votes", uncovered="prior"), [0.5, 0.3, 0.2]),
    (Triplet, [0.5, 0.3, 0.2]),
], ids=["majority-uniform", "majority-given-prior", "dawid-skene-plain", "weighted",
        "label-model", "label-model-given-prior", "triplet-given-prior"])
def test_models_ignoring_abstains_give_uncovered_items_the_prior(make, prior, votes):
    with quiet():
        model = make().fit(votes, class_balance=prior)
    P = model.predict_proba(votes)
    uncovered = ~(votes >= 0).any(axis=1)
    np.testing.assert_allclose(P[uncovered], np.tile(model.class_balance_,
                                                     (int(uncovered.sum()), 1)), atol=1e-12)
    if prior is not None:
        np.testing.assert_allclose(model.class_balance_, prior)
    elif isinstance(model, MajorityVote):
        np.testing.assert_allclose(model.class_balance_, 1 / 3)


@pytest.mark.parametrize("cls", [DawidSkene, MatrixCompletion,
                                 lambda: LabelModel(posterior="dawid-skene")])
def test_abstain_aware_models_give_uncovered_items_the_all_abstain_posterior(cls, votes):
    with quiet():
        model = cls().fit(votes)
    k = model.cardinality_
    log_post = np.log(model.class_balance_) + np.log(model.confusion_[:, :, k]).sum(axis=0)
    expected = np.exp(log_post - log_post.max())
    expected /= expected.sum()
    np.testing.assert_allclose(model.predict_proba(votes)[0], expected, rtol=1e-9)


@each_model
def test_tie_break_policies(cls):
    """Two LFs per class vote on a symmetric design: ties must follow the policy."""
    base = np.array([[0, 0, -1, -1], [-1, -1, 1, 1], [0, -1, 1, -1], [-1, 0, -1, 1]] * 30,
                    dtype=np.int8)
    with quiet():
        model = cls(random_state=3).fit(base)
    P = model.predict_proba(base)
    top = P.max(axis=1, keepdims=True)
    tied = (P >= top - 1e-9).sum(axis=1) > 1
    abstained = model.predict(base, tie_break="abstain")
    np.testing.assert_array_equal(abstained == -1, tied)
    first = model.predict(base, tie_break="first")
    np.testing.assert_array_equal(first, (P >= top - 1e-9).argmax(axis=1))
    rand = model.predict(base, tie_break="random")
    np.testing.assert_array_equal(rand, model.predict(base, tie_break="random"))
    assert np.all(P[np.arange(len(rand)), rand] >= top[:, 0] - 1e-9)
    prior = model.predict(base, tie_break="prior")
    keys = np.where(P >= top - 1e-9, model.class_balance_[None, :] + 1.0, 0.0)
    np.testing.assert_array_equal(prior, keys.argmax(axis=1))


@each_model
@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.int64], ids=str)
def test_vote_dtype_does_not_change_the_model(cls, dtype):
    """Dense votes are stored in the smallest dtype: every integer dtype gives the
    same model, bit for bit; unsigned sparse votes (abstains implicit) the same to 1e-12."""
    L = make_votes(300, 6, 3, random_state=2).L
    with quiet():
        reference = cls().fit(L).predict_proba(L)
        wide = L.astype(dtype)
        np.testing.assert_array_equal(cls().fit(wide).predict_proba(wide), reference)
        unsigned = to_sparse(L)
        unsigned.data = unsigned.data.astype(np.uint8)
        np.testing.assert_allclose(cls().fit(unsigned).predict_proba(unsigned), reference,
                                   rtol=0, atol=1e-12)


def _warn_calls():
    """(module name, line, category expression) of every ``warnings.warn`` in wslib."""
    import ast
    from pathlib import Path

    import wslib

    root = Path(wslib.__file__).parent
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "warn" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "warnings"):
                args = {kw.arg: kw.value for kw in node.keywords}
                category = node.args[1] if len(node.args) > 1 else args.get("category")
                yield module, node.lineno, None if category is None else ast.unparse(category)


def test_every_wslib_warning_is_a_wslib_warning():
    """One filter (``category=WslibWarning``) silences all of wslib's warnings, and none
    is a RuntimeWarning (which the test suite, and many users, turn into errors)."""
    import builtins
    import importlib

    from wslib.exceptions import WslibWarning

    calls = list(_warn_calls())
    assert calls
    for module, line, category in calls:
        assert category is not None, f"{module}:{line} warns without a category"
        head, *rest = category.split(".")
        namespace = vars(importlib.import_module(module))
        cls = namespace[head] if head in namespace else getattr(builtins, head)
        for name in rest:
            cls = getattr(cls, name)
        assert isinstance(cls, type) and issubclass(cls, WslibWarning), (
            f"{module}:{line} warns with {category}, not a WslibWarning")
