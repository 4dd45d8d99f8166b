"""Write the stored model files that ``test_persistence.py`` loads forever after.

Run by hand, never by the tests::

    python tests/reliability/make_fixtures.py          # add files for new models only
    python tests/reliability/make_fixtures.py --list   # what exists

For every label model exported by :mod:`wslib.labelmodel` it fits the model on
one small fixed vote matrix and writes ``<Class>-format<N>.npz`` (the model, via
``save``) plus ``<Class>-format<N>.expected.npz`` (the votes, the soft labels
and the wslib version that wrote them). Existing files are never overwritten:
they are the record of what an older wslib wrote, and a newer wslib must still
read them and give the same soft labels.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "persistence"


def fixture_votes() -> np.ndarray:
    """60 items x 8 LFs, 3 classes, two unipolar LFs, one uncovered row."""
    from wslib.datasets.synthetic import make_votes

    L = make_votes(60, 8, 3, n_unipolar=2, coverage=(0.3, 0.8), random_state=2026).L.copy()
    L[-1] = -1
    return L


def stems(cls: type, version: int) -> tuple[Path, Path]:
    stem = f"{cls.__name__}-format{version}"
    return FIXTURES / f"{stem}.npz", FIXTURES / f"{stem}.expected.npz"


def write(cls: type, L: np.ndarray) -> tuple[Path, Path] | None:
    import wslib
    from wslib.labelmodel.base import FORMAT_VERSION

    model_path, expected_path = stems(cls, FORMAT_VERSION)
    if model_path.exists():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cls(random_state=0).fit(L)
    model.save(model_path)
    np.savez(expected_path, L=L, proba=model.predict_proba(L),
             wslib_version=np.array(wslib.__version__))
    return model_path, expected_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the stored files and exit")
    args = parser.parse_args(argv)
    if args.list:
        for path in sorted(FIXTURES.glob("*.npz")):
            print(f"{path.stat().st_size:>7} B  {path.name}")
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.reliability._support import label_models

    FIXTURES.mkdir(parents=True, exist_ok=True)
    L = fixture_votes()
    for cls in label_models():
        written = write(cls, L)
        print(f"{cls.__name__}: " + ("kept existing file" if written is None
                                      else f"wrote {written[0].name}, {written[1].name}"))
    total = sum(p.stat().st_size for p in FIXTURES.glob("*.npz"))
    print(f"{total / 1024:.1f} KiB in {FIXTURES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
