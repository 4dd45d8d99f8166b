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
from typing import Any, Callable

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils.validation import check_is_fitted

import wslib
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
    """How to fit an estimator family and what to compare between fits."""

    def __init__(self, fit_args: Callable[[], tuple[tuple, dict]], output: str):
        self.fit_args = fit_args
        self.output = output

    def fit(self, est):
        args, kwargs = self.fit_args()
        with quiet():
            return est.fit(*args, **kwargs)

    def predict(self, est) -> Any:
        args, _ = self.fit_args()
        return getattr(est, self.output)(args[0])


def _votes() -> tuple[tuple, dict]:
    return (make_votes(120, 6, 3, random_state=4).L,), {}


#: base class -> recipe; the first base class an estimator derives from wins
RECIPES: dict[type, Recipe] = {
    BaseLabelModel: Recipe(_votes, "predict_proba"),
}


def recipe_for(cls: type) -> Recipe | None:
    for base, recipe in RECIPES.items():
        if issubclass(cls, base):
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
def test_default_constructible_and_init_stores_params_untouched(cls):
    """``__init__`` stores every hyper-parameter as given: no validation, no copy,
    no other attribute (sklearn's check_no_attributes_set_in_init)."""
    default = cls()
    signature = inspect.signature(cls.__init__)
    for name in _params(cls):
        assert hasattr(default, name), f"{cls.__name__}.__init__ does not store {name!r}"
        param = signature.parameters[name]
        assert param.default is not inspect.Parameter.empty, (
            f"{cls.__name__}({name}=...) has no default")
        assert param.kind is not inspect.Parameter.VAR_KEYWORD
    sentinels = {name: _Sentinel(name) for name in _params(cls)}
    est = cls(**sentinels)  # must not validate (validation happens in fit)
    for name, value in sentinels.items():
        assert getattr(est, name) is value, f"{cls.__name__}.__init__ altered {name!r}"
    public = {key for key in vars(est) if not key.startswith("_")}
    assert public == set(sentinels), (
        f"{cls.__name__}.__init__ sets attributes that are not parameters: "
        f"{sorted(public - set(sentinels))}")


@each
def test_get_set_params_round_trip_and_clone(cls):
    est = cls()
    params = est.get_params()
    assert est.set_params(**params) is est
    assert est.get_params() == params
    for name in _params(cls):
        marker = _Sentinel(name)
        est.set_params(**{name: marker})
        assert est.get_params()[name] is marker
    with pytest.raises(ValueError, match="Invalid parameter"):
        est.set_params(not_a_parameter_of_this_estimator=1)
    fitted = _recipe(cls).fit(cls())
    copy = clone(fitted)
    assert copy is not fitted and type(copy) is cls
    assert copy.get_params() == fitted.get_params()
    with pytest.raises((NotFittedError, SklearnNotFittedError)):
        check_is_fitted(copy)


@each
def test_not_fitted_error_is_clear(cls):
    recipe = _recipe(cls)
    with pytest.raises((NotFittedError, SklearnNotFittedError), match=cls.__name__) as info:
        recipe.predict(cls())
    assert "fit" in str(info.value)


@each
def test_fit_returns_self_learns_underscored_state_and_keeps_params(cls):
    est = cls()
    before = est.get_params()
    assert _recipe(cls).fit(est) is est
    assert est.get_params() == before, f"{cls.__name__}.fit changed its hyper-parameters"
    learned = {key for key in vars(est) if not key.startswith("_")} - set(before)
    assert learned, f"{cls.__name__}.fit stored no learned attribute"
    offenders = sorted(key for key in learned if not key.endswith("_"))
    assert not offenders, f"{cls.__name__}.fit set public attributes without a trailing _: {offenders}"
    check_is_fitted(est)


@each
def test_repeated_fit_is_idempotent_for_a_seed(cls):
    recipe = _recipe(cls)
    est = recipe.fit(cls())
    first = recipe.predict(est)
    _output_equal(recipe.predict(recipe.fit(est)), first)
    _output_equal(recipe.predict(recipe.fit(clone(est))), first)


@each
def test_fitted_estimator_pickles(cls):
    """joblib / multiprocessing hand estimators to workers by pickling them."""
    recipe = _recipe(cls)
    est = recipe.fit(cls())
    _output_equal(recipe.predict(pickle.loads(pickle.dumps(est))), recipe.predict(est))
