"""Torch import and device resolution shared by the end-model modules."""

from __future__ import annotations

from typing import Any


def require_torch() -> Any:
    """Import torch or raise an ImportError that says how to install it."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is in the test extra
        raise ImportError(
            'wslib.endmodel needs PyTorch; install it with pip install "wslib[torch]"'
        ) from exc
    return torch


def resolve_device(device: Any) -> Any:
    """A ``torch.device`` for ``device``; an unavailable accelerator is an error.

    There is no silent fallback to the CPU: asking for ``"cuda"`` on a machine
    without CUDA raises, so a run never quietly takes 50 times longer.
    """
    torch = require_torch()
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device {device!r} is not a valid torch device: {exc}") from exc
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(f"device {device!r} was requested but CUDA is not available "
                               "on this machine; pass device='cpu'")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise RuntimeError(f"device {device!r} was requested but only "
                               f"{torch.cuda.device_count()} CUDA device(s) exist")
    elif dev.type == "mps":
        if not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
            raise RuntimeError(f"device {device!r} was requested but MPS is not available; "
                               "pass device='cpu'")
    elif dev.type != "cpu":
        raise RuntimeError(f"device {device!r} is not supported; use 'cpu', 'cuda[:i]' or 'mps'")
    return dev
