"""Tolerance factors against published tables (ISO 16269-6, R tolerance ``K.factor``, Howe 1969) and
test vectors T13-T15."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from bioparity.caa import nonparametric_min_lots, nonparametric_order, tolerance_factor
from bioparity.errors import InputError
from tests.caa.conftest import reference_table


@pytest.mark.parametrize("row", reference_table("regulatory_tolerance_vectors.csv").to_dict(orient="records"),
                         ids=lambda r: f"{r['test']}-n{r['n']}-{r['coverage']}-{r['method']}")  # fmt: skip
def test_factor_matches_regulatory_test_vectors_t13_t15(row: dict[str, Any]) -> None:
    k = float(tolerance_factor(row["n"], row["coverage"], row["confidence"], method=str(row["method"])))
    assert abs(k - float(row["k"])) <= float(row["tolerance"])


def test_exact_two_sided_k_10_95_95_is_3_393429_to_1e6() -> None:
    assert abs(float(tolerance_factor(10, 0.95, 0.95)) - 3.393429) < 1e-6


def test_exact_two_sided_matches_iso_16269_6_tables() -> None:
    table = reference_table("two_sided_factors_iso16269.csv")
    k = tolerance_factor(table["n"].to_numpy(), table["coverage"].to_numpy(), table["confidence"].to_numpy())
    # ISO rounds the 4th decimal up: the exact value lies in (table - 1e-4, table].
    assert np.all(k <= table["k"] + 1e-9)
    assert np.all(k > table["k"] - 1e-4 - 1e-9)


def test_one_sided_matches_published_table_to_three_decimals() -> None:
    table = reference_table("one_sided_factors_montgomery.csv")
    k = tolerance_factor(
        table["n"].to_numpy(), table["coverage"].to_numpy(), table["confidence"].to_numpy(), side=1
    )
    assert np.max(np.abs(k - table["k"])) <= 0.0005 + 1e-9
    assert len(table) == 288


def test_exact_factor_agrees_with_adaptive_quadrature() -> None:
    """Cross-check the fixed-node quadrature with scipy's adaptive quad and brentq (independent path)."""

    def confidence(k: float, n: int, beta: float) -> float:
        def integrand(u: float) -> float:
            x = u / math.sqrt(n)
            r = math.sqrt(stats.ncx2.ppf(beta, 1, x * x)) if x else stats.norm.ppf((1 + beta) / 2)
            return 2 * stats.norm.pdf(u) * stats.chi2.sf((n - 1) * r * r / (k * k), n - 1)

        return integrate.quad(integrand, 0, np.inf, epsabs=1e-13, epsrel=1e-12)[0]

    for n, beta, gamma in ((4, 0.9, 0.99), (25, 0.99, 0.9), (250, 0.95, 0.95)):
        k_ref = optimize.brentq(
            lambda k, n=n, b=beta, g=gamma: confidence(k, n, b) - g, 1.0, 50.0, xtol=1e-13
        )
        assert float(tolerance_factor(n, beta, gamma)) == pytest.approx(k_ref, rel=1e-8)


def test_factor_is_vectorised_over_inputs() -> None:
    n = np.array([[5], [10], [30]])
    cov = np.array([0.9, 0.95, 0.99])
    k = tolerance_factor(n, cov, 0.95)
    assert k.shape == (3, 3)
    assert k[1, 1] == pytest.approx(float(tolerance_factor(10, 0.95, 0.95)), rel=1e-12)
    assert tolerance_factor(n, cov, 0.95, side=1).shape == (3, 3)
    assert tolerance_factor(n, cov, 0.95, method="howe").shape == (3, 3)


_n = st.integers(min_value=2, max_value=400)
_p = st.floats(min_value=0.6, max_value=0.995)
_g = st.floats(min_value=0.6, max_value=0.995)


@settings(max_examples=40, deadline=None)
@given(n=_n, coverage=_p, confidence=_g, side=st.sampled_from([1, 2]))
def test_k_decreases_with_n(n: int, coverage: float, confidence: float, side: int) -> None:
    k = tolerance_factor([n, n + 1, n + 10], coverage, confidence, side=side)
    assert k[0] > k[1] > k[2]


@settings(max_examples=40, deadline=None)
@given(n=_n, coverage=_p, confidence=_g, side=st.sampled_from([1, 2]), step=st.floats(0.001, 0.003))
def test_k_increases_with_coverage_and_confidence(
    n: int, coverage: float, confidence: float, side: int, step: float
) -> None:
    k = tolerance_factor(n, [coverage, coverage + step], confidence, side=side)
    assert k[1] > k[0]
    k = tolerance_factor(n, coverage, [confidence, confidence + step], side=side)
    assert k[1] > k[0]


@settings(max_examples=25, deadline=None)
@given(n=_n, coverage=_p, confidence=_g)
def test_two_sided_exceeds_one_sided_and_normal_quantile(n: int, coverage: float, confidence: float) -> None:
    two = float(tolerance_factor(n, coverage, confidence))
    assert two > float(stats.norm.ppf((1 + coverage) / 2))
    assert two > float(tolerance_factor(n, coverage, confidence, side=1))


def test_invalid_inputs_raise_input_error() -> None:
    with pytest.raises(InputError, match="n must be >= 2"):
        tolerance_factor(1, 0.95, 0.95)
    with pytest.raises(InputError, match="coverage"):
        tolerance_factor(10, 95, 0.95)
    with pytest.raises(InputError, match="one-sided"):
        tolerance_factor(10, 0.95, 0.95, side=1, method="howe")
    with pytest.raises(InputError, match="unknown tolerance-factor method"):
        tolerance_factor(10, 0.95, 0.95, method="wbe")


#: (coverage, confidence, n two-sided, n one-sided): tests/data/reference/caa/nonparametric_min_lots_wilks.csv
WILKS = [
    (float(r["coverage"]), float(r["confidence"]), int(r["n_two_sided"]), int(r["n_one_sided"]))
    for r in reference_table("nonparametric_min_lots_wilks.csv").to_dict("records")
]


def test_wilks_reference_file() -> None:
    assert len(WILKS) == 4 and (0.95, 0.95, 93, 59) in WILKS


@pytest.mark.parametrize(("coverage", "confidence", "n_two", "n_one"), WILKS)
def test_nonparametric_min_lots_are_wilks_sample_sizes(
    coverage: float, confidence: float, n_two: int, n_one: int
) -> None:
    """Classical min-max sample sizes (Wilks 1941): closed forms, independent of the Beta search."""

    def two_sided(n: int) -> float:  # P(content of [min, max] >= coverage)
        return 1 - n * coverage ** (n - 1) + (n - 1) * coverage**n

    assert two_sided(n_two) >= confidence > two_sided(n_two - 1)
    assert math.ceil(math.log(1 - confidence) / math.log(coverage)) == n_one
    assert nonparametric_min_lots(coverage, confidence) == n_two
    assert nonparametric_min_lots(coverage, confidence, side=1) == n_one
    assert nonparametric_order(n_two - 1, coverage, confidence) == 0


def test_invalid_inputs_are_named_as_typed_not_as_arrays() -> None:
    """Review (caa-findings 12): ``tolerance-factor --n 1`` said "got [1.]" (NumPy's repr). The message gives
    the offending values as typed, each once, and only those (not the valid first ones)."""
    from typer.testing import CliRunner

    from bioparity.cli.main import app

    result = CliRunner().invoke(app, ["tolerance-factor", "--n", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: n must be >= 2 (lots used to estimate mean and SD); got 1"
    with pytest.raises(InputError, match=r"got 1, 0\.5$"):
        tolerance_factor([5, 1, 1, 0.5], 0.99, 0.95)
    with pytest.raises(InputError, match=r"coverage must .*; got 1\.5, 99, 0 and 1 more$"):
        tolerance_factor(10, [0.99, 1.5, 99, 0, -1], 0.95)
