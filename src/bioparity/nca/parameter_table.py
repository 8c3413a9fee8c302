"""The shared shape of the NCA results that hold a matrix of parameters (sparse, urine, dosing intervals,
time to steady state): ``values[r, k]`` is parameter ``codes[k]`` of row ``r`` (a group, a profile or a
dosing interval), written out as a long table with the CDISC PP columns ``PPTESTCD`` and ``PPSTRESN``
(CDISC SDTM Implementation Guide v3.4, Pharmacokinetics Parameters (PP) domain)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity._results import ResultMixin
from bioparity.nca.profiles import FloatArray


class ParameterTable(ResultMixin):
    """``value``, a short ``repr``, ``to_dict`` and the start of ``to_frame`` for a frozen result dataclass
    with the fields ``codes`` (the ``K`` parameter codes) and ``values`` (``(R, K)``, NaN when missing)."""

    codes: tuple[str, ...]
    values: FloatArray
    #: What a row of ``values`` is, in the ``repr`` ("profiles", "groups", "intervals").
    ROWS: ClassVar[str] = "profiles"

    def value(self, code: str) -> FloatArray:
        """Every row's value of the parameter ``code``."""
        return self.values[:, self.codes.index(code)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.values)} {self.ROWS}, parameters {', '.join(self.codes)})"

    def to_dict(self) -> dict[str, Any]:
        """The settings (``SETTINGS``), the rows of ``to_frame()`` (``records``) and the software version,
        strict JSON."""
        return self._table_record(**{name: getattr(self, name) for name in self.SETTINGS})

    def _long_table(
        self, keys: pd.DataFrame, **per_row: npt.NDArray[np.generic]
    ) -> tuple[pd.DataFrame, npt.NDArray[np.intp]]:
        """One line per row and code: the row's ``keys`` and ``per_row`` columns (one value per row, e.g.
        start and end), then ``PPTESTCD`` and ``PPSTRESN``; and the row of each line, for further columns."""
        n_rows, n_codes = self.values.shape
        rows = np.repeat(np.arange(n_rows), n_codes)
        out = keys.iloc[rows].reset_index(drop=True)
        for name, column in per_row.items():
            out[name] = column[rows]
        out["PPTESTCD"] = np.asarray(self.codes, dtype=object)[np.tile(np.arange(n_codes), n_rows)]
        out["PPSTRESN"] = self.values.ravel()
        return out, rows


@dataclass(frozen=True)
class ProfileFields:
    """The fields a :class:`ParameterTable` whose rows are concentration profiles (urine NCA, time to steady
    state) starts with, before those of each result: a dataclass base of the result, listed after
    :class:`ParameterTable` (``class UrineResult(ParameterTable, ProfileFields)``).

    Attributes
    ----------
    profiles : pandas.DataFrame
        ``P`` rows: the key columns of each profile.
    codes : tuple of str
        The ``K`` parameter codes of ``values``.
    values : numpy.ndarray
        ``(P, K)`` values; NaN when missing.
    """

    profiles: pd.DataFrame
    codes: tuple[str, ...]
    values: FloatArray
