"""``merge_config``: Snorkel's update of a (nested) configuration record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wslib.compat.snorkel.types import Config

__all__ = ["merge_config"]


def merge_config(config: Config, config_updates: Mapping[str, Any]) -> Config:
    """A copy of the NamedTuple ``config`` with ``config_updates`` applied; a dict value
    updates the nested record of that name. An unknown field raises ``ValueError``.

    >>> from typing import NamedTuple
    >>> class Inner(NamedTuple):
    ...     a: float = 0.5
    >>> class Outer(NamedTuple):
    ...     b: int = 1
    ...     inner: Inner = Inner()
    >>> merge_config(Outer(), {"b": 2, "inner": {"a": 0.75}})
    Outer(b=2, inner=Inner(a=0.75))
    """
    updates = {key: merge_config(getattr(config, key), value) if isinstance(value, Mapping)
               else value for key, value in config_updates.items()}
    return config._replace(**updates)
