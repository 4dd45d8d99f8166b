"""Versioned persistence: stored files written by an earlier wslib load and give the
same soft labels; damaged, foreign or too-new files are refused with the file named."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from wslib.exceptions import NotFittedError
from wslib.labelmodel import BaseLabelModel, MajorityVote
from wslib.labelmodel.base import FORMAT_VERSION

from ._support import LABEL_MODEL_IDS, LABEL_MODELS, quiet
from .make_fixtures import FIXTURES, fixture_votes

STORED = sorted(p for p in FIXTURES.glob("*-format*.npz") if not p.name.endswith(".expected.npz"))


def _expected(path: Path) -> Path:
    return path.with_name(path.name[: -len(".npz")] + ".expected.npz")


@pytest.mark.parametrize("cls", LABEL_MODELS, ids=LABEL_MODEL_IDS)
def test_every_label_model_has_a_stored_file(cls):
    names = [p.name for p in STORED]
    assert any(name.startswith(f"{cls.__name__}-format") for name in names), (
        f"no stored file for {cls.__name__}: run python tests/reliability/make_fixtures.py")


def test_stored_files_are_small():
    assert sum(p.stat().st_size for p in FIXTURES.glob("*.npz")) < 100 * 1024


@pytest.mark.parametrize("path", STORED, ids=[p.stem for p in STORED])
def test_stored_file_loads_and_gives_the_same_soft_labels(path):
    class_name = re.match(r"(\w+)-format\d+", path.name).group(1)
    with np.load(_expected(path)) as ref:
        L, proba = ref["L"], ref["proba"]
    model = BaseLabelModel.load(path)
    assert type(model).__name__ == class_name
    assert type(model).load(path).get_params() == model.get_params()
    np.testing.assert_allclose(model.predict_proba(L), proba, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ refused files
@pytest.fixture
def saved(tmp_path) -> Path:
    path = tmp_path / "model.npz"
    with quiet():
        MajorityVote(random_state=3).fit(fixture_votes()).save(path)
    return path


def _rewrite(path: Path, edit) -> Path:
    """Rewrite ``path`` with its JSON header passed through ``edit`` (dict -> dict or bytes)."""
    with np.load(path) as npz:
        arrays = {name: npz[name] for name in npz.files}
    header = edit(json.loads(arrays["__header__"].tobytes().decode()))
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    arrays["__header__"] = np.frombuffer(raw, dtype=np.uint8)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def _load_error(path: Path, exc_type: type, pattern: str, loader=BaseLabelModel.load) -> str:
    with pytest.raises(exc_type, match=pattern) as info:
        loader(path)
    assert str(path) in str(info.value), f"the error does not name the file: {info.value}"
    return str(info.value)


def test_newer_format_version_is_refused_with_upgrade_advice(saved):
    _rewrite(saved, lambda h: dict(h, format_version=FORMAT_VERSION + 1, wslib_version="99.0"))
    message = _load_error(saved, ValueError, rf"format version {FORMAT_VERSION + 1}")
    assert "99.0" in message and "upgrade" in message


def test_older_format_version_still_loads(saved):
    """Files from format 1 on load in every later version, with their parameters, and
    label as a majority vote does (computed here from the vote counts)."""
    _rewrite(saved, lambda h: dict(h, format_version=1))
    model = BaseLabelModel.load(saved)
    assert isinstance(model, MajorityVote) and model.get_params()["random_state"] == 3
    L = fixture_votes()
    counts = np.stack([(L == c).sum(axis=1) for c in range(model.cardinality_)], axis=1)
    top = (counts == counts.max(axis=1, keepdims=True)).astype(float)
    expected = np.where(counts.sum(axis=1, keepdims=True) > 0,
                        top / top.sum(axis=1, keepdims=True), 1.0 / model.cardinality_)
    np.testing.assert_allclose(model.predict_proba(L), expected)


@pytest.mark.parametrize("header, pattern", [
    (b"{garbage", "corrupted header"),
    (b"\xff\xfe\x00", "corrupted header"),
    (b"[1, 2, 3]", "not a wslib label-model file"),
    ({"format": "wslib.labelmodel"}, "corrupted header"),
    ({"format": "wslib.labelmodel", "format_version": "1", "class": "MajorityVote",
      "params": {}, "scalars": {}}, "corrupted header.*format_version"),
    ({"format": "sklearn", "format_version": 1}, "not a wslib label-model file"),
], ids=["bad-json", "bad-utf8", "json-list", "missing-keys", "version-not-int", "other-format"])
def test_corrupted_header_is_refused(saved, header, pattern):
    _rewrite(saved, lambda h: header)
    _load_error(saved, ValueError, pattern)


def test_truncated_file_is_refused(saved):
    saved.write_bytes(saved.read_bytes()[:200])
    _load_error(saved, ValueError, "not a readable wslib label-model file")


def test_text_file_is_refused(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("not a model\n")
    _load_error(path, ValueError, "not a readable wslib label-model file")


def test_pickle_is_refused_without_advice_to_unpickle(tmp_path):
    import pickle

    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps({"weights": [1, 2]}))
    with pytest.raises(ValueError, match="never unpickles") as err:
        BaseLabelModel.load(path)
    assert "allow_pickle" not in str(err.value)


def test_npz_without_header_is_refused(tmp_path):
    path = tmp_path / "arrays.npz"
    np.savez(path, a=np.arange(3))
    _load_error(path, ValueError, "no header")


def test_unknown_model_class_is_refused(saved):
    _rewrite(saved, lambda h: dict(h, **{"class": "ModelFromTheFuture"}))
    _load_error(saved, ValueError, "unknown label model 'ModelFromTheFuture'")


def test_missing_learned_attribute_is_refused(saved):
    _rewrite(saved, lambda h: dict(h, scalars={}))
    _load_error(saved, ValueError, r"without its learned attributes \['cardinality_', 'n_sources_'\]")


@pytest.mark.parametrize("cls", [c for c in LABEL_MODELS if c is not MajorityVote],
                         ids=[c.__name__ for c in LABEL_MODELS if c is not MajorityVote])
def test_file_of_another_class_is_refused(saved, cls):
    _load_error(saved, TypeError, rf"holds a MajorityVote, not a {cls.__name__}", loader=cls.load)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="absent.npz"):
        BaseLabelModel.load(tmp_path / "absent.npz")


def test_saving_an_unfitted_model_is_refused(tmp_path):
    with pytest.raises(NotFittedError, match="MajorityVote is not fitted"):
        MajorityVote().save(tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


def test_learned_arrays_must_match_the_lf_count(tmp_path):
    from wslib.labelmodel import LabelModel

    path = tmp_path / "lm.npz"
    with quiet():
        LabelModel().fit(fixture_votes()).save(path)
    _rewrite(path, lambda h: dict(h, scalars=dict(h["scalars"], n_sources_=3)))
    _load_error(path, ValueError, r"inconsistent: accuracy_ has \d+ entries but n_sources_ is 3")
