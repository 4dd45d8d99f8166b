"""``benchmarks/get_data.py``: each converter on a tiny git repository, and on the real
repositories when local copies are present."""

import io
import json
import pickle
import subprocess
from pathlib import Path

import numpy as np
import pytest

from benchmarks import get_data
from wslib.datasets import load_wrench

MIRRORS = Path("/work/.mirror")


def _repo(tmp_path: Path, files: dict[str, bytes]) -> get_data.GitTree:
    """A git repository holding ``files`` in one commit."""
    root = tmp_path / "repo"
    for name, blob in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(blob)
    for cmd in (["init", "-q"], ["add", "."],
                ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "data"]):
        subprocess.run(["git", "-C", str(root), *cmd], check=True)
    return get_data.GitTree(root, "HEAD")


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_crowd_answers_drop_the_question_ids(tmp_path):
    tree = _repo(tmp_path, {
        "d/answer.csv": b"question,worker,answer\nq_0,w1,0\nq_0,w2,1\nr_1,w2,1\n",
        "d/truth.csv": b"question,truth\nq_0,0\nr_1,1\n"})
    assert get_data.crowd_answers(tree, "d", tmp_path / "out") == {"test": 2}
    ds = load_wrench(tmp_path / "out")
    np.testing.assert_array_equal(ds["test"].L, [[0, 1], [-1, 1]])
    np.testing.assert_array_equal(ds["test"].y, [0, 1])
    assert ds["test"].ids == ["0", "1"] and ds.label_names == ["0", "1"]
    assert "q_0" not in (tmp_path / "out" / "test.json").read_text()


def test_spear_pickles_read_the_fired_mask(tmp_path):
    def stream(l, m, y):
        x = np.zeros((len(y), 3))
        return b"".join(pickle.dumps(np.asarray(a)) for a in (x, l, m, y, y, x))

    l = np.array([[0.0, 2.0], [1.0, 1.0]])  # 2 = n_classes: abstain
    m = np.array([[1, 0], [1, 1]])
    files = {f"d/{name}_processed.p": stream(l, m, np.array([0, 1]))
             for name in ("U", "d", "validation", "test")}
    tree = _repo(tmp_path, files)
    assert get_data.spear_pickles(tree, "d", tmp_path / "out") == {"train": 4, "valid": 2,
                                                                   "test": 2}
    ds = load_wrench(tmp_path / "out")
    np.testing.assert_array_equal(ds["valid"].L, [[0, -1], [1, 1]])
    np.testing.assert_array_equal(ds["train"].y, [0, 1, 0, 1])
    bad = {k: stream(l, np.ones_like(m), np.array([0, 1])) for k in files}
    with pytest.raises(ValueError, match="fired mask"):
        get_data.spear_pickles(_repo(tmp_path / "bad", bad), "d", tmp_path / "out2")


def test_firing_matrices_vote_each_lfs_class(tmp_path):
    tree = _repo(tmp_path, {"a/k.npy": _npy(np.array([1, 0, 1])),
                            "a/train_l.npy": _npy(np.array([[1, 0, 0], [0, 1, 1]])),
                            "a/train_y.npy": _npy(np.array([1, 0])),
                            "a/test_l.npy": _npy(np.array([[0, 0, 1]])),
                            "a/test_y.npy": _npy(np.array([1]))})
    get_data.firing_matrices(tree, "a", tmp_path / "out")
    ds = load_wrench(tmp_path / "out")
    np.testing.assert_array_equal(ds["train"].L, [[1, -1, -1], [-1, 0, 1]])
    np.testing.assert_array_equal(ds["test"].L, [[-1, -1, 1]])


def test_build_reports_what_it_cannot_read(tmp_path, capsys):
    tree = _repo(tmp_path, {"README": b"nothing here"})
    written, failed = get_data.build(["dog"], tmp_path / "out",
                                     {get_data.CROWD: tree.git_dir}, tmp_path / "cache")
    assert written == {} and "does not exist" in failed["dog"]
    assert "dog skipped" in capsys.readouterr().err


def test_index_records_repository_commit_and_path(tmp_path):
    entry = {"repository": "https://github.com/o/n", "commit": "c" * 40, "path": "p",
             "rows": {"test": 3}, "note": "n"}
    get_data.write_index(tmp_path, {"x": entry})
    get_data.write_index(tmp_path, {"y": entry})
    assert sorted(json.loads((tmp_path / "SOURCES.json").read_text())) == ["x", "y"]
    assert f"| x | https://github.com/o/n | `{'c' * 40}` | `p` | test 3 | n |" in \
        (tmp_path / "README.md").read_text()


def _mirror(repo: str) -> Path:
    path = MIRRORS / repo.replace("/", "+") / "repo"
    if not path.exists():
        pytest.skip(f"no local copy of {repo} at {path}")
    return path


#: name -> (rows per split, LFs, classes) as converted from the pinned commits
EXPECTED = {"hausa": ({"train": 2045, "valid": 290, "test": 582}, 5, 5),
            "yoruba": ({"train": 1340, "valid": 189, "test": 379}, 7, 7),
            "imdb": ({"train": 1136, "valid": 284, "test": 500}, 25, 2),
            "audit": ({"train": 543, "test": 233}, 52, 2),
            "chemprot": ({"train": 1607, "test": 1607}, 26, 10),
            "product": ({"test": 8315}, 176, 2), "dog": ({"test": 807}, 109, 4),
            "face": ({"test": 584}, 27, 4), "duck": ({"test": 108}, 39, 2)}


@pytest.mark.data
def test_real_repositories_convert(tmp_path):
    local = {repo: _mirror(repo) for repo in {s.repo for s in get_data.DATASETS.values()}}
    written, failed = get_data.build(list(EXPECTED), tmp_path, local, tmp_path / "cache")
    assert failed == {}
    for name, (rows, m, k) in EXPECTED.items():
        ds = load_wrench(tmp_path / name)
        assert written[name]["rows"] == rows
        assert (ds.n_sources, ds.cardinality) == (m, k), name
        assert all(ds[s].has_labels for s in rows), name
