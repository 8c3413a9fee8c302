"""Result object of a bioequivalence evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from bioparity._results import ResultMixin, percent, verdict
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
    cvwr_without_outliers: float | None
    lower_limit_without_outliers: float | None
    upper_limit_without_outliers: float | None
    passed_without_outliers: bool | None
    software_version: str

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
