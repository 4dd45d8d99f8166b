"""Errors that give wslib's spelling when a call uses another library's argument.

Code written for Snorkel passes ``n_epochs=``, ``Y_dev=`` or ``fault_tolerant=``
to functions that spell them otherwise or do not need them. Python's own
``TypeError`` ("unexpected keyword argument") says what is wrong but not what to
write instead; :func:`other_spellings` adds that, from one table per function,
and leaves every other call untouched.

>>> @other_spellings({"df": "pass the frame as data"})
... def apply(data, *, progress=False):
...     return data
>>> apply(df=[1])
Traceback (most recent call last):
...
TypeError: apply() has no argument 'df': pass the frame as data; Snorkel code runs unchanged on wslib.compat.snorkel
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

__all__ = ["SNORKEL_HINT", "other_spellings"]

F = TypeVar("F", bound=Callable[..., Any])

#: the closing advice of every error: the drop-in namespace keeps Snorkel's signatures
SNORKEL_HINT = "Snorkel code runs unchanged on wslib.compat.snorkel"


def other_spellings(hints: Mapping[str, str], positional: str | None = None,
                    closing: str | None = SNORKEL_HINT) -> Callable[[F], F]:
    """Decorate ``f`` so that a call passing a keyword of ``hints`` that ``f`` does not
    accept (or, with ``positional``, too many positional arguments) raises a
    ``TypeError`` naming the argument and its hint, then ``closing`` (by default the
    pointer to the Snorkel namespace; ``None`` for none). ``{cls}`` in a hint is
    replaced by the class of ``self`` for methods.

    The check costs a set comparison per call; calls ``f`` accepts are not touched.
    """

    def decorate(f: F) -> F:
        params = list(inspect.signature(f).parameters.values())
        accepted = {p.name for p in params if p.kind != p.VAR_POSITIONAL}
        n_positional = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
        open_args = any(p.kind == p.VAR_POSITIONAL for p in params)
        method = bool(params) and params[0].name == "self"

        @functools.wraps(f)
        def call(*args: Any, **kwargs: Any) -> Any:
            foreign = [k for k in kwargs if k not in accepted and k in hints]
            too_many = positional is not None and not open_args and len(args) > n_positional
            if foreign or too_many:
                owner = type(args[0]).__name__ if method and args else ""
                name = (f"{owner}()" if f.__name__ == "__init__" and owner
                        else f"{owner}{'.' * bool(owner)}{f.__name__}()")
                what = (f"{name} has no argument {foreign[0]!r}: {hints[foreign[0]]}" if foreign
                        else f"{name} takes {n_positional - method} positional argument(s) "
                             f"but {len(args) - method} were given: {positional}")
                what = what.format(cls=owner or name)
                raise TypeError(what if closing is None else f"{what}; {closing}")
            return f(*args, **kwargs)

        return call  # type: ignore[return-value]

    return decorate
