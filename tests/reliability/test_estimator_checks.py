"""scikit-learn's estimator contract, checked once for every wslib estimator.

Every class exported in the ``__all__`` of a wslib sub-package that derives from
:class:`sklearn.base.BaseEstimator` is discovered here. Each needs a *recipe*
(how to build data to fit it on and which method produces its output) in
``RECIPES``; an estimator without one fails :func:`test_every_estimator_has_a_recipe`
so that new estimators cannot dodge the contract.
"""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils.validation import check_is_fitted

import wslib
from wslib._validation import CheckedParams, _constraints
from wslib.datasets.synthetic import make_votes
from wslib.exceptions import NotFittedError
from wslib.labelmodel import BaseLabelModel

from ._support import quiet


def discover_estimators() -> list[type]:
    """Concrete BaseEstimator subclasses exported by any ``wslib.*`` package."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(wslib.__path__, "wslib."):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra (torch, dask) that is not installed
            continue
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if (isinstance(obj, type) and issubclass(obj, BaseEstimator)
                    and not inspect.isabstract(obj) and obj.__module__.startswith("wslib")):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[key] for key in sorted(found)]


# --------------------------------------------------------------------------- recipes
class Recipe:
    """How to build, fit and query one estimator family.

    ``data()`` returns ``(fit_args, init)``: the positional arguments of ``fit``
    (the first ``n_output_args`` are also what ``output`` is called on) and the
    constructor arguments the family needs (required ones, or small sizes to
    keep tests fast).
    """

    def __init__(self, data: Callable[[], tuple[tuple, dict]], output: str,
                 n_output_args: int = 1):
        self.data = data
        self.output = output
        self.n_output_args = n_output_args

    def make(self, cls, **params):
        return cls(**{**self.data()[1], **params})

    def fit(self, est):
        with quiet():
            return est.fit(*self.data()[0])

    def predict(self, est) -> Any:
        with quiet():
            return getattr(est, self.output)(*self.data()[0][:self.n_output_args])


def _votes() -> tuple[tuple, dict]:
    return (make_votes(120, 6, 3, random_state=4).L,), {}


def _partial_labels(n: int, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = rng.integers(0, k, n)
    partial = np.full(n, -1)
    partial[:30] = y[:30]
    return y, partial


def _features() -> tuple[tuple, dict]:
    rng = np.random.default_rng(0)
    y, partial = _partial_labels(150, 3, rng)
    X = rng.normal(size=(150, 6)) + 2.0 * np.eye(3, 6)[y]
    return (X, partial), {}


def _term_counts() -> tuple[tuple, dict]:
    rng = np.random.default_rng(1)
    y, partial = _partial_labels(150, 2, rng)
    X = (rng.random((150, 8)) < 0.1).astype(np.float64)
    X[:, 0] += (y == 0) & (rng.random(150) < 0.6)
    X[:, 1] += (y == 1) & (rng.random(150) < 0.6)
    return (X, partial), {"vocabulary": [f"w{i}" for i in range(8)]}


def _embeddings() -> tuple[tuple, dict]:
    (X, partial), _ = _features()
    classes = np.eye(3, 6)
    return (X, partial), {"class_embeddings": classes}


def _soft_labels() -> tuple[tuple, dict]:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 5)).astype(np.float32)
    P = np.where((X[:, :1] > 0), [0.2, 0.8], [0.9, 0.1])
    return (X, P), {"max_epochs": 3, "hidden": 8}


def _verifier_table() -> tuple[tuple, dict]:
    from wslib.datasets.synthetic import make_verifier_table

    return (make_verifier_table(30, 8, 6, random_state=0),), {}


def _binary_votes() -> tuple[tuple, dict]:
    L = make_votes(200, 6, 2, coverage=(0.6, 0.9), random_state=5).L
    return (L,), {}


def _scores_by_problem() -> tuple[tuple, dict]:
    rng = np.random.default_rng(3)
    truth = rng.random(240) < 0.4
    Z = rng.normal(size=(240, 5)) + truth[:, None]
    return (Z, np.arange(0, 241, 8)), {}


def _answer_groups() -> tuple[tuple, dict]:
    """40 problems x 6 candidates over 3 answers each; answer 0 is right and scores higher."""
    rng = np.random.default_rng(7)
    problem = np.repeat(np.arange(40), 6)
    answers = problem * 3 + rng.integers(0, 3, problem.size)
    correct = answers % 3 == 0
    X = rng.normal(size=(problem.size, 4)) + correct[:, None]
    init_proba = 1.0 / (1.0 + np.exp(-X.mean(axis=1)))
    return (X, answers, problem, np.full(4, 0.25), init_proba), {}


def _dev_rows() -> tuple[tuple, dict]:
    """30 labelled problems x 8 candidates, two informative features of three."""
    rng = np.random.default_rng(8)
    y = (rng.random(240) < 0.3).astype(float)
    X = y[:, None] * np.array([1.0, 0.5, 0.0]) + rng.normal(size=(240, 3))
    return (X, y, np.arange(0, 241, 8), np.array([1.0, 1.0, 0.0])), {"n_repeats": 1}


def _teacher_scores() -> tuple[tuple, dict]:
    rng = np.random.default_rng(6)
    X = rng.normal(size=(120, 4))
    return (X, 1.0 / (1.0 + np.exp(-2.0 * X[:, 0]))), {"hidden": 4, "epochs": 2}


def _recipes() -> dict[str, Recipe]:
    """Qualified class or base-class name -> recipe; the first match in MRO order wins."""
    return {
        "wslib.labelmodel.base.BaseLabelModel": Recipe(_votes, "predict_proba"),
        "wslib.endmodel.estimator.EndModel": Recipe(_soft_labels, "predict_proba"),
        "wslib.autows.keywords.KeywordGenerator": Recipe(_term_counts, "transform"),
        "wslib.autows.zeroshot.ZeroShotGenerator": Recipe(_embeddings, "transform"),
        "wslib.autows.zeroshot.ZeroShotClassifier": Recipe(_embeddings, "predict_proba"),
        "wslib.autows.base.BaseGenerator": Recipe(_features, "transform"),
        "wslib.weaver.weaver.Weaver": Recipe(_verifier_table, "predict_proba"),
        "wslib.weaver.binary_moment.BinaryMomentModel": Recipe(_binary_votes, "predict_proba"),
        "wslib.weaver.gaussian_factor.GaussianFactorModel": Recipe(_scores_by_problem, "predict_proba"),
        "wslib.weaver.distill.DistilledScorer": Recipe(_teacher_scores, "predict_proba"),
        "wslib.weaver.answers.AnswerGroupModel": Recipe(_answer_groups, "answer_proba", 3),
        "wslib.weaver.dev.DevLogisticModel": Recipe(_dev_rows, "predict_proba"),
    }


RECIPES = _recipes()


def recipe_for(cls: type) -> Recipe | None:
    for klass in cls.__mro__:
        recipe = RECIPES.get(f"{klass.__module__}.{klass.__qualname__}")
        if recipe is not None:
            return recipe
    return None


ESTIMATORS = discover_estimators()
IDS = [cls.__name__ for cls in ESTIMATORS]
each = pytest.mark.parametrize("cls", ESTIMATORS, ids=IDS)


def _recipe(cls) -> Recipe:
    recipe = recipe_for(cls)
    assert recipe is not None, f"{cls.__name__} has no recipe in RECIPES"
    return recipe


def _params(cls) -> list[str]:
    return sorted(cls._get_param_names())


class _Sentinel:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<sentinel for {self.name}>"


def _output_equal(a, b) -> None:
    if hasattr(a, "detach"):
        a, b = a.detach().cpu().numpy(), b.detach().cpu().numpy()
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# ---------------------------------------------------------------------------- checks
def test_estimators_are_discovered():
    assert BaseLabelModel not in ESTIMATORS
    assert any(issubclass(cls, BaseLabelModel) for cls in ESTIMATORS)


@each
def test_every_estimator_has_a_recipe(cls):
    assert recipe_for(cls) is not None, (
        f"add a recipe for {cls.__module__}.{cls.__name__} to RECIPES in {__file__}"
    )


@each
def test_init_stores_params_untouched(cls):
    """``__init__`` stores every hyper-parameter as given: no copy, no conversion, no
    other attribute (sklearn's check_no_attributes_set_in_init). Parameters without a
    default are the ones its recipe must supply."""
    signature = inspect.signature(cls.__init__)
    required = {name for name in _params(cls)
                if signature.parameters[name].default is inspect.Parameter.empty}
    assert required <= set(_recipe(cls).data()[1]), f"{cls.__name__} requires {required}"
    default = _recipe(cls).make(cls)
    for name in _params(cls):
        assert hasattr(default, name), f"{cls.__name__}.__init__ does not store {name!r}"
    given = {name: _fresh(value) for name, value in default.get_params(deep=False).items()}
    est = cls(**given)
    for name, value in given.items():
        assert getattr(est, name) is value, f"{cls.__name__}.__init__ altered {name!r}"
    public = {key for key in vars(est) if not key.startswith("_")}
    assert public == set(given), (
        f"{cls.__name__}.__init__ sets attributes that are not parameters: "
        f"{sorted(public - set(given))}")


def _fresh(value):
    """An equal object that is not ``value`` itself where Python allows it."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return type(value)(value) if not isinstance(value, np.ndarray) else value.copy()
    return value


#: parameters checked only by ``fit``: their valid values depend on the data
CHECKED_AT_FIT = {"dependencies", "class_embeddings"}


@each
def test_bad_hyper_parameter_is_refused_when_made_and_at_fit(cls):
    """Every constrained hyper-parameter is checked when the estimator is made, naming
    it; ``set_params`` does not validate (grid search and clone rely on that) and
    ``fit`` checks again. Estimators built on CheckedParams constrain every parameter."""
    table = _constraints(cls)
    if not issubclass(cls, CheckedParams):
        pytest.skip(f"{cls.__name__} validates its parameters in fit only")
    unchecked = set(_params(cls)) - set(table) - CHECKED_AT_FIT
    assert not unchecked, f"{cls.__name__} has no constraint for {sorted(unchecked)}"
    recipe = _recipe(cls)
    for name in sorted(set(table) & set(_params(cls))):
        bad = _Sentinel(name)
        with pytest.raises((TypeError, ValueError), match=re.escape(name)):
            recipe.make(cls, **{name: bad})
        est = recipe.make(cls).set_params(**{name: bad})
        assert est.get_params()[name] is bad
        with pytest.raises((TypeError, ValueError), match=re.escape(name)):
            recipe.fit(est)


@each
def test_get_set_params_round_trip_and_clone(cls):
    recipe = _recipe(cls)
    est = recipe.make(cls)
    params = est.get_params()
    assert est.set_params(**params) is est
    assert est.get_params() == params
    for name in _params(cls):
        marker = _Sentinel(name)
        est.set_params(**{name: marker})
        assert est.get_params()[name] is marker
    with pytest.raises(ValueError, match="Invalid parameter"):
        est.set_params(not_a_parameter_of_this_estimator=1)
    fitted = recipe.fit(recipe.make(cls))
    copy = clone(fitted)
    assert copy is not fitted and type(copy) is cls
    assert copy.get_params().keys() == fitted.get_params().keys()
    with pytest.raises((NotFittedError, SklearnNotFittedError)):
        check_is_fitted(copy)


@each
def test_not_fitted_error_is_clear(cls):
    recipe = _recipe(cls)
    with pytest.raises((NotFittedError, SklearnNotFittedError), match=cls.__name__) as info:
        recipe.predict(recipe.make(cls))
    assert "fit" in str(info.value)


@each
def test_fit_returns_self_learns_underscored_state_and_keeps_params(cls):
    recipe = _recipe(cls)
    est = recipe.make(cls)
    before = est.get_params()
    assert recipe.fit(est) is est
    after = est.get_params()
    assert after.keys() == before.keys()
    for name, value in before.items():
        assert after[name] is value, f"{cls.__name__}.fit replaced its hyper-parameter {name!r}"
    learned = {key for key in vars(est) if not key.startswith("_")} - set(before)
    assert learned, f"{cls.__name__}.fit stored no learned attribute"
    offenders = sorted(key for key in learned if not key.endswith("_"))
    assert not offenders, f"{cls.__name__}.fit set public attributes without a trailing _: {offenders}"
    check_is_fitted(est)


@each
def test_repeated_fit_is_idempotent_for_a_seed(cls):
    recipe = _recipe(cls)
    est = recipe.fit(recipe.make(cls))
    first = recipe.predict(est)
    _output_equal(recipe.predict(recipe.fit(est)), first)
    _output_equal(recipe.predict(recipe.fit(clone(est))), first)


@each
def test_fitted_estimator_pickles(cls):
    """joblib / multiprocessing hand estimators to workers by pickling them."""
    recipe = _recipe(cls)
    est = recipe.fit(recipe.make(cls))
    _output_equal(recipe.predict(pickle.loads(pickle.dumps(est))), recipe.predict(est))
