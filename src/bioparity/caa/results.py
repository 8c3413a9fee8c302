"""Result objects of the comparative analytical assessment.

One :class:`ComparisonResult` per attribute and comparison (for example ``test vs ref-eu``) with the
numbers, the settings, a status and the reasons; :class:`CAAResult` holds them all as a table plus
the lot-level data and the notes (replicates averaged, missing values, outlier flags).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

from bioparity._results import ResultMixin, json_record, number, software_version

#: Status values of a comparison. ``descriptive`` means no formal criterion (tier 3): never a pass.
PASS, FAIL, NOT_EVALUABLE, DESCRIPTIVE = "pass", "fail", "not-evaluable", "descriptive"
STATUSES = (PASS, FAIL, NOT_EVALUABLE, DESCRIPTIVE)


@dataclass(frozen=True, repr=False)
class ComparisonResult(ResultMixin):
    """The outcome of one method on one attribute for one pair of sources.

    ``lower_limit``/``upper_limit`` are the acceptance limits (the range for range methods, ``∓ margin``
    for the equivalence test; ``-inf``/``inf`` for an open side); ``ci_lower``/``ci_upper`` the confidence
    interval of the mean difference (equivalence only). ``passed`` is None unless the status is pass/fail.

    The plan is stated in ``plan`` (one line) and ``plan_name``; ``spread_status`` is the spread check
    (``sd_ratio`` = s_T/s_R against ``sd_ratio_margin``; "off" when the plan has none; a failed spread
    check fails the comparison); ``sensitivity_*`` the sensitivity analysis (the equivalence test for
    critical attributes in the default plan; it does not change ``status``); ``oc_*`` the plan's
    operating characteristics (probability of passing per scenario, max Monte Carlo SE,
    ``oc_simulations`` simulated assessments with seed ``oc_seed``; NaN when not computed).

    Values, means, SDs, limits and differences are in the attribute's ``unit``; fractions and
    probabilities are fractions (0.9, not 90).

    Attributes
    ----------
    attribute : str
        Attribute name.
    comparison : str
        ``"<test_source> vs <reference_source>"``.
    test_source : str
        The source whose lots are judged: ``test``, or a reference source in a bridge.
    reference_source : str
        The source that gives the range or the reference mean and SD (``ref-eu``, ``ref-us``,
        ``ref-pooled``).
    method : str
        The method applied (``quality-range``, ``equivalence``, ``tolerance-interval``, ``min-max``,
        ``nonparametric``, ``descriptive``).
    tier : int
        Criticality tier (1 most critical).
    direction : str
        ``two-sided``, ``higher-is-worse`` or ``lower-is-worse``.
    unit : str
        Unit of the values ("" when none was given).
    n_test, n_reference : int
        Lots of each source (replicates averaged to one value per lot; missing values excluded).
    mean_test, sd_test, mean_reference, sd_reference : float
        Mean and SD (``n - 1`` denominator) of the lot values of each source.
    statistic : str
        What ``estimate`` is: ``fraction_inside`` (range methods), ``mean_difference`` (equivalence) or
        ``standardised_mean_difference`` (descriptive, ``(mean_T - mean_R) / s_R``).
    estimate : float
        The statistic's value.
    lower_limit, upper_limit : float
        The range (range methods) or ``-/+ margin`` (equivalence); ``-inf``/``inf`` for an open side,
        NaN for ``descriptive``.
    ci_lower, ci_upper : float
        The ``1 - 2 alpha`` CI of the mean difference (equivalence only; NaN otherwise).
    factor : float
        The method's constant: ``k`` (quality range), the tolerance factor (tolerance interval), the
        order statistic ``r`` (nonparametric) or the margin multiplier (equivalence); NaN otherwise.
    n_inside : float
        Test lots inside the range, a whole number (range methods; NaN otherwise, None in the JSON).
    fraction_inside : float
        ``n_inside / n_test`` (range methods; NaN otherwise).
    required_fraction : float
        The fraction of test lots required inside (``min_fraction``); NaN without a range.
    status : str
        ``pass``, ``fail``, ``not-evaluable`` (too few lots, ``s_R = 0``, ...) or ``descriptive``.
    passed : bool or None
        True/False for ``pass``/``fail``; None otherwise.
    reasons : str
        Why, in words: the count or CI against the limits, the spread check, warnings.
    outlier_lots : str
        Lots flagged as outlying (Tukey's far-out fences, 3 IQR) per source, ``"source: lot, lot"``;
        reported only, never removed.
    n_missing : int
        Measurement rows without a value in the two sources of this attribute.
    settings : str
        The resolved settings of the method, ``"k=2.5; min_fraction=0.9; ..."``.
    plan : str
        One line stating what was applied (method, constants, spread check, sensitivity, lot minimums).
    plan_name : str
        ``qr-2025`` or ``tiered-2017``.
    region : str
        ``ema``, ``fda`` or "" (the region that set the bridge direction).
    sd_ratio : float
        ``s_T / s_R`` of the spread check; NaN when the check is off or not evaluable.
    sd_ratio_margin : float
        Largest accepted ``s_T / s_R``; NaN when the check is off.
    spread_status : str
        ``pass``, ``fail``, ``not-evaluable`` or ``off``.
    sensitivity_method : str
        ``none`` or ``equivalence``.
    sensitivity_status, sensitivity_reasons : str
        Status and reasons of the sensitivity analysis ("" when there is none); it does not change
        ``status``.
    min_reference_lots, min_test_lots : int
        The lot minimums applied to this comparison.
    lot_justification : str
        The catalogue's justification for lower lot minimums ("" when none).
    oc_equal, oc_shift_1sd, oc_shift_2sd, oc_sd_doubled : float
        Simulated probability that the plan passes with these lot numbers when the test distribution
        equals the reference's, is shifted by 1 or 2 ``sigma_R``, or has twice its SD; NaN when not
        computed or for ``descriptive``.
    oc_mc_se_max : float
        Largest Monte Carlo standard error of those probabilities.
    oc_equivalence_type1 : float
        Pass probability of the equivalence test at a true difference equal to the margin (its actual
        type I error; NaN without an equivalence test).
    oc_equivalence_type1_limit : float
        Its large-sample value (Burdick, Thomas & Cheng 2017; Dong, Weng & Tsong 2017).
    oc_spread_false_failure : float
        Exact probability that the spread check alone fails when test and reference lots come from one
        distribution, ``P(F(n_T - 1, n_R - 1) > sd_ratio_margin^2)``; NaN without a spread check (the
        whole criterion's false-failure probability is ``1 - oc_equal``).
    oc_simulations, oc_seed : int
        Simulated assessments per plan and their seed (0 when not computed).
    software_version : str
        bioparity's version.

    References
    ----------
    FDA, Development of Therapeutic Protein Biosimilars: Comparative Analytical Assessment and Other
    Quality-Related Considerations (draft 2019, final 2025). EMA, Reflection paper on statistical
    methodology for the comparative assessment of quality attributes, EMA/CHMP/138502/2017 (2021),
    which asks for the operating characteristics of the criterion used.
    """

    SETTINGS = ("method", "settings", "plan", "region")
    COUNTS = ("n_inside",)  # NaN for methods without a range
    REPR_FIELDS = ("attribute", "comparison", "method", "statistic", "estimate", "status", "reasons")

    attribute: str
    comparison: str
    test_source: str
    reference_source: str
    method: str
    tier: int
    direction: str
    unit: str
    n_test: int
    n_reference: int
    mean_test: float
    sd_test: float
    mean_reference: float
    sd_reference: float
    statistic: str
    estimate: float
    lower_limit: float
    upper_limit: float
    ci_lower: float
    ci_upper: float
    factor: float
    n_inside: float
    fraction_inside: float
    required_fraction: float
    status: str
    passed: bool | None
    reasons: str
    outlier_lots: str
    n_missing: int
    settings: str
    plan: str = ""
    plan_name: str = ""
    region: str = ""
    sd_ratio: float = math.nan
    sd_ratio_margin: float = math.nan
    spread_status: str = "off"
    sensitivity_method: str = "none"
    sensitivity_status: str = ""
    sensitivity_reasons: str = ""
    min_reference_lots: int = 0
    min_test_lots: int = 0
    lot_justification: str = ""
    oc_equal: float = math.nan
    oc_shift_1sd: float = math.nan
    oc_shift_2sd: float = math.nan
    oc_sd_doubled: float = math.nan
    oc_mc_se_max: float = math.nan
    oc_equivalence_type1: float = math.nan
    oc_equivalence_type1_limit: float = math.nan
    oc_spread_false_failure: float = math.nan
    oc_simulations: int = 0
    oc_seed: int = 0
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        lines = [
            f"{self.attribute} ({self.comparison}, tier {self.tier}, {self.method}): {self.status}",
            f"{self.statistic} {number(self.estimate)}{unit}; limits {number(self.lower_limit)} to "
            f"{number(self.upper_limit)}"
            + (
                f"; CI {number(self.ci_lower)} to {number(self.ci_upper)}"
                if math.isfinite(self.ci_lower)
                else ""
            )
            + f"; lots {self.n_test} test, {self.n_reference} reference",
        ]
        if self.reasons:
            lines.append(self.reasons if len(self.reasons) <= 120 else self.reasons[:117] + "...")
        return "\n".join(lines)

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> ComparisonResult:
        """Build from one row of :attr:`CAAResult.table` (NaN in ``passed`` means None)."""
        values = {f.name: row[f.name] for f in fields(cls) if f.name in row}
        passed = values.get("passed")
        values["passed"] = (
            None if passed is None or (isinstance(passed, float) and math.isnan(passed)) else bool(passed)
        )
        return cls(**values)


@dataclass(frozen=True, repr=False, eq=False)  # holds DataFrames: compare .table explicitly
class CAAResult(ResultMixin):
    """All comparisons of an assessment.

    ``table`` has one row per attribute and comparison with the columns of :class:`ComparisonResult`;
    ``lots`` one row per attribute, source and lot (replicates averaged) with ``n_replicates`` and
    ``outlier``; ``notes`` the data-handling statements a report must carry.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per attribute and comparison (attribute-major order), one column per field of
        :class:`ComparisonResult`; ``results()`` gives the rows as objects.
    lots : pandas.DataFrame
        One row per attribute, source and lot: ``value`` (mean of the replicates, attribute's unit),
        ``n_replicates``, ``first_row`` (data row), ``lower_fence``/``upper_fence`` and ``outlier``.
    notes : tuple of str
        Data handling (replicates, missing values, outliers), catalogue coverage, comparisons, plan,
        bridge direction and operating characteristics, in words.
    comparisons : tuple of (str, str)
        The ``(test_source, reference_source)`` pairs, in table order.
    plan : str
        ``qr-2025`` or ``tiered-2017``.
    region : str
        ``ema``, ``fda`` or "" (bridge direction).
    pool_references : bool
        Whether ``test`` was also compared with the pooled references.
    software_version : str
        bioparity's version.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioparity.caa import assess, read_catalogue
    >>> from bioparity.caa.example import example_paths
    >>> data, catalogue = example_paths()
    >>> result = assess(pd.read_csv(data), read_catalogue(catalogue), region="ema",
    ...                 operating_characteristics=False)
    >>> result
    CAAResult(attributes=25, comparisons=3, pass=56, fail=4, not-evaluable=0, descriptive=15)
    >>> result.comparisons[2], result.attributes_with_status("fail")
    (('ref-us', 'ref-eu'), ['afucosylated_glycans', 'acidic_charge_variants'])
    """

    SETTINGS = ("comparisons", "plan", "region", "pool_references")

    table: pd.DataFrame
    lots: pd.DataFrame
    notes: tuple[str, ...]
    comparisons: tuple[tuple[str, str], ...]
    plan: str = ""
    region: str = ""
    pool_references: bool = False
    software_version: str = field(default_factory=software_version)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return json_record(
            {
                "comparisons": [list(c) for c in self.comparisons],
                "plan": self.plan,
                "region": self.region,
                "pool_references": self.pool_references,
                "results": self.table.to_dict(orient="records"),
                "notes": list(self.notes),
                "software_version": self.software_version,
            },
            ComparisonResult.COUNTS,
        )

    def summary(self) -> str:
        counts = self.table["status"].value_counts().to_dict()
        region = f", region {self.region}" if self.region else ""
        lines = [
            f"Comparative analytical assessment (plan {self.plan or 'default'}{region}): "
            f"{self.table['attribute'].nunique()} attribute(s), {len(self.comparisons)} comparisons",
            ", ".join(f"{s} {counts.get(s, 0)}" for s in STATUSES),
        ]
        failed = self.attributes_with_status(FAIL)
        if failed:
            lines.append("failed: " + ", ".join(failed[:8]) + (" ..." if len(failed) > 8 else ""))
        return "\n".join(lines)

    def results(self) -> list[ComparisonResult]:
        """Every row as a :class:`ComparisonResult`."""
        return [ComparisonResult.from_row(r) for r in self.table.to_dict(orient="records")]

    def attributes_with_status(self, status: str) -> list[str]:
        """Attributes with at least one comparison of this status, in table order."""
        hit = self.table.loc[self.table["status"] == status, "attribute"]
        return list(dict.fromkeys(hit.tolist()))

    def __repr__(self) -> str:
        counts = self.table["status"].value_counts().to_dict()
        shown = ", ".join(f"{s}={counts.get(s, 0)}" for s in STATUSES)
        n_attr = self.table["attribute"].nunique()
        return f"CAAResult(attributes={n_attr}, comparisons={len(self.comparisons)}, {shown})"
