"""bioparity's test suite.

One BLAS thread per test process, as ``bioparity`` itself asks
(:func:`bioparity.environment.one_blas_thread`): pytest-xdist runs a worker per CPU, and OpenBLAS helper
threads on top of them only spin-wait on the small systems the cores solve (a REML fit of 1,650 observations
took 24 s of wall time beside a busy worker with them, 0.3 s without). Imported before any test module, hence
before NumPy.
"""

from bioparity.environment import one_blas_thread

one_blas_thread()
