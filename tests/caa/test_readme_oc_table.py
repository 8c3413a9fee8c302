"""The README's table of operating characteristics at 10 v 10 lots is what a CAA run prints.

The table ("10 v 10 lots, P(pass)") quotes, per plan, the ``oc_*`` columns a run of ``bioparity caa``
writes (``operating_characteristics``: 10,000 simulated assessments, seed 20250909), and for the old tier 1
the type I error at the margin, simulated (``oc_equivalence_type1``) and exact. The exact value is the
numerical integration of ``reference/caa/oc_pass_probability_quadrature.csv`` (numpy/scipy quadrature,
nothing from bioparity), 0.061085; an R 4.2.2 simulation of 2,000,000 studies (Welch 90% CI within
±1.5·s_R at a true difference of 1.5 sigma, 10 v 10 lots, base stats only) gave 0.06113 (SE 0.00017).
The README said 0.060 where a run prints 0.0593.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bioparity.caa import assess
from tests.caa.conftest import reference_table

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
#: README row label -> (plan, tier) of the run whose oc_* columns it quotes.
ROWS = {
    "QR k = 3, 90% inside (old tier 2)": ("tiered-2017", 2),
    "QR k = 3 + spread check (tier 2)": ("qr-2025", 2),
    "QR k = 2.5 + spread check (tier 1)": ("qr-2025", 1),
    "equivalence ±1.5·s_R (old tier 1": ("tiered-2017", 1),
}
COLUMNS = ["oc_equal", "oc_shift_1sd", "oc_shift_2sd", "oc_sd_doubled"]


def _readme_rows() -> dict[str, list[str]]:
    start = README.index("| 10 v 10 lots, P(pass) |")
    lines = README[start:].split("\n\n", 1)[0].splitlines()[2:]
    return {cells[0]: cells[1:] for cells in ([c.strip() for c in ln.strip("|").split("|")] for ln in lines)}


@pytest.fixture(scope="module")
def printed() -> dict[tuple[str, int], pd.Series]:
    """The oc_* columns of a run on 10 test and 10 reference lots (they depend on plan and lot numbers)."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"attribute": f"a{tier}", "tier": tier, "source": src, "lot": f"{src}-{i}", "value": rng.normal()}
        for tier in (1, 2)
        for src in ("test", "ref-eu")
        for i in range(10)
    )
    out = {}
    for plan in ("qr-2025", "tiered-2017"):
        table = assess(frame, plan=plan).to_frame()
        for tier in (1, 2):
            out[plan, tier] = table.loc[table.attribute == f"a{tier}"].iloc[0]
    return out


def test_readme_oc_table_is_what_a_run_prints(printed: dict[tuple[str, int], pd.Series]) -> None:
    rows = _readme_rows()
    assert len(rows) == len(ROWS)
    for label, cells in rows.items():
        (key,) = [k for k in ROWS if label.startswith(k)]
        run = printed[ROWS[key]]
        for column, quoted in zip(COLUMNS, cells, strict=True):
            assert abs(float(quoted) - float(run[column])) <= 0.005 + 1e-9, (label, column, run[column])


def test_readme_type1_at_the_margin_simulated_and_exact(printed: dict[tuple[str, int], pd.Series]) -> None:
    label = next(k for k in _readme_rows() if k.startswith("equivalence"))
    match = re.search(r"type I at the margin ([\d.]+) \(exact ([\d.]+)\), large-n ([\d.]+)", label)
    assert match, label
    simulated, exact, limit = (float(g) for g in match.groups())
    run = printed["tiered-2017", 1]
    assert round(float(run["oc_equivalence_type1"]), 3) == simulated  # 0.0593
    assert round(float(run["oc_equivalence_type1_limit"]), 3) == limit
    quadrature = reference_table("oc_pass_probability_quadrature.csv")
    at_margin = quadrature[
        (quadrature.plan == "equivalence")
        & (quadrature.variance == "welch")
        & (quadrature.n_test == 10)
        & (quadrature.n_reference == 10)
        & (quadrature.scenario == "at_margin")
    ]
    assert round(float(at_margin.probability.iloc[0]), 3) == exact == 0.061  # R simulation: 0.06113
    # the simulated value is the exact one within 3 Monte Carlo SE of 10,000 simulations
    assert abs(simulated - exact) <= 3 * np.sqrt(exact * (1 - exact) / 10_000)
