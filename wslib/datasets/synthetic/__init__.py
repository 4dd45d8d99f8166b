"""Synthetic data with known ground truth: vote matrices with known LF accuracies
(:mod:`.votes`) and verifier score tables for best-of-N selection (:mod:`.verifiers`)."""
from wslib.datasets.synthetic.votes import SyntheticVotes, make_votes  # noqa: E402,F401
from wslib.datasets.synthetic.verifiers import make_verifier_table  # noqa: E402,F401
