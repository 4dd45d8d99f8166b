"""Versioned model files without pickle: NumPy arrays plus a JSON header in one ``.npz``.

Label models and end models save their hyper-parameters and learned state
through :func:`write_archive` and read them back with :func:`read_archive`:
the header names the file ``format`` (what kind of model), its
``format_version`` and the wslib version that wrote it, so a file loads in
later versions of wslib and an unknown one is refused with a message that
says why. Nothing is ever unpickled.

Example
-------
>>> import tempfile, pathlib
>>> import numpy as np
>>> path = pathlib.Path(tempfile.mkdtemp()) / "m.npz"
>>> write_archive(path, {"format": "demo", "format_version": 1}, {"w": np.ones(2)})
>>> header, arrays = read_archive(path, "demo", "demo model", ("format_version",))
>>> header["format_version"], arrays["w"].tolist()
(1, [1.0, 1.0])
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["check_format_version", "plain", "read_archive", "write_archive"]

_HEADER = "__header__"
#: a mapping whose keys JSON would turn into text (class indices), as a list of pairs
_PAIRS = "__pairs__"


def plain(value: Any) -> Any:
    """NumPy values in a header (an array of LF pairs, an int64) as JSON values."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"hyper-parameter value {value!r} ({type(value).__name__}) cannot be "
                    "saved as JSON")


def _tagged(value: Any) -> Any:
    """``value`` with every mapping or pandas Series whose keys are not all text as
    ``{"__pairs__": [[key, value], ...]}``: JSON object keys are text, and a class
    index ``0`` would come back as ``"0"``.

    >>> _tagged({"class_balance": {0: 0.3, 1: 0.7}})
    {'class_balance': {'__pairs__': [[0, 0.3], [1, 0.7]]}}
    >>> _untagged(_tagged({"a": {0: 0.3}})["a"])
    {0: 0.3}
    """
    if isinstance(value, (list, tuple)):
        return [_tagged(v) for v in value]
    items = getattr(value, "items", None)
    if not callable(items) or isinstance(value, np.ndarray):
        return value
    pairs = [(plain(k) if isinstance(k, np.generic) else k, _tagged(v)) for k, v in items()]
    if isinstance(value, dict) and all(isinstance(k, str) for k, _ in pairs):
        return dict(pairs)
    return {_PAIRS: [list(pair) for pair in pairs]}


def _untagged(obj: dict[str, Any]) -> Any:
    """The mapping :func:`_tagged` wrote as pairs (a JSON object hook)."""
    if set(obj) == {_PAIRS}:
        return {key: value for key, value in obj[_PAIRS]}
    return obj


def write_archive(path: str | Path, header: dict[str, Any], arrays: dict[str, np.ndarray]
                  ) -> None:
    """Write ``arrays`` and the JSON ``header`` to ``path`` (an ``.npz``, no pickle)."""
    encoded = np.frombuffer(json.dumps(_tagged(header), default=plain).encode(),
                            dtype=np.uint8)
    with open(Path(path), "wb") as fh:
        np.savez(fh, **arrays, **{_HEADER: encoded})


def read_archive(path: str | Path, fmt: str, what: str, required: Sequence[str]
                 ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Header and arrays of a file :func:`write_archive` wrote with ``format`` ``fmt``.

    Any damage, a file of another format, or a header without the ``required``
    keys (and an integer ``format_version``) is a ``ValueError`` naming ``path``
    and calling the expected content ``what`` (e.g. ``"label-model"``).
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as npz:  # closed on error
            if _HEADER not in npz.files:
                raise ValueError(f"{path} is not a wslib {what} file (no header)")
            raw = npz[_HEADER].tobytes()
            arrays = {name: npz[name] for name in npz.files if name != _HEADER}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        if str(path) in str(exc):
            raise
        # numpy's own advice for a non-archive file is to load it unsafely (pickle): not ours
        why = ("it is not an .npz archive, and wslib never unpickles files"
               if "allow_pickle" in str(exc) else str(exc))
        raise ValueError(f"{path} is not a readable wslib {what} file "
                         f"(an .npz written by save()): {why}") from None
    try:
        header = json.loads(raw.decode("utf-8"), object_hook=_untagged)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} has a corrupted header: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != fmt:
        kind = header.get("format") if isinstance(header, dict) else None
        hint = f" (it holds a {kind!r} file)" if isinstance(kind, str) and kind else ""
        raise ValueError(f"{path} is not a wslib {what} file{hint}")
    missing = [key for key in required if key not in header]
    if missing or not isinstance(header["format_version"], int):
        raise ValueError(f"{path} has a corrupted header: missing or invalid "
                         f"{missing or ['format_version']}")
    return header, arrays


def check_format_version(header: dict[str, Any], supported: int, path: str | Path) -> None:
    """Refuse a file written in a newer format than this wslib reads."""
    if header["format_version"] > supported:
        raise ValueError(
            f"{path} was written with format version {header['format_version']} by wslib "
            f"{header.get('wslib_version', '?')}; this wslib reads up to {supported}: upgrade "
            "wslib to load it")
