"""Snorkel's synthetic label matrices (``snorkel.synthetic``) for testing label models.

>>> from wslib.compat.snorkel.synthetic import generate_simple_label_matrix
>>> P, Y, L = generate_simple_label_matrix(100, 4, 2)
>>> P.shape, Y.shape, L.shape
((4, 3, 2), (100,), (100, 4))
"""

from wslib.compat.snorkel._support import module_getattr
from wslib.compat.snorkel.synthetic.synthetic_data import generate_simple_label_matrix

__all__ = ["generate_simple_label_matrix"]
__getattr__ = module_getattr(__name__)
