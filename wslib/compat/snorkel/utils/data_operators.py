"""``check_unique_names``: the check every Snorkel applier runs on its LFs' names."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

__all__ = ["check_unique_names"]


def check_unique_names(names: Sequence[str]) -> None:
    """Raise ``ValueError`` naming the most repeated name when ``names`` repeat.

    >>> check_unique_names(["a", "b", "b"])
    Traceback (most recent call last):
    ...
    ValueError: Operator names not unique: 2 operators with name b
    """
    if names:
        name, count = Counter(names).most_common(1)[0]
        if count > 1:
            raise ValueError(f"Operator names not unique: {count} operators with name {name}")
