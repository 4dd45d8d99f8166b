"""Label models on LF sets that mix keyword rules with classifiers, against majority vote.

Users often add model-based LFs (a classifier trained on a few labelled items, a
zero-shot model) to their keyword rules. A classifier votes on every item and for
every class (*multipolar*), a rule for one class (*unipolar*), and a label model must
weigh both. This script makes such sets from the real text datasets the label-model
benchmark reads (the shared WRENCH folder and ``benchmarks/data``): to each set's own
LFs it adds ``--classifiers`` classifiers, alternately a logistic regression and a
multinomial naive Bayes on TF-IDF features of the text, each trained on its own
``--labels`` gold train items drawn at random (``--draws`` draws per set). Every set
runs under the benchmark's protocol (:mod:`wslib.bench.labelmodel`: fit on train,
the WRENCH metric on the evaluation split, ties broken at random with ``--seeds``
seeds); the table gives, per method, the mean difference to majority vote on the same
votes, how many draws fall more than 0.005 below it, and the worst. Sets without a
text column or without train labels give no draws. From the repository root::

    python benchmarks/mixed_sources.py                      # 3 classifiers, 5 draws
    python benchmarks/mixed_sources.py --classifiers 5 --datasets youtube,trec

>>> import numpy as np
>>> texts = ["good fun", "bad film", "good good", "bad bad", "fun", "film"]
>>> V_fit, V_eval = classifier_votes(texts, texts[:2], np.array([1, 0, 1, 0, 1, 0]),
...                                  n_classifiers=2, n_labels=6, k=2, seed=0)
>>> V_fit.shape, V_eval.tolist()
((6, 2), [[1, 1], [0, 0]])
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB

from wslib.bench import variants
from wslib.bench.data import BenchData, default_data_dirs
from wslib.datasets import find_datasets, load_embedded, load_wrench
from wslib.matrix import to_dense


def classifier_votes(texts_fit: list[str], texts_eval: list[str], y_fit: np.ndarray, *,
                     n_classifiers: int, n_labels: int, k: int, seed: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Votes (int8, one column per classifier) on the fit and evaluation texts of
    ``n_classifiers`` classifiers, each trained on ``n_labels`` fit items drawn with
    ``seed`` (redrawn until they hold two classes)."""
    vectorizer = TfidfVectorizer(min_df=2 if len(texts_fit) >= 50 else 1).fit(texts_fit)
    X_fit, X_eval = vectorizer.transform(texts_fit), vectorizer.transform(texts_eval)
    rng = np.random.default_rng(seed)
    columns = []
    for j in range(n_classifiers):
        rows = rng.choice(y_fit.size, min(n_labels, y_fit.size), replace=False)
        while np.unique(y_fit[rows]).size < 2:
            rows = rng.choice(y_fit.size, min(n_labels, y_fit.size), replace=False)
        model = (LogisticRegression(max_iter=1000) if j % 2 == 0 else MultinomialNB())
        model.fit(X_fit[rows], y_fit[rows])
        columns.append((model.predict(X_fit), model.predict(X_eval)))
    if max(int(c.max()) for pair in columns for c in pair) >= k:
        raise ValueError("a classifier predicted a class outside the dataset's cardinality")
    return tuple(np.column_stack([pair[i] for pair in columns]).astype(np.int8)
                 for i in (0, 1))


def _texts(name: str) -> dict[str, list[str]] | None:
    """Each split's texts of the dataset ``name`` as the benchmark finds it (``-rules``
    sets read their source's; the embedded youtube when no data folder exists), or
    ``None`` without a text column."""
    folders = default_data_dirs()
    found = [load_wrench(path) for root in folders for path in find_datasets(root)
             if path.name == name.removesuffix("-rules")]
    if not folders and name == "youtube":
        found = [load_embedded("youtube")]
    if not found or any("text" not in found[0][s].data.columns for s in found[0].splits):
        return None
    return {s: found[0][s].data["text"].astype(str).tolist() for s in found[0].splits}


def with_classifiers(data: BenchData, V_fit: np.ndarray, V_eval: np.ndarray) -> BenchData:
    """``data`` with the classifier votes as extra LF columns on the fit and evaluation
    rows (no dev split: the probe compares methods without gold)."""
    def stack(L, V):
        return np.hstack([to_dense(L), V]).astype(np.int8)

    L_fit = stack(data.L_fit, V_fit)
    return replace(data, name=f"{data.name}+{V_fit.shape[1]}", L_fit=L_fit,
                   L_eval=L_fit if data.same_rows else stack(data.L_eval, V_eval),
                   L_valid=None, y_valid=None,
                   info={**data.info, "classifiers": V_fit.shape[1]})


def draws(data: BenchData, args: argparse.Namespace) -> Iterator[tuple[range, BenchData]]:
    """``args.draws`` mixed LF sets of ``data``, each with ``args.seeds`` tie-break seeds."""
    texts = _texts(data.name)
    if texts is None or data.y_fit is None or data.eval_split not in texts:
        return
    for draw in range(args.draws):
        V_fit, V_eval = classifier_votes(
            texts[data.fit_split], texts[data.eval_split], np.asarray(data.y_fit),
            n_classifiers=args.classifiers, n_labels=args.labels, k=data.cardinality,
            seed=draw)
        yield range(args.seeds), with_classifiers(data, V_fit, V_eval)


def main(argv: list[str] | None = None) -> str:
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--classifiers", type=int, default=3,
                            help="classifiers added to each set's LFs (default 3)")
        parser.add_argument("--labels", type=int, default=100,
                            help="gold train items each classifier is trained on (default 100)")
        parser.add_argument("--draws", type=int, default=5, help="draws per set (default 5)")
        parser.add_argument("--seeds", type=int, default=3, help="tie-break seeds per draw")

    return variants.main(argv, __doc__.splitlines()[0], draws, add_arguments)


if __name__ == "__main__":
    main()
