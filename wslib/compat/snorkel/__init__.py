"""Snorkel 0.10's labeling API on wslib's engine: switch by changing one import.

The sub-packages mirror Snorkel's (``labeling``, ``labeling.model``,
``labeling.apply``, ``preprocess``, ``analysis``, ``utils``, ``types``,
``synthetic``), so ``from snorkel.labeling import PandasLFApplier`` becomes
``from wslib.compat.snorkel.labeling import PandasLFApplier``; the common
names are also importable from here. Underneath, ``wslib.apply_lfs`` applies
the LFs, ``wslib.analysis`` and ``wslib.kernels`` count, and
``wslib.labelmodel.LabelModel`` / ``MajorityVote`` label.

What differs from Snorkel, and what each Snorkel call is natively, is in
docs/migration-snorkel.md. A Snorkel module or name that is not mirrored
(Spark, slicing, augmentation, classification) raises an error naming the
closest supported call.

>>> import pandas as pd
>>> from wslib.compat.snorkel import PandasLFApplier, labeling_function
>>> @labeling_function()
... def lf_check(x):
...     return 1 if "check" in x.text.lower() else -1
>>> PandasLFApplier([lf_check]).apply(pd.DataFrame({"text": ["Check it", "hi"]}),
...                                   progress_bar=False)
array([[ 1],
       [-1]])
"""

from wslib.compat.snorkel._support import install_finder, module_getattr

_HOME = {
    **dict.fromkeys(["LFAnalysis", "LFApplier", "LabelingFunction", "PandasLFApplier",
                     "filter_unlabeled_dataframe", "labeling_function"],
                    "wslib.compat.snorkel.labeling"),
    **dict.fromkeys(["DaskLFApplier", "PandasParallelLFApplier"],
                    "wslib.compat.snorkel.labeling.apply.dask"),
    "nlp_labeling_function": "wslib.compat.snorkel.labeling.lf.nlp",
    **dict.fromkeys(["LabelModel", "MajorityClassVoter", "MajorityLabelVoter", "RandomVoter"],
                    "wslib.compat.snorkel.labeling.model"),
    **dict.fromkeys(["LambdaPreprocessor", "Preprocessor", "preprocessor"],
                    "wslib.compat.snorkel.preprocess"),
    "SpacyPreprocessor": "wslib.compat.snorkel.preprocess.nlp",
    "get_label_buckets": "wslib.compat.snorkel.analysis",
    **dict.fromkeys(["filter_labels", "preds_to_probs", "probs_to_preds", "to_int_label_array"],
                    "wslib.compat.snorkel.utils"),
    "SnorkelCompatWarning": "wslib.compat.snorkel._support",
}

__all__ = sorted(_HOME)
__getattr__ = module_getattr(__name__, _HOME)
install_finder()
