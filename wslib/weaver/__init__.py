"""Weaver: combine weak verifiers (reward models, LM judges) into a strong one and
select the best of N candidate answers per problem, without gold labels.

>>> from wslib.datasets.synthetic import make_verifier_table
>>> from wslib.weaver import Weaver, VerifierTable, selection_metrics
>>> table = VerifierTable.from_frame(make_verifier_table(100, 8, 10, random_state=1))
>>> metrics = selection_metrics(table, scores=Weaver().fit(table).selection_score(table))
>>> 0.0 <= metrics["selection_accuracy"] <= metrics["oracle_pass_at_n"]
True

With a few labelled problems, ``Weaver().fit(table, dev=problem_ids)`` learns which
verifiers to trust from their labels (score it on the other problems:
``selection_metrics(table, scores=..., problems=...)``). See docs/weaver.md for the
pipeline, the modes and the command line.
"""

from wslib.weaver.answers import AnswerGroupModel
from wslib.weaver.dev import DevLogisticModel
from wslib.weaver.distill import DistilledScorer
from wslib.weaver.filter import VerifierDroppedWarning, filter_verifiers
from wslib.weaver.io import VerifierTable, from_weaver_layout, read_table
from wslib.weaver.metrics import selection_metrics
from wslib.weaver.binary_moment import BinaryMomentModel
from wslib.weaver.gaussian_factor import GaussianFactorModel
from wslib.weaver.weaver import DevSetWarning, SmallTableWarning, Weaver
from wslib.weaver.select import select_best, selection_frame

__all__ = [
           "AnswerGroupModel",
           "BinaryMomentModel",
           "DevLogisticModel",
           "DevSetWarning",
           "DistilledScorer",
           "GaussianFactorModel",
           "SmallTableWarning",
           "VerifierDroppedWarning",
           "VerifierTable",
           "Weaver",
           "filter_verifiers",
           "from_weaver_layout",
           "read_table",
           "select_best",
           "selection_frame",
           "selection_metrics",
]
