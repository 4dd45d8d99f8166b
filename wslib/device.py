"""Resolve a device string for wslib's torch code: explicit, never a silent CPU fallback.

Every torch path in wslib (``wslib.kernels.torch_votes``, the end model) takes
``device=``. :func:`resolve_device` turns what the user wrote into a
``torch.device`` and refuses one this machine does not have: asking for
``"cuda"`` where there is no CUDA raises :class:`DeviceUnavailableError`, so a
job never quietly runs fifty times slower than planned. Pass ``fallback=True``
to accept the CPU instead (a :class:`DeviceFallbackWarning` says so), or
``"auto"`` to ask for the best device present (CUDA, then MPS, then CPU).

Example
-------
>>> from wslib.device import resolve_device
>>> resolve_device("cpu")
device(type='cpu')
>>> resolve_device("cuda:7", fallback=True)  # doctest: +SKIP
device(type='cpu')
"""

from __future__ import annotations

import warnings
from typing import Any

from wslib.exceptions import WslibWarning, user_stacklevel

__all__ = ["resolve_device", "available_devices", "require_torch", "DeviceUnavailableError",
           "DeviceFallbackWarning"]


def require_torch() -> Any:
    """Import torch or raise an ImportError that says how to install it.

    Every torch path in wslib (kernels, label models and end models on a
    ``device``) imports torch through this function, when first used.
    """
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is in the test extra
        raise ImportError(
            "wslib's torch code (end models, device=...) needs PyTorch; install it with "
            'pip install "wslib[torch]"'
        ) from exc
    return torch


class DeviceUnavailableError(RuntimeError):
    """The requested torch device does not exist on this machine."""

    def __init__(self, message: str, *, device: str | None = None) -> None:
        super().__init__(message)
        self.device = device


class DeviceFallbackWarning(WslibWarning):
    """``fallback=True`` replaced an unavailable device by the CPU."""


def available_devices() -> list[str]:
    """Devices torch can use here, best first, e.g. ``["cuda:0", "cpu"]``."""
    torch = require_torch()
    found = [f"cuda:{i}" for i in range(torch.cuda.device_count())] \
        if torch.cuda.is_available() else []
    if hasattr(torch.backends, "mps") and torch.backends.mps.is_available():
        found.append("mps")
    return found + ["cpu"]


class _Missing(RuntimeError):
    """A valid device string naming hardware this machine lacks."""


def _strict(torch: Any, device: Any) -> Any:
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device {device!r} is not a valid torch device: {exc}") from exc
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise _Missing(f"device {device!r} was requested but CUDA is not available "
                           "on this machine")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise _Missing(f"device {device!r} was requested but only "
                           f"{torch.cuda.device_count()} CUDA device(s) exist")
    elif dev.type == "mps":
        if not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
            raise _Missing(f"device {device!r} was requested but MPS is not available")
    elif dev.type != "cpu":
        raise ValueError(f"device {device!r} is not supported; use 'cpu', 'cuda[:i]' or 'mps'")
    return dev


def resolve_device(device: Any = "cpu", *, fallback: bool = False) -> Any:
    """A ``torch.device`` for ``device``, or an error naming what is missing.

    Parameters
    ----------
    device : str, torch.device or None
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, a ``torch.device``, or
        ``"auto"`` (the first of :func:`available_devices`). ``None`` means ``"cpu"``.
    fallback : bool
        When the device is unavailable, return the CPU with a
        :class:`DeviceFallbackWarning` instead of raising.

    Raises
    ------
    DeviceUnavailableError
        The device is valid but absent here (and ``fallback`` is False); the
        message lists the devices that are present.
    ValueError
        ``device`` is not a device string torch understands.
    """
    torch = require_torch()
    if device is None:
        device = "cpu"
    if isinstance(device, str) and device.strip().lower() == "auto":
        device = available_devices()[0]
    try:
        return _strict(torch, device)
    except _Missing as exc:
        if not fallback:
            raise DeviceUnavailableError(
                f"{exc} (available here: {', '.join(available_devices())}; pass device='cpu', "
                "or device='auto' for the first available one)", device=str(device)) from exc
        warnings.warn(f"device {device!r} is unavailable ({exc}); running on the CPU "
                      "because fallback=True", DeviceFallbackWarning, stacklevel=user_stacklevel())
        return torch.device("cpu")
