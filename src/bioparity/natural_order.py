"""The order of subject identifiers in outputs: numeric parts as numbers (``2`` before ``10``, ``X1-2``
before ``X1-10``), the identifiers themselves never changed.

A CDISC USUBJID is text (SDTMIG v3.4, section 2.2.4: USUBJID is a character variable, unique within a
submission), so sorting it as text puts subject ``10`` between ``1`` and ``2``. The data sets are sorted by
their keys (SDTMIG v3.3, section 3.2.1: the key variables give the order the records are sorted in; for PP
STUDYID, USUBJID, ...) and a reviewer reads them subject by subject: ``1, 2, ..., 10`` as a SAS ``PROC
SORT ... SORTSEQ=LINGUISTIC(NUMERIC_COLLATION=ON)`` orders them. Two identifiers that are the same number
written differently (``010`` and ``10``) stay two subjects, ordered as text between themselves.

A neutral module (pandas and NumPy only): the writers of ``bioparity.io`` and the figures of
``bioparity.analyses`` use the one rule.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["natural_key", "natural_ranks"]

#: The runs of ASCII digits of an identifier (other digits are text: ``int()`` is never asked to read them).
_DIGITS = re.compile(r"([0-9]+)")


def natural_key(text: str) -> tuple[tuple[object, ...], str]:
    """The sort key of one identifier: its text and digit runs in turn, each digit run as a number, then the
    identifier itself (so ``010`` and ``10`` are told apart).

    >>> sorted(["10", "2", "1", "X1-10", "X1-2"], key=natural_key)
    ['1', '2', '10', 'X1-2', 'X1-10']
    >>> sorted(["10", "010"], key=natural_key)
    ['010', '10']
    """
    parts = _DIGITS.split(text)
    # re.split with a group alternates text (even positions) and digits (odd): like compared with like
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), text


def natural_ranks(values: pd.Series) -> npt.NDArray[np.int64]:
    """The rank of each value of ``values`` (as text; missing as ``''``) in the order of
    :func:`natural_key`: equal values share a rank, in the series' order.

    >>> natural_ranks(pd.Series(["S10", "S2", "S1", "S2"])).tolist()
    [2, 1, 0, 1]
    """
    text = values.astype("string").fillna("").astype(str)
    codes, uniques = pd.factorize(text, sort=False)
    order = sorted(range(len(uniques)), key=lambda i: natural_key(str(uniques[i])))
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques), dtype=np.int64)
    return rank[codes] if len(codes) else np.zeros(0, dtype=np.int64)
