"""Every wslib warning names the line of the user's code that triggered it.

A warning that points inside wslib (or one frame too far, into pytest or the
interpreter) hides which call to fix; the depth of the warning's origin
varies with the call path, so each path below is checked.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from wslib import apply_lfs, labeling_function
from wslib.datasets.synthetic import make_verifier_table
from wslib.labelmodel import DawidSkene, LabelModel
from wslib.weaver import VerifierTable, Weaver


def _caught(call) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert caught, "the call was expected to warn"
    return caught


def test_label_model_warnings_point_at_the_caller():
    L = np.array([[0, 1, -1], [1, 1, -1], [-1, -1, -1], [0, 0, -1]] * 5, dtype=np.int8)
    for w in _caught(lambda: LabelModel().fit(L)):  # uncovered rows, a silent LF
        assert w.filename == __file__, (w.category, w.filename)
    # a convergence warning raised two models deep (LabelModel -> DawidSkene)
    L = np.random.default_rng(0).integers(-1, 3, size=(300, 6)).astype(np.int8)
    for w in _caught(lambda: LabelModel(max_iter=1).fit(L)):
        assert w.filename == __file__, (w.category, w.filename)
    for w in _caught(lambda: DawidSkene(max_iter=1).fit(L)):
        assert w.filename == __file__, (w.category, w.filename)


def test_apply_fault_warning_points_at_the_caller():
    @labeling_function()
    def breaks(x):
        raise RuntimeError("boom")

    frame = pd.DataFrame({"text": ["a", "b"]})
    for w in _caught(lambda: apply_lfs(frame, [breaks], errors="abstain")):
        assert w.filename == __file__, (w.category, w.filename)


def test_weaver_warnings_point_at_the_caller():
    frame = make_verifier_table(120, 6, 8, random_state=0)
    frame["flat"] = 1.0  # a constant verifier: dropped with a warning
    table = VerifierTable.from_frame(frame)
    dev = table.problem_ids[:20]  # representation chosen on dev problems: a deeper path
    for call in (lambda: Weaver().fit(table), lambda: Weaver().fit(table, dev=dev)):
        for w in _caught(call):
            assert w.filename == __file__, (w.category, w.filename)
