"""Benchmark scripts of wslib: ``python -m benchmarks WHAT [options]`` runs ``wslib bench WHAT``.

See ``benchmarks/README.md``; results live in ``benchmarks/results/`` and
``benchmarks/make_docs.py`` turns them into ``docs/benchmarks.md``.
"""
