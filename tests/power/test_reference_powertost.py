"""Power and sample size against R PowerTOST 1.5-7 output (tests/data/reference/expected)."""

from __future__ import annotations

import numpy as np
import pytest

from bioparity.power import power_tost, sample_size_tost
from tests.conftest import read_reference


def test_sample_size_matches_powertost_exactly() -> None:
    ref = read_reference("expected/sample_size_tost.csv")
    res = sample_size_tost(
        design=ref["design"].to_numpy(dtype=object),
        cv=ref["cv"].to_numpy(),
        theta0=ref["theta0"].to_numpy(),
        theta1=ref["theta1"].to_numpy(),
        theta2=ref["theta2"].to_numpy(),
        alpha=ref["alpha"].to_numpy(),
        target_power=ref["target_power"].to_numpy(),
    )
    assert len(ref) == 188
    mismatched = ref[res.n != ref["n"].to_numpy()]
    assert mismatched.empty, mismatched
    np.testing.assert_allclose(res.power, ref["power"], rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("method", "column", "tolerance"),
    [("exact", "power_exact", 1e-9), ("nct", "power_nct", 1e-7), ("shifted", "power_shifted", 1e-7)],
)
def test_power_matches_powertost(method: str, column: str, tolerance: float) -> None:
    ref = read_reference("expected/power_tost.csv")
    res = power_tost(
        design=ref["design"].to_numpy(dtype=object),
        cv=ref["cv"].to_numpy(),
        theta0=ref["theta0"].to_numpy(),
        n=ref["n"].to_numpy(),
        method=method,
    )
    assert len(ref) == 150
    np.testing.assert_allclose(res.power, ref[column], rtol=0, atol=tolerance)


def test_each_reference_row_alone_gives_the_same_sample_size() -> None:
    """Vectorised and one-at-a-time evaluation agree (no cross-talk between scenarios)."""
    ref = read_reference("expected/sample_size_tost.csv").iloc[::17]
    for row in ref.to_dict("records"):
        res = sample_size_tost(
            design=row["design"],
            cv=row["cv"],
            theta0=row["theta0"],
            theta1=row["theta1"],
            theta2=row["theta2"],
            alpha=row["alpha"],
            target_power=row["target_power"],
        )
        assert int(res.n) == row["n"]
        assert float(res.power) == pytest.approx(row["power"], abs=1e-9)
