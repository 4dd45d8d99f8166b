"""``python -m benchmarks WHAT [options]``: the ``wslib bench`` sub-commands, from the repo root."""

import sys

from wslib.bench.cli import main

if __name__ == "__main__":
    sys.exit(main())
