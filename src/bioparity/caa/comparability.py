"""Process-change comparability (ICH Q5E) on the CAA engine: post-change lots judged against pre-change lots.

ICH Q5E (*Comparability of Biotechnological/Biological Products Subject to Changes in Their Manufacturing
Process*, CPMP/ICH/5721/03, 2004, section 2.2) compares the quality attributes of the product made after a
manufacturing change (a new site, scale or process step) with those of the product made before it. The
statistics are those of the comparative analytical assessment (:func:`bioparity.caa.assess`, unchanged):
the post-change lots take the place of the test lots and the pre-change lots that of a reference source,
so that the quality range, the equivalence test of means and the tolerance intervals are computed with
the pre-change lots as the yardstick, as the EMA reflection paper on the statistical methodology for the
comparative assessment of quality attributes (EMA/CHMP/138502/2017, 2021, section 1) lists pre- and
post-change comparisons in its scope.

The user's labels (``pre-change`` / ``post-change``, or two sites or scales) are mapped to the engine's
sources and back, so that the result table speaks of the user's labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from bioparity.caa.inputs import TEST_SOURCE
from bioparity.errors import DataFileError, InputError

#: Source the CAA engine gets for the pre-change lots (its sources are ``test`` and ``ref-<name>``).
PRE_SOURCE = "ref-pre-change"
#: What the ``analysis`` column of the result says.
ANALYSIS = "process-change comparability (ICH Q5E)"


def _key(label: Any) -> str:
    return str(label).strip().lower()


def check_labels(pre: str, post: str) -> None:
    """Refuse a pre-change label equal to the post-change one (InputError).

    Parameters
    ----------
    pre, post : str
        Source labels of the pre-change and post-change lots (compared without case and blanks).

    Raises
    ------
    InputError
        When they are the same label.

    Examples
    --------
    >>> check_labels("site-a", "site-b")
    """
    if _key(pre) == _key(post) or not _key(pre) or not _key(post):
        raise InputError(f"the pre-change label {pre!r} and the post-change label {post!r} must differ")


def relabel_sources(
    frame: pd.DataFrame,
    pre: str,
    post: str,
    *,
    file: str | None = None,
    rows: Sequence[int] | None = None,
    line_offset: int | None = None,
) -> pd.DataFrame:
    """A copy of ``frame`` whose ``source`` labels are the engine's: ``post`` -> ``test``, ``pre`` ->
    :data:`PRE_SOURCE` (labels compared without case and surrounding blanks).

    Parameters
    ----------
    frame : pandas.DataFrame
        A CAA long table (``attribute, source, lot, value``, ...).
    pre, post : str
        Source labels of the pre-change and post-change lots (e.g. two sites or scales).
    file : str or None, default None
        File named in the error message.
    rows : sequence of int or None, default None
        1-based data row of each row of ``frame`` in its file (default: its position).
    line_offset : int or None, default None
        Line of the file's header (CSV), so that the message gives the line of a bad row too.

    Returns
    -------
    pandas.DataFrame
        The copy with the engine's source labels.

    Raises
    ------
    DataFileError
        When a ``source`` cell is neither label (naming file, row, line and column), or the column is
        missing.

    Examples
    --------
    >>> frame = pd.DataFrame({"source": ["Site-A", "site-b"], "lot": ["a1", "b1"]})
    >>> relabel_sources(frame, "site-a", "site-b")["source"].tolist()
    ['ref-pre-change', 'test']
    """
    if "source" not in frame.columns:
        raise DataFileError("missing column 'source'", file=file, expected=f"{pre!r} or {post!r}")
    labels = {_key(pre): PRE_SOURCE, _key(post): TEST_SOURCE}
    where = list(rows) if rows is not None else list(range(1, len(frame) + 1))
    mapped = []
    for row, cell in zip(where, frame["source"].tolist(), strict=True):
        if _key(cell) not in labels:
            raise DataFileError(
                "unknown source", file=file, row=row,
                line=None if line_offset is None else row + line_offset, column="source", value=cell,
                expected=f"{pre!r} (pre-change) or {post!r} (post-change)",
            )  # fmt: skip
        mapped.append(labels[_key(cell)])
    out = frame.copy()
    out["source"] = mapped
    return out


def comparability_table(table: pd.DataFrame, pre: str, post: str) -> pd.DataFrame:
    """The CAA result table with the user's source labels back, the comparison named ``<post> vs <pre>``
    and a first column ``analysis`` saying what was done.

    Parameters
    ----------
    table : pandas.DataFrame
        ``CAAResult.table`` of a run on sources relabelled by :func:`relabel_sources`.
    pre, post : str
        The user's labels.

    Returns
    -------
    pandas.DataFrame
        The relabelled copy.

    Examples
    --------
    >>> caa = pd.DataFrame({"comparison": ["test vs ref-pre-change"], "test_source": ["test"],
    ...                     "reference_source": ["ref-pre-change"]})
    >>> comparability_table(caa, "pre-change", "post-change").iloc[0].tolist()
    ['process-change comparability (ICH Q5E)', 'post-change vs pre-change', 'post-change', 'pre-change']
    """
    back = {TEST_SOURCE: post, PRE_SOURCE: pre}
    out = table.copy()
    for column in ("test_source", "reference_source"):
        if column in out.columns:
            out[column] = out[column].map(lambda s: back.get(str(s), s))
    if "comparison" in out.columns:
        out["comparison"] = f"{post} vs {pre}"
    out.insert(0, "analysis", ANALYSIS)
    return out
