"""``BaseLabeler``: what Snorkel's label models share — predict, score, save and load.

Hard labels come from :func:`~wslib.compat.snorkel.utils.probs_to_preds` with
Snorkel's tie policies (``"abstain"`` by default), scores from Snorkel's
``Scorer`` (abstained rows left out of every metric but ``coverage``).
``save`` writes an ``.npz`` file with a JSON header, never a pickle, so a
Snorkel pickle cannot be loaded: refit the model here and save it again.
"""

from __future__ import annotations

import json
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from wslib.compat.snorkel._support import closest, warn_ignored
from wslib.compat.snorkel.analysis.scorer import Scorer
from wslib.compat.snorkel.utils.core import probs_to_preds, to_int_label_array
from wslib.exceptions import NotFittedError

__all__ = ["BaseLabeler", "as_votes"]

FORMAT = "wslib.compat.snorkel.labeler"
FORMAT_VERSION = 1

#: Snorkel attributes with no counterpart, and where to look instead
_INTERNALS = {
    "mu": "get_conditional_probs()", "mu_init": "get_conditional_probs()",
    "O": "LFAnalysis(L).lf_overlaps()", "coverage": "LFAnalysis(L).lf_coverages()",
    "p": "the class prior: pass class_balance= (or Y_dev=) to fit",
    "P": "the class prior: pass class_balance= (or Y_dev=) to fit",
    "optimizer": "nothing: wslib's estimate is EM, not SGD",
    "lr_scheduler": "nothing: wslib's estimate is EM, not SGD",
    "state_dict": "save(path)", "load_state_dict": "load(path)",
    "parameters": "get_weights() and get_conditional_probs()",
    "to": "LabelModel(device=...)", "cuda": "LabelModel(device='cuda')",
}


def as_votes(L: Any) -> Any:
    """``L`` as an integer vote matrix: Snorkel accepts float arrays of whole numbers."""
    if sp.issparse(L):
        return L
    L = np.asarray(L)
    return to_int_label_array(L, flatten_vector=False) if L.dtype.kind == "f" else L


class BaseLabeler(ABC):
    """A Snorkel label model over ``cardinality`` classes (other keywords: one warning)."""

    _params: ClassVar[tuple[str, ...]] = ("cardinality",)

    def __init__(self, cardinality: int = 2, **kwargs: Any) -> None:
        self.cardinality = cardinality
        warn_ignored(f"{type(self).__name__}()", kwargs, "this model has no such option")

    @abstractmethod
    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """``(n, k)`` soft labels of the votes ``L``."""

    def predict(self, L: np.ndarray, return_probs: bool = False,
                tie_break_policy: str = "abstain") -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Hard labels (``-1`` on ties with ``"abstain"``); with ``return_probs``, also the
        soft labels."""
        probs = self.predict_proba(L)
        preds = probs_to_preds(probs, tie_break_policy)
        return (preds, probs) if return_probs else preds

    def score(self, L: np.ndarray, Y: np.ndarray, metrics: Sequence[str] | None = ("accuracy",),
              tie_break_policy: str = "abstain") -> dict[str, float]:
        """``{metric: value}`` of the predictions of ``L`` against gold ``Y``."""
        scorer = Scorer(metrics=list(metrics or []))
        preds, probs = self.predict(L, return_probs=True, tie_break_policy=tie_break_policy)
        return scorer.score(Y, preds, probs)

    # ------------------------------------------------------------- persistence
    def _arrays(self) -> dict[str, np.ndarray]:
        """Learned state to save (none for a model without any)."""
        return {}

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Set the learned state read back from ``_arrays``."""

    def save(self, destination: str) -> None:
        """Write the model to ``destination`` (an ``.npz`` archive, whatever the name)."""
        header = {"format": FORMAT, "format_version": FORMAT_VERSION,
                  "class": type(self).__name__,
                  "params": {name: getattr(self, name) for name in self._params}}
        arrays = self._arrays()
        arrays["__header__"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
        with open(destination, "wb") as fh:
            np.savez(fh, **arrays)

    def load(self, source: str) -> BaseLabeler:
        """Replace this model by the one ``save`` wrote to ``source``; returns ``self``."""
        try:
            with open(source, "rb") as fh, np.load(fh, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            raise ValueError(f"{source} is not a file written by {type(self).__name__}.save(); "
                             "a Snorkel pickle cannot be loaded (wslib never unpickles): "
                             "refit the model here and save it") from None
        header = json.loads(arrays.pop("__header__").tobytes().decode())
        if header.get("format") != FORMAT or header.get("class") != type(self).__name__:
            raise ValueError(f"{source} holds a {header.get('class')!r}, not a "
                             f"{type(self).__name__} saved by wslib.compat.snorkel")
        for name, value in header["params"].items():
            setattr(self, name, value)
        self._restore(arrays)
        return self

    def _check_fitted(self, attribute: str) -> None:
        if attribute not in vars(self):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call "
                                 "fit(L_train) first")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        hint = _INTERNALS.get(name)
        public = [n for n in dir(type(self)) if not n.startswith("_")]
        why = (f": it is a Snorkel internal; use {hint}" if hint else
               closest(name, public) or ": wslib's engine has no such Snorkel internal")
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}{why}")
