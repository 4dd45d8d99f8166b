"""Datasets: the WRENCH loader, the embedded default dataset, synthetic generators.

>>> from wslib.datasets import load_embedded
>>> load_embedded().name
'youtube'
"""

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
)

__all__ = ["Split", "WrenchDataset", "find_datasets", "load_embedded", "load_wrench",
           "readme_rules", "rule_agreement", "rule_votes", "wrench_metric"]
