"""What the Snorkel namespace does not mirror, and the one warning for options it ignores.

Every Snorkel module or name the namespace leaves out is listed once, in
:data:`UNSUPPORTED`, with the closest call that is supported. Importing such a
module (``wslib.compat.snorkel.labeling.apply.spark``) or name raises an
``ImportError`` saying so; any other unknown name raises an ``AttributeError``
that suggests the closest public one.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.abc
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from wslib.exceptions import WslibWarning, user_stacklevel

__all__ = ["PREFIX", "SnorkelCompatWarning", "UNSUPPORTED", "closest", "module_getattr",
           "unsupported", "warn_ignored"]

PREFIX = "wslib.compat.snorkel"
_SPARK = ("Spark is not supported; apply the LFs to a Dask dataframe with "
          "wslib.compat.snorkel.labeling.apply.dask.DaskLFApplier (or in worker processes "
          "with wslib.apply_lfs(df, lfs, n_jobs=-1))")

#: Snorkel modules and names (relative to ``snorkel``) left out, with the closest supported call
UNSUPPORTED: dict[str, str] = {
    "labeling.apply.spark": _SPARK,
    "labeling.apply.spark.SparkLFApplier": _SPARK,
    "labeling.lf.nlp_spark": "Spark is not supported; use "
                             "wslib.compat.snorkel.labeling.lf.nlp.nlp_labeling_function",
    "labeling.model.logger": "there are no training epochs to log: LabelModel(verbose=True) "
                             "logs its fit at INFO level",
    "labeling.model.graph_utils": "LabelModel's clique tree is a Snorkel internal; "
                                  "wslib.labelmodel.LabelModel(dependencies=...) takes known "
                                  "dependent LF pairs",
    "map": "use wslib.compat.snorkel.preprocess (preprocessor, Preprocessor, "
           "LambdaPreprocessor), Snorkel's mappers for labeling",
    "classification": "train an end model on the soft labels with wslib.endmodel",
    "slicing": "slicing functions are not supported; compare label groups with "
               "wslib.compat.snorkel.analysis.get_label_buckets",
    "augmentation": "transformation functions are not supported",
    "contrib": "Snorkel's contributed models are not supported",
}


class SnorkelCompatWarning(WslibWarning):
    """A Snorkel argument was accepted for compatibility but has no effect on wslib's engine."""


def warn_ignored(where: str, names: Iterable[str], why: str) -> None:
    """One warning naming every ignored argument in ``names`` (none: no warning)."""
    names = list(names)
    if names:
        verb = "has" if len(names) == 1 else "have"
        warnings.warn(f"{where}: {', '.join(names)} {verb} no effect here ({why}); accepted so "
                      "that Snorkel code runs unchanged", SnorkelCompatWarning,
                      stacklevel=user_stacklevel())


def closest(name: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``candidates``, or ``""``."""
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


def unsupported(relative: str) -> ImportError:
    """The error for the Snorkel module or name ``snorkel.<relative>``."""
    return ImportError(f"snorkel.{relative} is not mirrored by {PREFIX}: {UNSUPPORTED[relative]}",
                       name=f"{PREFIX}.{relative}")


def module_getattr(module: str, lazy: Mapping[str, str] | None = None
                   ) -> Callable[[str], Any]:
    """A module ``__getattr__``: names of ``lazy`` are imported from their module on
    first use; unsupported Snorkel names raise :func:`unsupported`; any other
    name an ``AttributeError`` suggesting the closest public one."""
    lazy = dict(lazy or {})
    relative = module[len(PREFIX) + 1:]

    def __getattr__(name: str) -> Any:
        if name in lazy:
            return getattr(importlib.import_module(lazy[name]), name)
        key = f"{relative}.{name}".lstrip(".")
        if key in UNSUPPORTED:
            raise unsupported(key)
        public = list(lazy) + list(getattr(sys.modules[module], "__all__", []))
        raise AttributeError(f"module {module!r} has no attribute {name!r}"
                             f"{closest(name, public)}")

    return __getattr__


class _UnsupportedModules(importlib.abc.MetaPathFinder):
    """Turns ``import wslib.compat.snorkel.<unsupported>`` into an error naming the
    closest supported call (consulted last, after every real module was looked for)."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        relative = fullname[len(PREFIX) + 1:]
        if fullname.startswith(PREFIX + ".") and relative in UNSUPPORTED:
            raise unsupported(relative)
        return None


def install_finder() -> None:
    """Add the finder to ``sys.meta_path`` once."""
    if not any(isinstance(f, _UnsupportedModules) for f in sys.meta_path):
        sys.meta_path.append(_UnsupportedModules())
