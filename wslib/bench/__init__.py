"""Benchmarks: every method x every dataset x peers, as tables, JSON/CSV and plots.

Each sub-command of ``wslib bench`` is a module here (``labelmodel``, ``apply``,
``endmodel``, ``weaver``, ``autows``, ``scale``, ``coldstart``) exposing::

    HELP: str
    def add_arguments(parser: argparse.ArgumentParser) -> None: ...
    def run(args: argparse.Namespace) -> list[dict]: ...   # records

A record is a dict with at least ``dataset``, ``method``, ``metric``, ``value``
and ``seconds`` (see :func:`wslib.bench.core.record`); the common options
``--data DIR`` and ``--json PATH`` (plus ``--csv``, ``--out``, ``--seeds``,
``--quick``) are added by :mod:`wslib.bench.cli` for every sub-command.
"""
