"""The order of subject identifiers in outputs: numeric parts as numbers (``2`` before ``10``, ``X1-2``
before ``X1-10``), the identifiers themselves never changed.

A CDISC USUBJID is text (SDTMIG v3.4, section 2.2.4: USUBJID is a character variable, unique within a
submission), so sorting it as text puts subject ``10`` between ``1`` and ``2``. The data sets are sorted by
their keys (SDTMIG v3.3, section 3.2.1: the key variables give the order the records are sorted in; for PP
STUDYID, USUBJID, ...) and a reviewer reads them subject by subject: ``1, 2, ..., 10`` as a SAS ``PROC
SORT ... SORTSEQ=LINGUISTIC(NUMERIC_COLLATION=ON)`` orders them. Two identifiers that are the same number
written differently (``010`` and ``10``) stay two subjects, ordered as text between themselves.

A neutral module (pandas, NumPy and Arrow only): the writers of ``bioparity.io`` and the figures of
``bioparity.analyses`` use the one rule.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["natural_ranks"]

#: A run of ASCII digits of an identifier (other digits are text).
_DIGITS = re.compile(r"[0-9]+")


def natural_ranks(values: pd.Series) -> npt.NDArray[np.int64]:
    """The rank of each value of ``values`` (as text; missing as ``''``) in natural order: each run of
    digits compared as a number (zero-padded to one width, then compared as text), equal keys (``010`` and
    ``10``) by their text. Equal values share a rank.

    >>> natural_ranks(pd.Series(["S10", "S2", "S1", "S2"])).tolist()
    [2, 1, 0, 1]
    >>> ids = pd.Series(["10", "2", "010", "X1-10", "X1-2", "1"])
    >>> ids.iloc[np.argsort(natural_ranks(ids))].tolist()
    ['1', '2', '010', '10', 'X1-2', 'X1-10']
    """
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    text = values.astype("string").fillna("").astype(str)
    codes, uniques = pd.factorize(text, sort=False)
    distinct = np.asarray(uniques.tolist(), dtype=object)
    if not len(distinct):
        return np.zeros(len(codes), dtype=np.int64)
    width = max(len(u) for u in distinct)  # no run of digits is longer

    def pad(match: re.Match[str]) -> str:
        return match.group(0).zfill(width)

    # one key: the padded text, then (after the lowest character) the text itself for equal padded texts
    keys = pa.array([_DIGITS.sub(pad, u) + "\0" + u for u in distinct], type=pa.string())
    order = pc.sort_indices(keys).to_numpy()  # Arrow's sort: a third of NumPy's on Python strings
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct), dtype=np.int64)
    return np.asarray(rank[codes], dtype=np.int64)
