"""Torch import shared by the end-model modules (devices: :mod:`wslib.device`)."""

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
