"""The runnable examples in the Weaver docstrings stay runnable."""

import doctest
import importlib
import warnings

import pytest

MODULES = ["wslib.weaver", "wslib.weaver.io", "wslib.weaver.normalise", "wslib.weaver.binarise",
           "wslib.weaver.filter", "wslib.weaver.model", "wslib.weaver.answers",
           "wslib.weaver.select", "wslib.weaver.metrics", "wslib.weaver.pipeline", "wslib.weaver.distill",
           "wslib.datasets.synthetic.verifiers"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropped-verifier notes in the examples
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
