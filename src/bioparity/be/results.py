"""Result object of a bioequivalence evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from bioparity._results import ResultMixin, percent, software_version, verdict
from bioparity.be.data import MissingPK
from bioparity.be.outliers import OutlierFlag

#: Keys of the command-line JSON, in order (issue 4 contract); ``pass`` is ``passed`` in Python.
CONTRACT_KEYS: tuple[str, ...] = (
    "method",
    "n",
    "design",
    "pe",
    "ci_lower",
    "ci_upper",
    "cvwr",
    "cvwt",
    "lower_limit",
    "upper_limit",
    "df",
    "pass",
    "reasons",
)


@dataclass(frozen=True, repr=False)
class BEResult(ResultMixin):
    """Outcome of one BE method on one data set. Ratios, CVs and limits are fractions (0.9658, not 96.58).

    ``pe``, ``ci_lower``, ``ci_upper``: geometric mean ratio T/R and its ``1 - 2 alpha`` CI
    (``conf_level``); ``alpha`` is the one-sided level of each of the two one-sided tests (Schuirmann
    1987); ``cvwr``/``cvwt``: within-subject CVs (None where not estimable); ``lower_limit``/``upper_limit``:
    the limits the CI was compared with (for FDA RSABE with scaling: the implied limits
    ``exp(-/+ theta_s swR)``, shown for information, the decision being the linearised criterion);
    ``passed``: the overall decision; ``reasons``: why, one sentence per criterion.

    EMA ABEL with flagged reference outliers also reports, for information (EMA Q&A: the study should
    pass both ways), CVwR recalculated without the flagged subjects' R data, the limits from it and the
    decision with those limits (``*_without_outliers``); the PE and CI always use all data.

    :meth:`to_record` is the command-line (and stored workspace) record: percent, ``pass`` for ``passed``.

    Attributes
    ----------
    method : str
        The method evaluated: ``abe``, ``ema-abel-a``, ``ema-abel-b`` or ``fda-rsabe``.
    n : int
        Number of analysed subjects. ``abe`` on a plain crossover (2x2; no treatment replicated): the subjects
        with both T and R data, each other subject named in ``reasons`` (EMA CPMP/EWP/QWP/1401/98 Rev. 1,
        4.1.8: not included; its one value adds nothing to the all-fixed model). Replicate designs (every
        method): every subject with a PK value, since an incomplete subject still adds to the period effects
        and within-subject variances (EMA/618604/2008 Rev. 13 Methods A/B and FDA RSABE use all data, as
        replicateBE); ``n_tr`` counts those with both T and R.
    design : str
        Sequences joined by ``|`` in replicateBE's order (``TRTR|RTRT``).
    pe : float
        Point estimate of the geometric mean ratio T/R (fraction: 0.9658 for 96.58%).
    ci_lower, ci_upper : float
        The ``1 - 2 alpha`` confidence interval of the ratio (``conf_level``, 0.90 by default).
    cvwr, cvwt : float or None
        Within-subject CVs of reference and test (fractions) from the reference-only and test-only
        ANOVAs (EMA) or the intra-subject contrasts (FDA); None where the treatment is not replicated.
    lower_limit, upper_limit : float
        Acceptance limits of the CI (fractions): ``theta1``/``theta2`` for ``abe``; the ABEL limits
        ``exp(-/+ 0.760 swR)`` (80.00-125.00% at CVwR <= 30%, capped at CVwR 50%) for EMA; for FDA RSABE
        with scaling the implied limits ``exp(-/+ theta_s swR)``, for information only.
    df : float
        Degrees of freedom of the CI: the ANOVA residual (``abe``, ``ema-abel-a``), containment or
        Satterthwaite (``ema-abel-b``), or of the T-R contrasts (``fda-rsabe``).
    passed : bool
        The overall decision (CI criterion and point-estimate constraint).
    reasons : tuple of str
        One sentence per criterion, outlier flag and missing-value note, in evaluation order.
    alpha : float
        One-sided level of each of the two one-sided tests.
    df_method : str
        ``contain`` or ``satterthwaite`` for ``ema-abel-b``, ``residual`` otherwise.
    scaled : bool
        Whether reference scaling applied (EMA: CVwR > 30%; FDA: swR >= 0.294); False for ``abe``.
    ci_pass : bool
        The CI part of the decision: the CI (in percent, rounded to two decimals, as replicateBE) within
        the limits, or for scaled FDA RSABE the upper bound of the linearised criterion <= 0.
    pe_pass : bool
        Point estimate within 80.00-125.00% (rounded as the CI); True for ``abe``, which has no such
        constraint.
    criterion_upper_bound : float or None
        FDA RSABE with scaling: Howe's 95% upper bound of ``(muT - muR)^2 - theta_s^2 s2wR`` (log scale
        squared); None otherwise.
    swr, swt : float or None
        Within-subject standard deviations on the log scale, ``sqrt(ln(1 + CV^2))`` of ``cvwr``/``cvwt``.
    cvw : float or None
        ``abe`` only: the within-subject CV from the residual of the all-fixed ANOVA (fraction).
    n_tr, n_rr : int
        Subjects with both T and R, and with at least two R observations.
    n_tt : int or None
        Subjects with at least two T observations; None when T is not replicated in the design.
    subjects_per_sequence, missing_per_sequence, missing_per_period, missing_values, subjects_without_data
        The data bookkeeping of :class:`CrossoverData` (replicateBE's report).
    outliers : tuple of OutlierFlag
        Reference outliers flagged by the box-plot fence on the studentised residuals (reported only,
        never removed); empty unless R is replicated.
    cvwr_without_outliers, lower_limit_without_outliers, upper_limit_without_outliers : float or None
        EMA ABEL with flagged outliers: CVwR without the flagged subjects' R data and the limits from it
        (information, EMA Q&A); None otherwise.
    passed_without_outliers : bool or None
        The decision with those limits (the PE and CI still from all data); None when not computed.
    missing_cells : tuple of MissingPK
        Every row counted in ``missing_values``: data row, file line, subject, period, treatment.
    software_version : str
        bioparity's version.

    References
    ----------
    EMA, Guideline on the Investigation of Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1 (2010), sections
    4.1.8 and 4.1.10; EMA, Questions & Answers: positions on specific questions addressed to the
    Pharmacokinetics Working Party, EMA/618604/2008 Rev. 13 (Methods A and B, outliers); FDA, Draft
    Guidance on Progesterone (2011). Schuirmann DJ (1987) J Pharmacokinet Biopharm 15:657-680.
    """

    #: Fractions shown in percent by :meth:`to_record` and :meth:`to_frame`.
    PERCENT_FIELDS: ClassVar[tuple[str, ...]] = (
        "pe", "ci_lower", "ci_upper", "cvwr", "cvwt", "lower_limit", "upper_limit", "cvw",
        "cvwr_without_outliers", "lower_limit_without_outliers", "upper_limit_without_outliers",
    )  # fmt: skip
    SETTINGS = ("method", "alpha", "df_method")

    method: str
    n: int
    design: str
    pe: float
    ci_lower: float
    ci_upper: float
    cvwr: float | None
    cvwt: float | None
    lower_limit: float
    upper_limit: float
    df: float
    passed: bool
    reasons: tuple[str, ...]
    alpha: float
    df_method: str
    scaled: bool
    ci_pass: bool
    pe_pass: bool
    criterion_upper_bound: float | None
    swr: float | None
    swt: float | None
    cvw: float | None
    n_tr: int
    n_tt: int | None
    n_rr: int
    subjects_per_sequence: tuple[int, ...]
    missing_per_sequence: tuple[int, ...]
    missing_per_period: tuple[int, ...]
    missing_values: int
    subjects_without_data: tuple[str, ...]
    outliers: tuple[OutlierFlag, ...]
    cvwr_without_outliers: float | None = None
    lower_limit_without_outliers: float | None = None
    upper_limit_without_outliers: float | None = None
    passed_without_outliers: bool | None = None
    missing_cells: tuple[MissingPK, ...] = ()
    software_version: str = field(default_factory=software_version)

    @property
    def conf_level(self) -> float:
        """Two-sided level of the CI, ``1 - 2 alpha`` (0.90 for alpha 0.05)."""
        return round(1.0 - 2.0 * self.alpha, 12)

    def _in_percent(self) -> dict[str, Any]:
        raw = self.plain_dict()
        for name in self.PERCENT_FIELDS:
            raw[name] = None if raw[name] is None else 100.0 * raw[name]
        return raw

    def to_record(self) -> dict[str, Any]:
        """The command-line JSON record (issue 4 contract): ratios, CVs and limits in percent, the contract
        keys first (``pass`` for ``passed``, ``pass_without_outliers``), then the details."""
        names = {"passed": "pass", "passed_without_outliers": "pass_without_outliers"}
        raw = {names.get(k, k): v for k, v in self._in_percent().items()}
        return {
            **{k: raw[k] for k in CONTRACT_KEYS},
            **{k: v for k, v in raw.items() if k not in CONTRACT_KEYS},
        }

    def to_frame(self) -> pd.DataFrame:
        """One row: every field, ratios, CVs and limits in percent (as the command line shows them)."""
        return pd.DataFrame([self._in_percent()])

    def summary(self) -> str:
        lines = [
            f"Bioequivalence ({self.method}, {self.design}, n = {self.n}): {verdict(self.passed)}",
            f"GMR T/R {percent(self.pe)}, {100 * self.conf_level:g}% CI {percent(self.ci_lower)} to "
            f"{percent(self.ci_upper)}; limits {percent(self.lower_limit)} to {percent(self.upper_limit)}",
        ]
        if self.cvwr is not None:
            lines.append(
                f"CVwR {percent(self.cvwr)}" + ("" if self.cvwt is None else f", CVwT {percent(self.cvwt)}")
            )
        return "\n".join(lines)

    def _repr_fields(self) -> list[str]:
        # The contract's keys but CVwT, df and the reasons (``pass`` is ``passed`` in Python).
        return [k for k in CONTRACT_KEYS if k not in {"cvwt", "df", "pass", "reasons"}] + ["passed"]
