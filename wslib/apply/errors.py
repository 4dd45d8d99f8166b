"""Errors raised while applying labeling functions; each names the LF and the row.

``index`` is the row's label in the input (the DataFrame index label; for Arrow,
Parquet and dict input, the 0-based row number) and ``position`` its 0-based
position in the input. Both survive pickling, so errors raised in worker
processes arrive intact.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LFApplyError", "LFOutputError", "LFTimeoutError", "MissingColumnError",
           "WorkerDiedError"]


class LFApplyError(RuntimeError):
    """A labeling function raised an exception (``errors="raise"``)."""

    def __init__(self, message: str, *, lf: str | None = None, index: Any = None,
                 position: int | None = None) -> None:
        super().__init__(message)
        self.lf = lf
        self.index = index
        self.position = position


class LFOutputError(LFApplyError, ValueError, TypeError):
    """A labeling function returned a non-integer, out-of-range or wrong-length output."""


class LFTimeoutError(LFApplyError):
    """A row labeling function ran longer than ``apply_lfs(timeout=)`` on one row."""


class MissingColumnError(KeyError):
    """The input lacks a column an LF reads."""

    def __init__(self, message: str, *, column: str | None = None,
                 lf: str | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.lf = lf

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class WorkerDiedError(RuntimeError):
    """A worker process died (killed, out of memory, crashed) while applying LFs."""
