"""Pass probabilities of CAA plans by numerical integration, not simulation: the independent reference
of ``reference/caa/oc_pass_probability_quadrature.csv`` and ``tests/caa/test_operating_published.py``.

Nothing here comes from bioparity (numpy and scipy only). Lot values are normal: reference lots
N(0, 1), test lots N(shift, ratio^2); every plan is location-scale invariant, so this covers any
mean and SD. For n normal lots the sample mean m ~ N(mu, sigma^2/n) and the SD
s ~ sigma·sqrt(chi2_{n-1}/(n-1)) are independent (Cochran's theorem).

* Quality range ``m_R ± k·s_R`` (and a normal tolerance interval, which is the same range with its
  factor k): given (m_R, s_R) the number of test lots inside is Binomial(n_T, p(m_R, s_R)), so
  P(pass) = E[P(Bin(n_T, p) >= need)] over m_R (Gauss-Hermite) and the chi quantile of s_R
  (Gauss-Legendre).
* Reference min-max range: with U = Phi(lot value) the reference minimum and maximum are the extreme
  order statistics of n_R uniforms; their range R is Beta(n_R - 1, 2) and, given R, the lower end is
  uniform on (0, 1 - R) (joint density n(n-1)(v-u)^(n-2); H.A. David & H.N. Nagaraja, Order
  Statistics, 3rd ed., 2003, section 2.2). The count inside is again binomial. At equal
  distributions p = R and the probability is distribution-free.
* Equivalence test of lot means (90% CI of mean_T - mean_R within ± c·s_R; FDA 2017 draft guidance
  "Statistical Approaches to Evaluate Analytical Similarity", withdrawn 2018): the difference
  d ~ N(shift, ratio^2/n_T + 1/n_R) is independent of (s_R, s_T); given them the test passes iff
  -c·s_R + t·se < d < c·s_R - t·se (t the 1 - alpha quantile with Welch-Satterthwaite or pooled
  degrees of freedom), a difference of two normal CDFs; integrate over the chi quantiles of s_R and
  s_T (Gauss-Legendre). ``known_margin`` uses c·sigma_R instead of c·s_R: the test whose size is
  alpha, against which the estimated margin's inflation and power loss are measured.

Accuracy: doubling the nodes changes no probability by more than 1e-5 (checked for every case of
the reference file), far below the Monte Carlo SE of the simulations it is compared with.

Usage (from the repository root):
``python tests/caa/oc_quadrature.py > tests/data/reference/caa/oc_pass_probability_quadrature.csv``
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]

#: The four scenarios of bioparity's OCs (and the usual ones of the literature): (shift, SD ratio).
SCENARIOS = dict(equal=(0.0, 1.0), shift_1sd=(1.0, 1.0), shift_2sd=(2.0, 1.0), sd_doubled=(0.0, 2.0))
#: Two-sided 99%/95% normal tolerance factors of ISO 16269-6:2014 Annex F (file
#: two_sided_factors_iso16269.csv), used as the tolerance interval's k.
ISO_99_95 = {3: 12.6472, 9: 4.6329, 35: 3.2762}


def _legendre01(nodes: int) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on (0, 1)."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    return (x + 1) / 2, w / 2


def _sd_quantiles(n_lots: int, u: FloatArray) -> FloatArray:
    """The u-quantiles of the sample SD of n_lots standard normal values."""
    return np.asarray(np.sqrt(stats.chi2.ppf(u, n_lots - 1) / (n_lots - 1)), dtype=float)


def _binomial_tail(need: int, n: int, p: FloatArray) -> FloatArray:
    return np.asarray(stats.binom.sf(need - 1, n, np.clip(p, 0.0, 1.0)), dtype=float)


def lots_needed(min_fraction: float, n_test: int) -> int:
    """Test lots that must be inside for ``>= min_fraction`` of ``n_test``."""
    return math.ceil(min_fraction * n_test - 1e-9)


def quality_range_pass(
    k: float, need: int, n_test: int, n_reference: int, shift: float, ratio: float, nodes: int = 200
) -> float:
    """P(at least ``need`` of ``n_test`` test lots inside m_R ± k·s_R)."""
    x, wh = np.polynomial.hermite_e.hermegauss(80)
    m = (x / math.sqrt(n_reference))[:, None]
    wm = (wh / wh.sum())[:, None]
    u, wu = _legendre01(nodes)
    s = _sd_quantiles(n_reference, u)[None, :]
    p = stats.norm.cdf((m + k * s - shift) / ratio) - stats.norm.cdf((m - k * s - shift) / ratio)
    return float((wm * wu[None, :] * _binomial_tail(need, n_test, p)).sum())


def min_max_pass(
    need: int, n_test: int, n_reference: int, shift: float, ratio: float, nodes: int = 200
) -> float:
    """P(at least ``need`` of ``n_test`` test lots inside [min, max] of the reference lots)."""
    v, wv = _legendre01(nodes)
    r = stats.beta.ppf(v, n_reference - 1, 2)[:, None]
    z, wz = _legendre01(nodes)
    low = (1 - r) * z[None, :]
    a, b = stats.norm.ppf(low), stats.norm.ppf(low + r)
    p = stats.norm.cdf((b - shift) / ratio) - stats.norm.cdf((a - shift) / ratio)
    return float((wv[:, None] * wz[None, :] * _binomial_tail(need, n_test, p)).sum())


def equivalence_pass(
    margin_multiplier: float,
    alpha: float,
    variance: str,
    n_test: int,
    n_reference: int,
    shift: float,
    ratio: float,
    *,
    known_margin: bool = False,
    nodes: int = 128,
) -> float:
    """P(the 1 - 2·alpha CI of mean_T - mean_R lies inside ± c·s_R) (± c·sigma_R if ``known_margin``)."""
    u, w = _legendre01(nodes)
    s_r = _sd_quantiles(n_reference, u)[:, None]
    s_t = ratio * _sd_quantiles(n_test, u)[None, :]
    if variance == "welch":
        a, b = s_t**2 / n_test, s_r**2 / n_reference
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a**2 / (n_test - 1) + b**2 / (n_reference - 1))
    elif variance == "pooled":
        pooled = ((n_test - 1) * s_t**2 + (n_reference - 1) * s_r**2) / (n_test + n_reference - 2)
        se = np.sqrt(pooled * (1 / n_test + 1 / n_reference))
        df = np.full_like(se, n_test + n_reference - 2.0)
    else:
        raise ValueError(f"variance must be 'welch' or 'pooled'; got {variance!r}")
    half_width = stats.t.ppf(1 - alpha, df) * se
    margin = margin_multiplier * (np.ones_like(s_r) if known_margin else s_r)
    tau = math.sqrt(ratio**2 / n_test + 1 / n_reference)
    upper = (margin - half_width - shift) / tau
    lower = (-margin + half_width - shift) / tau
    p = np.where(upper > lower, stats.norm.cdf(upper) - stats.norm.cdf(lower), 0.0)
    return float((w[:, None] * w[None, :] * p).sum())


# -- the cases of the reference file ------------------------------------------------------------------

#: Plan settings: with the lot numbers they identify one simulated plan.
PLAN_COLUMNS = (
    "plan",
    "k",
    "min_fraction",
    "coverage",
    "confidence",
    "margin_multiplier",
    "alpha",
    "variance",
)
COLUMNS = (
    *PLAN_COLUMNS,
    "margin",
    "n_test",
    "n_reference",
    "scenario",
    "shift_sd",
    "sd_ratio",
    "probability",
    "used_for",
)


def _plans() -> Iterator[dict[str, Any]]:
    """Plan settings and lot numbers; each expands to the four scenarios (and the margin, if any)."""
    for n_t, n_r in ((10, 10), (6, 10), (20, 10)):
        yield {"plan": "quality-range", "k": 3.0, "min_fraction": 0.9, "lots": (n_t, n_r), "used_for": "oc"}
    yield {"plan": "quality-range", "k": 2.5, "min_fraction": 0.9, "lots": (10, 10), "used_for": "oc"}
    yield {
        "plan": "quality-range",
        "k": 3.0,
        "min_fraction": 1.0,
        "lots": (10, 10),
        "used_for": "oc;stangler2019-minmax",
    }
    for fraction, used in ((0.9, "oc"), (1.0, "oc;stangler2019-minmax")):
        yield {"plan": "min-max", "min_fraction": fraction, "lots": (10, 10), "used_for": used}
    for n_r in (3, 35):
        yield {
            "plan": "tolerance-interval",
            "k": ISO_99_95[n_r],
            "min_fraction": 1.0,
            "coverage": 0.99,
            "confidence": 0.95,
            "lots": (10, n_r),
            "used_for": "oc;stangler2019-ti",
        }
    equivalence = {"plan": "equivalence", "margin_multiplier": 1.5, "alpha": 0.05, "margin": "estimated"}
    for n_t, n_r in ((10, 10), (6, 12), (15, 8)):
        used = "oc;burdick2017;dong2017;weng2018" if (n_t, n_r) == (10, 10) else "oc;dong2017"
        yield {**equivalence, "variance": "welch", "lots": (n_t, n_r), "used_for": used}
    for n_t, n_r in ((10, 10), (15, 8)):
        yield {**equivalence, "variance": "pooled", "lots": (n_t, n_r), "used_for": "oc;dong2017"}


def reference_rows() -> list[dict[str, Any]]:
    """Every row of the reference file, in file order."""
    rows: list[dict[str, Any]] = []
    for plan in _plans():
        n_t, n_r = plan["lots"]
        scenarios = dict(SCENARIOS)
        if plan["plan"] == "equivalence":
            scenarios["at_margin"] = (plan["margin_multiplier"], 1.0)
        for name, (shift, ratio) in scenarios.items():
            rows.append(_row(plan, n_t, n_r, name, shift, ratio))
    known = {
        "plan": "equivalence",
        "margin_multiplier": 1.5,
        "alpha": 0.05,
        "variance": "welch",
        "margin": "known",
        "used_for": "weng2018;burdick2017",
    }
    rows.append(_row(known, 10, 10, "equal", 0.0, 1.0))
    rows.append(_row(known, 10, 10, "at_margin", 1.5, 1.0))
    estimated = {**known, "margin": "estimated", "used_for": "burdick2017;dong2017"}
    for n in (30, 100):
        rows.append(_row(estimated, n, n, "at_margin", 1.5, 1.0))
    stangler = {**estimated, "used_for": "stangler2019-eqt"}
    rows.append(_row(stangler, 30, 30, "shift_1sd", 1.0, 1.0))
    return rows


def _row(
    plan: dict[str, Any], n_t: int, n_r: int, scenario: str, shift: float, ratio: float
) -> dict[str, Any]:
    row: dict[str, Any] = {c: plan.get(c, "") for c in COLUMNS}
    row.update(n_test=n_t, n_reference=n_r, scenario=scenario, shift_sd=shift, sd_ratio=ratio)
    row["probability"] = pass_probability(row)
    return row


def pass_probability(row: dict[str, Any], nodes: int | None = None) -> float:
    """The pass probability of one reference row (columns as in :data:`COLUMNS`)."""
    n_t, n_r = int(row["n_test"]), int(row["n_reference"])
    shift, ratio = float(row["shift_sd"]), float(row["sd_ratio"])
    extra = {} if nodes is None else {"nodes": nodes}
    if row["plan"] == "equivalence":
        return equivalence_pass(
            float(row["margin_multiplier"]),
            float(row["alpha"]),
            str(row["variance"]),
            n_t,
            n_r,
            shift,
            ratio,
            known_margin=row["margin"] == "known",
            **extra,
        )
    need = lots_needed(float(row["min_fraction"]), n_t)
    if row["plan"] == "min-max":
        return min_max_pass(need, n_t, n_r, shift, ratio, **extra)
    return quality_range_pass(float(row["k"]), need, n_t, n_r, shift, ratio, **extra)


HEADER = """\
# Pass probabilities of CAA plans by numerical integration (no simulation), lot values normal:
# reference N(0, 1), test N(shift_sd, sd_ratio^2). Produced by tests/caa/oc_quadrature.py (numpy/scipy
# Gauss-Hermite / Gauss-Legendre quadrature; nothing from bioparity):
#   python tests/caa/oc_quadrature.py > tests/data/reference/caa/oc_pass_probability_quadrature.csv
# Quadrature error < 1e-5 (node doubling). min_fraction: >= that fraction of the test lots inside
# (ceil(f * n_test) lots). Tolerance interval: 99%/95% two-sided, k = ISO 16269-6:2014 Annex F factor
# (two_sided_factors_iso16269.csv). Equivalence: 90% CI of mean_T - mean_R within +/- 1.5 s_R
# (margin estimated) or +/- 1.5 sigma_R (margin known). scenario at_margin: true difference = margin.
# used_for: oc = bioparity's operating characteristics (tests/caa/test_operating_published.py, within
# 3 Monte Carlo SE); other tags = the published statements of oc_published_statements.csv they check.
"""


def main() -> None:
    sys.stdout.write(HEADER)
    sys.stdout.write(",".join(COLUMNS) + "\n")
    for row in reference_rows():
        values = [f"{row[c]:.9f}" if c == "probability" else str(row[c]) for c in COLUMNS]
        sys.stdout.write(",".join(values) + "\n")


if __name__ == "__main__":
    main()
