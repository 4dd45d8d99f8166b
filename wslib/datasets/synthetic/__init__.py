"""Synthetic data with known ground truth: vote matrices with known LF accuracies
(:mod:`.votes`) and verifier score tables for best-of-N selection (:mod:`.verifiers`)."""
from wslib.datasets.synthetic.votes import SyntheticVotes, make_votes  # noqa: E402,F401
