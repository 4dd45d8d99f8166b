"""Synthetic data with known ground truth: vote matrices with known LF accuracies
(:mod:`.votes`) and verifier score tables for best-of-N selection (:mod:`.verifiers`)."""
