"""Drop-in namespaces for code written for other weak-supervision libraries.

:mod:`wslib.compat.snorkel` mirrors Snorkel 0.10's labeling API on wslib's
engine: change ``from snorkel.labeling import ...`` to
``from wslib.compat.snorkel.labeling import ...`` and nothing else. It is
never imported by ``import wslib``. See docs/migration-snorkel.md.
"""

__all__: list[str] = []
