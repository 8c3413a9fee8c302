"""bioparity's test suite.

One BLAS thread per test process, as ``bioparity`` itself sets (``bioparity.cli.main``) and ``make test``
passes: pytest-xdist runs a worker per CPU, and OpenBLAS helper threads on top of them only spin-wait on the
small systems the cores solve (a REML fit of 1,650 observations took 24 s of wall time beside a busy worker
with them, 0.3 s without). Imported before any test module, hence before NumPy.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
