"""Build WRENCH-layout folders of public weak-supervision datasets for ``wslib bench``.

Usage, from the repository root::

    python benchmarks/get_data.py [--out benchmarks/data] [--datasets hausa,dog]
                                  [--repo owner/name=PATH ...] [--cache DIR] [--list]

Each dataset below is read from a public GitHub repository at a fixed commit
and written as ``<out>/<name>/{train,valid,test}.json`` + ``label.json``
(see :mod:`wslib.datasets.wrench`), with ``<out>/SOURCES.json`` and
``<out>/README.md`` recording repository, commit and path per dataset. The
data are not committed (``benchmarks/data/`` is git-ignored): their licences
are their repositories'. ``wslib bench labelmodel`` reads ``benchmarks/data``
when it exists, beside the shared WRENCH folder.

Repositories are read with git: a local git directory given with
``--repo owner/name=PATH`` (a clone or a bare mirror holding the commit), else a
blob-less clone from GitHub into ``--cache``. A dataset whose repository or
files cannot be read is reported and skipped; the exit code is then 1.

Trusted input: the ``imdb`` files are Python pickles (SPEAR's format), and
unpickling runs code. Only run this script on repositories you trust; the
pickles are read here only, never by the library.
"""

from __future__ import annotations

import argparse
import io
import json
import pickle
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wslib.datasets import from_answers, write_wrench

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "data"
TUTORIAL, CROWD = "nhbess/weak_supervision_tutorial", "zhydhkcws/crowd_truth_infer"
SPEAR, DYGEN = "ayushbits/Semi-Supervised-LFs-Subset-Selection", "JerrryNie/DyGen"


class GitTree:
    """Files of one commit of a git repository (a work tree, clone or bare mirror)."""

    def __init__(self, git_dir: Path, commit: str):
        self.git_dir, self.commit = Path(git_dir), commit

    def _git(self, *args: str) -> bytes:
        proc = subprocess.run(["git", "-C", str(self.git_dir), *args], capture_output=True)
        if proc.returncode != 0:
            raise FileNotFoundError(f"git {' '.join(args)} in {self.git_dir}: "
                                    f"{proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout

    def read(self, path: str) -> bytes:
        return self._git("show", f"{self.commit}:{path}")

    def names(self, folder: str) -> list[str]:
        """File names (not paths) directly in ``folder``."""
        listing = self._git("ls-tree", "--name-only", self.commit, folder.rstrip("/") + "/")
        return [Path(p).name for p in listing.decode().splitlines()]


@dataclass(frozen=True)
class Source:
    """Where a dataset lives, how it is converted, and what to know about it."""

    repo: str
    commit: str
    path: str
    convert: Callable[[GitTree, str, Path], dict[str, int]]
    note: str


# ------------------------------------------------------------------------ converters
def copy_wrench(tree: GitTree, folder: str, out: Path, rename: dict[str, str] | None = None
                ) -> dict[str, int]:
    """Copy a WRENCH folder's ``label.json`` and split files (``rename``: source split file
    -> written split; a split file absent from ``rename`` is copied under its own name)."""
    names = set(tree.names(folder))
    rename = rename or {f"{s}.json": f"{s}.json" for s in ("train", "valid", "test")}
    out.mkdir(parents=True, exist_ok=True)
    (out / "label.json").write_bytes(tree.read(f"{folder}/label.json"))
    rows = {}
    for source, target in rename.items():
        if source in names:
            blob = tree.read(f"{folder}/{source}")
            (out / target).write_bytes(blob)
            rows[target.removesuffix(".json")] = len(json.loads(blob))
    return rows


def crowd_answers(tree: GitTree, folder: str, out: Path) -> dict[str, int]:
    """``answer.csv`` (question, worker, answer) and ``truth.csv`` (question, truth): every
    question is an item of one ``test`` split (fitted transductively), every worker a
    source. The question ids are dropped (items are numbered), since in some sets they
    encode the gold label."""
    answers = pd.read_csv(io.BytesIO(tree.read(f"{folder}/answer.csv")))
    truth = pd.read_csv(io.BytesIO(tree.read(f"{folder}/truth.csv")))
    votes = from_answers(answers, truth)
    k = int(max(votes.L.max(), votes.y.max())) + 1
    write_wrench(out, {"test": (votes.L, votes.y)}, [str(c) for c in range(k)])
    return {"test": len(votes.y)}


def _spear_split(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Votes and gold of a SPEAR ``*_processed.p`` file: pickled arrays ``x, l, m, L, d, r``
    in a row, where ``l`` is each LF's class (``n_classes`` when it abstains), ``m`` the
    fired mask and ``L`` the gold. Trusted input: unpickling runs code."""
    stream, parts = io.BytesIO(blob), []
    while stream.tell() < len(blob):
        parts.append(pickle.load(stream))  # noqa: S301 - documented trusted input
    l, m, y = (np.asarray(parts[i]) for i in (1, 2, 3))
    fired, n_classes = m > 0, int(y.max()) + 1
    if (l != np.round(l)).any() or (l[~fired] != n_classes).any() or \
            (l[fired] >= n_classes).any() or (l[fired] < 0).any():
        raise ValueError(f"SPEAR file: the fired mask m does not match l, whose abstain is "
                         f"the class count {n_classes} of the gold labels")
    return np.where(fired, l, -1).astype(np.int64), y.ravel().astype(np.int64)


def spear_pickles(tree: GitTree, folder: str, out: Path) -> dict[str, int]:
    """SPEAR's ``U`` (unlabelled) and ``d`` (labelled) sets form train, ``validation`` is
    valid, ``test`` is test."""
    splits = {}
    for split, files in (("train", ("U", "d")), ("valid", ("validation",)), ("test", ("test",))):
        parts = [_spear_split(tree.read(f"{folder}/{f}_processed.p")) for f in files]
        splits[split] = (np.vstack([L for L, _ in parts]), np.concatenate([y for _, y in parts]))
    k = int(max(max(L.max(), y.max()) for L, y in splits.values())) + 1
    write_wrench(out, splits, [str(c) for c in range(k)])
    return {name: len(y) for name, (_, y) in splits.items()}


def firing_matrices(tree: GitTree, folder: str, out: Path) -> dict[str, int]:
    """``{train,test}_l.npy``: which LFs fire (0/1) on each item; ``k.npy``: the class each
    LF votes; ``{train,test}_y.npy``: gold."""
    def npy(name: str) -> np.ndarray:
        return np.load(io.BytesIO(tree.read(f"{folder}/{name}.npy")), allow_pickle=False)

    lf_class = npy("k").astype(np.int64).ravel()
    splits = {}
    for split in ("train", "test"):
        fired = npy(f"{split}_l")
        if fired.shape[1] != lf_class.size or not np.isin(fired, (0, 1)).all():
            raise ValueError(f"{split}_l.npy must be a 0/1 matrix with one column per entry of "
                             f"k.npy ({lf_class.size}), got shape {fired.shape}")
        splits[split] = (np.where(fired > 0, lf_class[None, :], -1),
                         npy(f"{split}_y").astype(np.int64).ravel())
    k = int(max(lf_class.max(), *(y.max() for _, y in splits.values()))) + 1
    write_wrench(out, splits, [str(c) for c in range(k)])
    return {name: len(y) for name, (_, y) in splits.items()}


def _tutorial(tree: GitTree, folder: str, out: Path) -> dict[str, int]:
    return copy_wrench(tree, folder, out)  # dev.json is a copy of valid.json in yoruba


def _dygen_chemprot(tree: GitTree, folder: str, out: Path) -> dict[str, int]:
    return copy_wrench(tree, folder, out, {"valid.json": "train.json", "test.json": "test.json"})


DATASETS: dict[str, Source] = {
    "hausa": Source(TUTORIAL, "1d2d7cc62d4161b8af8192bd038d93ada8012046",
                    "part_2_spam_clf/data/hausa", _tutorial,
                    "WRENCH json, 5 classes"),
    "yoruba": Source(TUTORIAL, "1d2d7cc62d4161b8af8192bd038d93ada8012046",
                     "part_2_spam_clf/data/yoruba", _tutorial,
                     "WRENCH json, 7 classes; dev.json (a copy of valid.json) skipped"),
    "imdb": Source(SPEAR, "40de4977efec475921386cf134c3881ca4433de0", "datasets/imdb_original",
                   spear_pickles, "SPEAR pickles, 25 generated LFs; train = U + d"),
    "audit": Source(SPEAR, "0432cb68baa7497288a5014c8fda76412c58a02f", "datasets/imb/audit",
                    firing_matrices, "tabular, 52 LFs: firing matrix + class per LF"),
    "chemprot": Source(DYGEN, "41902c324779157a272548a008a6e487f6d81acc", "datasets/chemprot",
                       _dygen_chemprot,
                       "WRENCH chemprot, 26 LFs; its valid split is written as train (the "
                       "commit's train.json is not in every snapshot of the repository), "
                       "test as test"),
    "product": Source(CROWD, "8d216471071f09b9e474ee19f8d692447f982f88", "datasets/d_jn-product",
                      crowd_answers, "crowd answers, 176 workers; question ids dropped (their "
                      "last digit is the gold label)"),
    "dog": Source(CROWD, "8d216471071f09b9e474ee19f8d692447f982f88", "datasets/s4_Dog data",
                  crowd_answers, "crowd answers, 109 workers"),
    "face": Source(CROWD, "8d216471071f09b9e474ee19f8d692447f982f88",
                   "datasets/s4_Face Sentiment Identification", crowd_answers,
                   "crowd answers, 27 workers"),
    "duck": Source(CROWD, "8d216471071f09b9e474ee19f8d692447f982f88",
                   "datasets/d_Duck Identification", crowd_answers, "crowd answers, 39 workers"),
}


# ------------------------------------------------------------------------ repositories
def open_repo(repo: str, local: dict[str, Path], cache: Path) -> Path:
    """The git directory of ``repo``: the local one given, else a blob-less clone."""
    if repo in local:
        return local[repo]
    target = cache / repo.replace("/", "+")
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["git", "clone", "--quiet", "--bare", "--filter=blob:none",
                               f"https://github.com/{repo}.git", str(target)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise FileNotFoundError(f"cannot clone {repo}: {proc.stderr.strip()}")
    return target


def convert_each(names: list[str], known: dict, convert: Callable[[str, Any], dict],
                 errors: tuple[type[Exception], ...], tag: str
                 ) -> tuple[dict[str, dict], dict[str, str]]:
    """``convert(name, source)`` for each of ``names`` (``known[name]`` its source, with
    ``repo``, ``commit``, ``path`` and ``note``): the record of what was written per
    name, with its source, and why others failed (``errors`` are reported, not raised)."""
    written, failed = {}, {}
    for name in names:
        src = known[name]
        try:
            counts = convert(name, src)
        except errors as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
            print(f"{tag}: {name} skipped: {failed[name]}", file=sys.stderr)
            continue
        written[name] = {"repository": f"https://github.com/{src.repo}", "commit": src.commit,
                         "path": src.path, **counts, "note": src.note}
        print(f"{tag}: {name}: {counts}", file=sys.stderr)
    return written, failed


def build(names: list[str], out: Path, local: dict[str, Path], cache: Path
          ) -> tuple[dict[str, dict], dict[str, str]]:
    """Convert ``names``; returns what was written per dataset and why others failed."""
    def convert(name: str, src: Source) -> dict:
        rows = src.convert(GitTree(open_repo(src.repo, local, cache), src.commit), src.path,
                           out / name)
        return {"rows": rows}
    return convert_each(names, DATASETS, convert, (OSError, ValueError, pickle.UnpicklingError),
                        "get_data")


def merge_sources(out: Path, written: dict[str, dict]) -> dict[str, dict]:
    """``SOURCES.json`` in ``out`` merged with ``written`` (earlier runs' entries kept);
    returns the merged index."""
    index_file = out / "SOURCES.json"
    index = json.loads(index_file.read_text()) if index_file.exists() else {}
    index.update(written)
    index = dict(sorted(index.items()))
    index_file.write_text(json.dumps(index, indent=1) + "\n")
    return index


def write_index(out: Path, written: dict[str, dict]) -> None:
    """``SOURCES.json`` and ``README.md`` beside the data (merged with earlier runs)."""
    index = merge_sources(out, written)
    lines = ["# Benchmark datasets", "",
             "Written by `python benchmarks/get_data.py`; not part of the repository. Each "
             "dataset is converted from the public repository, commit and path below; its "
             "licence is that repository's.", "",
             "| dataset | repository | commit | path | rows | note |", "|---|---|---|---|---|---|"]
    lines += [f"| {n} | {s['repository']} | `{s['commit']}` | `{s['path']}` | "
              + ", ".join(f"{k} {v}" for k, v in s["rows"].items()) + f" | {s['note']} |"
              for n, s in index.items()]
    (out / "README.md").write_text("\n".join(lines) + "\n")


def _repo_option(text: str) -> tuple[str, Path]:
    repo, sep, path = text.partition("=")
    if not sep or repo.count("/") != 1 or not path:
        raise argparse.ArgumentTypeError(f"--repo {text!r}: use owner/name=PATH")
    return repo, Path(path)


def add_source_options(parser: argparse.ArgumentParser, kind: str) -> None:
    """The options every builder here shares: ``--repo``, ``--cache`` and ``--list``."""
    parser.add_argument("--repo", type=_repo_option, action="append", default=[],
                        metavar="OWNER/NAME=PATH", help="read this repository from a local git "
                        "directory instead of cloning it (repeatable)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "wslib-data",
                        help="where GitHub clones go (default: %(default)s)")
    parser.add_argument("--list", action="store_true", help=f"list the {kind} and sources")


def chosen(parser: argparse.ArgumentParser, text: str, known: dict, kind: str,
           listing: bool) -> list[str] | None:
    """The names in the comma-separated ``text`` (unknown ones are a usage error); with
    ``listing``, print each one's source and return ``None``."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown {kind} {unknown}; known: {', '.join(known)}")
    if not listing:
        return names
    for name in names:
        src = known[name]
        print(f"{name}: {src.repo}@{src.commit[:10]} {src.path} ({src.note})")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="data folder (default: %(default)s)")
    parser.add_argument("--datasets", default=",".join(DATASETS),
                        help="comma-separated names (default: all)")
    add_source_options(parser, "datasets")
    args = parser.parse_args(argv)
    names = chosen(parser, args.datasets, DATASETS, "datasets", args.list)
    if names is None:
        return 0
    written, failed = build(names, args.out, dict(args.repo), args.cache)
    if written:
        write_index(args.out, written)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
