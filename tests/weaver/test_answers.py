"""The answer-level label model and answer selection in Weaver."""

import warnings

import numpy as np
import pandas as pd
import pytest

from wslib.exceptions import NotFittedError
from wslib.weaver import VerifierDroppedWarning, VerifierTable, Weaver, selection_metrics
from wslib.weaver.answers import AnswerGroupModel


def _answer_table(n_problems=300, n_candidates=8, n_verifiers=6, shift=0.8, seed=0,
                  correct_answers=(0,)):
    """Three answers per problem, the correct ones listed in ``correct_answers``;
    answer 0 is the most frequent."""
    rng = np.random.default_rng(seed)
    problem = np.repeat(np.arange(n_problems), n_candidates)
    slot = rng.choice(3, size=problem.size, p=[0.6, 0.25, 0.15])
    y = np.isin(slot, correct_answers).astype(float)
    X = y[:, None] * shift + rng.normal(size=(problem.size, n_verifiers))
    return X, problem * 3 + slot, problem, y


def _fit(X, answers, problem, **params):
    init = np.full(X.shape[0], 0.5)
    return AnswerGroupModel(**params).fit(X, answers, problem, np.ones(X.shape[1]), init)


def test_recovers_the_correct_answers_and_their_popularity():
    X, answers, problem, y = _answer_table()
    model = _fit(X, answers, problem)
    p = model.answer_proba(X, answers, problem)
    assert np.mean((p > 0.5) == (y == 1)) > 0.95
    assert model.separation_ > 0 and 0 < model.fooling_ <= model.max_fooling
    assert model.popularity_coef_[1] > 0  # the correct answer is the popular one here
    # every candidate of one answer gets the same posterior
    same = pd.Series(p).groupby(answers).nunique()
    assert (same == 1).all()


def test_answers_are_not_assumed_exclusive():
    X, answers, problem, _ = _answer_table(correct_answers=(0, 1), seed=1)
    p = _fit(X, answers, problem).answer_proba(X, answers, problem)
    both = (answers % 3 == 1)
    assert np.mean(p[both] > 0.5) > 0.9  # a second correct answer is found too
    only_one = _fit(X, answers, problem, max_correct=1).answer_proba(X, answers, problem)
    _, first = np.unique(answers, return_index=True)  # one row per answer
    totals = pd.Series(only_one[first]).groupby(problem[first]).sum()
    assert (totals <= 1 + 1e-9).all()  # with max_correct=1 at most one per problem


def test_rare_answers_beyond_max_answers_cannot_be_correct():
    rng = np.random.default_rng(2)
    problem = np.repeat(np.arange(100), 10)
    answers = problem * 10 + np.tile(np.arange(10), 100)  # ten singleton answers each
    answers[::10] = answers[1::10]  # answer 1 has two candidates
    X = rng.normal(size=(problem.size, 4))
    p = _fit(X, answers, problem, max_answers=1).answer_proba(X, answers, problem)
    assert np.all(p[answers % 10 != 1] == 0) and np.all(p[answers % 10 == 1] > 0)


def test_unfitted_model_raises():
    with pytest.raises(NotFittedError):
        AnswerGroupModel().answer_proba(np.zeros((2, 1)), np.array([0, 1]), np.array([0, 0]))


def test_weaver_selects_the_best_answer(sim_frame):
    table = VerifierTable.from_frame(sim_frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weaver = Weaver().fit(table)
    assert weaver.aggregate_ == "answer"
    rows = weaver.select(table)
    p = weaver.predict_answer_proba(table)
    best = pd.Series(p).groupby(table.problem).max().to_numpy()
    assert np.allclose(p[rows], best)  # the selected row belongs to the most probable answer
    accuracy = selection_metrics(table, rows)["selection_accuracy"]
    assert accuracy == pytest.approx(table.labels[rows].mean())
    # independent reference: the most frequent answer of each problem (0.885 here), which
    # the verifiers' weighting beats (0.92)
    counts = sim_frame.groupby(["problem_id", "answer"]).agg(n=("correct", "size"),
                                                             right=("correct", "max"))
    plurality = counts.sort_values("n", ascending=False, kind="stable").groupby(level=0).head(1)
    assert accuracy >= plurality["right"].mean() + 0.02


def test_answer_selection_needs_answers(sim_frame):
    no_answers = VerifierTable.from_frame(sim_frame, answer=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VerifierDroppedWarning)
        weaver = Weaver().fit(no_answers)  # label-free default falls back to candidates
        assert weaver.aggregate_ == "candidate"
        with pytest.raises(ValueError, match="needs an answer column"):
            Weaver(aggregate="answer").fit(no_answers)
        with pytest.raises(ValueError, match="selects candidates"):
            weaver.predict_answer_proba(no_answers)
        with pytest.raises(ValueError, match="unknown aggregate"):
            Weaver(aggregate="best").fit(no_answers)


def test_binary_votes_select_candidates_unless_asked(sim_frame):
    table = VerifierTable.from_frame(sim_frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert Weaver(representation="binary").fit(table).aggregate_ == "candidate"
        asked = Weaver(representation="binary", aggregate="answer").fit(table)
    assert asked.aggregate_ == "answer"
    assert asked.predict_answer_proba(table).shape == (table.problem.size,)


def _level_table(n_problems=400, n_candidates=8, n_verifiers=6, seed=3):
    """Problems with one, two or three answers; each problem's scores move along a
    loading ``c`` by a random level; answer 0 is correct in 60% of the problems."""
    rng = np.random.default_rng(seed)
    problem = np.repeat(np.arange(n_problems), n_candidates)
    k = rng.integers(1, 4, n_problems)
    slot = np.minimum(rng.integers(0, 3, problem.size), k[problem] - 1)
    has_correct = rng.random(n_problems) < 0.6
    y = ((slot == 0) & has_correct[problem]).astype(float)
    c = rng.uniform(0.5, 1.5, n_verifiers) * rng.choice([-1, 1], n_verifiers)
    X = (y[:, None] * 0.8 + rng.normal(size=n_problems)[problem, None] * c[None, :]
         + rng.normal(size=(problem.size, n_verifiers)))
    return X, problem * 3 + slot, problem, y, c


def test_problem_level_factor_uses_the_absolute_level():
    X, answers, problem, y, c = _level_table()
    factor = _fit(X, answers, problem)
    free = _fit(X, answers, problem, problem_level="free")
    cos = abs(factor.level_loading_ @ c) / np.linalg.norm(factor.level_loading_) / np.linalg.norm(c)
    assert cos > 0.95 and np.linalg.norm(factor.level_loading_) > 0.5 * np.linalg.norm(c)
    single = pd.Series(answers).groupby(problem).transform("nunique").to_numpy() == 1
    p_factor = factor.answer_proba(X, answers, problem)[single]
    p_free = free.answer_proba(X, answers, problem)[single]
    # a problem with one answer: only its level tells whether that answer is right
    assert np.ptp(p_free) < 1e-12  # contrasts only: every such problem gets the prior
    assert p_factor[y[single] == 1].mean() > p_factor[y[single] == 0].mean() + 0.3
    # and the factor's posteriors are better calibrated over every answer
    brier = {name: np.mean((m.answer_proba(X, answers, problem) - y) ** 2)
             for name, m in (("factor", factor), ("free", free))}
    assert brier["factor"] < brier["free"]


def test_problem_level_is_checked():
    X, answers, problem, _ = _answer_table(n_problems=20)
    with pytest.raises(ValueError, match="problem_level"):
        _fit(X, answers, problem, problem_level="fixed")


def _shared_noise_table(shared: float, seed: int = 0):
    """400 problems, each with answers of 1-6 candidates; scores = correctness along mu
    + noise shared by an answer's candidates (``shared`` times S) + candidate noise S."""
    rng = np.random.default_rng(seed)
    m, mu = 4, np.array([1.0, 0.8, 0.6, 0.4])
    rows, answers, problem = [], [], []
    code = 0
    for p in range(400):
        sizes = rng.integers(1, 7, size=rng.integers(2, 5))
        right = rng.integers(0, sizes.size)
        for g, n in enumerate(sizes):
            group = mu * (g == right) + np.sqrt(shared) * rng.normal(size=m)
            rows.append(group + rng.normal(size=(n, m)))
            answers += [code] * n
            problem += [p] * n
            code += 1
    return np.vstack(rows), np.array(answers), np.array(problem)


@pytest.mark.parametrize("shared", [0.0, 0.5, 2.0])
def test_noise_shared_by_an_answers_candidates_is_measured(shared):
    """Candidates of one answer that share noise beyond correctness (solutions judged
    alike because they reason alike) average it away no more than the fooling along
    mu: the model measures it from the answers' contrasts off mu, without labels."""
    X, answers, problem = _shared_noise_table(shared)
    weight = np.array([1.0, 0.8, 0.6, 0.4])
    model = AnswerGroupModel().fit(X, answers, problem, weight, np.full(problem.size, 0.3))
    assert model.shared_noise_ == pytest.approx(shared, abs=0.15)
