"""When wslib compiles: numba kernels built on first use, vectorised NumPy on small inputs.

Every hot loop in :mod:`wslib.kernels` has two implementations that give the
same results: a numba kernel and a vectorised NumPy path. Inputs of fewer than
:func:`jit_min_size` cells (entries of a vote matrix, bytes of text) take the
NumPy path, so a first run on small data never waits for a compiler, and never
imports numba. Larger inputs take the compiled path, numba's CPU design: a
kernel marked ``@jit`` is compiled the first time a call needs it (only that
kernel and the kernels it calls) and cached on disk by numba (``cache=True``),
so later processes load it instead. A process that compiles says so once, on
stderr: ``wslib: compiling kernels (first run only)``.

The environment variable ``WSLIB_JIT_MIN_SIZE`` (read once per process) moves
the threshold: ``0`` compiles every kernel, a huge value never compiles;
:func:`jit_threshold` changes it for a block of code.

A numba cache directory (``NUMBA_CACHE_DIR``) that cannot be written is not an
error: wslib warns once (:class:`~wslib.exceptions.CacheWarning`) and numba
caches elsewhere or, with nowhere to write, compiles in memory in each process.

>>> import numpy as np
>>> from wslib.kernels import count_votes
>>> count_votes(np.array([[0, 1], [0, -1]], dtype=np.int8), 2).tolist()  # NumPy: no compile
[[2, 0], [0, 1]]
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from wslib.exceptions import CacheWarning

__all__ = ["COMPILING_MESSAGE", "DEFAULT_JIT_MIN_SIZE", "JIT_MIN_SIZE_ENV", "Kernel",
           "SERIAL_BELOW", "issparse", "jit", "jit_min_size", "jit_threshold", "num_threads",
           "prange", "use_jit"]

#: environment variable holding the threshold (cells) from which compiled kernels run
JIT_MIN_SIZE_ENV = "WSLIB_JIT_MIN_SIZE"
#: default threshold: below it the NumPy paths take at most tens of milliseconds where
#: compiling would cost seconds (every WRENCH dataset is below); above it the compiled
#: kernels are 2-10x faster, which pays for their one compile
DEFAULT_JIT_MIN_SIZE = 1_000_000
COMPILING_MESSAGE = "wslib: compiling kernels (first run only)"
#: a compiled parallel kernel reading fewer entries than this runs on the calling thread
#: alone: waking numba's thread pool costs more than such inputs take (50 ms a call
#: instead of 25 us on a loaded 2-core machine, where OpenMP threads spin). Below the
#: default :data:`DEFAULT_JIT_MIN_SIZE` only a lowered threshold gets there.
SERIAL_BELOW = 1 << 16

#: a kernel's ``prange`` until numba is imported (plain ``range`` in Python)
prange = range

_LOCK = threading.RLock()
_STATE: dict[str, Any] = {"numba": None, "announced": False, "warned": False,
                          "min_size": None}


def jit_min_size() -> int:
    """Input size (cells or bytes) from which the compiled kernels run:
    ``WSLIB_JIT_MIN_SIZE`` as read at the first call of the process (or set by
    :func:`jit_threshold`), default :data:`DEFAULT_JIT_MIN_SIZE`."""
    if _STATE["min_size"] is None:
        _STATE["min_size"] = _parse_min_size(os.environ.get(JIT_MIN_SIZE_ENV))
    return _STATE["min_size"]


def _parse_min_size(value: str | None) -> int:
    if not value:
        return DEFAULT_JIT_MIN_SIZE
    try:
        return max(0, int(value))
    except ValueError:
        raise ValueError(f"{JIT_MIN_SIZE_ENV} must be a non-negative integer, "
                         f"got {value!r}") from None


@contextmanager
def jit_threshold(size: int | None) -> Iterator[None]:
    """Set the threshold (and ``WSLIB_JIT_MIN_SIZE``, for child processes) for a block:
    ``0`` runs the compiled kernels on every input (e.g. to warm them up on a few
    rows), ``None`` restores the default; the previous setting comes back after.

    >>> with jit_threshold(0):
    ...     use_jit(1)
    True
    """
    before = os.environ.get(JIT_MIN_SIZE_ENV), _STATE["min_size"]
    if size is None:
        os.environ.pop(JIT_MIN_SIZE_ENV, None)
    else:
        os.environ[JIT_MIN_SIZE_ENV] = str(int(size))
    _STATE["min_size"] = None  # read again from the environment just set
    try:
        yield
    finally:
        if before[0] is None:
            os.environ.pop(JIT_MIN_SIZE_ENV, None)
        else:
            os.environ[JIT_MIN_SIZE_ENV] = before[0]
        _STATE["min_size"] = before[1]


def use_jit(size: int) -> bool:
    """Whether an input of ``size`` cells runs the compiled kernel (else NumPy)."""
    return size >= jit_min_size()


def issparse(x: Any) -> bool:
    """``scipy.sparse.issparse`` without importing scipy.sparse: when it is not
    loaded yet, nothing can be a sparse matrix."""
    if type(x) is np.ndarray:  # the common case, decided without a lookup
        return False
    sp = sys.modules.get("scipy.sparse")
    return sp is not None and sp.issparse(x)


def num_threads() -> int:
    """numba's thread count (imports numba: call it on the compiled path only)."""
    return _numba().get_num_threads()


class Kernel:
    """A numba kernel compiled on its first call; ``@jit(...)`` makes one.

    Calling it compiles (or loads from numba's cache) the kernel and the
    kernels it calls, then runs it. ``options`` go to :func:`numba.njit`.
    """

    def __init__(self, py_func: Callable[..., Any], options: dict[str, Any]) -> None:
        self.py_func = py_func
        self.options = options
        self.dispatcher: Any = None
        functools.update_wrapper(self, py_func)

    def __call__(self, *args: Any) -> Any:
        kernel = self.dispatcher or self.compile()
        if not self.options["parallel"] or _entries(args) >= SERIAL_BELOW:
            return kernel(*args)
        numba = _numba()
        threads = numba.get_num_threads()
        if threads == 1:
            return kernel(*args)
        numba.set_num_threads(1)
        try:
            return kernel(*args)
        finally:
            numba.set_num_threads(threads)

    def compile(self) -> Any:
        """The numba dispatcher of this kernel, built on first use."""
        with _LOCK:
            if self.dispatcher is None:
                self.dispatcher = _njit(self.py_func, self.options)
        return self.dispatcher


def _entries(args: tuple) -> int:
    """Entries of a kernel call's largest array argument (``L``, or a CSR's ``data``)."""
    return max((a.size for a in args if isinstance(a, np.ndarray)), default=0)


def jit(*, parallel: bool = False, inline: str = "never", cache: bool = True
        ) -> Callable[[Callable[..., Any]], Kernel]:
    """Mark a numba kernel, compiled on its first call (``nogil=True``)."""
    options = {"nogil": True, "parallel": parallel, "inline": inline, "cache": cache}
    return lambda f: Kernel(f, options)


def _njit(py_func: Callable[..., Any], options: dict[str, Any]) -> Any:
    """Compile ``py_func``; numba reads its callees and ``prange`` from the module's
    globals, so those become numba objects first."""
    numba = _numba()
    names = py_func.__globals__
    if names.get("prange") is range:
        names["prange"] = numba.prange
    for name in py_func.__code__.co_names:
        callee = names.get(name)
        if isinstance(callee, Kernel):
            names[name] = callee.compile()
    try:
        return numba.njit(**options)(py_func)
    except RuntimeError as exc:  # caching asked for, but no cache location is writable
        if not options["cache"]:
            raise
        _warn_once(f"numba cannot cache wslib's compiled kernels ({exc}); they are compiled "
                   "again in every new process. Set NUMBA_CACHE_DIR to a writable folder")
        return numba.njit(**{**options, "cache": False})(py_func)


def _numba() -> Any:
    """Import numba once: check its cache folder, announce compiles on stderr."""
    if _STATE["numba"] is None:
        with _LOCK:
            if _STATE["numba"] is None:
                import numba
                from numba.core import event

                event.register("numba:compile", _announcer(event.Listener)())
                _check_cache_dir(numba.config.CACHE_DIR)
                _STATE["numba"] = numba
    return _STATE["numba"]


def _announcer(base: type) -> type:
    class Announce(base):  # type: ignore[valid-type, misc]
        """Prints :data:`COMPILING_MESSAGE` the first time numba compiles a wslib kernel
        (numba sends no event when it loads a kernel from its cache)."""

        def on_start(self, event: Any) -> None:
            func = getattr(event.data.get("dispatcher"), "py_func", None)
            if not _STATE["announced"] and getattr(func, "__module__", "").startswith("wslib."):
                _STATE["announced"] = True
                print(COMPILING_MESSAGE, file=sys.stderr, flush=True)

        def on_end(self, event: Any) -> None:
            pass

    return Announce


def _check_cache_dir(folder: str) -> None:
    """Warn once when ``NUMBA_CACHE_DIR`` is set but cannot be written."""
    if not folder:
        return
    try:
        os.makedirs(folder, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        _warn_once(f"NUMBA_CACHE_DIR={folder!r} is not writable ({exc}); numba caches "
                   "wslib's compiled kernels elsewhere (the source tree or the user cache) "
                   "or, with nowhere to write, compiles them in every new process")


def _warn_once(message: str) -> None:
    if not _STATE["warned"]:
        _STATE["warned"] = True
        warnings.warn(message, CacheWarning, stacklevel=3)
