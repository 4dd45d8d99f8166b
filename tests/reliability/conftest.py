"""The reliability suite runs thousands of tiny fits and summaries: numba's parallel
dispatch would cost more than the work, so kernels run on one thread here.
``test_thread_count_does_not_change_results`` covers the parallel path."""

import numba
import pytest


@pytest.fixture(autouse=True)
def _one_numba_thread():
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(before)
