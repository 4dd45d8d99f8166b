"""Datasets: the WRENCH loader and writer, crowd answer tables, the embedded default
dataset, synthetic generators.

>>> from wslib.datasets import load_embedded
>>> load_embedded().name
'youtube'
"""

from wslib.datasets.answers import AnswerVotes, from_answers
from wslib.datasets.wrench import (
    Split,
    WrenchDataset,
    find_datasets,
    load_embedded,
    load_wrench,
    readme_rules,
    rule_agreement,
    rule_votes,
    wrench_metric,
    write_wrench,
)

__all__ = ["AnswerVotes", "Split", "WrenchDataset", "find_datasets", "from_answers",
           "load_embedded", "load_wrench", "readme_rules", "rule_agreement", "rule_votes",
           "wrench_metric", "write_wrench"]
