"""Result object of a bioequivalence evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bioparity._results import ResultMixin
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
    """Outcome of one BE method on one data set. Ratios, CVs and limits are in percent.

    ``pe``, ``ci_lower``, ``ci_upper``: geometric mean ratio T/R and its ``1 - 2 alpha`` CI;
    ``cvwr``/``cvwt``: within-subject CVs (None where not estimable); ``lower_limit``/``upper_limit``:
    the limits the CI was compared with (for FDA RSABE with scaling: the implied limits
    ``exp(-/+ theta_s swR)``, shown for information, the decision being the linearised criterion);
    ``passed``: the overall decision; ``reasons``: why, one sentence per criterion.

    EMA ABEL with flagged reference outliers also reports, for information (EMA Q&A: the study should
    pass both ways), CVwR recalculated without the flagged subjects' R data, the limits from it and the
    decision with those limits (``*_without_outliers``); the PE and CI always use all data.
    """

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
    pass_without_outliers: bool | None
    software_version: str

    def to_dict(self) -> dict[str, Any]:
        """Plain values with the contract keys first (``pass`` for ``passed``), then the details."""
        raw = super().to_dict()
        raw["pass"] = raw.pop("passed")
        return {
            **{k: raw[k] for k in CONTRACT_KEYS},
            **{k: v for k, v in raw.items() if k not in CONTRACT_KEYS},
        }

    def _repr_fields(self) -> list[str]:
        # The contract's keys but CVwT, df and the reasons (``pass`` is ``passed`` in Python).
        return [k for k in CONTRACT_KEYS if k not in {"cvwt", "df", "pass", "reasons"}] + ["passed"]
