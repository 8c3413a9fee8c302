"""Benchmark: CMC statistics (issue #23), vectorised across lots.

1. ``fit_stability`` on one attribute with 10,000 lots x 8 time points (per-lot sums by ``bincount``,
   ANCOVA, shelf life by vectorised bisection). Target: < 1 s.
2. ``stability_table`` on 200 attributes x 2 products x 6 lots x 8 time points (one loop per attribute and
   product, none per lot). Target: < 5 s.
3. ``profile_similarity`` on 2,000 lots x 40 species. Target: < 1 s.
4. ``reml_fit`` of an ADA cut-point experiment: 150 donors x 4 runs x 3 plates less 150 values (1,650
   observations; donor, run and plate within run random; tests/data/reference/bioassay/designs_large.csv,
   equal to lme4 in tests/bioassay/test_reml_large.py). Target: < 1 s.

Run: ``.venv/bin/python bench/cmc.py [--json]``
"""

from __future__ import annotations

from bioparity.environment import one_blas_thread

one_blas_thread()  # before NumPy is imported

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from _figures import Figure, at_most, emit, machine  # noqa: E402
from bioparity.bioassay import reml_fit  # noqa: E402
from bioparity.profiles import profile_similarity  # noqa: E402
from bioparity.stability import fit_stability, stability_table  # noqa: E402

LARGE_DESIGN = Path(__file__).parents[1] / "tests" / "data" / "reference" / "bioassay" / "designs_large.csv"
TIMES = np.array([0, 3, 6, 9, 12, 18, 24, 36], dtype=float)


def figures() -> list[Figure]:
    """Wall times of the three workloads."""
    rng = np.random.default_rng(23)
    k = 10_000
    t = np.tile(TIMES, k)
    lot = np.repeat(np.arange(k).astype(str), TIMES.size)
    y = 100 - 0.2 * t + rng.normal(0, 0.5, t.size)
    start = time.perf_counter()
    fit_stability(t, y, lot, lower=90.0)
    one = time.perf_counter() - start

    rows = []
    for a in range(200):
        for p, prefix in (("test", "T"), ("reference", "R")):
            for j in range(6):
                slope = -0.2 + rng.normal(0, 0.01)
                rows.append(
                    pd.DataFrame(
                        {
                            "attribute": f"a{a}",
                            "product": p,
                            "lot": f"{prefix}{a}-{j}",
                            "time": TIMES,
                            "value": 100 + slope * TIMES + rng.normal(0, 0.5, TIMES.size),
                        }
                    )
                )
    data = pd.concat(rows, ignore_index=True)
    spec = {f"a{a}": {"lower": 90.0, "slope_margin": 0.05} for a in range(200)}
    start = time.perf_counter()
    stability_table(data, spec)
    table = time.perf_counter() - start

    parts = rng.dirichlet(np.full(40, 5.0), 2000) * 100
    src = np.where(np.arange(2000) < 1000, "reference", "test")
    start = time.perf_counter()
    profile_similarity(parts, [f"L{i}" for i in range(2000)], src, [f"s{i}" for i in range(40)])
    prof = time.perf_counter() - start

    large = pd.read_csv(LARGE_DESIGN)
    y = np.log(large["signal"].to_numpy(float))
    groups = {
        name: pd.factorize(values, sort=True)[0].astype(np.int64)
        for name, values in (
            ("donor", large["donor"]),
            ("run", large["run"]),
            ("runplate", large["run"] + ":" + large["plate"]),
        )
    }
    start = time.perf_counter()
    reml_fit(y, np.ones((y.size, 1)), groups)
    reml = time.perf_counter() - start
    return [
        Figure("cmc", "fit_stability 10,000 lots", one, "s", "8 time points per lot", *at_most(1, one)),
        Figure(
            "cmc",
            "stability_table 200 attributes",
            table,
            "s",
            "2 products x 6 lots x 8 points",
            *at_most(5, table),
        ),
        Figure("cmc", "profile_similarity 2,000 lots", prof, "s", "40 species", *at_most(1, prof)),
        Figure("cmc", "reml_fit 1,650 observations", reml, "s", "3 random factors", *at_most(1, reml)),
    ]


if __name__ == "__main__":
    as_json = "--json" in sys.argv
    figs = figures()
    if not as_json:
        print(machine())
    emit(figs, as_json)
