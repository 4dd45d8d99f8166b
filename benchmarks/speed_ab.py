"""Compare ``LabelModel`` fit + predict_proba speed against an earlier commit, A/B.

Usage, from the repository root of a git checkout::

    python benchmarks/speed_ab.py --baseline 13a862e [--rounds 3] [--k 2 5] [--n 1000000]

The baseline commit is exported (``git archive``) to a temporary folder; both trees
then run in fresh processes, alternating (baseline, current, baseline, ...), on the
same votes (``make_votes(n, 100, k, random_state=0)`` of the current tree, saved
once), each after an untimed warm-up, three timed fits per process. Alternating
makes a shared machine's load fall on both alike; CPU seconds (all threads) move
less with the load than wall seconds, and the table prints both, with the ratio of
the medians (current / baseline).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 3


def child(tree: str, votes: str) -> None:
    """Time ``REPEATS`` fits of the ``LabelModel`` of ``tree`` on the saved votes."""
    sys.path.insert(0, tree)
    import numpy as np

    import wslib
    from wslib.labelmodel import LabelModel

    if not Path(wslib.__file__).resolve().is_relative_to(Path(tree).resolve()):
        raise RuntimeError(f"imported {wslib.__file__}, not the tree {tree}")
    L = np.load(votes)
    LabelModel().fit(L[:5000]).predict_proba(L[:5000])  # numba compilation or cache load
    times = []
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        LabelModel().fit(L).predict_proba(L)
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    print(json.dumps(times))


def _export(commit: str, into: Path) -> Path:
    archive = into / "baseline.tar"
    with open(archive, "wb") as fh:
        subprocess.run(["git", "-C", str(ROOT), "archive", commit], stdout=fh, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "baseline", filter="data")
    return into / "baseline"


def _run(tree: Path, votes: Path) -> list[tuple[float, float]]:
    proc = subprocess.run([sys.executable, __file__, "--child", str(tree), str(votes)],
                          capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home())})
    return [tuple(t) for t in json.loads(proc.stdout.strip().splitlines()[-1])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="git commit to compare against (required)")
    parser.add_argument("--rounds", type=int, default=3, help="alternations per k")
    parser.add_argument("--k", type=int, nargs="+", default=[2, 5], help="class counts")
    parser.add_argument("--n", type=int, default=1_000_000, help="items")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if not args.baseline:
        parser.error("--baseline is required")
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from wslib.datasets.synthetic import make_votes

    print(f"LabelModel fit + predict_proba on {args.n:,} x 100, {args.rounds} alternations x "
          f"{REPEATS} fits; baseline {args.baseline}, current {ROOT}")
    print("k | baseline CPU s | current CPU s | CPU ratio | baseline wall s | current wall s "
          "| wall ratio")
    with tempfile.TemporaryDirectory() as tmp:
        baseline = _export(args.baseline, Path(tmp))
        for k in args.k:
            votes = Path(tmp) / f"votes-k{k}.npy"
            np.save(votes, make_votes(args.n, 100, k, random_state=0).L)
            runs: dict[Path, list[tuple[float, float]]] = {baseline: [], ROOT: []}
            for _ in range(args.rounds):
                for tree in runs:
                    runs[tree] += _run(tree, votes)
            (b_wall, b_cpu), (c_wall, c_cpu) = (
                [statistics.median(t[i] for t in runs[tree]) for i in (0, 1)]
                for tree in (baseline, ROOT))
            print(f"{k} | {b_cpu:.2f} | {c_cpu:.2f} | {c_cpu / b_cpu:.2f} | {b_wall:.2f} | "
                  f"{c_wall:.2f} | {c_wall / b_wall:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
